"""The sandbox store: a stateful HTTP server that behaves like BigCommerce's API.

Start it in-process (``SandboxStore(seed=42).start()``) or on its own
(``python -m bigcommerce_sandbox --port 8765 --seed 42``). API calls go
to ``{url}/stores/{store_hash}/v2|v3/...`` with ``X-Auth-Token``; tests change the
store through the methods below or the ``/_sandbox/...`` control API.
"""

import copy
import json
import logging
import random
import re
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import (
    api_v2,
    api_v3,
    catalog_writes,
    cdn,
    price_list_assignments,
    price_lists,
    seed,
    transactions,
)
from .catalog_writes import MultipartForm
from .paging import ApiError
from .state import StoreState
from .webhooks import WebhookDispatcher, build_payload, scope_matches

_logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "sandbox-token"
DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
# Standard & Plus plans: 150 requests per 30 s window.
DEFAULT_QUOTA = 150
DEFAULT_WINDOW_MS = 30000

V2, V3 = "v2", "v3"
ROUTES = [
    ("GET", V2, r"store", api_v2.get_store, "store_v2_information"),
    ("GET", V2, r"time", api_v2.get_time, "store_v2_information"),
    ("GET", V2, r"currencies", api_v2.list_currencies, "store_v2_information"),
    ("GET", V2, r"order_statuses", api_v2.list_order_statuses, "store_v2_orders"),
    ("GET", V2, r"tax_classes", api_v2.list_tax_classes, "store_v2_information"),
    ("GET", V2, r"tax_classes/(\d+)", api_v2.get_tax_class, "store_v2_information"),
    (
        "GET",
        V2,
        r"customer_groups",
        api_v2.list_customer_groups,
        "store_v2_customers",
    ),
    (
        "GET",
        V2,
        r"customer_groups/count",
        api_v2.count_customer_groups,
        "store_v2_customers",
    ),
    (
        "GET",
        V2,
        r"customer_groups/(\d+)",
        api_v2.get_customer_group,
        "store_v2_customers",
    ),
    ("GET", V2, r"orders", api_v2.list_orders, "store_v2_orders"),
    ("GET", V2, r"orders/count", api_v2.count_orders, "store_v2_orders"),
    ("GET", V2, r"orders/(\d+)", api_v2.get_order, "store_v2_orders"),
    ("PUT", V2, r"orders/(\d+)", api_v2.update_order, "store_v2_orders"),
    (
        "GET",
        V2,
        r"orders/(\d+)/products",
        api_v2.list_order_products,
        "store_v2_orders",
    ),
    (
        "GET",
        V2,
        r"orders/(\d+)/products/(\d+)",
        api_v2.get_order_product,
        "store_v2_orders",
    ),
    (
        "GET",
        V2,
        r"orders/(\d+)/shipping_addresses",
        api_v2.list_order_shipping_addresses,
        "store_v2_orders",
    ),
    ("GET", V2, r"orders/(\d+)/coupons", api_v2.list_order_coupons, "store_v2_orders"),
    ("GET", V2, r"orders/(\d+)/taxes", api_v2.list_order_taxes, "store_v2_orders"),
    ("GET", V2, r"orders/(\d+)/fees", api_v2.list_order_fees, "store_v2_orders"),
    (
        "GET",
        V2,
        r"orders/(\d+)/consignments",
        api_v2.get_order_consignments,
        "store_v2_orders",
    ),
    (
        "GET",
        V2,
        r"orders/(\d+)/shipments",
        api_v2.list_order_shipments,
        "store_v2_orders",
    ),
    (
        "POST",
        V2,
        r"orders/(\d+)/shipments",
        api_v2.create_order_shipment,
        "store_v2_orders",
    ),
    (
        "GET",
        V2,
        r"orders/(\d+)/shipments/(\d+)",
        api_v2.get_order_shipment,
        "store_v2_orders",
    ),
    (
        "GET",
        V3,
        r"orders/payment_actions/refunds",
        api_v3.list_refunds,
        "store_v2_orders",
    ),
    (
        "GET",
        V3,
        r"orders/payment_actions/refunds/(\d+)",
        api_v3.get_refund,
        "store_v2_orders",
    ),
    (
        "GET",
        V3,
        r"orders/(\d+)/payment_actions/refunds",
        api_v3.list_order_refunds,
        "store_v2_orders",
    ),
    (
        "GET",
        V3,
        r"orders/(\d+)/transactions",
        transactions.list_order_transactions,
        "store_v2_transactions",
    ),
    ("GET", V3, r"customers", api_v3.list_customers, "store_v2_customers"),
    (
        "GET",
        V3,
        r"customers/addresses",
        api_v3.list_customer_addresses,
        "store_v2_customers",
    ),
    ("GET", V3, r"catalog/products", api_v3.list_products, "store_v2_products"),
    (
        "POST",
        V3,
        r"catalog/products",
        catalog_writes.create_product,
        "store_v2_products",
    ),
    (
        "PUT",
        V3,
        r"catalog/products",
        catalog_writes.update_products,
        "store_v2_products",
    ),
    ("GET", V3, r"catalog/products/(\d+)", api_v3.get_product, "store_v2_products"),
    ("PUT", V3, r"catalog/products/(\d+)", api_v3.update_product, "store_v2_products"),
    (
        "POST",
        V3,
        r"catalog/products/(\d+)/variants",
        catalog_writes.create_variant,
        "store_v2_products",
    ),
    (
        "PUT",
        V3,
        r"catalog/products/(\d+)/variants/(\d+)",
        catalog_writes.update_variant,
        "store_v2_products",
    ),
    (
        "POST",
        V3,
        r"catalog/products/(\d+)/options",
        catalog_writes.create_option,
        "store_v2_products",
    ),
    (
        "POST",
        V3,
        r"catalog/products/(\d+)/options/(\d+)/values",
        catalog_writes.create_option_value,
        "store_v2_products",
    ),
    (
        "POST",
        V3,
        r"catalog/products/(\d+)/images",
        catalog_writes.upload_image,
        "store_v2_products",
    ),
    (
        "DELETE",
        V3,
        r"catalog/products/(\d+)/images/(\d+)",
        catalog_writes.delete_image,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"catalog/products/(\d+)/variants",
        api_v3.list_product_variants,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"catalog/products/(\d+)/options",
        api_v3.list_product_options,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"catalog/products/(\d+)/modifiers",
        api_v3.list_product_modifiers,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"catalog/products/(\d+)/images",
        api_v3.list_product_images,
        "store_v2_products",
    ),
    ("GET", V3, r"catalog/variants", api_v3.list_variants, "store_v2_products"),
    (
        "PUT",
        V3,
        r"catalog/variants",
        catalog_writes.update_variants,
        "store_v2_products",
    ),
    (
        "POST",
        V3,
        r"orders/(\d+)/payment_actions/capture",
        api_v3.capture_order_payment,
        "store_v2_orders",
    ),
    ("GET", V3, r"catalog/brands", api_v3.list_brands, "store_v2_products"),
    ("GET", V3, r"catalog/trees", api_v3.list_trees, "store_v2_products"),
    (
        "GET",
        V3,
        r"catalog/trees/categories",
        api_v3.list_tree_categories,
        "store_v2_products",
    ),
    ("GET", V3, r"inventory/items", api_v3.list_inventory_items, "store_inventory"),
    ("GET", V3, r"inventory/locations", api_v3.list_locations, "store_inventory"),
    (
        "GET",
        V3,
        r"inventory/locations/(\d+)/items",
        api_v3.list_location_items,
        "store_inventory",
    ),
    (
        "PUT",
        V3,
        r"inventory/adjustments/absolute",
        api_v3.adjust_inventory_absolute,
        "store_inventory",
    ),
    ("GET", V3, r"channels", api_v3.list_channels, "store_channel_settings"),
    ("GET", V3, r"channels/(\d+)", api_v3.get_channel, "store_channel_settings"),
    # Price lists (price_lists.v3.yml), scope Products (store_v2_products).
    ("GET", V3, r"pricelists", price_lists.list_price_lists, "store_v2_products"),
    ("POST", V3, r"pricelists", price_lists.create_price_list, "store_v2_products"),
    (
        "PUT",
        V3,
        r"pricelists/records",
        price_lists.upsert_records_batch,
        "store_v2_products",
    ),
    (
        "POST",
        V3,
        r"pricelists/records",
        price_lists.create_records_batch,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"pricelists/assignments",
        price_list_assignments.list_assignments,
        "store_v2_products",
    ),
    (
        "POST",
        V3,
        r"pricelists/assignments",
        price_list_assignments.create_assignments,
        "store_v2_products",
    ),
    (
        "DELETE",
        V3,
        r"pricelists/assignments",
        price_list_assignments.delete_assignments,
        "store_v2_products",
    ),
    ("GET", V3, r"pricelists/(\d+)", price_lists.get_price_list, "store_v2_products"),
    (
        "PUT",
        V3,
        r"pricelists/(\d+)",
        price_lists.update_price_list,
        "store_v2_products",
    ),
    (
        "DELETE",
        V3,
        r"pricelists/(\d+)",
        price_lists.delete_price_list,
        "store_v2_products",
    ),
    (
        "PUT",
        V3,
        r"pricelists/(\d+)/assignments",
        price_list_assignments.upsert_assignment,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"pricelists/(\d+)/records",
        price_lists.list_records,
        "store_v2_products",
    ),
    (
        "PUT",
        V3,
        r"pricelists/(\d+)/records",
        price_lists.upsert_records,
        "store_v2_products",
    ),
    (
        "POST",
        V3,
        r"pricelists/(\d+)/records",
        price_lists.create_records,
        "store_v2_products",
    ),
    (
        "DELETE",
        V3,
        r"pricelists/(\d+)/records",
        price_lists.delete_records,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"pricelists/(\d+)/records/(\d+)",
        price_lists.list_variant_records,
        "store_v2_products",
    ),
    (
        "GET",
        V3,
        r"pricelists/(\d+)/records/(\d+)/([A-Za-z]+)",
        price_lists.get_record,
        "store_v2_products",
    ),
    (
        "PUT",
        V3,
        r"pricelists/(\d+)/records/(\d+)/([A-Za-z]+)",
        price_lists.set_record,
        "store_v2_products",
    ),
    (
        "DELETE",
        V3,
        r"pricelists/(\d+)/records/(\d+)/([A-Za-z]+)",
        price_lists.delete_record,
        "store_v2_products",
    ),
    ("GET", V3, r"hooks", api_v3.list_hooks, None),
    ("POST", V3, r"hooks", api_v3.create_hook, None),
    ("GET", V3, r"hooks/(\d+)", api_v3.get_hook, None),
    ("PUT", V3, r"hooks/(\d+)", api_v3.update_hook, None),
    ("DELETE", V3, r"hooks/(\d+)", api_v3.delete_hook, None),
]
_COMPILED = [
    (method, version, re.compile(pattern + r"/?"), handler, scope)
    for method, version, pattern, handler, scope in ROUTES
]


class RequestContext:
    """What an endpoint handler sees of one request."""

    def __init__(self, store, version, path, query, body, client_id):
        self.store = store
        self.state = store.state
        self.version = version
        self.path = path
        self.query = query
        self.body = body
        self.client_id = client_id
        self.api_base = store.api_url


class RateLimiter:
    """A fixed window per store, reported in BigCommerce's X-Rate-Limit-* headers.

    ``other_apps``: requests the store's other apps spend at the start of
    every window (a test control: the connector's share is then exactly
    ``quota - other_apps`` per window, whatever the timing).
    """

    def __init__(self, quota, window_ms):
        self.quota = quota
        self.window_ms = window_ms
        self.other_apps = 0
        self._lock = threading.Lock()
        self._window_start = None
        self._used = 0

    def configure(self, quota, window_ms):
        with self._lock:
            self.quota = quota
            self.window_ms = window_ms
            self._window_start = None
            self._used = 0

    def set_other_apps(self, requests_per_window):
        """From the next request on: a new window, the other apps' share spent."""
        with self._lock:
            self.other_apps = requests_per_window
            self._window_start = None

    def hit(self):
        """Count one request; returns (allowed, headers)."""
        with self._lock:
            now = time.monotonic()
            window_s = self.window_ms / 1000.0
            if self._window_start is None or now >= self._window_start + window_s:
                self._window_start = now
                self._used = min(self.other_apps, self.quota)
            allowed = self._used < self.quota
            if allowed:
                self._used += 1
            reset_ms = max(1, int((self._window_start + window_s - now) * 1000))
            headers = {
                "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
                "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
                "X-Rate-Limit-Requests-Quota": str(self.quota),
                "X-Rate-Limit-Requests-Left": str(self.quota - self._used),
            }
            return allowed, headers


class FaultInjector:
    """Deterministic trouble on demand: 5xx, slow answers, dropped connections."""

    # "ok": the request is served normally (to aim a fault at a later request).
    KINDS = {"500", "502", "503", "504", "429-platform", "slow", "drop", "ok"}

    def __init__(self, seed):
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._queue = []
        self.error_rate = 0.0
        self.error_status = 500
        self.slow_rate = 0.0
        self.slow_seconds = 2.0
        self.drop_rate = 0.0

    def configure(
        self,
        error_rate=0.0,
        error_status=500,
        slow_rate=0.0,
        slow_seconds=2.0,
        drop_rate=0.0,
    ):
        with self._lock:
            self.error_rate = error_rate
            self.error_status = error_status
            self.slow_rate = slow_rate
            self.slow_seconds = slow_seconds
            self.drop_rate = drop_rate

    def enqueue(self, kinds):
        unknown = set(kinds) - self.KINDS
        if unknown:
            raise ValueError(f"Unknown fault kinds: {sorted(unknown)}")
        with self._lock:
            self._queue.extend(kinds)

    def clear(self):
        self.configure()
        with self._lock:
            self._queue.clear()

    def next_fault(self):
        with self._lock:
            if self._queue:
                kind = self._queue.pop(0)
                return None if kind == "ok" else kind
            roll = self._random.random()
            if roll < self.drop_rate:
                return "drop"
            roll -= self.drop_rate
            if roll < self.error_rate:
                return str(self.error_status)
            roll -= self.error_rate
            if roll < self.slow_rate:
                return "slow"
            return None


class SandboxStore:
    """One BigCommerce store, seeded from ``seed``, served over HTTP."""

    def __init__(
        self,
        seed=42,
        *,
        store_hash=None,
        access_token=DEFAULT_TOKEN,
        client_secret=DEFAULT_CLIENT_SECRET,
        quota=DEFAULT_QUOTA,
        window_ms=DEFAULT_WINDOW_MS,
        store_id=None,
    ):
        self.seed = seed
        self.store_hash = store_hash or f"sandbox{seed}"
        self.store_id = store_id or 1000000 + int(seed)
        self.access_token = access_token
        self.client_secret = client_secret
        self.tokens = {access_token: {"client_id": DEFAULT_CLIENT_ID, "scopes": None}}
        self.rate_limiter = RateLimiter(quota, window_ms)
        self.faults = FaultInjector(seed)
        self.webhooks = WebhookDispatcher(client_secret)
        self._stats_lock = threading.Lock()
        self.request_log = []
        self.received = []
        self._lost_answers = []
        self.count_429 = 0
        self._transaction_ids = 0
        self._server = None
        self._thread = None
        self.host = None
        self.port = None
        self.state = None
        self.reset()

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------

    def reset(self):
        """Back to the seeded data (tokens, rate limit and faults are kept)."""
        state = StoreState(self.store_hash)
        seed.populate(state, self.seed)
        self.state = state
        with self._stats_lock:
            self.request_log = []
            self.received = []
            self.count_429 = 0
        return self

    def start(self, host="127.0.0.1", port=0):
        store = self

        class Handler(_Handler):
            sandbox = store

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="bigcommerce-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.webhooks.wait(timeout=2)

    def __enter__(self):
        return self.start() if self._server is None else self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self):
        return f"{self.url}/stores/{self.store_hash}"

    # Shortcuts to the seeded settings, for tests.
    @property
    def store_info(self):
        return self.state.store_info

    @property
    def currencies(self):
        return self.state.currencies

    @property
    def locations(self):
        return self.state.locations

    @property
    def tax_classes(self):
        return self.state.tax_classes

    @property
    def channels(self):
        return self.state.channels

    @property
    def order_statuses(self):
        return self.state.order_statuses

    # ------------------------------------------------------------------
    # Test controls
    # ------------------------------------------------------------------

    def add_token(self, token, scopes=None, client_id=DEFAULT_CLIENT_ID):
        """Another API account token; ``scopes`` None = every scope."""
        self.tokens[token] = {
            "client_id": client_id,
            "scopes": None if scopes is None else set(scopes),
        }

    def set_rate_limit(self, quota=DEFAULT_QUOTA, window_ms=DEFAULT_WINDOW_MS):
        self.rate_limiter.configure(quota, window_ms)

    def set_other_apps(self, requests_per_window):
        """The store's other apps spend this much at the start of every window."""
        self.rate_limiter.set_other_apps(requests_per_window)

    def set_faults(self, **settings):
        self.faults.configure(**settings)

    def queue_faults(self, *kinds):
        """The next API requests get these faults, in order."""
        self.faults.enqueue(kinds)

    def clear_faults(self):
        self.faults.clear()
        with self._stats_lock:
            self._lost_answers.clear()

    def lose_answer(self, method, path_pattern, how="drop"):
        """Apply the next matching request, then lose its answer.

        BigCommerce did the write but the caller never learns it: the
        connection drops (``how="drop"``) or a 5xx comes back (``how="500"``).
        This is how a job dies after BigCommerce answered.
        """
        if how != "drop" and how not in self.faults.KINDS:
            raise ValueError(f"Unknown fault kind: {how}")
        with self._stats_lock:
            self._lost_answers.append((method, re.compile(path_pattern), how))

    def _take_lost_answer(self, method, path):
        with self._stats_lock:
            for index, (m, pattern, how) in enumerate(self._lost_answers):
                if m == method and pattern.fullmatch(path):
                    del self._lost_answers[index]
                    return how
        return None

    def received_writes(self, method, path_pattern):
        """Bodies of the ``method`` requests whose path matches ``path_pattern``."""
        pattern = re.compile(path_pattern)
        with self._stats_lock:
            return [
                body
                for m, path, body in self.received
                if m == method and pattern.fullmatch(path)
            ]

    @property
    def request_count(self):
        return len(self.request_log)

    def advance_clock(self, seconds):
        self.state.clock.advance(seconds)

    def transactions_of(self, order_id):
        """What ``GET /v3/orders/{id}/transactions`` answers (transactions.py)."""
        with self.state.lock:
            return transactions.order_transactions(self.state, order_id)

    def create_order(self, **options):
        with self.state.lock:
            order = seed.create_order(self.state, **options)
        self.emit("store/order/created", {"type": "order", "id": order["id"]})
        return order

    def set_order_status(self, order_id, status_id):
        with self.state.lock:
            previous = self.state.orders[order_id]["status_id"]
            order = seed.set_order_status(self.state, order_id, status_id)
        self.emit("store/order/updated", {"type": "order", "id": order_id})
        self.emit(
            "store/order/statusUpdated",
            {
                "type": "order",
                "id": order_id,
                "status": {"previous_status_id": previous, "new_status_id": status_id},
            },
        )
        return order

    def edit_order(self, order_id, lines=(), shipping=None, handling=None):
        """The control panel's "Edit order": lines added, removed, re-priced or
        re-counted, shipping re-quoted; the order is re-priced and
        ``date_modified`` moves (``store/order/updated``)."""
        with self.state.lock:
            order = seed.edit_order(
                self.state, order_id, lines=lines, shipping=shipping, handling=handling
            )
        self.emit("store/order/updated", {"type": "order", "id": order_id})
        return order

    def refund_without_record(self, order_id, amount):
        """Money given back outside BigCommerce's refund API: ``refunded_amount``
        grows, no refund record."""
        with self.state.lock:
            previous = self.state.orders[order_id]["status_id"]
            order = seed.refund_without_record(self.state, order_id, amount)
        self.emit("store/order/updated", {"type": "order", "id": order_id})
        if order["status_id"] != previous:
            self.emit(
                "store/order/statusUpdated",
                {
                    "type": "order",
                    "id": order_id,
                    "status": {
                        "previous_status_id": previous,
                        "new_status_id": order["status_id"],
                    },
                },
            )
        return order

    def add_refund(
        self, order_id, kind="full", items=None, override=None, recorded_late=False
    ):
        with self.state.lock:
            previous = self.state.orders[order_id]["status_id"]
            refund = seed.add_refund(
                self.state,
                order_id,
                kind=kind,
                items=items,
                override=override,
                recorded_late=recorded_late,
            )
            status_id = self.state.orders[order_id]["status_id"]
        self.emit(
            "store/order/refund/created",
            {"type": "order", "id": order_id, "refund": {"refund_id": refund["id"]}},
        )
        if status_id != previous:
            self.emit(
                "store/order/statusUpdated",
                {
                    "type": "order",
                    "id": order_id,
                    "status": {
                        "previous_status_id": previous,
                        "new_status_id": status_id,
                    },
                },
            )
        return refund

    def tamper_refund(self, refund_id, **changes):
        """Corrupt a refund on purpose (e.g. a total that does not add up)."""
        return seed.tamper_refund(self.state, refund_id, **changes)

    def record_shipment(self, order_id, address_id, items, body):
        """A shipment posted through the API: lines and the order status follow."""
        state = self.state
        with state.lock:
            order = state.orders[order_id]
            lines = {p["id"]: p for p in state.order_products[order_id]}
            for item in items:
                lines[item["order_product_id"]]["quantity_shipped"] += item["quantity"]
            shipped = sum(p["quantity_shipped"] for p in lines.values())
            order["items_shipped"] = shipped
            for address in state.order_shipping_addresses[order_id]:
                address["items_shipped"] = sum(
                    p["quantity_shipped"]
                    for p in lines.values()
                    if p.get("order_address_id") == address["id"]
                )
            address = next(
                a
                for a in state.order_shipping_addresses[order_id]
                if a["id"] == address_id
            )
            now = state.clock.now()
            shipment = {
                "id": state.next_id("shipment"),
                "order_id": order_id,
                "customer_id": order["customer_id"],
                "order_address_id": address_id,
                "date_created": format_datetime(now),
                "tracking_number": body.get("tracking_number", ""),
                "merchant_shipping_cost": str(
                    body.get("merchant_shipping_cost", "0.0000")
                ),
                "shipping_method": body.get("shipping_method", ""),
                "shipping_provider": body.get("shipping_provider", ""),
                "shipping_provider_display_name": body.get("shipping_provider", ""),
                "tracking_carrier": body.get("tracking_carrier", ""),
                "tracking_link": body.get("tracking_link", ""),
                "generated_tracking_link": "",
                "comments": body.get("comments", ""),
                "billing_address": _shipment_address(order["billing_address"]),
                "shipping_address": _shipment_address(address),
                "items": [
                    {
                        "order_product_id": item["order_product_id"],
                        "product_id": lines[item["order_product_id"]]["product_id"],
                        "quantity": item["quantity"],
                    }
                    for item in items
                ],
            }
            state.order_shipments[order_id].append(shipment)
            all_shipped = all(
                p["quantity_shipped"] >= p["quantity"]
                for p in lines.values()
                if p.get("type") == "physical"
            )
        self.set_order_status(order_id, 2 if all_shipped else 3)
        self.emit(
            "store/shipment/created",
            {"type": "shipment", "id": shipment["id"], "orderId": order_id},
        )
        return shipment

    def touch_product(self, product_id):
        with self.state.lock:
            product = self.state.products[product_id]
            product["date_modified"] = self.state.clock.now().isoformat()
        self.emit("store/product/updated", {"type": "product", "id": product_id})

    def update_product(self, product_id, **changes):
        """Change product fields (price, name, ...) as the control panel does."""
        with self.state.lock:
            self.state.products[product_id].update(changes)
        self.touch_product(product_id)
        return self.state.products[product_id]

    def delete_product(self, product_id):
        with self.state.lock:
            product = self.state.products.pop(product_id)
            for table in ("variants", "options", "modifiers", "images"):
                getattr(self.state, table).pop(product_id, None)
        self.emit("store/product/deleted", {"type": "product", "id": product_id})
        return product

    def set_inventory(self, variant_id, location_id, quantity):
        with self.state.lock:
            level = self.state.inventory[(variant_id, location_id)]
            delta = quantity - level["total_inventory_onhand"]
            level["total_inventory_onhand"] = quantity
            level["available_to_sell"] = max(
                0, quantity - level["settings"].get("safety_stock", 0)
            )
        self.emit(
            f"store/channel/1/inventory/product/stock_changed",  # noqa: F541
            {"variant_id": variant_id, "location_id": location_id, "value": delta},
        )

    def update_customer(self, customer_id, **changes):
        with self.state.lock:
            customer = self.state.customers[customer_id]
            customer.update(changes)
            customer["date_modified"] = seed.iso_z(self.state.clock.now())
        self.emit("store/customer/updated", {"type": "customer", "id": customer_id})
        return customer

    def delete_customer(self, customer_id):
        with self.state.lock:
            customer = self.state.customers.pop(customer_id)
            self.state.customer_addresses.pop(customer_id, None)
        self.emit("store/customer/deleted", {"type": "customer", "id": customer_id})
        return customer

    def deactivate_hook(self, hook_id):
        """What BigCommerce does after ~48 h of failed retries (or 90 idle days).

        Events of a deactivated hook are dropped, never replayed, until the
        hook is re-activated with ``PUT /v3/hooks/{id} {"is_active": true}``.
        """
        with self.state.lock:
            hook = self.state.hooks[int(hook_id)]
            hook["is_active"] = False
            hook["updated_at"] = int(self.state.clock.now().timestamp())
            return dict(hook)

    def new_transaction_id(self):
        with self._stats_lock:
            self._transaction_ids += 1
            return f"sandbox-inventory-{self._transaction_ids}"

    def emit(self, scope, data, synchronous=False):
        """Send ``scope`` to every active hook subscribed to it."""
        created_at = int(self.state.clock.now().timestamp())
        payload = build_payload(self.state, self.store_id, scope, data, created_at)
        results = []
        for hook in list(self.state.hooks.values()):
            if hook["is_active"] and scope_matches(hook["scope"], scope):
                results.append(self.webhooks.deliver(hook, payload, synchronous))
        return results

    # ------------------------------------------------------------------
    # Serving
    # ------------------------------------------------------------------

    def handle_api(self, method, version, path, query, body, token):
        """(status, body, headers) of one API request, or "drop"."""
        with self._stats_lock:
            self.request_log.append((method, f"/{version}/{path}", dict(query)))
            if method != "GET":
                # What the store received, for tests of what was sent.
                # A multipart upload is kept as its fields and each file's
                # size and digest, not its bytes.
                kept = body.summary() if isinstance(body, MultipartForm) else body
                self.received.append(
                    (method, f"/{version}/{path}", copy.deepcopy(kept))
                )
        account = self.tokens.get(token)
        if account is None:
            return 401, _error(version, 401, "You are not authorized."), {}
        allowed, headers = self.rate_limiter.hit()
        if not allowed:
            with self._stats_lock:
                self.count_429 += 1
            return 429, _error(version, 429, "Too many requests."), headers
        lose_answer = self._take_lost_answer(method, f"/{version}/{path}")
        fault = None if lose_answer else self.faults.next_fault()
        if fault == "drop":
            return "drop", None, {}
        if fault == "slow":
            time.sleep(self.faults.slow_seconds)
        elif fault == "429-platform":
            with self._stats_lock:
                self.count_429 += 1
            return 429, _error(version, 429, "Too many requests."), {}
        elif fault:
            status = int(fault)
            return status, _error(version, status, "Internal server error."), headers
        route, groups = _route(method, version, path)
        if route is None:
            return 404, _error(version, 404, api_v2.NOT_FOUND), headers
        handler, scope = route
        if scope and not _has_scope(account["scopes"], scope, method):
            message = "You don't have a required scope to access the endpoint."
            return 403, _error(version, 403, message), headers
        context = RequestContext(self, version, path, query, body, account["client_id"])
        try:
            with self.state.lock:
                status, payload = handler(context, *groups)
        except ApiError as error:
            return (
                error.status,
                _error(version, error.status, error.message, error.errors),
                headers,
            )
        if lose_answer == "drop":
            return "drop", None, {}
        if lose_answer:
            status = int(lose_answer)
            return status, _error(version, status, "Internal server error."), headers
        return status, payload, headers

    def handle_control(self, method, path, body):
        """The ``/_sandbox`` API that tests and the demo use to change the store."""
        body = body or {}
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts == ["stats"]:
            return 200, {
                "request_count": self.request_count,
                "count_429": self.count_429,
                "deliveries": len(self.webhooks.deliveries),
            }
        if method == "POST" and parts == ["reset"]:
            self.reset()
            return 200, {"reset": True}
        if method == "POST" and parts == ["orders"]:
            lines = [tuple(line) for line in body.pop("lines", [])] or None
            return 201, self.create_order(lines=lines, **body)
        if method == "PUT" and len(parts) == 2 and parts[0] == "orders":
            return 200, self.edit_order(
                int(parts[1]),
                lines=body.get("lines") or (),
                shipping=body.get("shipping"),
                handling=body.get("handling"),
            )
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "orders"
            and parts[2] == "refunded_amount"
        ):
            return 200, self.refund_without_record(int(parts[1]), body["amount"])
        if (
            method == "PUT"
            and len(parts) == 3
            and parts[0] == "orders"
            and parts[2] == "status"
        ):
            return 200, self.set_order_status(int(parts[1]), int(body["status_id"]))
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "orders"
            and parts[2] == "refunds"
        ):
            return 201, self.add_refund(
                int(parts[1]),
                kind=body.get("kind", "full"),
                items=body.get("items"),
                override=body.get("merchant_calculated_override"),
                recorded_late=bool(body.get("recorded_late")),
            )
        if method == "PUT" and len(parts) == 2 and parts[0] == "refunds":
            return 200, self.tamper_refund(int(parts[1]), **body)
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "hooks"
            and parts[2] == "deactivate"
        ):
            return 200, self.deactivate_hook(int(parts[1]))
        if method == "POST" and parts == ["webhooks", "redeliver"]:
            records = self.webhooks.redeliver(
                index=int(body.get("index", -1)),
                times=int(body.get("times", 1)),
                concurrent=bool(body.get("concurrent")),
            )
            return 200, {"statuses": [r and r.get("status") for r in records]}
        if method == "POST" and parts == ["webhooks", "hold"]:
            self.webhooks.hold()
            return 200, {"held": True}
        if method == "POST" and parts == ["webhooks", "release"]:
            sent = self.webhooks.release(order=body.get("order", "reverse"))
            return 200, {"sent": sent}
        if method == "POST" and parts == ["clock"]:
            self.advance_clock(float(body.get("advance_seconds", 0)))
            return 200, {"now": self.state.clock.now().isoformat()}
        if method == "POST" and parts == ["rate_limit"]:
            self.set_rate_limit(int(body["quota"]), int(body["window_ms"]))
            return 200, {"quota": self.rate_limiter.quota}
        if method == "POST" and parts == ["faults", "lose_answer"]:
            self.lose_answer(body["method"], body["path"], body.get("how", "drop"))
            return 200, {"ok": True}
        if method == "POST" and parts == ["faults"]:
            if body.get("queue"):
                self.queue_faults(*body.pop("queue"))
            if body:
                self.set_faults(**body)
            return 200, {"ok": True}
        return 404, {"error": f"No control endpoint {method} /_sandbox/{path}"}


def _shipment_address(address):
    fields = (
        "first_name",
        "last_name",
        "company",
        "street_1",
        "street_2",
        "city",
        "state",
        "zip",
        "country",
        "country_iso2",
        "phone",
        "email",
    )
    return {field: address.get(field, "") for field in fields}


def _has_scope(scopes, needed, method):
    if scopes is None:
        return True
    if method == "GET" and f"{needed}_read_only" in scopes:
        return True
    return needed in scopes


def _route(method, version, path):
    path_matched = False
    for route_method, route_version, pattern, handler, scope in _COMPILED:
        if route_version != version:
            continue
        match = pattern.fullmatch(path)
        if match:
            path_matched = True
            if route_method == method:
                return (handler, scope), match.groups()
    if path_matched:
        raise_method = (_method_not_allowed, None)
        return raise_method, ()
    return None, ()


def _method_not_allowed(context, *groups):
    raise ApiError(405, "The requested method is not supported.")


def _error(version, status, message, errors=None):
    if version == V2:
        return [{"status": status, "message": message}]
    body = {
        "status": status,
        "title": message,
        "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
    }
    if errors:
        body["errors"] = errors
    return body


_API_PATH = re.compile(r"^/stores/(?P<hash>[^/]+)/(?P<version>v2|v3)/(?P<path>.*)$")


class _Handler(BaseHTTPRequestHandler):
    sandbox = None
    protocol_version = "HTTP/1.1"
    # Headers and body in one segment: unbuffered writes plus Nagle and
    # delayed ACKs would add 40 ms to every keep-alive request.
    wbufsize = 65536
    disable_nagle_algorithm = True
    server_version = "BigCommerceSandbox/1.0"

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler API
        _logger.debug("sandbox: " + format, *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return None
        raw = self.rfile.read(length)
        content_type = self.headers.get("Content-Type") or ""
        if content_type.lower().startswith("multipart/form-data"):
            # Product images are uploaded as multipart ``image_file``.
            try:
                return MultipartForm.parse(content_type, raw)
            except ApiError as error:
                return error
        try:
            return json.loads(raw)
        except ValueError:
            return ApiError(400, "The request body is not valid JSON.")

    def _dispatch(self, method):
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        body = self._read_body()
        if split.path.startswith("/_sandbox/"):
            if isinstance(body, ApiError):
                return self._send(400, {"error": body.message}, {})
            try:
                status, payload = self.sandbox.handle_control(
                    method, split.path[len("/_sandbox/") :], body
                )
            except (KeyError, ValueError, TypeError) as error:
                status, payload = 400, {"error": f"{type(error).__name__}: {error}"}
            return self._send(status, payload, {})
        if method == "GET" and split.path.startswith(cdn.PATH_PREFIX):
            status, content_type, data = cdn.image_response(split.path)
            return self._send_bytes(status, content_type, data)
        match = _API_PATH.match(split.path)
        if not match or match["hash"] != self.sandbox.store_hash:
            return self._send(404, [{"status": 404, "message": "Store not found."}], {})
        if isinstance(body, ApiError):
            return self._send(400, _error(match["version"], 400, body.message), {})
        token = self.headers.get("X-Auth-Token")
        status, payload, headers = self.sandbox.handle_api(
            method, match["version"], match["path"].rstrip("/"), query, body, token
        )
        if status == "drop":
            # Close without a response, like a reset connection mid-request.
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        return self._send(status, payload, headers)

    def _send_bytes(self, status, content_type, data):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status, payload, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status == 204 or payload is None:
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(payload).encode()
        content_type = "application/json"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
