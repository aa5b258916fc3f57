"""Issue 29 item 1: accounting dates are the store's local day.

The sandbox store is in America/Denver (``GET /v2/store`` › ``timezone``,
read at Confirm into ``store_timezone``). An order placed at 23:30 there on
the last day of a month is 06:30 UTC on the first of the next: its invoice,
payment and credit note belong to the month the store was in.
"""

from datetime import UTC, date, datetime

from odoo.tests import tagged

from .common import run_jobs
from .test_refund_import import RefundImportCase
from .test_settings import TestInvoicePerDelivery


class PaidOrdersCase(RefundImportCase):
    """Orders paid by credit card, registered on a gateway journal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway = cls.env["account.journal"].create(
            {
                "name": "Gateway",
                "code": "BCGW",
                "type": "bank",
                "company_id": cls.instance.company_id.id,
            }
        )
        cls.env["bigcommerce.payment.mapping"].create(
            {
                "instance_id": cls.instance.id,
                "payment_method": "Credit Card",
                "register_payment": True,
                "journal_id": cls.gateway.id,
            }
        )

    def paid(self, move):
        return self.env["account.payment"].search([("invoice_ids", "in", move.ids)])

    refund_payments = paid


@tagged("post_install", "-at_install")
class TestStoreDayDates(PaidOrdersCase):
    """Invoice, payment and credit note dates of late-evening store moments."""

    def at(self, moment):
        self.sandbox.state.clock.freeze(moment)
        self.addCleanup(self.sandbox.state.clock.freeze, None)

    def test_the_store_zone_is_read_at_confirm(self):
        self.assertEqual(self.instance.store_timezone, "America/Denver")

    def test_an_order_at_2330_store_time_on_the_month_end_is_invoiced_that_day(self):
        # 23:30 MST on Saturday 31 January 2026.
        self.at(datetime(2026, 2, 1, 6, 30, tzinfo=UTC))
        _order, record = self.imported_order(payment_method="Credit Card", guest=True)
        invoice = record.invoice_id
        self.assertEqual(invoice.invoice_date, date(2026, 1, 31))
        payments = self.paid(invoice)
        self.assertTrue(payments)
        self.assertEqual(set(payments.mapped("date")), {date(2026, 1, 31)})
        # Odoo keeps the moment itself in UTC, as usual.
        self.assertEqual(record.sale_order_id.date_order, datetime(2026, 2, 1, 6, 30))

    def test_a_refund_at_2330_store_time_on_the_month_end_is_credited_that_day(self):
        self.at(datetime(2026, 2, 1, 6, 30, tzinfo=UTC))
        order, _record = self.imported_order(payment_method="Credit Card", guest=True)
        # 23:30 MST on Saturday 28 February 2026.
        self.at(datetime(2026, 3, 1, 6, 30, tzinfo=UTC))
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        credit_note = self.book(refund).credit_note_id
        self.assertEqual(credit_note.invoice_date, date(2026, 2, 28))
        payments = self.refund_payments(credit_note)
        self.assertEqual(set(payments.mapped("date")), {date(2026, 2, 28)})


@tagged("post_install", "-at_install")
class TestStoreDayDeliveryInvoice(TestInvoicePerDelivery):
    """“Create Single Invoice?” off: a delivery's invoice is dated the store's
    day of the moment the delivery was validated."""

    def test_a_delivery_validated_at_2330_store_time_is_invoiced_that_day(self):
        self.assertEqual(self.instance.store_timezone, "America/Denver")
        self.instance.create_single_invoice = False
        order = self.two_line_order()
        self.import_orders(order_ids=[order["id"]])
        sale_order = self.record_of(order).sale_order_id
        picking = sale_order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        # Validated at 23:30 MST on 31 January 2026 (06:30 UTC, 1 February).
        picking.date_done = datetime(2026, 2, 1, 6, 30)
        run_jobs(self.env)
        self.assertEqual(sale_order.invoice_ids.invoice_date, date(2026, 1, 31))
