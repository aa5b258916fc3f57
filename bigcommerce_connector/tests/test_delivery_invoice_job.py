"""Accounting never blocks the warehouse (issue 19, item 5).

With "Create Single Invoice?" off, validating a delivery never fails because
of invoicing: the invoice is made by a job of its own, and a failure becomes
a failed ``bigcommerce.delivery.invoice`` with the reason, an activity and
Retry."""

from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..importers.order_invoice import DeliveryInvoicer
from .common import run_jobs
from .test_settings import TestInvoicePerDelivery


@tagged("post_install", "-at_install")
class TestDeliveryInvoiceJob(TestInvoicePerDelivery):
    """Runs only its own tests (Odoo runs the methods a class defines)."""

    def booked(self):
        self.instance.create_single_invoice = False
        order = self.two_line_order()
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        return record

    def validate(self, sale_order):
        picking = sale_order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        return picking

    def test_an_invoicing_error_never_blocks_the_delivery(self):
        record = self.booked()
        sale_order = record.sale_order_id
        broken = patch.object(
            DeliveryInvoicer,
            "invoice_picking",
            side_effect=UserError("The bank journal has no inbound payment method."),
        )
        with broken:
            picking = self.validate(sale_order)
            self.assertEqual(picking.state, "done")
            run_jobs(self.env)
        self.assertFalse(sale_order.invoice_ids)
        row = self.env["bigcommerce.delivery.invoice"].search(
            [("picking_id", "=", picking.id)]
        )
        self.assertEqual(row.state, "failed")
        self.assertIn("no inbound payment method", row.failure_reason)
        self.assertTrue(row.activity_ids, "an activity for the store's responsible")
        # Retry, once the journal is fixed: one invoice, the row done.
        row.action_retry()
        run_jobs(self.env)
        self.assertEqual(row.state, "done", row.failure_reason)
        self.assertEqual(len(sale_order.invoice_ids), 1)
        self.assertEqual(row.invoice_id, sale_order.invoice_ids)
        self.assertFalse(row.activity_ids.filtered("active"))
        # A replay of the job invoices nothing twice.
        self.instance._job_invoice_delivery(picking.id)
        self.assertEqual(len(sale_order.invoice_ids), 1)

    def test_the_invoice_is_made_by_its_own_job(self):
        record = self.booked()
        sale_order = record.sale_order_id
        self.validate(sale_order)
        self.assertFalse(sale_order.invoice_ids, "not in the warehouse transaction")
        run_jobs(self.env)
        self.assertEqual(len(sale_order.invoice_ids), 1)
        self.assertEqual(sale_order.invoice_ids.state, "posted")
