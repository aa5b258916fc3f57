"""Bad data ends as a clear record on every path (issue 19, item 11).

An order in a currency Odoo does not have becomes a failed
``bigcommerce.order`` with the reason, whether it came by a batch, by id or
by a webhook; a refresh of a booked order that fails unexpectedly is shown
and retryable on the record, which keeps its true state (imported, invoiced).
"""

from contextlib import contextmanager
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..importers.order import OrderImporter
from .common import run_jobs
from .test_order_import import OrderImportCase

REASON = "The currency XYZ does not exist in Odoo."


@tagged("post_install", "-at_install")
class TestOrderBadData(OrderImportCase):
    def setUp(self):
        super().setUp()
        self.started = fields.Datetime.now()

    def inline(self):
        return self.instance.with_context(queue_job__no_delay=True)

    def record(self, order_id):
        return self.env["bigcommerce.order"].search(
            [("instance_id", "=", self.instance.id), ("bigcommerce_id", "=", order_id)]
        )

    def webhook(self, order_id):
        """A received webhook event of the order, processed by its job."""
        event = self.env["bigcommerce.webhook.event"].create(
            {
                "instance_id": self.instance.id,
                "company_id": self.instance.company_id.id,
                "scope": "store/order/updated",
                "target_type": "order",
                "target_id": order_id,
                "hash": f"h{order_id}",
                "event_date": fields.Datetime.now(),
                "received_at": fields.Datetime.now(),
                "state": "received",
            }
        )
        self.instance._job_process_webhook_events("order", order_id)
        return event

    def xyz_order(self):
        """An order whose currency code Odoo does not know (a store currency
        added in BigCommerce, unknown to this Odoo)."""
        order = self.sandbox.create_order(status_id=11, currency_code="USD")
        with self.sandbox.state.lock:
            stored = self.sandbox.state.orders[order["id"]]
            for key in ("currency_code", "default_currency_code"):
                stored[key] = "XYZ"
        return order

    # ------------------------------------------------------------------
    # Unknown currency
    # ------------------------------------------------------------------

    def test_unknown_currency_by_batch(self):
        order = self.xyz_order()
        self.inline().import_orders(date_from=self.started)
        record = self.record(order["id"])
        self.assertEqual(record.state, "failed")
        self.assertEqual(record.failure_reason, REASON)

    def test_unknown_currency_by_id(self):
        order = self.xyz_order()
        self.inline().import_orders(order_ids=[order["id"]])
        record = self.record(order["id"])
        self.assertEqual(record.state, "failed")
        self.assertEqual(record.failure_reason, REASON)
        # Retry (one order by id, as a job) says the same.
        self.instance._job_import_order(order["id"], force=True)
        self.assertEqual(record.state, "failed")
        self.assertEqual(record.failure_reason, REASON)

    def test_unknown_currency_by_webhook(self):
        order = self.xyz_order()
        event = self.webhook(order["id"])
        record = self.record(order["id"])
        self.assertEqual(record.state, "failed")
        self.assertEqual(record.failure_reason, REASON)
        self.assertEqual(event.state, "failed")
        self.assertEqual(event.error, REASON)

    # ------------------------------------------------------------------
    # A refresh that fails unexpectedly
    # ------------------------------------------------------------------

    def booked(self):
        order = self.sandbox.create_order(status_id=11, currency_code="USD")
        self.inline().import_orders(order_ids=[order["id"]])
        record = self.record(order["id"])
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.invoice_id.state, "posted")
        # A later version of the order, to refresh.
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 9)
        return order, record

    @contextmanager
    def broken_refresh(self):
        """A refresh that fails unexpectedly (its traceback is logged)."""
        with (
            patch.object(
                OrderImporter,
                "_sync_shipments",
                side_effect=RuntimeError("shipments unreadable"),
            ),
            mute_logger("odoo.addons.bigcommerce_connector.importers.order"),
        ):
            yield

    def assert_refresh_failed(self, record, invoice):
        self.assertEqual(record.state, "done", "a booked order did not fail")
        self.assertEqual(record.invoice_id, invoice)
        self.assertEqual(invoice.state, "posted")
        self.assertIn("shipments unreadable", record.refresh_error or "")

    def test_refresh_failure_by_batch_keeps_the_booked_order(self):
        order, record = self.booked()
        invoice = record.invoice_id
        with self.broken_refresh():
            self.inline().import_orders(date_from=self.started)
        self.assert_refresh_failed(record, invoice)

    def test_refresh_failure_by_id_keeps_the_booked_order(self):
        order, record = self.booked()
        invoice = record.invoice_id
        with self.broken_refresh():
            self.inline().import_orders(order_ids=[order["id"]])
        self.assert_refresh_failed(record, invoice)
        with self.broken_refresh():
            self.instance._job_import_order(order["id"], force=True)
        self.assert_refresh_failed(record, invoice)

    def test_refresh_failure_by_webhook_is_visible_and_retried(self):
        order, record = self.booked()
        invoice = record.invoice_id
        with self.broken_refresh():
            event = self.webhook(order["id"])
        self.assert_refresh_failed(record, invoice)
        self.assertEqual(event.state, "failed")
        self.assertIn("shipments unreadable", event.error)
        # Retry, once the cause is gone: the refresh goes through.
        record.action_retry()
        run_jobs(self.env)
        self.assertEqual(record.state, "done")
        self.assertFalse(record.refresh_error)
        self.assertEqual(record.status_id, 9)
