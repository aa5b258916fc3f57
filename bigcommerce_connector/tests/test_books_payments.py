"""Issue 29 item 3: payments that reconcile with the gateway's payouts.

Every payment carries BigCommerce's order number and the gateway's
transaction id (``GET /v3/orders/{id}/transactions``, read only for the
orders whose gateway payment is booked) and lands on the payment mapping's
clearing (outstanding receipts) account, where the payout's bank line is
matched with it.
"""

from odoo.tests import tagged

from ..importers.order_payments import payment_memo
from .common import run_jobs
from .test_books_dates import PaidOrdersCase

TRANSACTIONS = r"/v3/orders/\d+/transactions"


@tagged("post_install", "-at_install")
class TestPayoutPayments(PaidOrdersCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.instance.company_id
        cls.clearing = cls.env["account.account"].create(
            {
                "name": "Braintree clearing",
                "code": "101990",
                "account_type": "asset_current",
                "reconcile": True,
                "company_ids": [company.id],
            }
        )
        cls.mapping = cls.env["bigcommerce.payment.mapping"].search(
            [
                ("instance_id", "=", cls.instance.id),
                ("payment_method", "=", "Credit Card"),
            ]
        )
        cls.mapping.clearing_account_id = cls.clearing

    def transaction_reads(self):
        return [
            path
            for _method, path, *_rest in self.sandbox.request_log
            if path.endswith("/transactions")
        ]

    def test_a_card_payment_carries_the_transaction_id_on_the_clearing_account(self):
        order, record = self.imported_order(payment_method="Credit Card", guest=True)
        gateway_id = self.sandbox.transactions_of(order["id"])[0][
            "gateway_transaction_id"
        ]
        # The order names its gateway payment: the same id.
        self.assertEqual(self.sandbox_order(order)["payment_provider_id"], gateway_id)
        payment = self.paid(record.invoice_id)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.bigcommerce_order_ref, str(order["id"]))
        self.assertEqual(payment.bigcommerce_transaction_ref, gateway_id)
        # The memo is what a bank statement line is matched on.
        self.assertIn(gateway_id, payment.memo)
        self.assertIn(str(order["id"]), payment.memo)
        self.assertEqual(payment.outstanding_account_id, self.clearing)
        liquidity = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == self.clearing
        )
        self.assertAlmostEqual(liquidity.debit, payment.amount, places=2)
        # Refund payment: the order number and the refund's transaction id.
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        credit_note = self.book(refund).credit_note_id
        refund_payment = self.refund_payments(credit_note)
        refund_id = [
            row
            for row in self.sandbox.transactions_of(order["id"])
            if row["event"] == "refund"
        ][0]["gateway_transaction_id"]
        self.assertEqual(refund_payment.bigcommerce_order_ref, str(order["id"]))
        self.assertEqual(refund_payment.bigcommerce_transaction_ref, refund_id)
        self.assertIn(refund_id, refund_payment.memo)
        self.assertEqual(refund_payment.outstanding_account_id, self.clearing)

    def test_a_delivery_invoice_payment_carries_the_transaction_id(self):
        """Invoices per delivery ("Create Single Invoice?" off): the payment
        of each delivery's invoice names the gateway payment too, kept from
        the order's payment_provider_id at import (no request at delivery)."""
        self.instance.create_single_invoice = False
        order, record = self.imported_order(payment_method="Credit Card", guest=True)
        sale_order = record.sale_order_id
        self.assertFalse(sale_order.invoice_ids)
        gateway_id = self.sandbox.transactions_of(order["id"])[0][
            "gateway_transaction_id"
        ]
        reads = len(self.transaction_reads())
        picking = sale_order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        run_jobs(self.env)
        invoice = sale_order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        payment = self.paid(invoice)
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.bigcommerce_order_ref, str(order["id"]))
        self.assertEqual(payment.bigcommerce_transaction_ref, gateway_id)
        self.assertIn(gateway_id, payment.memo)
        self.assertEqual(payment.outstanding_account_id, self.clearing)
        self.assertEqual(len(self.transaction_reads()), reads)

    def sandbox_order(self, order):
        """The order as BigCommerce's API shows it (GET /v2/orders/{id})."""
        return self.instance._get_client().get_order(order["id"])

    def test_transactions_are_read_only_for_a_payment_the_order_does_not_name(self):
        before = len(self.transaction_reads())
        self.imported_order(payment_method="Cash", guest=True)  # no payment
        self.assertEqual(len(self.transaction_reads()), before)
        # The order's payment_provider_id names the gateway payment: no read.
        self.imported_order(payment_method="Credit Card", guest=True)
        self.assertEqual(len(self.transaction_reads()), before)
        # A gateway that names none: the transactions are read, once.
        order = self.new_order(payment_method="Credit Card", guest=True)
        self.sandbox.state.orders[order["id"]]["payment_provider_id"] = ""
        self.import_orders(order_ids=[order["id"]])
        record = self.order_record(order["id"])
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(len(self.transaction_reads()), before + 1)
        payment = self.paid(record.invoice_id)
        gateway_id = self.sandbox.transactions_of(order["id"])[0][
            "gateway_transaction_id"
        ]
        self.assertEqual(payment.bigcommerce_transaction_ref, gateway_id)
        self.assertEqual(payment.bigcommerce_gateway, "braintree")

    def test_the_memo_names_invoice_order_method_and_transaction(self):
        self.assertEqual(
            payment_memo("INV/2026/00001", 123, "Credit Card", ["bt0001230001"]),
            "INV/2026/00001 BigCommerce order 123 Credit Card bt0001230001",
        )
        self.assertEqual(
            payment_memo("INV/2026/00001", 123, "store credit", []),
            "INV/2026/00001 BigCommerce order 123 store credit",
        )
