"""One store's API quota shared by every Odoo process (issue 20 item 2).

``client/governor.py`` keeps a store's quota per process: N prefork workers,
or several nodes, each counting down their own reading would together spend
N times the store's budget and meet BigCommerce's 429s. Here the state is a
row of ``bigcommerce_api_quota`` per store, and each operation of the
governor (claim a request, record a response's reading, a 429) is one short
transaction on a connection of its own:

1. ``SELECT ... FOR UPDATE`` of the store's row (READ COMMITTED: the latest
   committed state, after any other process's claim), with PostgreSQL's
   clock, which every node shares;
2. the rules of ``client.governor.QuotaState`` on it;
3. ``UPDATE`` and commit: the next claim, in any process, sees it.

The row lock is held for one statement round-trip, never across an HTTP
request, and never inside a job's transaction: a job that rolls back does not
give back the requests it spent, as BigCommerce does not. A claim that must
wait raises (``max_wait`` 0, jobs) or sleeps outside the transaction.
"""

import hashlib
import threading
import time

from odoo import sql_db

from ..client.governor import (
    RESERVE_RATIO,
    QuotaState,
    quota_error,
    read_headers,
)

_GOVERNORS = {}
_GOVERNORS_LOCK = threading.Lock()


def store_key(api_url):
    """The row's key: a hash of the API URL (it holds the store hash)."""
    return hashlib.sha1(api_url.encode()).hexdigest()


def shared_governor(dbname, api_url):
    """This process's handle on the store's shared quota in ``dbname``."""
    key = (dbname, store_key(api_url))
    with _GOVERNORS_LOCK:
        governor = _GOVERNORS.get(key)
        if governor is None:
            governor = _GOVERNORS[key] = SharedQuotaGovernor(*key)
        return governor


class SharedQuotaGovernor:
    """The governor interface of ``client.governor`` on a PostgreSQL row."""

    def __init__(self, dbname, key, reserve_ratio=RESERVE_RATIO, sleep=time.sleep):
        self.dbname = dbname
        self.key = key
        self.reserve_ratio = reserve_ratio
        self._sleep = sleep
        self.waited_s = 0.0

    def __repr__(self):
        return f"<SharedQuotaGovernor {self.dbname}>"

    # ------------------------------------------------------------------
    # The governor interface
    # ------------------------------------------------------------------

    def acquire(self, max_wait):
        """Claim one request; wait (at most ``max_wait`` s) if the quota is spent."""
        while True:
            wait = self._change(lambda state, now: state.claim(now, self.reserve_ratio))
            if wait <= 0:
                return
            if wait > max_wait:
                raise quota_error(wait)
            self.waited_s += wait
            self._sleep(wait)
            max_wait -= wait

    def update(self, headers):
        """Record the quota reading of a response (any status)."""
        reading = read_headers(headers)
        if reading is not None:
            self._change(lambda state, now: state.record(now, *reading))

    def throttled(self, reset_ms):
        """A 429 arrived: nothing is left until the reset it announced."""
        self._change(lambda state, now: state.throttle(now, reset_ms))

    def forget(self):
        """Drop the last reading (tests reconfigure the sandbox's quota)."""
        with self._cursor() as cr:
            cr.execute(
                "DELETE FROM bigcommerce_api_quota WHERE store_key = %s", [self.key]
            )

    def reading(self):
        """``(QuotaState, seconds until the reset or None)``, read only."""
        with self._cursor() as cr:
            cr.execute(
                "SELECT quota, requests_left, has_reading, reset_at, window_s, "
                "extract(epoch FROM clock_timestamp()) "
                "FROM bigcommerce_api_quota WHERE store_key = %s",
                [self.key],
            )
            row = cr.fetchone()
        if not row:
            return QuotaState(), None
        state, now = self._state(row), float(row[-1])
        return state, (state.reset_at - now if state.reset_at is not None else None)

    # ------------------------------------------------------------------
    # The row
    # ------------------------------------------------------------------

    def _cursor(self):
        # Its own connection and transaction, committed when the block ends:
        # never the job's (which may roll back, and would hold the lock).
        return sql_db.db_connect(self.dbname).cursor()

    @staticmethod
    def _state(row):
        quota, left, has_reading, reset_at, window_s = row[:5]
        return QuotaState(
            quota=quota or None,
            left=left if has_reading else None,
            reset_at=reset_at if has_reading and reset_at else None,
            window_s=window_s or None,
        )

    def _locked_row(self, cr):
        cr.execute(
            "SELECT quota, requests_left, has_reading, reset_at, window_s, "
            "extract(epoch FROM clock_timestamp()) "
            "FROM bigcommerce_api_quota WHERE store_key = %s FOR UPDATE",
            [self.key],
        )
        return cr.fetchone()

    def _change(self, change):
        """Apply ``change(state, now)`` to the row under its lock; its result."""
        with self._cursor() as cr:
            # Before any query of the transaction: wait for the lock, then
            # read what the other process committed (REPEATABLE READ, Odoo's
            # default, would raise a serialization failure instead).
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            row = self._locked_row(cr)
            if row is None:  # the store's first request on this database
                cr.execute(
                    "INSERT INTO bigcommerce_api_quota (store_key, has_reading) "
                    "VALUES (%s, false) ON CONFLICT (store_key) DO NOTHING",
                    [self.key],
                )
                row = self._locked_row(cr)
            state = self._state(row)
            result = change(state, float(row[-1]))
            cr.execute(
                "UPDATE bigcommerce_api_quota SET quota = %s, requests_left = %s, "
                "has_reading = %s, reset_at = %s, window_s = %s WHERE store_key = %s",
                [
                    state.quota,
                    state.left,
                    state.left is not None,
                    state.reset_at,
                    state.window_s,
                    self.key,
                ],
            )
        return result
