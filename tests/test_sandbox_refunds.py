"""Refunds in the sandbox and the client: the kinds the refund import needs."""

from decimal import Decimal

import pytest
import requests

from bigcommerce_connector.client import BigCommerceClient, NotFoundError
from bigcommerce_connector.client.parsing import (
    format_iso8601,
    parse_datetime,
    parse_money,
)


def control(sandbox, method, path, body=None):
    response = requests.request(
        method, f"{sandbox.url}/_sandbox/{path}", json=body, timeout=5
    )
    assert response.status_code < 300, response.text
    return response.json()


@pytest.fixture
def client(sandbox):
    sandbox.set_rate_limit(quota=150, window_ms=3000)
    return BigCommerceClient(
        sandbox.store_hash, sandbox.access_token, api_url=sandbox.api_url, max_wait=0
    )


def _order(sandbox, **options):
    return sandbox.create_order(status_id=11, **options)


def test_order_level_refund_is_untaxed_and_reports_its_amount(sandbox):
    order = _order(sandbox)
    refund = sandbox.add_refund(
        order["id"], items=[{"item_type": "ORDER", "amount": 4.25}]
    )
    assert refund["items"] == [
        {
            "item_type": "ORDER",
            "item_id": order["id"],
            "reason": "",
            "requested_amount": 4.25,
        }
    ]
    assert refund["total_amount"] == 4.25 and refund["total_tax"] == 0
    assert sandbox.state.orders[order["id"]]["status_id"] == 14


def test_amount_bound_items_carry_their_requested_amount(sandbox):
    order = _order(sandbox)
    refund = sandbox.add_refund(order["id"], kind="shipping")
    address = sandbox.state.order_shipping_addresses[order["id"]][0]
    (item,) = refund["items"]
    assert item["requested_amount"] == float(Decimal(address["cost_inc_tax"]))
    product = sandbox.add_refund(order["id"], kind="partial")
    assert "requested_amount" not in product["items"][0]


def test_merchant_override_replaces_the_totals(sandbox):
    order = _order(sandbox)
    refund = sandbox.add_refund(
        order["id"],
        kind="partial",
        override={"total_amount": 3.0, "total_tax": 0.2},
    )
    assert refund["uses_merchant_override_values"] is True
    assert (refund["total_amount"], refund["total_tax"]) == (3.0, 0.2)
    assert sum(p["amount"] for p in refund["payments"]) == 3.0
    with pytest.raises(ValueError):
        sandbox.add_refund(
            order["id"],
            kind="partial",
            override={"total_amount": 1.0, "total_tax": 2.0},
        )


def test_control_api_refunds_and_tampering(sandbox):
    order = _order(sandbox, currency_code="EUR")
    refund = control(
        sandbox,
        "POST",
        f"orders/{order['id']}/refunds",
        {"items": [{"item_type": "ORDER", "amount": 2}]},
    )
    assert refund["items"][0]["item_type"] == "ORDER"
    tampered = control(sandbox, "PUT", f"refunds/{refund['id']}", {"total_amount": 99})
    assert tampered["total_amount"] == 99
    assert sandbox.state.refunds[refund["id"]]["total_amount"] == 99
    response = requests.put(
        f"{sandbox.url}/_sandbox/refunds/{refund['id']}",
        json={"order_id": 1},
        timeout=5,
    )
    assert response.status_code == 400


def test_client_reads_one_refund_and_filters_lists(sandbox, client):
    order = _order(sandbox)
    refund = sandbox.add_refund(order["id"], kind="shipping")
    single = client.get_refund(refund["id"])
    assert single["id"] == refund["id"]
    # The single-refund response types requested_amount as a string.
    assert single["items"][0]["requested_amount"] == (
        f"{refund['items'][0]['requested_amount']:.2f}"
    )
    assert parse_money(single["items"][0]["requested_amount"]) == parse_money(
        refund["items"][0]["requested_amount"]
    )
    with pytest.raises(NotFoundError):
        client.get_refund(999999)
    by_order = list(client.iter_refunds(**{"order_id:in": str(order["id"])}))
    assert [r["id"] for r in by_order] == [refund["id"]]
    by_id = list(client.iter_refunds(**{"id:in": f"{refund['id']},1"}))
    assert sorted(r["id"] for r in by_id) == sorted({1, refund["id"]})
    since = parse_datetime(refund["created"])
    recent = list(client.iter_refunds(**{"created:min": format_iso8601(since)}))
    assert [r["id"] for r in recent] == [refund["id"]]


def test_transactions_of_a_paid_order_and_its_refund():
    """GET /v3/orders/{id}/transactions (issue 29): the gateway purchase with
    its gateway transaction id, then the refund referring to it."""
    from bigcommerce_sandbox.server import SandboxStore
    from bigcommerce_sandbox.transactions import order_transactions

    store = SandboxStore(seed=42)
    order = store.create_order(status_id=11, guest=True, payment_method="Credit Card")
    (purchase,) = order_transactions(store.state, order["id"])
    assert purchase["event"] == "purchase"
    assert purchase["gateway"] == "braintree"
    assert purchase["gateway_transaction_id"].startswith("bt")
    assert purchase["amount"] == float(order["total_inc_tax"])
    refund = store.add_refund(order["id"], kind="partial")
    rows = order_transactions(store.state, order["id"])
    assert [row["event"] for row in rows] == ["purchase", "refund"]
    assert rows[1]["reference_transaction_id"] == purchase["id"]
    assert rows[1]["amount"] == refund["payments"][0]["amount"]
    assert order_transactions(store.state, order["id"]) == rows
