"""The v3 endpoints: refunds, customers, catalog, inventory, channels, hooks."""

import copy

from . import cdn
from .paging import ApiError, apply_v3_filters, sort_rows, v3_page
from .seed import rfc2822

NOT_FOUND = "The requested resource was not found."


def _one(data):
    return 200, {"data": data, "meta": {}}


def _collection(ctx, rows, default_limit=50, max_limit=250):
    chunk, meta = v3_page(rows, ctx.query, ctx.path, default_limit, max_limit)
    return 200, {"data": copy.deepcopy(chunk), "meta": meta}


def _includes(ctx):
    return set(filter(None, (ctx.query.get("include") or "").split(",")))


def _by_id(rows, wanted):
    for row in rows:
        if str(row.get("id")) == str(wanted):
            return row
    raise ApiError(404, NOT_FOUND)


# ----------------------------------------------------------------------
# Refunds
# ----------------------------------------------------------------------

REFUND_FILTERS = {
    "id": (lambda r: r["id"], "int"),
    "order_id": (lambda r: r["order_id"], "int"),
    "created": (lambda r: r["created"], "date"),
}


def list_refunds(ctx):
    rows = sorted(ctx.state.refunds.values(), key=lambda r: r["id"])
    rows = apply_v3_filters(rows, ctx.query, REFUND_FILTERS)
    chunk, _meta = v3_page(rows, ctx.query, ctx.path)
    # The spec documents an empty meta for refund lists (no pagination block).
    return 200, {"data": copy.deepcopy(chunk), "meta": {}}


def list_order_refunds(ctx, order_id):
    if int(order_id) not in ctx.state.orders:
        raise ApiError(404, NOT_FOUND)
    rows = [r for r in ctx.state.refunds.values() if r["order_id"] == int(order_id)]
    rows.sort(key=lambda r: r["id"])
    return 200, {"data": copy.deepcopy(rows), "meta": {}}


def get_refund(ctx, refund_id):
    refund = ctx.state.refunds.get(int(refund_id))
    if refund is None:
        raise ApiError(404, NOT_FOUND)
    return _one(render_single_refund(refund))


def render_single_refund(refund):
    """A refund as GET /refunds/{id} documents it.

    The spec types an item's ``requested_amount`` as a number (``Amount``)
    in the lists but as a string ("109.11") in the single-refund response.
    """
    rendered = copy.deepcopy(refund)
    for item in rendered["items"]:
        if item.get("requested_amount") is not None:
            item["requested_amount"] = f"{item['requested_amount']:.2f}"
    return rendered


# ----------------------------------------------------------------------
# Customers
# ----------------------------------------------------------------------

CUSTOMER_FILTERS = {
    "id": (lambda c: c["id"], "int"),
    "email": (lambda c: c["email"], "str"),
    "name": (lambda c: f"{c['first_name']} {c['last_name']}", "str"),
    "company": (lambda c: c.get("company"), "str"),
    "customer_group_id": (lambda c: c.get("customer_group_id"), "int"),
    "phone": (lambda c: c.get("phone"), "str"),
    "registration_ip_address": (lambda c: c.get("registration_ip_address"), "str"),
    "date_created": (lambda c: c["date_created"], "date"),
    "date_modified": (lambda c: c["date_modified"], "date"),
}
CUSTOMER_SORTS = {
    "date_created": lambda c: c["date_created"],
    "date_modified": lambda c: c["date_modified"],
    "last_name": lambda c: c["last_name"].lower(),
}
ADDRESS_FILTERS = {
    "id": (lambda a: a["id"], "int"),
    "customer_id": (lambda a: a["customer_id"], "int"),
    "company": (lambda a: a.get("company"), "str"),
    "name": (lambda a: f"{a['first_name']} {a['last_name']}", "str"),
}
# Customers embed at most 10 addresses; the rest is read from /customers/addresses.
EMBEDDED_ADDRESSES = 10


def list_customers(ctx):
    rows = apply_v3_filters(
        list(ctx.state.customers.values()), ctx.query, CUSTOMER_FILTERS
    )
    rows = sort_rows(rows, ctx.query.get("sort"), CUSTOMER_SORTS)
    status, body = _collection(ctx, rows)
    if "addresses" in _includes(ctx):
        for customer in body["data"]:
            addresses = ctx.state.customer_addresses.get(customer["id"], [])
            customer["addresses"] = copy.deepcopy(addresses[:EMBEDDED_ADDRESSES])
    return status, body


def list_customer_addresses(ctx):
    rows = [a for rows in ctx.state.customer_addresses.values() for a in rows]
    rows = apply_v3_filters(
        sorted(rows, key=lambda a: a["id"]), ctx.query, ADDRESS_FILTERS
    )
    return _collection(ctx, rows)


# ----------------------------------------------------------------------
# Catalog
# ----------------------------------------------------------------------

PRODUCT_FILTERS = {
    "id": (lambda p: p["id"], "int"),
    "name": (lambda p: p["name"], "str"),
    "sku": (lambda p: p["sku"], "str"),
    "type": (lambda p: p["type"], "str"),
    "brand_id": (lambda p: p.get("brand_id"), "int"),
    "is_visible": (lambda p: p.get("is_visible"), "bool"),
    "date_modified": (lambda p: p["date_modified"], "date"),
    "date_last_imported": (lambda p: p.get("date_last_imported"), "date"),
    "price": (lambda p: p.get("price"), "number"),
    "inventory_level": (lambda p: p.get("inventory_level"), "int"),
}
PRODUCT_SORTS = {
    "id": lambda p: p["id"],
    "name": lambda p: p["name"].lower(),
    "sku": lambda p: p["sku"].lower(),
    "price": lambda p: p["price"],
    "date_modified": lambda p: p["date_modified"],
}
VARIANT_FILTERS = {
    "id": (lambda v: v["id"], "int"),
    "sku": (lambda v: v.get("sku"), "str"),
    "upc": (lambda v: v.get("upc"), "str"),
    "product_id": (lambda v: v["product_id"], "int"),
}


def _render_product(ctx, product, includes):
    rendered = copy.deepcopy(product)
    product_id = product["id"]
    if "variants" in includes:
        rendered["variants"] = copy.deepcopy(ctx.state.variants.get(product_id, []))
    if "images" in includes:
        rendered["images"] = copy.deepcopy(ctx.state.images.get(product_id, []))
    if "options" in includes:
        rendered["options"] = copy.deepcopy(ctx.state.options.get(product_id, []))
    if "modifiers" in includes:
        rendered["modifiers"] = copy.deepcopy(ctx.state.modifiers.get(product_id, []))
    return cdn.render_images(ctx.store.url, rendered, ctx.state.variant_image_urls)


def list_products(ctx):
    includes = _includes(ctx)
    rows = apply_v3_filters(
        list(ctx.state.products.values()), ctx.query, PRODUCT_FILTERS
    )
    if ctx.query.get("categories:in"):
        wanted = {int(c) for c in ctx.query["categories:in"].split(",") if c}
        rows = [p for p in rows if wanted & set(p.get("categories") or [])]
    rows = sort_rows(rows, ctx.query.get("sort"), PRODUCT_SORTS)
    if (ctx.query.get("direction") or "").lower() == "desc":
        rows.reverse()
    # Documented: include=options or modifiers caps a page at 10 products.
    max_limit = 10 if includes & {"options", "modifiers"} else 250
    status, body = _collection(ctx, rows, max_limit=max_limit)
    body["data"] = [_render_product(ctx, p, includes) for p in body["data"]]
    return status, body


def _product(ctx, product_id):
    product = ctx.state.products.get(int(product_id))
    if product is None:
        raise ApiError(404, NOT_FOUND)
    return product


def get_product(ctx, product_id):
    return _one(_render_product(ctx, _product(ctx, product_id), _includes(ctx)))


def update_product(ctx, product_id):
    product = _product(ctx, product_id)
    body = ctx.body or {}
    for field in ("price", "sale_price", "retail_price", "cost_price"):
        if field in body:
            if not isinstance(body[field], int | float) or body[field] < 0:
                raise ApiError(422, "The product was not valid.", {field: "invalid"})
            product[field] = body[field]
    ctx.store.touch_product(product["id"])
    return get_product(ctx, product_id)


def list_product_variants(ctx, product_id):
    _product(ctx, product_id)
    status, body = _collection(ctx, ctx.state.variants.get(int(product_id), []))
    cdn.render_images(
        ctx.store.url, {"variants": body["data"]}, ctx.state.variant_image_urls
    )
    return status, body


def list_variants(ctx):
    rows = [v for rows in ctx.state.variants.values() for v in rows]
    rows = apply_v3_filters(
        sorted(rows, key=lambda v: v["id"]), ctx.query, VARIANT_FILTERS
    )
    status, body = _collection(ctx, rows)
    for variant in body["data"]:
        # product-variants_catalog.v3.yml's list of /catalog/variants declares
        # neither (the product's include=variants does): see CONTRACT.md.
        variant.pop("gtin", None)
        variant.pop("mpn", None)
    return status, body


def list_product_options(ctx, product_id):
    _product(ctx, product_id)
    return _collection(ctx, ctx.state.options.get(int(product_id), []))


def list_product_modifiers(ctx, product_id):
    _product(ctx, product_id)
    return _collection(ctx, ctx.state.modifiers.get(int(product_id), []))


def list_product_images(ctx, product_id):
    _product(ctx, product_id)
    status, body = _collection(ctx, ctx.state.images.get(int(product_id), []))
    cdn.render_images(ctx.store.url, {"images": body["data"]})
    return status, body


BRAND_FILTERS = {
    "id": (lambda b: b["id"], "int"),
    "name": (lambda b: b["name"], "str"),
    "page_title": (lambda b: b.get("page_title"), "str"),
}


def list_brands(ctx):
    rows = sorted(ctx.state.brands.values(), key=lambda b: b["id"])
    status, body = _collection(ctx, apply_v3_filters(rows, ctx.query, BRAND_FILTERS))
    for brand in body["data"]:
        brand["image_url"] = cdn.public_url(ctx.store.url, brand.get("image_url"))
    return status, body


TREE_FILTERS = {"id": (lambda t: t["id"], "int")}
TREE_CATEGORY_FILTERS = {
    "tree_id": (lambda c: c["tree_id"], "int"),
    "category_id": (lambda c: c["category_id"], "int"),
    "category_uuid": (lambda c: c.get("category_uuid"), "str"),
    "parent_id": (lambda c: c["parent_id"], "int"),
    "name": (lambda c: c["name"], "str"),
    "is_visible": (lambda c: c.get("is_visible"), "bool"),
}


def list_trees(ctx):
    rows = apply_v3_filters(ctx.state.trees, ctx.query, TREE_FILTERS)
    if ctx.query.get("channel_id:in"):
        wanted = {int(c) for c in ctx.query["channel_id:in"].split(",") if c}
        rows = [t for t in rows if wanted & set(t.get("channels") or [])]
    return _collection(ctx, rows)


def list_tree_categories(ctx):
    rows = apply_v3_filters(ctx.state.tree_categories, ctx.query, TREE_CATEGORY_FILTERS)
    return _collection(ctx, rows)


# ----------------------------------------------------------------------
# Inventory and locations
# ----------------------------------------------------------------------

LOCATION_FILTERS = {
    "location_id": (lambda loc: loc["id"], "int"),
    "location_code": (lambda loc: loc["code"], "str"),
    "is_default": (lambda loc: loc["id"] == 1, "bool"),
    "type_id": (lambda loc: loc["type_id"], "str"),
    "is_active": (lambda loc: loc["enabled"], "bool"),
}
INVENTORY_FILTERS = {
    "sku": (lambda i: i["identity"]["sku"], "str"),
    "variant_id": (lambda i: i["identity"]["variant_id"], "int"),
    "product_id": (lambda i: i["identity"]["product_id"], "int"),
}


def list_locations(ctx):
    rows = apply_v3_filters(ctx.state.locations, ctx.query, LOCATION_FILTERS)
    return _collection(ctx, rows)


def _identities(ctx):
    for product_id in sorted(ctx.state.variants):
        for variant in ctx.state.variants[product_id]:
            yield {
                "sku": variant.get("sku") or "",
                "variant_id": variant["id"],
                "product_id": product_id,
                "sku_id": variant.get("sku_id"),
            }


def _location_levels(ctx, variant_id, location):
    level = ctx.state.inventory.get((variant_id, location["id"]))
    if level is None:
        return None
    return {
        "available_to_sell": level["available_to_sell"],
        "total_inventory_onhand": level["total_inventory_onhand"],
        "settings": copy.deepcopy(level["settings"]),
    }


def list_inventory_items(ctx):
    wanted_locations = None
    if ctx.query.get("location_id:in"):
        wanted_locations = {int(x) for x in ctx.query["location_id:in"].split(",") if x}
    if ctx.query.get("location_code:in"):
        codes = set(ctx.query["location_code:in"].split(","))
        wanted_locations = {
            loc["id"] for loc in ctx.state.locations if loc["code"] in codes
        }
    items = []
    for identity in _identities(ctx):
        locations = []
        for location in ctx.state.locations:
            if wanted_locations is not None and location["id"] not in wanted_locations:
                continue
            levels = _location_levels(ctx, identity["variant_id"], location)
            if levels is not None:
                levels.update(
                    location_id=location["id"],
                    location_code=location["code"],
                    location_name=location["label"],
                    location_enabled=location["enabled"],
                )
                locations.append(levels)
        items.append({"identity": identity, "locations": locations})
    items = apply_v3_filters(items, ctx.query, INVENTORY_FILTERS)
    return _collection(ctx, items)


def list_location_items(ctx, location_id):
    location = _by_id(ctx.state.locations, location_id)
    items = []
    for identity in _identities(ctx):
        levels = _location_levels(ctx, identity["variant_id"], location)
        if levels is not None:
            # Per-location items identify the variant without the v2 sku_id.
            identity = {k: v for k, v in identity.items() if k != "sku_id"}
            items.append(dict(levels, identity=identity))
    items = apply_v3_filters(items, ctx.query, INVENTORY_FILTERS)
    return _collection(ctx, items)


MAX_ADJUSTMENT_ITEMS = 2000


def adjust_inventory_absolute(ctx):
    """PUT /inventory/adjustments/absolute: set on-hand quantities per location.

    Items name a variant (``variant_id`` or ``sku``) or, for a product
    tracked at product level, the product (``product_id``). A variant of a
    product tracked by product is refused with the spec's 422 example
    (inventory.v3.yml › put-absolute-adjustment › 422); the whole request is
    then refused and nothing changes (CONTRACT.md).
    """
    body = ctx.body or {}
    items = body.get("items") or []
    if not items:
        raise ApiError(422, "The field 'items' is required.")
    if len(items) > MAX_ADJUSTMENT_ITEMS:
        raise ApiError(413, f"At most {MAX_ADJUSTMENT_ITEMS} items per request.")
    variants = {v["id"]: v for rows in ctx.state.variants.values() for v in rows}
    by_sku = {
        (v.get("sku") or "").lower(): v for v in variants.values() if v.get("sku")
    }
    location_ids = {loc["id"] for loc in ctx.state.locations}
    changes = []
    for item in items:
        if item.get("location_id") not in location_ids:
            raise ApiError(422, "Unknown location.", {"location_id": "invalid"})
        variant = _adjusted_variant(ctx, item, variants, by_sku)
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise ApiError(422, "Invalid quantity.", {"quantity": "invalid"})
        changes.append((variant, item["location_id"], quantity))
    for variant, location_id, quantity in changes:
        ctx.store.set_inventory(variant["id"], location_id, quantity)
    ctx.state.inventory_adjustments.append(copy.deepcopy(body))
    return 200, {"transaction_id": ctx.store.new_transaction_id()}


def _adjusted_variant(ctx, item, variants, by_sku):
    """The variant whose stock an adjustment item sets, or a 422."""
    if item.get("product_id") is not None:
        product = ctx.state.products.get(item["product_id"])
        if product is None:
            raise ApiError(422, "Unknown item.", {"items": "invalid identity"})
        if product.get("inventory_tracking") == "variant":
            # Assumption (CONTRACT.md): the mirror of the spec's example.
            raise ApiError(
                422,
                f"[Item with product_id {product['id']} is tracked by variant, "
                "please update stock by variant id]",
            )
        return ctx.state.variants[product["id"]][0]
    variant = variants.get(item.get("variant_id")) or by_sku.get(
        str(item.get("sku") or "").lower()
    )
    if variant is None:
        raise ApiError(422, "Unknown item.", {"items": "invalid identity"})
    product = ctx.state.products.get(variant["product_id"]) or {}
    if item.get("variant_id") is not None and (
        product.get("inventory_tracking") == "product"
    ):
        raise ApiError(
            422,
            f"[Item with variant_id {variant['id']} is tracked by product, "
            "please update stock by product id]",
        )
    return variant


# ----------------------------------------------------------------------
# Channels
# ----------------------------------------------------------------------

CHANNEL_FILTERS = {
    "status": (lambda c: c["status"], "str"),
    "type": (lambda c: c["type"], "str"),
    "platform": (lambda c: c["platform"], "str"),
    "date_created": (lambda c: c["date_created"], "date"),
    "date_modified": (lambda c: c["date_modified"], "date"),
}


def list_channels(ctx):
    rows = apply_v3_filters(ctx.state.channels, ctx.query, CHANNEL_FILTERS)
    return _collection(ctx, rows)


def get_channel(ctx, channel_id):
    return _one(copy.deepcopy(_by_id(ctx.state.channels, channel_id)))


# ----------------------------------------------------------------------
# Webhooks
# ----------------------------------------------------------------------


def _visible_hooks(ctx):
    return [h for h in ctx.state.hooks.values() if h["client_id"] == ctx.client_id]


def list_hooks(ctx):
    rows = sorted(_visible_hooks(ctx), key=lambda h: h["id"])
    for name in ("scope", "destination"):
        if ctx.query.get(name):
            rows = [h for h in rows if h[name] == ctx.query[name]]
    if ctx.query.get("is_active") not in (None, ""):
        active = ctx.query["is_active"].lower() == "true"
        rows = [h for h in rows if h["is_active"] == active]
    return _collection(ctx, rows)


def _hook(ctx, hook_id):
    hook = ctx.state.hooks.get(int(hook_id))
    if hook is None or hook["client_id"] != ctx.client_id:
        raise ApiError(404, NOT_FOUND)
    return hook


def _validate_hook(body, creating):
    errors = {}
    if creating:
        for field in ("scope", "destination"):
            if not body.get(field):
                errors[field] = f"{field} is required"
    if "destination" in body and not str(body["destination"]).startswith(
        ("https://", "http://")
    ):
        errors["destination"] = "destination must be an URL"
    headers = body.get("headers")
    if headers is not None and not isinstance(headers, dict):
        errors["headers"] = "headers must be an object"
    if "is_active" in body and not isinstance(body["is_active"], bool):
        errors["is_active"] = "is_active must be a boolean"
    if errors:
        raise ApiError(422, "Input is invalid", errors)


def create_hook(ctx):
    body = ctx.body or {}
    _validate_hook(body, creating=True)
    for hook in _visible_hooks(ctx):
        if (hook["scope"], hook["destination"]) == (body["scope"], body["destination"]):
            raise ApiError(422, "A webhook with this scope and destination exists.")
    now = int(ctx.state.clock.now().timestamp())
    hook = {
        "id": ctx.state.next_id("hook"),
        "client_id": ctx.client_id,
        "store_hash": ctx.state.store_hash,
        "scope": body["scope"],
        "destination": body["destination"],
        "is_active": body.get("is_active", True),
        "headers": body.get("headers"),
        "created_at": now,
        "updated_at": now,
    }
    ctx.state.hooks[hook["id"]] = hook
    return _one(copy.deepcopy(hook))


def get_hook(ctx, hook_id):
    return _one(copy.deepcopy(_hook(ctx, hook_id)))


def update_hook(ctx, hook_id):
    hook = _hook(ctx, hook_id)
    body = ctx.body or {}
    if not set(body) & {"scope", "destination", "is_active", "headers"}:
        raise ApiError(422, "Input is invalid", {"body": "at least one field"})
    _validate_hook(body, creating=False)
    for field in ("scope", "destination", "is_active", "headers"):
        if field in body:
            hook[field] = body[field]
    hook["updated_at"] = int(ctx.state.clock.now().timestamp())
    return _one(copy.deepcopy(hook))


def delete_hook(ctx, hook_id):
    hook = _hook(ctx, hook_id)
    del ctx.state.hooks[hook["id"]]
    return _one(copy.deepcopy(hook))


def capture_order_payment(ctx, order_id):
    """POST /orders/{id}/payment_actions/capture (orders.v3.yml).

    Only an authorised payment can be captured; BigCommerce schedules the
    gateway request and sets ``payment_status`` to "capture pending". The
    sandbox's gateway answers at once: the order is then "captured" (see
    CONTRACT.md).
    """
    order = ctx.state.orders.get(int(order_id))
    if order is None:
        raise ApiError(404, "The requested resource was not found.")
    if order.get("payment_status") != "authorized":
        raise ApiError(
            422,
            "The payment of this order cannot be captured.",
            {"payment_status": str(order.get("payment_status"))},
        )
    order["payment_status"] = "captured"
    order["date_modified"] = rfc2822(ctx.state.clock.now())
    return 201, {"data": {}, "meta": {}}
