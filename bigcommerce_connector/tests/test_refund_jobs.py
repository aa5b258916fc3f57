from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import queued_job, run_jobs
from .test_refund_import import RefundImportCase

# Logs the traceback of an unexpected error, expected in one test.
JOB_LOGGER = "odoo.addons.bigcommerce_connector.tools.job_retry"


@tagged("post_install", "-at_install")
class TestRefundJobGivesUp(RefundImportCase):
    """The poll has moved past a refund whose job fails: it must stay visible."""

    def tearDown(self):
        self.sandbox.clear_faults()
        super().tearDown()

    def _refund_of_a_new_order(self):
        order = self.new_order(currency_code="USD", tax_inclusive=False)
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        (payload,) = self.instance._get_client().iter_refunds(
            **{"id:in": str(refund["id"])}
        )
        return payload

    def _queued_job(self, refund, retry):
        delayed = self.instance.with_delay(max_retries=3)._job_import_refund(
            refund["id"]
        )
        return queued_job(delayed, retry)

    def test_a_transient_error_before_the_last_attempt_is_retried(self):
        refund = self._refund_of_a_new_order()
        job = self._queued_job(refund, retry=0)
        # The order is imported first: its read fails.
        self.sandbox.queue_faults("503")
        with self.assertRaises(RetryableJobError):
            job.perform()
        self.assertFalse(self.refund_record(refund["id"]))

    def test_the_last_attempt_keeps_the_refund_in_error_with_the_reason(self):
        refund = self._refund_of_a_new_order()
        job = self._queued_job(refund, retry=2)
        self.sandbox.queue_faults("503")
        job.perform()
        # The runner marks the job done (the refund keeps the error instead).
        job.set_done()
        job.store()
        record = self.refund_record(refund["id"])
        self.assertEqual(record.state, "error")
        self.assertIn("gave up", record.message)
        self.assertFalse(record.credit_note_id)
        record.action_retry()
        run_jobs(self.env)
        self.assertTiesOut(record)

    def test_malformed_data_is_an_error_not_a_lost_job(self):
        refund = self._refund_of_a_new_order()
        self.sandbox.tamper_refund(refund["id"], total_amount="not a number")
        with mute_logger(JOB_LOGGER):
            self.instance._job_import_refund(refund["id"])
        record = self.refund_record(refund["id"])
        self.assertEqual(record.state, "error")
        self.assertIn("Unexpected error", record.message)
