"""Payments that reconcile with the gateway's payouts (issue 29 item 3).

A gateway pays out net of fees, daily, for many orders at once; the bank
line of a payout is matched in Odoo's bank reconciliation with the gross
payments of its orders, found by the gateway's transaction ids that its
payout report lists. So every payment the connector registers (and every
refund payment) carries BigCommerce's order number and, for the part paid
through a gateway, the gateway's transaction id, in its memo (what the bank
reconciliation searches) and in fields of their own; and it is posted on the
payment mapping's *Clearing Account* (an outstanding receipts account per
gateway) when one is set, where the payouts clear it.

The transactions (``GET /v3/orders/{id}/transactions``) are read only for an
order whose gateway payment is being registered, once: the client's answer
cache keeps the answer for a step resumed after the quota ran out.
"""

CLEARING_CONTEXT_KEY = "bigcommerce_clearing_account_id"
# Money BigCommerce records as its own, not a gateway's.
OWN_GATEWAYS = ("storecredit", "giftcertificate")
# Events of money received, best first (a capture settles an authorization).
MONEY_IN = ("capture", "purchase", "settled", "authorization")


def payment_memo(document_name, order_id, label, transaction_ids):
    """The payment's memo: what a bank line is matched on."""
    parts = [document_name, f"BigCommerce order {order_id}", label, *transaction_ids]
    return " ".join(str(part).strip() for part in parts if part)


def _gateway_rows(transactions):
    return [
        row
        for row in transactions
        if (row.get("status") or "ok") == "ok"
        and (row.get("gateway") or "") not in OWN_GATEWAYS
    ]


def _ids(rows):
    ids = []
    for row in rows:
        value = str(row.get("gateway_transaction_id") or "").strip()
        if value and value not in ids:
            ids.append(value)
    return ids


def gateway_payment(transactions):
    """(gateway, [gateway transaction ids]) of the money the order's gateway
    received; ("", []) when it has none (offline methods have no id)."""
    rows = _gateway_rows(transactions)
    for event in MONEY_IN:
        chosen = [row for row in rows if row.get("event") == event]
        if chosen:
            return chosen[0].get("gateway") or "", _ids(chosen)
    return "", []


def gateway_refund(transactions, amount, used=()):
    """(gateway, [id]) of the gateway refund of ``amount`` not yet ``used``
    (ids already on a payment): the earliest such refund of that amount,
    else the earliest unused one."""
    rows = [
        row
        for row in _gateway_rows(transactions)
        if row.get("event") == "refund" and _ids([row]) and _ids([row])[0] not in used
    ]
    same = [row for row in rows if abs(float(row.get("amount") or 0) - amount) < 0.005]
    chosen = (same or rows)[:1]
    return (chosen[0].get("gateway") or "", _ids(chosen)) if chosen else ("", [])


def read_gateway_payment(importer, order_id):
    """The gateway payment of order ``order_id`` (one request)."""
    return gateway_payment(importer.client.iter_order_transactions(order_id))


def read_gateway_refund(importer, order_id, amount):
    """The gateway refund of ``amount`` on order ``order_id`` (one request)."""
    rows = list(importer.client.iter_order_transactions(order_id))
    candidates = _ids(
        [row for row in _gateway_rows(rows) if row.get("event") == "refund"]
    )
    used = set(
        importer.env["account.payment"]
        .sudo()
        .search([("bigcommerce_transaction_ref", "in", candidates)])
        .mapped("bigcommerce_transaction_ref")
    )
    return gateway_refund(rows, float(amount), used)


def clearing_context(mapping):
    """Context under which the payment lands on the mapping's clearing account."""
    account = mapping.clearing_account_id if mapping else None
    return {CLEARING_CONTEXT_KEY: account.id} if account else {}


def tag(payments, order_id, gateway="", transaction_ids=()):
    """The BigCommerce references of registered ``payments``."""
    payments.write(
        {
            "bigcommerce_order_ref": str(order_id),
            "bigcommerce_gateway": gateway or False,
            "bigcommerce_transaction_ref": ", ".join(transaction_ids) or False,
        }
    )
