"""Price Lists: lists, their price records and their assignments (``/v3/pricelists``).

Shapes, filters, limits and status codes follow price_lists.v3.yml (BigCommerce's
docs at the pinned commit). Where the spec is silent, CONTRACT.md ("Price lists")
names the assumption and its source. Price lists change no price the sandbox
quotes elsewhere (catalog, orders): they are served, not applied.

State (``StoreState``):

* ``price_lists``: {id: {id, name, active, date_created, date_modified}};
* ``price_records``: {(price_list_id, variant_id, currency): record} where a
  record holds the identifiers, the prices that are set, ``bulk_pricing_tiers``,
  ``product_id`` and the two dates; ``currency`` is lower case, as in every
  example of the spec (``usd``, ``eur``);
* ``price_list_assignments``: {id: {id, price_list_id, customer_group_id?,
  channel_id?}}.

No webhook is sent: webhooks.v3.yml has no price list scope.
"""

import copy
import re

from .paging import ApiError, apply_v3_filters
from .price_list_paging import _collection
from .seed.common import iso_z

NOT_FOUND = "The requested resource was not found."
# PUT /pricelists/{id}/records: "Batch requests support up to 1,000 items".
UPSERT_BATCH = 1000
# POST /pricelists/{id}/records: "Batch requests support up to 100 items";
# POST /pricelists/records: "batch size of 100".
CREATE_BATCH = 100
PRICES = ("price", "sale_price", "retail_price", "map_price")
# PriceRecord Base: sale_price, retail_price and map_price have ``minimum: 0``.
NON_NEGATIVE = ("sale_price", "retail_price", "map_price")
TIER_TYPES = ("fixed", "price", "percent")
CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def _includes(query):
    """``include``: "Valid expansions currently include bulk_pricing_tiers and
    sku. Other values will be ignored." """
    return {
        item.strip()
        for item in (query.get("include") or "").split(",")
        if item.strip() in ("bulk_pricing_tiers", "sku")
    }


def _now(ctx):
    return iso_z(ctx.state.clock.now())


# ----------------------------------------------------------------------
# Price lists
# ----------------------------------------------------------------------

LIST_FILTERS = {
    "id": (lambda p: p["id"], "int"),
    "name": (lambda p: p["name"], "str"),
    "date_created": (lambda p: p["date_created"], "date"),
    "date_modified": (lambda p: p["date_modified"], "date"),
}


def _price_list(ctx, price_list_id):
    price_list = ctx.state.price_lists.get(int(price_list_id))
    if price_list is None:
        raise ApiError(404, NOT_FOUND)
    return price_list


def list_price_lists(ctx):
    rows = apply_v3_filters(
        list(ctx.state.price_lists.values()), ctx.query, LIST_FILTERS
    )
    return _collection(ctx.query, rows, key=lambda p: (p["id"],))


def get_price_list(ctx, price_list_id):
    return 200, {"data": copy.deepcopy(_price_list(ctx, price_list_id)), "meta": {}}


def _validate_list(ctx, body, creating, own_id=None):
    if not isinstance(body, dict):
        raise ApiError(422, "The price list was not valid.", {"body": "an object"})
    errors = {}
    if creating or "name" in body:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            errors["name"] = "name is required and must be a non-empty string"
    if "active" in body and not isinstance(body["active"], bool):
        errors["active"] = "active must be a boolean"
    if errors:
        raise ApiError(422, "The price list was not valid.", errors)
    if "name" in body:
        for other in ctx.state.price_lists.values():
            if (
                other["id"] != own_id
                and other["name"].lower() == body["name"].strip().lower()
            ):
                raise ApiError(
                    409,
                    "A price list with this name already exists.",
                    {"name": f"duplicate of price list {other['id']}"},
                )


def create_price_list(ctx):
    """POST /pricelists: 200 (the spec's status), ``active`` defaults to true."""
    body = ctx.body
    _validate_list(ctx, body, creating=True)
    now = _now(ctx)
    price_list = {
        "id": ctx.state.next_id("price_list"),
        "name": body["name"].strip(),
        "date_created": now,
        "date_modified": now,
        "active": body.get("active", True),
    }
    ctx.state.price_lists[price_list["id"]] = price_list
    return 200, {"data": copy.deepcopy(price_list), "meta": {}}


def update_price_list(ctx, price_list_id):
    price_list = _price_list(ctx, price_list_id)
    body = ctx.body
    _validate_list(ctx, body, creating=False, own_id=price_list["id"])
    changes = {}
    if "name" in body:
        changes["name"] = body["name"].strip()
    if "active" in body:
        changes["active"] = body["active"]
    if any(price_list[field] != value for field, value in changes.items()):
        price_list.update(changes)
        price_list["date_modified"] = _now(ctx)
    return 200, {"data": copy.deepcopy(price_list), "meta": {}}


def delete_price_list(ctx, price_list_id):
    """ "All associated price records are also removed"; so are its
    assignments (CONTRACT.md)."""
    price_list = _price_list(ctx, price_list_id)
    del ctx.state.price_lists[price_list["id"]]
    for record_key in [k for k in ctx.state.price_records if k[0] == price_list["id"]]:
        del ctx.state.price_records[record_key]
    for assignment_id, assignment in list(ctx.state.price_list_assignments.items()):
        if assignment["price_list_id"] == price_list["id"]:
            del ctx.state.price_list_assignments[assignment_id]
    return 204, None


# ----------------------------------------------------------------------
# Price records
# ----------------------------------------------------------------------


def _variants(state):
    return {v["id"]: v for rows in state.variants.values() for v in rows}


def _variant_sku(state, record, variants=None):
    variant = (variants or _variants(state)).get(record["variant_id"])
    return (variant or {}).get("sku") or None


def calculated_price(record):
    """ "equal to the sale_price, if set, and the price if there is not a
    sale_price" (the spec's words; CONTRACT.md on its examples)."""
    if record.get("sale_price") is not None:
        return record["sale_price"]
    return record.get("price")


def render_record(state, record, includes=(), variants=None, tiers=None):
    """A record as the API returns it: prices that are not set are left out
    (typed number, not nullable); ``bulk_pricing_tiers`` and ``sku`` only
    when included (``tiers=True`` forces the tiers, PUT's answer)."""
    rendered = {
        "price_list_id": record["price_list_id"],
        "variant_id": record["variant_id"],
        "currency": record["currency"],
    }
    for field in PRICES:
        if record.get(field) is not None:
            rendered[field] = record[field]
    if calculated_price(record) is not None:
        rendered["calculated_price"] = calculated_price(record)
    rendered["date_created"] = record["date_created"]
    rendered["date_modified"] = record["date_modified"]
    rendered["product_id"] = record["product_id"]
    if tiers or "bulk_pricing_tiers" in includes:
        rendered["bulk_pricing_tiers"] = copy.deepcopy(record["bulk_pricing_tiers"])
    if "sku" in includes:
        sku = _variant_sku(state, record, variants)
        if sku:  # "if requested and it exists"
            rendered["sku"] = sku
    return rendered


def _record_filters(state, variants):
    def sku(record):
        return _variant_sku(state, record, variants)

    return {
        "variant_id": (lambda r: r["variant_id"], "int"),
        "product_id": (lambda r: r["product_id"], "int"),
        "currency": (lambda r: r["currency"], "str"),
        "sku": (sku, "str"),
        "price": (lambda r: r.get("price"), "number"),
        "sale_price": (lambda r: r.get("sale_price"), "number"),
        "retail_price": (lambda r: r.get("retail_price"), "number"),
        "map_price": (lambda r: r.get("map_price"), "number"),
        "calculated_price": (calculated_price, "number"),
        "date_created": (lambda r: r["date_created"], "date"),
        "date_modified": (lambda r: r["date_modified"], "date"),
    }


def _record_key(record):
    return (record["variant_id"], record["currency"])


def _records_of(state, price_list_id):
    return [r for k, r in state.price_records.items() if k[0] == price_list_id]


def list_records(ctx, price_list_id):
    price_list = _price_list(ctx, price_list_id)
    variants = _variants(ctx.state)
    rows = apply_v3_filters(
        _records_of(ctx.state, price_list["id"]),
        ctx.query,
        _record_filters(ctx.state, variants),
    )
    includes = _includes(ctx.query)
    return _collection(
        ctx.query,
        rows,
        key=_record_key,
        render=lambda r: render_record(ctx.state, r, includes, variants),
    )


def list_variant_records(ctx, price_list_id, variant_id):
    """GET /pricelists/{id}/records/{variant_id}: "Will also contain currency
    records" (every currency of the variant)."""
    price_list = _price_list(ctx, price_list_id)
    rows = [
        r
        for r in _records_of(ctx.state, price_list["id"])
        if r["variant_id"] == int(variant_id)
    ]
    includes = _includes(ctx.query)
    variants = _variants(ctx.state)
    return _collection(
        ctx.query,
        rows,
        key=_record_key,
        render=lambda r: render_record(ctx.state, r, includes, variants),
    )


def _record(ctx, price_list_id, variant_id, currency_code):
    price_list = _price_list(ctx, price_list_id)
    record = ctx.state.price_records.get(
        (price_list["id"], int(variant_id), currency_code.lower())
    )
    if record is None:
        raise ApiError(404, NOT_FOUND)
    return record


def get_record(ctx, price_list_id, variant_id, currency_code):
    record = _record(ctx, price_list_id, variant_id, currency_code)
    data = render_record(ctx.state, record, _includes(ctx.query))
    return 200, {"data": data, "meta": {}}


def _check_prices(item, errors, price_required):
    for field in PRICES:
        if field not in item or item[field] is None:
            continue
        value = item[field]
        if not isinstance(value, int | float) or isinstance(value, bool):
            errors[field] = f"{field} must be a number"
        elif field in NON_NEGATIVE and value < 0:
            errors[field] = f"{field} must be at least 0"
    if price_required and item.get("price") is None:
        # PriceRecord Base: price has ``x-required: [put]``.
        errors["price"] = "price is required"
    tiers = item.get("bulk_pricing_tiers")
    if tiers is None:
        return
    if not isinstance(tiers, list):
        errors["bulk_pricing_tiers"] = "bulk_pricing_tiers must be an array"
        return
    for index, tier in enumerate(tiers):
        where = f"bulk_pricing_tiers.{index}"
        if not isinstance(tier, dict):
            errors[where] = "a tier must be an object"
            continue
        for field in ("quantity_min", "quantity_max"):
            value = tier.get(field)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                errors[f"{where}.{field}"] = f"{field} must be an integer"
        if tier.get("type") not in TIER_TYPES:
            errors[f"{where}.type"] = f"type must be one of {', '.join(TIER_TYPES)}"
        amount = tier.get("amount")
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            errors[f"{where}.amount"] = "amount must be a number"


def _tiers(item):
    return [
        {
            "quantity_min": tier.get("quantity_min", 0),
            "quantity_max": tier.get("quantity_max"),
            "type": tier["type"],
            "amount": tier["amount"],
        }
        for tier in item.get("bulk_pricing_tiers") or []
    ]


def _upsert(ctx, price_list_id, variant, currency, item):
    """Create the record or update it; ``date_modified`` moves only when a
    value changes (CONTRACT.md). Returns the record."""
    key = (price_list_id, variant["id"], currency)
    existing = ctx.state.price_records.get(key)
    values = {field: item.get(field) for field in PRICES}
    if "bulk_pricing_tiers" in item or existing is None:
        values["bulk_pricing_tiers"] = _tiers(item)
    now = _now(ctx)
    if existing is None:
        record = {
            "price_list_id": price_list_id,
            "variant_id": variant["id"],
            "currency": currency,
            "product_id": variant["product_id"],
            "date_created": now,
            "date_modified": now,
            **values,
        }
        ctx.state.price_records[key] = record
        return record
    if any(existing.get(field) != value for field, value in values.items()):
        existing.update(values)
        existing["date_modified"] = now
    return existing


def _resolve(ctx, item, variants, by_sku, errors):
    """The variant an item names (``variant_id`` or ``sku``), or None."""
    variant_id, sku = item.get("variant_id"), item.get("sku")
    if variant_id is None and sku in (None, ""):
        errors["variant_id"] = "Either variant_id or sku is required"
        return None
    variant = None
    if variant_id is not None:
        if not isinstance(variant_id, int) or isinstance(variant_id, bool):
            errors["variant_id"] = "variant_id must be an integer"
            return None
        variant = variants.get(variant_id)
        if variant is None:
            errors["variant_id"] = f"Variant {variant_id} does not exist"
            return None
    if sku not in (None, ""):
        by = by_sku.get(str(sku).lower())
        if by is None:
            errors["sku"] = f"No variant has the SKU {sku}"
            return None
        if variant is not None and by["id"] != variant["id"]:
            errors["sku"] = f"The SKU {sku} is not the SKU of variant {variant_id}"
            return None
        variant = by
    return variant


def _currency(item, errors):
    currency = item.get("currency")
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        errors["currency"] = "currency is required: a 3-letter ISO-4217 code"
        return None
    return currency.lower()


def _identifiers(item, price_list_id=None):
    data = {}
    if price_list_id is not None:
        data["price_list_id"] = price_list_id
    for field, kind in (("variant_id", int), ("sku", str), ("currency", str)):
        value = item.get(field) if isinstance(item, dict) else None
        if isinstance(value, kind) and not isinstance(value, bool):
            data[field] = value
    return data


def _batch(ctx, items, fixed_list_id, creating, limit):
    """Validate every item, then write them all: (written, [(item, list id,
    field errors)]). Nothing is written when an item is invalid (CONTRACT.md)."""
    if not isinstance(items, list) or not items:
        return None, [({}, fixed_list_id, {"body": "an array of price records"})]
    if limit is not None and len(items) > limit:
        message = f"At most {limit} price records per request; {len(items)} sent"
        return None, [({}, fixed_list_id, {"batch": message})]
    variants = _variants(ctx.state)
    by_sku = {
        (v.get("sku") or "").lower(): v for v in variants.values() if v.get("sku")
    }
    planned, failed, seen = [], [], set()
    for item in items:
        errors = {}
        if not isinstance(item, dict):
            failed.append(({}, fixed_list_id, {"item": "a price record object"}))
            continue
        list_id = fixed_list_id
        if list_id is None:
            list_id = item.get("price_list_id")
            if not isinstance(list_id, int) or list_id not in ctx.state.price_lists:
                errors["price_list_id"] = f"Price list {list_id} does not exist"
        variant = _resolve(ctx, item, variants, by_sku, errors)
        currency = _currency(item, errors)
        _check_prices(item, errors, price_required=not creating)
        if not errors:
            key = (list_id, variant["id"], currency)
            if creating and (key in ctx.state.price_records or key in seen):
                # POST: "Will error out if any record in the batch already
                # exists; use PUT to batch update existing records."
                errors["variant_id"] = (
                    f"A price record of variant {variant['id']} in {currency} "
                    "exists; use PUT to update it"
                )
            seen.add(key)
        if errors:
            failed.append((item, list_id, errors))
        else:
            planned.append((list_id, variant, currency, item))
    if failed:
        return None, failed
    for list_id, variant, currency, item in planned:
        _upsert(ctx, list_id, variant, currency, item)
    return len(planned), []


def _batch_answer(ctx, price_list_id, creating, limit):
    """PUT / POST /pricelists/{id}/records: 422 body ``{batch_errors: [...]}``."""
    price_list = _price_list(ctx, price_list_id)
    _written, failed = _batch(ctx, ctx.body, price_list["id"], creating, limit)
    if failed:
        return 422, {
            "batch_errors": [
                {"data": _identifiers(item, list_id), "field_errors": errors}
                for item, list_id, errors in failed
            ]
        }
    return 200, {"data": {}, "meta": {}}


def upsert_records(ctx, price_list_id):
    return _batch_answer(ctx, price_list_id, creating=False, limit=UPSERT_BATCH)


def create_records(ctx, price_list_id):
    return _batch_answer(ctx, price_list_id, creating=True, limit=CREATE_BATCH)


def _cross_list_answer(ctx, creating, limit):
    """PUT / POST /pricelists/records (items name their price list). The 422
    schema of these two operations is PriceRecordBatchErrorResponse, one
    ``{data, field_errors}`` object: the first invalid item (CONTRACT.md)."""
    _written, failed = _batch(ctx, ctx.body, None, creating, limit)
    if failed:
        item, list_id, errors = failed[0]
        list_id = list_id if isinstance(list_id, int) else None
        return 422, {"data": _identifiers(item, list_id), "field_errors": errors}
    return 200, {"data": {}, "meta": {}}


def upsert_records_batch(ctx):
    # "Concurrency limit of 1": no batch size is given for this PUT.
    return _cross_list_answer(ctx, creating=False, limit=None)


def create_records_batch(ctx):
    return _cross_list_answer(ctx, creating=True, limit=CREATE_BATCH)


def delete_records(ctx, price_list_id):
    """DELETE /pricelists/{id}/records?currency=&variant_id:in=&sku:in=; with no
    filter, every record of the list ("Optional parameters")."""
    price_list = _price_list(ctx, price_list_id)
    variants = _variants(ctx.state)
    filters = {
        name: value
        for name, value in ctx.query.items()
        if name in ("currency", "variant_id:in", "sku:in")
    }
    rows = apply_v3_filters(
        _records_of(ctx.state, price_list["id"]),
        filters,
        _record_filters(ctx.state, variants),
    )
    for record in rows:
        del ctx.state.price_records[
            (record["price_list_id"], record["variant_id"], record["currency"])
        ]
    return 204, None


def set_record(ctx, price_list_id, variant_id, currency_code):
    """PUT /pricelists/{id}/records/{variant_id}/{currency_code}: one upsert."""
    price_list = _price_list(ctx, price_list_id)
    body = ctx.body
    if not isinstance(body, dict):
        raise ApiError(422, "The price record was not valid.", {"body": "an object"})
    errors = {}
    variant = _variants(ctx.state).get(int(variant_id))
    if variant is None:
        errors["variant_id"] = f"Variant {variant_id} does not exist"
    currency = _currency({"currency": currency_code}, errors)
    _check_prices(body, errors, price_required=True)
    if errors:
        raise ApiError(422, "The price record was not valid.", errors)
    record = _upsert(ctx, price_list["id"], variant, currency, body)
    # The spec's example answer carries the tiers; its schema has no sku.
    data = render_record(ctx.state, record, tiers=True)
    return 200, {"data": data, "meta": {}}


def delete_record(ctx, price_list_id, variant_id, currency_code):
    record = _record(ctx, price_list_id, variant_id, currency_code)
    del ctx.state.price_records[
        (record["price_list_id"], record["variant_id"], record["currency"])
    ]
    return 204, None
