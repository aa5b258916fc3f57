"""Retention and privacy of what a BigCommerce User reads (issue 19, item 9).

Operation logs, webhook events and done jobs are kept ``retention_days``
(default 90) and then removed by a cron; logs and job results name records by
ids and BigCommerce numbers, never by a customer's name."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import BigcommerceSandboxCase, forget_quota


@tagged("post_install", "-at_install")
class TestRetention(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()

    def tearDown(self):
        self.sandbox.reset()
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    def aged(self, model, values, column, days):
        record = self.env[model].create(values)
        self.env.flush_all()
        moment = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute(
            f'UPDATE "{record._table}" SET "{column}" = %s WHERE id = %s',  # noqa: S608
            [moment, record.id],
        )
        record.invalidate_recordset()
        return record

    def event(self, state, days, number):
        return self.aged(
            "bigcommerce.webhook.event",
            {
                "instance_id": self.instance.id,
                "company_id": self.instance.company_id.id,
                "scope": "store/order/updated",
                "target_type": "order",
                "target_id": number,
                "hash": f"retention-{number}",
                "event_date": fields.Datetime.now(),
                "received_at": fields.Datetime.now(),
                "state": state,
            },
            "received_at",
            days,
        )

    def done_job(self, days, channel="root.bigcommerce"):
        job = self.instance.with_delay(channel=channel)._job_check_webhooks()
        record = job.db_record()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'done', date_done = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=days), record.id],
        )
        record.invalidate_recordset()
        return record

    def test_default_is_90_days(self):
        self.assertEqual(self.instance.retention_days, 90)

    def test_cron_removes_what_is_older_than_the_retention(self):
        self.instance.retention_days = 30
        log_values = {"instance_id": self.instance.id, "operation": "import_orders"}
        old_log = self.aged("bigcommerce.log", log_values, "started_at", 31)
        new_log = self.aged("bigcommerce.log", log_values, "started_at", 29)
        old_done = self.event("done", 31, 1)
        old_ignored = self.event("ignored", 31, 2)
        old_failed = self.event("failed", 31, 3)
        new_done = self.event("done", 29, 4)
        old_job = self.done_job(31)
        new_job = self.done_job(29)
        self.env["bigcommerce.instance"]._cron_apply_retention()
        self.assertFalse(old_log.exists())
        self.assertTrue(new_log.exists())
        self.assertFalse((old_done | old_ignored).exists())
        self.assertTrue(old_failed.exists(), "a failed event waits for a person")
        self.assertTrue(new_done.exists())
        self.assertFalse(old_job.exists())
        self.assertTrue(new_job.exists())
        channel = self.env.ref("bigcommerce_connector.queue_job_channel_bigcommerce")
        self.assertEqual(channel.removal_interval, 30)

    def test_customer_names_stay_out_of_logs_and_job_results(self):
        self.instance.log_level = "debug"
        customers = self.sandbox.state.customers
        ids = sorted(customers)[:5]
        names = {
            part
            for customer_id in ids
            for part in (
                customers[customer_id]["first_name"],
                customers[customer_id]["last_name"],
            )
            if part
        }
        self.assertTrue(names)
        self.instance.with_context(queue_job__no_delay=True).import_customers(
            customer_ids=ids
        )
        for customer_id in ids:
            customers[customer_id]["last_name"] = "Renamed"
        self.instance.with_context(queue_job__no_delay=True).import_customers(
            customer_ids=ids
        )
        event = self.event("received", 0, ids[0])
        event.write({"target_type": "customer", "scope": "store/customer/updated"})
        result = self.instance._job_process_webhook_events("customer", ids[0])
        texts = [result, event.result or ""]
        texts += (
            self.env["bigcommerce.log"]
            .search([("instance_id", "=", self.instance.id)])
            .mapped(lambda log: log.message or "")
        )
        self.assertTrue(any(str(ids[0]) in text for text in texts))
        for text in texts:
            for name in names | {"Renamed"}:
                self.assertNotIn(name, text)
