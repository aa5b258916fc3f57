"""The sandbox behaves like BigCommerce: auth, rate limits, paging, control API."""

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from bigcommerce_connector.client import parse_datetime, parse_money
from bigcommerce_sandbox import SandboxStore


def call(sandbox, method, path, token=None, **kwargs):
    headers = {"Accept": "application/json"}
    headers["X-Auth-Token"] = sandbox.access_token if token is None else token
    return requests.request(
        method, f"{sandbox.api_url}{path}", headers=headers, timeout=5, **kwargs
    )


def control(sandbox, method, path, body=None):
    response = requests.request(
        method, f"{sandbox.url}/_sandbox/{path}", json=body, timeout=5
    )
    assert response.status_code < 300, response.text
    return response.json()


def test_same_seed_same_store():
    first, second = SandboxStore(seed=7), SandboxStore(seed=7)
    for attribute in ("orders", "customers", "products", "refunds", "order_products"):
        assert json.dumps(
            getattr(first.state, attribute), sort_keys=True
        ) == json.dumps(getattr(second.state, attribute), sort_keys=True)
    other = SandboxStore(seed=8)
    assert json.dumps(first.state.orders, sort_keys=True) != json.dumps(
        other.state.orders, sort_keys=True
    )


def test_missing_or_wrong_token_is_401(sandbox):
    assert call(sandbox, "GET", "/v2/store", token="").status_code == 401
    response = call(sandbox, "GET", "/v3/customers", token="wrong")
    assert response.status_code == 401
    assert response.json()["status"] == 401  # v3 error object


def test_unknown_store_hash_is_404(sandbox):
    response = requests.get(
        f"{sandbox.url}/stores/nosuchstore/v2/store",
        headers={"X-Auth-Token": sandbox.access_token},
        timeout=5,
    )
    assert response.status_code == 404


def test_rate_limit_headers_and_429(sandbox):
    sandbox.set_rate_limit(quota=3, window_ms=10000)
    lefts = []
    for _ in range(3):
        response = call(sandbox, "GET", "/v2/time")
        assert response.status_code == 200
        # Case-insensitive access, as BigCommerce may send lower-case names.
        lefts.append(int(response.headers["x-rate-limit-requests-left"]))
        assert response.headers["X-Rate-Limit-Requests-Quota"] == "3"
        assert response.headers["X-Rate-Limit-Time-Window-Ms"] == "10000"
        assert 0 < int(response.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 10000
    assert lefts == [2, 1, 0]
    throttled = call(sandbox, "GET", "/v2/time")
    assert throttled.status_code == 429
    assert throttled.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert sandbox.count_429 == 1


def test_v2_orders_default_listing_and_filters(sandbox):
    response = call(sandbox, "GET", "/v2/orders", params={"limit": 250})
    rows = response.json()
    assert len(rows) == len(
        [
            o
            for o in sandbox.state.orders.values()
            if o["status_id"] and not o["is_deleted"]
        ]
    )
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert all(r["products"]["resource"].endswith("/products") for r in rows)
    shipped = call(sandbox, "GET", "/v2/orders", params={"status_id": 2}).json()
    assert shipped and {r["status_id"] for r in shipped} == {2}
    incomplete = call(sandbox, "GET", "/v2/orders", params={"status_id": 0}).json()
    assert incomplete and {r["status_id"] for r in incomplete} == {0}


def test_v2_min_date_modified_accepts_rfc2822_and_iso(sandbox):
    dates = sorted(
        parse_datetime(o["date_modified"]) for o in sandbox.state.orders.values()
    )
    cut = dates[len(dates) // 2]
    expected = {
        o["id"]
        for o in sandbox.state.orders.values()
        if o["status_id"] and parse_datetime(o["date_modified"]) >= cut
    }
    for text in (cut.strftime("%a, %d %b %Y %H:%M:%S +0000"), cut.isoformat()):
        rows = call(
            sandbox,
            "GET",
            "/v2/orders",
            params={
                "min_date_modified": text,
                "sort": "date_modified:asc",
                "limit": 250,
            },
        ).json()
        assert {r["id"] for r in rows} == expected
        modified = [parse_datetime(r["date_modified"]) for r in rows]
        assert modified == sorted(modified)


def test_v2_limit_above_250_is_413(sandbox):
    assert call(sandbox, "GET", "/v2/orders", params={"limit": 251}).status_code == 413


def test_order_include_embeds_lines_shipping_and_fees(sandbox):
    order_id = next(
        oid
        for oid, rows in sandbox.state.order_shipping_addresses.items()
        if len(rows) > 1
    )
    order = call(
        sandbox,
        "GET",
        f"/v2/orders/{order_id}",
        params={
            "include": "consignments.line_items,fees",
            "consignment_structure": "object",
        },
    ).json()
    shipping = order["consignments"]["shipping"]
    assert len(shipping) == 2
    embedded = [line["id"] for c in shipping for line in c["line_items"]]
    physical = [
        p["id"]
        for p in sandbox.state.order_products[order_id]
        if p["type"] == "physical"
    ]
    assert sorted(embedded) == sorted(physical)
    assert isinstance(order["fees"], list)
    total_shipping = sum(parse_money(c["cost_inc_tax"]) for c in shipping)
    assert total_shipping == parse_money(order["shipping_cost_inc_tax"])


def test_v3_customers_filter_include_and_meta(sandbox):
    customers = sorted(
        sandbox.state.customers.values(), key=lambda c: c["date_modified"]
    )
    cut = customers[len(customers) // 2]["date_modified"]
    body = call(
        sandbox,
        "GET",
        "/v3/customers",
        params={"date_modified:min": cut, "include": "addresses", "limit": 4},
    ).json()
    expected = [
        c
        for c in customers
        if parse_datetime(c["date_modified"]) >= parse_datetime(cut)
    ]
    assert body["meta"]["pagination"]["total"] == len(expected)
    assert body["meta"]["pagination"]["count"] == min(4, len(expected))
    assert all("addresses" in c for c in body["data"])
    wanted = [c["id"] for c in customers[:3]]
    body = call(
        sandbox, "GET", "/v3/customers", params={"id:in": ",".join(map(str, wanted))}
    ).json()
    assert sorted(c["id"] for c in body["data"]) == sorted(wanted)


def test_refunds_created_min(sandbox):
    refunds = sorted(sandbox.state.refunds.values(), key=lambda r: r["id"])
    cut = refunds[len(refunds) // 2]["created"]
    rows = call(
        sandbox,
        "GET",
        "/v3/orders/payment_actions/refunds",
        params={"created:min": cut},
    ).json()["data"]
    assert [r["id"] for r in rows] == [
        r["id"] for r in refunds if parse_datetime(r["created"]) >= parse_datetime(cut)
    ]


def test_control_api_changes_the_store(sandbox):
    before = sandbox.request_count
    order = control(sandbox, "POST", "orders", {"status_id": 11})
    assert call(sandbox, "GET", f"/v2/orders/{order['id']}").json()["status_id"] == 11
    control(sandbox, "POST", "clock", {"advance_seconds": 3600})
    updated = control(sandbox, "PUT", f"orders/{order['id']}/status", {"status_id": 2})
    assert updated["status_id"] == 2
    assert parse_datetime(updated["date_modified"]) - parse_datetime(
        order["date_modified"]
    ) >= timedelta(seconds=3600)
    refund = control(
        sandbox, "POST", f"orders/{order['id']}/refunds", {"kind": "partial"}
    )
    listed = call(sandbox, "GET", f"/v3/orders/{order['id']}/payment_actions/refunds")
    assert [r["id"] for r in listed.json()["data"]] == [refund["id"]]
    assert call(sandbox, "GET", f"/v2/orders/{order['id']}").json()["status_id"] == 14
    stats = control(sandbox, "GET", "stats")
    assert stats["request_count"] == before + 3


def test_post_shipment_updates_lines_and_status(sandbox):
    order = sandbox.create_order(status_id=11)
    address = sandbox.state.order_shipping_addresses[order["id"]][0]
    lines = [
        p for p in sandbox.state.order_products[order["id"]] if p["type"] == "physical"
    ]
    response = call(
        sandbox,
        "POST",
        f"/v2/orders/{order['id']}/shipments",
        json={
            "order_address_id": address["id"],
            "tracking_number": "EJ958083578UK",
            "items": [
                {"order_product_id": p["id"], "quantity": p["quantity"]} for p in lines
            ],
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["tracking_number"] == "EJ958083578UK"
    assert sandbox.state.orders[order["id"]]["status_id"] == 2
    too_many = call(
        sandbox,
        "POST",
        f"/v2/orders/{order['id']}/shipments",
        json={
            "order_address_id": address["id"],
            "items": [{"order_product_id": lines[0]["id"], "quantity": 1}],
        },
    )
    assert too_many.status_code == 400


class _Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhooks_are_delivered_signed(sandbox):
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        created = call(
            sandbox,
            "POST",
            "/v3/hooks",
            json={
                "scope": "store/order/*",
                "destination": f"http://127.0.0.1:{receiver.server_port}/hook",
                "is_active": True,
                "headers": {"X-Odoo-Webhook-Token": "s3cret"},
            },
        )
        assert created.status_code == 200, created.text
        order = sandbox.create_order()
        sandbox.webhooks.wait()
    finally:
        receiver.shutdown()
    assert len(_Receiver.received) == 1
    headers, body = _Receiver.received[0]
    payload = json.loads(body)
    assert payload["scope"] == "store/order/created"
    assert payload["data"] == {"type": "order", "id": order["id"]}
    assert payload["producer"] == f"stores/{sandbox.store_hash}"
    assert headers["X-Odoo-Webhook-Token"] == "s3cret"
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    digest = hmac.new(sandbox.client_secret.encode(), signed, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()


def test_hooks_are_private_to_their_api_account(sandbox):
    sandbox.add_token("other-app", client_id="other-client")
    body = {"scope": "store/order/created", "destination": "https://example.com/h"}
    hook = call(sandbox, "POST", "/v3/hooks", json=body).json()["data"]
    assert call(sandbox, "GET", "/v3/hooks", token="other-app").json()["data"] == []
    assert (
        call(sandbox, "GET", f"/v3/hooks/{hook['id']}", token="other-app").status_code
        == 404
    )
    duplicate = call(sandbox, "POST", "/v3/hooks", json=body)
    assert duplicate.status_code == 422


@pytest.mark.parametrize("fault", ["500", "503"])
def test_queued_faults_answer_once(sandbox, fault):
    sandbox.queue_faults(fault)
    assert call(sandbox, "GET", "/v2/time").status_code == int(fault)
    assert call(sandbox, "GET", "/v2/time").status_code == 200
