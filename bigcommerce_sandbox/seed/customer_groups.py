"""Seeded customer groups (GET /v2/customer_groups) and the prices they give.

Four groups (customers.v2.yml ``customerGroup_Full``; its ``discount_rules``
is one of four arrays, each of one kind of rule, so a group has rules of
one kind):

- 1 "Loyalty Club": no discount rules; every fifth seeded customer is in it
  (the customers were seeded with ``customer_group_id`` 1 before groups
  existed in the sandbox, so their seeded orders are unchanged);
- 2 "Wholesale": 10 % off the category Gear (22, and so its subcategory
  Bags, 23); two customers of their own, added after the seeded orders;
- 3 "Staff": product rules, the Insulated Water Bottle at a set price of
  25.00 and 4.00 off the Canvas Tote Bag; no customers;
- 4 "Partners": 5 % off everything (a storewide rule); no customers.

How a rule prices a product is in :func:`group_price` (CONTRACT.md,
"Customer groups").
"""

from datetime import UTC, datetime
from decimal import Decimal

from .common import HUNDRED, ZERO, q2
from .customers import add_customer

LOYALTY, WHOLESALE, STAFF, PARTNERS = 1, 2, 3, 4
WHOLESALE_CATEGORY = 22  # Gear
STAFF_SET_PRICE = "25.0000"  # the Insulated Water Bottle (listed at 32.00)
# customers.v2.yml's examples: "2023-07-17 06:30:41" (CONTRACT.md).
GROUP_DATE = "%Y-%m-%d %H:%M:%S"


def _group(group_id, name, rules, created):
    return {
        "id": group_id,
        "name": name,
        "is_default": False,
        "category_access": {"type": "all"},
        "discount_rules": rules,
        "date_created": created.strftime(GROUP_DATE),
        "date_modified": created.strftime(GROUP_DATE),
        "is_group_for_guests": False,
    }


def _seed_customer_groups(state, rng):
    """The three groups and the two wholesale customers (after the orders:
    no seeded order changes)."""
    by_sku = {p["sku"]: p for p in state.products.values()}
    bottle, tote = by_sku["BTL-INS"], by_sku["TOTE-CNV"]
    created = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    state.customer_groups = {
        LOYALTY: _group(LOYALTY, "Loyalty Club", [], created),
        WHOLESALE: _group(
            WHOLESALE,
            "Wholesale",
            [
                {
                    "type": "category",
                    "method": "percent",
                    "amount": "10.0000",
                    "category_id": WHOLESALE_CATEGORY,
                }
            ],
            created,
        ),
        STAFF: _group(
            STAFF,
            "Staff",
            [
                {
                    "type": "product",
                    "method": "price",
                    "amount": STAFF_SET_PRICE,
                    "product_id": bottle["id"],
                },
                {
                    "type": "product",
                    "method": "fixed",
                    "amount": "4.0000",
                    "product_id": tote["id"],
                },
            ],
            created,
        ),
        PARTNERS: _group(
            PARTNERS,
            "Partners",
            [{"type": "all", "method": "percent", "amount": "5.0000"}],
            created,
        ),
    }
    for who in (
        ("Nora", "Fischer", "Trailhead Outfitters", False),
        ("Owen", "Price", "Trailhead Outfitters", False),
    ):
        add_customer(
            state,
            rng,
            state.next_id("customer"),
            who,
            group_id=WHOLESALE,
            dates=(created, datetime(2026, 3, 1, 9, 0, tzinfo=UTC)),
            n_addresses=1,
            newsletter=False,
        )


def retail_customer_ids(state):
    """Customers whose group has no discount rule: the ones random orders
    are placed by (a sandbox convention for test data, so that adding
    groups changed no random order of the tests)."""
    return sorted(
        customer_id
        for customer_id, customer in state.customers.items()
        if not _rules(state, customer)
    )


def _rules(state, customer):
    group = state.customer_groups.get((customer or {}).get("customer_group_id") or 0)
    return (group or {}).get("discount_rules") or []


def _category_and_parents(state, category_id):
    parents = {row["category_id"]: row["parent_id"] for row in state.tree_categories}
    found = []
    while category_id and category_id not in found:
        found.append(category_id)
        category_id = parents.get(category_id)
    return found


def group_price(state, customer, product, price):
    """The price ``customer`` pays for ``product`` listed at ``price``
    (Decimal, store currency): the product rule of its group, else a
    category rule of one of the product's categories or their parents,
    else the storewide rule; rounded to the cent (CONTRACT.md)."""
    rules = _rules(state, customer)
    if not rules:
        return price
    product_rules = [
        r for r in rules if r["type"] == "product" and r["product_id"] == product["id"]
    ]
    categories = {
        parent
        for category_id in product.get("categories") or []
        for parent in _category_and_parents(state, category_id)
    }
    category_rules = [
        r for r in rules if r["type"] == "category" and r["category_id"] in categories
    ]
    storewide = [r for r in rules if r["type"] == "all"]
    for chosen in (product_rules, category_rules, storewide):
        if chosen:
            return q2(_apply(chosen[0], price))
    return price


def _apply(rule, price):
    amount = Decimal(rule["amount"])
    if rule["method"] == "percent":
        return price * (HUNDRED - amount) / HUNDRED
    if rule["method"] == "fixed":
        return max(price - amount, ZERO)
    return amount  # "price": the product's price for the group
