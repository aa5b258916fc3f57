"""A customer group's discount rules as pricelist items (pure Python)."""

from bigcommerce_connector.importers.customer_group_rules import plan_items

TOTE, BOTTLE, SHIRT = 11, 12, 13


def test_each_rule_type_and_method():
    rules = [{"type": "all", "method": "percent", "amount": "5.0000"}]
    assert plan_items(rules, {}, {}) == ([("3_global", False, "percentage", 5.0)], [])
    rules = [
        {"type": "product", "method": "price", "amount": "25.0000", "product_id": 2},
        {"type": "product", "method": "fixed", "amount": "4.0000", "product_id": 1},
    ]
    items, notes = plan_items(rules, {}, {1: TOTE, 2: BOTTLE})
    assert items == [
        ("1_product", TOTE, "formula", -4.0),
        ("1_product", BOTTLE, "fixed", 25.0),
    ]
    assert notes == []


def test_category_rule_covers_its_products_but_not_those_a_product_rule_prices():
    rules = [
        {"type": "category", "method": "percent", "amount": "10", "category_id": 22},
        {"type": "product", "method": "price", "amount": "20", "product_id": 2},
    ]
    items, _notes = plan_items(rules, {22: [TOTE, BOTTLE]}, {2: BOTTLE})
    assert items == [
        ("1_product", TOTE, "percentage", 10.0),
        ("1_product", BOTTLE, "fixed", 20.0),
    ]


def test_first_category_rule_wins_for_a_product_in_two():
    rules = [
        {"type": "category", "method": "percent", "amount": "10", "category_id": 22},
        {"type": "category", "method": "percent", "amount": "30", "category_id": 19},
    ]
    items, _notes = plan_items(rules, {22: [TOTE], 19: [TOTE, SHIRT]}, {})
    assert items == [
        ("1_product", TOTE, "percentage", 10.0),
        ("1_product", SHIRT, "percentage", 30.0),
    ]


def test_what_cannot_be_reproduced_is_noted():
    rules = [
        {"type": "price_list", "price_list_id": 3},
        {"type": "product", "method": "percent", "amount": "5", "product_id": 99},
        {"type": "category", "method": "percent", "amount": "5", "category_id": 7},
        {"type": "all", "method": "bogus", "amount": "5"},
    ]
    items, notes = plan_items(rules, {}, {})
    assert items == []
    assert len(notes) == 4
    assert any("price list 3" in note for note in notes)
    assert any("product 99" in note for note in notes)


def test_no_rules():
    assert plan_items(None, {}, {}) == ([], [])
    assert plan_items([], {}, {}) == ([], [])
