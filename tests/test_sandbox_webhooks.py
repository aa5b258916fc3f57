"""The sandbox delivers webhooks like BigCommerce: redelivery, order, deactivation."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bigcommerce_connector.client import BigCommerceClient
from bigcommerce_connector.client.webhook_auth import check_signature


class _Receiver(BaseHTTPRequestHandler):
    received = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, _Receiver.received
    server.shutdown()


@pytest.fixture
def hooked(sandbox, receiver):
    server, received = receiver
    client = BigCommerceClient(
        sandbox.store_hash, sandbox.access_token, api_url=sandbox.api_url
    )
    hook = client.create_hook(
        "store/order/*",
        f"http://127.0.0.1:{server.server_port}/hook",
        headers={"X-Odoo-Webhook-Token": "s3cret"},
    )
    return sandbox, client, hook, received


def control(sandbox, path, body=None):
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=body, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_client_manages_hooks(hooked):
    sandbox, client, hook, _received = hooked
    assert hook["scope"] == "store/order/*" and hook["is_active"] is True
    assert [h["id"] for h in client.iter_hooks()] == [hook["id"]]
    updated = client.update_hook(hook["id"], is_active=False)
    assert updated["is_active"] is False
    assert client.delete_hook(hook["id"])["id"] == hook["id"]
    assert list(client.iter_hooks()) == []


def test_redelivery_resends_the_same_event_freshly_signed(hooked):
    sandbox, _client, _hook, received = hooked
    sandbox.create_order()
    sandbox.webhooks.wait()
    records = control(sandbox, "webhooks/redeliver", {"times": 3})
    assert records["statuses"] == [200, 200, 200]
    assert len(received) == 4
    bodies = {body for _headers, body in received}
    assert len(bodies) == 1  # same payload, so the same hash
    ids = {headers["webhook-id"] for headers, _body in received}
    assert len(ids) == 1  # Standard Webhooks: a retry keeps its id
    for headers, body in received:
        lowered = {k.lower(): v for k, v in headers.items()}
        check_signature(
            sandbox.client_secret, lowered, body, int(lowered["webhook-timestamp"])
        )


def test_concurrent_redelivery(hooked):
    sandbox, _client, _hook, received = hooked
    sandbox.create_order()
    sandbox.webhooks.wait()
    records = sandbox.webhooks.redeliver(times=4, concurrent=True)
    assert [r["status"] for r in records] == [200] * 4
    assert len(received) == 5


def test_held_events_are_released_out_of_order(hooked):
    sandbox, _client, _hook, received = hooked
    control(sandbox, "webhooks/hold")
    order = sandbox.create_order()
    sandbox.set_order_status(order["id"], 2)
    assert received == []
    assert control(sandbox, "webhooks/release", {"order": "reverse"}) == {"sent": 3}
    scopes = [json.loads(body)["scope"] for _headers, body in received]
    assert scopes == [
        "store/order/statusUpdated",
        "store/order/updated",
        "store/order/created",
    ]


def test_deactivated_hook_drops_events_until_reactivated(hooked):
    sandbox, client, hook, received = hooked
    assert control(sandbox, f"hooks/{hook['id']}/deactivate")["is_active"] is False
    sandbox.create_order()
    sandbox.webhooks.wait()
    assert received == []
    assert [h["is_active"] for h in client.iter_hooks(is_active="false")] == [False]
    client.update_hook(hook["id"], is_active=True)
    sandbox.create_order()
    sandbox.webhooks.wait()
    assert len(received) == 1


def test_customer_changes_emit_customer_events(hooked):
    sandbox, client, _hook, received = hooked
    customer_hook = client.create_hook(
        "store/customer/*", next(iter(client.iter_hooks()))["destination"]
    )
    assert customer_hook["scope"] == "store/customer/*"
    customer_id = min(sandbox.state.customers)
    sandbox.update_customer(customer_id, first_name="Renamed")
    sandbox.delete_customer(customer_id)
    sandbox.webhooks.wait()
    scopes = sorted(json.loads(body)["scope"] for _headers, body in received)
    assert scopes == ["store/customer/deleted", "store/customer/updated"]
    assert customer_id not in sandbox.state.customers
