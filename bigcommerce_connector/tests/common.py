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
from odoo.tools import mute_logger

from bigcommerce_sandbox import SandboxStore

from ..client import governor_for
from ..tools.shared_quota import shared_governor

# The Standard plan's quota (150 requests) over a short window: a bulk test
# meets the governor's reserve and 429s within seconds, as a real store does
# within minutes. Never raise the quota to make a test pass.
TEST_QUOTA = 150
TEST_WINDOW_MS = 3000


def forget_quota(env, sandbox):
    """Forget what the governors know of the sandbox's quota: the one every
    Odoo process shares (PostgreSQL) and this process's own (pure-Python
    clients). Tests that reconfigure the sandbox's quota start afresh."""
    shared_governor(env.cr.dbname, sandbox.api_url).forget()
    governor_for(sandbox.api_url).forget()


def start_sandbox(case, **instance_values):
    """Serve a sandbox store for the test class ``case``; return its instance.

    The store has the Standard quota (150 requests) with a 3 s window.
    """
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
    row locks would make the jobs wait for it.
    """

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

    def run_concurrently(self, jobs):
        """Run each ``job(env)`` in its own thread and transaction, together.

        What queue_job's runner does: a PostgreSQL concurrency error or a
        RetryableJobError postpones the job, which runs again in a fresh
        transaction. Returns what postponed a job.
        """
        database = self.database()
        barrier = threading.Barrier(len(jobs))
        errors, postponed = [], []

        def run(job):
            try:
                with database.cursor() as cr, mute_logger("odoo.sql_db"):
                    env = self.environment(cr)
                    barrier.wait(timeout=10)
                    for _attempt in range(3):
                        try:
                            job(env)
                            # Post-commit hooks (partner rank statistics) open
                            # a cursor through the registry, which in tests is
                            # the test's own and locked: not what is tested.
                            cr.postcommit.clear()
                            cr.commit()  # pylint: disable=invalid-commit
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
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                errors.append(error)

        threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
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
        self.assertEqual(errors, [])
        return postponed

    def fetch(self, query, params):
        with self.database().cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()
