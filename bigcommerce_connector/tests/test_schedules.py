"""Every automatic job has its own switch, interval and unit."""

from collections import Counter
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
            {
                "state": "confirmed",
                "webhook_registered_at": fields.Datetime.now(),
                # Off by default; switched on to test their schedules.
                "import_price_exports_cron": True,
                "import_inventory_levels_cron": True,
                "import_price_lists_cron": True,
            }
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
        (
            "order_export",
            "_cron_export_order_statuses",
            "_job_poll_order_exports",
            "order_export_poll_interval",
        ),
        (
            "price_export",
            "_cron_export_prices",
            "_job_poll_price_exports",
            "price_export_poll_interval",
        ),
        (
            "inventory_level",
            "_cron_import_inventory_levels",
            "_job_poll_inventory_levels",
            "inventory_level_poll_interval",
        ),
        (
            "inventory_export",
            "_cron_export_inventory",
            "_job_export_inventory",
            "inventory_export_interval",
        ),
        (
            "price_list",
            "_cron_import_price_lists",
            "_job_poll_price_lists",
            "price_list_poll_interval",
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
                    "order_export": "order_export_checkpoint",
                    "price_export": "price_export_checkpoint",
                    "inventory_level": "inventory_level_checkpoint",
                    "inventory_export": "inventory_export_checkpoint",
                    "price_list": "price_list_checkpoint",
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
        for interval in (
            "order_poll_interval",
            "order_export_poll_interval",
            "inventory_export_interval",
            "inventory_level_poll_interval",
            "price_list_poll_interval",
        ):
            with self.subTest(interval=interval):
                self.instance.write({interval: 1, f"{interval}_unit": "hours"})
                self.env.flush_all()
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(psycopg2.IntegrityError),
                    self.env.cr.savepoint(),
                ):
                    self.instance[f"{interval}_unit"] = "minutes"
                    self.env.flush_all()
                self.instance.invalidate_recordset()
                self.instance.write({interval: 60, f"{interval}_unit": "minutes"})

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
        # Every job with a schedule on the instance ticks often enough for
        # its shortest interval (5 minutes).
        scheduled = self.env["ir.cron"].search(
            [
                ("model_id.model", "=", "bigcommerce.instance"),
                ("code", "=like", "model._cron_%"),
                ("interval_type", "=", "minutes"),
            ]
        )
        self.assertGreaterEqual(len(scheduled), 9)
        for cron in scheduled:
            self.assertLessEqual(cron.interval_number, 5, cron.name)
        # Spread over the five minutes of a tick, not all on the same one.
        per_minute = Counter(cron.nextcall.minute % 5 for cron in scheduled)
        self.assertEqual(len(per_minute), 5)
        self.assertLessEqual(max(per_minute.values()), 3, per_minute)
        minutes = [cron.nextcall.minute % 5 for cron in polls]
        self.assertEqual(
            len(set(minutes)), len(minutes), "every cron on its own minute"
        )
