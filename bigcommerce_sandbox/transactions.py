"""GET /v3/orders/{order_id}/transactions (orders.v3.yml, getOrderTransactions).

Derived from the order and its refunds, not stored: the same order always
has the same transactions (deterministic ids and gateway ids), so a test or
the demo can predict them. What BigCommerce records, per the spec's
``Transaction`` schema (required: event, method, amount, currency, gateway):

- the part paid through the gateway (``total_inc_tax`` less gift certificate
  and store credit), when the order was paid (``payment_status`` captured,
  partially refunded or refunded): one ``purchase``; an authorised payment
  is an ``authorization``;
- the parts paid with store credit (gateway ``storecredit``) and gift
  certificates (``giftcertificate``), each its own ``purchase``;
- every refund payment that went through a gateway: a ``refund`` whose
  ``reference_transaction_id`` is the purchase it gives money back on.

The gateway is the refunds' one (``braintree``: seed/refunds.py) for cards
and ``custom`` for the manual methods (Cash, Manual, Cash on Delivery),
whose ``offline`` transactions have no gateway id (the gateway returns
none). Assumptions where the spec is silent: CONTRACT.md.
"""

from decimal import Decimal
from email.utils import parsedate_to_datetime

from .paging import ApiError
from .seed.common import money_num

MANUAL_METHODS = ("Cash", "Manual", "Cash on Delivery")
PAID = ("captured", "partially refunded", "refunded")


def gateway_transaction_id(order_id, kind, number=0):
    """The gateway's id of a transaction (Braintree-like, deterministic)."""
    return f"{kind}{order_id:06d}{number:04d}"


def _row(order, number, event, method, gateway, amount, moment, **extra):
    return {
        "id": int(order["id"]) * 100 + number,
        "order_id": str(order["id"]),
        "event": event,
        "method": method,
        "amount": money_num(amount),
        "currency": order["default_currency_code"],
        "gateway": gateway,
        "test": False,
        "status": "ok",
        "fraud_review": False,
        "date_created": moment,
        **extra,
    }


def order_transactions(state, order_id):
    """The transactions of order ``order_id``, oldest first."""
    order = state.orders.get(int(order_id))
    if order is None:
        raise ApiError(404, "The requested resource was not found.")
    created = _iso(order["date_created"])
    status = order.get("payment_status") or ""
    rows, number = [], 0
    gift = Decimal(order["gift_certificate_amount"])
    credit = Decimal(order["store_credit_amount"])
    rest = Decimal(order["total_inc_tax"]) - gift - credit
    if status in PAID or status == "authorized":
        if gift > 0:
            number += 1
            rows.append(
                _row(
                    order,
                    number,
                    "purchase",
                    "gift_certificate",
                    "giftcertificate",
                    gift,
                    created,
                )
            )
        if credit > 0:
            number += 1
            rows.append(
                _row(
                    order,
                    number,
                    "purchase",
                    "store_credit",
                    "storecredit",
                    credit,
                    created,
                )
            )
        if rest > 0:
            number += 1
            event = "authorization" if status == "authorized" else "purchase"
            if order["payment_method"] in MANUAL_METHODS:
                rows.append(
                    _row(
                        order,
                        number,
                        event,
                        "offline",
                        "custom",
                        rest,
                        created,
                        offline={"display_name": order["payment_method"]},
                    )
                )
            else:
                rows.append(
                    _row(
                        order,
                        number,
                        event,
                        "credit_card",
                        "braintree",
                        rest,
                        created,
                        gateway_transaction_id=gateway_transaction_id(
                            order["id"], "bt", number
                        ),
                    )
                )
    purchase = next((r for r in rows if r["gateway"] == "braintree"), None)
    for refund in sorted(
        (r for r in state.refunds.values() if r["order_id"] == int(order_id)),
        key=lambda r: r["id"],
    ):
        for payment in refund["payments"]:
            if payment["provider_id"] != "braintree" or payment["is_declined"]:
                continue
            number += 1
            extra = {
                "gateway_transaction_id": gateway_transaction_id(
                    order["id"], "re", payment["id"]
                )
            }
            if purchase:
                extra["reference_transaction_id"] = purchase["id"]
            rows.append(
                _row(
                    order,
                    number,
                    "refund",
                    "credit_card",
                    "braintree",
                    Decimal(str(payment["amount"])),
                    refund["created"],
                    **extra,
                )
            )
    return rows


def _iso(rfc2822_text):
    return parsedate_to_datetime(rfc2822_text).isoformat()


def list_order_transactions(ctx, order_id):
    """200 with the transactions (none: an empty ``data``, see CONTRACT.md)."""
    rows = order_transactions(ctx.state, order_id)
    meta = {
        "pagination": {
            "total": len(rows),
            "count": len(rows),
            "per_page": 50,
            "current_page": 1,
            "total_pages": 1 if rows else 0,
            "links": {"current": "?page=1&limit=50"},
        }
    }
    return 200, {"data": rows, "meta": meta}
