"""Small helpers and reference data shared by the seed modules (statuses, tax classes,
currencies).
"""

import contextvars
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email.utils import format_datetime
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

SEED_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
SEED_END = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
CATALOG_START = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
STORE_NAME = "Sandbox Outfitters"
EUR_RATE = Decimal("0.92")
EUR_RATE_TEXT = "0.9200000000"
# Orders in yen (created on demand, not seeded): BigCommerce states amounts in
# the transactional currency's own precision, and the yen has no decimals
# (ISO 4217 minor unit 0), so every amount of a JPY order is whole yen.
JPY_RATE = Decimal("150")
JPY_RATE_TEXT = "150.0000000000"
CURRENCY_QUANTUM = {"JPY": Decimal("1")}
_QUANTUM = contextvars.ContextVar("sandbox_money_quantum", default=CENT)

# -- small helpers -------------------------------------------------------------


def q2(value):
    """A Decimal rounded half up to the current currency's precision (cents,
    or whole yen inside ``currency_rounding("JPY")``)."""
    if value.__class__ is not Decimal:
        value = Decimal(value)
    return value.quantize(_QUANTUM.get(), rounding=ROUND_HALF_UP)


@contextmanager
def currency_rounding(code):
    """Round amounts to the precision of currency ``code`` while building."""
    token = _QUANTUM.set(CURRENCY_QUANTUM.get(code, CENT))
    try:
        yield
    finally:
        _QUANTUM.reset(token)


def money4(value):
    """v2 money: a string with 4 decimals, e.g. ``"12.5000"``."""
    return _money4(value, _QUANTUM.get())


@lru_cache(maxsize=8192)
def _money4(value, _quantum):
    # cached per precision: equal arguments always give the same string
    return f"{q2(value):.4f}"


def money_num(value):
    """v3 money: a JSON number with 2 decimals."""
    return float(q2(value))


def rfc2822(moment):
    """v2 date: ``Tue, 20 Jan 2026 10:00:00 +0000``."""
    return format_datetime(moment.astimezone(UTC))


def iso_z(moment):
    """v3 date ``2026-01-20T10:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_offset(moment):
    """v3 date ``2026-01-20T10:00:00+00:00`` (catalog, refunds, channels)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _spread(rng, start, end):
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randint(0, seconds))


def _later(moment, rng, low_minutes, high_minutes, cap=None):
    result = moment + timedelta(minutes=rng.randint(low_minutes, high_minutes))
    if cap is not None and result > cap:
        result = max(cap, moment)
    return result


def _split(amount, weights):
    """Split ``amount`` proportionally to ``weights``; the parts sum exactly."""
    total = sum(weights)
    if not weights:
        return []
    if total == 0:
        return [amount] + [ZERO] * (len(weights) - 1)
    parts = [q2(amount * w / total) for w in weights[:-1]]
    parts.append(q2(amount) - sum(parts, ZERO))
    return parts


# -- static reference data --------------------------------------------------------

ORDER_STATUSES = [
    (
        0,
        "Incomplete",
        "An incomplete order happens when a shopper reached the "
        "payment page, but did not complete the transaction.",
    ),
    (1, "Pending", "Customer started the checkout process, but did not complete it."),
    (
        2,
        "Shipped",
        "Order has been shipped, but receipt has not been confirmed; "
        "seller has used the Ship Items action.",
    ),
    (
        3,
        "Partially Shipped",
        "Only some items in the order have been shipped, due "
        "to some products being pre-order only or other reasons.",
    ),
    (4, "Refunded", "Seller has used the Refund action."),
    (
        5,
        "Cancelled",
        "Seller has cancelled an order, due to a stock inconsistency "
        "or other reasons.",
    ),
    (
        6,
        "Declined",
        "Seller has marked the order as declined for lack of manual "
        "payment, or other reasons.",
    ),
    (
        7,
        "Awaiting Payment",
        "Customer has completed checkout process, but payment "
        "has yet to be confirmed.",
    ),
    (
        8,
        "Awaiting Pickup",
        "Order has been pulled, and is awaiting customer pickup "
        "from a seller-specified location.",
    ),
    (
        9,
        "Awaiting Shipment",
        "Order has been pulled and packaged, and is awaiting "
        "collection from a shipping provider.",
    ),
    (
        10,
        "Completed",
        "Client has paid for their digital product and their file(s) "
        "are available for download.",
    ),
    (
        11,
        "Awaiting Fulfillment",
        "Customer has completed the checkout process and "
        "payment has been confirmed.",
    ),
    (
        12,
        "Manual Verification Required",
        "Order is on hold while some aspect needs " "to be manually confirmed.",
    ),
    (
        13,
        "Disputed",
        "Customer has initiated a dispute resolution process for the "
        "PayPal transaction that paid for the order.",
    ),
    (14, "Partially Refunded", "Seller has partially refunded the order."),
]

PAYMENT_STATUS = {
    0: "",
    1: "pending",
    2: "captured",
    3: "captured",
    4: "refunded",
    5: "void",
    6: "declined",
    7: "authorized",
    8: "captured",
    9: "captured",
    10: "captured",
    11: "captured",
    12: "held for review",
    13: "captured",
    14: "partially refunded",
}
SHIPPED_STATUSES = (2, 3, 10)

# Tax classes (v2 ids are strings; orders/products refer to them as numbers).
TAX_CLASS_DEFAULT = 0
TAX_CLASS_NON_TAXABLE = 1
TAX_CLASS_SHIPPING = 2
TAX_CLASS_CLOTHING = 3
TAX_CLASSES = [
    (TAX_CLASS_DEFAULT, "Default Tax Class"),
    (TAX_CLASS_NON_TAXABLE, "Non-Taxable Products"),
    (TAX_CLASS_SHIPPING, "Shipping"),
    (TAX_CLASS_CLOTHING, "Clothing"),
]
TAX_CLASS_NAMES = dict(TAX_CLASSES)

# Tax rates: (tax_rate_id, name, rate percent, priority)
STATE_TAX = (1, "State Tax", Decimal("6"), 0)
CITY_TAX = (2, "City Tax", Decimal("2"), 0)
VAT = (3, "VAT", Decimal("20"), 0)


def _rates(zone, tax_class_id):
    """Tax rates applied in a tax zone ("us" or "eu") to a tax class."""
    if tax_class_id is None or tax_class_id == TAX_CLASS_NON_TAXABLE:
        return []
    if zone == "eu":
        return [VAT]
    if tax_class_id == TAX_CLASS_SHIPPING:
        return [STATE_TAX]
    return [STATE_TAX, CITY_TAX]


CURRENCIES = {
    "USD": {"id": 1, "name": "US Dollar", "token": "$", "iso2": "US"},
    "EUR": {"id": 2, "name": "Euro", "token": "€", "iso2": "EU"},
    "GBP": {"id": 3, "name": "British Pound", "token": "£", "iso2": "GB"},
    "JPY": {"id": 4, "name": "Japanese Yen", "token": "¥", "iso2": "JP"},
}
