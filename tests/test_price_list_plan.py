"""A BigCommerce price list record as Odoo pricelist items (pure Python)."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bigcommerce_connector.core.price_list_plan import (
    OPEN_END,
    RecordError,
    batches,
    by_currency,
    charged_price,
    plan_record,
    plan_records,
    record_changes,
    tier_quantities,
    tier_rows,
    tiers_text,
)

D = Decimal


def record(**values):
    return {"variant_id": 7, "currency": "usd", **values}


def test_charged_price_is_the_sale_price_when_set_else_the_price():
    assert charged_price(record(price=30, sale_price=27.5)) == D("27.5")
    assert charged_price(record(price=30, sale_price=None)) == D("30")
    assert charged_price(record(calculated_price=12.1)) == D("12.1")
    with pytest.raises(RecordError):
        charged_price(record())


def test_a_record_without_tiers_is_one_item_at_quantity_zero():
    assert plan_record(record(price=19.99), 2) == ((0, D("19.99")),)
    # Binary floats never leak: 0.1 + 0.2 is sent as 0.30000000000000004.
    assert plan_record(record(price=0.1 + 0.2), 2) == ((0, D("0.30")),)


def test_each_tier_type():
    tiers = [
        {"quantity_min": 5, "quantity_max": 9, "type": "price", "amount": 2},
        {"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 15},
        {"quantity_min": 50, "quantity_max": None, "type": "fixed", "amount": 18.5},
    ]
    assert plan_record(record(price=24, bulk_pricing_tiers=tiers), 2) == (
        (0, D("24.00")),
        (5, D("22.00")),
        (10, D("20.40")),
        (50, D("18.50")),
    )


def test_tiers_adjust_the_sale_price_when_one_is_set():
    tiers = [{"quantity_min": 3, "quantity_max": None, "type": "percent", "amount": 10}]
    plan = plan_record(record(price=30, sale_price=25, bulk_pricing_tiers=tiers), 2)
    assert plan == ((0, D("25.00")), (3, D("22.50")))


def test_percent_rounds_half_up_to_the_currency():
    tiers = [{"quantity_min": 2, "type": "percent", "amount": 12.5}]
    # 9.99 x 0.875 = 8.74125 -> 8.74; in JPY (0 decimals) 999 x 0.875 = 874.125 -> 874
    assert plan_record(record(price=9.99, bulk_pricing_tiers=tiers), 2)[1] == (
        2,
        D("8.74"),
    )
    assert plan_record(record(price=999, bulk_pricing_tiers=tiers), 0)[1] == (
        2,
        D("874"),
    )
    tiers = [{"quantity_min": 2, "type": "percent", "amount": 50}]
    assert plan_record(record(price=0.05, bulk_pricing_tiers=tiers), 2)[1] == (
        2,
        D("0.03"),
    )


def test_a_gap_after_a_bounded_tier_brings_the_price_back():
    tiers = [
        {"quantity_min": 10, "quantity_max": 19, "type": "fixed", "amount": 8},
        {"quantity_min": 50, "quantity_max": 99, "type": "fixed", "amount": 7},
    ]
    assert plan_record(record(price=10, bulk_pricing_tiers=tiers), 2) == (
        (0, D("10.00")),
        (10, D("8.00")),
        (20, D("10.00")),
        (50, D("7.00")),
        (100, D("10.00")),
    )


def test_unsorted_tiers_and_a_price_below_zero():
    tiers = [
        {"quantity_min": 20, "type": "price", "amount": 50},
        {"quantity_min": 5, "quantity_max": 19, "type": "price", "amount": 1},
    ]
    assert plan_record(record(price=10, bulk_pricing_tiers=tiers), 2) == (
        (0, D("10.00")),
        (5, D("9.00")),
        (20, D("0.00")),
    )


def test_bad_tiers_are_refused_with_the_reason():
    with pytest.raises(RecordError, match="tier type 'bogus'"):
        plan_record(
            record(price=1, bulk_pricing_tiers=[{"quantity_min": 2, "type": "bogus"}]),
            2,
        )
    plans, errors = plan_records(
        [
            record(price=1),
            {"variant_id": 8, "bulk_pricing_tiers": []},
            {"sku": "NOVAR", "price": 2},
        ],
        2,
    )
    assert plans == {7: ((0, D("1.00")),)}
    assert set(errors) == {8, "NOVAR"}


def test_records_grouped_by_currency():
    grouped = by_currency(
        [record(price=1), record(price=2, currency="EUR"), record(price=3)]
    )
    assert {code: len(rows) for code, rows in grouped.items()} == {"USD": 2, "EUR": 1}


def test_only_changed_records_go_out_in_batches():
    tiers = {10: 18.0}
    records = {1: (10.0, tiers), 2: (D("5.5"), {}), 3: (7.125, {})}
    sent = {1: (10.0, '[[10,"18.00"]]'), 2: (5.0, "[]")}
    assert record_changes(records, sent, 2) == [
        (2, D("5.50"), ()),
        (3, D("7.13"), ()),
    ]
    sent.update({2: (5.5, "[]"), 3: (7.13, "[]")})
    assert record_changes(records, sent, 2) == []
    assert batches(list(range(2500)), 1000)[-1] == list(range(2000, 2500))
    assert [len(b) for b in batches(list(range(2500)), 1000)] == [1000, 1000, 500]


def test_a_tier_change_alone_is_a_change():
    sent = {1: (20.0, '[[10,"18.00"],[50,"16.00"]]')}
    assert record_changes({1: (20, {10: 18, 50: 16})}, sent, 2) == []
    assert record_changes({1: (20, {10: 17.5, 50: 16})}, sent, 2) == [
        (1, D("20.00"), ((10, D("17.50")), (50, D("16.00"))))
    ]
    # A tier removed, and tiers never acknowledged (a row sent before
    # tiers were exported: None), are changes too.
    assert record_changes({1: (20, {10: 18})}, sent, 2)
    assert record_changes({1: (20, {})}, {1: (20.0, None)}, 2) == [(1, D("20.00"), ())]


def test_tiers_are_fixed_prices_each_up_to_the_next():
    tiers = ((10, D("18.00")), (50, D("16.00")))
    assert tier_rows(tiers) == [
        {"quantity_min": 10, "quantity_max": 49, "type": "fixed", "amount": 18.0},
        {"quantity_min": 50, "quantity_max": OPEN_END, "type": "fixed", "amount": 16.0},
    ]
    assert tier_rows(()) == []
    assert tiers_text(()) == "[]"
    assert tiers_text(tiers) == '[[10,"18.00"],[50,"16.00"]]'


def test_tier_quantities_are_whole_units_above_one():
    assert tier_quantities([0, 1, 1.0, 10, 10.0, 2.5, 50]) == [3, 10, 50]
    assert tier_quantities([]) == []


def test_a_three_decimal_currency_compares_at_its_decimals():
    """KWD (0.001): a price with a third decimal, stored as the float Odoo
    keeps (the Monetary field rounds to the currency), is not a change."""
    records = {1: (1.2345, {10: 1.1115})}
    ((variant, price, tiers),) = record_changes(records, {}, 3)
    assert (price, tiers) == (D("1.235"), ((10, D("1.112")),))
    assert record_changes(records, {1: (float(price), tiers_text(tiers))}, 3) == []


money = st.decimals(min_value=0, max_value=10000, places=2)
tier = st.fixed_dictionaries(
    {
        "quantity_min": st.integers(min_value=2, max_value=500),
        "quantity_max": st.none() | st.integers(min_value=2, max_value=600),
        "type": st.sampled_from(["fixed", "price", "percent"]),
        "amount": st.decimals(min_value=0, max_value=100, places=2).map(float),
    }
)


@given(price=money, tiers=st.lists(tier, max_size=5), places=st.sampled_from([0, 2, 3]))
@example(price=Decimal("2530.50"), tiers=[], places=0)  # a half: rounds up
def test_the_item_odoo_picks_is_the_price_bigcommerce_charges(price, tiers, places):
    """For any quantity, the item Odoo applies (highest min_quantity not above
    it) gives the unit price of the tier BigCommerce applies (the last tier,
    by quantity_min, whose range holds the quantity; else the record's)."""
    plan = plan_record(record(price=float(price), bulk_pricing_tiers=tiers), places)
    unit = D(1).scaleb(-places)
    # Half up, as the plan rounds (Decimal's default, half even, would
    # take 2530.50 to 2530 at 0 places).
    base = price.quantize(unit, rounding=ROUND_HALF_UP)
    assert plan[0] == (0, max(D(0), base))
    assert [q for q, _p in plan] == sorted({q for q, _p in plan})
    for quantity in range(1, 700, 7):
        odoo = [p for q, p in plan if q <= quantity][-1]
        expected = max(D(0), base)
        ordered = sorted(tiers, key=lambda t: t["quantity_min"])
        for index, candidate in enumerate(ordered):
            low, high = candidate["quantity_min"], candidate["quantity_max"]
            following = (
                ordered[index + 1]["quantity_min"] if index + 1 < len(ordered) else None
            )
            upper = high if high is not None and high >= low else None
            if following is not None:
                upper = following - 1 if upper is None else min(upper, following - 1)
            if low <= quantity and (upper is None or quantity <= upper):
                expected = plan_record(
                    record(price=float(price), bulk_pricing_tiers=[candidate]), places
                )[1][1]
        assert odoo == expected, (quantity, plan, ordered)
        assert odoo >= 0 and odoo == odoo.quantize(unit)


prices = st.decimals(min_value=0, max_value=10000, places=3)


@given(
    price=prices,
    breaks=st.dictionaries(st.integers(min_value=2, max_value=500), prices, max_size=5),
    places=st.sampled_from([0, 2, 3]),
)
@example(price=D("20"), breaks={10: D("18"), 50: D("16")}, places=2)
@example(price=D("2530.5"), breaks={2: D("0.5")}, places=0)  # halves round up
@example(price=D("1.2345"), breaks={10: D("1.1115")}, places=3)
def test_export_then_import_gives_the_same_items(price, breaks, places):
    """A record built from an Odoo variant's prices reads back (plan_record,
    as the import does) as the same items, each rounded half up to the
    currency; once acknowledged, the same prices are no change."""
    ((_variant, sent_price, tiers),) = record_changes({7: (price, breaks)}, {}, places)
    body = record(price=float(sent_price), bulk_pricing_tiers=tier_rows(tiers))
    unit = D(1).scaleb(-places)
    expected = [(0, price.quantize(unit, rounding=ROUND_HALF_UP))] + [
        (q, breaks[q].quantize(unit, rounding=ROUND_HALF_UP)) for q in sorted(breaks)
    ]
    assert plan_record(body, places) == tuple(expected)
    acknowledged = {7: (float(sent_price), tiers_text(tiers))}
    assert record_changes({7: (price, breaks)}, acknowledged, places) == []
