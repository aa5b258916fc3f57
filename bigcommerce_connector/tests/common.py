import sys
import threading
import traceback

import psycopg2

from odoo import sql_db
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.orm.environments import Transaction
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from bigcommerce_sandbox import SandboxStore


def start_sandbox(case, **instance_values):
    """Serve a sandbox store for the test class ``case``; return its instance."""
    case.sandbox = SandboxStore(seed=42).start()
    case.addClassCleanup(case.sandbox.stop)
    # Jobs never wait for the quota (they are retried later by queue_job),
    # so a bulk import in a test would fail or pass with the machine's
    # speed; rate limiting has tests of its own (test_jobs, client tests).
    case.sandbox.set_rate_limit(quota=100000, window_ms=30000)
    return case.env["bigcommerce.instance"].create(
        {
            "name": "Sandbox store",
            "store_hash": case.sandbox.store_hash,
            "access_token": case.sandbox.access_token,
            "api_url": case.sandbox.api_url,
            **instance_values,
        }
    )


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
