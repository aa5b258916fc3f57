"""What a listing sends to BigCommerce, decided from plain values (no Odoo).

The exporter (``exporters/product.py``) turns an Odoo template into plain
dicts; this module decides which of them BigCommerce must receive, against
what BigCommerce has as far as Odoo knows (``bigcommerce_values`` of the
bindings: what the import read, or what BigCommerce acknowledged after an
export), and whether a product read from BigCommerce holds anything Odoo does
not know yet (the import of our own echo is skipped).
"""

from datetime import timedelta

# products_catalog.v3.yml, PUT /catalog/products: "Batches are limited to 10".
PRODUCT_BATCH = 10
# product-variants_catalog.v3.yml, PUT /catalog/variants: "the limit is 50".
VARIANT_BATCH = 50
# GET /catalog/variants?product_id:in=...: one page of 250 rows.
VARIANT_PAGE = 250
# The batch's item schema ("Variant Put") declares no ``sku`` and no ``gtin``:
# those are sent one variant at a time (PUT /catalog/products/{id}/variants/{id}).
VARIANT_BATCH_FIELDS = ("price", "cost_price", "weight", "upc")
VARIANT_SINGLE_FIELDS = ("sku", "gtin")
VARIANT_FIELDS = (*VARIANT_BATCH_FIELDS, *VARIANT_SINGLE_FIELDS)
# What the catalog import maps (and so what Odoo "knows" of a product).
PRODUCT_FIELDS = (
    "name",
    "type",
    "sku",
    "description",
    "weight",
    "width",
    "depth",
    "height",
    "price",
    "cost_price",
    "categories",
    "brand_id",
    "is_visible",
    "availability",
    "inventory_tracking",
    "upc",
    "gtin",
)
# GTIN-8, GTIN-13 (EAN) and GTIN-14 go in ``gtin``; a 12-digit UPC-A in ``upc``
# (both fields take at most 14 characters: product_Base_POST).
UPC_LENGTH = 12
GTIN_LENGTHS = (8, 13, 14)
# A product BigCommerce created this long before our first POST may still be
# ours: the two clocks (Odoo's, BigCommerce's) are not the same.
CLOCK_SKEW = timedelta(minutes=5)
FLOAT_DIGITS = 4


def chunks(items, size):
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]


def barcode_fields(barcode):
    """``({"upc": .., "gtin": ..}, problem)`` of an Odoo barcode, by its length."""
    code = (barcode or "").strip()
    if not code:
        return {"upc": "", "gtin": ""}, None
    if code.isdigit() and len(code) == UPC_LENGTH:
        return {"upc": code, "gtin": ""}, None
    if code.isdigit() and len(code) in GTIN_LENGTHS:
        return {"upc": "", "gtin": code}, None
    return None, (
        f"the barcode {code} is neither a 12-digit UPC nor an 8, 13 or 14-digit "
        "GTIN: not sent"
    )


def same(a, b):
    """Equal as BigCommerce stores them: numbers to 4 decimals, None == None."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return round(float(a), FLOAT_DIGITS) == round(float(b), FLOAT_DIGITS)
    if isinstance(a, list) and isinstance(b, list):
        return sorted(a) == sorted(b)
    return a == b


def changed(wanted, known):
    """The items of ``wanted`` that ``known`` does not already have."""
    return {
        key: value
        for key, value in wanted.items()
        if key not in known or not same(value, known[key])
    }


def categories_to_send(mapped, known, creating):
    """The ``categories`` a product must be sent with, or None.

    PUT replaces every category of a product (products_catalog.v3.yml): an
    update adds the mapped ones to those BigCommerce has, never removes any.
    """
    mapped = sorted(set(mapped))
    if creating:
        return mapped
    known = sorted(set(known or []))
    if not mapped or set(mapped) <= set(known):
        return None
    return sorted(set(known) | set(mapped))


def product_values(row):
    """What Odoo knows of a BigCommerce product row (PRODUCT_FIELDS)."""
    values = {}
    for key in PRODUCT_FIELDS:
        if key not in row:
            continue
        value = row[key]
        if key == "categories":
            value = sorted(value or [])
        elif key in ("upc", "gtin", "sku", "description") and value is None:
            value = ""
        values[key] = value
    return values


def variant_values(row):
    """What Odoo knows of a BigCommerce variant row.

    A code the row does not carry (``GET /catalog/variants`` has no
    ``gtin``) is taken as empty: the caller may know better (what it sent).
    """
    values = {key: row[key] for key in VARIANT_FIELDS if key in row}
    if "calculated_price" in row:
        values["calculated_price"] = row["calculated_price"]
    for key in ("sku", "upc", "gtin"):
        if values.get(key) is None:
            values[key] = ""
    return values


def effective(variant_known, product_known, key):
    """A variant's value, or the product's when the variant inherits it (null)."""
    value = (variant_known or {}).get(key)
    if value is None and key in ("price", "cost_price", "weight"):
        return (product_known or {}).get(key)
    return value


def variant_changes(wanted, variant_known, product_known):
    """The variant fields to send: those whose effective value differs."""
    return {
        key: value
        for key, value in wanted.items()
        if not same(value, effective(variant_known, product_known, key))
    }


def after_sent(known, sent):
    """What BigCommerce has once it acknowledged ``sent``."""
    values = dict(known or {})
    values.update(sent)
    if "price" in sent:
        values["calculated_price"] = sent["price"]
    return values


def combination(option_values):
    """The key of a variant by its options: {(option name, label)} casefolded."""
    return frozenset(
        (
            " ".join(str(name or "").split()).casefold(),
            " ".join(str(label or "").split()).casefold(),
        )
        for name, label in option_values
    )


def row_combination(variant_row):
    return combination(
        (ov.get("option_display_name"), ov.get("label"))
        for ov in variant_row.get("option_values") or []
    )


def nothing_new(row, product_known, variants_known, images_known=None):
    """Whether a product read from BigCommerce holds nothing Odoo does not know.

    ``variants_known``: {variant id: known values}; ``images_known``: the
    set of ``(image id, date_modified)`` Odoo has (None: not compared). True
    for the echo of our own export (``store/product/updated`` after our PUT):
    importing it would only write back what Odoo sent, or older values over
    newer ones.
    """
    if not product_known:
        return False
    values = product_values(row)
    if any(not same(values.get(k), v) for k, v in product_known.items() if k in values):
        return False
    variants = row.get("variants")
    if variants is not None:
        if {v["id"] for v in variants} != set(variants_known):
            return False
        for variant in variants:
            known = variants_known[variant["id"]]
            got = variant_values(variant)
            if any(not same(got.get(k), v) for k, v in known.items() if k in got):
                return False
    if images_known is not None and row.get("images") is not None:
        images = {(i.get("id"), i.get("date_modified") or "") for i in row["images"]}
        if images != set(images_known):
            return False
    return True


def is_ours(found, posted_since, parse_datetime):
    """Whether a product found after a lost answer is the one we created.

    Ours only if BigCommerce created it after our first POST could have
    reached it (less the clocks' skew): an older product with our name or SKU
    is a stranger's, never bound silently.
    """
    created = found.get("date_created")
    if not created or posted_since is None:
        return False
    moment = parse_datetime(created).replace(tzinfo=None)
    return moment >= posted_since - CLOCK_SKEW
