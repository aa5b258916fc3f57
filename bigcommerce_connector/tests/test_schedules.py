"""Every automatic job has its own switch, interval and unit."""

from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestSchedules(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = cls.env["bigcommerce.instance"].create(
            {
                "name": "Scheduled",
                "store_hash": "scheduled",
                "api_url": "http://127.0.0.1:9",
            }
        )
        cls.instance.write(
            {"state": "confirmed", "webhook_registered_at": fields.Datetime.now()}
        )
        cls.model = cls.env["bigcommerce.instance"]

    JOBS = (
        ("order", "_cron_import_orders", "_job_poll_orders", "order_poll_interval"),
        ("refund", "_cron_import_refunds", "_job_poll_refunds", "refund_poll_interval"),
        (
            "customer",
            "_cron_import_customers",
            "_job_poll_customers",
            "customer_poll_interval",
        ),
        (
            "webhook",
            "_cron_check_webhooks",
            "_job_check_webhooks",
            "webhook_check_interval",
        ),
        (
            "settings",
            "_cron_refresh_store_settings",
            "_job_refresh_store_settings",
            "settings_refresh_interval",
        ),
    )

    def test_each_job_honours_its_own_interval_and_unit(self):
        now = fields.Datetime.now()
        for kind, cron, job, interval in self.JOBS:
            with self.subTest(kind=kind):
                checkpoint = {
                    "order": "order_checkpoint",
                    "refund": "refund_checkpoint",
                    "customer": "customer_checkpoint",
                    "webhook": "webhook_check_checkpoint",
                    "settings": "settings_checkpoint",
                }[kind]
                unit = f"{interval}_unit"
                # Ran 90 minutes ago; every 2 hours: not due.
                self.instance.write(
                    {
                        checkpoint: now - timedelta(minutes=90),
                        interval: 2,
                        unit: "hours",
                    }
                )
                with trap_jobs() as trap:
                    getattr(self.model, cron)()
                    trap.assert_jobs_count(0, only=getattr(self.instance, job))
                    # Every 60 minutes: due.
                    self.instance.write({interval: 60, unit: "minutes"})
                    getattr(self.model, cron)()
                    trap.assert_jobs_count(1, only=getattr(self.instance, job))

    def test_switched_off_jobs_are_not_queued(self):
        self.instance.write(
            {"check_webhooks_cron": False, "webhook_check_checkpoint": False}
        )
        with trap_jobs() as trap:
            self.model._cron_check_webhooks()
            trap.assert_jobs_count(0, only=self.instance._job_check_webhooks)

    def test_hours_allow_intervals_below_the_tick_in_minutes_only(self):
        self.instance.write(
            {"order_poll_interval": 1, "order_poll_interval_unit": "hours"}
        )
        self.env.flush_all()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.instance.order_poll_interval_unit = "minutes"
            self.env.flush_all()

    def test_crons_tick_often_enough_and_are_staggered(self):
        polls = self.env["ir.cron"].browse(
            [
                self.env.ref(f"bigcommerce_connector.{xmlid}").id
                for xmlid in (
                    "ir_cron_import_orders",
                    "ir_cron_import_refunds",
                    "ir_cron_import_customers",
                    "ir_cron_check_webhooks",
                    "ir_cron_refresh_store_settings",
                )
            ]
        )
        self.assertTrue(all(cron.interval_number <= 5 for cron in polls))
        minutes = [cron.nextcall.minute % 5 for cron in polls]
        self.assertEqual(
            len(set(minutes)), len(minutes), "every cron on its own minute"
        )
