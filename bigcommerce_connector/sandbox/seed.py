"""Deterministic demo data for the sandbox store (standard library only).

``populate(state, seed)`` fills a :class:`~.state.StoreState` with records shaped
exactly like BigCommerce API responses (field names and types from the official
OpenAPI specs in ``shared/bigcommerce-openapi``). The same seed always gives
byte-identical data: everything comes from ``random.Random(seed)`` and seeded
dates are fixed (2026-01-05 .. 2026-03-31 UTC, never the wall clock).
``create_order``, ``add_refund`` and ``set_order_status`` change the store at
runtime; they stamp their dates with ``state.clock.now()``.

Formats: v2 money = strings with 4 decimals (``"12.5000"``, amounts are always
rounded to cents first), v2 dates = RFC 2822 UTC (``"Tue, 20 Jan 2026 10:00:00
+0000"``, ``date_shipped`` is ``""`` until shipped); v3 money = JSON numbers with
2 decimals, v3 dates = ISO 8601.

Money model (every amount is a ``Decimal`` rounded to 0.01, half up)
--------------------------------------------------------------------
Line (``orderProducts``), ``q`` = quantity, ``r`` = sum of the tax rates of the
line (e.g. State Tax 6% + City Tax 2% = 8%; 0 for gift certificates and
non-taxable products):

* tax-exclusive order: ``base_price = price_ex_tax`` (the entered price),
  ``price_tax = sum(round(price_ex_tax * rate_i))``;
  tax-inclusive order: ``base_price = price_inc_tax``,
  ``price_ex_tax = round(price_inc_tax / (1 + r))``;
  always ``price_inc_tax == price_ex_tax + price_tax``.
* ``total_ex_tax = price_ex_tax * q``, ``total_tax = price_tax * q``,
  ``total_inc_tax = total_ex_tax + total_tax = price_inc_tax * q``,
  ``base_total = base_price * q``. These line totals are BEFORE discounts.
* Discounts (``applied_discounts``; coupons with ``target`` "product" or
  "order", the manual discount with id ``"manual-discount"`` and target
  "order") are computed in the entered basis and stored TAX-INCLUSIVE:
  ``amount = d_inc = d_ex + d_tax`` where, for a tax-exclusive order,
  ``d_ex`` is the computed discount and ``d_tax = round(d_ex * r)``; for a
  tax-inclusive order ``d_inc`` is the computed discount and
  ``d_tax = round(d_inc * r / (1 + r))``.
* ``discounted_total_inc_tax = total_inc_tax - sum(applied_discounts.amount)``.
* Tax is charged on the discounted amount: the line's ``item`` rows in
  ``order_taxes`` (one per tax rate, ``order_product_id`` = str(line id)) sum to
  ``total_tax - sum(d_tax)``. Gift wrapping of a line is taxed like the line
  (``gift-wrapping`` rows), shipping and handling of a shipping address with
  the shipping tax class (``shipping`` / ``handling`` rows, ``order_product_id``
  = ``"0"``).

Order (``order_Resp``), all sums exact in Decimal:

* ``subtotal_ex_tax = sum(line total_ex_tax)``, ``subtotal_inc_tax =
  sum(line total_inc_tax)``, ``subtotal_tax = sum(line total_tax)``
  (before discounts);
* ``shipping_cost_* = sum(shipping address cost_*)``, ``handling_cost_* =
  sum(shipping address handling_cost_*)``, ``wrapping_cost_* = sum(line
  wrapping_cost_*)``; for each: ``*_ex_tax + *_tax == *_inc_tax``;
* ``discount_amount`` (manual) + ``coupon_discount`` == sum of every
  ``applied_discounts.amount`` (tax-inclusive); ``coupon_discount`` also equals
  the sum of ``order_coupons.discount``;
* TAX IDENTITY: ``total_tax == sum(order_taxes.line_amount)``
  (items after discount + shipping + handling + gift wrapping);
* TOTAL IDENTITY: ``total_inc_tax == subtotal_inc_tax + shipping_cost_inc_tax +
  handling_cost_inc_tax + wrapping_cost_inc_tax - discount_amount -
  coupon_discount`` and ``total_inc_tax == total_ex_tax + total_tax``
  (so ``total_ex_tax = subtotal_ex_tax + shipping_ex + handling_ex + wrapping_ex
  - discounts_ex``); both hold for tax-inclusive and tax-exclusive orders;
* ``gift_certificate_amount`` and ``store_credit_amount`` are payments: they do
  not reduce ``total_inc_tax`` and never exceed it together;
* ``items_total = sum(line quantity)``; ``items_shipped = sum(quantity_shipped)``;
* ``refunded_amount`` = sum of the order's refunds ``total_amount``.

Refund (v3 ``Refund``): a PRODUCT item refunding ``k`` units of a line after
``p`` units were already refunded is worth ``f(p + k) - f(p)`` with
``f(n) = round(discounted_total_inc_tax * n / q)`` (tax part likewise from the
line's after-discount tax), so refunding every unit gives back exactly the
discounted line total; SHIPPING / HANDLING items (``item_id`` = order address
id) give back the address' ``cost_inc_tax`` / ``handling_cost_inc_tax``,
GIFT_WRAPPING (``item_id`` = order product id) the line's
``wrapping_cost_inc_tax``. ``total_amount`` = sum of the item amounts,
``total_tax`` = sum of their tax parts, ``sum(payments.amount) ==
total_amount``; all refunds of an order together never exceed its
``total_inc_tax`` and a "full" refund makes them equal it exactly.
"""

import random
import uuid
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

# -- small helpers -------------------------------------------------------------


def q2(value):
    """A Decimal rounded to cents (half up)."""
    if value.__class__ is not Decimal:
        value = Decimal(value)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=8192)
def money4(value):
    """v2 money: a string with 4 decimals, e.g. ``"12.5000"``."""
    # cached: numerically equal arguments always give the same string
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
}

BRANDS = [
    (35, "Trailhead"),
    (36, "Northwind Supply"),
    (37, "Urban Loom"),
    (38, "Sandbox Basics"),
]
# (category_id, name, parent_id)
CATEGORIES = [
    (18, "Shop All", 0),
    (19, "Apparel", 0),
    (20, "T-Shirts", 19),
    (21, "Outerwear", 19),
    (22, "Gear", 0),
    (23, "Bags", 22),
    (24, "Digital", 0),
]

# name, sku, type, price, cost, weight(kg), brand, categories, tax class, options
# options: list of (option name, display type, [(label, price delta, code)])
_SIZES = [("S", "0", "S"), ("M", "0", "M"), ("L", "0", "L"), ("XL", "4", "XL")]
_SIZES3 = _SIZES[:3]
PRODUCTS = [
    (
        "Organic Cotton T-Shirt",
        "TSH-ORG",
        "physical",
        "28.00",
        "9.50",
        "0.20",
        37,
        [18, 19, 20],
        TAX_CLASS_CLOTHING,
        [
            ("Size", "rectangles", _SIZES),
            ("Color", "swatch", [("Black", "0", "BLK"), ("White", "0", "WHT")]),
        ],
    ),
    (
        "Canvas Tote Bag",
        "TOTE-CNV",
        "physical",
        "24.00",
        "7.00",
        "0.30",
        38,
        [18, 22, 23],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Rain Jacket",
        "JKT-RAIN",
        "physical",
        "129.00",
        "52.00",
        "0.65",
        35,
        [18, 19, 21],
        TAX_CLASS_CLOTHING,
        [
            ("Size", "rectangles", _SIZES3),
            ("Color", "swatch", [("Navy", "0", "NVY"), ("Olive", "0", "OLV")]),
        ],
    ),
    (
        "Insulated Water Bottle",
        "BTL-INS",
        "physical",
        "32.00",
        "11.00",
        "0.45",
        36,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Classic Hoodie",
        "HOOD-CLS",
        "physical",
        "59.00",
        "21.00",
        "0.70",
        37,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [("Size", "rectangles", _SIZES3)],
    ),
    (
        "Trail Map Poster",
        "PST-MAP",
        "physical",
        "18.50",
        "4.20",
        "0.15",
        38,
        [18],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Daypack 20L",
        "PACK-20",
        "physical",
        "79.00",
        "30.00",
        "0.90",
        35,
        [18, 22, 23],
        TAX_CLASS_DEFAULT,
        [
            (
                "Color",
                "swatch",
                [("Black", "0", "BLK"), ("Red", "0", "RED"), ("Grey", "0", "GRY")],
            )
        ],
    ),
    (
        "Merino Wool Socks",
        "SOCK-MER",
        "physical",
        "16.00",
        "5.10",
        "0.10",
        36,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [],
    ),
    (
        "Trail Running Shoes",
        "SHOE-TRL",
        "physical",
        "119.00",
        "48.00",
        "0.80",
        35,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [
            (
                "Shoe Size",
                "dropdown",
                [
                    ("8", "0", "8"),
                    ("9", "0", "9"),
                    ("10", "0", "10"),
                    ("11", "0", "11"),
                ],
            )
        ],
    ),
    (
        "Enamel Camp Mug",
        "MUG-ENM",
        "physical",
        "14.00",
        "3.90",
        "0.25",
        38,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Leather Keychain",
        "KEY-LTH",
        "physical",
        "12.00",
        "2.50",
        "0.05",
        37,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Fleece Vest",
        "VST-FLC",
        "physical",
        "69.00",
        "26.00",
        "0.40",
        36,
        [18, 19, 21],
        TAX_CLASS_CLOTHING,
        [
            ("Size", "rectangles", _SIZES3),
            ("Color", "swatch", [("Grey", "0", "GRY"), ("Navy", "0", "NVY")]),
        ],
    ),
    (
        "Headlamp 300",
        "LMP-300",
        "physical",
        "39.95",
        "14.00",
        "0.12",
        35,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Baseball Cap",
        "CAP-BSB",
        "physical",
        "24.00",
        "6.80",
        "0.10",
        38,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [("Color", "swatch", [("Khaki", "0", "KHK"), ("Black", "0", "BLK")])],
    ),
    (
        "Wool Beanie",
        "BNE-WOL",
        "physical",
        "22.00",
        "6.00",
        "0.08",
        37,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [],
    ),
    (
        "Sleeping Bag",
        "BAG-SLP",
        "physical",
        "149.00",
        "61.00",
        "1.40",
        35,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [("Length", "rectangles", [("Regular", "0", "REG"), ("Long", "20", "LNG")])],
    ),
    (
        "Field Notebook",
        "NB-FLD",
        "physical",
        "9.50",
        "2.10",
        "0.18",
        38,
        [18],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Sticker Pack",
        "STK-PCK",
        "physical",
        "5.00",
        "0.80",
        "0.02",
        38,
        [18],
        TAX_CLASS_NON_TAXABLE,
        [],
    ),
    (
        "Camp Chair",
        "CHR-CMP",
        "physical",
        "49.00",
        "19.00",
        "2.10",
        36,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Trail Guide eBook",
        "EBK-TRAIL",
        "digital",
        "12.99",
        "0.00",
        "0.00",
        38,
        [18, 24],
        TAX_CLASS_DEFAULT,
        [],
    ),
]
ENGRAVING_SKU = "KEY-LTH"  # the product with a text modifier ("Engraving")
DIGITAL_SKU = "EBK-TRAIL"

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Mia",
    "Lucas",
    "Amelia",
    "Mason",
    "Harper",
    "Ethan",
    "Evelyn",
    "Logan",
    "Abigail",
    "Jacob",
    "Emily",
    "Daniel",
    "Ella",
    "Henry",
    "Grace",
    "Samuel",
    "Chloe",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Walker",
    "Hall",
    "Allen",
    "Young",
    "King",
]
COMPANIES = [
    "Acme Outdoor Co.",
    "Blue Ridge Rentals",
    "Summit Scouts",
    "Pine & Co.",
    "Riverbend Camps",
    "Northstar Guides",
]
STREETS = [
    "Main Street",
    "Oak Avenue",
    "Maple Drive",
    "Cedar Lane",
    "Elm Street",
    "Pine Road",
    "Lakeview Terrace",
    "Hillcrest Way",
    "Sunset Boulevard",
]
US_CITIES = [
    ("Austin", "Texas", "TX", "78701"),
    ("Denver", "Colorado", "CO", "80202"),
    ("Portland", "Oregon", "OR", "97201"),
    ("Seattle", "Washington", "WA", "98101"),
    ("Chicago", "Illinois", "IL", "60601"),
    ("Boston", "Massachusetts", "MA", "02108"),
    ("Asheville", "North Carolina", "NC", "28801"),
    ("Boise", "Idaho", "ID", "83702"),
]
EU_CITIES = [
    ("Berlin", "Berlin", "Germany", "DE", "10115"),
    ("Munich", "Bavaria", "Germany", "DE", "80331"),
    ("Lyon", "Auvergne-Rhône-Alpes", "France", "FR", "69001"),
    ("Utrecht", "Utrecht", "Netherlands", "NL", "3511"),
    ("Dublin", "Dublin", "Ireland", "IE", "D02"),
]
COUPONS = {
    # code: (coupon_id, name, type, nominal amount)
    "SPRING10": (1, "10% off apparel", 1, Decimal("10")),
    "TAKE5": (2, "$5 off your order", 2, Decimal("5")),
    "WELCOME15": (3, "15% off first item", 1, Decimal("15")),
    "SAVE20": (4, "$20 off orders over $150", 2, Decimal("20")),
}
SHIPPING_METHODS = {
    "us": [("Flat Rate", Decimal("7.95")), ("UPS Ground", Decimal("12.50"))],
    "eu": [("DHL Express", Decimal("14.90"))],
}
FREE_SHIPPING = "Free Shipping"
HANDLING_COST = Decimal("3.00")
WRAPPING_COST = Decimal("4.95")
GIFT_CERTIFICATE_VALUE = Decimal("50.00")
CUSTOM_ITEM = ("Custom embroidery service", "CUSTOM-EMB", Decimal("15.00"))


# -- store settings ----------------------------------------------------------------


def _seed_store_info(state):
    state.store_info = {
        "id": state.store_hash,
        "account_uuid": "6f1b0c9e-2a4d-4c5e-9f10-5a5d0b5e7c21",
        "domain": "sandbox-outfitters.example.com",
        "secure_url": "https://sandbox-outfitters.example.com",
        "control_panel_base_url": f"https://store-{state.store_hash}.mybigcommerce.com",
        "status": "live",
        "name": STORE_NAME,
        "first_name": "Sam",
        "last_name": "Sandbox",
        "address": "100 Trailhead Way\nDenver, CO 80202\nUnited States",
        "country": "United States",
        "country_code": "US",
        "infrastructure_region": "us-central1",
        "phone": "+1 303-555-0100",
        "admin_email": "admin@sandbox-outfitters.example.com",
        "order_email": "orders@sandbox-outfitters.example.com",
        "favicon_url": "https://cdn.example.com/sandbox/favicon.ico",
        "timezone": {
            "name": "America/Denver",
            "raw_offset": -25200,
            "dst_offset": -21600,
            "dst_correction": True,
            "date_format": {
                "display": "M jS Y",
                "export": "M jS Y",
                "extended_display": "M jS Y @ g:i A",
            },
        },
        "language": "en",
        "currency": "USD",
        "currency_symbol": "$",
        "decimal_separator": ".",
        "thousands_separator": ",",
        "decimal_places": 2,
        "currency_symbol_location": "left",
        "weight_units": "KGS",
        "dimension_units": "Centimeters",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ".",
        "dimension_thousands_token": ",",
        "plan_name": "Standard",
        "plan_level": "Standard",
        "plan_is_trial": False,
        "industry": "Sporting Goods",
        "logo": {"url": "https://cdn.example.com/sandbox/logo.png"},
        "is_price_entered_with_tax": False,
        "store_id": 1000000 + sum(ord(c) for c in state.store_hash),
        "default_channel_id": 1,
        "default_site_id": 1000,
        "active_comparison_modules": [],
        "features": {
            "stencil_enabled": True,
            "sitewidehttps_enabled": True,
            "facebook_catalog_id": "",
            "checkout_type": "optimized",
            "wishlists_enabled": False,
            "graphql_storefront_api_enabled": True,
            "shopper_consent_tracking_enabled": True,
            "multi_storefront_enabled": True,
            "storefront_limits": {"active": 1, "total_including_inactive": 1},
        },
    }


def _seed_settings(state):
    updated = rfc2822(datetime(2025, 12, 1, 9, 0, tzinfo=UTC))
    state.currencies = []
    for code, enabled, transactional, rate, countries in (
        ("USD", True, True, "1.0000000000", ["US"]),
        ("EUR", True, True, EUR_RATE_TEXT, ["DE", "FR", "NL", "IE"]),
        ("GBP", False, False, "0.7900000000", ["GB"]),
    ):
        info = CURRENCIES[code]
        state.currencies.append(
            {
                "id": info["id"],
                "is_default": code == "USD",
                "currency_code": code,
                "name": info["name"],
                "country_iso2": info["iso2"],
                "default_for_country_codes": countries,
                "currency_exchange_rate": rate,
                "auto_update": False,
                "token": info["token"],
                "token_location": "left",
                "decimal_token": ".",
                "thousands_token": ",",
                "decimal_places": 2,
                "enabled": enabled,
                "is_transactional": transactional,
                "use_default_name": True,
                "last_updated": updated,
            }
        )
    state.order_statuses = [
        {
            "id": status_id,
            "name": name,
            "system_label": name,
            "custom_label": name,
            "system_description": description,
        }
        for status_id, name, description in ORDER_STATUSES
    ]
    stamp = "2025-09-01 09:00:00+00:00"
    state.tax_classes = [
        {"id": str(class_id), "name": name, "created_at": stamp, "updated_at": stamp}
        for class_id, name in TAX_CLASSES
    ]
    created = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    state.channels = [
        {
            "id": 1,
            "name": STORE_NAME,
            "type": "storefront",
            "platform": "bigcommerce",
            "status": "active",
            "external_id": "",
            "is_listable_from_ui": True,
            "is_visible": True,
            "is_enabled": True,
            "date_created": iso_z(created),
            "date_modified": iso_z(created + timedelta(days=30)),
            "icon_url": "https://cdn.example.com/sandbox/channel-storefront.png",
        },
        {
            "id": 2,
            "name": "Sandbox Outfitters Pop-up (POS)",
            "type": "pos",
            "platform": "square",
            "status": "active",
            "external_id": "sq-location-7731",
            "is_listable_from_ui": True,
            "is_visible": True,
            "is_enabled": True,
            "date_created": iso_z(created + timedelta(days=40)),
            "date_modified": iso_z(created + timedelta(days=45)),
            "icon_url": "https://cdn.example.com/sandbox/channel-pos.png",
        },
    ]
    state.locations = [
        _location(1, "MAIN-WH", "Main warehouse", "VIRTUAL", "Denver", "CO", created),
        _location(2, "STORE-1", "Store front", "PHYSICAL", "Boulder", "CO", created),
    ]


def _location(location_id, code, label, type_id, city, state_code, created):
    day = {"open": True, "opening": "09:00", "closing": "18:00"}
    closed = {"open": False, "opening": "00:00", "closing": "00:00"}
    hours = {
        name: dict(closed if name == "sunday" else day)
        for name in (
            "sunday",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        )
    }
    return {
        "id": location_id,
        "code": code,
        "label": label,
        "description": f"{label} of {STORE_NAME}",
        "managed_by_external_source": False,
        "type_id": type_id,
        "enabled": True,
        "operating_hours": hours,
        "time_zone": "America/Denver",
        "created_at": iso_z(created),
        "updated_at": iso_z(created + timedelta(days=location_id)),
        "address": {
            "address1": f"{100 * location_id} Trailhead Way",
            "address2": "",
            "city": city,
            "state": state_code,
            "zip": "80202" if location_id == 1 else "80302",
            "email": f"location{location_id}@sandbox-outfitters.example.com",
            "phone": f"303-555-01{location_id:02d}",
            "geo_coordinates": {"latitude": 39.7392, "longitude": -104.9903},
            "country_code": "US",
        },
        "storefront_visibility": type_id == "PHYSICAL",
        "special_hours": [],
    }


# -- customers ---------------------------------------------------------------------


def _street(rng):
    return f"{rng.randint(10, 9899)} {rng.choice(STREETS)}"


def _phone(rng, eu=False):
    if eu:
        return f"+49 30 {rng.randint(1000000, 9999999)}"
    return f"{rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}"


def _customer_address(rng, address_id, customer, eu, company):
    if eu:
        city, region, country, iso2, postal = rng.choice(EU_CITIES)
    else:
        city, region, _code, postal = rng.choice(US_CITIES)
        country, iso2 = "United States", "US"
    return {
        "id": address_id,
        "customer_id": customer["id"],
        "first_name": customer["first_name"],
        "last_name": customer["last_name"],
        "company": company,
        "address1": _street(rng),
        "address2": rng.choice(["", "", "Apt 4B", "Suite 200"]),
        "city": city,
        "state_or_province": region,
        "postal_code": postal,
        "country": country,
        "country_code": iso2,
        "phone": customer["phone"],
        "address_type": "commercial" if company else "residential",
    }


def _seed_customers(state, rng, count=25):
    for index in range(count):
        customer_id = state.next_id("customer")
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        eu = index >= count - 5
        company = rng.choice(COMPANIES) if index % 3 == 1 else ""
        created = _spread(rng, datetime(2025, 10, 1, tzinfo=UTC), SEED_START)
        modified = _spread(rng, SEED_START, SEED_END)
        customer = {
            "id": customer_id,
            "email": f"{first}.{last}{customer_id}@example.com".lower(),
            "first_name": first,
            "last_name": last,
            "company": company,
            "phone": _phone(rng, eu),
            "registration_ip_address": f"198.51.100.{customer_id}",
            "notes": "",
            "tax_exempt_category": "",
            "customer_group_id": 1 if index % 5 == 0 else 0,
            "date_created": iso_z(created),
            "date_modified": iso_z(modified),
            "address_count": 0,
            "attribute_count": 0,
            "authentication": {"force_password_reset": False},
            "accepts_product_review_abandoned_cart_emails": index % 2 == 0,
            "origin_channel_id": 1,
            "channel_ids": [1],
        }
        n_addresses = 1 + (index % 4 == 0) + (index % 8 == 0)
        addresses = [
            _customer_address(
                rng, state.next_id("address"), customer, eu, company if n == 0 else ""
            )
            for n in range(n_addresses)
        ]
        customer["address_count"] = len(addresses)
        state.customers[customer_id] = customer
        state.customer_addresses[customer_id] = addresses


# -- catalog -----------------------------------------------------------------------


def _seed_catalog(state, rng):
    for brand_id, name in BRANDS:
        slug = name.lower().replace(" ", "-")
        state.brands[brand_id] = {
            "id": brand_id,
            "name": name,
            "page_title": name,
            "meta_keywords": [slug],
            "meta_description": f"{name} products at {STORE_NAME}.",
            "search_keywords": slug,
            "image_url": f"https://cdn.example.com/sandbox/brands/{slug}.png",
            "custom_url": {"url": f"/brands/{slug}/", "is_customized": False},
        }
    state.trees = [{"id": 1, "name": STORE_NAME, "channels": [1]}]
    names = {cid: name for cid, name, _parent in CATEGORIES}
    parents = {cid: parent for cid, _name, parent in CATEGORIES}
    state.tree_categories = []
    for sort_order, (category_id, name, parent_id) in enumerate(CATEGORIES):
        path = [name]
        walk = parent_id
        while walk:
            path.insert(0, names[walk])
            walk = parents[walk]
        url = "/" + "/".join(p.lower().replace(" ", "-") for p in path) + "/"
        state.tree_categories.append(
            {
                "category_id": category_id,
                "category_uuid": _uuid(rng),
                "tree_id": 1,
                "parent_id": parent_id,
                "name": name,
                "description": f"<p>{name} for every trail.</p>",
                "views": rng.randint(50, 3000),
                "sort_order": sort_order,
                "page_title": name,
                "meta_keywords": [name.lower()],
                "meta_description": f"{name} at {STORE_NAME}",
                "layout_file": "category.html",
                "image_url": "",
                "is_visible": True,
                "search_keywords": name.lower(),
                "default_product_sort": "use_store_settings",
                "url": {"path": url, "is_customized": False},
            }
        )
    state.reserve_ids("product", 110)
    state.reserve_ids("variant", 200)
    state.reserve_ids("option", 10)
    state.reserve_ids("option_value", 100)
    for sort_order, spec in enumerate(PRODUCTS):
        _seed_product(state, rng, sort_order, *spec)


def _seed_product(
    state,
    rng,
    sort_order,
    name,
    sku,
    ptype,
    price,
    cost,
    weight,
    brand_id,
    categories,
    tax_class_id,
    option_specs,
):
    product_id = state.next_id("product")
    created = _spread(rng, CATALOG_START, SEED_START)
    modified = _spread(rng, SEED_START, SEED_END - timedelta(days=20))
    price = Decimal(price)
    digital = ptype == "digital"
    slug = name.lower().replace(" ", "-")
    product = {
        "id": product_id,
        "name": name,
        "type": ptype,
        "sku": sku,
        "description": f"<p>{name} by {dict(BRANDS)[brand_id]}.</p>",
        "weight": float(Decimal(weight)),
        "width": 0.0 if digital else float(rng.randint(10, 40)),
        "depth": 0.0 if digital else float(rng.randint(2, 20)),
        "height": 0.0 if digital else float(rng.randint(5, 50)),
        "price": money_num(price),
        "cost_price": money_num(Decimal(cost)),
        "retail_price": money_num(price * Decimal("1.2")),
        "sale_price": 0.0,
        "map_price": 0.0,
        "tax_class_id": tax_class_id,
        "product_tax_code": "",
        "categories": list(categories),
        "brand_id": brand_id,
        "inventory_level": 0,
        "inventory_warning_level": 0 if digital else 5,
        "inventory_tracking": "none"
        if digital
        else ("variant" if option_specs else "product"),
        "fixed_cost_shipping_price": 0.0,
        "is_free_shipping": False,
        "is_visible": True,
        "is_featured": sort_order < 4,
        "related_products": [-1],
        "warranty": "",
        "bin_picking_number": "" if digital else f"A-{sort_order + 1:02d}",
        "layout_file": "product.html",
        "upc": "",
        "search_keywords": slug.replace("-", ", "),
        "availability_description": "",
        "availability": "available",
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": sort_order,
        "condition": "New",
        "is_condition_shown": False,
        "order_quantity_minimum": 0,
        "order_quantity_maximum": 0,
        "page_title": name,
        "meta_keywords": [],
        "meta_description": "",
        "view_count": rng.randint(20, 2500),
        "preorder_release_date": None,
        "preorder_message": "",
        "is_preorder_only": False,
        "is_price_hidden": False,
        "price_hidden_label": "",
        "custom_url": {
            "url": f"/{slug}/",
            "is_customized": False,
            "create_redirect": False,
        },
        "open_graph_type": "product",
        "open_graph_title": "",
        "open_graph_description": "",
        "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True,
        "open_graph_use_image": True,
        "gtin": "",
        "mpn": "",
        "reviews_rating_sum": 0,
        "reviews_count": 0,
        "total_sold": rng.randint(0, 400),
        "date_created": iso_offset(created),
        "date_modified": iso_offset(modified),
        "calculated_price": money_num(price),
        "option_set_display": "right",
        "channels": [1],
    }
    state.products[product_id] = product
    # images
    for position in range(1 + (rng.random() < 0.5)):
        image_id = state.next_id("image")
        base = f"https://cdn.example.com/sandbox/products/{product_id}/{slug}"
        state.images[product_id].append(
            {
                "id": image_id,
                "product_id": product_id,
                "is_thumbnail": position == 0,
                "sort_order": position,
                "description": f"{name} view {position + 1}",
                "url_zoom": f"{base}-{position + 1}.1280.1280.jpg",
                "url_standard": f"{base}-{position + 1}.386.513.jpg",
                "url_thumbnail": f"{base}-{position + 1}.220.290.jpg",
                "url_tiny": f"{base}-{position + 1}.44.58.jpg",
                "date_modified": iso_offset(modified),
            }
        )
    # options
    options = []
    for position, (option_name, display_type, values) in enumerate(option_specs):
        option_id = state.next_id("option")
        rows = []
        for value_position, (label, _delta, _code) in enumerate(values):
            rows.append(
                {
                    "id": state.next_id("option_value"),
                    "label": label,
                    "sort_order": value_position,
                    "value_data": None,
                    "is_default": False,
                }
            )
        option = {
            "id": option_id,
            "product_id": product_id,
            "name": f"{option_name.lower().replace(' ', '-')}-{product_id}",
            "display_name": option_name,
            "type": display_type,
            "sort_order": position,
            "config": {},
            "option_values": rows,
        }
        options.append((option, values))
        state.options[product_id].append(option)
    # variants
    combos = [[]]
    for option, values in options:
        combos = [
            combo + [(option, row, spec)]
            for combo in combos
            for row, spec in zip(option["option_values"], values, strict=True)
        ]
    level_total = 0
    for combo in combos:
        variant_id = state.next_id("variant")
        delta = sum((Decimal(spec[1]) for _o, _r, spec in combo), Decimal("0"))
        variant_sku = (
            sku if not combo else "-".join([sku] + [s[2] for _o, _r, s in combo])
        )
        variant_price = price + delta
        variant = {
            "id": variant_id,
            "product_id": product_id,
            "sku": variant_sku,
            "sku_id": 5000 + variant_id,
            "price": money_num(variant_price) if delta else None,
            "calculated_price": money_num(variant_price),
            "sale_price": None,
            "retail_price": None,
            "cost_price": money_num(Decimal(cost)),
            "weight": None,
            "width": None,
            "height": None,
            "depth": None,
            "is_free_shipping": False,
            "fixed_cost_shipping_price": None,
            "purchasing_disabled": False,
            "purchasing_disabled_message": "",
            "upc": "",
            "inventory_level": 0,
            "inventory_warning_level": 0 if digital else 3,
            "bin_picking_number": product["bin_picking_number"],
            "option_values": [
                {
                    "id": row["id"],
                    "label": row["label"],
                    "option_id": option["id"],
                    "option_display_name": option["display_name"],
                }
                for option, row, _spec in combo
            ],
        }
        state.variants[product_id].append(variant)
        for location in state.locations:
            if digital:
                onhand, safety = 0, 0
            elif location["id"] == 1:
                onhand, safety = rng.randint(0, 60), rng.choice([0, 0, 2])
            else:
                onhand, safety = rng.randint(0, 12), 0
            state.inventory[(variant_id, location["id"])] = {
                "available_to_sell": max(0, onhand - safety),
                "total_inventory_onhand": onhand,
                "settings": {
                    "safety_stock": safety,
                    "is_in_stock": onhand - safety > 0 or digital,
                    "warning_level": 0 if digital else 3,
                    "bin_picking_number": product["bin_picking_number"],
                },
            }
            if location["id"] == 1:
                variant["inventory_level"] = onhand
                level_total += onhand
    product["inventory_level"] = level_total
    if not option_specs:
        product["base_variant_id"] = state.variants[product_id][0]["id"]
    if sku == ENGRAVING_SKU:
        state.modifiers[product_id].append(
            {
                "id": state.next_id("modifier"),
                "product_id": product_id,
                "name": f"engraving-{product_id}",
                "display_name": "Engraving",
                "type": "text",
                "required": False,
                "sort_order": 0,
                "config": {
                    "default_value": "",
                    "text_characters_limited": True,
                    "text_min_length": 0,
                    "text_max_length": 20,
                },
                "option_values": [],
            }
        )


def _variant_index(state):
    """sku (lower case) -> (product, variant)."""
    index = {}
    for product_id, variants in state.variants.items():
        for variant in variants:
            index[variant["sku"].lower()] = (state.products[product_id], variant)
    return index


# -- orders: money -----------------------------------------------------------------


def _unit_amounts(entered, rates, inclusive):
    """(ex, tax, inc) of one unit priced ``entered`` (see the module docstring)."""
    entered = q2(entered)
    if not rates:
        return entered, ZERO, entered
    total_rate = sum((r[2] for r in rates), Decimal("0")) / HUNDRED
    if inclusive:
        ex = q2(entered / (1 + total_rate))
        return ex, entered - ex, entered
    tax = sum((q2(entered * r[2] / HUNDRED) for r in rates), ZERO)
    return entered, tax, entered + tax


def _discount_parts(amount, rates, inclusive):
    """(d_ex, d_tax, d_inc) of a discount computed in the entered basis."""
    amount = q2(amount)
    total_rate = sum((r[2] for r in rates), Decimal("0")) / HUNDRED
    if inclusive:
        tax = q2(amount * total_rate / (1 + total_rate))
        return amount - tax, tax, amount
    tax = q2(amount * total_rate)
    return amount, tax, amount + tax


def _tax_rows(amount, rates):
    """Split a tax amount over rates in proportion to their percentages."""
    return list(zip(rates, _split(amount, [r[2] for r in rates]), strict=True))


# -- orders: builder ---------------------------------------------------------------


def _billing_from_customer(customer, address):
    return {
        "first_name": customer["first_name"],
        "last_name": customer["last_name"],
        "company": address["company"],
        "street_1": address["address1"],
        "street_2": address["address2"],
        "city": address["city"],
        "state": address["state_or_province"],
        "zip": address["postal_code"],
        "country": address["country"],
        "country_iso2": address["country_code"],
        "phone": address["phone"],
        "email": customer["email"],
        "form_fields": [],
    }


def _guest_billing(rng, eu):
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    if eu:
        city, region, country, iso2, postal = rng.choice(EU_CITIES)
    else:
        city, region, _code, postal = rng.choice(US_CITIES)
        country, iso2 = "United States", "US"
    return {
        "first_name": first,
        "last_name": last,
        "company": "",
        "street_1": _street(rng),
        "street_2": "",
        "city": city,
        "state": region,
        "zip": postal,
        "country": country,
        "country_iso2": iso2,
        "phone": _phone(rng, eu),
        "email": f"guest.{first}.{last}.{rng.randint(100, 999)}@example.net".lower(),
        "form_fields": [],
    }


def _other_address(rng, billing):
    """A second ship-to address (a friend) in the same country."""
    address = dict(billing)
    address.update(
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        company="",
        street_1=_street(rng),
        street_2="",
    )
    if billing["country_iso2"] == "US":
        city, region, _code, postal = rng.choice(US_CITIES)
        address.update(city=city, state=region, zip=postal)
    return address


def _line_plan(product, variant, qty, **extra):
    plan = {
        "kind": "catalog",
        "product": product,
        "variant": variant,
        "quantity": qty,
        "address": 0,
        "wrap": False,
        "engraving": None,
    }
    plan.update(extra)
    return plan


def _order_product_options(state, product, variant, line_id, engraving):
    rows = []
    options = {o["id"]: o for o in state.options.get(product["id"], [])}
    for value in variant["option_values"]:
        option = options.get(value["option_id"], {})
        swatch = option.get("type") == "swatch"
        rows.append(
            {
                "id": state.next_id("order_product_option"),
                "option_id": value["option_id"],
                "order_product_id": line_id,
                "product_option_id": value["option_id"],
                "display_name": value["option_display_name"],
                "display_name_customer": value["option_display_name"],
                "display_name_merchant": value["option_display_name"],
                "display_value": value["label"],
                "display_value_customer": value["label"],
                "display_value_merchant": value["label"],
                "value": str(value["id"]),
                "type": "Swatch" if swatch else "Multiple choice",
                "name": option.get("name", value["option_display_name"]),
                "display_style": "Swatch"
                if swatch
                else ("Dropdown" if option.get("type") == "dropdown" else "Rectangle"),
            }
        )
    if engraving is not None:
        modifier = (state.modifiers.get(product["id"]) or [{}])[0]
        rows.append(
            {
                "id": state.next_id("order_product_option"),
                "option_id": modifier.get("id", 0),
                "order_product_id": line_id,
                "product_option_id": modifier.get("id", 0),
                "display_name": "Engraving",
                "display_name_customer": "Engraving",
                "display_name_merchant": "Engraving",
                "display_value": engraving,
                "display_value_customer": engraving,
                "display_value_merchant": engraving,
                "value": engraving,
                "type": "Text field",
                "name": modifier.get("name", "engraving"),
                "display_style": "",
            }
        )
    return rows


def _build_order(state, rng, plan):
    """Create one order and its sub-resources from ``plan``; return the order.

    ``plan`` keys: created (datetime), status_id, customer (dict or None),
    billing, currency, inclusive, zone, lines (list of line plans),
    ship_addresses (list of address dicts, may be empty), shipping_methods
    (list of (method, entered cost) per address), handling (entered cost per
    address or None), coupon (code or None), manual_discount (Decimal, entered
    basis), gift_certificate, store_credit (Decimal payments), payment_method,
    channel_id, order_source.
    """
    order_id = state.next_id("order")
    created = plan["created"]
    inclusive = plan["inclusive"]
    zone = plan["zone"]
    currency = plan["currency"]
    rate_factor = EUR_RATE if currency == "EUR" else Decimal("1")
    customer = plan["customer"]
    billing = plan["billing"]

    # shipping addresses
    addresses = []
    for index, address in enumerate(plan["ship_addresses"]):
        method, cost = plan["shipping_methods"][index]
        ship_rates = _rates(zone, TAX_CLASS_SHIPPING)
        s_ex, s_tax, s_inc = _unit_amounts(cost, ship_rates, inclusive)
        handling = plan.get("handling") or ZERO
        handling = handling if index == 0 else ZERO
        h_ex, h_tax, h_inc = _unit_amounts(
            q2(handling * rate_factor), ship_rates, inclusive
        )
        addresses.append(
            {
                "id": state.next_id("order_address"),
                "order_id": order_id,
                "first_name": address["first_name"],
                "last_name": address["last_name"],
                "company": address["company"],
                "street_1": address["street_1"],
                "street_2": address["street_2"],
                "city": address["city"],
                "zip": address["zip"],
                "country": address["country"],
                "country_iso2": address["country_iso2"],
                "state": address["state"],
                "email": address["email"],
                "phone": address["phone"],
                "form_fields": [],
                "items_total": 0,
                "items_shipped": 0,
                "shipping_method": method,
                "base_cost": money4(cost),
                "cost_ex_tax": money4(s_ex),
                "cost_inc_tax": money4(s_inc),
                "cost_tax": money4(s_tax),
                "cost_tax_class_id": TAX_CLASS_SHIPPING,
                "base_handling_cost": money4(q2(handling * rate_factor)),
                "handling_cost_ex_tax": money4(h_ex),
                "handling_cost_inc_tax": money4(h_inc),
                "handling_cost_tax": money4(h_tax),
                "handling_cost_tax_class_id": TAX_CLASS_SHIPPING,
                "shipping_zone_id": 2 if zone == "eu" else 1,
                "shipping_zone_name": "Europe" if zone == "eu" else "United States",
            }
        )

    # lines
    lines = []
    line_rates = {}
    for line_plan in plan["lines"]:
        line_id = state.next_id("order_product")
        qty = line_plan["quantity"]
        kind = line_plan["kind"]
        if kind == "catalog":
            product, variant = line_plan["product"], line_plan["variant"]
            usd_price = Decimal(str(variant["calculated_price"]))
            if line_plan.get("price") is not None:
                usd_price = Decimal(str(line_plan["price"]))
            entered = q2(usd_price * rate_factor)
            tax_class_id = int(product["tax_class_id"])
            ptype = product["type"]
            name, sku = product["name"], variant["sku"]
            product_id, variant_id = product["id"], variant["id"]
            cost = q2(Decimal(str(product["cost_price"])) * rate_factor)
            weight = product["weight"]
            brand = state.brands.get(product.get("brand_id"), {}).get("name", "")
            bin_number = variant.get("bin_picking_number") or ""
            options = _order_product_options(
                state, product, variant, line_id, line_plan.get("engraving")
            )
        elif kind == "custom":
            name, sku, price = CUSTOM_ITEM
            entered = q2(Decimal(str(line_plan.get("price") or price)) * rate_factor)
            tax_class_id, ptype = TAX_CLASS_DEFAULT, "physical"
            product_id = variant_id = 0
            cost, weight, brand, bin_number, options = ZERO, 0, "", "", []
        else:  # gift certificate sold
            entered = q2(line_plan.get("price") or GIFT_CERTIFICATE_VALUE)
            name = f"{'€' if currency == 'EUR' else '$'}{entered:.2f} Gift Certificate"
            sku, tax_class_id, ptype = "", None, "giftcertificate"
            product_id = variant_id = 0
            cost, weight, brand, bin_number, options = ZERO, 0, "", "", []
        rates = _rates(zone, tax_class_id)
        ex, tax, inc = _unit_amounts(entered, rates, inclusive)
        physical = ptype == "physical"
        address_id = 0
        if physical and addresses:
            address_id = addresses[min(line_plan["address"], len(addresses) - 1)]["id"]
        wrap_ex = wrap_tax = wrap_inc = wrap_base = ZERO
        if line_plan.get("wrap") and physical:
            wrap_base = q2(WRAPPING_COST * rate_factor)
            wrap_ex, wrap_tax, wrap_inc = _unit_amounts(wrap_base, rates, inclusive)
        line = {
            "id": line_id,
            "order_id": order_id,
            "product_id": product_id,
            "variant_id": variant_id,
            "order_pickup_method_id": 0,
            "order_address_id": address_id,
            "name": name,
            "name_customer": name,
            "name_merchant": name,
            "sku": sku,
            "upc": "",
            "type": ptype,
            "base_price": money4(entered),
            "price_ex_tax": money4(ex),
            "price_inc_tax": money4(inc),
            "price_tax": money4(tax),
            "base_total": money4(entered * qty),
            "total_ex_tax": money4(ex * qty),
            "total_inc_tax": money4(inc * qty),
            "total_tax": money4(tax * qty),
            "quantity": qty,
            "base_cost_price": money4(cost),
            "cost_price_inc_tax": money4(cost),
            "cost_price_ex_tax": money4(cost),
            "cost_price_tax": money4(ZERO),
            "weight": weight,
            "width": money4(ZERO),
            "height": money4(ZERO),
            "depth": money4(ZERO),
            "is_refunded": False,
            "quantity_refunded": 0,
            "refund_amount": money4(ZERO),
            "return_id": 0,
            "wrapping_id": 1 if wrap_base else 0,
            "wrapping_name": "Gift Box" if wrap_base else None,
            "base_wrapping_cost": money4(wrap_base),
            "wrapping_cost_ex_tax": money4(wrap_ex),
            "wrapping_cost_inc_tax": money4(wrap_inc),
            "wrapping_cost_tax": money4(wrap_tax),
            "wrapping_message": "Happy birthday!" if wrap_base else "",
            "quantity_shipped": 0,
            "event_name": None,
            "event_date": None,
            "fixed_shipping_cost": money4(ZERO),
            "ebay_item_id": "",
            "ebay_transaction_id": "",
            "option_set_id": None,
            "parent_order_product_id": None,
            "is_bundled_product": False,
            "bin_picking_number": bin_number,
            "external_id": None,
            "brand": brand,
            "applied_discounts": [],
            "product_options": options,
            "configurable_fields": [],
            "gift_certificate_id": state.next_id("gift_certificate")
            if ptype == "giftcertificate"
            else None,
            "discounted_total_inc_tax": money4(inc * qty),
        }
        lines.append(line)
        line_rates[line_id] = rates

    # discounts (entered basis -> ex/tax/inc parts)
    discounts = {line["id"]: [] for line in lines}  # line id -> [(ex, tax, inc)]
    order_coupons = []
    coupon_inc = ZERO
    manual_inc = ZERO

    def entered_total(line):
        key = "total_inc_tax" if inclusive else "total_ex_tax"
        return Decimal(line[key])

    discountable = [line for line in lines if line["type"] != "giftcertificate"]
    code = plan.get("coupon")
    if code and discountable:
        coupon_id, coupon_name, coupon_type, nominal = COUPONS.get(
            code.upper(), (900 + len(code), code, 2, Decimal("5"))
        )
        shares = []
        if coupon_type == 1:  # percentage off the first eligible line
            target_line = discountable[0]
            shares = [(target_line, q2(entered_total(target_line) * nominal / HUNDRED))]
            target = "product"
        else:  # per_total, pro-rated across the lines
            subtotal = sum((entered_total(line) for line in discountable), ZERO)
            amount = min(q2(nominal * rate_factor), subtotal)
            parts = _split(amount, [entered_total(line) for line in discountable])
            shares = list(zip(discountable, parts, strict=True))
            target = "order"
        total = ZERO
        for line, share in shares:
            if share <= 0:
                continue
            d_ex, d_tax, d_inc = _discount_parts(
                share, line_rates[line["id"]], inclusive
            )
            discounts[line["id"]].append((d_ex, d_tax, d_inc))
            total += d_inc
            line["applied_discounts"].append(
                {
                    "id": str(coupon_id),
                    "amount": money4(d_inc),
                    "name": coupon_name,
                    "code": code.upper(),
                    "target": target,
                }
            )
        coupon_inc = total
        order_coupons.append(
            {
                "id": state.next_id("coupon"),
                "coupon_id": coupon_id,
                "order_id": order_id,
                "code": code.upper(),
                "amount": float(nominal),
                "type": coupon_type,
                "discount": money_num(total),
            }
        )
    manual = plan.get("manual_discount") or ZERO
    if manual and discountable:
        remaining = [
            entered_total(line)
            - sum((d[2] if inclusive else d[0] for d in discounts[line["id"]]), ZERO)
            for line in discountable
        ]
        amount = min(q2(manual * rate_factor), sum(remaining, ZERO))
        for line, share in zip(discountable, _split(amount, remaining), strict=True):
            if share <= 0:
                continue
            d_ex, d_tax, d_inc = _discount_parts(
                share, line_rates[line["id"]], inclusive
            )
            discounts[line["id"]].append((d_ex, d_tax, d_inc))
            manual_inc += d_inc
            line["applied_discounts"].append(
                {
                    "id": "manual-discount",
                    "amount": money4(d_inc),
                    "name": "Manual Discount",
                    "code": None,
                    "target": "order",
                }
            )

    # taxes
    taxes = []

    def add_tax_rows(amount, rates, item_type, address_id, product_ref, class_id):
        for rate, part in _tax_rows(amount, rates):
            if part == 0 and amount == 0:
                continue
            tax_rate_id, rate_name, percent, priority = rate
            taxes.append(
                {
                    "id": state.next_id("tax"),
                    "order_id": order_id,
                    "order_address_id": address_id,
                    "tax_rate_id": tax_rate_id,
                    "sales_tax_id": f"ST-{tax_rate_id}",
                    "tax_class_id": class_id,
                    "name": rate_name,
                    "class": TAX_CLASS_NAMES.get(class_id, "Default Tax Class"),
                    "rate": f"{percent:.4f}",
                    "priority": priority,
                    "priority_amount": money4(amount),
                    "line_amount": money4(part),
                    "order_pickup_method_id": 0,
                    "order_product_id": str(product_ref),
                    "line_item_type": item_type,
                }
            )

    for line in lines:
        rates = line_rates[line["id"]]
        parts = discounts[line["id"]]
        d_inc = sum((d[2] for d in parts), ZERO)
        d_tax = sum((d[1] for d in parts), ZERO)
        line["discounted_total_inc_tax"] = money4(
            Decimal(line["total_inc_tax"]) - d_inc
        )
        product = state.products.get(line["product_id"])
        class_id = (
            int(product["tax_class_id"])
            if product
            else (TAX_CLASS_DEFAULT if line["type"] == "physical" else None)
        )
        if rates:
            add_tax_rows(
                Decimal(line["total_tax"]) - d_tax,
                rates,
                "item",
                line["order_address_id"],
                line["id"],
                class_id,
            )
            if Decimal(line["wrapping_cost_tax"]):
                add_tax_rows(
                    Decimal(line["wrapping_cost_tax"]),
                    rates,
                    "gift-wrapping",
                    line["order_address_id"],
                    line["id"],
                    class_id,
                )
    for address in addresses:
        ship_rates = _rates(zone, TAX_CLASS_SHIPPING)
        if Decimal(address["cost_tax"]):
            add_tax_rows(
                Decimal(address["cost_tax"]),
                ship_rates,
                "shipping",
                address["id"],
                0,
                TAX_CLASS_SHIPPING,
            )
        if Decimal(address["handling_cost_tax"]):
            add_tax_rows(
                Decimal(address["handling_cost_tax"]),
                ship_rates,
                "handling",
                address["id"],
                0,
                TAX_CLASS_SHIPPING,
            )
        address["items_total"] = sum(
            line["quantity"]
            for line in lines
            if line["order_address_id"] == address["id"]
        )

    # order totals
    def total(rows, key):
        return sum((Decimal(row[key]) for row in rows), ZERO)

    subtotal_ex, subtotal_inc = (
        total(lines, "total_ex_tax"),
        total(lines, "total_inc_tax"),
    )
    subtotal_tax = total(lines, "total_tax")
    ship_ex, ship_inc = (
        total(addresses, "cost_ex_tax"),
        total(addresses, "cost_inc_tax"),
    )
    ship_tax = total(addresses, "cost_tax")
    hand_ex = total(addresses, "handling_cost_ex_tax")
    hand_inc = total(addresses, "handling_cost_inc_tax")
    hand_tax = total(addresses, "handling_cost_tax")
    wrap_ex = total(lines, "wrapping_cost_ex_tax")
    wrap_inc = total(lines, "wrapping_cost_inc_tax")
    wrap_tax = total(lines, "wrapping_cost_tax")
    disc_ex = sum((d[0] for parts in discounts.values() for d in parts), ZERO)
    disc_inc = coupon_inc + manual_inc
    total_tax = total(taxes, "line_amount")
    total_inc = subtotal_inc + ship_inc + hand_inc + wrap_inc - disc_inc
    total_ex = subtotal_ex + ship_ex + hand_ex + wrap_ex - disc_ex
    assert total_inc - total_ex == total_tax, (order_id, total_inc, total_ex, total_tax)

    gift_certificate = min(q2(plan.get("gift_certificate") or ZERO), total_inc)
    store_credit = min(
        q2(plan.get("store_credit") or ZERO), total_inc - gift_certificate
    )
    status_id = plan["status_id"]
    currency_info = CURRENCIES[currency]
    ip_last = rng.randint(1, 254)
    order = {
        "id": order_id,
        "customer_id": customer["id"] if customer else 0,
        "date_created": rfc2822(created),
        "date_modified": rfc2822(created),
        "date_shipped": "",
        "status_id": status_id,
        "status": ORDER_STATUSES[status_id][1],
        "subtotal_ex_tax": money4(subtotal_ex),
        "subtotal_inc_tax": money4(subtotal_inc),
        "subtotal_tax": money4(subtotal_tax),
        "base_shipping_cost": money4(total(addresses, "base_cost")),
        "shipping_cost_ex_tax": money4(ship_ex),
        "shipping_cost_inc_tax": money4(ship_inc),
        "shipping_cost_tax": money4(ship_tax),
        "shipping_cost_tax_class_id": TAX_CLASS_SHIPPING,
        "base_handling_cost": money4(total(addresses, "base_handling_cost")),
        "handling_cost_ex_tax": money4(hand_ex),
        "handling_cost_inc_tax": money4(hand_inc),
        "handling_cost_tax": money4(hand_tax),
        "handling_cost_tax_class_id": TAX_CLASS_SHIPPING,
        "base_wrapping_cost": money4(total(lines, "base_wrapping_cost")),
        "wrapping_cost_ex_tax": money4(wrap_ex),
        "wrapping_cost_inc_tax": money4(wrap_inc),
        "wrapping_cost_tax": money4(wrap_tax),
        "wrapping_cost_tax_class_id": TAX_CLASS_DEFAULT,
        "total_ex_tax": money4(total_ex),
        "total_inc_tax": money4(total_inc),
        "total_tax": money4(total_tax),
        "items_total": sum(line["quantity"] for line in lines),
        "items_shipped": 0,
        "payment_method": plan.get("payment_method") or "Credit Card",
        "payment_provider_id": "",
        "payment_status": PAYMENT_STATUS[status_id],
        "refunded_amount": money4(ZERO),
        "order_is_digital": not any(line["type"] == "physical" for line in lines),
        "store_credit_amount": money4(store_credit),
        "gift_certificate_amount": money4(gift_certificate),
        "ip_address": f"203.0.113.{ip_last}",
        "ip_address_v6": "",
        "geoip_country": billing["country"],
        "geoip_country_iso2": billing["country_iso2"],
        "currency_id": currency_info["id"],
        "currency_code": currency,
        "currency_exchange_rate": EUR_RATE_TEXT
        if currency == "EUR"
        else "1.0000000000",
        "default_currency_id": currency_info["id"],
        "default_currency_code": currency,
        "store_default_currency_code": "USD",
        "store_default_to_transactional_exchange_rate": EUR_RATE_TEXT
        if currency == "EUR"
        else "1.0000000000",
        "staff_notes": "",
        "discount_amount": money4(manual_inc),
        "coupon_discount": money4(coupon_inc),
        "shipping_address_count": len(addresses),
        "is_deleted": False,
        "ebay_order_id": "0",
        "cart_id": _uuid(rng),
        "billing_address": billing,
        "is_email_opt_in": bool(customer) and rng.random() < 0.4,
        "order_source": plan.get("order_source") or "www",
        "channel_id": plan.get("channel_id") or 1,
        "external_source": None,
        "external_id": None,
        "external_merchant_id": None,
        "external_order_id": "",
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": "de" if zone == "eu" else "en",
        "is_tax_inclusive_pricing": inclusive,
        "customer_message": plan.get("customer_message", ""),
    }
    state.orders[order_id] = order
    state.order_products[order_id] = lines
    state.order_shipping_addresses[order_id] = addresses
    state.order_coupons[order_id] = order_coupons
    state.order_taxes[order_id] = taxes
    state.order_fees[order_id] = []
    state.order_shipments[order_id] = []
    return order


def _ship(state, order, moment, partial=False):
    """Shipments for every shipping address (``partial``: hold back one unit)."""
    order_id = order["id"]
    lines = state.order_products[order_id]
    physical = [line for line in lines if line["type"] == "physical"]
    held_back = physical[-1]["id"] if partial and physical else None
    for address in state.order_shipping_addresses[order_id]:
        items = []
        for line in physical:
            if line["order_address_id"] != address["id"]:
                continue
            qty = line["quantity"] - (1 if line["id"] == held_back else 0)
            if qty <= 0:
                continue
            line["quantity_shipped"] += qty
            items.append(
                {
                    "order_product_id": line["id"],
                    "product_id": line["product_id"],
                    "quantity": qty,
                }
            )
        address["items_shipped"] = sum(
            line["quantity_shipped"]
            for line in physical
            if line["order_address_id"] == address["id"]
        )
        if not items:
            continue
        tracking = f"1Z{order_id:06d}{address['id']:06d}"
        state.order_shipments[order_id].append(
            {
                "id": state.next_id("shipment"),
                "order_id": order_id,
                "customer_id": order["customer_id"],
                "order_address_id": address["id"],
                "date_created": rfc2822(moment),
                "tracking_number": tracking,
                "merchant_shipping_cost": money4(ZERO),
                "shipping_method": address["shipping_method"],
                "shipping_provider": "ups",
                "shipping_provider_display_name": "UPS",
                "tracking_carrier": "ups",
                "tracking_link": "",
                "generated_tracking_link": f"https://www.ups.com/track?tracknum={tracking}",
                "comments": "",
                "billing_address": {
                    k: order["billing_address"][k]
                    for k in (
                        "first_name",
                        "last_name",
                        "company",
                        "street_1",
                        "street_2",
                        "city",
                        "state",
                        "zip",
                        "country",
                        "country_iso2",
                        "phone",
                        "email",
                    )
                },
                "shipping_address": {
                    k: address[k]
                    for k in (
                        "first_name",
                        "last_name",
                        "company",
                        "street_1",
                        "street_2",
                        "city",
                        "state",
                        "zip",
                        "country",
                        "country_iso2",
                        "phone",
                        "email",
                    )
                },
                "items": items,
            }
        )
    order["items_shipped"] = sum(line["quantity_shipped"] for line in lines)
    order["date_shipped"] = rfc2822(moment)


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


def _refund(state, order_id, kind, items, moment, reason="", override=None):
    order = state.orders[order_id]
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
    if already + total_amount > order_total:
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
    refunded = already + total_amount
    order["refunded_amount"] = money4(refunded)
    status_id = 4 if refunded >= order_total else 14
    _apply_status(state, order, status_id, moment)
    return refund


# -- public API --------------------------------------------------------------------


def _apply_status(state, order, status_id, moment):
    order["status_id"] = status_id
    names = {s["id"]: s["name"] for s in state.order_statuses}
    order["status"] = names.get(status_id, ORDER_STATUSES[status_id][1])
    order["payment_status"] = PAYMENT_STATUS.get(status_id, order["payment_status"])
    if status_id == 2 and not order["date_shipped"]:
        order["date_shipped"] = rfc2822(moment)
    order["date_modified"] = rfc2822(moment)


def set_order_status(state, order_id, status_id):
    """Change the status (and its name, payment_status, date_modified)."""
    with state.lock:
        order = state.orders[order_id]
        _apply_status(state, order, int(status_id), state.clock.now())
        return order


def add_refund(state, order_id, *, kind="full", items=None, override=None):
    """Refund (``full`` = everything left, ``partial`` = one unit of the first line
    with units left, ``shipping`` = the first shipping cost not yet refunded, or
    explicit ``items`` [{item_type, item_id, quantity}] / [{"item_type": "ORDER",
    "amount": 5}]); ``override`` {total_amount, total_tax} is a merchant
    override of the totals. The order goes to status 4 (fully refunded) or 14
    (partially refunded)."""
    with state.lock:
        return _refund(
            state,
            order_id,
            kind,
            items,
            state.clock.now(),
            "Refund",
            override=override,
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


def create_order(
    state,
    *,
    customer_id=None,
    status_id=11,
    lines=None,
    currency_code=None,
    tax_inclusive=None,
    coupon_code=None,
    shipping=True,
    guest=False,
    **extra,
):
    """Build one new consistent order (dates = ``state.clock.now()``).

    ``lines``: [(sku, quantity)] (catalog variant SKUs, case-insensitive; the
    custom item SKU ``CUSTOM-EMB`` makes a non-catalog line); default 1-2 random
    variants. Extra options: ``manual_discount``, ``handling`` (entered cost),
    ``gift_certificate`` / ``store_credit`` (payments), ``ship_to_two_addresses``,
    ``wrap`` (gift-wrap the first line), ``sell_gift_certificate``,
    ``payment_method``, ``channel_id``, ``customer_message``, ``staff_notes``,
    ``external_order_id``.
    """
    with state.lock:
        order_number = max(state.orders, default=99) + 1
        rng = random.Random(f"{state.store_hash}:{order_number}:{len(state.orders)}")
        now = state.clock.now()
        currency = (currency_code or state.store_info.get("currency") or "USD").upper()
        zone = "eu" if currency == "EUR" else "us"
        inclusive = (zone == "eu") if tax_inclusive is None else bool(tax_inclusive)
        customer = None
        if not guest:
            if customer_id is None:
                customer_id = rng.choice(sorted(state.customers))
            customer = state.customers[customer_id]
        if customer:
            address = state.customer_addresses[customer["id"]][0]
            billing = _billing_from_customer(customer, address)
        else:
            billing = _guest_billing(rng, zone == "eu")
        index = _variant_index(state)
        line_plans = []
        if lines is None:
            candidates = sorted(
                (sku for sku, (p, _v) in index.items() if p["type"] == "physical")
            )
            for sku in rng.sample(candidates, rng.randint(1, 2)):
                product, variant = index[sku]
                line_plans.append(_line_plan(product, variant, rng.randint(1, 3)))
        else:
            for entry in lines:
                if isinstance(entry, dict):
                    sku, qty = entry["sku"], entry.get("quantity", 1)
                    price = entry.get("price")
                else:
                    sku, qty = entry[0], entry[1]
                    price = entry[2] if len(entry) > 2 else None
                if sku.upper() == CUSTOM_ITEM[1]:
                    line_plans.append(
                        {
                            "kind": "custom",
                            "quantity": qty,
                            "address": 0,
                            "price": price,
                        }
                    )
                    continue
                if sku.lower() not in index:
                    raise KeyError(f"unknown SKU {sku!r}")
                product, variant = index[sku.lower()]
                line_plans.append(_line_plan(product, variant, int(qty), price=price))
        if extra.pop("wrap", False) and line_plans:
            line_plans[0]["wrap"] = True
        if extra.pop("sell_gift_certificate", False):
            line_plans.append({"kind": "giftcertificate", "quantity": 1, "address": 0})
        has_physical = any(
            p["kind"] == "custom" or p["product"]["type"] == "physical"
            for p in line_plans
            if p["kind"] != "giftcertificate"
        )
        ship_addresses, methods = [], []
        if shipping and has_physical:
            ship_addresses.append(billing)
            methods.append(SHIPPING_METHODS[zone][0])
            if extra.pop("ship_to_two_addresses", False):
                ship_addresses.append(_other_address(rng, billing))
                methods.append(SHIPPING_METHODS[zone][0])
                if len(line_plans) > 1:
                    line_plans[-1]["address"] = 1
        else:
            extra.pop("ship_to_two_addresses", None)
        plan = {
            "created": now,
            "status_id": int(status_id),
            "customer": customer,
            "billing": billing,
            "currency": currency,
            "inclusive": inclusive,
            "zone": zone,
            "lines": line_plans,
            "ship_addresses": ship_addresses,
            "shipping_methods": methods,
            "handling": Decimal(str(extra.pop("handling", 0) or 0)),
            "coupon": coupon_code,
            "manual_discount": Decimal(str(extra.pop("manual_discount", 0) or 0)),
            "gift_certificate": Decimal(str(extra.pop("gift_certificate", 0) or 0)),
            "store_credit": Decimal(str(extra.pop("store_credit", 0) or 0))
            if customer
            else ZERO,
            "payment_method": extra.pop("payment_method", None),
            "channel_id": extra.pop("channel_id", None),
            "order_source": "www",
        }
        state.reserve_ids("order", order_number - 1)
        order = _build_order(state, rng, plan)
        for key, value in extra.items():
            if key not in order:
                raise TypeError(f"create_order() got an unexpected option {key!r}")
            order[key] = value
        if order["status_id"] in SHIPPED_STATUSES and ship_addresses:
            _ship(state, order, now, partial=order["status_id"] == 3)
        order["date_modified"] = rfc2822(now)
        return order


# -- seeded orders ----------------------------------------------------------------

# (feature, status): the feature goes to the next seeded order with that status.
FEATURES = [
    ("digital_only", 11),
    ("guest", 11),
    ("guest", 2),
    ("guest", 4),
    ("eur", 10),
    ("eur", 14),
    ("eur", 2),
    ("eur", 11),
    ("incl", 9),
    ("incl", 11),
    ("two_addr", 2),
    ("two_addr", 11),
    ("two_addr", 4),
    ("custom", 11),
    ("custom", 3),
    ("giftcert_sold", 10),
    ("giftcert_sold", 11),
    ("store_credit", 2),
    ("store_credit", 14),
    ("gift_cert_used", 10),
    ("gift_cert_used", 9),
    ("coupon_pct", 2),
    ("coupon_pct", 4),
    ("coupon_pct", 14),
    ("coupon_total", 10),
    ("coupon_total", 3),
    ("coupon_total", 11),
    ("manual_disc", 9),
    ("manual_disc", 14),
    ("handling", 2),
    ("handling", 4),
    ("wrapping", 10),
    ("wrapping", 11),
    ("engraving", 11),
    ("engraving", 2),
    ("channel2", 10),
    ("channel2", 11),
    ("two_refunds", 14),
    ("shipping_refund", 14),
    ("paid_shipping", 14),
    ("cash", 9),
]


# Statuses of the orders seeded beyond the first BASE_ORDER_COUNT, per block of 60:
# mostly paid (2, 3, 9, 10, 11), some refunded (4, 14), a few others.
EXTRA_STATUS_BLOCK = (
    [11] * 13
    + [2] * 12
    + [10] * 10
    + [9] * 6
    + [3] * 5
    + [14] * 4
    + [4] * 3
    + [8] * 2
    + [7, 1, 5, 0, 6]
)
BASE_ORDER_COUNT = 60
SEED_ORDER_COUNT = 240
# Extra coupons put on orders without a special case: feature -> code.
RANDOM_COUPONS = {
    "coupon_pct": "SPRING10",
    "coupon_total": "TAKE5",
    "coupon_welcome": "WELCOME15",
    "coupon_big": "SAVE20",
}
SAVE20_MINIMUM = Decimal("150")


def _status_list(rng, count=BASE_ORDER_COUNT):
    """``count`` shuffled statuses: the 60 base ones (every status at least
    twice), then ``EXTRA_STATUS_BLOCK`` repeated for the orders beyond them."""
    statuses = list(range(15)) * 2
    statuses += [11] * 6 + [2] * 5 + [10] * 5 + [9] * 2 + [4] * 3 + [14] * 4
    statuses += [3] * 2 + [7, 1, 5]
    extra = []
    while len(statuses) + len(extra) < count:
        block = list(EXTRA_STATUS_BLOCK)
        rng.shuffle(block)
        extra += block
    statuses += extra[: max(0, count - len(statuses))]
    rng.shuffle(statuses)
    return statuses[:count]


def _random_features(rng, status_id):
    """Everyday variety for an order that got no special case from FEATURES."""
    feats = set()
    draw = rng.random()
    if draw < 0.12:
        feats.add("eur")  # tax-inclusive EUR
    elif draw < 0.16:
        feats.add("incl")  # tax-inclusive USD
    if rng.random() < 0.06:
        feats.add("guest")
    if rng.random() < 0.07:
        feats.add("two_addr")
    draw = rng.random()
    if draw < 0.20:
        feats.add(rng.choice(sorted(RANDOM_COUPONS)))
    if rng.random() < 0.04:
        feats.add("wrapping")
    if status_id == 14 and rng.random() < 0.25:
        feats.add("two_refunds")
    return feats


def _assign_features(statuses):
    features = [set() for _ in statuses]
    used = {}
    for feature, status in FEATURES:
        indexes = [i for i, s in enumerate(statuses) if s == status]
        # the digital-only order must not share the first slot with others
        n = used.get(status, 0)
        used[status] = n + 1
        features[indexes[n % len(indexes)]].add(feature)
    return features


def _coupon_for(feats, line_plans):
    """The coupon code of a seeded order (SAVE20 only above its minimum)."""
    for feature, code in RANDOM_COUPONS.items():
        if feature not in feats:
            continue
        if code == "SAVE20":
            subtotal = sum(
                (
                    Decimal(str(p["variant"]["calculated_price"])) * p["quantity"]
                    for p in line_plans
                    if p["kind"] == "catalog"
                ),
                ZERO,
            )
            return code if subtotal >= SAVE20_MINIMUM else "TAKE5"
        return code
    return None


def _seed_orders(state, rng, count=SEED_ORDER_COUNT):
    """``count`` orders (ids 100..), in date order: every FEATURES special case
    once, the rest an everyday mix (``_random_features``); status 4 / 14 orders
    get their refunds (full / partial, shipping-only, two partial ones)."""
    statuses = _status_list(rng, count)
    features = _assign_features(statuses)
    for status_id, feats in zip(statuses, features, strict=True):
        if not feats:
            feats.update(_random_features(rng, status_id))
    moments = sorted(
        _spread(rng, SEED_START, SEED_END - timedelta(days=12)) for _ in statuses
    )
    index = _variant_index(state)
    catalog = sorted(
        (
            sku
            for sku, (p, _v) in index.items()
            if p["type"] == "physical" and sku.upper() != ENGRAVING_SKU.upper()
        )
    )
    us_customers = [
        c
        for c in sorted(state.customers)
        if state.customer_addresses[c][0]["country_code"] == "US"
    ]
    eu_customers = [c for c in sorted(state.customers) if c not in us_customers]
    multi_address = {
        zone: [c for c in pool if len(state.customer_addresses[c]) > 1]
        for zone, pool in (("us", us_customers), ("eu", eu_customers))
    }
    refunds_plan = []
    state.reserve_ids("order", 99)
    state.reserve_ids("order_product", 1000)
    state.reserve_ids("order_address", 500)
    for position, (status_id, feats, created) in enumerate(
        zip(statuses, features, moments, strict=True)
    ):
        eu = "eur" in feats
        zone = "eu" if eu else "us"
        inclusive = eu or "incl" in feats
        guest = "guest" in feats
        customer = None
        if not guest:
            if "two_addr" in feats:
                pool = multi_address[zone] or multi_address["us"]
            else:
                pool = eu_customers if eu else us_customers
            customer = state.customers[pool[position % len(pool)]]
        if customer:
            billing = _billing_from_customer(
                customer, state.customer_addresses[customer["id"]][0]
            )
        else:
            billing = _guest_billing(rng, eu)
        # lines
        line_plans = []
        if "digital_only" in feats:
            product, variant = index[DIGITAL_SKU.lower()]
            line_plans.append(_line_plan(product, variant, 1))
        else:
            n_lines = rng.choice([1, 1, 1, 2, 2, 3, 4])
            for sku in rng.sample(catalog, n_lines):
                product, variant = index[sku]
                line_plans.append(
                    _line_plan(product, variant, rng.choice([1, 1, 1, 2, 3]))
                )
            if "engraving" in feats:
                product, variant = index[ENGRAVING_SKU.lower()]
                line_plans.append(
                    _line_plan(
                        product,
                        variant,
                        1,
                        engraving=rng.choice(["J.D.", "A+B", "Trail 26"]),
                    )
                )
            if "custom" in feats:
                line_plans.append({"kind": "custom", "quantity": 1, "address": 0})
            if rng.random() < 0.15:
                product, variant = index[DIGITAL_SKU.lower()]
                line_plans.append(_line_plan(product, variant, 1))
            if status_id in (3, 14):
                line_plans[0]["quantity"] = max(line_plans[0]["quantity"], 2)
            if "two_refunds" in feats:
                line_plans[0]["quantity"] = max(line_plans[0]["quantity"], 3)
            if "wrapping" in feats:
                line_plans[0]["wrap"] = True
        if "giftcert_sold" in feats:
            line_plans.append({"kind": "giftcertificate", "quantity": 1, "address": 0})
        has_physical = any(
            p["kind"] == "custom"
            or (p["kind"] == "catalog" and p["product"]["type"] == "physical")
            for p in line_plans
        )
        ship_addresses, methods = [], []
        if has_physical:
            ship_addresses.append(billing)
            paid = "paid_shipping" in feats or "shipping_refund" in feats
            free = not paid and (rng.random() < 0.3)
            method = (
                (FREE_SHIPPING, ZERO) if free else rng.choice(SHIPPING_METHODS[zone])
            )
            methods.append(method)
            if "two_addr" in feats:
                other = (
                    state.customer_addresses[customer["id"]][1] if customer else None
                )
                if other:
                    second = _billing_from_customer(customer, other)
                else:
                    second = _other_address(rng, billing)
                ship_addresses.append(second)
                methods.append(rng.choice(SHIPPING_METHODS[zone]))
                physical = [p for p in line_plans if p["kind"] != "giftcertificate"]
                if len(physical) < 2:
                    product, variant = index[catalog[position % len(catalog)]]
                    line_plans.append(_line_plan(product, variant, 1))
                    physical.append(line_plans[-1])
                physical[-1]["address"] = 1
        plan = {
            "created": created,
            "status_id": status_id,
            "customer": customer,
            "billing": billing,
            "currency": "EUR" if eu else "USD",
            "inclusive": inclusive,
            "zone": zone,
            "lines": line_plans,
            "ship_addresses": ship_addresses,
            "shipping_methods": methods,
            "handling": HANDLING_COST if "handling" in feats else ZERO,
            "coupon": _coupon_for(feats, line_plans),
            "manual_discount": Decimal(rng.choice(["5.00", "7.50", "10.00"]))
            if "manual_disc" in feats
            else ZERO,
            "gift_certificate": Decimal("25.00") if "gift_cert_used" in feats else ZERO,
            "store_credit": Decimal("15.00")
            if "store_credit" in feats and customer
            else ZERO,
            "payment_method": "Cash"
            if "cash" in feats
            else ("Gift Certificate" if "gift_cert_used" in feats else "Credit Card"),
            "channel_id": 2 if "channel2" in feats else 1,
            "order_source": "external" if "channel2" in feats else "www",
        }
        order = _build_order(state, rng, plan)
        modified = _later(created, rng, 5, 600)
        if status_id in SHIPPED_STATUSES and order["shipping_address_count"]:
            shipped = _later(created, rng, 720, 4320)
            _ship(state, order, shipped, partial=status_id == 3)
            modified = max(modified, shipped)
        order["date_modified"] = rfc2822(modified)
        if status_id == 4:
            refunds_plan.append((_later(modified, rng, 60, 7200), order["id"], "full"))
        elif status_id == 14:
            moment = _later(modified, rng, 60, 7200)
            if "shipping_refund" in feats:
                refunds_plan.append((moment, order["id"], "shipping"))
            else:
                refunds_plan.append((moment, order["id"], "partial"))
            if "two_refunds" in feats:
                refunds_plan.append(
                    (_later(moment, rng, 60, 2880), order["id"], "partial")
                )
    for moment, order_id, kind in sorted(refunds_plan):
        reason = {
            "full": "Customer return",
            "partial": "Damaged item",
            "shipping": "Late delivery",
        }[kind]
        _refund(state, order_id, kind, None, moment, reason)


def populate(state, seed):
    """Fill ``state`` with the deterministic store of ``seed``."""
    rng = random.Random(seed)
    with state.lock:
        _seed_store_info(state)
        _seed_settings(state)
        _seed_customers(state, random.Random(rng.random()))
        _seed_catalog(state, random.Random(rng.random()))
        _seed_orders(state, random.Random(rng.random()))
        state.hooks.clear()
        maxima = {
            "order": max(state.orders, default=0),
            "customer": max(state.customers, default=0),
            "product": max(state.products, default=0),
            "refund": max(state.refunds, default=0),
            "hook": 0,
            "fee": 0,
        }
        for kind, last in maxima.items():
            state.reserve_ids(kind, last)
