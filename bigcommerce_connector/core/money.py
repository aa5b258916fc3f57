"""Rounding, splitting and prorating amounts in a currency's smallest unit."""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


def quantum(decimal_places):
    """The smallest amount of a currency of ``decimal_places`` decimals
    (JPY 1, USD 0.01, KWD 0.001)."""
    return Decimal(1).scaleb(-int(decimal_places))


def cents(value, unit=CENT):
    """``value`` rounded half up to ``unit`` (the currency's precision)."""
    return value.quantize(unit, rounding=ROUND_HALF_UP)


def money(value, unit=CENT):
    """A float or Decimal read from Odoo, as a Decimal of the currency."""
    return cents(Decimal(str(value)), unit)


def split(amount, weights, unit=CENT):
    """Split ``amount`` over ``weights`` in units of ``unit``, the remainder
    to the largest weight (the first of them): the parts add up to
    ``amount`` exactly."""
    total = sum(weights, ZERO)
    if not weights:
        return []
    if not total:
        return [amount] + [ZERO] * (len(weights) - 1)
    parts = [cents(amount * weight / total, unit) for weight in weights]
    parts[weights.index(max(weights))] += amount - sum(parts, ZERO)
    return parts


def prorate(amount, done, part, whole, unit=CENT):
    """What ``part`` more units of ``whole`` are worth after ``done`` units.

    Cumulative rounding: refunding every unit, in any number of refunds,
    gives back exactly ``amount``, never a unit more or less.
    """
    if not whole:
        return ZERO
    return cents(amount * (done + part) / whole, unit) - cents(
        amount * done / whole, unit
    )
