"""BigCommerce's taxes as Odoo taxes (the "Follow BigCommerce" tax modes).

One Odoo tax per BigCommerce tax name and rate (and price inclusion, and
country in the BigCommerce-tax mode: order_tax_country.py), with a tax
group of its own name, created once per company even when two jobs meet a
new tax together.
"""

from odoo import Command

from ..client.parsing import parse_money
from ..core.order_plan import TaxKey
from ..tools.natural_key import find_or_create
from . import order_tax_country


class OrderTaxes:
    """Mixin of OrderImporter: the Odoo taxes of BigCommerce's tax keys."""

    def _account_tax(self, row, inclusive):
        """The Odoo tax of a BigCommerce tax row."""
        return self._tax_for(
            TaxKey(row.get("name") or "", parse_money(row["rate"])), inclusive
        )

    def _tax_for(self, key, inclusive):
        """The Odoo tax of a plan's TaxKey, created once per company."""
        rate = key.rate
        name = key.name or self.env._("Tax")
        # Kept apart by country in the BigCommerce-tax mode (order_tax_country).
        code = self._jurisdiction if self.instance.tax_mode == "bigcommerce" else ""
        cache_key = (name, rate, inclusive, code)
        if cache_key not in self._taxes:
            label = f"{name} {rate.normalize():f}%" + (" incl." if inclusive else "")
            label += f" ({code})" if code else ""
            taxes = self.env["account.tax"].with_context(active_test=False)
            domain = [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("name", "=", label),
            ]
            # Once per company, even when two jobs meet a new tax together.
            tax = find_or_create(
                taxes,
                self.company,
                "tax",
                label,
                lambda: taxes.search(domain, limit=1),
                lambda: order_tax_country.localize(
                    self,
                    {
                        **self._tax_values(label, rate, inclusive),
                        "tax_group_id": self._tax_group(label).id,
                    },
                    code,
                    rate,
                    inclusive,
                ),
            )
            self._taxes[cache_key] = tax
        return self._taxes[cache_key]

    def _tax_group(self, label):
        """A tax group of the tax's own name: invoice totals then show
        "State Tax 6%", not the company's default group."""
        groups = self.env["account.tax.group"]
        return find_or_create(
            groups,
            self.company,
            "tax_group",
            label,
            lambda: groups.search(
                [("company_id", "=", self.company.id), ("name", "=", label)], limit=1
            ),
            lambda: {"name": label, "company_id": self.company.id},
        )

    def _tax_values(self, label, rate, inclusive):
        account = self.instance.tax_account_id or self._default_tax_account()
        # Credit notes may book the tax they give back on an account of its own.
        refund_account = self.instance.refund_tax_account_id or account
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create(
                {
                    "repartition_type": "tax",
                    "account_id": account.id if account else False,
                }
            ),
        ]
        return {
            "name": label,
            "description": label,
            "company_id": self.company.id,
            "type_tax_use": "sale",
            "amount_type": "percent",
            "amount": float(rate),
            "price_include_override": "tax_included" if inclusive else "tax_excluded",
            "invoice_repartition_line_ids": repartition,
            "refund_repartition_line_ids": [
                Command.create({"repartition_type": "base"}),
                Command.create(
                    {
                        "repartition_type": "tax",
                        "account_id": refund_account.id if refund_account else False,
                    }
                ),
            ],
        }

    def _default_tax_account(self):
        sale_tax = self.company.account_sale_tax_id
        lines = sale_tax.invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax" and line.account_id
        )
        return lines[:1].account_id
