from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BigcommerceSandboxCase, forget_quota


@tagged("post_install", "-at_install")
class TestStoreSettingsJob(BigcommerceSandboxCase):
    def tearDown(self):
        self.sandbox.clear_faults()
        self.sandbox.set_rate_limit()
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    def test_cron_queues_one_job_per_confirmed_store(self):
        self.instance.action_confirm()
        draft = self.env["bigcommerce.instance"].create(
            {"name": "Draft store", "store_hash": "draft", "access_token": "x"}
        )
        with trap_jobs() as trap:
            self.env["bigcommerce.instance"]._cron_refresh_store_settings()
            # Counted for this test's stores only: the cron also queues the
            # refresh of any store another suite left confirmed.
            trap.assert_jobs_count(1, only=self.instance._job_refresh_store_settings)
            trap.assert_jobs_count(0, only=draft._job_refresh_store_settings)
            trap.assert_enqueued_job(
                self.instance._job_refresh_store_settings,
                properties={"channel": self.instance._queue_channel()},
            )
        # The queued job, run as the runner would.
        self.instance._job_refresh_store_settings()
        refresh = self.instance.log_ids.filtered(
            lambda log: log.operation == "refresh_settings"
        )
        self.assertEqual(set(refresh.mapped("state")), {"done"})

    def test_job_is_postponed_on_server_error(self):
        self.instance.action_confirm()
        self.sandbox.queue_faults("503")
        with self.assertRaises(RetryableJobError) as caught:
            self.instance._job_refresh_store_settings()
        self.assertGreaterEqual(caught.exception.seconds, 60)
        self.assertIn("503", str(caught.exception))

    def test_job_retries_when_the_quota_resets(self):
        self.instance.action_confirm()
        throttled_before = self.sandbox.count_429
        self.sandbox.set_rate_limit(quota=2, window_ms=20000)
        with self.assertRaises(RetryableJobError) as caught:
            self.instance._job_refresh_store_settings()
        # The governor saw the quota spent and gave the reset time, no sleep.
        self.assertLessEqual(caught.exception.seconds, 21)
        self.assertGreaterEqual(caught.exception.seconds, 1)
        self.assertEqual(self.sandbox.count_429, throttled_before)

    def test_job_does_not_retry_a_bad_token(self):
        self.instance.action_confirm()
        self.instance.access_token = "not-the-token"
        # A configuration error is not retried: the job fails with the reason.
        with self.assertRaisesRegex(UserError, "rejected the access token"):
            self.instance._job_refresh_store_settings()
