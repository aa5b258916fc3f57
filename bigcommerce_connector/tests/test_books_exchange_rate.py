"""Issue 29 item 2: company-currency amounts at the rate BigCommerce used.

The sandbox's EUR orders carry ``store_default_currency_code`` USD and
``store_default_to_transactional_exchange_rate`` "0.9200000000" (orders.v2
spec, info.description "Currency Fields": the rate from the store's default
currency to the transactional one). The test company is in USD and Odoo has
no EUR rate (Community has no automatic feed): Odoo alone would book the
euros one for one.
"""

from datetime import date

from odoo.tests import tagged
from odoo.tools import float_compare

from ..client.parsing import parse_money
from .test_books_dates import PaidOrdersCase


@tagged("post_install", "-at_install")
class TestExchangeRate(PaidOrdersCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        assert cls.instance.company_id.currency_id == cls.usd
        cls.env["res.currency.rate"].search([("currency_id", "=", cls.eur.id)]).unlink()

    def assert_money(self, actual, expected):
        self.assertEqual(
            float_compare(actual, float(expected), 2), 0, f"{actual} != {expected}"
        )

    def assert_converted_at(self, move, rate):
        """Every product line in dollars is its euros at ``rate``; the total
        (tax lines are Odoo's tax of the dollar base) within a cent a line."""
        for line in move.invoice_line_ids:
            self.assert_money(line.balance, self.usd.round(line.amount_currency / rate))
        self.assertLessEqual(
            abs(abs(move.amount_total_signed) - move.amount_total / rate),
            0.01 * len(move.line_ids),
        )

    def test_an_eur_order_without_an_odoo_rate_is_booked_at_bigcommerces_rate(self):
        order, record = self.imported_order(
            payment_method="Credit Card", guest=True, currency_code="EUR"
        )
        self.assertEqual(
            order["store_default_to_transactional_exchange_rate"], "0.9200000000"
        )
        invoice = record.invoice_id
        self.assertEqual(invoice.currency_id, self.eur)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_currency_rate, 0.92)
        self.assert_money(invoice.amount_total, parse_money(order["total_inc_tax"]))
        # In dollars: the euros at 0.92 euro per dollar.
        self.assert_converted_at(invoice, 0.92)
        payments = self.paid(invoice)
        self.assertTrue(payments)
        self.assert_money(
            abs(sum(payments.mapped("amount_company_currency_signed"))),
            abs(invoice.amount_total_signed),
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        refund = self.sandbox.add_refund(order["id"], kind="full")
        credit_note = self.book(refund).credit_note_id
        self.assertEqual(credit_note.invoice_currency_rate, 0.92)
        self.assert_money(
            abs(credit_note.amount_total_signed), abs(invoice.amount_total_signed)
        )

    def test_without_bigcommerces_rate_nor_odoos_the_order_goes_to_review(self):
        order = self.new_order(
            payment_method="Credit Card", guest=True, currency_code="EUR"
        )
        self.sandbox.state.orders[order["id"]][
            "store_default_to_transactional_exchange_rate"
        ] = ""
        self.import_orders(order_ids=[order["id"]])
        record = self.order_record(order["id"])
        self.assertEqual(record.state, "review")
        self.assertIn("exchange rate", record.failure_reason)
        self.assertNotEqual(record.invoice_id.state, "posted")
        self.assertFalse(self.paid(record.invoice_id))

    def test_by_option_odoos_rate_of_the_day_when_it_has_one(self):
        self.instance.exchange_rate_source = "odoo"
        order = self.new_order(
            payment_method="Credit Card", guest=True, currency_code="EUR"
        )
        # Odoo's rule: the latest rate on or before the invoice date.
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.eur.id,
                "name": date(2026, 1, 1),
                "rate": 0.8,
                "company_id": self.instance.company_id.id,
            }
        )
        self.import_orders(order_ids=[order["id"]])
        record = self.order_record(order["id"])
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.invoice_id.invoice_currency_rate, 0.8)
        self.assert_converted_at(record.invoice_id, 0.8)

    def test_by_option_bigcommerces_rate_when_odoo_has_none(self):
        self.instance.exchange_rate_source = "odoo"
        _order, record = self.imported_order(
            payment_method="Credit Card", guest=True, currency_code="EUR"
        )
        self.assertEqual(record.invoice_id.invoice_currency_rate, 0.92)
