"""Odoo prices -> BigCommerce variants, only what changed.

The price of every bound variant comes from the store's pricelist (or the
product's sale price), converted to the store's currency and rounded to it;
it is compared with the last price BigCommerce acknowledged (or, before the
first export, the price the catalog import read) and only a different one
is sent, 50 variants per ``PUT /v3/catalog/variants`` (BigCommerce's batch
limit, product-variants_catalog.v3.yml). A product without options is its
base variant, so every product is covered by its variant rows.
"""

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_round

from ..client import BigCommerceError
from .outcome import ExportOutcome

VARIANT_BATCH = 50


class PriceExporter(ExportOutcome):
    sent_column = "updated"

    def __init__(self, instance, client, recorder=None):
        super().__init__(instance, client, recorder)
        self.currency = instance.currency_id or instance.company_id.currency_id
        if not instance.export_sale_price and not instance.price_pricelist_id:
            raise UserError(
                self.env._(
                    "Choose the pricelist of the store %s, or turn on “Export "
                    "Odoo Product's Sale Price?”, to export prices.",
                    instance.name,
                )
            )

    def export(self, bindings):
        """Send the changed prices of ``bindings`` (bigcommerce.product.variant)."""
        changed = []
        for binding in bindings:
            if not binding.product_id or not binding.active:
                self._count("skipped")
                self._note(
                    self.env._(
                        "Variant %s has no Odoo product: price not sent.",
                        binding.bigcommerce_id,
                    )
                )
                continue
            price = self._price(binding.product_id)
            reference = (
                binding.exported_price if binding.price_exported_at else binding.price
            )
            if not float_compare(
                price, reference, precision_digits=self.currency.decimal_places
            ):
                self._count("unchanged")
                continue
            changed.append((binding, price))
        for start in range(0, len(changed), VARIANT_BATCH):
            self._send(changed[start : start + VARIANT_BATCH])
        return self.counts

    def _price(self, product):
        company = self.instance.company_id
        today = fields.Date.context_today(self.instance)
        if self.instance.export_sale_price:
            price, currency = (
                product.lst_price,
                product.currency_id or company.currency_id,
            )
        else:
            pricelist = self.instance.price_pricelist_id
            price = pricelist._get_product_price(product, 1.0)
            currency = pricelist.currency_id
        if currency != self.currency:
            price = currency._convert(price, self.currency, company, today, round=False)
        return float_round(price, precision_digits=self.currency.decimal_places)

    def _send(self, batch):
        body = [
            {"id": binding.bigcommerce_id, "price": price} for binding, price in batch
        ]
        try:
            self.client.update_variants(body)
        except BigCommerceError as error:
            if error.retryable:
                raise
            for binding, _price in batch:
                binding.price_export_error = error.message
            self._count("failed", len(batch))
            self._note(
                self.env._(
                    "Prices of variants %(ids)s not sent: %(reason)s",
                    ids=", ".join(str(b.bigcommerce_id) for b, _p in batch),
                    reason=error.message,
                ),
                level="error",
            )
            return
        now = fields.Datetime.now()
        for binding, price in batch:
            binding.write(
                {
                    "price": price,
                    "exported_price": price,
                    "price_exported_at": now,
                    "price_export_error": False,
                }
            )
        self._count("sent", len(batch))
