"""Odoo's stock out to BigCommerce, as absolute quantities, only what changed.

For every enabled, mapped location the exporter computes each bound
variant's Odoo quantity (the store's "Stock Based On": on hand, free =
on hand - reserved, or forecast; negatives as 0, fractions rounded down),
compares it with the quantity BigCommerce last acknowledged
(``bigcommerce.inventory.level``) and sends the differences with
``PUT /v3/inventory/adjustments/absolute``, at most 2,000 items per request,
one location per request. Absolute values make a retried or repeated
request harmless: a 5xx or a lost answer is simply sent again.

Computing the changed set reads a few grouped queries (quants per location,
the bindings, the levels) whatever the catalog's size; see
scripts/benchmark_inventory.py.
"""

import logging
import math
import re
from collections import defaultdict

from odoo import fields
from odoo.tools import float_round

from ..client import InvalidRequestError

_logger = logging.getLogger(__name__)

MAX_ITEMS_PER_REQUEST = 2000  # inventory.v3.yml › put-absolute-adjustment
# Requests one export job sends before it queues the rest (bounded jobs).
REQUESTS_PER_JOB = 5
# Requests a job may spend halving refused requests to find the bad items;
# what is left unresolved is failed with the reason and tried next export.
MAX_SPLIT_REQUESTS = 32

# P11: BigCommerce names the items it wants identified the other way.
TRACKED_BY_PRODUCT = re.compile(r"variant_id (\d+) is tracked by product")
TRACKED_BY_VARIANT = re.compile(r"product_id (\d+) is tracked by variant")


class InventoryItem:
    """One variant's quantity at one location, as BigCommerce should have it."""

    __slots__ = ("binding", "location", "quantity", "level_id")

    def __init__(self, binding, location, quantity, level_id):
        self.binding = binding  # a row of _bound_variants()
        self.location = location
        self.quantity = quantity
        self.level_id = level_id

    def payload(self):
        item = {"location_id": self.location.bigcommerce_id, "quantity": self.quantity}
        if self.binding["inventory_tracking"] == "product":
            item["product_id"] = self.binding["bigcommerce_product_id"]
        else:
            item["variant_id"] = self.binding["bigcommerce_id"]
        return item


class InventoryExporter:
    def __init__(self, instance, client, recorder, run_started=None):
        self.instance = instance
        self.env = instance.env
        self.client = client
        self.recorder = recorder
        # Items refused since this moment are not sent again in this run.
        self.run_started = run_started or fields.Datetime.now()
        self.requests = 0
        self.split_requests = 0

    # ------------------------------------------------------------
    # What BigCommerce should have
    # ------------------------------------------------------------

    def locations(self):
        return self.instance.location_ids.filtered(
            lambda location: location._is_inventory_synced()
        )

    def changed_items(self, product_ids=None):
        """{location: [InventoryItem]} whose quantity BigCommerce does not have.

        Counts unchanged and skipped items in the recorder, and refreshes
        the Odoo quantity shown on the levels.
        """
        bindings = self._bound_variants(product_ids)
        levels = self._levels()
        changed = defaultdict(list)
        seen_odoo = {}
        for location in self.locations():
            quantities = self._odoo_quantities(location, bindings, product_ids)
            for binding in bindings:
                if (
                    binding["inventory_tracking"] == "none"
                    or not binding["is_storable"]
                ):
                    # Untracked in BigCommerce: it sells without counting,
                    # and switching tracking on is the merchant's call.
                    self.recorder.add_counts(skipped=1)
                    continue
                quantity = quantities.get(binding["product_id"], 0)
                level = levels.get((binding["id"], location.id))
                if level and level["odoo_quantity"] != quantity:
                    seen_odoo[level["id"]] = quantity
                if (
                    level
                    and level["acknowledged"]
                    and level["bigcommerce_quantity"] == quantity
                ):
                    self.recorder.add_counts(unchanged=1)
                    continue
                if (
                    level
                    and level["failed_at"]
                    and level["failed_at"] >= self.run_started
                ):
                    continue  # refused in this run: counted failed already
                changed[location].append(
                    InventoryItem(binding, location, quantity, level and level["id"])
                )
        self._refresh_odoo_quantities(seen_odoo)
        return changed

    def _bound_variants(self, product_ids=None):
        """The store's bound variants, as plain rows (30,000 in one query)."""
        self.env.flush_all()
        query = """
            SELECT v.id, v.bigcommerce_id, v.bigcommerce_product_id, v.product_id,
                   COALESCE(p.inventory_tracking, v.inventory_tracking, 'none')
                       AS inventory_tracking,
                   COALESCE(t.is_storable, FALSE) AS is_storable
              FROM bigcommerce_product_variant v
              JOIN product_product pp ON pp.id = v.product_id
              JOIN product_template t ON t.id = pp.product_tmpl_id
         LEFT JOIN bigcommerce_product p ON p.id = v.product_binding_id
             WHERE v.instance_id = %s AND v.active AND pp.active
        """
        params = [self.instance.id]
        if product_ids is not None:
            query += " AND v.product_id = ANY(%s)"
            params.append(list(product_ids))
        self.env.cr.execute(query + " ORDER BY v.id", params)
        return self.env.cr.dictfetchall()

    def _levels(self):
        self.env.cr.execute(
            """
            SELECT id, variant_binding_id, location_binding_id, bigcommerce_quantity,
                   odoo_quantity, acknowledged, failed_at
              FROM bigcommerce_inventory_level
             WHERE instance_id = %s
            """,
            [self.instance.id],
        )
        return {
            (row["variant_binding_id"], row["location_binding_id"]): row
            for row in self.env.cr.dictfetchall()
        }

    def _odoo_quantities(self, location, bindings, product_ids=None):
        """{product id: whole quantity >= 0} at ``location`` per Stock Based On."""
        basis = self.instance.stock_based_on
        if basis == "forecast":
            products = self.env["product.product"].browse(
                {binding["product_id"] for binding in bindings}
            )
            figures = products.with_context(
                location=location.stock_location_id.id
            )._compute_quantities_dict(None, None, None)
            raw = {pid: values["virtual_available"] for pid, values in figures.items()}
        else:
            domain = [("location_id", "child_of", location.stock_location_id.id)]
            if product_ids is not None:
                domain.append(("product_id", "in", list(product_ids)))
            groups = self.env["stock.quant"]._read_group(
                domain, ["product_id"], ["quantity:sum", "reserved_quantity:sum"]
            )
            raw = {
                product.id: quantity - (reserved if basis == "free" else 0.0)
                for product, quantity, reserved in groups
            }
        # BigCommerce counts whole units; 2.5 in stock sells 2. Rounding to
        # 6 digits first keeps 2.9999999 (float sums) from selling 2.
        return {
            product_id: max(0, math.floor(float_round(quantity, precision_digits=6)))
            for product_id, quantity in raw.items()
        }

    def _refresh_odoo_quantities(self, quantities_by_level):
        """Show Odoo's current quantity beside BigCommerce's on the levels."""
        levels = self.env["bigcommerce.inventory.level"]
        by_quantity = defaultdict(list)
        for level_id, quantity in quantities_by_level.items():
            by_quantity[quantity].append(level_id)
        now = fields.Datetime.now()
        for quantity, level_ids in by_quantity.items():
            levels.browse(level_ids).write(
                {"odoo_quantity": quantity, "checked_at": now}
            )

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

    def export(self, product_ids=None):
        """Send up to REQUESTS_PER_JOB requests; return whether items remain."""
        changed = self.changed_items(product_ids)
        for location, items in changed.items():
            for start in range(0, len(items), MAX_ITEMS_PER_REQUEST):
                if self.requests >= REQUESTS_PER_JOB:
                    return True
                self.send(location, items[start : start + MAX_ITEMS_PER_REQUEST])
        return False

    def send(self, location, items, switched=False):
        """One absolute adjustment; record what BigCommerce acknowledged.

        Transient errors propagate (the job is retried and sends the same
        absolute values again). A 422 naming items BigCommerce tracks the
        other way (P11) switches those items' identity and is sent once
        more; any other refusal marks the items failed with the reason.
        """
        body = {
            "reason": f"Odoo stock ({self.instance.stock_based_on})",
            "items": [item.payload() for item in items],
        }
        self.requests += 1
        try:
            answer = self.client.request(
                "PUT", "v3", "inventory/adjustments/absolute", json=body
            )
        except InvalidRequestError as error:
            if not switched and self._switch_tracking(items, error.message):
                return self.send(location, items, switched=True)
            if len(items) > 1 and self.split_requests + 2 <= MAX_SPLIT_REQUESTS:
                # BigCommerce refuses the whole request for one bad item and
                # does not say which: send each half, so the good items get
                # through (one bad item among 2,000 costs 22 more requests).
                self.split_requests += 2
                middle = len(items) // 2
                self.send(location, items[:middle], switched)
                self.send(location, items[middle:], switched)
                return
            self._record_failure(location, items, error.message)
            return
        # BigCommerce applies the adjustment asynchronously (P12): its 200
        # and transaction id are the acknowledgement; reading back could
        # still show the old figure, so nothing is re-read.
        _logger.debug(
            "BigCommerce inventory transaction %s: %s items",
            (answer or {}).get("transaction_id"),
            len(items),
        )
        self._record_success(location, items)

    def _switch_tracking(self, items, message):
        by_product = {int(v) for v in TRACKED_BY_PRODUCT.findall(message or "")}
        by_variant = {int(p) for p in TRACKED_BY_VARIANT.findall(message or "")}
        switched = False
        for item in items:
            binding = item.binding
            if binding["bigcommerce_id"] in by_product:
                binding["inventory_tracking"] = "product"
                switched = True
            elif binding["bigcommerce_product_id"] in by_variant:
                binding["inventory_tracking"] = "variant"
                switched = True
        if switched:
            # Remember it on the product binding (the catalog import would
            # say the same at its next run).
            variants = self.env["bigcommerce.product.variant"].browse(
                [
                    i.binding["id"]
                    for i in items
                    if i.binding["bigcommerce_id"] in by_product
                ]
            )
            variants.product_binding_id.sudo().inventory_tracking = "product"
            products = self.env["bigcommerce.product"].search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "in", list(by_variant)),
                ]
            )
            products.sudo().inventory_tracking = "variant"
            self.recorder.note(
                self.env._(
                    "BigCommerce tracks some items the other way; sent again: %s",
                    message,
                )
            )
        return switched

    def _record_success(self, location, items):
        now = fields.Datetime.now()
        self.env["bigcommerce.inventory.level"]._upsert(
            self.instance,
            location,
            {
                item.binding["id"]: {
                    "bigcommerce_quantity": item.quantity,
                    "acknowledged": True,
                    "odoo_quantity": item.quantity,
                    "synced_at": now,
                    "checked_at": now,
                    "error": False,
                    "failed_at": False,
                }
                for item in items
            },
        )
        self.recorder.add_counts(updated=len(items))

    def _record_failure(self, location, items, message):
        now = fields.Datetime.now()
        self.env["bigcommerce.inventory.level"]._upsert(
            self.instance,
            location,
            {
                item.binding["id"]: {
                    "odoo_quantity": item.quantity,
                    "checked_at": now,
                    "error": message[:250],
                    "failed_at": now,
                }
                for item in items
            },
        )
        self.recorder.add_counts(failed=len(items))
        self.recorder.note(
            self.env._(
                "%(location)s: BigCommerce refused %(count)s items: %(message)s",
                location=location.name,
                count=len(items),
                message=message,
            ),
            level="error",
        )
