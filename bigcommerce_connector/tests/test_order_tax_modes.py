from decimal import Decimal
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tools import float_compare

from bigcommerce_sandbox.seed import orders as seed_orders

from ..client.parsing import parse_money
from .test_order_import import OrderImportCase

# The sandbox's tax classes (sandbox/seed.py): 1 is non-taxable.
NON_TAXABLE_CLASS = 1


class FullImportInTaxMode(OrderImportCase):
    """A full import of the seeded store (200+ orders) in one tax mode."""

    tax_mode = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.configure_taxes()
        cls.instance.tax_mode = cls.tax_mode
        # Tests may add orders to the (class-wide) sandbox afterwards.
        cls.full_import = {order["id"]: order for order in cls.eligible_orders(cls)}
        cls.instance.with_context(queue_job__no_delay=True).import_orders()

    @classmethod
    def configure_taxes(cls):
        raise NotImplementedError

    @classmethod
    def _tax(cls, name, amount, included=False):
        return cls.env["account.tax"].create(
            {
                "name": name,
                "amount": amount,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.instance.company_id.id,
                "price_include_override": "tax_included"
                if included
                else "tax_excluded",
            }
        )

    @classmethod
    def _european_position(cls, name, replacements):
        """An automatic fiscal position for European customers.

        ``replacements``: {replacing tax: taxes it replaces}.
        """
        position = cls.env["account.fiscal.position"].create(
            {
                "name": name,
                "auto_apply": True,
                "country_group_id": cls.env.ref("base.europe").id,
                "company_id": cls.instance.company_id.id,
                "sequence": 1,
            }
        )
        for tax, originals in replacements.items():
            tax.write(
                {
                    "fiscal_position_ids": [Command.link(position.id)],
                    "original_tax_ids": [Command.set(originals.ids)],
                }
            )
        return position


class TiesOut:
    """The acceptance check, shared by the full imports (Odoo loads a test
    class's own methods only, hence ``allow_inherited_tests_method``)."""

    def test_every_invoice_ties_out_to_the_cent(self):
        expected = self.full_import
        records = self.records().filtered(lambda r: r.bigcommerce_id in expected)
        self.assertEqual(len(records), len(expected))
        problems = [
            f"{r.bigcommerce_id}: {r.state} {r.failure_reason}"
            for r in records
            if r.state != "done"
        ]
        self.assertEqual(problems, [])
        mismatches = []
        for record in records:
            order = expected[record.bigcommerce_id]
            invoice = record.invoice_id
            self.assertEqual(invoice.state, "posted")
            total = float(parse_money(order["total_inc_tax"]))
            tax = float(parse_money(order["total_tax"]))
            if float_compare(invoice.amount_total, total, 2) or float_compare(
                invoice.amount_tax, tax, 2
            ):
                mismatches.append((order["id"], invoice.amount_total, total))
        self.assertEqual(mismatches, [])
        orders = list(expected.values())
        self.assertTrue(any(o["is_tax_inclusive_pricing"] for o in orders))
        self.assertTrue(any(not o["is_tax_inclusive_pricing"] for o in orders))


@tagged("post_install", "-at_install")
class TestOdooTaxModeFullImport(TiesOut, FullImportInTaxMode):
    """Odoo's own taxes, configured like the store's: every invoice ties out.

    Products carry US State 6% + City 2%, shipping and handling State 6%,
    and a fiscal position replaces both by VAT 20% (included) for European
    customers, as the sandbox store taxes them.
    """

    tax_mode = "odoo"
    allow_inherited_tests_method = True

    @classmethod
    def configure_taxes(cls):
        state = cls._tax("US State 6%", 6)
        city = cls._tax("US City 2%", 2)
        cls.vat = cls._tax("EU VAT 20% incl.", 20, included=True)
        cls.position = cls._european_position("Europe", {cls.vat: state | city})
        taxable_skus = {
            variant["sku"].lower()
            for product_id, variants in cls.sandbox.state.variants.items()
            for variant in variants
            if variant.get("sku")
            and cls.sandbox.state.products[product_id]["tax_class_id"]
            != NON_TAXABLE_CLASS
        }
        products = cls.env["product.product"].search([("default_code", "!=", False)])
        for product in products:
            if product.default_code.lower() in taxable_skus:
                product.taxes_id = state | city
        cls.instance.custom_product_id.taxes_id = state | city
        cls.instance.gift_certificate_product_id.taxes_id = False
        cls.instance.shipping_product_id.taxes_id = state
        cls.instance.handling_product_id.taxes_id = state
        cls.state_tax, cls.city_tax = state, city

    def test_odoo_taxes_are_used_not_bigcommerce_ones(self):
        lines = self.records().invoice_id.invoice_line_ids
        used = lines.tax_ids
        self.assertTrue(used)
        self.assertLessEqual(used, self.state_tax | self.city_tax | self.vat)
        european = self.records().sale_order_id.filtered(
            lambda so: so.fiscal_position_id == self.position
        )
        self.assertTrue(european)
        self.assertEqual(european.order_line.tax_ids, self.vat)

    def test_only_discounted_orders_read_their_tax_lines(self):
        taxes_read = {
            int(path.split("/")[3])
            for _m, path, _q in self.sandbox.request_log
            if path.endswith("/taxes") and int(path.split("/")[3]) in self.full_import
        }
        discounted = {
            order["id"]
            for order in self.full_import.values()
            if parse_money(order["total_tax"])
            and (
                parse_money(order["discount_amount"])
                or parse_money(order["coupon_discount"])
            )
        }
        self.assertTrue(discounted)
        self.assertEqual(taxes_read, discounted)

    def test_a_wrong_rate_is_flagged_not_adjusted(self):
        self.state_tax.amount = 9
        order = self.sandbox.create_order(
            status_id=11, currency_code="USD", tax_inclusive=False, guest=True
        )
        self.assertTrue(parse_money(order["total_tax"]))
        self.import_orders(order_ids=[order["id"]])
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.state, "review")
        self.assertIn("differs", record.failure_reason)
        self.assertEqual(record.invoice_id.state, "draft")


@tagged("post_install", "-at_install")
class TestFiscalTaxModeFullImport(TiesOut, FullImportInTaxMode):
    """BigCommerce's taxes mapped by a fiscal position to Odoo's own.

    European customers' "VAT 20%" is replaced by an Odoo tax of the same
    rate on another account (as an OSS tax would be): BigCommerce's amounts
    are kept and every invoice still ties out.
    """

    tax_mode = "bigcommerce_fiscal"
    allow_inherited_tests_method = True

    @classmethod
    def configure_taxes(cls):
        # The tax the importer would create for BigCommerce's VAT rows.
        bigcommerce_vat = cls._tax("VAT 20% incl.", 20, included=True)
        cls.oss_vat = cls._tax("OSS VAT 20% incl.", 20, included=True)
        cls.position = cls._european_position("OSS", {cls.oss_vat: bigcommerce_vat})

    def test_european_orders_use_the_mapped_tax(self):
        european = self.records().sale_order_id.filtered(
            lambda so: so.fiscal_position_id == self.position
        )
        self.assertTrue(european)
        self.assertIn(self.oss_vat, european.order_line.tax_ids)
        self.assertNotIn("VAT 20% incl.", european.order_line.tax_ids.mapped("name"))


@tagged("post_install", "-at_install")
class TestOdooTaxRoundingTolerance(OrderImportCase):
    """The "Odoo taxes" mode keeps BigCommerce's tax of a line only when
    rounding alone explains the difference (core/tax_rounding.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.tax_mode = "odoo"
        cls.sku = next(
            variant["sku"]
            for product_id, variants in sorted(cls.sandbox.state.variants.items())
            for variant in variants
            if variant.get("sku")
            and cls.sandbox.state.products[product_id]["tax_class_id"]
            != NON_TAXABLE_CLASS
        )
        cls.product = cls.env["product.product"].search(
            [("default_code", "=", cls.sku)]
        )

    def order_at(self, charged_rate, configured_rate, quantity, price):
        """A tax-exclusive order of one line that BigCommerce taxed at
        ``charged_rate`` (one rate) while Odoo's tax says ``configured_rate``;
        imported: (BigCommerce order, record)."""
        self.product.taxes_id = self.env["account.tax"].create(
            {
                "name": f"Sales Tax {configured_rate}%",
                "amount": configured_rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": self.instance.company_id.id,
            }
        )
        rate = (9, "Sales Tax", Decimal(str(charged_rate)), 0)
        with patch.object(
            seed_orders, "_rates", lambda zone, tax_class: [rate] if tax_class else []
        ):
            order = self.sandbox.create_order(
                status_id=11,
                currency_code="USD",
                tax_inclusive=False,
                guest=True,
                shipping=False,
                lines=[(self.sku, quantity, price)],
            )
        self.import_orders(order_ids=[order["id"]])
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        return order, record

    def test_a_quarter_point_off_on_ten_units_goes_to_review(self):
        """8.25 % charged, 8 % configured, 10 units of 4.00: 3.30 against
        3.20, twice what rounding can cause (5 cents)."""
        order, record = self.order_at(8.25, 8, 10, "4.00")
        self.assertEqual(order["total_tax"], "3.3000")
        self.assertEqual(record.state, "review", record.failure_reason)
        # Odoo's own amount is kept, not replaced by BigCommerce's.
        self.assertEqual(record.invoice_id.amount_tax, 3.20)
        self.assertEqual(record.invoice_id.state, "draft")
        # Both figures, to see what differs.
        self.assertIn("43.2", record.failure_reason)
        self.assertIn("43.3", record.failure_reason)

    def test_a_difference_rounding_causes_keeps_bigcommerce_amounts(self):
        """10 % on 10 units of 1.05: BigCommerce rounds 0.105 per unit
        (1.10), Odoo the line (1.05): 5 cents, the largest rounding can
        cause; the customer paid BigCommerce's and the invoice says so."""
        order, record = self.order_at(10, 10, 10, "1.05")
        self.assertEqual(order["total_tax"], "1.1000")
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertEqual(record.invoice_id.amount_tax, 1.10)
        self.assertEqual(record.invoice_id.amount_total, 11.60)
