"""Odoo pricelist prices -> one BigCommerce price list, only what changed.

The store's setting names an Odoo pricelist (``price_list_export_pricelist_id``)
and a BigCommerce price list (``price_list_export_bc_id``). Each bound variant
becomes one record ``{variant_id, currency, price, bulk_pricing_tiers}``
(``core/price_list_plan.py``, the inverse of what the import reads):

- ``price``: the pricelist's unit price at quantity 1, in its currency
  (``_get_product_price(product, 1.0)``: every rule of the pricelist counts);
- ``bulk_pricing_tiers``: one ``fixed`` tier (the amount is the unit price)
  per minimum quantity above 1 of the pricelist's fixed-price items of that
  variant, at the pricelist's price for that quantity, each tier up to the
  next one, the last one open. Always sent, ``[]`` when there is none, so a
  tier removed in Odoo goes in BigCommerce too: the spec does not say what
  a PUT without tiers does to them (the sandbox keeps them, CONTRACT.md).

Not expressible as tiers, so not sent as tiers (the export log notes how many
there are): the minimum quantities of the other rules (percentage and
formula items, and product, category or global rules). They still set the
quantity-1 price; a quantity break of theirs is not followed in BigCommerce.
A fractional minimum quantity starts its tier at the next whole unit.

The record (price and tiers, rounded half up to the currency's decimals) is
compared with the last one BigCommerce acknowledged for that variant, list
and currency (``bigcommerce.price.list.sent``); only a different one is sent,
upserted by ``PUT /v3/pricelists/{id}/records``, 1,000 per request (the
spec's batch limit), one request at a time (the spec: parallel upserts on
one store answer 429). A row acknowledged before tiers were exported has no
tiers text: its record is sent once more.
"""

from odoo import fields
from odoo.exceptions import UserError

from ..client import BigCommerceError
from ..client.price_lists import RECORD_BATCH
from ..core.price_list_plan import (
    batches,
    record_changes,
    tier_quantities,
    tier_rows,
    tiers_text,
)
from .outcome import ExportOutcome

VARIANT = "0_product_variant"


class PriceListExporter(ExportOutcome):
    sent_column = "updated"

    def __init__(self, instance, client, recorder=None):
        super().__init__(instance, client, recorder)
        self.pricelist = instance.price_list_export_pricelist_id
        self.list_id = instance.price_list_export_bc_id
        if not self.pricelist or not self.list_id:
            raise UserError(
                self.env._(
                    "Choose the Odoo pricelist and the BigCommerce price list to "
                    "export to in the store %s first.",
                    instance.name,
                )
            )
        self.currency = self.pricelist.currency_id
        self.sent_rows = self.env["bigcommerce.price.list.sent"]

    def export(self, bindings):
        """Send the changed records of ``bindings`` (bigcommerce.product.variant)."""
        bindings = bindings.filtered(lambda b: b.product_id and b.active)
        products = bindings.product_id
        breaks = self._tier_quantities(products)
        # One pricelist computation per quantity for all the products (its
        # rules are read once), not one per variant and quantity.
        unit_prices = self.pricelist._get_products_price(products, 1.0)
        tier_prices = {}
        for quantity in sorted({q for qs in breaks.values() for q in qs}):
            with_break = products.filtered(
                lambda p, q=quantity: q in breaks.get(p.id, ())
            )
            for product_id, price in self.pricelist._get_products_price(
                with_break, float(quantity)
            ).items():
                tier_prices.setdefault(product_id, {})[quantity] = price
        records = {
            binding.bigcommerce_id: (
                unit_prices[binding.product_id.id],
                tier_prices.get(binding.product_id.id, {}),
            )
            for binding in bindings
        }
        self._note_rules_not_sent()
        known = self._sent(list(records))
        changes = record_changes(
            records,
            {
                variant: (row.price, row.bulk_pricing_tiers_sent or None)
                for variant, row in known.items()
            },
            self.currency.decimal_places,
        )
        self._count("unchanged", len(records) - len(changes))
        for batch in batches(changes, RECORD_BATCH):
            self._send(batch, known)
        return self.counts

    def _tier_quantities(self, products):
        """{product id: the quantity_min of its tiers}: the minimum
        quantities above 1 of the pricelist's fixed-price variant items."""
        items = self.env["product.pricelist.item"].search(
            [
                ("pricelist_id", "=", self.pricelist.id),
                ("applied_on", "=", VARIANT),
                ("compute_price", "=", "fixed"),
                ("product_id", "in", products.ids),
                ("min_quantity", ">", 1),
            ]
        )
        found = {}
        for item in items:
            found.setdefault(item.product_id.id, []).append(item.min_quantity)
        return {product: tier_quantities(mins) for product, mins in found.items()}

    def _note_rules_not_sent(self):
        """Rules with a quantity break that no tier expresses (see the
        module's docstring): said in the log, not silently dropped."""
        count = self.env["product.pricelist.item"].search_count(
            [
                ("pricelist_id", "=", self.pricelist.id),
                ("min_quantity", ">", 1),
                "|",
                ("applied_on", "!=", VARIANT),
                ("compute_price", "!=", "fixed"),
            ]
        )
        if count:
            self._note(
                self.env._(
                    "%(count)s rules of pricelist %(pricelist)s with a minimum "
                    "quantity are not fixed prices of a variant: their quantity "
                    "breaks are not sent as bulk pricing tiers.",
                    count=count,
                    pricelist=self.pricelist.display_name,
                )
            )

    def _sent(self, variant_ids):
        rows = self.sent_rows.search(
            [
                ("instance_id", "=", self.instance.id),
                ("price_list_bigcommerce_id", "=", self.list_id),
                ("currency_id", "=", self.currency.id),
                ("variant_bigcommerce_id", "in", variant_ids),
            ]
        )
        return {row.variant_bigcommerce_id: row for row in rows}

    def _send(self, batch, known):
        code = self.currency.name.lower()
        body = [
            {
                "variant_id": variant,
                "currency": code,
                "price": float(price),
                "bulk_pricing_tiers": tier_rows(tiers),
            }
            for variant, price, tiers in batch
        ]
        try:
            self.client.upsert_price_list_records(self.list_id, body)
        except BigCommerceError as error:
            if error.retryable:
                raise
            self._count("failed", len(batch))
            self._note(
                self.env._(
                    "Prices of %(count)s variants not sent to price list %(list)s "
                    "(first variant %(first)s): %(reason)s",
                    count=len(batch),
                    list=self.list_id,
                    first=batch[0][0],
                    reason=error.message,
                ),
                level="error",
            )
            return
        now = fields.Datetime.now()
        new = []
        for variant, price, tiers in batch:
            values = {
                "price": float(price),
                "bulk_pricing_tiers_sent": tiers_text(tiers),
                "sent_at": now,
            }
            row = known.get(variant)
            if row:
                row.write(values)
            else:
                new.append(
                    {
                        **values,
                        "instance_id": self.instance.id,
                        "price_list_bigcommerce_id": self.list_id,
                        "currency_id": self.currency.id,
                        "variant_bigcommerce_id": variant,
                    }
                )
        if new:
            self.sent_rows.create(new)
        self._count("sent", len(batch))
