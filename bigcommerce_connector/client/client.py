"""REST client for one BigCommerce store (v2 and v3), on ``requests``.

The v2/v3 differences are handled here once: v3 ``{data, meta}`` envelopes and
``meta.pagination``; v2 bare arrays, ``page``/``limit`` and 204 on an empty page.
Collections are generators, so a caller streams rows page by page.
"""

import logging
import time
from urllib.parse import urlsplit

import requests

from . import errors, usage
from .answers import MISSING, request_key
from .governor import governor_for
from .hosts import check_api_url, hosts_from_environment
from .price_lists import PriceListCalls

_logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.bigcommerce.com/stores/{store_hash}"
USER_AGENT = "bigcommerce_connector/19.0 (Odoo 19.0 connector; python-requests)"
PAGE_LIMIT = 250
# Back-off for 5xx and transport errors when the caller allows waiting.
INTERACTIVE_RETRY_DELAYS = (1.0, 3.0)
# BigCommerce: a 429 without rate-limit headers means platform load.
PLATFORM_LOAD_RETRY_S = 120.0
SERVER_ERROR_RETRY_S = 60.0

ORDER_INCLUDES = "consignments.line_items,fees"


def resolve_api_url(store_hash, api_url=None):
    """The store's API base URL (BigCommerce's, unless another is given)."""
    return (api_url or DEFAULT_API_URL).format(store_hash=store_hash).rstrip("/")


class _Secret:
    """Holds a credential; its repr never shows it."""

    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    def reveal(self):
        return self._value

    def __repr__(self):
        return "<hidden>"

    __str__ = __repr__


class BigCommerceClient(PriceListCalls):
    """Talks to one store; safe to share between threads of one process.

    ``max_wait`` bounds how long a call may pause for the rate limit or
    retries. Queue jobs pass 0: every pause becomes a ``RetryableError``
    whose ``retry_after`` the job hands to queue_job.
    """

    def __init__(
        self,
        store_hash,
        access_token,
        *,
        api_url=None,
        timeout=30,
        max_wait=30.0,
        session=None,
        governor=None,
        sleep=time.sleep,
        allowed_hosts=None,
    ):
        if not store_hash:
            raise ValueError("A BigCommerce store hash is required.")
        if not access_token:
            raise ValueError("A BigCommerce access token is required.")
        self.store_hash = store_hash
        self.api_url = resolve_api_url(store_hash, api_url)
        # The token goes to BigCommerce's host only, or to a host the server
        # configuration allows (the sandbox): checked before anything is sent.
        if allowed_hosts is None:
            allowed_hosts = hosts_from_environment()
        check_api_url(self.api_url, allowed_hosts)
        self.api_host = urlsplit(self.api_url).netloc
        # A scalar, not a (connect, read) tuple: one number is what every
        # caller (and Odoo's test-mode guard on requests) understands.
        self.timeout = timeout
        self.max_wait = max_wait
        self._token = _Secret(access_token)
        self._session = session or requests.Session()
        self._governor = governor or governor_for(self.api_url)
        self._sleep = sleep
        # An AnswerCache of the running batch step (answers.py), or None.
        self.answers = None

    def __repr__(self):
        return f"<BigCommerceClient host={self.api_host}>"

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------

    def request(self, method, version, path, *, params=None, json=None, files=None):
        """One call; returns the decoded body (None for 204/empty).

        ``files``: a ``multipart/form-data`` body instead of JSON, as
        ``{name: (filename, bytes, content type)}`` plus plain text fields
        ``{name: text}`` (an image upload).

        Waits (within ``max_wait``) for the rate limit and retries 429, 5xx
        and transport failures of reads; anything else raises at once. A GET
        the attached ``answers`` cache already holds is not sent again.
        """
        answers = self.answers if method == "GET" else None
        if answers is None:
            return self._request(method, version, path, params, json, files)
        key = request_key(version, path, params)
        body = answers.get(key)
        if body is MISSING:
            body = self._request(method, version, path, params, json, files)
            answers.put(key, body)
        return body

    def _request(self, method, version, path, params, json, files=None):
        budget = self.max_wait
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                return self._request_once(
                    method, version, path, params, json, budget, files=files
                )
            except errors.RetryableError as error:
                budget -= time.monotonic() - started
                wait = self._interactive_wait(error, method, attempt)
                if wait is None or wait > budget:
                    raise
                _logger.info(
                    "BigCommerce %s %s/%s: %s; retrying in %.1f s",
                    method,
                    version,
                    path,
                    error.message,
                    wait,
                )
                self._sleep(wait)
                budget -= wait
                attempt += 1

    def _interactive_wait(self, error, method, attempt):
        if isinstance(error, errors.RateLimitError):
            return error.retry_after if attempt < 5 else None
        # Writes are not repeated here: a timeout may hide a write that happened.
        if method != "GET" or attempt >= len(INTERACTIVE_RETRY_DELAYS):
            return None
        return INTERACTIVE_RETRY_DELAYS[attempt]

    def _request_once(self, method, version, path, params, json, max_wait, files=None):
        self._governor.acquire(max(0.0, max_wait))
        usage.record(self.api_url)
        url = f"{self.api_url}/{version}/{path.lstrip('/')}"
        headers = {
            "X-Auth-Token": self._token.reveal(),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if json is not None:
            headers["Content-Type"] = "application/json"
        # requests writes the multipart Content-Type (with its boundary).
        file_parts = text_parts = None
        if files:
            file_parts = {k: v for k, v in files.items() if isinstance(v, tuple)}
            text_parts = {k: v for k, v in files.items() if not isinstance(v, tuple)}
        context = {"method": method, "path": f"/{version}/{path.lstrip('/')}"}
        try:
            response = self._session.request(
                method,
                url,
                params=params,
                json=json,
                files=file_parts,
                data=text_parts,
                headers=headers,
                timeout=self.timeout,
                # requests drops Authorization on a redirect to another host,
                # not X-Auth-Token: a redirect is never followed.
                allow_redirects=False,
            )
        except requests.Timeout:
            raise errors.RequestTimeoutError(
                f"BigCommerce did not answer within {self.timeout} s.", **context
            ) from None
        except requests.RequestException as error:
            # The host only: the URL's path holds the store hash.
            raise errors.TransportError(
                f"Could not reach BigCommerce at {self.api_host} "
                f"({type(error).__name__}).",
                **context,
            ) from None
        self._governor.update(response.headers)
        if response.status_code < 300:
            return self._decode(response, context)
        if response.status_code < 400:
            # BigCommerce's API does not redirect; whatever does is not it,
            # so neither its body nor its Location reaches the message.
            raise errors.InvalidRequestError(
                f"The API answered with a redirect ({response.status_code}), "
                "which is not followed: check the API base URL.",
                status=response.status_code,
                **context,
            )
        raise self._error_for(response, context)

    def _decode(self, response, context):
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise errors.ServerError(
                "BigCommerce sent a response that is not JSON.",
                status=response.status_code,
                retry_after=SERVER_ERROR_RETRY_S,
                **context,
            ) from None

    def _error_for(self, response, context):
        status = response.status_code
        detail, details = self._error_text(response)
        if status == 429:
            return self._rate_limit_error(response, detail, context)
        if status >= 500:
            return errors.ServerError(
                f"BigCommerce server error {status}{detail}.",
                status=status,
                retry_after=SERVER_ERROR_RETRY_S,
                details=details,
                **context,
            )
        kind = {
            401: errors.AuthenticationError,
            403: errors.AccessDeniedError,
            404: errors.NotFoundError,
        }.get(status, errors.InvalidRequestError)
        return kind(
            f"BigCommerce refused the request ({status}){detail}.",
            status=status,
            details=details,
            **context,
        )

    def _rate_limit_error(self, response, detail, context):
        headers = response.headers
        reset_ms = headers.get("X-Rate-Limit-Time-Reset-Ms")
        retry_after = headers.get("X-Retry-After")
        if reset_ms not in (None, ""):
            wait = max(float(reset_ms) / 1000.0, 0.0)
            self._governor.throttled(float(reset_ms))
            return errors.RateLimitError(
                f"BigCommerce rate limit reached{detail}; the quota resets in "
                f"{wait:.1f} s.",
                retry_after=wait,
                status=429,
                **context,
            )
        if retry_after not in (None, ""):
            wait = float(retry_after)
            platform_load = False
        else:
            wait = PLATFORM_LOAD_RETRY_S
            platform_load = True
        return errors.RateLimitError(
            f"BigCommerce is throttling this store (429){detail}.",
            retry_after=wait,
            platform_load=platform_load,
            status=429,
            **context,
        )

    def _error_text(self, response):
        """BigCommerce's own explanation, from a v2 array or a v3 problem object."""
        try:
            body = response.json()
        except ValueError:
            return "", {}
        messages = []
        details = {}
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            body = body["data"]  # refund endpoints wrap their errors in data
        if isinstance(body, list):
            for item in body:
                if isinstance(item, dict):
                    text = item.get("message") or item.get("title") or item.get("error")
                    if text:
                        messages.append(str(text))
        elif isinstance(body, dict):
            if body.get("title"):
                messages.append(str(body["title"]))
            field_errors = body.get("errors")
            if isinstance(field_errors, dict):
                details = {str(k): str(v) for k, v in field_errors.items()}
                messages.extend(f"{k}: {v}" for k, v in details.items())
        text = self._scrub("; ".join(messages))
        details = {k: self._scrub(v) for k, v in details.items()}
        return (f": {text}" if text else ""), details

    def _scrub(self, text):
        token = self._token.reveal()
        return text.replace(token, "<hidden>") if token and text else text

    # ------------------------------------------------------------------
    # Collections
    # ------------------------------------------------------------------

    def get_v2(self, path, params=None):
        return self.request("GET", "v2", path, params=params)

    def get_v3(self, path, params=None):
        """The ``data`` of a v3 resource."""
        body = self.request("GET", "v3", path, params=params)
        return body.get("data") if isinstance(body, dict) else body

    def iter_v2(self, path, params=None, limit=PAGE_LIMIT):
        """Rows of a v2 collection, page by page, until 204, ``[]`` or a short page."""
        page = 1
        while True:
            query = dict(params or {}, page=page, limit=limit)
            rows = self.get_v2(path, query)
            if not rows:
                return
            yield from rows
            if len(rows) < limit:
                return
            page += 1

    def iter_v3(self, path, params=None, limit=PAGE_LIMIT):
        """Rows of a v3 collection, following ``meta.pagination`` when present."""
        page = 1
        while True:
            query = dict(params or {}, page=page, limit=limit)
            body = self.request("GET", "v3", path, params=query) or {}
            rows = body.get("data") or []
            yield from rows
            pagination = (body.get("meta") or {}).get("pagination")
            if pagination and pagination.get("total_pages") is not None:
                if page >= int(pagination["total_pages"]):
                    return
            elif len(rows) < limit:
                # Refund lists document an empty meta: stop on a short page.
                return
            if not rows:
                return
            page += 1

    # ------------------------------------------------------------------
    # Store settings
    # ------------------------------------------------------------------

    def get_store(self):
        return self.get_v2("store")

    def get_time(self):
        return self.get_v2("time")

    def iter_currencies(self):
        return self.iter_v2("currencies")

    def iter_order_statuses(self):
        # Not paged by BigCommerce: one call returns the 15 statuses.
        return iter(self.get_v2("order_statuses") or [])

    def iter_tax_classes(self):
        return self.iter_v2("tax_classes")

    def iter_channels(self):
        return self.iter_v3("channels")

    def iter_locations(self):
        return self.iter_v3("inventory/locations")

    # ------------------------------------------------------------------
    # Orders, refunds, customers, catalog
    # ------------------------------------------------------------------

    def iter_orders(self, **filters):
        """Orders with their lines, consignments and fees embedded."""
        params = {"include": ORDER_INCLUDES, "consignment_structure": "object"}
        params.update(filters)
        return self.iter_v2("orders", params)

    def get_order(self, order_id):
        params = {"include": ORDER_INCLUDES, "consignment_structure": "object"}
        return self.get_v2(f"orders/{int(order_id)}", params)

    def iter_order_products(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/products")

    def iter_order_taxes(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/taxes", {"details": "true"})

    def iter_order_coupons(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/coupons")

    def iter_order_shipping_addresses(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/shipping_addresses")

    def iter_order_shipments(self, order_id):
        return self.iter_v2(f"orders/{int(order_id)}/shipments")

    def iter_order_transactions(self, order_id):
        """The order's payment transactions (orders.v3 getOrderTransactions)."""
        return self.iter_v3(f"orders/{int(order_id)}/transactions")

    def iter_refunds(self, **filters):
        return self.iter_v3("orders/payment_actions/refunds", filters)

    def iter_order_refunds(self, order_id):
        return self.iter_v3(f"orders/{int(order_id)}/payment_actions/refunds")

    def get_refund(self, refund_id):
        return self.get_v3(f"orders/payment_actions/refunds/{int(refund_id)}")

    def iter_customers(self, **filters):
        params = {"include": "addresses"}
        params.update(filters)
        return self.iter_v3("customers", params)

    def iter_products(self, **filters):
        params = {"include": "variants,images"}
        params.update(filters)
        return self.iter_v3("catalog/products", params)

    # ------------------------------------------------------------------
    # Writes back to BigCommerce (never retried here: see _interactive_wait)
    # ------------------------------------------------------------------

    def create_shipment(self, order_id, shipment):
        """POST ``orderShipment_Post``; BigCommerce e-mails the shopper (P15)."""
        return self.request(
            "POST", "v2", f"orders/{int(order_id)}/shipments", json=shipment
        )

    def update_order_status(self, order_id, status_id):
        """PUT only ``status_id``: ``products``/``fees`` would rewrite the order."""
        return self.request(
            "PUT", "v2", f"orders/{int(order_id)}", json={"status_id": int(status_id)}
        )

    def update_variants(self, variants):
        """Batch PUT /catalog/variants (BigCommerce takes at most 50 per call)."""
        body = self.request("PUT", "v3", "catalog/variants", json=list(variants))
        return body.get("data") if isinstance(body, dict) else body

    # Listings (products mastered in Odoo): products_catalog.v3.yml,
    # product-variants_catalog.v3.yml, product-variant-options_catalog.v3.yml.

    def find_products(self, **filters):
        """The first page of ``GET /catalog/products`` with these filters
        (``sku``, ``name``, ``id:in``...): a lookup, never a whole catalog."""
        return self.get_v3("catalog/products", filters) or []

    def iter_variants(self, **filters):
        """``GET /catalog/variants`` (``sku``, ``product_id:in``...), every page."""
        return self.iter_v3("catalog/variants", filters)

    def create_product(self, product):
        """POST one product (its variants nested); the answer has no variants."""
        return self._data(self.request("POST", "v3", "catalog/products", json=product))

    def update_products(self, products):
        """Batch PUT /catalog/products (BigCommerce takes at most 10 per call)."""
        body = self.request("PUT", "v3", "catalog/products", json=list(products))
        return self._data(body) or []

    def update_variant(self, product_id, variant_id, values):
        """PUT one variant: what the batch cannot change (``sku``, ``gtin``)."""
        path = f"catalog/products/{int(product_id)}/variants/{int(variant_id)}"
        return self._data(self.request("PUT", "v3", path, json=values))

    def create_variant(self, product_id, variant):
        """POST a variant of existing option values (``id`` + ``option_id``)."""
        path = f"catalog/products/{int(product_id)}/variants"
        return self._data(self.request("POST", "v3", path, json=variant))

    def iter_product_options(self, product_id):
        return self.iter_v3(f"catalog/products/{int(product_id)}/options")

    def create_option(self, product_id, option):
        path = f"catalog/products/{int(product_id)}/options"
        return self._data(self.request("POST", "v3", path, json=option))

    def create_option_value(self, product_id, option_id, value):
        path = f"catalog/products/{int(product_id)}/options/{int(option_id)}/values"
        return self._data(self.request("POST", "v3", path, json=value))

    def upload_product_image(
        self, product_id, filename, content, content_type, **fields
    ):
        """POST a multipart ``image_file`` (at most 8 MB); ``fields``:
        ``is_thumbnail``, ``sort_order``, ``description``."""
        parts = {"image_file": (filename, content, content_type)}
        for name, value in fields.items():
            if value is not None:
                parts[name] = (
                    str(value).lower() if isinstance(value, bool) else str(value)
                )
        path = f"catalog/products/{int(product_id)}/images"
        return self._data(self.request("POST", "v3", path, files=parts))

    def delete_product_image(self, product_id, image_id):
        path = f"catalog/products/{int(product_id)}/images/{int(image_id)}"
        return self.request("DELETE", "v3", path)

    @staticmethod
    def _data(body):
        return body.get("data") if isinstance(body, dict) else body

    def capture_payment(self, order_id):
        return self.request(
            "POST", "v3", f"orders/{int(order_id)}/payment_actions/capture"
        )

    # ------------------------------------------------------------------
    # Webhooks (v3 /hooks: only the hooks of this token's API account)
    # ------------------------------------------------------------------

    def iter_hooks(self, **filters):
        return self.iter_v3("hooks", filters)

    def create_hook(self, scope, destination, headers=None, is_active=True):
        body = {"scope": scope, "destination": destination, "is_active": is_active}
        if headers is not None:
            body["headers"] = headers
        return self._hook_data(self.request("POST", "v3", "hooks", json=body))

    def update_hook(self, hook_id, **changes):
        """PUT ``webhook_Put`` fields: scope, destination, is_active, headers."""
        body = self.request("PUT", "v3", f"hooks/{int(hook_id)}", json=changes)
        return self._hook_data(body)

    def delete_hook(self, hook_id):
        return self._hook_data(self.request("DELETE", "v3", f"hooks/{int(hook_id)}"))

    @staticmethod
    def _hook_data(body):
        # The spec wraps the hook in {data, meta}; the overview page's example
        # shows it bare: accept both.
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            return body["data"]
        return body
