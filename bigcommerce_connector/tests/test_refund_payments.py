from odoo.tests import tagged
from odoo.tools import float_compare

from ..client.parsing import parse_money
from .test_refund_import import RefundImportCase


@tagged("post_install", "-at_install")
class TestRefundPayments(RefundImportCase):
    """Refunds of orders whose payment mapping registers payments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.instance.company_id
        cls.bank = cls.env["account.journal"].create(
            {
                "name": "Gateway",
                "code": "BCGW",
                "type": "bank",
                "company_id": company.id,
            }
        )
        cls.store_credit = cls.env["account.journal"].create(
            {
                "name": "Store credit",
                "code": "BCST",
                "type": "bank",
                "company_id": company.id,
            }
        )
        cls.env["bigcommerce.payment.mapping"].create(
            {
                "instance_id": cls.instance.id,
                "payment_method": "Credit Card",
                "register_payment": True,
                "journal_id": cls.bank.id,
            }
        )

    def refund_payments(self, credit_note):
        return self.env["account.payment"].search(
            [("invoice_ids", "in", credit_note.ids)]
        )

    def assert_money(self, actual, expected):
        self.assertEqual(float_compare(actual, float(expected), 2), 0, actual)

    def test_the_money_sent_back_is_a_payment_on_the_gateway_journal(self):
        order, record = self.imported_order(payment_method="Credit Card", guest=True)
        self.assertIn(record.invoice_id.payment_state, ("paid", "in_payment"))
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        refund_record = self.book(refund)
        self.assertTiesOut(refund_record)
        credit_note = refund_record.credit_note_id
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        payments = self.refund_payments(credit_note)
        self.assertEqual(payments.journal_id, self.bank)
        self.assertEqual(set(payments.mapped("payment_type")), {"outbound"})
        self.assert_money(sum(payments.mapped("amount")), refund["total_amount"])

    def test_store_credit_given_back_goes_to_its_journal(self):
        customer_id = min(self.sandbox.state.customers)
        self.instance.store_credit_journal_id = self.store_credit
        order, _record = self.imported_order(
            payment_method="Credit Card", customer_id=customer_id, store_credit=4
        )
        self.assertTrue(parse_money(order["store_credit_amount"]))
        refund = self.sandbox.add_refund(order["id"], kind="full")
        by_provider = {p["provider_id"]: p["amount"] for p in refund["payments"]}
        self.assertIn("storecredit", by_provider)
        credit_note = self.book(refund).credit_note_id
        by_journal = {
            payment.journal_id: payment.amount
            for payment in self.refund_payments(credit_note)
        }
        self.assert_money(by_journal[self.store_credit], by_provider["storecredit"])
        self.assert_money(sum(by_journal.values()), parse_money(refund["total_amount"]))

    def test_an_unpaid_invoice_is_settled_by_the_credit_note_alone(self):
        order, record = self.imported_order(payment_method="Cash", guest=True)
        self.assertEqual(record.invoice_id.payment_state, "not_paid")
        refund = self.sandbox.add_refund(order["id"], kind="full")
        credit_note = self.book(refund).credit_note_id
        self.assertFalse(self.refund_payments(credit_note))
        self.assertIn(record.invoice_id.payment_state, ("reversed", "paid"))
