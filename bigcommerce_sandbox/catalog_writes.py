"""Catalog writes: products, variants, options and images made through the API.

What an integration that masters its catalog elsewhere (Odoo) sends:
``POST /v3/catalog/products`` (one product, its variants nested),
``PUT /v3/catalog/products`` (batches of at most 10),
``POST /v3/catalog/products/{id}/variants`` (one variant, option value ids),
``POST /v3/catalog/products/{id}/options`` and ``.../options/{id}/values``,
``POST /v3/catalog/products/{id}/images`` (``multipart/form-data`` with an
``image_file``, at most 8 MB) and ``DELETE .../images/{id}``.

Shapes and limits follow products_catalog.v3.yml,
product-variants_catalog.v3.yml and product-variant-options_catalog.v3.yml;
where they are silent CONTRACT.md names the assumption and its source.
"""

import copy
import hashlib
import re
from email.parser import BytesParser
from email.policy import HTTP

from . import cdn
from .paging import ApiError
from .seed.common import iso_offset

# products_catalog.v3.yml: PUT /catalog/products "Batches are limited to 10".
PRODUCT_BATCH = 10
# product-variants_catalog.v3.yml: PUT /catalog/variants "the limit is 50".
VARIANT_BATCH = 50
# POST /catalog/products/{id}/images: "Each image file ... can be up to 8 MB".
IMAGE_MAX_BYTES = 8 * 1024 * 1024
# product_Base_POST.name: maxLength 250; sku: maxLength 255; upc, gtin: 14.
NAME_MAX = 250
SKU_MAX = 255
CODE_MAX = 14

PRODUCT_NUMBERS = (
    "weight",
    "width",
    "depth",
    "height",
    "price",
    "cost_price",
    "retail_price",
    "sale_price",
    "map_price",
)
VARIANT_NUMBERS = (
    "price",
    "sale_price",
    "retail_price",
    "cost_price",
    "map_price",
    "weight",
    "width",
    "height",
    "depth",
)
VARIANT_TEXTS = ("upc", "gtin", "mpn", "bin_picking_number")
# What a write may change on a product (product_Base_POST / _PUT properties
# the connector and the control panel use); anything else is ignored.
PRODUCT_WRITABLE = (
    *PRODUCT_NUMBERS,
    "name",
    "type",
    "sku",
    "description",
    "categories",
    "brand_id",
    "tax_class_id",
    "inventory_tracking",
    "inventory_warning_level",
    "is_visible",
    "is_featured",
    "is_free_shipping",
    "availability",
    "condition",
    "upc",
    "gtin",
    "mpn",
    "bin_picking_number",
    "search_keywords",
    "page_title",
    "sort_order",
)
PRODUCT_TYPES = ("physical", "digital")
AVAILABILITIES = ("available", "disabled", "preorder")
TRACKINGS = ("none", "product", "variant")
OPTION_TYPES = (
    "radio_buttons",
    "rectangles",
    "dropdown",
    "product_list",
    "product_list_with_images",
    "swatch",
)
# Magic numbers of the types the images endpoint lists (BMP, GIF, JPEG, PNG,
# WEBP; WBMP and XBM have none worth checking).
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"GIF87a": ("gif", "image/gif"),
    b"GIF89a": ("gif", "image/gif"),
    b"BM": ("bmp", "image/bmp"),
}


# ----------------------------------------------------------------------
# multipart/form-data bodies
# ----------------------------------------------------------------------


class MultipartForm:
    """A parsed ``multipart/form-data`` body: text fields and files."""

    def __init__(self, fields, files):
        self.fields = fields
        self.files = files  # name -> {"filename", "content_type", "data"}

    @classmethod
    def parse(cls, content_type, raw):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + raw)
        if not message.is_multipart():
            raise ApiError(400, "The multipart body could not be read.")
        fields, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is None:
                fields[name] = data.decode("utf-8", "replace")
            else:
                files[name] = {
                    "filename": filename,
                    "content_type": part.get_content_type(),
                    "data": data,
                }
        return cls(fields, files)

    def summary(self):
        """What tests read of the request: the fields, and each file's size
        and digest (the bytes themselves are not kept)."""
        return {
            "fields": dict(self.fields),
            "files": {
                name: {
                    "filename": file["filename"],
                    "content_type": file["content_type"],
                    "size": len(file["data"]),
                    "sha256": hashlib.sha256(file["data"]).hexdigest(),
                }
                for name, file in self.files.items()
            },
        }


# ----------------------------------------------------------------------
# Checks shared by the writes
# ----------------------------------------------------------------------


def _key(text):
    return str(text or "").strip().casefold()


def _number(values, field, errors):
    if field not in values or values[field] is None:
        return
    value = values[field]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        errors[field] = f"{field} must be a number of at least 0"


def _text(values, field, errors, maximum, minimum=0):
    if field not in values:
        return
    value = values[field]
    if not isinstance(value, str) or not minimum <= len(value) <= maximum:
        errors[field] = f"{field} must be a string of {minimum} to {maximum} characters"


def _check_product(state, values, creating):
    """422 for what product_Base_POST / _PUT refuse; 409 for unknown references."""
    errors = {}
    if creating:
        for field in ("name", "type", "weight", "price"):
            if field not in values:
                errors[field] = f"{field} is required"
    _text(values, "name", errors, NAME_MAX, minimum=1)
    _text(values, "sku", errors, SKU_MAX)
    _text(values, "description", errors, 65535)
    for field in ("upc", "gtin", "mpn"):
        _text(values, field, errors, CODE_MAX if field != "mpn" else 255)
    for field in PRODUCT_NUMBERS:
        _number(values, field, errors)
    for field, allowed in (
        ("type", PRODUCT_TYPES),
        ("availability", AVAILABILITIES),
        ("inventory_tracking", TRACKINGS),
    ):
        if field in values and values[field] not in allowed:
            errors[field] = f"{field} must be one of {', '.join(allowed)}"
    for field in ("is_visible", "is_featured", "is_free_shipping"):
        if field in values and not isinstance(values[field], bool):
            errors[field] = f"{field} must be a boolean"
    categories = values.get("categories")
    if categories is not None and (
        not isinstance(categories, list)
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in categories)
    ):
        errors["categories"] = "categories must be a list of category ids"
    if errors:
        raise ApiError(422, "The product was not valid.", errors)
    # products_catalog.v3.yml, 409: "a missing or invalid category_id,
    # brand_id, or tax_class_id".
    known = {row["category_id"] for row in state.tree_categories}
    unknown = [c for c in categories or [] if c not in known]
    if unknown:
        raise ApiError(
            409,
            "The product conflicts with the catalog: unknown category.",
            {"categories": f"Unknown category ids: {unknown}"},
        )
    if values.get("brand_id") and values["brand_id"] not in state.brands:
        raise ApiError(
            409,
            "The product conflicts with the catalog: unknown brand.",
            {"brand_id": f"Unknown brand id {values['brand_id']}"},
        )


def _taken_names(state, except_id=None):
    return {
        _key(p["name"]): p["id"]
        for p in state.products.values()
        if p["id"] != except_id
    }


def _taken_skus(state, except_product=None, except_variant=None):
    """lower(SKU) -> product id, of products and every variant (SKUs are unique
    across both, case-insensitively: productVariant_Full.sku)."""
    taken = {}
    for product in state.products.values():
        if product["id"] != except_product and product.get("sku"):
            taken[_key(product["sku"])] = product["id"]
    for product_id, variants in state.variants.items():
        for variant in variants:
            if product_id == except_product and not variant.get("option_values"):
                continue  # the product's own base variant carries its SKU
            if variant["id"] == except_variant or not variant.get("sku"):
                continue
            taken[_key(variant["sku"])] = product_id
    return taken


def _conflict(field, value, other_id):
    # BigCommerce answers 409 to duplicate unique values (products_catalog.v3.yml,
    # POST/PUT /catalog/products 409 "duplicate unique values, such as name or
    # SKU"); the wording of the title is the sandbox's (CONTRACT.md).
    what = {"name": "product name", "sku": "SKU"}[field]
    return ApiError(
        409,
        f"The {what} {value!r} is a duplicate.",
        {field: f"{what} {value!r} is already used by product {other_id}"},
    )


def _now(state):
    return iso_offset(state.clock.now())


def _written_product(product):
    """A product as the write endpoints answer it (product_Full: without the
    ``channels`` include the seeded rows carry for GET)."""
    rendered = copy.deepcopy(product)
    rendered.pop("channels", None)
    return rendered


def _batch_variant(variant):
    """A variant as PUT /catalog/variants answers it: its schema declares
    neither ``gtin`` nor ``mpn`` (product-variants_catalog.v3.yml)."""
    rendered = copy.deepcopy(variant)
    rendered.pop("gtin", None)
    rendered.pop("mpn", None)
    return rendered


# ----------------------------------------------------------------------
# Products
# ----------------------------------------------------------------------


def _new_product(state, product_id, values):
    """A product row with every field a seeded one has (neutral defaults)."""
    now = _now(state)
    name = values["name"]
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or str(product_id)
    product = {
        "id": product_id,
        "name": name,
        "type": values["type"],
        "sku": "",
        "description": "",
        "weight": 0.0,
        "width": 0.0,
        "depth": 0.0,
        "height": 0.0,
        "price": 0.0,
        "cost_price": 0.0,
        "retail_price": 0.0,
        "sale_price": 0.0,
        "map_price": 0.0,
        "tax_class_id": 0,
        "product_tax_code": "",
        "categories": [],
        "brand_id": 0,
        "inventory_level": 0,
        "inventory_warning_level": 0,
        "inventory_tracking": "none",
        "fixed_cost_shipping_price": 0.0,
        "is_free_shipping": False,
        "is_visible": True,
        "is_featured": False,
        "related_products": [-1],
        "warranty": "",
        "bin_picking_number": "",
        "layout_file": "product.html",
        "upc": "",
        "search_keywords": "",
        "availability_description": "",
        "availability": "available",
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": 0,
        "condition": "New",
        "is_condition_shown": False,
        "order_quantity_minimum": 0,
        "order_quantity_maximum": 0,
        "page_title": "",
        "meta_keywords": [],
        "meta_description": "",
        "view_count": 0,
        "preorder_release_date": None,
        "preorder_message": "",
        "is_preorder_only": False,
        "is_price_hidden": False,
        "price_hidden_label": "",
        "custom_url": {
            "url": f"/{slug}-{product_id}/",
            "is_customized": False,
            "create_redirect": False,
        },
        "open_graph_type": "product",
        "open_graph_title": "",
        "open_graph_description": "",
        "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True,
        "open_graph_use_image": True,
        "gtin": "",
        "mpn": "",
        "reviews_rating_sum": 0,
        "reviews_count": 0,
        "total_sold": 0,
        "date_created": now,
        "date_modified": now,
        "calculated_price": 0.0,
        "option_set_display": "right",
        "channels": [1],
    }
    _apply_product_values(product, values)
    return product


def _apply_product_values(product, values):
    for field in PRODUCT_WRITABLE:
        if field in values:
            value = values[field]
            if field in PRODUCT_NUMBERS and value is not None:
                value = float(value)
            if field == "categories":
                value = list(value)
            product[field] = copy.deepcopy(value)
    product["calculated_price"] = product["price"]


def _variant_row(state, product, values, option_values):
    variant_id = state.next_id("variant")
    row = {
        "id": variant_id,
        "product_id": product["id"],
        "sku": values.get("sku") or "",
        "sku_id": 5000 + variant_id,
        "price": None,
        "calculated_price": product["price"],
        "sale_price": None,
        "retail_price": None,
        "cost_price": product["cost_price"],
        "weight": None,
        "width": None,
        "height": None,
        "depth": None,
        "is_free_shipping": False,
        "fixed_cost_shipping_price": None,
        "purchasing_disabled": False,
        "purchasing_disabled_message": "",
        "upc": "",
        "gtin": "",
        "mpn": "",
        "inventory_level": 0,
        "inventory_warning_level": 0,
        "bin_picking_number": "",
        "option_values": option_values,
    }
    _apply_variant_values(row, values, product)
    return row


def _apply_variant_values(variant, values, product):
    for field in (*VARIANT_NUMBERS, *VARIANT_TEXTS, "sku"):
        if field in values:
            variant[field] = values[field]
    price = variant.get("price")
    variant["calculated_price"] = product["price"] if price is None else price


def _check_variant(values, errors, index=None):
    where = "" if index is None else f"variants[{index}]."
    for field in VARIANT_NUMBERS:
        local = {}
        _number(values, field, local)
        errors.update({where + k: v for k, v in local.items()})
    local = {}
    _text(values, "sku", local, SKU_MAX)
    for field in ("upc", "gtin"):
        _text(values, field, local, CODE_MAX)
    errors.update({where + k: v for k, v in local.items()})


def _stock_at_every_location(state, variant, tracked):
    for location in state.locations:
        state.inventory[(variant["id"], location["id"])] = {
            "available_to_sell": 0,
            "total_inventory_onhand": 0,
            "settings": {
                "safety_stock": 0,
                "is_in_stock": not tracked,
                "warning_level": 0,
                "bin_picking_number": "",
            },
        }


def create_product(ctx):
    """POST /catalog/products: one product, its variants nested (by option
    display names and labels: BigCommerce creates the options)."""
    state = ctx.state
    values = ctx.body
    if not isinstance(values, dict):
        raise ApiError(422, "A product object is required.")
    _check_product(state, values, creating=True)
    variants = values.get("variants") or []
    errors = {}
    combinations = set()
    for index, variant in enumerate(variants):
        _check_variant(variant, errors, index)
        option_values = variant.get("option_values") or []
        if not variant.get("sku"):
            errors[f"variants[{index}].sku"] = "a variant with options needs a SKU"
        if not option_values or not all(
            isinstance(ov, dict) and ov.get("option_display_name") and ov.get("label")
            for ov in option_values
        ):
            errors[f"variants[{index}].option_values"] = (
                "option_values need option_display_name and label"
            )
            continue
        combination = frozenset(
            (_key(ov["option_display_name"]), _key(ov["label"])) for ov in option_values
        )
        if combination in combinations:
            errors[f"variants[{index}].option_values"] = "duplicate combination"
        combinations.add(combination)
    if errors:
        raise ApiError(422, "The product was not valid.", errors)
    names = _taken_names(state)
    if _key(values["name"]) in names:
        raise _conflict("name", values["name"], names[_key(values["name"])])
    skus = _taken_skus(state)
    wanted = [values.get("sku")] + [v.get("sku") for v in variants]
    seen = set()
    for sku in filter(None, wanted):
        if _key(sku) in skus:
            raise _conflict("sku", sku, skus[_key(sku)])
        if _key(sku) in seen:
            raise _conflict("sku", sku, "(this request)")
        seen.add(_key(sku))
    product_id = state.next_id("product")
    product = _new_product(state, product_id, values)
    tracked = product["inventory_tracking"] != "none"
    if variants:
        options = _options_from_variants(state, product_id, variants)
        for variant_values in variants:
            option_values = [
                _option_value_ref(options, ov) for ov in variant_values["option_values"]
            ]
            row = _variant_row(state, product, variant_values, option_values)
            state.variants[product_id].append(row)
            _stock_at_every_location(state, row, tracked)
        state.options[product_id] = options
    else:
        base = _variant_row(
            state,
            product,
            {field: product[field] for field in ("sku", "upc", "gtin")},
            [],
        )
        state.variants[product_id].append(base)
        product["base_variant_id"] = base["id"]
        _stock_at_every_location(state, base, tracked)
    state.products[product_id] = product
    ctx.store.emit("store/product/created", {"type": "product", "id": product_id})
    return 200, {"data": _written_product(product), "meta": {}}


def _options_from_variants(state, product_id, variants):
    options = {}
    for variant in variants:
        for ov in variant["option_values"]:
            name = ov["option_display_name"]
            option = options.get(_key(name))
            if option is None:
                option = options[_key(name)] = {
                    "id": state.next_id("option"),
                    "product_id": product_id,
                    "name": f"{_key(name).replace(' ', '-')}-{product_id}",
                    "display_name": name,
                    "type": "rectangles",
                    "sort_order": len(options),
                    "config": {},
                    "option_values": [],
                }
            if not any(
                _key(row["label"]) == _key(ov["label"])
                for row in option["option_values"]
            ):
                option["option_values"].append(
                    {
                        "id": state.next_id("option_value"),
                        "label": ov["label"],
                        "sort_order": len(option["option_values"]),
                        "value_data": {},
                        "is_default": False,
                    }
                )
    return list(options.values())


def _option_value_ref(options, ov):
    option = next(
        o for o in options if _key(o["display_name"]) == _key(ov["option_display_name"])
    )
    row = next(
        r for r in option["option_values"] if _key(r["label"]) == _key(ov["label"])
    )
    return {
        "id": row["id"],
        "label": row["label"],
        "option_id": option["id"],
        "option_display_name": option["display_name"],
    }


def update_products(ctx):
    """PUT /catalog/products: at most 10 products, all applied or none.

    Assumption (CONTRACT.md): one invalid product refuses the whole batch;
    the spec does not say whether a batch is applied partially.
    """
    state = ctx.state
    body = ctx.body
    if not isinstance(body, list) or not body:
        raise ApiError(422, "A list of products is required.")
    if len(body) > PRODUCT_BATCH:
        # The spec's own 413 example for this endpoint.
        raise ApiError(
            413,
            "The request payload is too large. The maximum items allowed in the "
            f"array is {PRODUCT_BATCH}.",
        )
    names = {}
    skus = {}
    for index, values in enumerate(body):
        if not isinstance(values, dict) or not isinstance(values.get("id"), int):
            raise ApiError(
                422, "Every product needs its id.", {f"[{index}].id": "required"}
            )
        product = state.products.get(values["id"])
        if product is None:
            raise ApiError(404, f"Product {values['id']} was not found.")
        _check_product(state, values, creating=False)
        if "name" in values:
            taken = _taken_names(state, except_id=product["id"])
            if _key(values["name"]) in taken or _key(values["name"]) in names:
                other = taken.get(_key(values["name"]), names.get(_key(values["name"])))
                raise _conflict("name", values["name"], other)
            names[_key(values["name"])] = product["id"]
        if values.get("sku"):
            taken = _taken_skus(state, except_product=product["id"])
            if _key(values["sku"]) in taken or _key(values["sku"]) in skus:
                other = taken.get(_key(values["sku"]), skus.get(_key(values["sku"])))
                raise _conflict("sku", values["sku"], other)
            skus[_key(values["sku"])] = product["id"]
    updated = []
    for values in body:
        product = state.products[values["id"]]
        _apply_product_values(product, values)
        base_id = product.get("base_variant_id")
        for variant in state.variants.get(product["id"], []):
            if variant["id"] == base_id:
                # A product without options is its base variant: same SKU
                # and codes (docs/store-operations/catalog, "Variants").
                for field in ("sku", "upc", "gtin"):
                    if field in values:
                        variant[field] = values[field]
            if variant.get("price") is None:
                variant["calculated_price"] = product["price"]
        ctx.store.touch_product(product["id"])
        updated.append(_written_product(product))
    return 200, {"data": updated, "meta": {}}


# ----------------------------------------------------------------------
# Variants and options
# ----------------------------------------------------------------------


# PUT /catalog/variants items ("Variant Put", product-variants_catalog.v3.yml)
# declare neither ``sku`` nor ``gtin``: those change one variant at a time
# (PUT /catalog/products/{id}/variants/{id}).
BATCH_VARIANT_FIELDS = (*VARIANT_NUMBERS, "upc", "bin_picking_number")


def update_variants(ctx):
    """PUT /catalog/variants: at most 50 variants, all applied or none."""
    state = ctx.state
    body = ctx.body
    if not isinstance(body, list) or not body:
        raise ApiError(422, "A list of variants is required.")
    if len(body) > VARIANT_BATCH:
        raise ApiError(413, f"At most {VARIANT_BATCH} variants per request.")
    by_id = {v["id"]: v for rows in state.variants.values() for v in rows}
    errors = {}
    for index, change in enumerate(body):
        variant = by_id.get(change.get("id")) if isinstance(change, dict) else None
        if variant is None:
            raise ApiError(422, "Variant not found.", {"id": str(change.get("id"))})
        _check_variant(change, errors, index)
        for field in change:
            if field not in (*BATCH_VARIANT_FIELDS, "id"):
                errors[f"[{index}].{field}"] = f"{field} cannot be written in a batch"
    if errors:
        # product-variants_catalog.v3.yml documents 422 (not 409) for this
        # batch endpoint.
        raise ApiError(422, "The variants were not valid.", errors)
    updated = []
    for change in body:
        variant = by_id[change["id"]]
        product = state.products[variant["product_id"]]
        _apply_variant_values(variant, change, product)
        ctx.store.touch_product(variant["product_id"])
        updated.append(_batch_variant(variant))
    return 200, {"data": updated, "meta": {}}


def update_variant(ctx, product_id, variant_id):
    """PUT /catalog/products/{id}/variants/{id}: one variant, SKU and GTIN too."""
    state = ctx.state
    product = state.products.get(int(product_id))
    variant = next(
        (
            v
            for v in state.variants.get(int(product_id), [])
            if v["id"] == int(variant_id)
        ),
        None,
    )
    if product is None or variant is None:
        raise ApiError(404, "The variant was not found.")
    values = ctx.body
    if not isinstance(values, dict) or not values:
        raise ApiError(422, "A variant object is required.")
    errors = {}
    _check_variant(values, errors)
    if errors:
        raise ApiError(422, "The variant was not valid.", errors)
    if values.get("sku"):
        taken = _taken_skus(state, except_variant=variant["id"])
        owner = taken.get(_key(values["sku"]))
        if owner is not None and not (
            owner == product["id"] and not variant.get("option_values")
        ):
            raise _conflict("sku", values["sku"], owner)
    _apply_variant_values(variant, values, product)
    if product.get("base_variant_id") == variant["id"]:
        for field in ("sku", "upc", "gtin"):
            if field in values:
                product[field] = values[field]
    ctx.store.touch_product(product["id"])
    return 200, {"data": copy.deepcopy(variant), "meta": {}}


def create_variant(ctx, product_id):
    """POST /catalog/products/{id}/variants: one variant of existing option values.

    The endpoint's description: "To obtain the option_values to include in
    this request, use the Create a product variant option endpoint": the
    option values must exist (named by ``id`` and ``option_id``, or by their
    display name and label); a new one is a 422 (CONTRACT.md).
    """
    state = ctx.state
    product = state.products.get(int(product_id))
    if product is None:
        raise ApiError(404, "The product was not found.")
    values = ctx.body
    if not isinstance(values, dict):
        raise ApiError(422, "A variant object is required.")
    errors = {}
    _check_variant(values, errors)
    if not values.get("sku"):
        errors["sku"] = "sku is required"
    refs = values.get("option_values")
    if not isinstance(refs, list) or not refs:
        errors["option_values"] = "option_values is required"
    if errors:
        raise ApiError(422, "The variant was not valid.", errors)
    options = state.options.get(product["id"], [])
    option_values = [_existing_option_value(options, ref) for ref in refs]
    combination = {(ov["option_id"], ov["id"]) for ov in option_values}
    for variant in state.variants.get(product["id"], []):
        if {
            (ov["option_id"], ov["id"]) for ov in variant["option_values"]
        } == combination:
            raise ApiError(
                422,
                "A variant with these option values exists.",
                {"option_values": f"variant {variant['id']}"},
            )
    skus = _taken_skus(state)
    if _key(values["sku"]) in skus:
        raise _conflict("sku", values["sku"], skus[_key(values["sku"])])
    row = _variant_row(state, product, values, option_values)
    state.variants[product["id"]].append(row)
    _stock_at_every_location(state, row, product["inventory_tracking"] != "none")
    ctx.store.emit(
        "store/sku/created",
        {
            "type": "sku",
            "id": row["sku_id"],
            "sku": {"product_id": product["id"], "variant_id": row["id"]},
        },
    )
    ctx.store.touch_product(product["id"])
    return 200, {"data": copy.deepcopy(row), "meta": {}}


def _existing_option_value(options, ref):
    if not isinstance(ref, dict):
        raise ApiError(422, "Invalid option value.", {"option_values": str(ref)})
    for option in options:
        if ref.get("option_id") not in (None, option["id"]):
            continue
        if ref.get("option_id") is None and _key(option["display_name"]) != _key(
            ref.get("option_display_name")
        ):
            continue
        for row in option["option_values"]:
            if (ref.get("id") is not None and row["id"] == ref["id"]) or (
                ref.get("id") is None and _key(row["label"]) == _key(ref.get("label"))
            ):
                return {
                    "id": row["id"],
                    "label": row["label"],
                    "option_id": option["id"],
                    "option_display_name": option["display_name"],
                }
    raise ApiError(
        422,
        "The option value does not exist on this product: create it first.",
        {"option_values": str(ref)},
    )


def create_option(ctx, product_id):
    """POST /catalog/products/{id}/options: a variant option with its values."""
    state = ctx.state
    product = state.products.get(int(product_id))
    if product is None:
        raise ApiError(404, "The product was not found.")
    values = ctx.body if isinstance(ctx.body, dict) else {}
    errors = {}
    _text(values, "display_name", errors, 255, minimum=1)
    if "display_name" not in values:
        errors["display_name"] = "display_name is required"
    if values.get("type") not in OPTION_TYPES:
        errors["type"] = f"type must be one of {', '.join(OPTION_TYPES)}"
    rows = values.get("option_values")
    if not isinstance(rows, list) or not rows:
        errors["option_values"] = "option_values is required"
    elif not all(isinstance(r, dict) and r.get("label") for r in rows):
        errors["option_values"] = "every option value needs a label"
    if errors:
        raise ApiError(422, "The option was not valid.", errors)
    options = state.options[product["id"]]
    if any(_key(o["display_name"]) == _key(values["display_name"]) for o in options):
        # Assumption (CONTRACT.md): a second option of the same display name
        # is the 409 the spec documents for this endpoint.
        raise ApiError(409, f"The option {values['display_name']!r} exists.")
    option = {
        "id": state.next_id("option"),
        "product_id": product["id"],
        "name": f"{_key(values['display_name']).replace(' ', '-')}-{product['id']}",
        "display_name": values["display_name"],
        "type": values["type"],
        "sort_order": len(options),
        "config": {},
        "option_values": [
            {
                "id": state.next_id("option_value"),
                "label": row["label"],
                "sort_order": row.get("sort_order", index),
                "value_data": {},
                "is_default": bool(row.get("is_default")),
            }
            for index, row in enumerate(rows)
        ],
    }
    options.append(option)
    return 200, {"data": copy.deepcopy(option), "meta": {}}


def create_option_value(ctx, product_id, option_id):
    """POST /catalog/products/{id}/options/{option_id}/values: one more value."""
    state = ctx.state
    if int(product_id) not in state.products:
        raise ApiError(404, "The product was not found.")
    option = next(
        (
            o
            for o in state.options.get(int(product_id), [])
            if o["id"] == int(option_id)
        ),
        None,
    )
    if option is None:
        raise ApiError(404, "The option was not found.")
    values = ctx.body if isinstance(ctx.body, dict) else {}
    errors = {}
    if not isinstance(values.get("label"), str) or not values.get("label"):
        errors["label"] = "label is required"
    if not isinstance(values.get("sort_order"), int):
        errors["sort_order"] = "sort_order is required"
    if errors:
        raise ApiError(422, "The option value was not valid.", errors)
    if any(_key(r["label"]) == _key(values["label"]) for r in option["option_values"]):
        raise ApiError(
            422, f"The value {values['label']!r} exists.", {"label": "duplicate"}
        )
    row = {
        "id": state.next_id("option_value"),
        "label": values["label"],
        "sort_order": values["sort_order"],
        "value_data": {},
        "is_default": bool(values.get("is_default")),
    }
    option["option_values"].append(row)
    return 200, {"data": copy.deepcopy(row), "meta": {}}


# ----------------------------------------------------------------------
# Images
# ----------------------------------------------------------------------


def upload_image(ctx, product_id):
    """POST /catalog/products/{id}/images with a multipart ``image_file``."""
    state = ctx.state
    product = state.products.get(int(product_id))
    if product is None:
        raise ApiError(404, "The product was not found.")
    form = ctx.body
    if not isinstance(form, MultipartForm) or "image_file" not in form.files:
        # The spec's own 422 example is about the wrong content type.
        raise ApiError(422, "image_file must be sent as multipart/form-data.")
    data = form.files["image_file"]["data"]
    if len(data) > IMAGE_MAX_BYTES:
        # Assumption (CONTRACT.md): the 8 MB limit is refused with a 422.
        raise ApiError(422, "The image file is larger than 8 MB.")
    kind = next(
        (value for magic, value in IMAGE_SIGNATURES.items() if data.startswith(magic)),
        None,
    )
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = ("webp", "image/webp")
    if kind is None:
        # 400: "The requested resource could not be downloaded and may be invalid".
        raise ApiError(400, "The file is not an image of a supported type.")
    fields = form.fields
    is_thumbnail = str(fields.get("is_thumbnail", "")).lower() in ("1", "true")
    images = state.images[product["id"]]
    if is_thumbnail or not images:
        for image in images:
            image["is_thumbnail"] = False
        is_thumbnail = True
    image_id = state.next_id("image")
    digest = hashlib.sha256(data).hexdigest()
    base = (
        "https://cdn.example.com/sandbox/products/"
        f"{product['id']}/upload-{image_id}-{digest[:12]}"
    )
    try:
        sort_order = int(fields.get("sort_order", len(images)))
    except ValueError:
        raise ApiError(422, "sort_order must be an integer.") from None
    image = {
        "id": image_id,
        "product_id": product["id"],
        "is_thumbnail": is_thumbnail,
        "sort_order": sort_order,
        "description": fields.get("description", ""),
        "url_zoom": f"{base}.1280.1280.{kind[0]}",
        "url_standard": f"{base}.386.513.{kind[0]}",
        "url_thumbnail": f"{base}.220.290.{kind[0]}",
        "url_tiny": f"{base}.44.58.{kind[0]}",
        "date_modified": _now(state),
    }
    images.append(image)
    state.uploaded_images[image_id] = digest
    rendered = cdn.render_images(ctx.store.url, {"images": [copy.deepcopy(image)]})
    return 200, {"data": rendered["images"][0], "meta": {}}


def delete_image(ctx, product_id, image_id):
    """DELETE /catalog/products/{id}/images/{image_id}: 204, no body."""
    images = ctx.state.images.get(int(product_id), [])
    for index, image in enumerate(images):
        if image["id"] == int(image_id):
            del images[index]
            ctx.state.uploaded_images.pop(int(image_id), None)
            return 204, None
    raise ApiError(404, "The image was not found.")
