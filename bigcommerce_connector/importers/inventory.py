"""BigCommerce stock into Odoo: one page of a location's items at a time.

The import is the initial load (afterwards Odoo is the source of truth and
the exporter publishes its stock). Each bound, tracked variant's on-hand
quantity at a BigCommerce location becomes the counted quantity of an
Odoo inventory adjustment at the mapped stock location, applied at once
when the store's "Validate Inventory Adjustment?" is on, otherwise left
counted for a person to apply (Inventory > Physical Inventory).
"""

import logging
from collections import Counter

from odoo import fields

_logger = logging.getLogger(__name__)

# Items per GET /v3/inventory/locations/{id}/items page (the spec allows up
# to 1,000; 250 is the sandbox's and BigCommerce's usual v3 maximum).
PAGE_SIZE = 250

SKIP_REASONS = {
    "unbound": "not bound to an Odoo product",
    "untracked": "not tracked in BigCommerce",
    "lot_tracked": "tracked by lot or serial number in Odoo",
    "not_storable": "not tracked in Odoo (not a storable product)",
}


class InventoryImporter:
    """Imports the stock of one BigCommerce location, page by page."""

    def __init__(self, instance, client, recorder):
        self.instance = instance
        self.env = instance.env
        self.client = client
        self.recorder = recorder
        self.skipped = Counter()

    # ------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------

    def import_page(self, location, page):
        """Import page ``page`` of ``location``; return whether more follow."""
        body = (
            self.client.request(
                "GET",
                "v3",
                f"inventory/locations/{location.bigcommerce_id}/items",
                params={"page": page, "limit": PAGE_SIZE},
            )
            or {}
        )
        rows = body.get("data") or []
        self.import_rows(location, rows)
        pagination = (body.get("meta") or {}).get("pagination") or {}
        if pagination.get("total_pages") is not None:
            return page < int(pagination["total_pages"])
        return len(rows) == PAGE_SIZE

    # ------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------

    def import_rows(self, location, rows):
        """Count (and apply) the on-hand quantities of ``rows`` at ``location``."""
        wanted = self._quantities_by_binding(rows)
        if not wanted:
            return
        stock_location = location.stock_location_id
        products = self.env["product.product"].browse(
            [binding.product_id.id for binding in wanted]
        )
        in_children = self._quantities(
            products,
            [
                ("location_id", "child_of", stock_location.id),
                ("location_id", "!=", stock_location.id),
            ],
        )
        on_hand = self._quantities(
            products, [("location_id", "child_of", stock_location.id)]
        )
        to_count = {}
        for binding, quantity in wanted.items():
            product = binding.product_id
            if product.uom_id.compare(on_hand.get(product.id, 0.0), quantity) == 0:
                self.recorder.add_counts(unchanged=1)
                continue
            # The BigCommerce location is the stock location with its
            # sub-locations: what already sits in those stays, the rest is
            # counted at the stock location itself.
            to_count[product] = max(0.0, quantity - in_children.get(product.id, 0.0))
        quants = self._count(stock_location, to_count)
        if quants and self.instance.validate_inventory_adjustment:
            # Odoo's own adjustment: moves from/to the inventory loss location.
            quants.with_context(bigcommerce_inventory_import=True)._apply_inventory()
        self.recorder.add_counts(updated=len(quants))
        if self.instance.validate_inventory_adjustment:
            odoo_quantities = dict(wanted)
        else:
            odoo_quantities = {
                binding: int(on_hand.get(binding.product_id.id, 0.0))
                for binding in wanted
            }
        self._record_levels(location, wanted, odoo_quantities)
        self.recorder.note(
            self.env._(
                "%(location)s: %(count)s counted%(applied)s",
                location=location.name,
                count=len(quants),
                applied=self.env._(" and applied")
                if self.instance.validate_inventory_adjustment
                else self.env._(", left to apply"),
            ),
            level="debug",
        )

    def _quantities_by_binding(self, rows):
        """{variant binding: BigCommerce on-hand} of the rows that can be imported."""
        variant_ids = [
            int((row.get("identity") or {}).get("variant_id") or 0) for row in rows
        ]
        bindings = self.env["bigcommerce.product.variant"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "in", [vid for vid in variant_ids if vid]),
            ]
        )
        by_variant = {binding.bigcommerce_id: binding for binding in bindings}
        wanted = {}
        for row, variant_id in zip(rows, variant_ids, strict=True):
            binding = by_variant.get(variant_id)
            reason = self._skip_reason(binding)
            if reason:
                self.skipped[reason] += 1
                self.recorder.add_counts(skipped=1)
                self.recorder.note(
                    self.env._(
                        "Skipped variant %(variant)s (%(sku)s): %(reason)s",
                        variant=variant_id,
                        sku=(row.get("identity") or {}).get("sku") or "",
                        reason=SKIP_REASONS[reason],
                    ),
                    level="debug",
                )
                continue
            wanted[binding] = max(0, int(row.get("total_inventory_onhand") or 0))
        return wanted

    @staticmethod
    def _skip_reason(binding):
        if not binding or not binding.product_id:
            return "unbound"
        if binding.inventory_tracking == "none":
            return "untracked"
        if binding.product_id.tracking != "none":
            # BigCommerce has no lot breakdown to count lots with.
            return "lot_tracked"
        if not binding.product_id.is_storable:
            return "not_storable"
        return None

    def _quantities(self, products, location_domain):
        groups = self.env["stock.quant"]._read_group(
            [("product_id", "in", products.ids), *location_domain],
            ["product_id"],
            ["quantity:sum"],
        )
        return {product.id: quantity for product, quantity in groups}

    def _count(self, stock_location, to_count):
        """Set the counted quantity of each product's quant at ``stock_location``.

        The quants are Odoo's inventory adjustment lines; the connector acts
        for the store, whatever the rights of the user who queued the job.
        """
        quant_model = self.env["stock.quant"].sudo()
        if not to_count:
            return quant_model
        existing = quant_model.search(
            [
                ("product_id", "in", [product.id for product in to_count]),
                ("location_id", "=", stock_location.id),
                ("lot_id", "=", False),
                ("package_id", "=", False),
                ("owner_id", "=", False),
            ]
        )
        by_product = {}
        for quant in existing:
            by_product.setdefault(quant.product_id, quant)
        missing = [product for product in to_count if product not in by_product]
        for quant in quant_model.create(
            [
                {"product_id": product.id, "location_id": stock_location.id}
                for product in missing
            ]
        ):
            by_product[quant.product_id] = quant
        quants = quant_model
        for product, counted in to_count.items():
            quant = by_product[product]
            quant.write(
                {
                    "inventory_quantity": counted,
                    "inventory_quantity_set": True,
                    "inventory_date": fields.Date.context_today(quant),
                }
            )
            quants |= quant
        return quants

    def _record_levels(self, location, bigcommerce_quantities, odoo_quantities):
        """BigCommerce's quantity is now known for these items."""
        now = fields.Datetime.now()
        self.env["bigcommerce.inventory.level"]._upsert(
            self.instance,
            location,
            {
                binding.id: {
                    "bigcommerce_quantity": quantity,
                    "acknowledged": True,
                    "odoo_quantity": odoo_quantities[binding],
                    "checked_at": now,
                }
                for binding, quantity in bigcommerce_quantities.items()
            },
        )

    def summary(self):
        return ", ".join(
            f"{count} {SKIP_REASONS[reason]}" for reason, count in self.skipped.items()
        )
