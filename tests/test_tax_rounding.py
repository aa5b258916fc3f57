"""The Odoo-taxes tie-out tolerance: the largest difference rounding can cause.

Both sides' rounding are modelled in Decimal: BigCommerce rounding each
rate's tax of one unit (ties either way: its tie rule is not documented),
then multiplying by the quantity, or a tax-inclusive unit price once; Odoo
rounding each tax once per line, half up (``float_round``'s default), after
rounding the line's base. Hypothesis looks for a line whose difference
exceeds the tolerance; fixed examples show the bound is reached, and that a
quarter point off on 10 units is more than rounding.
"""

from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bigcommerce_connector.core.tax_rounding import rounding_tolerance

CENT = Decimal("0.01")
TIES = (ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_HALF_EVEN)


def cents(value, rounding=ROUND_HALF_UP):
    return value.quantize(CENT, rounding=rounding)


def bigcommerce_exclusive(price, quantity, rates, ties):
    """Each rate's tax of one unit, rounded, times the quantity."""
    return sum((cents(price * rate, ties) * quantity for rate in rates), Decimal(0))


def bigcommerce_inclusive(price_inc, quantity, rates, ties):
    """One rounding per unit: the price without tax."""
    unit_ex = cents(price_inc / (1 + sum(rates)), ties)
    return (price_inc - unit_ex) * quantity


def odoo_exclusive(price, quantity, rates):
    """Round per line: the base, then each tax once."""
    base = cents(price * quantity)
    return sum((cents(base * rate) for rate in rates), Decimal(0))


def odoo_inclusive(price_inc, quantity, rates):
    """Each tax of the line's included amount, rounded once."""
    total = price_inc * quantity
    base = total / (1 + sum(rates))
    return sum((cents(base * rate) for rate in rates), Decimal(0))


# A tax-exclusive unit price may carry 4 decimals (its tax is still rounded
# to the cent per unit and rate); a tax-inclusive one is the price entered,
# in cents, whose tax is the price less the rounded price without tax.
prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("5000"), places=4)
entered_prices = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2
)
quantities = st.integers(min_value=1, max_value=1000)
# Sales taxes and VAT: up to 3 rates with 4 decimals, together under 100 %.
rate_lists = st.lists(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("0.33"), places=6),
    min_size=1,
    max_size=3,
)


@settings(max_examples=2000, deadline=None)
@given(prices, quantities, rate_lists, st.sampled_from(TIES))
def test_rounding_never_differs_by_more_than_the_tolerance(
    price, quantity, rates, ties
):
    tolerance = rounding_tolerance(quantity, len(rates), CENT)
    charged = bigcommerce_exclusive(price, quantity, rates, ties)
    assert abs(odoo_exclusive(price, quantity, rates) - charged) <= tolerance


@settings(max_examples=2000, deadline=None)
@given(entered_prices, quantities, rate_lists, st.sampled_from(TIES))
def test_rounding_of_included_taxes_never_differs_by_more_than_the_tolerance(
    price, quantity, rates, ties
):
    tolerance = rounding_tolerance(quantity, len(rates), CENT)
    charged = bigcommerce_inclusive(price, quantity, rates, ties)
    assert abs(odoo_inclusive(price, quantity, rates) - charged) <= tolerance


def test_the_tolerance_is_reached():
    """The largest difference, not a margin on top of it."""
    ten_percent = [Decimal("0.10")]
    price = Decimal("1.05")  # a tax of 0.105 per unit: a tie
    # 10 units: 10 x 0.11 = 1.10 against 1.05.
    difference = bigcommerce_exclusive(
        price, 10, ten_percent, ROUND_HALF_UP
    ) - odoo_exclusive(price, 10, ten_percent)
    assert difference == rounding_tolerance(10, 1, CENT) == Decimal("0.05")
    # 9 units, the tie broken downwards: 9 x 0.10 = 0.90 against 0.95.
    difference = odoo_exclusive(price, 9, ten_percent) - bigcommerce_exclusive(
        price, 9, ten_percent, ROUND_HALF_DOWN
    )
    assert difference == rounding_tolerance(9, 1, CENT) == Decimal("0.05")


def test_a_quarter_point_off_on_ten_units_is_more_than_rounding():
    """8.25 % charged, 8 % configured in Odoo, 10 units of 4.00: 0.10."""
    charged = bigcommerce_exclusive(
        Decimal("4.00"), 10, [Decimal("0.0825")], ROUND_HALF_UP
    )
    configured = odoo_exclusive(Decimal("4.00"), 10, [Decimal("0.08")])
    assert (charged, configured) == (Decimal("3.30"), Decimal("3.20"))
    assert charged - configured > rounding_tolerance(10, 1, CENT)


def test_no_tax_no_tolerance_and_yen_in_whole_yen():
    assert rounding_tolerance(10, 0, CENT) == 0
    assert rounding_tolerance(3, 2, Decimal(1)) == Decimal(4)
