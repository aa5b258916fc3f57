"""Fast tests of the sandbox seed data (bigcommerce_sandbox/seed/)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import json  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from decimal import Decimal  # noqa: E402
from email.utils import parsedate_to_datetime  # noqa: E402

import pytest  # noqa: E402

from bigcommerce_sandbox import api_v3, seed, state  # noqa: E402

SEED = 42


def _store(seed_value=SEED, now=None):
    clock = state.Clock(now or datetime(2026, 4, 2, 12, 0, tzinfo=UTC))
    store = state.StoreState(f"sandbox{seed_value}", clock=clock)
    seed.populate(store, seed_value)
    return store


@pytest.fixture(scope="module")
def store():
    return _store()


def _dump(store):
    def plain(mapping):
        return {
            str(k): v for k, v in sorted(mapping.items(), key=lambda kv: str(kv[0]))
        }

    return json.dumps(
        {
            "store_info": store.store_info,
            "currencies": store.currencies,
            "order_statuses": store.order_statuses,
            "tax_classes": store.tax_classes,
            "channels": store.channels,
            "locations": store.locations,
            "customers": plain(store.customers),
            "customer_addresses": plain(store.customer_addresses),
            "brands": plain(store.brands),
            "trees": store.trees,
            "tree_categories": store.tree_categories,
            "products": plain(store.products),
            "variants": plain(store.variants),
            "options": plain(store.options),
            "modifiers": plain(store.modifiers),
            "images": plain(store.images),
            "inventory": plain(store.inventory),
            "orders": plain(store.orders),
            "order_products": plain(store.order_products),
            "order_shipping_addresses": plain(store.order_shipping_addresses),
            "order_coupons": plain(store.order_coupons),
            "order_fees": plain(store.order_fees),
            "order_shipments": plain(store.order_shipments),
            "order_taxes": plain(store.order_taxes),
            "refunds": plain(store.refunds),
            "hooks": plain(store.hooks),
        },
        sort_keys=True,
    )


def D(value):
    return Decimal(str(value))


def _sum(rows, key):
    return sum((D(row[key]) for row in rows), Decimal("0"))


def assert_order_consistent(store, order_id):
    """Every identity documented in seed.py's module docstring."""
    order = store.orders[order_id]
    lines = store.order_products[order_id]
    addresses = store.order_shipping_addresses[order_id]
    taxes = store.order_taxes[order_id]
    coupons = store.order_coupons[order_id]
    assert lines, order_id
    discounts = Decimal("0")
    for line in lines:
        qty = line["quantity"]
        assert D(line["price_ex_tax"]) + D(line["price_tax"]) == D(
            line["price_inc_tax"]
        )
        assert D(line["total_ex_tax"]) == D(line["price_ex_tax"]) * qty
        assert D(line["total_tax"]) == D(line["price_tax"]) * qty
        assert D(line["total_inc_tax"]) == D(line["total_ex_tax"]) + D(
            line["total_tax"]
        )
        entered = (
            "price_inc_tax" if order["is_tax_inclusive_pricing"] else "price_ex_tax"
        )
        assert D(line["base_price"]) == D(line[entered])
        line_disc = _sum(line["applied_discounts"], "amount")
        discounts += line_disc
        assert (
            D(line["discounted_total_inc_tax"]) == D(line["total_inc_tax"]) - line_disc
        )
        assert D(line["wrapping_cost_ex_tax"]) + D(line["wrapping_cost_tax"]) == D(
            line["wrapping_cost_inc_tax"]
        )
        item_tax = sum(
            (
                D(t["line_amount"])
                for t in taxes
                if t["line_item_type"] == "item"
                and t["order_product_id"] == str(line["id"])
            ),
            Decimal("0"),
        )
        assert 0 <= item_tax <= D(line["total_tax"])
        if line["type"] == "giftcertificate":
            assert line["product_id"] == 0 and D(line["total_tax"]) == 0
    for address in addresses:
        assert D(address["cost_ex_tax"]) + D(address["cost_tax"]) == D(
            address["cost_inc_tax"]
        )
        assert D(address["handling_cost_ex_tax"]) + D(
            address["handling_cost_tax"]
        ) == D(address["handling_cost_inc_tax"])
        assert address["items_total"] == sum(
            line["quantity"]
            for line in lines
            if line["order_address_id"] == address["id"]
        )
    for key, rows, prefix in (
        ("subtotal", lines, "total"),
        ("shipping_cost", addresses, "cost"),
        ("handling_cost", addresses, "handling_cost"),
        ("wrapping_cost", lines, "wrapping_cost"),
    ):
        for suffix in ("ex_tax", "inc_tax", "tax"):
            assert D(order[f"{key}_{suffix}"]) == _sum(rows, f"{prefix}_{suffix}"), key
        assert D(order[f"{key}_ex_tax"]) + D(order[f"{key}_tax"]) == D(
            order[f"{key}_inc_tax"]
        )
    assert D(order["discount_amount"]) + D(order["coupon_discount"]) == discounts
    assert D(order["coupon_discount"]) == sum(
        (D(c["discount"]) for c in coupons), Decimal("0")
    )
    fees = store.order_fees[order_id]
    for fee in fees:
        assert D(fee["cost_ex_tax"]) + D(fee["cost_tax"]) == D(fee["cost_inc_tax"])
    # tax identity: the tax rows, plus the fees' own tax (/taxes has no row
    # type for fees: orderTaxes_Base.line_item_type)
    assert D(order["total_tax"]) == _sum(taxes, "line_amount") + _sum(fees, "cost_tax")
    # total identity
    assert D(order["total_inc_tax"]) == (
        D(order["subtotal_inc_tax"])
        + D(order["shipping_cost_inc_tax"])
        + D(order["handling_cost_inc_tax"])
        + D(order["wrapping_cost_inc_tax"])
        + _sum(fees, "cost_inc_tax")
        - D(order["discount_amount"])
        - D(order["coupon_discount"])
    )
    # orderTaxes_Base: order_product_id only on item and handling rows; no
    # order_address_id (nor order_id) on an automatic-tax store's rows.
    for row in taxes:
        if row["line_item_type"] in ("shipping", "gift-wrapping"):
            assert row["order_product_id"] is None, row
        else:
            assert row["order_product_id"], row
        automatic = order["tax_provider_id"] == "AvaTaxProvider"
        assert ("order_address_id" in row) is not automatic, row
        assert (row["class"] == "Automatic Tax") is automatic, row
    assert D(order["total_inc_tax"]) == D(order["total_ex_tax"]) + D(order["total_tax"])
    assert D(order["gift_certificate_amount"]) + D(order["store_credit_amount"]) <= D(
        order["total_inc_tax"]
    )
    assert order["items_total"] == sum(line["quantity"] for line in lines)
    assert order["items_shipped"] == sum(line["quantity_shipped"] for line in lines)
    assert order["shipping_address_count"] == len(addresses)
    assert order["status"] == store.order_statuses[order["status_id"]]["name"]
    for money in ("total_inc_tax", "subtotal_ex_tax", "shipping_cost_inc_tax"):
        text = order[money]
        assert text == f"{D(text):.4f}" and text.endswith("00"), text
    parsedate_to_datetime(order["date_created"])
    parsedate_to_datetime(order["date_modified"])


def assert_refunds_consistent(store, order_id):
    order = store.orders[order_id]
    refunds = [r for r in store.refunds.values() if r["order_id"] == order_id]
    total = Decimal("0")
    for refund in refunds:
        amount = D(refund["total_amount"])
        assert amount > 0
        assert amount == sum((D(p["amount"]) for p in refund["payments"]), Decimal("0"))
        assert 0 <= D(refund["total_tax"]) <= amount
        total += amount
    assert total <= D(order["total_inc_tax"])
    assert D(order["refunded_amount"]) == total
    if order["status_id"] == 4:
        assert total == D(order["total_inc_tax"])
    if order["status_id"] == 14:
        assert 0 < total < D(order["total_inc_tax"])


def test_same_seed_gives_identical_data():
    assert _dump(_store(7)) == _dump(_store(7))


def test_seed_does_not_depend_on_the_clock():
    early = _store(7, now=datetime(2026, 4, 1, tzinfo=UTC))
    late = _store(7, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert _dump(early) == _dump(late)


def test_different_seed_gives_different_data():
    assert _dump(_store(1)) != _dump(_store(2))


def test_every_status_is_seeded_at_least_twice(store):
    counts = Counter(order["status_id"] for order in store.orders.values())
    assert set(counts) == set(range(15))
    assert all(counts[status] >= 2 for status in range(15)), counts
    assert [s["id"] for s in store.order_statuses] == list(range(15))
    assert len(store.orders) == seed.SEED_ORDER_COUNT == 240


ELIGIBLE_STATUSES = {2, 3, 4, 8, 9, 10, 11, 14}


@pytest.mark.parametrize("seed_value", [SEED, 1])
def test_enough_orders_for_imports_at_scale(seed_value):
    store = _store(seed_value)
    orders = list(store.orders.values())
    assert len(orders) >= 200
    assert sorted(store.orders) == list(range(100, 100 + len(orders)))
    eligible = [o for o in orders if o["status_id"] in ELIGIBLE_STATUSES]
    assert len(eligible) >= 150, len(eligible)
    # a realistic mix, not 200 copies of one order
    assert sum(o["currency_code"] == "EUR" for o in orders) >= 10
    assert sum(o["customer_id"] == 0 for o in orders) >= 3
    assert sum(o["shipping_address_count"] == 2 for o in orders) >= 5
    assert sum(bool(store.order_coupons[o["id"]]) for o in orders) >= 15
    assert len({len(store.order_products[o["id"]]) for o in orders}) >= 4
    refunded = {r["order_id"] for r in store.refunds.values()}
    assert len(refunded) >= 15


def test_seeded_dates_are_fixed_and_in_range(store):
    low = datetime(2026, 1, 5, tzinfo=UTC)
    high = datetime(2026, 4, 1, tzinfo=UTC)
    for order in store.orders.values():
        created = parsedate_to_datetime(order["date_created"])
        modified = parsedate_to_datetime(order["date_modified"])
        assert low <= created <= modified < high
    created = [
        r["created"] for r in sorted(store.refunds.values(), key=lambda r: r["id"])
    ]
    assert created == sorted(created)
    ids = sorted(store.orders)
    dates = [parsedate_to_datetime(store.orders[i]["date_created"]) for i in ids]
    assert dates == sorted(dates)


@pytest.mark.parametrize("seed_value", [SEED, 1, 2, 3])
def test_amount_identities_hold_for_every_seeded_order(seed_value):
    store = _store(seed_value)
    for order_id in store.orders:
        assert_order_consistent(store, order_id)
        assert_refunds_consistent(store, order_id)


def test_refunds_match_order_status(store):
    assert store.refunds
    refunded = {r["order_id"] for r in store.refunds.values()}
    for order in store.orders.values():
        assert (order["id"] in refunded) == (order["status_id"] in (4, 14))
    per_order = Counter(r["order_id"] for r in store.refunds.values())
    assert max(per_order.values()) >= 2  # one order has two refunds
    kinds = {
        frozenset(i["item_type"] for i in r["items"]) for r in store.refunds.values()
    }
    assert frozenset({"SHIPPING"}) in kinds  # shipping-only refund
    assert frozenset({"PRODUCT"}) in kinds


def test_shipments_exist_exactly_for_shipped_statuses(store):
    for order_id, order in store.orders.items():
        shipments = store.order_shipments[order_id]
        if order["status_id"] in (2, 3, 10) and order["shipping_address_count"]:
            assert shipments, order_id
            assert order["date_shipped"]
        elif order["status_id"] not in (2, 3, 10):
            assert not shipments
        lines = {line["id"]: line for line in store.order_products[order_id]}
        for shipment in shipments:
            for item in shipment["items"]:
                assert lines[item["order_product_id"]]["type"] == "physical"
        if order["status_id"] == 3:
            assert order["items_shipped"] < sum(
                line["quantity"]
                for line in lines.values()
                if line["type"] == "physical"
            )


def test_skus_unique_case_insensitively(store):
    skus = [p["sku"].lower() for p in store.products.values()]
    skus += [
        v["sku"].lower()
        for p_id, rows in store.variants.items()
        for v in rows
        if not (len(rows) == 1 and v["sku"] == store.products[p_id]["sku"])
    ]
    assert len(skus) == len(set(skus))
    for product_id, variants in store.variants.items():
        product = store.products[product_id]
        if product["inventory_tracking"] == "product":
            assert len(variants) == 1
            assert variants[0]["option_values"] == []
            assert variants[0]["sku"] == product["sku"]
        if product["inventory_tracking"] == "variant":
            assert len(variants) > 1
            assert all(v["option_values"] for v in variants)
        for variant in variants:
            for location in store.locations:
                assert (variant["id"], location["id"]) in store.inventory


def test_special_cases_are_seeded(store):
    orders = list(store.orders.values())

    def lines(order):
        return store.order_products[order["id"]]

    def has(predicate):
        return [o["id"] for o in orders if predicate(o)]

    assert has(lambda o: o["customer_id"] == 0)
    guest_emails = {
        o["billing_address"]["email"] for o in orders if not o["customer_id"]
    }
    assert not guest_emails & {c["email"] for c in store.customers.values()}
    assert has(
        lambda o: o["currency_code"] == "EUR"
        and o["default_currency_code"] == "EUR"
        and o["store_default_currency_code"] == "USD"
        and o["store_default_to_transactional_exchange_rate"] == "0.9200000000"
    )
    assert has(lambda o: o["is_tax_inclusive_pricing"] and o["currency_code"] == "USD")
    assert has(lambda o: not o["is_tax_inclusive_pricing"])
    assert has(lambda o: o["shipping_address_count"] == 2)
    two = has(lambda o: o["shipping_address_count"] == 2)[0]
    assert len({line["order_address_id"] for line in lines(store.orders[two])}) == 2
    assert has(
        lambda o: any(
            p["product_id"] == 0 and p["type"] == "physical" for p in lines(o)
        )
    )
    assert has(lambda o: any(p["type"] == "giftcertificate" for p in lines(o)))
    assert has(lambda o: D(o["store_credit_amount"]) > 0)
    assert has(lambda o: D(o["gift_certificate_amount"]) > 0)
    assert has(lambda o: D(o["discount_amount"]) > 0)
    assert has(lambda o: o["order_is_digital"] and o["shipping_address_count"] == 0)
    assert has(lambda o: D(o["handling_cost_inc_tax"]) > 0)
    assert has(lambda o: D(o["wrapping_cost_inc_tax"]) > 0)
    assert has(
        lambda o: D(o["shipping_cost_inc_tax"]) == 0 and o["shipping_address_count"]
    )
    assert has(lambda o: D(o["shipping_cost_tax"]) > 0)
    assert has(lambda o: o["channel_id"] == 2)
    coupon_types = {c["type"] for rows in store.order_coupons.values() for c in rows}
    assert {1, 2} <= coupon_types
    targets = {
        d["target"]
        for rows in store.order_products.values()
        for p in rows
        for d in p["applied_discounts"]
    }
    assert targets == {"order", "product"}
    two_rates = [
        (o_id, ref)
        for o_id, rows in store.order_taxes.items()
        for ref in {
            t["order_product_id"] for t in rows if t["line_item_type"] == "item"
        }
        if len(
            [
                t
                for t in rows
                if t["order_product_id"] == ref and t["line_item_type"] == "item"
            ]
        )
        == 2
    ]
    assert two_rates
    assert {
        t["line_item_type"] for rows in store.order_taxes.values() for t in rows
    } == {"item", "shipping", "handling", "gift-wrapping"}


def test_create_order_and_refunds_keep_the_identities():
    store = _store()
    first = max(store.orders)
    order = seed.create_order(store)
    assert order["id"] == first + 1
    assert order["status_id"] == 11 and order["customer_id"] in store.customers
    assert order["date_created"] == seed.rfc2822(store.clock.now())
    assert_order_consistent(store, order["id"])

    sku = store.variants[sorted(store.variants)[0]][1]["sku"]
    big = seed.create_order(
        store,
        lines=[(sku.lower(), 3), ("CUSTOM-EMB", 1)],
        currency_code="EUR",
        coupon_code="SPRING10",
        manual_discount="5",
        handling="3",
        wrap=True,
        ship_to_two_addresses=True,
        sell_gift_certificate=True,
        staff_notes="VIP",
    )
    assert big["currency_code"] == "EUR" and big["is_tax_inclusive_pricing"]
    assert big["shipping_address_count"] == 2 and big["staff_notes"] == "VIP"
    assert_order_consistent(store, big["id"])

    guest = seed.create_order(store, guest=True, tax_inclusive=True, status_id=2)
    assert guest["customer_id"] == 0 and store.order_shipments[guest["id"]]
    assert_order_consistent(store, guest["id"])

    store.clock.advance(60)
    refund = seed.add_refund(store, big["id"], kind="partial")
    assert refund["items"][0]["item_type"] == "PRODUCT"
    assert refund["items"][0]["quantity"] == 1
    assert store.orders[big["id"]]["status_id"] == 14
    assert refund["created"] == seed.iso_offset(store.clock.now())
    store.clock.advance(60)
    seed.add_refund(store, big["id"], kind="shipping")
    store.clock.advance(60)
    last = seed.add_refund(store, big["id"], kind="full")
    assert store.orders[big["id"]]["status_id"] == 4
    assert store.orders[big["id"]]["status"] == "Refunded"
    assert_refunds_consistent(store, big["id"])
    assert_order_consistent(store, big["id"])
    assert last["id"] == max(store.refunds)
    with pytest.raises(ValueError):
        seed.add_refund(store, big["id"], kind="full")


def test_set_order_status():
    store = _store()
    order_id = next(o["id"] for o in store.orders.values() if o["status_id"] == 11)
    store.clock.advance(3600)
    order = seed.set_order_status(store, order_id, 2)
    assert order["status_id"] == 2 and order["status"] == "Shipped"
    assert order["date_modified"] == seed.rfc2822(store.clock.now())
    assert order["date_shipped"]


def test_next_ids_do_not_collide_with_seeded_ids(store):
    for kind, existing in (
        ("order", store.orders),
        ("customer", store.customers),
        ("product", store.products),
        ("refund", store.refunds),
    ):
        probe = state.StoreState("probe")
        seed.populate(probe, SEED)
        assert probe.next_id(kind) > max(existing)
    probe = state.StoreState("probe")
    seed.populate(probe, SEED)
    line_ids = {p["id"] for rows in probe.order_products.values() for p in rows}
    assert probe.next_id("order_product") > max(line_ids)
    assert not probe.hooks


# -- conformance of the stored records to the official specs --------------------------


def _validator():
    """The spec index and validator; missing PyYAML or specs FAIL the test
    (a skip would pass a checkout that checked nothing)."""
    try:
        import yaml  # noqa: F401, PLC0415
    except ImportError:
        pytest.fail("PyYAML is missing: pip install -r requirements.txt", pytrace=False)
    from tests.openapi_conformance import SchemaValidator, SpecIndex  # noqa: PLC0415

    try:
        index = SpecIndex.load()
    except Exception as exc:
        pytest.fail(
            f"BigCommerce OpenAPI specs unavailable ({exc}); see docs/development.md "
            "'The sandbox store' for where they come from and set "
            "BIGCOMMERCE_OPENAPI_DIR",
            pytrace=False,
        )
    return index, SchemaValidator


def _item_schema(index, validator_cls, path):
    op, schema, problem = index.response_schema("GET", "/stores/x" + path, 200)
    assert not problem, problem
    validator = validator_cls(op.spec)
    schema = op.spec.deref(schema)
    for _ in range(3):
        leaves = validator._leaves(schema)
        props = {}
        for leaf in leaves:
            props.update(leaf.get("properties") or {})
        if "data" in props:
            schema = op.spec.deref(props["data"])
            continue
        items = [leaf["items"] for leaf in leaves if "items" in leaf]
        if items:
            schema = items[0]
        break
    return validator, schema


def test_seeded_records_conform_to_the_openapi_specs(store):
    index, validator_cls = _validator()
    order_id = sorted(store.orders)[0]
    rows = {
        "/v2/store": [store.store_info],
        "/v2/currencies": store.currencies,
        "/v2/order_statuses": store.order_statuses,
        "/v2/tax_classes": store.tax_classes,
        "/v3/channels": store.channels,
        "/v2/customer_groups": list(store.customer_groups.values()),
        "/v3/inventory/locations": store.locations,
        "/v3/customers": list(store.customers.values()),
        "/v3/customers/addresses": [
            a for rows in store.customer_addresses.values() for a in rows
        ],
        "/v3/catalog/brands": list(store.brands.values()),
        "/v3/catalog/trees": store.trees,
        "/v3/catalog/trees/categories": store.tree_categories,
        "/v3/catalog/products/1": list(store.products.values()),
        "/v3/catalog/products/1/variants": [
            v for rows in store.variants.values() for v in rows
        ],
        "/v3/catalog/variants": [v for rows in store.variants.values() for v in rows],
        "/v3/catalog/products/1/options": [
            o for rows in store.options.values() for o in rows
        ],
        "/v3/catalog/products/1/modifiers": [
            m for rows in store.modifiers.values() for m in rows
        ],
        "/v3/catalog/products/1/images": [
            i for rows in store.images.values() for i in rows
        ],
        "/v2/orders/1/products": [
            p for rows in store.order_products.values() for p in rows
        ],
        "/v2/orders/1/shipping_addresses": [
            a for rows in store.order_shipping_addresses.values() for a in rows
        ],
        "/v2/orders/1/coupons": [
            c for rows in store.order_coupons.values() for c in rows
        ],
        "/v2/orders/1/taxes": [t for rows in store.order_taxes.values() for t in rows],
        "/v2/orders/1/shipments": [
            s for rows in store.order_shipments.values() for s in rows
        ],
        "/v3/orders/payment_actions/refunds/1": [
            api_v3.render_single_refund(r) for r in store.refunds.values()
        ],
        "/v3/orders/1/payment_actions/refunds": list(store.refunds.values()),
    }
    link = {"url": "https://example.com/x", "resource": "/x"}
    rows["/v2/orders/1"] = [
        dict(o, products=link, shipping_addresses=link, coupons=link, consignments=link)
        for o in store.orders.values()
    ]
    assert order_id
    errors = []
    for path, records in rows.items():
        assert records, path
        validator, schema = _item_schema(index, validator_cls, path)
        for number, record in enumerate(records):
            errors.extend(
                f"{path} #{number}: {e}" for e in validator.validate(schema, record)
            )
    assert not errors, "\n".join(errors[:40])


def test_inventory_rows_conform(store):
    index, validator_cls = _validator()
    validator, schema = _item_schema(
        index, validator_cls, "/v3/inventory/locations/1/items"
    )
    errors = []
    for (variant_id, _location_id), level in store.inventory.items():
        record = dict(
            level, identity={"sku": "X", "variant_id": variant_id, "product_id": 1}
        )
        errors.extend(validator.validate(schema, record))
        assert level["available_to_sell"] <= level["total_inventory_onhand"]
    assert not errors, errors[:10]


def test_seed_has_the_real_store_cases(store):
    """Fees with and without tax, automatic-tax orders (one with two
    addresses and handling), orders with several wrapped lines."""
    orders = store.orders
    fees = [fee for rows in store.order_fees.values() for fee in rows]
    assert any(D(fee["cost_tax"]) for fee in fees)
    assert any(not D(fee["cost_tax"]) for fee in fees)
    automatic = [o for o in orders.values() if o["tax_provider_id"] == "AvaTaxProvider"]
    assert len(automatic) >= 3
    assert any(
        o["shipping_address_count"] > 1 and D(o["handling_cost_tax"]) for o in automatic
    )
    wrapped = [
        order_id
        for order_id, lines in store.order_products.items()
        if sum(1 for line in lines if D(line["wrapping_cost_tax"])) > 1
    ]
    assert wrapped
