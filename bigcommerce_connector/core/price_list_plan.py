"""A BigCommerce price list record as Odoo pricelist items (pure Python).

A price record (price_lists.v3.yml, ``GET /pricelists/{id}/records``) holds
one variant's prices in one currency: ``price``, ``sale_price``,
``retail_price``, ``map_price``, the read-only ``calculated_price`` and,
with ``include=bulk_pricing_tiers``, its tiers.

Which price BigCommerce charges: the spec's ``calculated_price`` is "the
price of the variant as seen on the storefront if a price record is in
effect. It will be equal to the ``sale_price``, if set, and the ``price`` if
there is not a ``sale_price``" (price_lists.v3.yml, Price Record). So the
charged unit price is ``sale_price`` when set, else ``price``, else the
``calculated_price`` BigCommerce sent; ``retail_price`` and ``map_price`` are
shown prices, never charged.

Bulk pricing tiers (spec, ``BulkPricingTier.type``): "price – the adjustment
amount per product; percent – the adjustment as a percentage of the
original price; fixed – the adjusted absolute price of the product". A tier
applies from ``quantity_min`` units of the variant in the cart. The
"original price" of a record's tier is taken as the record's charged price
(the Help Center's "Price Lists": a tier adjusts the price the list gives
the variant; without a list price it would use the catalog price, which a
record read here always has). So a tier's unit price is:

- ``fixed``: ``amount``;
- ``price``: charged price - ``amount``;
- ``percent``: charged price x (1 - ``amount`` / 100);

rounded half up to the currency's decimals (Decimal, never float), never
below zero.

Odoo picks, among a pricelist's items for a variant, the one with the
highest ``min_quantity`` not above the quantity ordered
(``product.pricelist.item._order`` = ``applied_on, min_quantity desc``, and
``_is_applicable_for`` refuses an item whose ``min_quantity`` is above the
quantity). So the plan of a record is one fixed-price item at
``min_quantity`` 0 (the charged price) and one per tier at its
``quantity_min``. A tier's ``quantity_max`` needs nothing when the next tier
starts right after it; when it ends before the next tier (or is the last
tier and bounded), an item at ``quantity_max + 1`` brings the charged price
back, as BigCommerce does outside every tier.

A plan is a tuple of ``(min_quantity, unit price)`` sorted by quantity.

The export (Odoo -> a record, the functions after ``by_currency``) is the
inverse: the quantity-1 price is the record's ``price`` and every quantity
break above 1 a ``fixed`` tier, so that export then import gives back the
same items.
"""

import json
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
HUNDRED = Decimal("100")
TIER_TYPES = ("fixed", "price", "percent")
# The spec's examples end an open tier at the largest 32-bit integer.
OPEN_END = 2**31 - 1


class RecordError(ValueError):
    """A record the plan cannot price (the message says why)."""


def quantum(decimal_places):
    """The currency's smallest unit (USD 0.01, JPY 1, KWD 0.001)."""
    return Decimal(1).scaleb(-int(decimal_places))


def amount(value):
    """Decimal of a JSON number (from its shortest text, never binary float);
    None for null or empty."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise RecordError(f"not an amount: {value!r}") from None


def charged_price(record):
    """The unit price BigCommerce charges for the record's variant (see the
    module's docstring): sale_price, else price, else calculated_price."""
    for name in ("sale_price", "price", "calculated_price"):
        value = amount(record.get(name))
        if value is not None:
            return value
    raise RecordError("no price, sale_price or calculated_price")


def tier_price(base, tier, unit):
    """The unit price of one bulk pricing tier, rounded to ``unit``."""
    kind = tier.get("type")
    value = amount(tier.get("amount"))
    if kind not in TIER_TYPES:
        raise RecordError(f"bulk pricing tier type {kind!r} is not one of {TIER_TYPES}")
    if value is None:
        raise RecordError(f"bulk pricing tier without amount: {tier!r}")
    if kind == "fixed":
        price = value
    elif kind == "price":
        price = base - value
    else:
        price = base * (HUNDRED - value) / HUNDRED
    return max(ZERO, price.quantize(unit, rounding=ROUND_HALF_UP))


def _quantity(value, name):
    if value is None:
        return None
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise RecordError(
            f"bulk pricing tier {name} {value!r} is not a number"
        ) from None
    return max(0, quantity)


def plan_record(record, decimal_places):
    """The items of one price record: a tuple of (min_quantity, Decimal
    unit price) sorted by quantity. Raises RecordError when it cannot."""
    unit = quantum(decimal_places)
    base = max(ZERO, charged_price(record).quantize(unit, rounding=ROUND_HALF_UP))
    tiers = []
    for tier in record.get("bulk_pricing_tiers") or []:
        low = _quantity(tier.get("quantity_min"), "quantity_min") or 0
        high = _quantity(tier.get("quantity_max"), "quantity_max")
        if high is not None and high >= OPEN_END:
            high = None  # open-ended
        tiers.append((low, high, tier_price(base, tier, unit)))
    tiers.sort(key=lambda tier: tier[0])
    prices = {0: base}
    for index, (low, high, price) in enumerate(tiers):
        prices[low] = price
        following = tiers[index + 1][0] if index + 1 < len(tiers) else None
        if (
            high is not None
            and high >= low
            and (following is None or following > high + 1)
        ):
            # Between this tier and the next (or after the last): BigCommerce
            # charges the record's price again.
            prices.setdefault(high + 1, base)
    return tuple(sorted(prices.items()))


def plan_records(records, decimal_places):
    """{variant id: plan} of ``records`` (one currency), and {variant id:
    reason} of those that cannot be planned. A record without a
    variant_id is refused (the connector reads records by variant)."""
    plans, errors = {}, {}
    for record in records:
        variant = record.get("variant_id")
        if not variant:
            errors[record.get("sku") or "?"] = "record without variant_id"
            continue
        try:
            plans[int(variant)] = plan_record(record, decimal_places)
        except RecordError as error:
            errors[int(variant)] = str(error)
    return plans, errors


def by_currency(records):
    """{upper-case currency code: [records]} (BigCommerce writes ``usd``)."""
    found = {}
    for record in records:
        code = (record.get("currency") or "").strip().upper()
        found.setdefault(code, []).append(record)
    return found


# ----------------------------------------------------------------------
# Export: an Odoo variant's prices -> one price record
# ----------------------------------------------------------------------
#
# The exported record is the inverse of ``plan_record``: ``price`` is the
# quantity-1 price and each quantity break above 1 is a ``fixed`` tier
# (BulkPricingTier.type "fixed – the adjusted absolute price of the
# product"), the only type whose amount is the unit price itself: ``price``
# and ``percent`` adjust "the original price", which another price or a
# sale price would move. A tier ends where the next one starts
# (``quantity_max`` = the next ``quantity_min`` - 1) and the last one is open
# (OPEN_END, as in the spec's examples), so ``plan_record`` reads the record
# back as the same (min_quantity, unit price) items.


def tier_quantities(min_quantities):
    """The ``quantity_min`` of the tiers of Odoo items at ``min_quantities``
    (floats): each rounded up to whole units (an item from 2.5 units applies
    from 3 in a cart), only those above 1 (the quantity-1 price is the
    record's ``price``), sorted, once each."""
    found = set()
    for value in min_quantities:
        quantity = int(Decimal(str(value)).to_integral_value(rounding=ROUND_CEILING))
        if quantity > 1:
            found.add(quantity)
    return sorted(found)


def export_tiers(prices, decimal_places):
    """``prices`` ({quantity_min: unit price}) as the tiers of a record: a
    tuple of (int quantity_min, Decimal price) sorted by quantity, rounded
    half up to the currency."""
    unit = quantum(decimal_places)
    return tuple(
        (int(quantity), _rounded(prices[quantity], unit))
        for quantity in sorted(prices)
        if int(quantity) > 1
    )


def tier_rows(tiers):
    """The ``bulk_pricing_tiers`` of a PUT record for ``tiers`` (from
    :func:`export_tiers`): fixed unit prices, each tier up to the next."""
    rows = []
    for index, (quantity, price) in enumerate(tiers):
        following = tiers[index + 1][0] if index + 1 < len(tiers) else None
        rows.append(
            {
                "quantity_min": quantity,
                "quantity_max": following - 1 if following else OPEN_END,
                "type": "fixed",
                "amount": float(price),
            }
        )
    return rows


def tiers_text(tiers):
    """The canonical text of ``tiers`` (from :func:`export_tiers`), stored as
    what BigCommerce acknowledged: ``[[quantity_min,"price"],...]``, ``[]``
    for none (never empty: empty means "not known")."""
    return json.dumps([[q, str(p)] for q, p in tiers], separators=(",", ":"))


def record_changes(records, sent, decimal_places):
    """[(variant id, price, tiers)] of ``records`` ({variant id: (price,
    {quantity_min: price})}) whose price or tiers, rounded to the currency,
    differ from ``sent`` ({variant id: (price, tiers text)}: what BigCommerce
    last acknowledged; a variant never sent, or whose tiers are not known,
    differs), in variant order."""
    unit = quantum(decimal_places)
    changed = []
    for variant in sorted(records):
        price, prices = records[variant]
        price = _rounded(price, unit)
        tiers = export_tiers(prices, decimal_places)
        before_price, before_tiers = sent.get(variant, (None, None))
        if (
            before_price is None
            or _rounded(before_price, unit) != price
            or before_tiers != tiers_text(tiers)
        ):
            changed.append((variant, price, tiers))
    return changed


def _rounded(value, unit):
    """A float or Decimal as a Decimal of the currency (half up, from its
    shortest text: never the binary float)."""
    return Decimal(str(value)).quantize(unit, rounding=ROUND_HALF_UP)


def batches(rows, size):
    """``rows`` in consecutive lists of at most ``size``."""
    return [rows[start : start + size] for start in range(0, len(rows), size)]
