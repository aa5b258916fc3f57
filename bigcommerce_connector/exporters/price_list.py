"""Odoo pricelist prices -> one BigCommerce price list, only what changed.

The store's setting names an Odoo pricelist (``price_list_export_pricelist_id``)
and a BigCommerce price list (``price_list_export_bc_id``). The pricelist's
unit price of every bound variant (quantity 1, in the pricelist's currency)
is compared with the last price BigCommerce acknowledged for that variant,
list and currency (``bigcommerce.price.list.sent``); only a different one is
sent, as records ``{variant_id, currency, price}`` upserted by
``PUT /v3/pricelists/{id}/records``, 1,000 per request (the spec's batch
limit), one request at a time (the spec: parallel upserts on one store
answer 429). Bulk pricing tiers are not sent.
"""

from odoo import fields
from odoo.exceptions import UserError

from ..client import BigCommerceError
from ..client.price_lists import RECORD_BATCH
from ..core.price_list_plan import batches, price_changes
from .outcome import ExportOutcome


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
        """Send the changed prices of ``bindings`` (bigcommerce.product.variant)."""
        bindings = bindings.filtered(lambda b: b.product_id and b.active)
        prices = {
            binding.bigcommerce_id: self.pricelist._get_product_price(
                binding.product_id, 1.0
            )
            for binding in bindings
        }
        known = self._sent(list(prices))
        changes = price_changes(
            prices,
            {variant: row.price for variant, row in known.items()},
            self.currency.decimal_places,
        )
        self._count("unchanged", len(prices) - len(changes))
        for batch in batches(changes, RECORD_BATCH):
            self._send(batch, known)
        return self.counts

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
            {"variant_id": variant, "currency": code, "price": float(price)}
            for variant, price in batch
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
        for variant, price in batch:
            row = known.get(variant)
            if row:
                row.write({"price": float(price), "sent_at": now})
            else:
                new.append(
                    {
                        "instance_id": self.instance.id,
                        "price_list_bigcommerce_id": self.list_id,
                        "currency_id": self.currency.id,
                        "variant_bigcommerce_id": variant,
                        "price": float(price),
                        "sent_at": now,
                    }
                )
        if new:
            self.sent_rows.create(new)
        self._count("sent", len(batch))
