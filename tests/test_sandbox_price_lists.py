"""The sandbox's Price Lists (``/v3/pricelists``, price_lists.v3.yml).

Each rule is the spec's or a named assumption of bigcommerce_sandbox/CONTRACT.md
("Price lists"). Every answer whose status the spec documents is also checked
against the spec (tests/openapi_conformance.py); the few statuses it does not
document (an unknown price list on a GET, a bad cursor) are checked by hand.
"""

import base64
import os

import pytest
import requests

from bigcommerce_sandbox import price_list_paging, price_lists
from bigcommerce_sandbox.seed import price_lists as seeded
from bigcommerce_sandbox.state import StoreState
from tests.openapi_conformance import NO_BODY, SpecIndex, spec_dir, validate_response


@pytest.fixture(scope="module")
def index():
    fixed = SpecIndex(spec_dir())
    # As in test_openapi_conformance.SPEC_FIXES: a 204 carries no body.
    fixed.override_schema("DELETE", "/pricelists/{price_list_id}/records", 204, NO_BODY)
    return fixed


class Api:
    """Calls ``/v3/...``; every answer with a documented status is checked
    against the spec (``checked=False`` for the undocumented ones)."""

    def __init__(self, sandbox, index):
        self.sandbox = sandbox
        self.index = index
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = sandbox.access_token

    def __call__(self, method, path, checked=True, **kwargs):
        answer = self.session.request(
            method, f"{self.sandbox.api_url}/v3/{path}", timeout=30, **kwargs
        )
        if checked:
            errors = validate_response(answer, self.index)
            assert not errors, f"{method} {path} {answer.status_code}: {errors}"
        return answer

    def data(self, path, **params):
        answer = self("GET", path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]


@pytest.fixture
def api(sandbox, index):
    return Api(sandbox, index)


def _ids(rows, key="id"):
    return [row[key] for row in rows]


def _record_keys(rows):
    return [(r["variant_id"], r["currency"]) for r in rows]


# -- the seed -------------------------------------------------------------------


def test_seeded_price_lists_assignments_and_records(api, sandbox):
    lists = api.data("pricelists")
    assert [(p["id"], p["name"], p["active"]) for p in lists] == [
        (1, "Wholesale", True),
        (2, "POS Prices", True),
        (3, "Spring Sale", False),
    ]
    assert api.data("pricelists/assignments") == [
        {"id": 1, "price_list_id": 1, "customer_group_id": 1, "channel_id": 1},
        {"id": 2, "price_list_id": 2, "channel_id": 2},
    ]
    wholesale = api.data("pricelists/1/records", include="bulk_pricing_tiers,sku")
    assert _record_keys(wholesale) == [
        (201, "eur"),
        (201, "usd"),
        (202, "usd"),
        (209, "usd"),
        (212, "usd"),
        (216, "usd"),
        (221, "usd"),
        (226, "usd"),
        (237, "usd"),
    ]
    tiers = {
        r["sku"]: r["bulk_pricing_tiers"] for r in wholesale if r["bulk_pricing_tiers"]
    }
    assert {sku: {t["type"] for t in rows} for sku, rows in tiers.items()} == {
        "TSH-ORG-S-BLK": {"percent"},
        "TOTE-CNV": {"fixed"},
        "BTL-INS": {"price"},
    }
    pack = next(r for r in wholesale if r["sku"] == "PACK-20-BLK")
    assert (pack["price"], pack["sale_price"], pack["calculated_price"]) == (
        63.2,
        59.0,
        59.0,
    )
    # The seeded group of the assignment has no discount rule (usage notes).
    assert sandbox.state.customer_groups[1]["discount_rules"] == []
    assert [c["id"] for c in sandbox.state.channels] == [1, 2]
    assert _record_keys(api.data("pricelists/2/records")) == [
        (224, "usd"),
        (229, "usd"),
        (244, "usd"),
    ]


def test_the_seed_is_fixed_and_draws_no_random_number():
    from bigcommerce_sandbox import seed

    first, second = StoreState("a"), StoreState("b")
    seed.populate(first, 42)
    seed.populate(second, 42)
    assert first.price_records == second.price_records
    assert first.price_lists == second.price_lists
    other = StoreState("c")
    seed.populate(other, 7)  # another seed: the same price lists
    assert other.price_lists == first.price_lists
    assert first.next_id("price_list") == 4
    assert first.next_id("price_list_assignment") == 3
    assert len(seeded.RECORDS) == len(first.price_records) == 14


# -- price lists ------------------------------------------------------------------


def test_price_list_create_read_update_delete(api, sandbox):
    answer = api("POST", "pricelists", json={"name": "Trade Show"})
    assert answer.status_code == 200, answer.text  # the spec's 200, not 201
    created = answer.json()["data"]
    assert created["id"] == 4 and created["active"] is True  # "Defaults to true"
    assert created["date_created"] == created["date_modified"]
    assert api.data(f"pricelists/{created['id']}") == created

    duplicate = api("POST", "pricelists", json={"name": "trade show"})
    assert duplicate.status_code == 409, duplicate.text
    nameless = api("POST", "pricelists", json={"active": False})
    assert nameless.status_code == 422
    assert "name" in nameless.json()["errors"]
    wrong = api("POST", "pricelists", json={"name": "X", "active": "yes"})
    assert wrong.status_code == 422 and "active" in wrong.json()["errors"]

    sandbox.advance_clock(60)
    same = api("PUT", f"pricelists/{created['id']}", json={"active": True})
    assert same.json()["data"]["date_modified"] == created["date_modified"]
    changed = api("PUT", f"pricelists/{created['id']}", json={"active": False})
    assert changed.json()["data"]["active"] is False
    assert changed.json()["data"]["date_modified"] > created["date_modified"]
    clash = api("PUT", f"pricelists/{created['id']}", json={"name": "Wholesale"})
    assert clash.status_code == 409
    assert api("PUT", "pricelists/999", json={"name": "Z"}).status_code == 404

    assert api("DELETE", "pricelists/1").status_code == 204
    gone = api("GET", "pricelists/1", checked=False)  # the spec documents only 200
    assert gone.status_code == 404
    assert gone.json()["title"] == price_lists.NOT_FOUND
    # "All associated price records are also removed"; so are its assignments.
    assert not [k for k in sandbox.state.price_records if k[0] == 1]
    assert _ids(api.data("pricelists/assignments")) == [2]
    assert api("DELETE", "pricelists/1", checked=False).status_code == 404


def test_price_list_filters(api, sandbox):
    assert _ids(api.data("pricelists", **{"id:in": "1,3"})) == [1, 3]
    assert _ids(api.data("pricelists", name="pos prices")) == [2]
    assert _ids(api.data("pricelists", **{"name:like": "sale"})) == [1, 3]
    assert _ids(api.data("pricelists", **{"date_created:min": "2026-01-15"})) == [2, 3]
    assert _ids(
        api.data("pricelists", **{"date_modified:max": "2026-01-20T00:00:00Z"})
    ) == [1, 2]
    sandbox.advance_clock(3600)
    api("PUT", "pricelists/1", json={"name": "Wholesale 2026"})
    since = sandbox.state.price_lists[1]["date_modified"]
    assert _ids(api.data("pricelists", **{"date_modified:min": since})) == [1]
    assert _ids(api.data("pricelists", date_modified=since)) == [1]


# -- paging -----------------------------------------------------------------------


def test_page_cursor_or_both_as_the_meta_says(api):
    both = api("GET", "pricelists/1/records", params={"limit": 4}).json()
    assert set(both["meta"]) == {"pagination", "cursor_pagination"}
    assert both["meta"]["pagination"] == {
        "total": 9,
        "count": 4,
        "per_page": 4,
        "current_page": 1,
        "total_pages": 3,
    }
    paged = api("GET", "pricelists/1/records", params={"page": 3, "limit": 4}).json()
    assert set(paged["meta"]) == {"pagination"}
    assert _record_keys(paged["data"]) == [(237, "usd")]

    walked, params = [], {"limit": 4}
    while True:
        body = api("GET", "pricelists/1/records", params=params).json()
        walked.extend(body["data"])
        cursor = body["meta"]["cursor_pagination"]
        if "after" in params:
            assert set(body["meta"]) == {"cursor_pagination"}
        if "next" not in cursor["links"]:
            break
        params = {"after": cursor["end_cursor"], "limit": 4}
    assert walked == api.data("pricelists/1/records", limit=250)

    last = api("GET", "pricelists/1/records", params=params).json()
    start = last["meta"]["cursor_pagination"]["start_cursor"]
    before = api("GET", "pricelists/1/records", params={"before": start, "limit": 2})
    assert _record_keys(before.json()["data"]) == [(221, "usd"), (226, "usd")]
    assert set(before.json()["meta"]) == {"cursor_pagination"}

    for wrong in (
        {"page": 1, "after": start},
        {"before": start, "after": start},
        {"after": "not base64!"},
    ):
        refused = api("GET", "pricelists/1/records", params=wrong, checked=False)
        assert refused.status_code == 400, wrong
    # "capped at the maximum limit"
    capped = api("GET", "pricelists", params={"limit": 5000}).json()
    assert capped["meta"]["pagination"]["per_page"] == price_list_paging.MAX_LIMIT
    assert base64.b64decode(capped["meta"]["cursor_pagination"]["end_cursor"]) == b"3"


# -- records ----------------------------------------------------------------------


def test_record_filters(api):
    def keys(**params):
        return _record_keys(api.data("pricelists/1/records", **params))

    assert keys(**{"variant_id:in": "201,209"}) == [
        (201, "eur"),
        (201, "usd"),
        (209, "usd"),
    ]
    assert keys(**{"product_id:in": "111"}) == [
        (201, "eur"),
        (201, "usd"),
        (202, "usd"),
    ]
    assert keys(currency="EUR") == [(201, "eur")]
    assert keys(**{"currency:in": "eur"}) == [(201, "eur")]
    assert keys(sku="tote-cnv") == [(209, "usd")]
    assert keys(**{"sku:in": "BTL-INS,LMP-300"}) == [(216, "usd"), (237, "usd")]
    assert keys(**{"price:min": 90}) == [(212, "usd"), (226, "usd")]
    assert keys(**{"price:max": 20, "currency": "usd"}) == [(209, "usd")]
    assert keys(calculated_price=59) == [(221, "usd")]
    assert keys(**{"date_modified:min": "2026-02-01"}) == [
        (201, "usd"),
        (209, "usd"),
        (216, "usd"),
    ]
    missing = api("GET", "pricelists/99/records", checked=False)
    assert missing.status_code == 404


def test_include_bulk_pricing_tiers_and_sku(api):
    plain = api.data("pricelists/1/records/201/usd")
    assert "bulk_pricing_tiers" not in plain and "sku" not in plain
    tiers = api.data("pricelists/1/records/201/usd", include="bulk_pricing_tiers")
    assert tiers["bulk_pricing_tiers"] == [
        {"quantity_min": 10, "quantity_max": 24, "type": "percent", "amount": 5},
        {
            "quantity_min": 25,
            "quantity_max": 2147483647,
            "type": "percent",
            "amount": 10,
        },
    ]
    assert "sku" not in tiers
    both = api.data("pricelists/1/records", include="sku,bulk_pricing_tiers,images")
    assert all("sku" in r and "bulk_pricing_tiers" in r for r in both)
    by_variant = api.data("pricelists/1/records/201", include="sku")
    assert [(r["currency"], r["sku"]) for r in by_variant] == [
        ("eur", "TSH-ORG-S-BLK"),
        ("usd", "TSH-ORG-S-BLK"),
    ]
    assert api.data("pricelists/2/records/201") == []


def test_an_upsert_that_changes_nothing_keeps_date_modified(api, sandbox):
    before = api.data("pricelists/1/records/202/usd")
    sandbox.advance_clock(3600)
    same = [{"variant_id": 202, "currency": "usd", "price": 22.4}]
    assert api("PUT", "pricelists/1/records", json=same).status_code == 200
    assert api.data("pricelists/1/records/202/usd") == before
    since = price_lists.iso_z(sandbox.state.clock.now())
    assert api.data("pricelists/1/records", **{"date_modified:min": since}) == []

    sandbox.advance_clock(60)
    changed = [{"sku": "TSH-ORG-S-WHT", "currency": "USD", "price": 21.9}]
    assert api("PUT", "pricelists/1/records", json=changed).status_code == 200
    after = api.data("pricelists/1/records/202/usd")
    assert after["price"] == 21.9 and after["date_modified"] > before["date_modified"]
    assert after["date_created"] == before["date_created"]
    recent = api.data("pricelists/1/records", **{"date_modified:min": since})
    assert _record_keys(recent) == [(202, "usd")]


def test_an_upsert_sets_the_prices_it_is_given_and_keeps_tiers_it_is_not(api):
    body = [{"variant_id": 201, "currency": "usd", "price": 23, "retail_price": 28}]
    assert api("PUT", "pricelists/1/records", json=body).status_code == 200
    record = api.data("pricelists/1/records/201/usd", include="bulk_pricing_tiers")
    assert (record["price"], record["retail_price"], record["calculated_price"]) == (
        23,
        28,
        23,
    )
    assert len(record["bulk_pricing_tiers"]) == 2  # not sent: kept
    body = [{"variant_id": 221, "currency": "usd", "price": 60}]  # no sale_price
    api("PUT", "pricelists/1/records", json=body)
    record = api.data("pricelists/1/records/221/usd")
    assert "sale_price" not in record and record["calculated_price"] == 60


def test_unknown_variants_and_invalid_items_refuse_the_whole_batch(api, sandbox):
    before = dict(sandbox.state.price_records)
    body = [
        {"variant_id": 203, "currency": "usd", "price": 20},
        {"variant_id": 987654, "currency": "usd", "price": 1},
        {"sku": "NO-SUCH-SKU", "currency": "usd", "price": 1},
        {"variant_id": 204, "price": 1},
        {"variant_id": 205, "currency": "usd"},
        {"variant_id": 206, "currency": "usd", "price": 1, "sale_price": -2},
        {
            "variant_id": 207,
            "currency": "usd",
            "price": 1,
            "bulk_pricing_tiers": [{"quantity_min": 1, "type": "half", "amount": 1}],
        },
    ]
    answer = api("PUT", "pricelists/1/records", json=body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["batch_errors"]
    assert [sorted(e["field_errors"]) for e in errors] == [
        ["variant_id"],
        ["sku"],
        ["currency"],
        ["price"],  # x-required on PUT
        ["sale_price"],
        ["bulk_pricing_tiers.0.type"],
    ]
    assert errors[0]["data"] == {
        "price_list_id": 1,
        "variant_id": 987654,
        "currency": "usd",
    }
    assert sandbox.state.price_records == before  # nothing written


def test_batch_limits(api, sandbox):
    item = {"variant_id": 203, "currency": "usd", "price": 20}
    too_many = api("PUT", "pricelists/1/records", json=[item] * 1001)
    assert too_many.status_code == 422
    assert too_many.json()["batch_errors"][0]["field_errors"] == {
        "batch": "At most 1000 price records per request; 1001 sent"
    }
    assert (1, 203, "usd") not in sandbox.state.price_records
    assert api("PUT", "pricelists/1/records", json=[item] * 1000).status_code == 200
    assert (1, 203, "usd") in sandbox.state.price_records

    created = [{"variant_id": 204, "currency": "usd", "price": 1}] * 101
    assert api("POST", "pricelists/1/records", json=created).status_code == 422
    assert api("POST", "pricelists/1/records", json=created[:1]).status_code == 200
    again = api("POST", "pricelists/1/records", json=created[:1])
    assert again.status_code == 422  # POST creates only
    assert "exists" in again.json()["batch_errors"][0]["field_errors"]["variant_id"]


def test_one_record_by_currency_code(api, sandbox):
    missing = api("GET", "pricelists/1/records/203/usd", checked=False)
    assert missing.status_code == 404
    tiers = [{"quantity_min": 3, "quantity_max": 9, "type": "fixed", "amount": 19}]
    put = api(
        "PUT",
        "pricelists/1/records/203/USD",
        json={"price": 21, "sale_price": 20, "bulk_pricing_tiers": tiers},
    )
    assert put.status_code == 200, put.text
    data = put.json()["data"]
    assert (data["currency"], data["calculated_price"], data["product_id"]) == (
        "usd",
        20,
        111,
    )
    assert data["bulk_pricing_tiers"] == tiers
    assert api.data("pricelists/1/records/203/usd")["price"] == 21
    no_price = api("PUT", "pricelists/1/records/203/usd", json={"sale_price": 1})
    assert no_price.status_code == 422 and "price" in no_price.json()["errors"]
    unknown = api("PUT", "pricelists/1/records/987654/usd", json={"price": 1})
    assert unknown.status_code == 422 and "variant_id" in unknown.json()["errors"]
    assert (
        api("PUT", "pricelists/99/records/203/usd", json={"price": 1}).status_code
        == 404
    )
    assert api("DELETE", "pricelists/1/records/203/usd").status_code == 204
    assert (1, 203, "usd") not in sandbox.state.price_records
    assert (
        api("DELETE", "pricelists/1/records/203/usd", checked=False).status_code == 404
    )


def test_delete_records_by_filter(api, sandbox):
    def keys():
        return _record_keys(api.data("pricelists/1/records"))

    assert (
        api("DELETE", "pricelists/1/records", params={"currency": "eur"}).status_code
        == 204
    )
    assert (201, "eur") not in keys() and (201, "usd") in keys()
    api("DELETE", "pricelists/1/records", params={"variant_id:in": "201,202"})
    api("DELETE", "pricelists/1/records", params={"sku:in": "TOTE-CNV"})
    assert keys() == [
        (212, "usd"),
        (216, "usd"),
        (221, "usd"),
        (226, "usd"),
        (237, "usd"),
    ]
    api("DELETE", "pricelists/1/records")  # no filter: every record of the list
    assert keys() == []
    assert len(api.data("pricelists/2/records")) == 3  # other lists untouched
    assert 1 in sandbox.state.price_lists  # "does not delete the Price List"


def test_batches_across_price_lists(api, sandbox):
    body = [
        {"price_list_id": 2, "variant_id": 203, "currency": "usd", "price": 20},
        {"price_list_id": 3, "sku": "TSH-ORG-M-BLK", "currency": "usd", "price": 19},
    ]
    assert api("PUT", "pricelists/records", json=body).status_code == 200
    assert (2, 203, "usd") in sandbox.state.price_records
    assert (3, 203, "usd") in sandbox.state.price_records
    again = api("POST", "pricelists/records", json=body[:1])
    assert again.status_code == 422
    assert again.json() == {
        "data": {"price_list_id": 2, "variant_id": 203, "currency": "usd"},
        "field_errors": {
            "variant_id": (
                "A price record of variant 203 in usd exists; use PUT to update it"
            )
        },
    }
    nowhere = [{"price_list_id": 99, "variant_id": 203, "currency": "usd", "price": 1}]
    refused = api("PUT", "pricelists/records", json=nowhere)
    assert refused.status_code == 422
    assert "price_list_id" in refused.json()["field_errors"]


# -- assignments ------------------------------------------------------------------


def test_assignment_filters(api):
    def ids(**params):
        return _ids(api.data("pricelists/assignments", **params))

    assert ids(price_list_id=1) == [1]
    assert ids(customer_group_id=1) == [1]
    assert ids(channel_id=2) == [2]
    assert ids(**{"channel_id:in": "1,2"}) == [1, 2]
    assert ids(**{"price_list_id:in": "2,3"}) == [2]
    assert ids(**{"id:in": "2"}) == [2]
    assert ids(id=1) == [1]
    assert ids(customer_group_id=4) == []


def test_assignments_create_upsert_delete(api, sandbox):
    batch = [
        {"price_list_id": 3, "customer_group_id": 1, "channel_id": 2},
        {"price_list_id": 3, "customer_group_id": 2, "channel_id": 1},  # discounts
        {"price_list_id": 99, "channel_id": 1},
        {"price_list_id": 3, "customer_group_id": 1, "channel_id": 1},  # taken
        {"price_list_id": 3},
    ]
    answer = api("POST", "pricelists/assignments", json=batch)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["meta"] == {"saved_records": 1}
    assert sorted(body["errors"]) == [
        "1.customer_group_id",
        "2.price_list_id",
        "3.customer_group_id",
        "4.customer_group_id",
    ]
    assert "customer group discounts" in body["errors"]["1.customer_group_id"]
    assert _ids(api.data("pricelists/assignments", price_list_id=3)) == [3]

    ok = api(
        "POST", "pricelists/assignments", json=[{"price_list_id": 3, "channel_id": 1}]
    )
    assert ok.status_code == 200 and ok.content == b""
    assert (
        api("POST", "pricelists/assignments", json=[batch[0]] * 26).status_code == 422
    )

    # PUT: the price list of a customer group on a channel (one per pair).
    put = api(
        "PUT",
        "pricelists/3/assignments",
        json={"customer_group_id": 1, "channel_id": 1},
    )
    assert put.status_code == 200
    assert put.json()["data"] == {
        "id": 1,
        "price_list_id": 3,
        "customer_group_id": 1,
        "channel_id": 1,
    }
    for wrong in (
        {"customer_group_id": 99, "channel_id": 1},
        {"customer_group_id": 1, "channel_id": 9},
    ):
        missing = api("PUT", "pricelists/3/assignments", json=wrong)
        assert missing.status_code == 404 and missing.content == b""
    discounts = api(
        "PUT",
        "pricelists/3/assignments",
        json={"customer_group_id": 4, "channel_id": 1},
        checked=False,
    )
    assert discounts.status_code == 422

    refused = api("DELETE", "pricelists/assignments", checked=False)
    assert refused.status_code == 422  # "You must use at least one query parameter"
    assert (
        api("DELETE", "pricelists/assignments", params={"price_list_id": 3}).status_code
        == 204
    )
    assert _ids(api.data("pricelists/assignments")) == [2]
    api("DELETE", "pricelists/assignments", params={"channel_id:in": "2"})
    assert api.data("pricelists/assignments") == []


# -- the rest of the store ----------------------------------------------------------


def test_scope_quota_and_no_webhook(api, sandbox):
    sandbox.add_token("read-only", scopes={"store_v2_products_read_only"})
    session = requests.Session()
    session.headers["X-Auth-Token"] = "read-only"
    url = f"{sandbox.api_url}/v3/pricelists"
    assert session.get(url, timeout=10).status_code == 200
    assert session.post(url, json={"name": "X"}, timeout=10).status_code == 403
    sandbox.add_token("orders-only", scopes={"store_v2_orders"})
    session.headers["X-Auth-Token"] = "orders-only"
    for path in ("", "/1/records", "/assignments", "/1/records/201/usd"):
        assert session.get(url + path, timeout=10).status_code == 403, path
    first = api("GET", "pricelists")
    second = api("GET", "pricelists/1/records")
    left = [int(a.headers["X-Rate-Limit-Requests-Left"]) for a in (first, second)]
    assert left[0] - left[1] == 1  # one request of the quota each

    # webhooks.v3.yml has no price list scope: writes send nothing.
    with open(os.path.join(spec_dir(), "webhooks.v3.yml"), encoding="utf-8") as spec:
        assert "pricelist" not in spec.read().lower()
    api(
        "POST",
        "hooks",
        json={"scope": "store/*", "destination": "https://example.com/hook"},
        checked=False,
    )
    api("PUT", "pricelists/1/records/203/usd", json={"price": 5})
    api("PUT", "pricelists/1", json={"name": "Wholesale B2B"})
    api(
        "PUT",
        "pricelists/3/assignments",
        json={"customer_group_id": 1, "channel_id": 2},
    )
    assert sandbox.webhooks.messages == []
