"""Orders edited in BigCommerce after invoicing (issue 23): the difference is
booked so that the order's posted invoices minus its credit notes equal
BigCommerce's total (less what it refunded) to the cent."""

from odoo.tests import tagged
from odoo.tools import float_compare

from ..client.parsing import parse_money
from .test_refund_import import RefundImportCase


class OrderEditCase(RefundImportCase):
    def _skus(self, count=2):
        variants = self.sandbox.state.variants
        return [variants[key][0]["sku"] for key in sorted(variants)[:count]]

    def invoiced(self, lines, **options):
        order, record = self.imported_order(
            currency_code="USD", tax_inclusive=False, lines=lines, **options
        )
        self.assertEqual(record.invoice_id.state, "posted")
        self.assertTrue(parse_money(order["total_tax"]), "the test needs tax")
        return order, record

    def edit(self, order, **changes):
        edited = self.sandbox.edit_order(order["id"], **changes)
        self.sandbox.advance_clock(60)
        self.import_orders(order_ids=[order["id"]])
        return edited

    def assertBooksFollowBigCommerce(self, record):
        """Posted invoices minus posted credit notes of the order equal
        BigCommerce's total_inc_tax less its refunded_amount, to the cent;
        the tax too."""
        order = self.sandbox.state.orders[record.bigcommerce_id]
        moves = record.sale_order_id.invoice_ids.filtered(
            lambda move: move.state == "posted"
        )
        sign = {m.id: -1 if m.move_type == "out_refund" else 1 for m in moves}
        net = sum(m.amount_total * sign[m.id] for m in moves)
        expected = float(
            parse_money(order["total_inc_tax"]) - parse_money(order["refunded_amount"])
        )
        self.assertEqual(
            float_compare(net, expected, precision_digits=2),
            0,
            f"invoices minus credit notes {net} != BigCommerce {expected}",
        )
        return net

    def product_lines(self, record):
        return record.sale_order_id.order_line.filtered(
            lambda line: line.bigcommerce_line_kind == "product"
            and line.product_uom_qty
        )


@tagged("post_install", "-at_install")
class TestOrderEdits(OrderEditCase):
    def test_line_added_after_invoicing_is_invoiced(self):
        first, second = self._skus()
        order, record = self.invoiced([(first, 2)])
        self.edit(order, lines=[{"sku": second, "quantity": 1}])
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(len(record.edit_ids), 1)
        edit = record.edit_ids
        self.assertFalse(edit.credit_note_id, "nothing was taken off")
        self.assertEqual(edit.invoice_id.state, "posted")
        self.assertEqual(len(edit.invoice_id.invoice_line_ids), 1)
        self.assertEqual(len(self.product_lines(record)), 2)
        self.assertBooksFollowBigCommerce(record)
        self.assertEqual(record.sale_order_id.invoice_status, "invoiced")
        self.assertIn(
            "Edited in BigCommerce",
            "\n".join(record.sale_order_id.message_ids.mapped("body")),
        )
        # A replay of the same version books nothing more.
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(len(record.edit_ids), 1)

    def test_quantity_reduced_is_credited(self):
        (sku,) = self._skus(1)
        order, record = self.invoiced([(sku, 3)])
        (line,) = self.sandbox.state.order_products[order["id"]]
        self.edit(order, lines=[{"id": line["id"], "quantity": 1}])
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertTrue(record.edit_ids.credit_note_id)
        self.assertEqual(self.product_lines(record).product_uom_qty, 1)
        self.assertEqual(self.product_lines(record).qty_invoiced, 1)
        self.assertBooksFollowBigCommerce(record)

    def test_price_changed_is_credited_and_rebilled(self):
        first, second = self._skus()
        order, record = self.invoiced([(first, 2), (second, 1)])
        line = self.sandbox.state.order_products[order["id"]][1]
        self.edit(order, lines=[{"id": line["id"], "price": 1.99}])
        self.assertEqual(record.state, "done", record.failure_reason)
        edit = record.edit_ids
        self.assertEqual(len(edit.credit_note_id.invoice_line_ids), 1)
        self.assertEqual(len(edit.invoice_id.invoice_line_ids), 1)
        self.assertBooksFollowBigCommerce(record)

    def test_shipping_requoted(self):
        (sku,) = self._skus(1)
        order, record = self.invoiced([(sku, 1)])
        self.edit(order, shipping=[{"method": "UPS Ground", "cost": 12.5}])
        self.assertEqual(record.state, "done", record.failure_reason)
        shipping = record.sale_order_id.order_line.filtered(
            lambda line: line.bigcommerce_line_kind == "shipping"
        )
        self.assertEqual(shipping.name, "UPS Ground")
        self.assertBooksFollowBigCommerce(record)

    def test_edit_then_refund_of_the_new_line_ties_out(self):
        first, second = self._skus()
        order, record = self.invoiced([(first, 1)])
        self.edit(order, lines=[{"sku": second, "quantity": 2}])
        self.assertEqual(record.state, "done", record.failure_reason)
        added = self.sandbox.state.order_products[order["id"]][-1]
        refund = self.sandbox.add_refund(
            order["id"],
            items=[{"item_type": "PRODUCT", "item_id": added["id"], "quantity": 2}],
        )
        refund_record = self.book(refund)
        self.assertEqual(refund_record.state, "synced", refund_record.message)
        self.assertBooksFollowBigCommerce(record)
        # Then the rest of the order.
        refund_record = self.book(self.sandbox.add_refund(order["id"], kind="full"))
        self.assertEqual(refund_record.state, "synced", refund_record.message)
        self.assertBooksFollowBigCommerce(record)

    def test_review_policy_waits_for_the_button(self):
        self.instance.order_edit_policy = "review"
        (sku,) = self._skus(1)
        order, record = self.invoiced([(sku, 1)])
        self.edit(order, lines=[{"sku": self._skus(2)[1], "quantity": 1}])
        self.assertEqual(record.state, "review")
        self.assertIn("Apply BigCommerce", record.failure_reason)
        self.assertFalse(record.edit_ids)
        record.with_context(queue_job__no_delay=True).action_apply_bigcommerce_edit()
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(len(record.edit_ids), 1)
        self.assertFalse(record.edit_approved)
        self.assertBooksFollowBigCommerce(record)

    def test_delivered_units_removed_are_reported_not_undelivered(self):
        (sku,) = self._skus(1)
        order, record = self.invoiced([(sku, 3)])
        picking = record.sale_order_id.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        line = self.sandbox.state.order_products[order["id"]][0]
        self.edit(order, lines=[{"id": line["id"], "quantity": 1}])
        # The money follows BigCommerce; the delivery is reported, not undone.
        self.assertBooksFollowBigCommerce(record)
        self.assertEqual(len(record.edit_ids), 1)
        self.assertEqual(record.state, "review")
        self.assertIn("were delivered", record.failure_reason)
        sale_line = self.product_lines(record)
        self.assertEqual(sale_line.product_uom_qty, 3)
        self.assertEqual(sale_line.qty_delivered, 3)
        self.assertEqual(picking.state, "done")
        # The next version of the order books nothing again.
        moves = record.sale_order_id.invoice_ids
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 9)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.sale_order_id.invoice_ids, moves)
        self.assertEqual(len(record.edit_ids), 1)
        self.assertBooksFollowBigCommerce(record)
