"""Orders edited after they were placed, and refunds without a refund record,
in the sandbox (seed/order_edits.py; CONTRACT.md "Edited orders")."""

from decimal import Decimal

import pytest
import requests

from tests.test_sandbox_seed import assert_order_consistent


def control(sandbox, method, path, body=None):
    response = requests.request(
        method, f"{sandbox.url}/_sandbox/{path}", json=body, timeout=5
    )
    assert response.status_code < 300, response.text
    return response.json()


def _skus(sandbox, count=2):
    variants = sandbox.state.variants
    return [variants[key][0]["sku"] for key in sorted(variants)[:count]]


def test_edit_adds_a_line_keeps_ids_and_reprices(sandbox):
    first, second = _skus(sandbox)
    order = sandbox.create_order(status_id=11, lines=[(first, 2)], tax_inclusive=False)
    order_id = order["id"]
    before_total = Decimal(order["total_inc_tax"])
    (line,) = sandbox.state.order_products[order_id]
    address_id = sandbox.state.order_shipping_addresses[order_id][0]["id"]
    modified = order["date_modified"]
    sandbox.advance_clock(60)
    edited = control(
        sandbox,
        "PUT",
        f"orders/{order_id}",
        {"lines": [{"sku": second, "quantity": 1}]},
    )
    lines = sandbox.state.order_products[order_id]
    assert [row["id"] for row in lines][0] == line["id"]
    assert len(lines) == 2 and lines[1]["id"] > line["id"]
    assert sandbox.state.order_shipping_addresses[order_id][0]["id"] == address_id
    assert Decimal(edited["total_inc_tax"]) == before_total + Decimal(
        lines[1]["total_inc_tax"]
    )
    assert edited["date_modified"] != modified
    assert edited["status_id"] == 11 and edited["id"] == order_id
    assert_order_consistent(sandbox.state, order_id)


def test_edit_changes_quantity_price_and_shipping(sandbox):
    first, second = _skus(sandbox)
    order = sandbox.create_order(
        status_id=11, lines=[(first, 3), (second, 1)], tax_inclusive=False
    )
    order_id = order["id"]
    one, two = sandbox.state.order_products[order_id]
    sandbox.edit_order(
        order_id,
        lines=[{"id": one["id"], "quantity": 1}, {"id": two["id"], "price": 1.5}],
        shipping=[{"method": "UPS Ground", "cost": 12.5}],
    )
    one, two = sandbox.state.order_products[order_id]
    assert one["quantity"] == 1
    assert Decimal(two["base_price"]) == Decimal("1.50")
    address = sandbox.state.order_shipping_addresses[order_id][0]
    assert address["shipping_method"] == "UPS Ground"
    assert Decimal(address["base_cost"]) == Decimal("12.50")
    assert_order_consistent(sandbox.state, order_id)
    sandbox.edit_order(order_id, lines=[{"id": two["id"], "quantity": 0}])
    assert [row["id"] for row in sandbox.state.order_products[order_id]] == [one["id"]]
    assert_order_consistent(sandbox.state, order_id)


def test_an_order_with_refunds_is_not_edited(sandbox):
    order = sandbox.create_order(status_id=11)
    sandbox.add_refund(order["id"], kind="partial")
    with pytest.raises(ValueError, match="has refunds"):
        sandbox.edit_order(order["id"], shipping=[{"cost": 1}])


def test_refund_without_record_then_a_late_record_for_part_of_it(sandbox):
    order = sandbox.create_order(status_id=11, tax_inclusive=False)
    order_id = order["id"]
    control(sandbox, "POST", f"orders/{order_id}/refunded_amount", {"amount": 20})
    assert Decimal(sandbox.state.orders[order_id]["refunded_amount"]) == Decimal("20")
    assert sandbox.state.orders[order_id]["status_id"] == 14
    assert not [r for r in sandbox.state.refunds.values() if r["order_id"] == order_id]
    refund = sandbox.add_refund(
        order_id, items=[{"item_type": "ORDER", "amount": 5}], recorded_late=True
    )
    assert refund["total_amount"] == 5
    # The record documents money already counted: refunded_amount stays.
    assert Decimal(sandbox.state.orders[order_id]["refunded_amount"]) == Decimal("20")
    with pytest.raises(ValueError, match="less refunded without a record"):
        sandbox.add_refund(
            order_id, items=[{"item_type": "ORDER", "amount": 16}], recorded_late=True
        )
    sandbox.add_refund(order_id, items=[{"item_type": "ORDER", "amount": 1}])
    assert Decimal(sandbox.state.orders[order_id]["refunded_amount"]) == Decimal("21")
