"""The test helpers themselves: an instrument that cannot fail is a defect."""

from types import SimpleNamespace

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tests import tagged

from .common import ConcurrentJobsCase, clean_up_committed_rows


@tagged("post_install", "-at_install")
class TestConcurrencyHelper(ConcurrentJobsCase):
    """``run_concurrently`` asserts how every job ended."""

    def test_a_job_postponed_at_every_attempt_fails_the_test(self):
        def done(env):
            env.cr.execute("SELECT 1")

        def always_postponed(env):
            raise RetryableJobError("the quota is spent", seconds=1)

        with self.assertRaisesRegex(AssertionError, "still postponed after 3"):
            self.run_concurrently([done, always_postponed])

    def test_a_job_that_errors_fails_the_test(self):
        def broken(env):
            raise ValueError("broken")

        with self.assertRaisesRegex(AssertionError, "expected done, ended with"):
            self.run_concurrently([broken, broken])

    def test_the_failure_a_test_expects_is_accepted_and_no_other(self):
        def refused(env):
            raise ValueError("refused")

        def done(env):
            env.cr.execute("SELECT 1")

        postponed = self.run_concurrently(
            [done, refused], expected=["done", ValueError]
        )
        self.assertEqual(postponed, [])
        with self.assertRaisesRegex(AssertionError, "expected ValueError"):
            self.run_concurrently([done, done], expected=["done", ValueError])

    def test_a_job_postponed_once_then_done_counts_as_done(self):
        attempts = []

        def once_postponed(env):
            attempts.append(1)
            if len(attempts) == 1:
                raise RetryableJobError("busy", seconds=1)

        self.assertEqual(self.run_concurrently([once_postponed]), ["retryable"])
        self.assertEqual(len(attempts), 2)

    def test_rows_committed_during_a_test_are_deleted_after_it(self):
        cleanups = []
        clean_up_committed_rows(
            SimpleNamespace(
                env=self.env, registry=self.registry, addCleanup=cleanups.append
            )
        )
        instance_id = self.committed_instance(
            name="Left behind?",
            skus=["INSTRUMENT-SKU"],
            payment_methods=["Instrument Pay"],
        )

        def queue_a_job(env):
            env["bigcommerce.instance"].browse(instance_id).with_delay(
                channel="root.bigcommerce"
            )._job_refresh_store_settings()

        self.run_concurrently([queue_a_job])
        queries = {
            "instance": "SELECT count(*) FROM bigcommerce_instance WHERE id = %s",
            "mapping": "SELECT count(*) FROM bigcommerce_payment_mapping "
            "WHERE instance_id = %s",
            "product": "SELECT count(*) FROM product_product p "
            "JOIN product_template t ON t.id = p.product_tmpl_id "
            "WHERE p.default_code = 'INSTRUMENT-SKU' AND %s > 0",
            "job": "SELECT count(*) FROM queue_job WHERE func_string = "
            "'bigcommerce.instance(' || %s || ',)._job_refresh_store_settings()'",
        }

        def counts():
            return {
                name: self.fetch(query, [instance_id])[0][0]
                for name, query in queries.items()
            }

        committed = counts()
        self.assertEqual(
            {name: bool(count) for name, count in committed.items()},
            dict.fromkeys(queries, True),
            committed,
        )
        (delete,) = cleanups
        delete()
        self.assertEqual(
            counts(), {"instance": 0, "mapping": 0, "product": 0, "job": 0}
        )
