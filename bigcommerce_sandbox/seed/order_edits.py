"""Orders edited after they were placed, as the control panel's "Edit order"
does, and refunds BigCommerce shows without a refund record.

``edit_order`` re-prices an order made by ``create_order`` from its kept
plan with the changes applied, through the same builder, so every identity
of the package docstring holds for the new version (totals, tax rows,
discounts). What the specs say, and what the sandbox assumes where they are
silent, is in CONTRACT.md ("Edited orders").
"""

import copy
import random
from decimal import Decimal

from .catalog import _variant_index
from .common import currency_rounding, money4, q2, rfc2822
from .orders import CUSTOM_ITEM, _apply_status, _build_order, _line_plan

# Order fields the builder recomputes from the lines and charges; every
# other field (status, payments, dates, customer, notes...) is kept.
REPRICED_FIELDS = (
    "subtotal_ex_tax",
    "subtotal_inc_tax",
    "subtotal_tax",
    "base_shipping_cost",
    "shipping_cost_ex_tax",
    "shipping_cost_inc_tax",
    "shipping_cost_tax",
    "base_handling_cost",
    "handling_cost_ex_tax",
    "handling_cost_inc_tax",
    "handling_cost_tax",
    "base_wrapping_cost",
    "wrapping_cost_ex_tax",
    "wrapping_cost_inc_tax",
    "wrapping_cost_tax",
    "total_ex_tax",
    "total_inc_tax",
    "total_tax",
    "items_total",
    "order_is_digital",
    "discount_amount",
    "coupon_discount",
)


class _SameIds:
    """The store's state, but ``next_id`` hands out the ids the order already
    has (its own id, its lines', addresses' and fees'): an order product kept
    by the edit keeps its id, as ``PUT /v2/orders/{id}`` with the line's
    ``id`` does (orders.v2.oas2.yml, "To update a product in an order,
    include id"). A line added gets a new id."""

    def __init__(self, state, fixed):
        self._state = state
        self._fixed = {kind: list(ids) for kind, ids in fixed.items()}

    def next_id(self, kind):
        queue = self._fixed.get(kind)
        if queue:
            kept = queue.pop(0)
            if kept is not None:
                return kept
        return self._state.next_id(kind)

    def __getattr__(self, name):
        return getattr(self._state, name)


def _apply_line_changes(state, plan, changes):
    """The plan's lines after ``changes``: [{"id": order product id,
    "quantity": n (0 removes it), "price": entered unit price}] or
    [{"sku": SKU, "quantity": n, "price": p}] (a line added)."""
    by_id = {line_plan["line_id"]: line_plan for line_plan in plan["lines"]}
    index = _variant_index(state)
    for change in changes:
        if change.get("id"):
            line_plan = by_id.get(int(change["id"]))
            if line_plan is None:
                raise ValueError(f"order product {change['id']} is not on the order")
            if "quantity" in change:
                quantity = int(change["quantity"])
                if quantity < 0:
                    raise ValueError("a quantity cannot be negative")
                line_plan["quantity"] = quantity
            if change.get("price") is not None:
                line_plan["price"] = Decimal(str(change["price"]))
            continue
        sku = change["sku"]
        quantity = int(change.get("quantity", 1))
        price = change.get("price")
        if sku.upper() == CUSTOM_ITEM[1]:
            added = {"kind": "custom", "quantity": quantity, "address": 0}
            added["price"] = price
        else:
            if sku.lower() not in index:
                raise KeyError(f"unknown SKU {sku!r}")
            product, variant = index[sku.lower()]
            added = _line_plan(product, variant, quantity, price=price)
        added["line_id"] = None
        plan["lines"].append(added)
    plan["lines"] = [line_plan for line_plan in plan["lines"] if line_plan["quantity"]]
    if not plan["lines"]:
        raise ValueError("an order keeps at least one line")


def edit_order(state, order_id, *, lines=(), shipping=None, handling=None):
    """Edit an order made by ``create_order``: ``lines`` as in
    ``_apply_line_changes``; ``shipping`` [{"method": name, "cost": entered
    cost}] per shipping address (re-quoted shipping); ``handling`` the
    entered handling cost. Returns the order, re-priced, ``date_modified``
    now."""
    with state.lock:
        if order_id not in state.order_plans:
            raise ValueError(
                f"order {order_id} was not made by create_order: it cannot be edited"
            )
        if any(refund["order_id"] == order_id for refund in state.refunds.values()):
            # CONTRACT.md: the sandbox does not edit an order with refunds.
            raise ValueError(f"order {order_id} has refunds: it cannot be edited")
        kept_plan, rng_key = state.order_plans[order_id]
        plan = copy.copy(kept_plan)
        plan["lines"] = [dict(line_plan) for line_plan in kept_plan["lines"]]
        plan["shipping_methods"] = list(kept_plan["shipping_methods"])
        _apply_line_changes(state, plan, lines)
        for position, quote in enumerate(shipping or ()):
            method, cost = plan["shipping_methods"][position]
            plan["shipping_methods"][position] = (
                quote.get("method") or method,
                Decimal(str(quote["cost"])) if "cost" in quote else cost,
            )
        if handling is not None:
            plan["handling"] = Decimal(str(handling))
        old = state.orders[order_id]
        old_lines = {line["id"]: line for line in state.order_products[order_id]}
        old_addresses = state.order_shipping_addresses[order_id]
        shipments = state.order_shipments[order_id]
        fixed = {
            "order": [order_id],
            "order_product": [line_plan["line_id"] for line_plan in plan["lines"]],
            "order_address": [address["id"] for address in old_addresses],
            "fee": [fee["id"] for fee in state.order_fees[order_id]],
        }
        plan["status_id"] = old["status_id"]
        currency = old.get("default_currency_code") or "USD"
        with currency_rounding(currency):
            new = _build_order(_SameIds(state, fixed), random.Random(rng_key), plan)
        state.order_shipments[order_id] = shipments
        # Shipped units stay shipped; a line removed or cut below what was
        # shipped keeps no more than its quantity (CONTRACT.md).
        for line in state.order_products[order_id]:
            before = old_lines.get(line["id"])
            if before:
                line["quantity_shipped"] = min(
                    before["quantity_shipped"], line["quantity"]
                )
        shipped_by_address = {}
        for line in state.order_products[order_id]:
            address_id = line["order_address_id"]
            shipped_by_address[address_id] = (
                shipped_by_address.get(address_id, 0) + line["quantity_shipped"]
            )
        for address in state.order_shipping_addresses[order_id]:
            address["items_shipped"] = shipped_by_address.get(address["id"], 0)
        repriced = {key: new[key] for key in REPRICED_FIELDS}
        new.clear()
        new.update(old)
        new.update(repriced)
        new["items_shipped"] = sum(
            line["quantity_shipped"] for line in state.order_products[order_id]
        )
        new["date_modified"] = rfc2822(state.clock.now())
        state.orders[order_id] = new
        state.order_plans[order_id] = (plan, rng_key)
        return new


def refund_without_record(state, order_id, amount):
    """Money given back outside BigCommerce's refund API (through the gateway,
    or before the API existed): ``refunded_amount`` grows and the status
    becomes Refunded / Partially Refunded, but ``/payment_actions/refunds``
    has no record of it (CONTRACT.md)."""
    with state.lock:
        order = state.orders[order_id]
        with currency_rounding(order.get("default_currency_code") or "USD"):
            amount = q2(Decimal(str(amount)))
            refunded = q2(Decimal(order["refunded_amount"])) + amount
            total = q2(Decimal(order["total_inc_tax"]))
            if amount <= 0 or refunded > total:
                raise ValueError(f"cannot refund {amount} more of order {order_id}")
            order["refunded_amount"] = money4(refunded)
            state.unrecorded_refunds[order_id] = (
                state.unrecorded_refunds.get(order_id, Decimal(0)) + amount
            )
        status_id = 4 if refunded >= total else 14
        _apply_status(state, order, status_id, state.clock.now())
        return order
