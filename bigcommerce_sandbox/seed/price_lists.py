"""Seeded price lists (GET /v3/pricelists, price_lists.v3.yml).

Fixed data (no random draw: adding it changed nothing else of the seed):

- 1 "Wholesale", active: records in the store currency (usd) for eight
  variants, three of them with bulk pricing tiers (one of each type: percent,
  fixed, price) and one with a sale price; plus one eur record. Assigned to
  customer group 1 "Loyalty Club" on channel 1 (assignment 1): the spec's
  usage notes forbid a price list for a group with customer group discounts,
  and Loyalty Club is the seeded group without any.
- 2 "POS Prices", active: three usd records; assigned to channel 2, the
  point-of-sale channel, for every shopper (assignment 2, no group).
- 3 "Spring Sale", inactive: two usd records, no assignment.

Open-ended tiers end at 2147483647, as in the spec's examples (the
``quantity_max`` of most of its schemas is not nullable).
"""

from datetime import UTC, datetime

from .common import iso_z

WHOLESALE_LIST, POS_LIST, SPRING_LIST = 1, 2, 3
LOYALTY_GROUP = 1
STOREFRONT_CHANNEL, POS_CHANNEL = 1, 2
OPEN_END = 2147483647

LISTS = (
    (WHOLESALE_LIST, "Wholesale", True, datetime(2026, 1, 12, 9, 0, tzinfo=UTC)),
    (POS_LIST, "POS Prices", True, datetime(2026, 1, 19, 9, 0, tzinfo=UTC)),
    (SPRING_LIST, "Spring Sale", False, datetime(2026, 2, 2, 9, 0, tzinfo=UTC)),
)


def _tiers(kind, *steps):
    """(quantity_min, quantity_max, amount) steps of one tier type."""
    return [
        {"quantity_min": low, "quantity_max": high, "type": kind, "amount": amount}
        for low, high, amount in steps
    ]


# (price list, variant sku, currency, price, sale_price, tiers)
RECORDS = (
    (
        WHOLESALE_LIST,
        "TSH-ORG-S-BLK",
        "usd",
        22.40,
        None,
        _tiers("percent", (10, 24, 5), (25, OPEN_END, 10)),
    ),
    (WHOLESALE_LIST, "TSH-ORG-S-WHT", "usd", 22.40, None, []),
    (WHOLESALE_LIST, "TSH-ORG-S-BLK", "eur", 20.90, None, []),
    (
        WHOLESALE_LIST,
        "TOTE-CNV",
        "usd",
        19.20,
        None,
        _tiers("fixed", (10, 49, 18.00), (50, OPEN_END, 16.00)),
    ),
    (WHOLESALE_LIST, "JKT-RAIN-M-NVY", "usd", 103.20, None, []),
    (
        WHOLESALE_LIST,
        "BTL-INS",
        "usd",
        25.60,
        None,
        _tiers("price", (6, 11, 2.00), (12, OPEN_END, 4.00)),
    ),
    (WHOLESALE_LIST, "PACK-20-BLK", "usd", 63.20, 59.00, []),
    (WHOLESALE_LIST, "SHOE-TRL-9", "usd", 95.20, None, []),
    (WHOLESALE_LIST, "LMP-300", "usd", 31.96, None, []),
    (POS_LIST, "SOCK-MER", "usd", 14.00, None, []),
    (POS_LIST, "MUG-ENM", "usd", 12.00, None, []),
    (POS_LIST, "STK-PCK", "usd", 4.50, None, []),
    (SPRING_LIST, "HOOD-CLS-M", "usd", 49.00, 44.00, []),
    (SPRING_LIST, "CAP-BSB-KHK", "usd", 19.00, None, []),
)

# (id, price list, customer group, channel); None: not part of the assignment.
ASSIGNMENTS = (
    (1, WHOLESALE_LIST, LOYALTY_GROUP, STOREFRONT_CHANNEL),
    (2, POS_LIST, None, POS_CHANNEL),
)


def _seed_price_lists(state):
    state.price_lists = {}
    for list_id, name, active, created in LISTS:
        state.price_lists[list_id] = {
            "id": list_id,
            "name": name,
            "date_created": iso_z(created),
            "date_modified": iso_z(created),
            "active": active,
        }
    variants = {
        v["sku"]: v for rows in state.variants.values() for v in rows if v.get("sku")
    }
    state.price_records = {}
    for list_id, sku, currency, price, sale_price, tiers in RECORDS:
        variant = variants[sku]
        created = iso_z(datetime(2026, 1, 12 + list_id, 10, 0, tzinfo=UTC))
        modified = (
            iso_z(datetime(2026, 2, 10, 15, 30, tzinfo=UTC)) if tiers else created
        )
        state.price_records[(list_id, variant["id"], currency)] = {
            "price_list_id": list_id,
            "variant_id": variant["id"],
            "currency": currency,
            "product_id": variant["product_id"],
            "price": price,
            "sale_price": sale_price,
            "retail_price": None,
            "map_price": None,
            "bulk_pricing_tiers": tiers,
            "date_created": created,
            "date_modified": modified,
        }
    state.price_list_assignments = {}
    for assignment_id, list_id, group_id, channel_id in ASSIGNMENTS:
        assignment = {"id": assignment_id, "price_list_id": list_id}
        if group_id is not None:
            assignment["customer_group_id"] = group_id
        if channel_id is not None:
            assignment["channel_id"] = channel_id
        state.price_list_assignments[assignment_id] = assignment
