"""The seeded orders: every status and every money feature, then random orders up to
``SEED_ORDER_COUNT``.
"""

from datetime import timedelta
from decimal import Decimal

from .catalog import DIGITAL_SKU, ENGRAVING_SKU, _variant_index
from .common import (
    SEED_END,
    SEED_START,
    SHIPPED_STATUSES,
    TAX_CLASS_NON_TAXABLE,
    TAX_CLASS_SHIPPING,
    ZERO,
    _later,
    _spread,
    rfc2822,
)
from .orders import (
    FREE_SHIPPING,
    HANDLING_COST,
    SHIPPING_METHODS,
    _billing_from_customer,
    _build_order,
    _guest_billing,
    _line_plan,
    _other_address,
    _ship,
)
from .refunds import _refund

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
    # Real-store fidelity (issue 15): fees with and without tax, orders of an
    # automatic-tax store (tax rows without order_address_id), gift wrapping
    # of several lines (wrapping tax rows carry no order_product_id).
    ("fee_taxed", 11),
    ("fee_taxed", 10),
    ("fee_untaxed", 11),
    ("fee_both", 2),
    ("automatic_tax", 11),
    ("automatic_tax", 10),
    ("automatic_tax_full", 2),
    ("wrap_two", 11),
    ("wrap_two", 9),
]
# Composite features: what each one switches on.
COMPOSITE_FEATURES = {
    # Automatic tax, two shipping addresses, handling, two wrapped lines and a
    # taxed fee on one order: every tax row matched without address ids.
    "automatic_tax_full": {"automatic_tax", "two_addr", "handling", "wrap_two"},
    "fee_both": {"fee_taxed", "fee_untaxed"},
}
# Fees as orders.v2.oas2.yml › orderFees_Resp: (name, entered cost, taxed).
SEEDED_FEES = {
    "fee_taxed": ("Package protection", Decimal("2.50"), True),
    "fee_untaxed": ("Donation to reforestation", Decimal("1.00"), False),
}


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
        for composite, parts in COMPOSITE_FEATURES.items():
            if composite in feats:
                feats.update(parts)
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
            if "wrap_two" in feats:
                if len(line_plans) < 2:
                    product, variant = index[catalog[(position + 7) % len(catalog)]]
                    line_plans.append(_line_plan(product, variant, 1))
                for line_plan in line_plans[:2]:
                    line_plan["wrap"] = True
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
            "automatic_tax": "automatic_tax" in feats,
            "fees": [
                (name, cost, TAX_CLASS_SHIPPING if taxed else TAX_CLASS_NON_TAXABLE)
                for feature, (name, cost, taxed) in SEEDED_FEES.items()
                if feature in feats
            ],
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
