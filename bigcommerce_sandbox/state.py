"""In-memory state of one sandbox store (see CONTRACT.md for the shapes)."""

import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta


class Clock:
    """The store's notion of "now"; tests move it forward to exercise polling."""

    def __init__(self, start=None):
        self._offset = timedelta(0)
        self._frozen = start

    def now(self):
        base = self._frozen or datetime.now(UTC)
        return (base + self._offset).replace(microsecond=0)

    def advance(self, seconds):
        self._offset += timedelta(seconds=seconds)

    def freeze(self, moment):
        self._frozen = moment
        self._offset = timedelta(0)


class StoreState:
    """Every resource of the sandbox store, already shaped like the API returns it."""

    def __init__(self, store_hash, clock=None):
        self.store_hash = store_hash
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.store_info = {}
        self.currencies = []
        self.order_statuses = []
        self.tax_classes = []
        self.channels = []
        self.locations = []
        self.customers = {}
        self.customer_addresses = defaultdict(list)
        # GET /v2/customer_groups rows (customerGroup_Full), by id.
        self.customer_groups = {}
        self.brands = {}
        self.trees = []
        self.tree_categories = []
        self.products = {}
        self.variants = defaultdict(list)
        self.options = defaultdict(list)
        self.modifiers = defaultdict(list)
        self.images = defaultdict(list)
        self.variant_image_urls = {}
        # Images uploaded through the API: image id -> sha256 of the bytes.
        self.uploaded_images = {}
        self.inventory = {}
        # Bodies of the PUT /v3/inventory/adjustments/absolute requests that
        # were accepted, in order (tests count and inspect what was sent).
        self.inventory_adjustments = []
        self.orders = {}
        self.order_products = defaultdict(list)
        self.order_shipping_addresses = defaultdict(list)
        self.order_coupons = defaultdict(list)
        self.order_fees = defaultdict(list)
        self.order_shipments = defaultdict(list)
        self.order_taxes = defaultdict(list)
        self.refunds = {}
        # Orders made by create_order: (plan, rng key), what edit_order rebuilds.
        self.order_plans = {}
        # Money refunded without a refund record, per order (order_edits.py).
        self.unrecorded_refunds = {}
        self.hooks = {}
        # Price lists (price_lists.py): lists by id, records by (price list
        # id, variant id, lower-case currency), assignments by id.
        self.price_lists = {}
        self.price_records = {}
        self.price_list_assignments = {}
        self._ids = defaultdict(int)

    def next_id(self, kind):
        with self.lock:
            self._ids[kind] += 1
            return self._ids[kind]

    def reserve_ids(self, kind, last_used):
        """Make next_id(kind) return ids above ``last_used`` (seeded ids are fixed)."""
        with self.lock:
            self._ids[kind] = max(self._ids[kind], last_used)
