import sys
import threading
import time
import traceback
from contextlib import contextmanager

import psycopg2

from odoo import fields, sql_db
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.orm.environments import Transaction
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import TransactionCase
from odoo.tools import SQL, mute_logger

from bigcommerce_sandbox import SandboxStore

from ..client import governor_for
from ..tools.shared_quota import shared_governor

# The Standard plan's quota (150 requests) over a short window: a bulk test
# meets the governor's reserve and 429s within seconds, as a real store does
# within minutes. Never raise the quota to make a test pass.
TEST_QUOTA = 150
TEST_WINDOW_MS = 3000
# A go-live date before every seeded order (the seed starts in 2025).
HISTORY_BOOKED_FROM = "2020-01-01 00:00:00"


def forget_quota(env, sandbox):
    """Forget what the governors know of the sandbox's quota: the one every
    Odoo process shares (PostgreSQL) and this process's own (pure-Python
    clients). Tests that reconfigure the sandbox's quota start afresh."""
    shared_governor(env.cr.dbname, sandbox.api_url).forget()
    governor_for(sandbox.api_url).forget()


def start_sandbox(case, **instance_values):
    """Serve a sandbox store for the test class ``case``; return its instance.

    The store has the Standard quota (150 requests) with a 3 s window. Its
    go-live date is before the seeded history (unless ``go_live_date`` is
    given): these tests book the sandbox's orders on purpose.
    """
    instance_values.setdefault("go_live_date", HISTORY_BOOKED_FROM)
    case.sandbox = SandboxStore(seed=42).start()
    case.addClassCleanup(case.sandbox.stop)
    case.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=TEST_WINDOW_MS)
    return case.env["bigcommerce.instance"].create(
        {
            "name": "Sandbox store",
            "store_hash": case.sandbox.store_hash,
            "access_token": case.sandbox.access_token,
            "api_url": case.sandbox.api_url,
            **instance_values,
        }
    )


@contextmanager
def other_apps(sandbox, requests_per_window):
    """The store's other apps spend ``requests_per_window`` of each window.

    A store's quota is shared with every app the merchant installed; with
    them busy the connector's share is small enough for a bulk test to meet
    the governor's reserve (and BigCommerce's 429) within seconds.
    """
    stop = threading.Event()
    limiter = sandbox.rate_limiter

    def spend():
        while not stop.is_set():
            for _request in range(requests_per_window):
                limiter.hit()
            stop.wait(limiter.window_ms / 1000.0)

    thread = threading.Thread(target=spend, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


@contextmanager
def other_apps_every_window(sandbox, requests_per_window):
    """The store's other apps spend ``requests_per_window`` at the start of
    every window: the connector's share is exactly the rest, whatever the
    timing of its jobs (``other_apps`` spends on a timer of its own, whose
    phase drifts against the store's windows)."""
    sandbox.set_other_apps(requests_per_window)
    try:
        yield
    finally:
        sandbox.set_other_apps(0)


def run_jobs(env, max_jobs=2000, max_wait=60.0):
    """Run the queued jobs as queue_job's runner would, until none is left.

    Pending jobs run in the order of their ``eta`` (then creation), each in a
    savepoint of the test transaction: done on success; a
    ``RetryableJobError`` (a rate limit, a 5xx) or a PostgreSQL concurrency
    error postpones the job to its ``eta`` and counts a retry; queue_job's
    give-up (``FailedJobError`` once the retries are used up) or any other
    error marks it failed. A job whose ``eta`` is in the future is waited
    for (the sandbox's short window keeps that to seconds), never run early.

    Returns ``{"done": n, "postponed": n, "failed": [queue.job...]}``; raises
    AssertionError beyond ``max_jobs`` runs or ``max_wait`` seconds of
    waiting for a due job (a chain that never ends).
    """
    Queue = env["queue.job"].sudo()
    stats = {"done": 0, "postponed": 0, "failed": Queue}
    waited = 0.0
    runs = 0
    while True:
        env.flush_all()
        pending = Queue.search(
            [("state", "in", ("pending", "enqueued"))], order="eta, date_created, id"
        )
        if not pending:
            return stats
        now = fields.Datetime.now()
        due = pending.filtered_domain(["|", ("eta", "=", False), ("eta", "<=", now)])
        if not due:
            pause = max(
                0.2, min((job.eta - now).total_seconds() for job in pending) + 0.1
            )
            waited += pause
            if waited > max_wait:
                raise AssertionError(
                    f"{len(pending)} jobs still waiting after {waited:.0f} s"
                )
            time.sleep(pause)
            continue
        for record in due:
            runs += 1
            if runs > max_jobs:
                raise AssertionError(f"more than {max_jobs} job runs")
            job = Job.load(env, record.uuid)
            job.set_started()
            job.store()
            try:
                with env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    job.perform()
            except RetryableJobError as error:
                job.postpone(result=str(error), seconds=error.seconds)
                job.set_pending(reset_retry=False)
                job.store()
                stats["postponed"] += 1
            except psycopg2.OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                job.postpone(result=str(error), seconds=1)
                job.set_pending(reset_retry=False)
                job.store()
                stats["postponed"] += 1
            except Exception as error:  # noqa: BLE001 - reported to the test
                job.set_failed(
                    exc_info=traceback.format_exc(), exc_name=type(error).__name__
                )
                job.store()
                stats["failed"] |= record
            else:
                job.set_done()
                job.store()
                stats["done"] += 1


def queued_job(delayed, retry):
    """The stored queue job of ``delayed`` as if ``retry`` attempts had failed."""
    env = delayed.recordset.env
    job = Job.load(env, delayed.uuid)
    job.retry = retry
    job.store()
    return Job.load(env, delayed.uuid)


def _committed_maxima(cr):
    """{table: highest committed id} of every table with an integer ``id``."""
    cr.execute(
        """
        SELECT c.table_name
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND c.column_name = 'id'
           AND c.data_type IN ('integer', 'bigint') AND t.table_type = 'BASE TABLE'
        """
    )
    tables = sorted(name for (name,) in cr.fetchall())
    cr.execute(
        SQL(" UNION ALL ").join(
            SQL("SELECT %s, max(id) FROM %s", table, SQL.identifier(table))
            for table in tables
        )
    )
    return {table: highest or 0 for table, highest in cr.fetchall()}


def clean_up_committed_rows(case):
    """Delete, after the test ``case``, every row committed while it ran.

    Tests that commit through connections of their own (concurrent jobs,
    webhook deliveries) leave instances, orders, jobs... that the next tests
    would meet: a cron test would count their stores, ``run_jobs`` would run
    their jobs. The highest committed id of every table is noted now; after
    the test (and after its own savepoint is rolled back, which releases its
    locks) the rows above it are deleted, children before parents (a delete
    a foreign key refuses is tried again once the others are gone). Call it
    in ``setUp`` before ``super().setUp()``.
    """
    database = sql_db.db_connect(case.env.cr.dbname)
    with database.cursor() as cr:
        marks = _committed_maxima(cr)

    def delete():
        with database.cursor() as cr:
            cr.execute("SET LOCAL lock_timeout = '30s'")
            pending = {
                table: marks.get(table, 0)
                for table, highest in _committed_maxima(cr).items()
                if highest > marks.get(table, 0)
            }
            while pending:
                refused = {}
                for table, mark in pending.items():
                    try:
                        with cr.savepoint(flush=False):
                            cr.execute(
                                SQL(
                                    "DELETE FROM %s WHERE id > %s",
                                    SQL.identifier(table),
                                    mark,
                                ),
                                log_exceptions=False,
                            )
                    except psycopg2.errors.ForeignKeyViolation as error:
                        refused[table] = (mark, error)
                if len(refused) == len(pending):
                    raise AssertionError(
                        "rows committed by the test cannot be deleted: "
                        + "; ".join(f"{t}: {e[1]}" for t, e in refused.items())
                    )
                pending = {table: mark for table, (mark, _e) in refused.items()}
            cr.commit()  # pylint: disable=invalid-commit
        case.registry.clear_all_caches()

    # Cleanups run last-in first-out: registered before the test's savepoint,
    # this one runs after the savepoint is rolled back.
    case.addCleanup(delete)


class BigcommerceSandboxCase(TransactionCase):
    """Odoo tests driven against the sandbox store, served on a loopback port."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = start_sandbox(cls)


class ConcurrentJobsCase(BigcommerceSandboxCase):
    """Jobs run at the same time in real transactions on their own connections.

    The test's own cursor cannot be used (its data is uncommitted and
    registry.cursor() is redirected to it in tests): what the jobs need is
    committed through separate connections, in a database dropped after the
    suite. Subclasses must not write in setUpClass: the test transaction's
    row locks would make the jobs wait for it. What a test commits is
    deleted after it (``clean_up_committed_rows``): no other test meets it.
    """

    def setUp(self):
        clean_up_committed_rows(self)
        super().setUp()

    def database(self):
        return sql_db.db_connect(self.env.cr.dbname)

    def environment(self, cr):
        # Registry(dbname) waits for the lock the test runner holds: hand the
        # loaded registry to the new transaction directly.
        cr.transaction = Transaction(self.env.registry)
        return self.env(cr=cr)

    def committed_instance(self, skus=(), payment_methods=(), **values):
        """A confirmed instance on the sandbox, committed; returns its id.

        ``skus`` get Odoo products and ``payment_methods`` their payment
        mappings first, so that the jobs meet only on what a test is about.
        """
        with self.database().cursor() as cr:
            env = self.environment(cr)
            instance = env["bigcommerce.instance"].create(
                {
                    "store_hash": f"sandbox-{self._testMethodName}",
                    "api_url": self.sandbox.api_url,
                    "access_token": self.sandbox.access_token,
                    **values,
                }
            )
            instance.state = "confirmed"
            env["product.product"].create(
                [{"name": sku, "default_code": sku, "type": "consu"} for sku in skus]
            )
            env["bigcommerce.payment.mapping"].create(
                [
                    {"instance_id": instance.id, "payment_method": method}
                    for method in payment_methods
                ]
            )
            cr.commit()  # pylint: disable=invalid-commit
            return instance.id

    def run_concurrently(self, jobs, expected=None, attempts=3):
        """Run each ``job(env)`` in its own thread and transaction, together.

        What queue_job's runner does: a PostgreSQL concurrency error or a
        RetryableJobError postpones the job, which runs again in a fresh
        transaction, up to ``attempts`` runs. Asserts how every job ended:
        ``expected`` gives, per job, "done" (committed; the default for all)
        or the exception class the test expects it to end with; a job still
        postponed after its last attempt ended with neither and fails the
        test. Returns what postponed a job.
        """
        expected = list(expected or ["done"] * len(jobs))
        self.assertEqual(len(expected), len(jobs), "one expected outcome per job")
        database = self.database()
        barrier = threading.Barrier(len(jobs))
        outcomes = [None] * len(jobs)
        postponed = []

        def run(index, job):
            try:
                with database.cursor() as cr, mute_logger("odoo.sql_db"):
                    env = self.environment(cr)
                    barrier.wait(timeout=10)
                    for _attempt in range(attempts):
                        try:
                            job(env)
                            # Post-commit hooks (partner rank statistics) open
                            # a cursor through the registry, which in tests is
                            # the test's own and locked: not what is tested.
                            cr.postcommit.clear()
                            cr.commit()  # pylint: disable=invalid-commit
                            outcomes[index] = "done"
                            return
                        except (psycopg2.OperationalError, RetryableJobError) as error:
                            code = getattr(error, "pgcode", "retryable")
                            if code not in (
                                *PG_CONCURRENCY_ERRORS_TO_RETRY,
                                "retryable",
                            ):
                                raise
                            cr.rollback()
                            env.invalidate_all()
                            postponed.append(code)
                    outcomes[index] = f"still postponed after {attempts} attempts"
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                outcomes[index] = error

        threads = [
            threading.Thread(target=run, args=(index, job))
            for index, job in enumerate(jobs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        stuck = [thread for thread in threads if thread.is_alive()]
        frames = sys._current_frames()
        self.assertFalse(
            stuck,
            "the jobs deadlocked:\n"
            + "\n".join(
                "".join(traceback.format_stack(frames[thread.ident]))
                for thread in stuck
                if thread.ident in frames
            ),
        )
        mismatches = [
            f"job {index}: expected "
            f"{want if want == 'done' else want.__name__}, ended with {outcome!r}"
            for index, (outcome, want) in enumerate(
                zip(outcomes, expected, strict=True)
            )
            if not (outcome == "done" if want == "done" else isinstance(outcome, want))
        ]
        self.assertEqual(mismatches, [], "every job must end as the test expects")
        return postponed

    def fetch(self, query, params):
        with self.database().cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
