"""Refunds (v3 ``Refund``): items priced by the cumulative rule of the package
docstring; ``add_refund``, ``tamper_refund``.
"""

from decimal import Decimal

from .common import ZERO, currency_rounding, iso_offset, money4, money_num, q2
from .orders import _apply_status

# -- refunds -----------------------------------------------------------------------


def _refunded_so_far(state, order_id):
    """(units per order product id, set of (item_type, item_id) refunded, money)."""
    units, amounts, total = {}, set(), ZERO
    for refund in state.refunds.values():
        if refund["order_id"] != order_id:
            continue
        total += q2(Decimal(str(refund["total_amount"])))
        for item in refund["items"]:
            if item["item_type"] == "PRODUCT":
                units[item["item_id"]] = (
                    units.get(item["item_id"], 0) + item["quantity"]
                )
            else:
                amounts.add((item["item_type"], item["item_id"]))
    return units, amounts, total


def _line_tax_after_discount(state, order_id, line_id):
    return sum(
        (
            Decimal(t["line_amount"])
            for t in state.order_taxes[order_id]
            if t["line_item_type"] == "item" and t["order_product_id"] == str(line_id)
        ),
        ZERO,
    )


def _refund_items(state, order, kind, items):
    """[(item dict, amount, tax)] for a refund of ``kind`` (or explicit items)."""
    order_id = order["id"]
    lines = {line["id"]: line for line in state.order_products[order_id]}
    addresses = {a["id"]: a for a in state.order_shipping_addresses[order_id]}
    done_units, done_amounts, _total = _refunded_so_far(state, order_id)

    def product_item(line, qty):
        before = done_units.get(line["id"], 0)
        if qty <= 0 or before + qty > line["quantity"]:
            raise ValueError(f"cannot refund {qty} more of order product {line['id']}")
        money = Decimal(line["discounted_total_inc_tax"])
        tax = _line_tax_after_discount(state, order_id, line["id"])

        def share(value, n):
            return q2(value * n / line["quantity"])

        amount = share(money, before + qty) - share(money, before)
        tax_part = share(tax, before + qty) - share(tax, before)
        done_units[line["id"]] = before + qty
        item = {
            "item_type": "PRODUCT",
            "item_id": line["id"],
            "quantity": qty,
            "reason": "",
        }
        return item, amount, tax_part

    def amount_item(item_type, item_id, amount, tax):
        if (item_type, item_id) in done_amounts:
            raise ValueError(f"{item_type} {item_id} was already refunded")
        done_amounts.add((item_type, item_id))
        # Amount-bound items (SHIPPING, HANDLING, ORDER, FEE) are requested
        # with an amount, which the refund reports back as requested_amount.
        item = {
            "item_type": item_type,
            "item_id": item_id,
            "reason": "",
            "requested_amount": money_num(amount),
        }
        return item, q2(amount), q2(tax)

    def order_item(amount):
        # ORDER: a custom amount that BigCommerce does not tax (tax is not
        # re-calculated); several may be refunded, so no "already" check.
        amount = q2(Decimal(str(amount)))
        if amount <= 0:
            raise ValueError("an ORDER refund item needs a positive amount")
        item = {
            "item_type": "ORDER",
            "item_id": order_id,
            "reason": "",
            "requested_amount": money_num(amount),
        }
        return item, amount, ZERO

    def shipping(address):
        return amount_item(
            "SHIPPING",
            address["id"],
            Decimal(address["cost_inc_tax"]),
            Decimal(address["cost_tax"]),
        )

    def handling(address):
        return amount_item(
            "HANDLING",
            address["id"],
            Decimal(address["handling_cost_inc_tax"]),
            Decimal(address["handling_cost_tax"]),
        )

    def wrapping(line):
        return amount_item(
            "GIFT_WRAPPING",
            line["id"],
            Decimal(line["wrapping_cost_inc_tax"]),
            Decimal(line["wrapping_cost_tax"]),
        )

    result = []
    if items:
        for spec in items:
            item_type = spec.get("item_type", "PRODUCT")
            item_id = spec.get("item_id", order_id)
            if item_type == "PRODUCT":
                result.append(product_item(lines[item_id], spec.get("quantity", 1)))
            elif item_type == "SHIPPING":
                result.append(shipping(addresses[item_id]))
            elif item_type == "HANDLING":
                result.append(handling(addresses[item_id]))
            elif item_type == "GIFT_WRAPPING":
                result.append(wrapping(lines[item_id]))
            elif item_type == "ORDER":
                result.append(order_item(spec["amount"]))
            else:
                raise ValueError(f"unsupported refund item type {item_type}")
        return result
    if kind == "full":
        for line in lines.values():
            left = line["quantity"] - done_units.get(line["id"], 0)
            if left > 0:
                result.append(product_item(line, left))
            if (
                Decimal(line["wrapping_cost_inc_tax"])
                and ("GIFT_WRAPPING", line["id"]) not in done_amounts
            ):
                result.append(wrapping(line))
        for address in addresses.values():
            if (
                Decimal(address["cost_inc_tax"])
                and ("SHIPPING", address["id"]) not in done_amounts
            ):
                result.append(shipping(address))
            if (
                Decimal(address["handling_cost_inc_tax"])
                and ("HANDLING", address["id"]) not in done_amounts
            ):
                result.append(handling(address))
    elif kind == "partial":
        for line in lines.values():
            if line["quantity"] - done_units.get(line["id"], 0) > 0:
                result.append(product_item(line, 1))
                break
    elif kind == "shipping":
        for address in addresses.values():
            if (
                Decimal(address["cost_inc_tax"])
                and ("SHIPPING", address["id"]) not in done_amounts
            ):
                result.append(shipping(address))
                break
    else:
        raise ValueError(f"unknown refund kind {kind!r}")
    if not result:
        raise ValueError(f"nothing left to refund ({kind}) on order {order_id}")
    return result


def _refund(
    state, order_id, kind, items, moment, reason="", override=None, recorded_late=False
):
    order = state.orders[order_id]
    # A refund is stated in its order's currency, to that currency's precision.
    with currency_rounding(order.get("default_currency_code") or "USD"):
        return _refund_in_currency(
            state, order, order_id, kind, items, moment, reason, override, recorded_late
        )


def _refund_in_currency(
    state, order, order_id, kind, items, moment, reason, override, recorded_late
):
    parts = _refund_items(state, order, kind, items)
    total_amount = sum((amount for _i, amount, _t in parts), ZERO)
    total_tax = sum((tax for _i, _a, tax in parts), ZERO)
    if override:
        # merchant_calculated_override: the merchant's totals replace the
        # calculated ones; the items stay as requested.
        total_amount = q2(Decimal(str(override["total_amount"])))
        total_tax = q2(Decimal(str(override["total_tax"])))
        if total_amount <= 0 or not 0 <= total_tax <= total_amount:
            raise ValueError("invalid merchant override totals")
    _units, _amounts, already = _refunded_so_far(state, order_id)
    order_total = Decimal(order["total_inc_tax"])
    # Money refunded without a record (order_edits.refund_without_record);
    # a record made late for it documents that money, not more.
    unrecorded = state.unrecorded_refunds.get(order_id, ZERO)
    if recorded_late:
        if total_amount > unrecorded:
            raise ValueError(f"order {order_id} has less refunded without a record")
        unrecorded -= total_amount
        state.unrecorded_refunds[order_id] = unrecorded
    if already + unrecorded + total_amount > order_total:
        raise ValueError(f"refunds would exceed the total of order {order_id}")
    payments = []
    store_credit = Decimal(order["store_credit_amount"])
    remaining = total_amount
    if store_credit and order["customer_id"]:
        part = min(store_credit, remaining)
        if part:
            payments.append(("storecredit", part, False))
            remaining -= part
    if remaining or not payments:
        method = order["payment_method"]
        if method in ("Cash", "Manual", "Cash on Delivery"):
            payments.append(("custom", remaining, True))
        else:
            payments.append(("braintree", remaining, False))
    refund = {
        "id": state.next_id("refund"),
        "order_id": order_id,
        "user_id": 1,
        "created": iso_offset(moment),
        "reason": reason,
        "total_amount": money_num(total_amount),
        "total_tax": money_num(total_tax),
        "uses_merchant_override_values": bool(override),
        "payments": [
            {
                "id": state.next_id("refund_payment"),
                "provider_id": provider,
                "amount": money_num(amount),
                "offline": offline,
                "is_declined": False,
                "declined_message": "",
            }
            for provider, amount, offline in payments
        ],
        "items": [item for item, _a, _t in parts],
    }
    state.refunds[refund["id"]] = refund
    lines = {line["id"]: line for line in state.order_products[order_id]}
    for item in refund["items"]:
        if item["item_type"] == "PRODUCT":
            line = lines[item["item_id"]]
            line["quantity_refunded"] += item["quantity"]
            line["is_refunded"] = line["quantity_refunded"] >= line["quantity"]
    refunded = already + unrecorded + total_amount
    order["refunded_amount"] = money4(refunded)
    status_id = 4 if refunded >= order_total else 14
    _apply_status(state, order, status_id, moment)
    return refund


def add_refund(
    state, order_id, *, kind="full", items=None, override=None, recorded_late=False
):
    """Refund (``full`` = everything left, ``partial`` = one unit of the first line
    with units left, ``shipping`` = the first shipping cost not yet refunded, or
    explicit ``items`` [{item_type, item_id, quantity}] / [{"item_type": "ORDER",
    "amount": 5}]); ``override`` {total_amount, total_tax} is a merchant
    override of the totals. The order goes to status 4 (fully refunded) or 14
    (partially refunded). ``recorded_late``: the record documents money
    already refunded without a record (``refunded_amount`` does not grow)."""
    with state.lock:
        return _refund(
            state,
            order_id,
            kind,
            items,
            state.clock.now(),
            "Refund",
            override=override,
            recorded_late=recorded_late,
        )


def tamper_refund(state, refund_id, **changes):
    """Change a refund's fields as they are (e.g. a total its items do not
    add up to): the consistency rules above are deliberately not applied."""
    with state.lock:
        refund = state.refunds[int(refund_id)]
        for key, value in changes.items():
            if key not in REFUND_TAMPER_FIELDS:
                raise ValueError(f"{key} is not a tamperable refund field")
            refund[key] = value
        return refund


REFUND_TAMPER_FIELDS = ("total_amount", "total_tax", "reason")
