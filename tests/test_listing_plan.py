"""The pure decisions of the listing export (exporters/listing_plan.py)."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from bigcommerce_connector.client.parsing import parse_datetime
from bigcommerce_connector.exporters import listing_plan as plan

prices = st.floats(min_value=0, max_value=10**6, allow_nan=False)
texts = st.text(max_size=20)
product_rows = st.fixed_dictionaries(
    {
        "name": texts,
        "sku": texts,
        "price": prices,
        "weight": prices,
        "categories": st.lists(st.integers(1, 50), max_size=4),
        "is_visible": st.booleans(),
        "upc": st.sampled_from(["", "012345678905"]),
    }
)


def test_barcode_by_length():
    assert plan.barcode_fields("012345678905") == (
        {"upc": "012345678905", "gtin": ""},
        None,
    )
    assert plan.barcode_fields("4006381333931")[0] == {
        "upc": "",
        "gtin": "4006381333931",
    }
    assert plan.barcode_fields("96385074")[0]["gtin"] == "96385074"
    assert plan.barcode_fields("10012345678902")[0]["gtin"] == "10012345678902"
    assert plan.barcode_fields("")[0] == {"upc": "", "gtin": ""}
    fields, problem = plan.barcode_fields("ABC-123")
    assert fields is None and "not sent" in problem
    assert plan.barcode_fields("12345")[0] is None


@given(product_rows)
def test_what_bigcommerce_acknowledged_is_never_sent_again(row):
    known = plan.product_values(row)
    assert plan.changed(known, known) == {}
    assert plan.nothing_new(row, known, {})


@given(product_rows, prices)
def test_a_changed_field_alone_is_sent(row, price):
    known = plan.product_values(row)
    wanted = dict(known, price=price)
    sent = plan.changed(wanted, known)
    assert set(sent) <= {"price"}
    assert bool(sent) == (round(price, 4) != round(row["price"], 4))
    # After BigCommerce acknowledged it, nothing is left to send.
    assert plan.changed(wanted, plan.after_sent(known, sent)) == {}


def test_categories_are_added_never_removed_on_update():
    assert plan.categories_to_send([21], [], creating=True) == [21]
    assert plan.categories_to_send([], [], creating=True) == []
    assert plan.categories_to_send([21], [18, 19, 21], creating=False) is None
    assert plan.categories_to_send([], [18], creating=False) is None
    assert plan.categories_to_send([22], [18, 19], creating=False) == [18, 19, 22]


def test_variant_inherits_the_product_value_when_null():
    product = {"price": 28.0, "weight": 0.2, "cost_price": 9.5}
    variant = {"price": None, "weight": None, "cost_price": 9.5, "sku": "A"}
    wanted = {"price": 28.0, "weight": 0.2, "cost_price": 9.5, "sku": "A"}
    assert plan.variant_changes(wanted, variant, product) == {}
    assert plan.variant_changes(dict(wanted, price=32.0), variant, product) == {
        "price": 32.0
    }


def test_echo_of_our_own_update_holds_nothing_new():
    row = {
        "id": 1,
        "name": "Mug",
        "price": 10.0,
        "variants": [{"id": 5, "sku": "M", "price": None, "calculated_price": 10.0}],
        "images": [{"id": 9, "date_modified": "2026-01-01T00:00:00+00:00"}],
    }
    known = plan.product_values(row)
    variants = {5: plan.variant_values(row["variants"][0])}
    images = {(9, "2026-01-01T00:00:00+00:00")}
    assert plan.nothing_new(row, known, variants, images)
    assert not plan.nothing_new(dict(row, name="Cup"), known, variants, images)
    # A variant added, or a sale price that moved the calculated price.
    more = dict(row, variants=row["variants"] + [{"id": 6, "sku": "N"}])
    assert not plan.nothing_new(more, known, variants, images)
    sale = dict(row, variants=[dict(row["variants"][0], calculated_price=8.0)])
    assert not plan.nothing_new(sale, known, variants, images)
    assert not plan.nothing_new(dict(row, images=[]), known, variants, images)
    # Nothing known yet (never imported or exported): always imported.
    assert not plan.nothing_new(row, {}, {}, set())


def test_a_product_found_after_a_lost_answer_is_ours_only_if_newer():
    posted = datetime(2026, 5, 1, 12, 0, 0)
    ours = {"date_created": "2026-05-01T11:57:00+00:00"}
    stranger = {"date_created": "2025-09-01T09:00:00+00:00"}
    assert plan.is_ours(ours, posted, parse_datetime)
    assert not plan.is_ours(stranger, posted, parse_datetime)
    assert not plan.is_ours({}, posted, parse_datetime)
    assert not plan.is_ours(ours, None, parse_datetime)


@given(st.lists(st.integers(), max_size=60), st.integers(1, 50))
def test_chunks_keep_order_and_size(items, size):
    parts = plan.chunks(items, size)
    assert [i for part in parts for i in part] == items
    assert all(0 < len(part) <= size for part in parts)


def test_combination_ignores_case_and_spaces():
    assert plan.combination([("Size", "S"), ("Color ", "Red")]) == plan.combination(
        [("color", "red"), ("size", "s")]
    )
