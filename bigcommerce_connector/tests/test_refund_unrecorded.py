"""Money BigCommerce shows as refunded without a refund record (issue 23):
flagged with a one-click credit note, or booked by the store's option; a
refund record made later for the same money never credits it twice."""

from odoo.tests import tagged
from odoo.tools import float_compare

from .test_order_edits import OrderEditCase


@tagged("post_install", "-at_install")
class TestRefundUnrecorded(OrderEditCase):
    def refund_outside(self, order, amount):
        self.sandbox.refund_without_record(order["id"], amount)
        self.sandbox.advance_clock(60)
        self.import_orders(order_ids=[order["id"]])

    def test_flagged_then_booked_with_one_click(self):
        (sku,) = self._skus(1)
        order, record = self.invoiced([(sku, 2)])
        self.refund_outside(order, 20)
        self.assertEqual(record.state, "review")
        self.assertIn("without a refund record", record.failure_reason)
        self.assertEqual(record.unrecorded_refund_amount, 20)
        self.assertFalse(record.unrecorded_refund_ids)
        record.action_book_unrecorded_refund()
        credit_note = record.unrecorded_refund_ids.credit_note_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(float_compare(credit_note.amount_total, 20, 2), 0)
        self.assertTrue(credit_note.amount_tax, "the tax is given back in proportion")
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertFalse(record.unrecorded_refund_amount)
        self.assertBooksFollowBigCommerce(record)
        # A second click, and a re-read of the order, book nothing more.
        record.action_book_unrecorded_refund()
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 14)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(len(record.unrecorded_refund_ids), 1)
        self.assertEqual(record.state, "done", record.failure_reason)

    def test_option_books_it_and_a_late_record_does_not_credit_twice(self):
        self.instance.unrecorded_refund_policy = "book"
        (sku,) = self._skus(1)
        order, record = self.invoiced([(sku, 2)])
        self.refund_outside(order, 20)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(len(record.unrecorded_refund_ids), 1)
        self.assertBooksFollowBigCommerce(record)
        # BigCommerce now shows a record for 5 of those 20.
        late = self.sandbox.add_refund(
            order["id"],
            items=[{"item_type": "ORDER", "amount": 5}],
            recorded_late=True,
        )
        before = self.credit_notes()
        refund_record = self.book(late)
        self.assertEqual(refund_record.state, "synced", refund_record.message)
        self.assertEqual(self.credit_notes(), before, "credited twice")
        self.assertEqual(
            refund_record.unrecorded_refund_id, record.unrecorded_refund_ids
        )
        self.assertBooksFollowBigCommerce(record)
        # The order's next version flags nothing.
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 14)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(len(record.unrecorded_refund_ids), 1)
        # New money with its own record is credited as usual.
        refund_record = self.book(
            self.sandbox.add_refund(
                order["id"], items=[{"item_type": "ORDER", "amount": 3}]
            )
        )
        self.assertEqual(refund_record.state, "synced", refund_record.message)
        self.assertFalse(refund_record.unrecorded_refund_id)
        self.assertNotIn(refund_record.credit_note_id, before)
        self.assertBooksFollowBigCommerce(record)

    def test_a_record_not_imported_yet_is_not_taken_for_missing(self):
        (sku,) = self._skus(1)
        order, record = self.invoiced([(sku, 2)])
        self.sandbox.add_refund(order["id"], kind="partial")
        self.sandbox.advance_clock(60)
        self.import_orders(order_ids=[order["id"]])
        self.assertFalse(record.unrecorded_refund_amount)
        self.assertNotEqual(record.state, "review", record.failure_reason)
