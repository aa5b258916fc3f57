"""Issue 29 item 4: taxes that fill the tax return (BigCommerce-tax mode).

The sandbox's European orders carry BigCommerce's "VAT 20%" rows whatever
the country. The test company (no localization installed: installing
l10n_de / l10n_nl into the test database is too heavy for the suite) is
registered for VAT in Germany and the Netherlands: a foreign-VAT fiscal
position for each, and, standing in for the localization, a 20% sale tax of
each country with report tags created here. Orders shipped to those
countries get taxes of their own, with the country and the tags of that
country's tax; a country where the company is not registered reports in the
company's fiscal country, still as a tax of its own.
"""

from odoo import Command
from odoo.tests import tagged

from .test_order_import import OrderImportCase

REGISTERED = {"DE": "DE123456788", "NL": "NL123456782B01"}


@tagged("post_install", "-at_install")
class TestJurisdictionTaxes(OrderImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.instance.company_id
        cls.tags = {}
        for code, vat in REGISTERED.items():
            country = cls.env.ref(f"base.{code.lower()}")
            tags = cls.env["account.account.tag"].create(
                [
                    {
                        "name": f"{code} {kind}",
                        "applicability": "taxes",
                        "country_id": country.id,
                    }
                    for kind in ("base 20", "VAT 20", "refund base 20", "refund VAT 20")
                ]
            )
            cls.tags[code] = tags
            group = cls.env["account.tax.group"].create(
                {
                    "name": f"{code} VAT",
                    "country_id": country.id,
                    "company_id": company.id,
                }
            )
            cls.env["account.tax"].create(
                {
                    "name": f"{code} domestic VAT 20%",
                    "tax_group_id": group.id,
                    "amount": 20,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "country_id": country.id,
                    "company_id": company.id,
                    "invoice_repartition_line_ids": [
                        Command.create(
                            {"repartition_type": "base", "tag_ids": tags[0].ids}
                        ),
                        Command.create(
                            {"repartition_type": "tax", "tag_ids": tags[1].ids}
                        ),
                    ],
                    "refund_repartition_line_ids": [
                        Command.create(
                            {"repartition_type": "base", "tag_ids": tags[2].ids}
                        ),
                        Command.create(
                            {"repartition_type": "tax", "tag_ids": tags[3].ids}
                        ),
                    ],
                }
            )
            cls.env["account.fiscal.position"].create(
                {
                    "name": f"Registered in {code}",
                    "country_id": country.id,
                    "foreign_vat": vat,
                    "auto_apply": True,
                    "company_id": company.id,
                }
            )

    def european_orders(self, countries):
        """New European guest orders, one for each of ``countries``."""
        found = {}
        for _attempt in range(40):
            order = self.sandbox.create_order(
                status_id=11, guest=True, currency_code="EUR"
            )
            code = order["billing_address"]["country_iso2"]
            if code in countries and code not in found:
                found[code] = order
            if len(found) == len(countries):
                return [found[code] for code in countries]
        raise AssertionError(f"no European orders to {countries}: {sorted(found)}")

    def booked(self, order):
        self.import_orders(order_ids=[order["id"]])
        record = self.records().filtered(lambda r: r.bigcommerce_id == order["id"])
        self.assertEqual(record.state, "done", record.failure_reason)
        return record

    def test_the_same_rate_in_two_countries_is_two_taxes_with_country_and_tags(self):
        german, dutch = self.european_orders(["DE", "NL"])
        taxes = {}
        for code, order in (("DE", german), ("NL", dutch)):
            record = self.booked(order)
            tax = record.invoice_id.invoice_line_ids.tax_ids
            self.assertEqual(len(tax), 1, tax.mapped("name"))
            self.assertEqual(tax.amount, 20)
            self.assertEqual(tax.country_id.code, code)
            self.assertIn(f"({code})", tax.name)
            base_tag, tax_tag, refund_base_tag, refund_tax_tag = self.tags[code]
            invoice_lines = tax.invoice_repartition_line_ids
            refund_lines = tax.refund_repartition_line_ids
            self.assertEqual(
                invoice_lines.filtered(lambda r: r.repartition_type == "base").tag_ids,
                base_tag,
            )
            self.assertEqual(
                invoice_lines.filtered(lambda r: r.repartition_type == "tax").tag_ids,
                tax_tag,
            )
            self.assertEqual(
                refund_lines.filtered(lambda r: r.repartition_type == "tax").tag_ids,
                refund_tax_tag,
            )
            self.assertEqual(record.invoice_id.state, "posted")
            # The invoice's tax lines carry the tags the tax return sums.
            self.assertIn(tax_tag, record.invoice_id.line_ids.tax_tag_ids)
            taxes[code] = tax
        self.assertNotEqual(taxes["DE"], taxes["NL"])
        # A second German order reuses Germany's tax.
        (second,) = self.european_orders(["DE"])
        self.assertEqual(
            self.booked(second).invoice_id.invoice_line_ids.tax_ids, taxes["DE"]
        )

    def test_where_the_company_is_not_registered_it_reports_at_home(self):
        (french,) = self.european_orders(["FR"])
        tax = self.booked(french).invoice_id.invoice_line_ids.tax_ids
        self.assertEqual(len(tax), 1)
        self.assertIn("(FR)", tax.name)
        self.assertEqual(
            tax.country_id, self.instance.company_id.account_fiscal_country_id
        )

    def test_a_vat_number_in_the_billing_form_fields_goes_on_the_partner(self):
        (german,) = self.european_orders(["DE"])
        self.sandbox.state.orders[german["id"]]["billing_address"]["form_fields"] = [
            {"name": "VAT Number", "value": "DE 123 456 788"}
        ]
        record = self.booked(german)
        self.assertEqual(record.sale_order_id.partner_invoice_id.vat, "DE123456788")
