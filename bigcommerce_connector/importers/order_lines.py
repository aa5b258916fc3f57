"""The lines of a new order's sale order: its booking plan, written.

The plan (core/order_plan.py) holds every amount; here its keys become Odoo
records (products, taxes) and its lines sale order line values. In the
"Odoo" and "then the fiscal position" tax modes the taxes are then Odoo's
(``_apply_tax_mode``), carrying BigCommerce's amounts when the core finds
that rounding alone sets them apart.
"""

from decimal import Decimal

import psycopg2

from odoo import Command
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import escape_psql, mute_logger

from ..client.parsing import parse_money
from ..core.money import ZERO
from ..core.order_plan import StoreSettings, needs_tax_rows, odoo_tax_shares, order_plan
from . import order_shipping_method


class OrderImportError(Exception):
    """The order cannot be imported as it is; the reason is shown to users."""


class OrderLines:
    """Mixin of OrderImporter: BigCommerce's lines -> sale order lines."""

    def _order_products(self, order):
        """Order products from the embedded consignments (no extra request)."""
        found = {}
        for group in self._consignment_groups(order):
            for line in group.get("line_items") or []:
                if isinstance(line, dict) and "id" in line and "sku" in line:
                    found[line["id"]] = line
        expected = int(order.get("items_total") or 0)
        if (
            not found
            or sum(int(line["quantity"]) for line in found.values()) != expected
        ):
            found = {
                line["id"]: line
                for line in self.client.iter_order_products(order["id"])
            }
        return sorted(found.values(), key=lambda line: line["id"])

    def _consignment_groups(self, order):
        consignments = order.get("consignments")
        if not isinstance(consignments, dict):
            return []
        email = consignments.get("email") or {}
        return [
            *(consignments.get("shipping") or []),
            *(consignments.get("pickups") or []),
            *(consignments.get("downloads") or []),
            *(email.get("gift_certificates") or []),
        ]

    def _shipping_addresses(self, order):
        consignments = order.get("consignments")
        if isinstance(consignments, dict):
            return consignments.get("shipping") or []
        if int(order.get("shipping_address_count") or 0):
            return list(self.client.iter_order_shipping_addresses(order["id"]))
        return []

    def _order_plan(self, order, products, addresses, currency):
        """The booking plan of ``order`` (core/order_plan.py); its tax rows
        are read only when the plan needs them (one request)."""
        mode = self.instance.tax_mode
        rows = None
        if needs_tax_rows(order, mode):
            rows = list(self.client.iter_order_taxes(order["id"]))
        return order_plan(
            order,
            products,
            addresses,
            rows,
            StoreSettings(tax_mode=mode, decimal_places=currency.decimal_places),
        )

    def _plan_line_values(self, plan, order_lines, addresses, inclusive, currency):
        """The sale order lines of ``plan``, each with the Odoo product and
        taxes of its keys: the order products' products first, then the
        shipping addresses' (as BigCommerce lists them)."""
        instance = self.instance
        items = {
            line.line_id: self._product(order_lines[line.line_id])
            for line in plan.lines
            if line.product_key == "item"
        }
        shipping = {
            int(address["id"]): order_shipping_method.shipping_product(self, address)
            for address in addresses
        }
        products = {
            "discount": instance.discount_product_id,
            "wrapping": instance.wrapping_product_id,
            "handling": instance.handling_product_id,
        }
        result = []
        for line in plan.lines:
            if line.product_key == "item":
                product = items[line.line_id]
            elif line.product_key == "shipping":
                product = shipping[line.line_id]
            else:
                product = products[line.product_key]
            tax_product = {
                "own": product,
                "item": items.get(line.line_id),
                "none": self.env["product.product"],
            }[line.tax_product_key]
            result.append(
                self._line_values(line, product, tax_product, inclusive, currency)
            )
        return result

    def _line_name(self, line):
        """The plan line's description, or its kind's default."""
        if line.name:
            return line.name
        if line.kind == "discount":
            return self.env._("Discount on %(line)s: %(names)s", **line.name_args)
        return {
            "wrapping": self.env._("Gift wrapping"),
            "shipping": self.env._("Shipping"),
            "handling": self.env._("Handling"),
        }.get(line.kind, "")

    def _line_values(self, line, product, tax_product, inclusive, currency):
        """One sale order line of a plan line; ``tax_product`` gives its Odoo
        taxes in the "Odoo" mode (a discount is taxed like its product)."""
        taxes = self.env["account.tax"]
        amounts = {}
        for key, amount in line.taxes:
            tax = self._tax_for(key, inclusive)
            taxes |= tax
            amounts[tax.id] = amounts.get(tax.id, ZERO) + amount
        values = {
            "product_id": product.id,
            "name": self._line_name(line),
            "product_uom_qty": line.quantity,
            "price_unit": float(line.price_unit),
            "discount": float(line.discount),
            "tax_ids": [Command.set(taxes.ids)],
            "bigcommerce_line_kind": line.kind,
            "bigcommerce_line_id": line.line_id,
            "bigcommerce_charged": float(line.charged),
            # Read and removed by _apply_tax_mode.
            "_bigcommerce": (line.amounts, tax_product),
        }
        if amounts:
            values["extra_tax_data"] = self._extra_tax_data(
                currency,
                line.price_unit,
                line.quantity,
                line.amounts.total_ex,
                {
                    str(tax_id): {
                        "tax_amount_currency": float(amount),
                        "base_amount_currency": float(line.amounts.total_ex),
                    }
                    for tax_id, amount in amounts.items()
                },
            )
        return values

    def _apply_tax_mode(self, lines, partner, shipping_partner, currency):
        """Odoo's taxes in the "Odoo" and "then the fiscal position" modes.

        In "Follow BigCommerce" the lines already carry BigCommerce's taxes
        and amounts. Otherwise the taxes are Odoo's (the product's, or
        BigCommerce's mapped by the fiscal position) and each line keeps
        BigCommerce's tax amount when Odoo's own computation agrees with it
        but for rounding: the customer paid BigCommerce's rounding. A line
        whose taxes compute something else (another rate, no tax) is left to
        Odoo, and the invoice check shows the difference for review.
        Returns the fiscal position of the sale order.
        """
        mode = self.instance.tax_mode
        positions = self.env["account.fiscal.position"].with_company(self.company)
        position = positions
        if mode != "bigcommerce":
            position = positions._get_fiscal_position(
                partner, delivery=shipping_partner
            )
        for values in lines:
            amounts, tax_product = values.pop("_bigcommerce")
            if mode == "bigcommerce":
                continue
            if mode == "odoo":
                taxes = position.map_tax(
                    self._tax_classes.odoo_taxes(
                        values,
                        tax_product.taxes_id.filtered(
                            lambda tax: tax.company_id == self.company
                        ),
                    )
                )
            else:
                bigcommerce_taxes = self.env["account.tax"].browse(
                    values["tax_ids"][0][2]
                )
                taxes = position.map_tax(bigcommerce_taxes)
                if taxes == bigcommerce_taxes:
                    continue
            self._carry_tax(values, taxes, amounts, tax_product, partner, currency)
        return position

    def _carry_tax(self, values, taxes, amounts, product, partner, currency):
        """Put ``taxes`` on the line, with BigCommerce's amount if it agrees."""
        values["tax_ids"] = [Command.set(taxes.ids)]
        values.pop("extra_tax_data", None)
        included = bool(taxes) and all(tax.price_include for tax in taxes)
        price_unit = amounts.unit_inc if included else amounts.unit_ex
        values["price_unit"] = float(price_unit)
        if not taxes:
            return
        quantity = values["product_uom_qty"]
        computed = taxes.compute_all(
            float(price_unit), currency, quantity, product=product, partner=partner
        )
        # BigCommerce's amount only if rounding alone can explain the
        # difference (core/order_plan.py, odoo_tax_shares); else Odoo's own
        # amount stays and the order goes to review with both totals.
        shares = odoo_tax_shares(
            amounts.tax,
            quantity,
            [(row["id"], Decimal(str(row["amount"]))) for row in computed["taxes"]],
            len(taxes),
            self._quantum,
        )
        if shares is None:
            return
        values["extra_tax_data"] = self._extra_tax_data(
            currency,
            price_unit,
            quantity,
            amounts.total_ex,
            {
                str(tax_id): {
                    "tax_amount_currency": float(share),
                    "base_amount_currency": float(amounts.total_ex),
                }
                for tax_id, share in shares
            },
        )

    def _extra_tax_data(self, currency, price_unit, quantity, total_ex, manual):
        return {
            "currency_id": currency.id,
            "price_unit": float(price_unit),
            "discount": 0.0,
            "quantity": float(quantity),
            "manual_total_excluded_currency": float(total_ex),
            "manual_tax_amounts": manual,
        }

    def _product(self, line):
        instance = self.instance
        if line.get("type") == "giftcertificate":
            return instance.gift_certificate_product_id
        sku = (line.get("sku") or "").strip()
        if not line.get("product_id") and not sku:
            return instance._bigcommerce_custom_product(line)
        key = sku.lower()
        if key not in self._products:
            # The catalog binding first: an unknown product is imported from
            # the catalog when the store allows product creation.
            product = instance._bigcommerce_variant_product(
                line.get("variant_id"), line.get("product_id"), self.client
            ) or self.env["product.product"].search(
                [
                    ("default_code", "=ilike", escape_psql(sku)),
                    ("company_id", "in", (False, self.company.id)),
                ],
                limit=1,
            )
            if not product and not line.get("product_id"):
                # A custom item with its own SKU that Odoo does not know.
                product = instance._bigcommerce_custom_product(line)
            if not product and instance.create_products:
                product = self._create_product(line, sku)
            if not product:
                raise OrderImportError(
                    self.env._(
                        "Unknown SKU %(sku)s (%(name)s): create the product in Odoo "
                        "(or enable “Create Odoo Products?”), then retry.",
                        sku=sku,
                        name=line.get("name"),
                    )
                )
            self._products[key] = product
        return self._products[key]

    def _create_product(self, line, sku):
        """A product for an unknown SKU, once per store and SKU.

        A concurrent job creating the same SKU makes this one retry; a
        product this store created earlier (its code edited since) is reused.
        """
        products = self.env["product.product"]
        key = sku.lower()
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                return products.create(
                    {
                        "name": line.get("name") or sku,
                        "default_code": sku,
                        "type": "consu",
                        "invoice_policy": "order",
                        "list_price": float(parse_money(line.get("base_price"))),
                        "taxes_id": [Command.clear()],
                        "bigcommerce_instance_id": self.instance.id,
                        "bigcommerce_sku_key": key,
                    }
                )
        except psycopg2.errors.UniqueViolation:
            known = products.with_context(active_test=False).search(
                [
                    ("bigcommerce_instance_id", "=", self.instance.id),
                    ("bigcommerce_sku_key", "=", key),
                ],
                limit=1,
            )
            if known:
                return known
            raise RetryableJobError(
                self.env._("SKU %s is being created by another job.", sku),
                seconds=10,
            ) from None
