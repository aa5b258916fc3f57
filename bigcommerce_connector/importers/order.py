"""BigCommerce order -> confirmed sale order + posted invoice, to the cent.

In the "follow BigCommerce" tax modes every line carries BigCommerce's own
tax amounts as Odoo's manual tax amounts (``extra_tax_data``), so Odoo's
totals are BigCommerce's by construction: its rounding (per unit, per
discount) is not re-done differently. The invoice is still checked against
``total_inc_tax`` and ``total_tax``: a mismatch leaves it in draft and the
order in "Needs Review", never adjusted.
"""

import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..client import BigCommerceError
from ..client.parsing import parse_datetime, parse_money

_logger = logging.getLogger(__name__)

ZERO = Decimal("0")
CENT = Decimal("0.01")
PERCENT = Decimal("100")


class OrderImportError(Exception):
    """The order cannot be imported as it is; the reason is shown to users."""


def _cents(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _split(amount, weights):
    """Split ``amount`` over ``weights`` in cents, the remainder to the largest."""
    total = sum(weights, ZERO)
    if not weights:
        return []
    if not total:
        parts = [ZERO] * len(weights)
        parts[0] = amount
        return parts
    parts = [_cents(amount * weight / total) for weight in weights]
    parts[weights.index(max(weights))] += amount - sum(parts, ZERO)
    return parts


class OrderImporter:
    """Imports orders of one instance; one savepoint per order."""

    def __init__(self, instance, client, recorder=None):
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.company = instance.company_id
        self.eligible = instance._eligible_status_ids()
        self.counts = defaultdict(int)
        self._products = {}
        self._taxes = {}
        self._currencies = {}
        self._pricelists = {}

    # ------------------------------------------------------------------
    # One order
    # ------------------------------------------------------------------

    def import_order(self, order):
        """Create, refresh or skip one order; returns its bigcommerce.order."""
        records = self.env["bigcommerce.order"]
        order_id = int(order["id"])
        if order.get("_missing"):
            record = records._claim(self.instance, order_id)
            return self._fail(record, order, f"BigCommerce has no order {order_id}.")
        if order["status_id"] not in self.eligible:
            existing = records.search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "=", order_id),
                ]
            )
            if existing:
                existing.write(self._status_values(order))
            self._count("skipped")
            return existing
        record = records._claim(self.instance, order_id)
        modified = self._datetime(order["date_modified"])
        if record.sale_order_id:
            if record.date_modified == modified:
                self._count("unchanged")
            else:
                record.write(self._status_values(order))
                self._count("updated")
            return record
        try:
            with self.env.cr.savepoint():
                self._create_sale_order(record, order)
        except BigCommerceError as error:
            if error.retryable:
                raise
            return self._fail(record, order, error.message)
        except (OrderImportError, UserError, ValidationError) as error:
            return self._fail(
                record, order, str(error.args[0] if error.args else error)
            )
        return record

    def _fail(self, record, order, reason):
        values = {"state": "failed", "failure_reason": reason}
        if "status_id" in order:
            values.update(self._status_values(order))
        values["attempt_count"] = record.attempt_count + 1
        record.write(values)
        self._count("failed")
        if self.recorder:
            self.recorder.note(
                self.env._(
                    "Order %(id)s failed: %(reason)s", id=order["id"], reason=reason
                ),
                level="error",
            )
        return record

    def _count(self, key):
        self.counts[key] += 1
        if self.recorder:
            # The log's columns: an order left for review counts as failed,
            # an unchanged one as skipped.
            column = {"review": "failed", "unchanged": "skipped"}.get(key, key)
            self.recorder.add_counts(**{column: 1})

    def _datetime(self, value):
        moment = parse_datetime(value)
        return moment.replace(tzinfo=None) if moment else False

    def _status_values(self, order):
        currency = self._currency(order)
        return {
            "status_id": order["status_id"],
            "status": order.get("status"),
            "payment_status": order.get("payment_status"),
            "payment_method": order.get("payment_method"),
            "date_created": self._datetime(order.get("date_created")),
            "date_modified": self._datetime(order.get("date_modified")),
            "currency_id": currency.id,
            "total_inc_tax": float(parse_money(order.get("total_inc_tax"))),
            "total_tax": float(parse_money(order.get("total_tax"))),
        }

    # ------------------------------------------------------------------
    # Sale order
    # ------------------------------------------------------------------

    def _create_sale_order(self, record, order):
        instance = self.instance
        currency = self._currency(order)
        inclusive = bool(order.get("is_tax_inclusive_pricing"))
        products = self._order_products(order)
        tax_rows = self._tax_rows(order)
        partner, invoice_partner, shipping_partner = self._partners(order)
        lines = []
        for line in products:
            lines.extend(self._product_lines(line, tax_rows, inclusive, currency))
        for address in self._shipping_addresses(order):
            lines.extend(self._address_lines(address, tax_rows, inclusive, currency))
        for fee in order.get("fees") or []:
            lines.append(self._fee_line(fee, inclusive, currency))
        fiscal_position = self._fiscal_position(partner, shipping_partner, lines)
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "partner_shipping_id": shipping_partner.id,
            "company_id": self.company.id,
            "date_order": self._datetime(order["date_created"]),
            "client_order_ref": str(order["id"]),
            "origin": self.env._("BigCommerce order %s", order["id"]),
            "bigcommerce_order_record_id": record.id,
            "order_line": [Command.create(values) for values in lines],
        }
        pricelist = self._pricelist(currency)
        if pricelist:
            values["pricelist_id"] = pricelist.id
        if instance.use_bigcommerce_order_number:
            values["name"] = f"{instance.order_prefix or ''}{order['id']}"
        if instance.warehouse_id:
            values["warehouse_id"] = instance.warehouse_id.id
        for field in ("team_id", "user_id", "payment_term_id"):
            if instance[field]:
                values[field] = instance[field].id
        if instance.tax_mode != "odoo":
            # BigCommerce already chose the taxes: only the fiscal position
            # applied by _fiscal_position (mode "then the fiscal position").
            values["fiscal_position_id"] = fiscal_position.id
        sale_order = (
            self.env["sale.order"]
            .with_company(self.company)
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(values)
        )
        sale_order.action_confirm()
        invoice = self._create_invoice(sale_order, order)
        problem = self._mismatch(invoice, order, currency)
        record_values = {
            **self._status_values(order),
            "sale_order_id": sale_order.id,
            "invoice_id": invoice.id,
            "failure_reason": problem or False,
            "attempt_count": record.attempt_count + 1,
        }
        if problem:
            record_values["state"] = "review"
            self._count("review")
        else:
            invoice.action_post()
            record_values["state"] = "done"
            self._count("created")
        record.write(record_values)
        return sale_order

    def _create_invoice(self, sale_order, order):
        """The invoice of every ordered quantity: BigCommerce charged it all."""
        invoice_values = sale_order._prepare_invoice()
        invoice_values["invoice_date"] = self._datetime(order["date_created"]).date()
        invoice_values["invoice_line_ids"] = [
            Command.create(line._prepare_invoice_line(quantity=line.product_uom_qty))
            for line in sale_order.order_line
            if not line.display_type
        ]
        return (
            self.env["account.move"]
            .with_company(self.company)
            .with_context(default_move_type="out_invoice", tracking_disable=True)
            .create(invoice_values)
        )

    def _mismatch(self, invoice, order, currency):
        expected_total = float(parse_money(order["total_inc_tax"]))
        expected_tax = float(parse_money(order["total_tax"]))
        digits = currency.decimal_places
        if float_compare(invoice.amount_total, expected_total, precision_digits=digits):
            return self.env._(
                "The invoice total %(odoo)s differs from BigCommerce's total "
                "%(bigcommerce)s.",
                odoo=invoice.amount_total,
                bigcommerce=expected_total,
            )
        if float_compare(invoice.amount_tax, expected_tax, precision_digits=digits):
            return self.env._(
                "The invoice tax %(odoo)s differs from BigCommerce's tax "
                "%(bigcommerce)s.",
                odoo=invoice.amount_tax,
                bigcommerce=expected_tax,
            )
        return False

    # ------------------------------------------------------------------
    # Partners, currency
    # ------------------------------------------------------------------

    def _partners(self, order):
        instance = self.instance
        billing = order.get("billing_address") or {}
        if order.get("customer_id"):
            partner = instance._bigcommerce_customer_partner(
                order["customer_id"], self.client
            )
        else:
            partner = instance._bigcommerce_guest_partner(billing)
        invoice_partner = instance._bigcommerce_address_partner(
            partner, billing, "invoice"
        )
        addresses = self._shipping_addresses(order)
        shipping_partner = (
            instance._bigcommerce_address_partner(partner, addresses[0], "delivery")
            if addresses
            else invoice_partner
        )
        return partner, invoice_partner, shipping_partner

    def _currency(self, order):
        # default_currency_code is the transactional currency: what was paid.
        code = order.get("default_currency_code") or order.get("currency_code")
        if code not in self._currencies:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code)], limit=1)
            )
            if not currency:
                raise OrderImportError(
                    self.env._("The currency %s does not exist in Odoo.", code)
                )
            if not currency.active:
                currency.sudo().active = True
            self._currencies[code] = currency
        return self._currencies[code]

    def _pricelist(self, currency):
        if currency.id not in self._pricelists:
            pricelists = self.env["product.pricelist"].with_company(self.company)
            pricelist = pricelists.search(
                [
                    ("currency_id", "=", currency.id),
                    ("company_id", "in", (False, self.company.id)),
                ],
                limit=1,
            )
            if not pricelist and currency != self.company.currency_id:
                pricelist = pricelists.create(
                    {
                        "name": f"BigCommerce {currency.name}",
                        "currency_id": currency.id,
                        "company_id": self.company.id,
                    }
                )
            self._pricelists[currency.id] = pricelist
        return self._pricelists[currency.id]

    # ------------------------------------------------------------------
    # BigCommerce lines and taxes
    # ------------------------------------------------------------------

    def _order_products(self, order):
        """Order products from the embedded consignments (no extra request)."""
        consignments = order.get("consignments")
        found = {}
        if isinstance(consignments, dict):
            email = consignments.get("email") or {}
            groups = [
                *(consignments.get("shipping") or []),
                *(consignments.get("pickups") or []),
                *(consignments.get("downloads") or []),
                *(email.get("gift_certificates") or []),
            ]
            for group in groups:
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

    def _shipping_addresses(self, order):
        consignments = order.get("consignments")
        if isinstance(consignments, dict):
            return consignments.get("shipping") or []
        if int(order.get("shipping_address_count") or 0):
            return list(self.client.iter_order_shipping_addresses(order["id"]))
        return []

    def _tax_rows(self, order):
        """BigCommerce's tax lines by (type, order product or address id)."""
        rows = defaultdict(list)
        if self.instance.tax_mode == "odoo" or not parse_money(order.get("total_tax")):
            return rows
        for row in self.client.iter_order_taxes(order["id"]):
            kind = row.get("line_item_type") or "item"
            if kind in ("item", "gift-wrapping"):
                key = (kind, int(row.get("order_product_id") or 0))
            else:
                key = (kind, int(row.get("order_address_id") or 0))
            rows[key].append(row)
        return rows

    def _account_tax(self, row, inclusive):
        rate = parse_money(row["rate"])
        name = row.get("name") or self.env._("Tax")
        key = (name, rate, inclusive)
        if key not in self._taxes:
            label = f"{name} {rate.normalize():f}%" + (" incl." if inclusive else "")
            taxes = self.env["account.tax"].with_context(active_test=False)
            domain = [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("name", "=", label),
            ]
            tax = taxes.search(domain, limit=1)
            if not tax:
                tax = taxes.create(self._tax_values(label, rate, inclusive))
            self._taxes[key] = tax
        return self._taxes[key]

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

    def _taxed(self, rows, inclusive, base_ex, extra_tax=ZERO, rows_factor=1):
        """(taxes, manual amounts) for an amount BigCommerce taxed with ``rows``.

        Each tax gets ``rows_factor`` times its rows' amount plus its share of
        ``extra_tax``: tax the rows do not show separately (what a discount
        took off the line's tax), split in proportion to the rows.
        """
        if not rows:
            return self.env["account.tax"], {}
        row_amounts = defaultdict(lambda: ZERO)
        taxes = self.env["account.tax"]
        for row in rows:
            tax = self._account_tax(row, inclusive)
            taxes |= tax
            row_amounts[tax.id] += parse_money(row["line_amount"])
        ids = list(row_amounts)
        shares = _split(extra_tax, [row_amounts[i] for i in ids])
        amounts = {
            tax_id: row_amounts[tax_id] * rows_factor + share
            for tax_id, share in zip(ids, shares, strict=True)
        }
        manual = {
            str(tax_id): {
                "tax_amount_currency": float(amount),
                "base_amount_currency": float(base_ex),
            }
            for tax_id, amount in amounts.items()
        }
        return taxes, manual

    def _fiscal_position(self, partner, shipping_partner, lines):
        """In "Follow BigCommerce, then the fiscal position": map the taxes.

        A line whose taxes the fiscal position changes loses BigCommerce's
        tax amounts (they belong to the other taxes): Odoo computes it, and
        the invoice check then shows the difference for review.
        """
        positions = self.env["account.fiscal.position"].with_company(self.company)
        if self.instance.tax_mode != "bigcommerce_fiscal":
            return positions
        position = positions._get_fiscal_position(partner, delivery=shipping_partner)
        if not position:
            return position
        for values in lines:
            taxes = self.env["account.tax"].browse(values["tax_ids"][0][2])
            mapped = position.map_tax(taxes)
            if mapped != taxes:
                values["tax_ids"] = [Command.set(mapped.ids)]
                values.pop("extra_tax_data", None)
        return position

    def _line_values(
        self,
        product,
        name,
        quantity,
        price_unit,
        currency,
        taxes,
        manual,
        total_ex,
        kind,
        line_id=0,
    ):
        values = {
            "product_id": product.id,
            "name": name,
            "product_uom_qty": quantity,
            "price_unit": float(price_unit),
            "discount": 0.0,
            "tax_ids": [Command.set(taxes.ids)],
            "bigcommerce_line_kind": kind,
            "bigcommerce_line_id": line_id,
        }
        if self.instance.tax_mode == "odoo":
            values.pop("tax_ids")
        elif manual:
            values["extra_tax_data"] = {
                "currency_id": currency.id,
                "price_unit": float(price_unit),
                "discount": 0.0,
                "quantity": float(quantity),
                "manual_total_excluded_currency": float(total_ex),
                "manual_tax_amounts": manual,
            }
        return values

    def _product_lines(self, line, tax_rows, inclusive, currency):
        product = self._product(line)
        quantity = int(line["quantity"])
        line_id = int(line["id"])
        unit = parse_money(line["price_inc_tax" if inclusive else "price_ex_tax"])
        total_ex = parse_money(line["total_ex_tax"])
        line_tax = parse_money(line["total_tax"])
        rows = tax_rows.get(("item", line_id), [])
        discount_inc = sum(
            (parse_money(d["amount"]) for d in line.get("applied_discounts") or []),
            ZERO,
        )
        # BigCommerce's item tax rows are after discount; what the discount
        # took off the tax is the rest of the line's own tax.
        discount_tax = line_tax - sum(
            (parse_money(r["line_amount"]) for r in rows), ZERO
        )
        if not rows:
            discount_tax = ZERO
        name = self._line_name(line)
        taxes, manual = self._taxed(rows, inclusive, total_ex, extra_tax=discount_tax)
        kind = (
            "gift_certificate" if line.get("type") == "giftcertificate" else "product"
        )
        result = [
            self._line_values(
                product,
                name,
                quantity,
                unit,
                currency,
                taxes,
                manual,
                total_ex,
                kind,
                line_id,
            )
        ]
        if discount_inc:
            discount_ex = discount_inc - discount_tax
            names = ", ".join(
                d.get("name") or d.get("code") or "" for d in line["applied_discounts"]
            )
            taxes, manual = self._taxed(
                rows, inclusive, -discount_ex, extra_tax=-discount_tax, rows_factor=0
            )
            result.append(
                self._line_values(
                    self.instance.discount_product_id,
                    self.env._(
                        "Discount on %(line)s: %(names)s", line=name, names=names
                    ),
                    1,
                    -(discount_inc if inclusive else discount_ex),
                    currency,
                    taxes,
                    manual,
                    -discount_ex,
                    "discount",
                    line_id,
                )
            )
        wrapping_inc = parse_money(line.get("wrapping_cost_inc_tax"))
        if wrapping_inc:
            wrapping_ex = parse_money(line.get("wrapping_cost_ex_tax"))
            rows = tax_rows.get(("gift-wrapping", line_id), [])
            taxes, manual = self._taxed(rows, inclusive, wrapping_ex)
            result.append(
                self._line_values(
                    self.instance.wrapping_product_id,
                    line.get("wrapping_name") or self.env._("Gift wrapping"),
                    1,
                    wrapping_inc if inclusive else wrapping_ex,
                    currency,
                    taxes,
                    manual,
                    wrapping_ex,
                    "wrapping",
                    line_id,
                )
            )
        return result

    def _address_lines(self, address, tax_rows, inclusive, currency):
        result = []
        address_id = int(address["id"])
        for kind, prefix, product in (
            ("shipping", "", self.instance.shipping_product_id),
            ("handling", "handling_", self.instance.handling_product_id),
        ):
            amount_inc = parse_money(address.get(f"{prefix}cost_inc_tax"))
            amount_ex = parse_money(address.get(f"{prefix}cost_ex_tax"))
            if not amount_inc and not amount_ex:
                continue
            rows = tax_rows.get((kind, address_id), [])
            taxes, manual = self._taxed(rows, inclusive, amount_ex)
            name = (
                address.get("shipping_method") or self.env._("Shipping")
                if kind == "shipping"
                else self.env._("Handling")
            )
            result.append(
                self._line_values(
                    product,
                    name,
                    1,
                    amount_inc if inclusive else amount_ex,
                    currency,
                    taxes,
                    manual,
                    amount_ex,
                    kind,
                    # SHIPPING and HANDLING refund items name the address.
                    address_id,
                )
            )
        return result

    def _fee_line(self, fee, inclusive, currency):
        amount_inc = parse_money(fee.get("cost_inc_tax"))
        amount_ex = parse_money(fee.get("cost_ex_tax"))
        return self._line_values(
            self.instance.handling_product_id,
            fee.get("display_name_merchant")
            or fee.get("display_name_customer")
            or "Fee",
            1,
            amount_inc if inclusive else amount_ex,
            currency,
            self.env["account.tax"],
            {},
            amount_ex,
            "fee",
            int(fee.get("id") or 0),
        )

    def _line_name(self, line):
        name = line.get("name_merchant") or line.get("name") or line.get("sku") or ""
        options = [
            f"{option.get('display_name')}: {option.get('display_value')}"
            for option in line.get("product_options") or []
        ]
        return f"{name} ({', '.join(options)})" if options else name

    def _product(self, line):
        instance = self.instance
        if line.get("type") == "giftcertificate":
            return instance.gift_certificate_product_id
        sku = (line.get("sku") or "").strip()
        if not line.get("product_id") and not sku:
            return instance.custom_product_id
        key = sku.lower()
        if key not in self._products:
            product = self.env["product.product"].search(
                [
                    ("default_code", "=ilike", sku),
                    ("company_id", "in", (False, self.company.id)),
                ],
                limit=1,
            )
            if not product and not line.get("product_id"):
                # A custom item with its own SKU that Odoo does not know.
                product = instance.custom_product_id
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
        return self.env["product.product"].create(
            {
                "name": line.get("name") or sku,
                "default_code": sku,
                "type": "consu",
                "invoice_policy": "order",
                "list_price": float(parse_money(line.get("base_price"))),
                "taxes_id": [Command.clear()],
            }
        )
