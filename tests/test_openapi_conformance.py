"""Strict OpenAPI conformance: the validator itself, then every sandbox endpoint.

Run: ``python3 -m pytest tests/test_openapi_conformance.py -q -p no:cacheprovider``
(add ``--noconftest`` if tests/conftest.py cannot import the sandbox).

The specs are BigCommerce's own (``../shared/bigcommerce-openapi`` or
``$BIGCOMMERCE_OPENAPI_DIR``); a missing spec directory fails, it never skips.
"""

import base64
import copy
import os
import re
import sys
import time
import urllib.parse

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.openapi_conformance import (  # noqa: E402
    NO_BODY,
    SchemaValidator,
    Spec,
    SpecIndex,
    SpecNotFoundError,
    spec_dir,
    validate,
    validate_request,
)

STORE = "/stores/abc123"
MAX_LISTED = 30


@pytest.fixture(scope="module")
def index():
    problem = None
    try:
        return SpecIndex.load()
    except SpecNotFoundError as exc:
        problem = str(exc)
    pytest.fail(f"BigCommerce OpenAPI specs unavailable: {problem}", pytrace=False)


def _example(index, method, path, status=200, name=None):
    examples = index.example_bodies(method, STORE + path, status)
    assert examples, f"the spec has no example for {method} {path} {status}"
    return copy.deepcopy(examples[name] if name else next(iter(examples.values())))


# ---------------------------------------------------------------------------------
# Part 1: the validator
# ---------------------------------------------------------------------------------


def test_spec_directory_is_present():
    directory = spec_dir()
    assert os.path.isdir(directory), (
        f"BigCommerce OpenAPI spec directory missing: {directory} "
        "(set BIGCOMMERCE_OPENAPI_DIR)"
    )
    specs = [n for n in os.listdir(directory) if n.endswith((".yml", ".yaml"))]
    assert len(specs) >= 19, specs


def test_index_is_cached_and_covers_every_spec(index):
    assert SpecIndex.load() is index
    assert len(index.specs) >= 19
    bases = {spec.base_path for spec in index.specs}
    assert bases == {"/stores/{store_hash}/v2", "/stores/{store_hash}/v3"}
    assert len(index.operations) > 250


@pytest.mark.parametrize(
    "method,path,status,name",
    [
        ("GET", "/v2/time", 200, None),
        ("GET", "/v2/store", 200, None),
        ("GET", "/v2/orders/count", 200, None),
        ("GET", "/v2/orders/101/products", 200, None),
        ("GET", "/v2/orders/101/shipping_addresses", 200, None),
        ("GET", "/v2/orders/101/coupons", 200, None),
        ("GET", "/v2/orders/101/taxes", 200, None),
        ("GET", "/v2/orders/101/shipments", 200, None),
        ("GET", "/v2/orders/101/products/5", 200, "Product with Variants"),
        ("GET", "/v3/orders/payment_actions/refunds/7", 200, None),
        ("GET", "/v3/customers/addresses", 200, None),
        ("GET", "/v3/catalog/brands", 200, None),
        ("GET", "/v3/catalog/products/77", 200, None),
        ("GET", "/v3/catalog/trees", 200, None),
        ("GET", "/v3/channels", 200, None),
        ("GET", "/v3/hooks/18048287", 200, None),
        ("GET", "/v3/hooks", 401, None),
    ],
)
def test_correct_spec_examples_validate(index, method, path, status, name):
    body = _example(index, method, path, status, name)
    assert validate(method, STORE + path, status, body, index) == []


def test_wrong_spec_example_is_reported(index):
    """The spec's own GET /v2/order_statuses example has an undeclared ``order``."""
    body = _example(index, "GET", "/v2/order_statuses")
    errors = validate("GET", STORE + "/v2/order_statuses", 200, body, index)
    assert "$[0].order: property is not declared in the schema (value 0)" in errors
    assert len(errors) == len(body)  # one per status row, nothing else


def test_unknown_property_is_reported(index):
    body = _example(index, "GET", "/v2/time")
    body["timezone"] = "UTC"
    errors = validate("GET", STORE + "/v2/time", 200, body, index)
    assert errors == [
        '$.timezone: property is not declared in the schema (value "UTC")'
    ]

    brands = _example(index, "GET", "/v3/catalog/brands")
    brands["data"][1]["custom_url"]["bogus"] = 1
    brands["meta"]["pagination"]["cursor"] = "x"
    errors = validate("GET", STORE + "/v3/catalog/brands", 200, brands, index)
    assert errors == [
        "$.data[1].custom_url.bogus: property is not declared in the schema (value 1)",
        '$.meta.pagination.cursor: property is not declared in the schema (value "x")',
    ]


def test_missing_required_property_is_reported(index):
    brands = _example(index, "GET", "/v3/catalog/brands")
    del brands["data"][0]["name"]
    errors = validate("GET", STORE + "/v3/catalog/brands", 200, brands, index)
    assert errors == ["$.data[0].name: required property is missing"]


def test_wrong_types_are_reported(index):
    path = STORE + "/v2/time"
    assert validate("GET", path, 200, {"time": "1529512970"}, index) == [
        '$.time: expected integer, got string ("1529512970")'
    ]
    assert validate("GET", path, 200, {"time": True}, index) == [
        "$.time: expected integer, got boolean (true)"
    ]
    assert validate("GET", path, 200, {"time": 1.5}, index) == [
        "$.time: expected integer, got number (1.5)"
    ]
    assert validate("GET", path, 200, {"time": None}, index) == [
        "$.time: null is not allowed (integer, not nullable)"
    ]
    assert validate("GET", path, 200, [], index) == [
        "$: expected object, got array ([])"
    ]

    products = _example(index, "GET", "/v2/orders/101/products")
    products[0]["quantity"] = "1"
    products[0]["type"] = "nonsense"
    errors = validate("GET", STORE + "/v2/orders/101/products", 200, products, index)
    assert '$[0].quantity: expected integer, got string ("1")' in errors
    assert any(e.startswith('$[0].type: "nonsense" is not one of') for e in errors)
    assert len(errors) == 2, errors


def test_path_matching_prefers_literal_segments(index):
    def template(method, path):
        op = index.find_operation(method, path)
        return op and (op.spec.base_path.rsplit("/", 1)[-1] + op.template)

    assert template("GET", STORE + "/v2/orders/count") == "v2/orders/count"
    assert template("GET", STORE + "/v2/orders/101") == "v2/orders/{order_id}"
    assert template("GET", STORE + "/v2/orders/101?include=fees") == (
        "v2/orders/{order_id}"
    )
    assert template("GET", "http://127.0.0.1:9/stores/h/v2/orders/1/shipments") == (
        "v2/orders/{order_id}/shipments"
    )
    assert template("GET", STORE + "/v2/orders/1/shipments/count") == (
        "v2/orders/{order_id}/shipments/count"
    )
    assert template("GET", STORE + "/v2/orders/1/shipments/4") == (
        "v2/orders/{order_id}/shipments/{shipment_id}"
    )
    assert template("GET", STORE + "/v3/hooks/admin") == "v3/hooks/admin"
    assert template("GET", STORE + "/v3/hooks/15") == "v3/hooks/{webhook_id}"
    assert template("GET", STORE + "/v3/orders/payment_actions/refunds") == (
        "v3/orders/payment_actions/refunds"
    )
    assert template("GET", STORE + "/v3/orders/payment_actions/refunds/3") == (
        "v3/orders/payment_actions/refunds/{refund_id}"
    )
    assert template("GET", STORE + "/v3/orders/5/payment_actions/refunds") == (
        "v3/orders/{order_id}/payment_actions/refunds"
    )
    assert template("GET", STORE + "/v3/customers/addresses") == (
        "v3/customers/addresses"
    )
    assert template("GET", STORE + "/v3/catalog/trees/categories") == (
        "v3/catalog/trees/categories"
    )
    assert template("GET", STORE + "/v3/catalog/variants") == "v3/catalog/variants"
    # v2 and v3 are different servers; unknown paths/methods match nothing
    assert template("GET", STORE + "/v3/orders/count") is None
    assert template("GET", STORE + "/v2/catalog/brands") is None
    assert template("PATCH", STORE + "/v2/orders/1") is None
    errors = validate("GET", STORE + "/v2/nowhere", 200, {}, index)
    assert errors == ["$: no spec operation matches GET /stores/abc123/v2/nowhere"]


def test_status_selection_and_empty_bodies(index):
    # documented error responses are validated like any other
    not_found = [{"status": 404, "message": "The requested resource was not found."}]
    fees = STORE + "/v2/orders/1/fees"
    assert validate("GET", fees, 404, not_found, index) == []
    bad = validate("GET", fees, 404, {"title": "x"}, index)
    assert bad == ['$: expected array, got object ({"title": "x"})']
    hook = STORE + "/v3/hooks/1"
    v3_error = {"status": 401, "title": "Unauthorized", "type": "https://x"}
    assert validate("GET", hook, 401, v3_error, index) == []
    # an undocumented status is a violation
    errors = validate("GET", STORE + "/v2/time", 500, {}, index)
    assert errors == [
        "$: status 500 is not documented for GET /stores/{store_hash}/v2/time "
        "[store_information.v2.yml] (documented: 200)"
    ]
    # 204: no JSON body documented, the body must be empty
    brand = STORE + "/v3/catalog/brands/3"
    assert validate("DELETE", brand, 204, None, index) == []
    assert validate("DELETE", brand, 204, b"", index) == []
    assert validate("DELETE", brand, 204, {"ok": True}, index) == [
        "$: DELETE /stores/{store_hash}/v3/catalog/brands/{brand_id} "
        "[brands_catalog.v3.yml] documents no JSON body for status 204, "
        'got {"ok": true}'
    ]
    # a JSON body is required where one is documented; raw bytes are decoded
    assert validate("GET", STORE + "/v2/time", 200, None, index) == [
        "$: expected a JSON body for status 200, got an empty body"
    ]
    assert validate("GET", STORE + "/v2/time", 200, b'{"time": 5}', index) == []
    assert validate("GET", STORE + "/v2/time", 200, b"<html>", index) == [
        '$: body is not JSON: "<html>"'
    ]


SYNTHETIC = {
    "components": {
        "schemas": {
            "Base": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}},
            },
            "Named": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "allOf": [
                            {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string"}},
                            }
                        ]
                    },
                ]
            },
            "Secret": {
                "type": "object",
                "required": ["id", "password"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "password": {"type": "string", "writeOnly": True},
                    "note": {"type": "string", "nullable": True},
                    "legacy": {"type": "string", "x-nullable": True},
                    "state": {"type": "string", "enum": ["a", "b"], "nullable": True},
                },
            },
            "Bag": {
                "type": "object",
                "properties": {"id": {"type": "integer"}},
                "additionalProperties": {"type": "string"},
            },
            "Open": {
                "type": "object",
                "properties": {"id": {"type": "integer"}},
                "additionalProperties": True,
            },
            "FreeForm": {"type": "object"},
            "Either": {
                "oneOf": [
                    {"type": "number"},
                    {"type": "string"},
                    {"$ref": "#/components/schemas/Named"},
                ]
            },
            "Numbers": {"type": "array", "items": {"type": "number"}},
        }
    }
}


def _check(name, value):
    validator = SchemaValidator(Spec("synthetic.yml", SYNTHETIC))
    return validator.validate({"$ref": f"#/components/schemas/{name}"}, value)


def test_synthetic_allof_is_flattened():
    assert _check("Named", {"id": 1, "name": "x"}) == []
    assert _check("Named", {"id": 1}) == ["$.name: required property is missing"]
    assert _check("Named", {"id": 1, "name": 2, "x": 0}) == [
        "$.name: expected string, got integer (2)",
        "$.x: property is not declared in the schema (value 0)",
    ]


def test_synthetic_nullable_enum_readonly_writeonly():
    assert _check("Secret", {"id": 1}) == []  # writeOnly password not required
    assert _check("Secret", {"id": 1, "password": "p"}) == []
    assert _check("Secret", {"id": 1, "note": None, "legacy": None}) == []
    assert _check("Secret", {"id": 1, "state": None}) == []
    assert _check("Secret", {"id": 1, "state": "c"}) == [
        '$.state: "c" is not one of ["a", "b"]'
    ]
    assert _check("Secret", {"id": None}) == [
        "$.id: null is not allowed (integer, not nullable)"
    ]
    assert _check("Secret", {}) == ["$.id: required property is missing"]


def test_synthetic_additional_properties_and_free_form():
    assert _check("Bag", {"id": 1, "a": "x", "b": "y"}) == []
    assert _check("Bag", {"id": 1, "a": 3}) == ["$.a: expected string, got integer (3)"]
    assert _check("Open", {"id": 1, "anything": [1, {"x": None}]}) == []
    assert _check("FreeForm", {"anything": 1}) == []


def test_synthetic_oneof_and_arrays():
    assert _check("Either", 1.5) == []
    assert _check("Either", "1.5") == []
    assert _check("Either", {"id": 1, "name": "n"}) == []
    errors = _check("Either", {"id": 1, "name": "n", "extra": True})
    assert errors[0].startswith("$: matches none of the 3 oneOf alternatives")
    assert "$.extra: property is not declared in the schema (value true)" in errors
    assert _check("Either", None) == [
        "$: null is not allowed (no nullable alternative)"
    ]
    assert _check("Numbers", [1, 2.5, True, "3"]) == [
        "$[2]: expected number, got boolean (true)",
        '$[3]: expected number, got string ("3")',
    ]


# ---------------------------------------------------------------------------------
# Part 2: every endpoint the sandbox store serves
# ---------------------------------------------------------------------------------

INCLUDE_ORDER = {
    "include": "consignments.line_items,fees",
    "consignment_structure": "object",
}
SINCE = "2000-01-01T00:00:00+00:00"


# Where the spec contradicts itself, the schema used for the sandbox checks.
SPEC_FIXES = [
    # GET /v2/orders/{id}/fees: the schema says one orderFees_Resp object, but its own
    # example is {"fees": [...]}, the order's ``fees`` include is "array of
    # orderFees_Resp" and every other v2 sub-resource list is a plain array.
    (
        "GET",
        "/orders/{order_id}/fees",
        200,
        {"type": "array", "items": {"$ref": "#/components/schemas/orderFees_Resp"}},
    ),
    # DELETE /pricelists/{price_list_id}/records (price_lists.v3.yml): its 204
    # declares a JSON object (status, title...), but a 204 answer carries no
    # body (RFC 9110, 15.3.5): the sandbox, like the other 204s, sends none.
    ("DELETE", "/pricelists/{price_list_id}/records", 204, NO_BODY),
]


# GET /v3/catalog/products[/{id}]: ``include=variants`` is in the documented include
# enum (IncludeParamBase) but product_Full does not declare ``variants`` (only the
# POST request schema does); the rows embedded are productVariant_Full.
PRODUCT_VARIANTS_INCLUDE = {
    "type": "object",
    "properties": {
        "variants": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/productVariant_Full"},
        }
    },
}


def _with_variants_include(index, template):
    op = index.find_operation("GET", "/stores/h/v3" + template)
    schema = copy.deepcopy(
        op.spec.deref(
            index.response_for(op, 200)[1]["content"]["application/json"]["schema"]
        )
    )
    data = schema["properties"]["data"]
    if data.get("type") == "array":
        data["items"] = {"allOf": [data["items"], PRODUCT_VARIANTS_INCLUDE]}
    else:
        schema["properties"]["data"] = {"allOf": [data, PRODUCT_VARIANTS_INCLUDE]}
    return ("GET", template, 200, schema)


@pytest.fixture(scope="module")
def sandbox_index(index):
    fixed = SpecIndex(index.directory)  # a private copy: the cached one stays pure
    fixes = SPEC_FIXES + [
        _with_variants_include(fixed, "/catalog/products"),
        _with_variants_include(fixed, "/catalog/products/{product_id}"),
    ]
    for method, template, status, schema in fixes:
        fixed.override_schema(method, template, status, schema)
    return fixed


@pytest.fixture(scope="module")
def store():
    problem = None
    try:
        from bigcommerce_sandbox import SandboxStore
    except Exception as exc:  # any import problem is a failure here
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        pytest.fail(f"the sandbox server cannot be imported: {problem}", pytrace=False)
    sandbox = SandboxStore(seed=42)
    # The Standard quota (150 requests) with a short window, as the other
    # suites: Client.call waits out a 429 as BigCommerce asks.
    sandbox.set_rate_limit(quota=150, window_ms=3000)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


class Client:
    """Calls the sandbox and validates each answer; collects every violation."""

    def __init__(self, store, index):
        import requests

        self.store = store
        self.index = index
        self.session = requests.Session()
        self.session.headers.update(
            {"X-Auth-Token": store.access_token, "Accept": "application/json"}
        )
        self.violations = []
        self.grouped = []  # (label, error) for the summary by endpoint and path
        self.unimplemented = []
        self.calls = 0

    def call(
        self,
        method,
        path,
        params=None,
        json=None,
        expect=None,
        headers=None,
        files=None,
        data=None,
    ):
        """Request ``/v2/...`` or ``/v3/...``; returns the decoded body (or None).

        ``files``/``data``: a ``multipart/form-data`` body (image uploads).
        """
        import requests

        url = self.store.api_url + path
        query = urllib.parse.urlencode(params or {}, safe=":,")
        label = f"{method} {path}{'?' + query if query else ''}"
        self.calls += 1
        options = {
            "params": params,
            "json": json,
            "headers": headers,
            "files": files,
            "data": data,
            "timeout": 30,
        }
        try:
            response = self.session.request(method, url, **options)
            waits = 0
            while response.status_code == 429 and waits < 20:
                waits += 1
                # The quota is met: wait for the window to reset (the header
                # BigCommerce sends) and ask again; a 429 is not a violation.
                reset_ms = int(response.headers.get("X-Rate-Limit-Time-Reset-Ms", 1000))
                time.sleep(max(reset_ms, 1) / 1000)
                response = self.session.request(method, url, **options)
        except requests.RequestException as exc:
            self.violations.append(f"{label}: no HTTP answer ({exc})")
            self.grouped.append((label, f"no HTTP answer ({exc})"))
            return None
        status = response.status_code
        if expect is None and status in (404, 405):
            self.unimplemented.append(f"{label} -> {status} {response.text[:120]}")
            return None
        if expect is not None and status != expect:
            problem = f"status {status}, expected {expect} ({response.text[:150]})"
            self.violations.append(f"{label}: {problem}")
            self.grouped.append((label, problem))
        elif expect is None and not 200 <= status < 300:
            problem = f"status {status} ({response.text[:150]})"
            self.violations.append(f"{label}: {problem}")
            self.grouped.append((label, problem))
        content_type = response.headers.get("Content-Type", "")
        if response.content and "json" not in content_type:
            self.violations.append(f"{label}: Content-Type {content_type!r}")
            self.grouped.append((label, f"Content-Type {content_type!r}"))
        if self._empty_v2_page(method, response):
            return None
        errors = validate(
            method, response.request.url, status, response.content, self.index
        )
        self.violations.extend(f"{label}: {error}" for error in errors)
        self.grouped.extend((label, error) for error in errors)
        try:
            return response.json() if response.content else None
        except ValueError:
            return None

    def _empty_v2_page(self, method, response):
        """BigCommerce answers an empty v2 list page with 204 and no body.

        The Orders v2 spec documents that only for ``/orders/{id}/shipments``, but
        it is real, relied-upon behaviour (../shared/docs/bigcommerce-api.md, P1), so
        it is accepted for every v2 GET whose 200 answer is a JSON array.
        """
        if method != "GET" or response.status_code != 204 or response.content:
            return False
        if "/v2/" not in urllib.parse.urlsplit(response.request.url).path:
            return False
        _op, schema, problem = self.index.response_schema(
            method, response.request.url, 200
        )
        if problem or not isinstance(schema, dict):
            return False
        return _op.spec.deref(schema).get("type") == "array"

    def paged_v3(self, path, params=None):
        """Every row of a v3 collection (follows meta.pagination)."""
        rows, page = [], 1
        while True:
            body = self.call("GET", path, {**(params or {}), "page": page, "limit": 50})
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                return rows
            rows.extend(body["data"])
            pagination = (body.get("meta") or {}).get("pagination") or {}
            if page >= int(pagination.get("total_pages") or 1) or not body["data"]:
                return rows
            page += 1

    def summary(self):
        """Violations grouped by endpoint template and JSON path: [(count, text)]."""
        groups = {}
        for label, error in self.grouped:
            key = (_generic_label(label), _generic_error(error))
            if key not in groups:
                groups[key] = [0, label, error]
            groups[key][0] += 1
        return [
            (count, f"{key[0]}: {key[1]}   [{count}x, e.g. {label}: {error}]")
            for key, (count, label, error) in groups.items()
        ]

    def report(self):
        lines = []
        if self.grouped:
            summary = self.summary()
            lines.append(
                f"{len(summary)} distinct violation(s) (endpoint, path, error):"
            )
            lines.extend(f"  {text}" for _count, text in summary[:MAX_LISTED])
        if self.unimplemented:
            lines.append(f"{len(self.unimplemented)} endpoint(s) not implemented:")
            lines.extend(f"  {u}" for u in self.unimplemented[:MAX_LISTED])
        if self.violations:
            lines.append(
                f"{len(self.violations)} violation(s) in {self.calls} call(s)"
                f" (first {min(MAX_LISTED, len(self.violations))}):"
            )
            lines.extend(f"  {v}" for v in self.violations[:MAX_LISTED])
        return "\n".join(lines)

    def assert_clean(self):
        assert self.calls, "no request was made"
        if self.unimplemented or self.violations:
            pytest.fail(self.report(), pytrace=False)


_VOLATILE_QUERY = {"page", "limit", "min_date_modified", "created:min"}


def _generic_label(label):
    """``GET /v2/orders/101?page=2`` -> ``GET /v2/orders/{id}`` (includes kept)."""
    method, _sp, target = label.partition(" ")
    path, _q, query = target.partition("?")
    path = re.sub(r"/\d+(?=/|$)", "/{id}", path)
    params = [
        p
        for p in query.split("&")
        if p and p.split("=")[0] not in _VOLATILE_QUERY | {"date_modified:min"}
    ]
    return f"{method} {path}{'?' + '&'.join(params) if params else ''}"


def _generic_error(error):
    error = re.sub(r"\[\d+\]", "[*]", error)
    error = re.sub(r" \(value .*\)$", "", error)
    error = re.sub(r"(expected \w+, got \w+) \(.*\)$", r"\1", error)
    error = re.sub(r"/orders/\d+", "/orders/{id}", error)
    return re.sub(r"^(\$[^:]*): .* is not one of", r"\1: value is not one of", error)


def _ids(rows):
    return [row["id"] for row in rows]


def case_store_settings(c, state):
    for path in (
        "/v2/store",
        "/v2/time",
        "/v2/currencies",
        "/v2/order_statuses",
        "/v2/tax_classes",
    ):
        c.call("GET", path)
    for row in state.tax_classes:
        c.call("GET", f"/v2/tax_classes/{row['id']}")


def case_orders_list(c, state):
    """All pages of /v2/orders, plain, with includes, and the polling query."""
    polling = {"min_date_modified": SINCE, "sort": "date_modified:asc"}
    for extra, limit in ((INCLUDE_ORDER, 50), ({}, 50), (polling, 250)):
        page = 1
        while True:
            body = c.call("GET", "/v2/orders", {**extra, "page": page, "limit": limit})
            if not isinstance(body, list) or len(body) < limit:
                break
            page += 1
    c.call("GET", "/v2/orders/count")


def case_orders_each(c, state):
    for order_id in sorted(state.orders):
        base = f"/v2/orders/{order_id}"
        c.call("GET", base)
        c.call("GET", base, INCLUDE_ORDER)
        for sub in ("products", "shipping_addresses", "coupons", "taxes", "fees"):
            c.call("GET", f"{base}/{sub}")
        c.call("GET", f"{base}/taxes", {"details": "true"})
        c.call("GET", f"{base}/shipments")
        c.call("GET", f"{base}/consignments")
        for product in state.order_products.get(order_id, [])[:2]:
            c.call("GET", f"{base}/products/{product['id']}")
        for shipment in state.order_shipments.get(order_id, [])[:2]:
            c.call("GET", f"{base}/shipments/{shipment['id']}")


def case_refunds(c, state):
    for order_id in sorted(state.orders):
        c.call("GET", f"/v3/orders/{order_id}/payment_actions/refunds")
        c.call("GET", f"/v3/orders/{order_id}/transactions")
    c.paged_v3("/v3/orders/payment_actions/refunds")
    c.call("GET", "/v3/orders/payment_actions/refunds", {"created:min": SINCE})
    for refund_id in sorted(state.refunds):
        c.call("GET", f"/v3/orders/payment_actions/refunds/{refund_id}")


def case_customers(c, state):
    c.paged_v3("/v3/customers")
    c.paged_v3("/v3/customers", {"include": "addresses"})
    c.call("GET", "/v3/customers", {"date_modified:min": SINCE})
    ids = ",".join(str(i) for i in sorted(state.customers)[:5])
    c.call("GET", "/v3/customers", {"id:in": ids, "include": "addresses"})
    c.paged_v3("/v3/customers/addresses")


def case_products(c, state):
    c.paged_v3("/v3/catalog/products", {"include": "variants,images"})
    c.call("GET", "/v3/catalog/products")
    for product_id in sorted(state.products):
        base = f"/v3/catalog/products/{product_id}"
        c.call("GET", base)
        c.call("GET", base, {"include": "variants,images"})
        for sub in ("variants", "options", "modifiers", "images"):
            c.call("GET", f"{base}/{sub}")
    c.paged_v3("/v3/catalog/variants")


def case_catalog_misc(c, state):
    c.paged_v3("/v3/catalog/brands")
    c.call("GET", "/v3/catalog/trees")
    c.paged_v3("/v3/catalog/trees/categories")


def case_inventory(c, state):
    c.paged_v3("/v3/inventory/items")
    c.call("GET", "/v3/inventory/locations")
    for location_id in _ids(state.locations):
        c.paged_v3(f"/v3/inventory/locations/{location_id}/items")
        c.call(
            "GET",
            f"/v3/inventory/locations/{location_id}/items",
            {"variant_id:in": "201,202", "page": 1, "limit": 250},
        )
    c.call(
        "GET", "/v3/inventory/items", {"location_id:in": "2", "product_id:in": "112"}
    )
    by_variant = next(
        p for p in state.products.values() if p["inventory_tracking"] == "variant"
    )
    by_product = next(
        p for p in state.products.values() if p["inventory_tracking"] == "product"
    )
    variant_id = state.variants[by_variant["id"]][0]["id"]
    c.call(
        "PUT",
        "/v3/inventory/adjustments/absolute",
        json={
            "reason": "conformance",
            "items": [
                {"location_id": 1, "variant_id": variant_id, "quantity": 7},
                {"location_id": 2, "product_id": by_product["id"], "quantity": 0},
            ],
        },
    )
    # P11: a variant of a product tracked by product is refused (spec's 422 example).
    c.call(
        "PUT",
        "/v3/inventory/adjustments/absolute",
        json={
            "items": [
                {
                    "location_id": 1,
                    "variant_id": state.variants[by_product["id"]][0]["id"],
                    "quantity": 1,
                }
            ]
        },
        expect=422,
    )


def case_channels(c, state):
    c.call("GET", "/v3/channels")
    for channel_id in _ids(state.channels):
        c.call("GET", f"/v3/channels/{channel_id}")


def case_customer_groups(c, state):
    c.call("GET", "/v2/customer_groups")
    c.call("GET", "/v2/customer_groups", {"page": 1, "limit": 250})
    c.call("GET", "/v2/customer_groups", {"name": "Wholesale"})
    c.call("GET", "/v2/customer_groups/count")
    for group_id in sorted(state.customer_groups):
        c.call("GET", f"/v2/customer_groups/{group_id}")


def case_hooks(c, state):
    c.call("GET", "/v3/hooks")
    created = c.call(
        "POST",
        "/v3/hooks",
        json={
            "scope": "store/order/*",
            "destination": "https://example.com/webhooks",
            "is_active": True,
            "headers": {"X-Custom": "1"},
        },
    )
    hook_id = ((created or {}).get("data") or {}).get("id")
    assert hook_id, f"POST /v3/hooks did not return data.id: {created!r}\n{c.report()}"
    c.call("GET", f"/v3/hooks/{hook_id}")
    c.call("PUT", f"/v3/hooks/{hook_id}", json={"is_active": False})
    c.call("GET", "/v3/hooks")
    c.call("DELETE", f"/v3/hooks/{hook_id}")
    c.call("GET", f"/v3/hooks/{hook_id}", expect=404)


def case_outbound_writes(c, state):
    """What the connector sends back: shipments, order status, prices, capture."""
    order_id = next(
        oid
        for oid, order in sorted(state.orders.items())
        if order["status_id"] == 11
        and any(
            line["type"] == "physical" and line["quantity_shipped"] < line["quantity"]
            for line in state.order_products.get(oid, [])
        )
    )
    line = next(
        line
        for line in state.order_products[order_id]
        if line["type"] == "physical" and line["quantity_shipped"] < line["quantity"]
    )
    c.call(
        "POST",
        f"/v2/orders/{order_id}/shipments",
        json={
            "order_address_id": line["order_address_id"],
            "tracking_number": "1Z999AA10123456784",
            "shipping_provider": "",
            "tracking_carrier": "ups",
            "items": [{"order_product_id": line["id"], "quantity": 1}],
        },
        expect=201,
    )
    c.call("GET", f"/v2/orders/{order_id}/shipments")
    c.call("PUT", f"/v2/orders/{order_id}", json={"status_id": 5}, expect=200)
    variants = [v for rows in state.variants.values() for v in rows][:3]
    c.call(
        "PUT",
        "/v3/catalog/variants",
        json=[{"id": v["id"], "price": 12.5} for v in variants],
        expect=200,
    )
    authorized = next(
        oid
        for oid, order in sorted(state.orders.items())
        if order["payment_status"] == "authorized"
    )
    c.call("POST", f"/v3/orders/{authorized}/payment_actions/capture", expect=201)
    c.call("POST", f"/v3/orders/{authorized}/payment_actions/capture", expect=422)


def _request_ok(c, method, path, body):
    """What is sent conforms too: the request body against its requestBody."""
    errors = validate_request(method, STORE + path, body, c.index)
    c.violations.extend(f"{method} {path} (request): {error}" for error in errors)
    c.grouped.extend((f"{method} {path} (request)", error) for error in errors)


def _send(c, method, path, body, expect=200):
    _request_ok(c, method, path, body)
    return (c.call(method, path, json=body, expect=expect) or {}).get("data")


def case_catalog_writes(c, state):
    """Listings made in Odoo: products, batches, variants, options, images."""
    from bigcommerce_sandbox.cdn import _png

    category = state.tree_categories[0]["category_id"]
    brand = sorted(state.brands)[0]
    simple = _send(
        c,
        "POST",
        "/v3/catalog/products",
        {
            "name": "Conformance Mug",
            "type": "physical",
            "sku": "CONF-MUG",
            "description": "<p>A mug.</p>",
            "weight": 0.8,
            "width": 10.0,
            "depth": 10.0,
            "height": 12.0,
            "price": 12.5,
            "cost_price": 4.0,
            "categories": [category],
            "brand_id": brand,
            "is_visible": True,
            "inventory_tracking": "product",
            "gtin": "4006381333931",
        },
    )
    assert simple and simple.get("base_variant_id"), c.report()
    with_options = _send(
        c,
        "POST",
        "/v3/catalog/products",
        {
            "name": "Conformance Tee",
            "type": "physical",
            "weight": 0.2,
            "price": 20.0,
            "categories": [],
            "variants": [
                {
                    "sku": f"CONF-TEE-{size}-{color}",
                    "price": 20.0,
                    "weight": 0.2,
                    "upc": "012345678905" if size == "S" and color == "Red" else "",
                    "option_values": [
                        {"option_display_name": "Size", "label": size},
                        {"option_display_name": "Color", "label": color},
                    ],
                }
                for size in ("S", "M")
                for color in ("Red", "Blue")
            ],
        },
    )
    assert with_options, c.report()
    tee = with_options["id"]
    variants = c.call("GET", "/v3/catalog/variants", {"product_id:in": str(tee)})
    assert len(variants["data"]) == 4, variants
    # Duplicate name (409, documented), oversize batch (413, the spec's example).
    _send(
        c,
        "POST",
        "/v3/catalog/products",
        {"name": "Conformance Mug", "type": "physical", "weight": 1, "price": 1},
        expect=409,
    )
    _send(
        c,
        "PUT",
        "/v3/catalog/products",
        [{"id": simple["id"], "name": "Conformance Mug XL", "weight": 0.9}]
        + [{"id": pid, "is_visible": True} for pid in sorted(state.products)[:3]],
    )
    _send(
        c,
        "PUT",
        "/v3/catalog/products",
        [{"id": pid} for pid in sorted(state.products)[:11]],
        expect=413,
    )
    size = next(o for o in state.options[tee] if o["display_name"] == "Size")
    value = _send(
        c,
        "POST",
        f"/v3/catalog/products/{tee}/options/{size['id']}/values",
        {"label": "L", "sort_order": 2},
    )
    color = next(o for o in state.options[tee] if o["display_name"] == "Color")
    red = next(v for v in color["option_values"] if v["label"] == "Red")
    _send(
        c,
        "POST",
        f"/v3/catalog/products/{tee}/variants",
        {
            "sku": "CONF-TEE-L-Red",
            "price": 22.0,
            "weight": 0.25,
            "option_values": [
                {"id": value["id"], "option_id": size["id"]},
                {"id": red["id"], "option_id": color["id"]},
            ],
        },
    )
    _send(
        c,
        "POST",
        f"/v3/catalog/products/{tee}/options",
        {
            "display_name": "Fit",
            "type": "rectangles",
            "option_values": [{"label": "Slim", "sort_order": 0}],
        },
    )
    first = variants["data"][0]["id"]
    _send(
        c,
        "PUT",
        "/v3/catalog/variants",
        [{"id": first, "price": 21.0, "weight": 0.3, "upc": "012345678905"}],
    )
    # SKU and GTIN are not in the batch's schema: one variant at a time.
    _send(
        c,
        "PUT",
        f"/v3/catalog/products/{tee}/variants/{first}",
        {"sku": "CONF-TEE-S-RED-2", "gtin": "4006381333931"},
    )
    c.call("GET", f"/v3/catalog/products/{tee}/variants")
    c.call("GET", f"/v3/catalog/products/{tee}", {"include": "variants,images"})
    image = c.call(
        "POST",
        f"/v3/catalog/products/{simple['id']}/images",
        files={"image_file": ("mug.png", _png((10, 20, 30)), "image/png")},
        data={"is_thumbnail": "true", "description": "Mug"},
        expect=200,
    )
    image_id = ((image or {}).get("data") or {}).get("id")
    assert image_id, c.report()
    c.call("GET", f"/v3/catalog/products/{simple['id']}/images")
    c.call(
        "DELETE", f"/v3/catalog/products/{simple['id']}/images/{image_id}", expect=204
    )


def _cursor(row_id):
    """A cursor of the price list operations: base64 of the row's key."""
    return base64.b64encode(str(row_id).encode()).decode()


def case_price_lists(c, state):
    """Every price list operation the sandbox serves (price_lists.v3.yml),
    requests checked against their requestBody too."""
    c.call("GET", "/v3/pricelists")
    c.call("GET", "/v3/pricelists", {"page": 1, "limit": 2})
    first = c.call("GET", "/v3/pricelists", {"limit": 1}) or {}
    end = ((first.get("meta") or {}).get("cursor_pagination") or {}).get("end_cursor")
    assert end, f"no cursor in {first!r}"
    c.call("GET", "/v3/pricelists", {"after": end, "limit": 1})
    c.call("GET", "/v3/pricelists", {"name:like": "sale", "date_modified:min": SINCE})
    for list_id in sorted(state.price_lists):
        c.call("GET", f"/v3/pricelists/{list_id}")
        c.paged_v3(f"/v3/pricelists/{list_id}/records")
        c.paged_v3(
            f"/v3/pricelists/{list_id}/records", {"include": "bulk_pricing_tiers,sku"}
        )
    record = sorted(state.price_records)[0]
    list_id, variant_id, currency = record
    base = f"/v3/pricelists/{list_id}/records"
    c.call("GET", base, {"currency": "usd", "variant_id:in": str(variant_id)})
    c.call("GET", f"{base}/{variant_id}", {"include": "bulk_pricing_tiers,sku"})
    c.call(
        "GET",
        f"{base}/{variant_id}/{currency}",
        {"include": "bulk_pricing_tiers,sku"},
    )
    page = c.call("GET", base, {"limit": 2, "include": "sku"}) or {}
    end = page["meta"]["cursor_pagination"]["end_cursor"]
    later = c.call("GET", base, {"after": end, "limit": 2}) or {}
    start = later["meta"]["cursor_pagination"]["start_cursor"]
    c.call("GET", base, {"before": start, "limit": 1})
    c.call("GET", "/v3/pricelists/assignments", {"after": _cursor(1), "limit": 1})
    created = _send(
        c, "POST", "/v3/pricelists", {"name": "Conformance", "active": False}
    )
    assert created and created.get("id"), c.report()
    new = created["id"]
    _send(c, "POST", "/v3/pricelists", {"name": "Conformance"}, expect=409)
    c.call("POST", "/v3/pricelists", json={"active": True}, expect=422)  # no name
    _send(c, "PUT", f"/v3/pricelists/{new}", {"name": "Conformance 2", "active": True})
    _send(c, "PUT", "/v3/pricelists/987654", {"name": "Nowhere"}, expect=404)
    variants = [v for rows in state.variants.values() for v in rows][:3]
    tiers = [
        {"quantity_min": 5, "quantity_max": 9, "type": "percent", "amount": 5},
        {"quantity_min": 10, "quantity_max": 2147483647, "type": "fixed", "amount": 8},
    ]
    _send(
        c,
        "PUT",
        f"/v3/pricelists/{new}/records",
        [
            {"variant_id": variants[0]["id"], "currency": "usd", "price": 9.5},
            {
                "sku": variants[1]["sku"],
                "currency": "usd",
                "price": 10,
                "sale_price": 9,
                "bulk_pricing_tiers": tiers,
            },
        ],
    )
    _send(
        c,
        "POST",
        f"/v3/pricelists/{new}/records",
        [{"variant_id": variants[2]["id"], "currency": "eur", "price": 8.25}],
    )
    _send(
        c,
        "POST",
        f"/v3/pricelists/{new}/records",
        [{"variant_id": variants[2]["id"], "currency": "eur", "price": 8.25}],
        expect=422,
    )
    _send(
        c,
        "PUT",
        f"/v3/pricelists/{new}/records",
        [{"variant_id": 987654, "currency": "usd", "price": 1}],
        expect=422,
    )
    _send(
        c,
        "PUT",
        f"/v3/pricelists/{new}/records",
        [{"variant_id": variants[0]["id"], "currency": "usd", "price": 1}] * 1001,
        expect=422,
    )
    c.paged_v3(f"/v3/pricelists/{new}/records", {"include": "bulk_pricing_tiers,sku"})
    one = f"/v3/pricelists/{new}/records/{variants[0]['id']}/usd"
    _send(c, "PUT", one, {"price": 9.75, "bulk_pricing_tiers": tiers})
    _send(c, "PUT", one, {"sale_price": -1}, expect=422)
    c.call("GET", one)
    c.call("DELETE", one, expect=204)
    _send(
        c,
        "PUT",
        "/v3/pricelists/records",
        [
            {
                "price_list_id": new,
                "variant_id": variants[0]["id"],
                "currency": "usd",
                "price": 7,
            }
        ],
    )
    _send(
        c,
        "POST",
        "/v3/pricelists/records",
        [{"price_list_id": new, "variant_id": variants[0]["id"], "currency": "usd"}],
        expect=422,
    )
    c.call(
        "DELETE",
        f"/v3/pricelists/{new}/records",
        {"currency": "eur", "variant_id:in": str(variants[2]["id"])},
        expect=204,
    )
    c.paged_v3("/v3/pricelists/assignments")
    c.call("GET", "/v3/pricelists/assignments", {"customer_group_id": 1})
    c.call("GET", "/v3/pricelists/assignments", {"channel_id:in": "1,2", "page": 1})
    _send(
        c,
        "POST",
        "/v3/pricelists/assignments",
        [{"price_list_id": new, "customer_group_id": 1, "channel_id": 2}],
    )
    _send(
        c,
        "POST",
        "/v3/pricelists/assignments",
        [{"price_list_id": new, "customer_group_id": 2, "channel_id": 1}],
        expect=422,
    )
    _send(
        c,
        "PUT",
        f"/v3/pricelists/{new}/assignments",
        {"customer_group_id": 1, "channel_id": 2},
    )
    _send(
        c,
        "PUT",
        f"/v3/pricelists/{new}/assignments",
        {"customer_group_id": 987654, "channel_id": 1},
        expect=404,
    )
    c.call("DELETE", "/v3/pricelists/assignments", {"price_list_id": new}, expect=204)
    c.call("DELETE", f"/v3/pricelists/{new}", expect=204)


def case_errors(c, state):
    missing = max(state.orders) + 100000
    c.call("GET", f"/v2/orders/{missing}", expect=404)
    c.call("GET", f"/v2/orders/{missing}/fees", expect=404)
    c.call("GET", "/v3/hooks/987654321", expect=404)
    c.call("GET", "/v3/inventory/locations/987654321/items", expect=404)
    bad = {"X-Auth-Token": "not-a-valid-token"}
    c.call("GET", "/v3/hooks", expect=401, headers=bad)
    c.call("GET", "/v3/hooks/1", expect=401, headers=bad)


CASES = {
    "store_settings": case_store_settings,
    "orders_list": case_orders_list,
    "orders_each": case_orders_each,
    "refunds": case_refunds,
    "customers": case_customers,
    "products": case_products,
    "catalog_misc": case_catalog_misc,
    "inventory": case_inventory,
    "channels": case_channels,
    "customer_groups": case_customer_groups,
    "hooks": case_hooks,
    "outbound_writes": case_outbound_writes,
    "catalog_writes": case_catalog_writes,
    "price_lists": case_price_lists,
    "errors": case_errors,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_sandbox_conforms_to_openapi(store, sandbox_index, case):
    client = Client(store, sandbox_index)
    CASES[case](client, store.state)
    client.assert_clean()
