from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_order_import import OrderImportCase


@tagged("post_install", "-at_install")
class TestWarehouseFollowsBigCommerce(OrderImportCase):
    """Cancellations, refunds and holds reach the deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.skus = sorted(
            variant["sku"]
            for product_id, variants in cls.sandbox.state.variants.items()
            for variant in variants
            if variant.get("sku")
            and cls.sandbox.state.products[product_id]["type"] == "physical"
        )[:2]

    def new_order(self, quantity=1):
        order = self.sandbox.create_order(
            status_id=11, lines=[(sku, quantity) for sku in self.skus]
        )
        self.import_orders(order_ids=[order["id"]])
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.state, "done", record.failure_reason)
        return order, record

    def delivery(self, record):
        return record.sale_order_id.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing"
        )

    def move_status(self, order, status_id):
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], status_id)
        self.import_orders(order_ids=[order["id"]])

    def test_cancellation_before_shipping_cancels_the_delivery(self):
        order, record = self.new_order()
        delivery = self.delivery(record)
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(record.invoice_id.state, "posted")
        self.move_status(order, 5)  # Cancelled
        self.assertEqual(delivery.state, "cancel")
        # The posted invoice is a person's decision (a credit note).
        self.assertEqual(record.state, "review")

    def test_full_refund_before_shipping_cancels_the_delivery(self):
        order, record = self.new_order()
        delivery = self.delivery(record)
        self.sandbox.advance_clock(60)
        refund = self.sandbox.add_refund(order["id"], kind="full")
        self.import_orders(order_ids=[order["id"]])  # now Refunded (4)
        self.assertEqual(record.status_id, 4)
        self.assertEqual(delivery.state, "cancel")
        self.instance.with_context(queue_job__no_delay=True).import_refunds(
            refund_ids=[refund["id"]]
        )
        self.assertEqual(record.sale_order_id.bigcommerce_refund_ids.state, "synced")
        self.assertNotEqual(record.sale_order_id.invoice_status, "to invoice")

    def test_review_status_holds_the_delivery_until_released(self):
        for status_id in (13, 12):  # Disputed, Manual Verification Required
            order, record = self.new_order()
            delivery = self.delivery(record)
            self.move_status(order, status_id)
            self.assertTrue(delivery.bigcommerce_hold)
            self.assertIn(order["status"] or "", delivery.bigcommerce_hold_reason)
            self.assertEqual(delivery.state, "assigned")
            held = self.env["stock.picking"].search([("bigcommerce_hold", "=", True)])
            self.assertIn(delivery, held)
            with self.assertRaisesRegex(UserError, "on hold"):
                delivery.button_validate()
            # Released in BigCommerce: released in Odoo.
            self.move_status(order, 11)
            self.assertFalse(delivery.bigcommerce_hold)
            self.assertEqual(delivery.state, "assigned")

    def test_cancellation_after_part_shipped_holds_the_rest(self):
        order, record = self.new_order(quantity=2)
        delivery = self.delivery(record)
        for move in delivery.move_ids:
            move.quantity = 1
            move.picked = True
        delivery.with_context(skip_backorder=True).button_validate()
        self.assertEqual(delivery.state, "done")
        backorder = self.delivery(record) - delivery
        self.assertEqual(backorder.state, "assigned")
        self.move_status(order, 5)
        self.assertEqual(backorder.state, "assigned")
        self.assertTrue(backorder.bigcommerce_hold)
        self.assertIn("part of the order shipped", backorder.bigcommerce_hold_reason)

    def test_a_refund_never_makes_the_order_invoiceable_again(self):
        order, record = self.new_order(quantity=2)
        sale_order = record.sale_order_id
        self.assertEqual(sale_order.invoice_status, "invoiced")
        self.sandbox.advance_clock(60)
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        self.instance.with_context(queue_job__no_delay=True).import_refunds(
            refund_ids=[refund["id"]]
        )
        booked = sale_order.bigcommerce_refund_ids
        self.assertEqual(booked.state, "synced", booked.message)
        self.assertEqual(booked.credit_note_id.state, "posted")
        sale_order.invalidate_recordset()
        self.assertEqual(sale_order.invoice_status, "invoiced")
        self.assertIn(booked.credit_note_id, sale_order.invoice_ids)

    def test_optional_return_picking_tied_to_the_refund(self):
        self.instance.refund_return_picking = True
        order, record = self.new_order(quantity=2)
        delivery = self.delivery(record)
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.sandbox.advance_clock(60)
        refund = self.sandbox.add_refund(order["id"], kind="partial")  # one unit
        self.instance.with_context(queue_job__no_delay=True).import_refunds(
            refund_ids=[refund["id"]]
        )
        booked = record.sale_order_id.bigcommerce_refund_ids
        self.assertEqual(booked.state, "synced", booked.message)
        back = booked.return_picking_ids
        self.assertEqual(len(back), 1)
        self.assertEqual(back.picking_type_code, "incoming")
        self.assertEqual(sum(back.move_ids.mapped("product_uom_qty")), 1)
        self.assertEqual(back.bigcommerce_refund_id, booked)
