"""The seeded catalog: brands, category tree, products with variants, options,
modifiers, images and inventory.
"""

from datetime import timedelta
from decimal import Decimal

from .common import (
    CATALOG_START,
    SEED_END,
    SEED_START,
    STORE_NAME,
    TAX_CLASS_CLOTHING,
    TAX_CLASS_DEFAULT,
    TAX_CLASS_NON_TAXABLE,
    _spread,
    _uuid,
    iso_offset,
    money_num,
)

BRANDS = [
    (35, "Trailhead"),
    (36, "Northwind Supply"),
    (37, "Urban Loom"),
    (38, "Sandbox Basics"),
]
# (category_id, name, parent_id)
CATEGORIES = [
    (18, "Shop All", 0),
    (19, "Apparel", 0),
    (20, "T-Shirts", 19),
    (21, "Outerwear", 19),
    (22, "Gear", 0),
    (23, "Bags", 22),
    (24, "Digital", 0),
]

# name, sku, type, price, cost, weight(kg), brand, categories, tax class, options
# options: list of (option name, display type, [(label, price delta, code)])
_SIZES = [("S", "0", "S"), ("M", "0", "M"), ("L", "0", "L"), ("XL", "4", "XL")]
_SIZES3 = _SIZES[:3]
PRODUCTS = [
    (
        "Organic Cotton T-Shirt",
        "TSH-ORG",
        "physical",
        "28.00",
        "9.50",
        "0.20",
        37,
        [18, 19, 20],
        TAX_CLASS_CLOTHING,
        [
            ("Size", "rectangles", _SIZES),
            ("Color", "swatch", [("Black", "0", "BLK"), ("White", "0", "WHT")]),
        ],
    ),
    (
        "Canvas Tote Bag",
        "TOTE-CNV",
        "physical",
        "24.00",
        "7.00",
        "0.30",
        38,
        [18, 22, 23],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Rain Jacket",
        "JKT-RAIN",
        "physical",
        "129.00",
        "52.00",
        "0.65",
        35,
        [18, 19, 21],
        TAX_CLASS_CLOTHING,
        [
            ("Size", "rectangles", _SIZES3),
            ("Color", "swatch", [("Navy", "0", "NVY"), ("Olive", "0", "OLV")]),
        ],
    ),
    (
        "Insulated Water Bottle",
        "BTL-INS",
        "physical",
        "32.00",
        "11.00",
        "0.45",
        36,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Classic Hoodie",
        "HOOD-CLS",
        "physical",
        "59.00",
        "21.00",
        "0.70",
        37,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [("Size", "rectangles", _SIZES3)],
    ),
    (
        "Trail Map Poster",
        "PST-MAP",
        "physical",
        "18.50",
        "4.20",
        "0.15",
        38,
        [18],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Daypack 20L",
        "PACK-20",
        "physical",
        "79.00",
        "30.00",
        "0.90",
        35,
        [18, 22, 23],
        TAX_CLASS_DEFAULT,
        [
            (
                "Color",
                "swatch",
                [("Black", "0", "BLK"), ("Red", "0", "RED"), ("Grey", "0", "GRY")],
            )
        ],
    ),
    (
        "Merino Wool Socks",
        "SOCK-MER",
        "physical",
        "16.00",
        "5.10",
        "0.10",
        36,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [],
    ),
    (
        "Trail Running Shoes",
        "SHOE-TRL",
        "physical",
        "119.00",
        "48.00",
        "0.80",
        35,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [
            (
                "Shoe Size",
                "dropdown",
                [
                    ("8", "0", "8"),
                    ("9", "0", "9"),
                    ("10", "0", "10"),
                    ("11", "0", "11"),
                ],
            )
        ],
    ),
    (
        "Enamel Camp Mug",
        "MUG-ENM",
        "physical",
        "14.00",
        "3.90",
        "0.25",
        38,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Leather Keychain",
        "KEY-LTH",
        "physical",
        "12.00",
        "2.50",
        "0.05",
        37,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Fleece Vest",
        "VST-FLC",
        "physical",
        "69.00",
        "26.00",
        "0.40",
        36,
        [18, 19, 21],
        TAX_CLASS_CLOTHING,
        [
            ("Size", "rectangles", _SIZES3),
            ("Color", "swatch", [("Grey", "0", "GRY"), ("Navy", "0", "NVY")]),
        ],
    ),
    (
        "Headlamp 300",
        "LMP-300",
        "physical",
        "39.95",
        "14.00",
        "0.12",
        35,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Baseball Cap",
        "CAP-BSB",
        "physical",
        "24.00",
        "6.80",
        "0.10",
        38,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [("Color", "swatch", [("Khaki", "0", "KHK"), ("Black", "0", "BLK")])],
    ),
    (
        "Wool Beanie",
        "BNE-WOL",
        "physical",
        "22.00",
        "6.00",
        "0.08",
        37,
        [18, 19],
        TAX_CLASS_CLOTHING,
        [],
    ),
    (
        "Sleeping Bag",
        "BAG-SLP",
        "physical",
        "149.00",
        "61.00",
        "1.40",
        35,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [("Length", "rectangles", [("Regular", "0", "REG"), ("Long", "20", "LNG")])],
    ),
    (
        "Field Notebook",
        "NB-FLD",
        "physical",
        "9.50",
        "2.10",
        "0.18",
        38,
        [18],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Sticker Pack",
        "STK-PCK",
        "physical",
        "5.00",
        "0.80",
        "0.02",
        38,
        [18],
        TAX_CLASS_NON_TAXABLE,
        [],
    ),
    (
        "Camp Chair",
        "CHR-CMP",
        "physical",
        "49.00",
        "19.00",
        "2.10",
        36,
        [18, 22],
        TAX_CLASS_DEFAULT,
        [],
    ),
    (
        "Trail Guide eBook",
        "EBK-TRAIL",
        "digital",
        "12.99",
        "0.00",
        "0.00",
        38,
        [18, 24],
        TAX_CLASS_DEFAULT,
        [],
    ),
]
ENGRAVING_SKU = "KEY-LTH"  # the product with a text modifier ("Engraving")
DIGITAL_SKU = "EBK-TRAIL"
VARIANT_IMAGE_SKU = "JKT-RAIN"  # size x colour, 6 variants, an image per variant


# -- catalog -----------------------------------------------------------------------


def _seed_catalog(state, rng):
    for brand_id, name in BRANDS:
        slug = name.lower().replace(" ", "-")
        state.brands[brand_id] = {
            "id": brand_id,
            "name": name,
            "page_title": name,
            "meta_keywords": [slug],
            "meta_description": f"{name} products at {STORE_NAME}.",
            "search_keywords": slug,
            "image_url": f"https://cdn.example.com/sandbox/brands/{slug}.png",
            "custom_url": {"url": f"/brands/{slug}/", "is_customized": False},
        }
    state.trees = [{"id": 1, "name": STORE_NAME, "channels": [1]}]
    names = {cid: name for cid, name, _parent in CATEGORIES}
    parents = {cid: parent for cid, _name, parent in CATEGORIES}
    state.tree_categories = []
    for sort_order, (category_id, name, parent_id) in enumerate(CATEGORIES):
        path = [name]
        walk = parent_id
        while walk:
            path.insert(0, names[walk])
            walk = parents[walk]
        url = "/" + "/".join(p.lower().replace(" ", "-") for p in path) + "/"
        state.tree_categories.append(
            {
                "category_id": category_id,
                "category_uuid": _uuid(rng),
                "tree_id": 1,
                "parent_id": parent_id,
                "name": name,
                "description": f"<p>{name} for every trail.</p>",
                "views": rng.randint(50, 3000),
                "sort_order": sort_order,
                "page_title": name,
                "meta_keywords": [name.lower()],
                "meta_description": f"{name} at {STORE_NAME}",
                "layout_file": "category.html",
                "image_url": "",
                "is_visible": True,
                "search_keywords": name.lower(),
                "default_product_sort": "use_store_settings",
                "url": {"path": url, "is_customized": False},
            }
        )
    state.reserve_ids("product", 110)
    state.reserve_ids("variant", 200)
    state.reserve_ids("option", 10)
    state.reserve_ids("option_value", 100)
    for sort_order, spec in enumerate(PRODUCTS):
        _seed_product(state, rng, sort_order, *spec)


def _seed_product(
    state,
    rng,
    sort_order,
    name,
    sku,
    ptype,
    price,
    cost,
    weight,
    brand_id,
    categories,
    tax_class_id,
    option_specs,
):
    product_id = state.next_id("product")
    created = _spread(rng, CATALOG_START, SEED_START)
    modified = _spread(rng, SEED_START, SEED_END - timedelta(days=20))
    price = Decimal(price)
    digital = ptype == "digital"
    slug = name.lower().replace(" ", "-")
    product = {
        "id": product_id,
        "name": name,
        "type": ptype,
        "sku": sku,
        "description": f"<p>{name} by {dict(BRANDS)[brand_id]}.</p>",
        "weight": float(Decimal(weight)),
        "width": 0.0 if digital else float(rng.randint(10, 40)),
        "depth": 0.0 if digital else float(rng.randint(2, 20)),
        "height": 0.0 if digital else float(rng.randint(5, 50)),
        "price": money_num(price),
        "cost_price": money_num(Decimal(cost)),
        "retail_price": money_num(price * Decimal("1.2")),
        "sale_price": 0.0,
        "map_price": 0.0,
        "tax_class_id": tax_class_id,
        "product_tax_code": "",
        "categories": list(categories),
        "brand_id": brand_id,
        "inventory_level": 0,
        "inventory_warning_level": 0 if digital else 5,
        "inventory_tracking": "none"
        if digital
        else ("variant" if option_specs else "product"),
        "fixed_cost_shipping_price": 0.0,
        "is_free_shipping": False,
        "is_visible": True,
        "is_featured": sort_order < 4,
        "related_products": [-1],
        "warranty": "",
        "bin_picking_number": "" if digital else f"A-{sort_order + 1:02d}",
        "layout_file": "product.html",
        "upc": "",
        "search_keywords": slug.replace("-", ", "),
        "availability_description": "",
        "availability": "available",
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": sort_order,
        "condition": "New",
        "is_condition_shown": False,
        "order_quantity_minimum": 0,
        "order_quantity_maximum": 0,
        "page_title": name,
        "meta_keywords": [],
        "meta_description": "",
        "view_count": rng.randint(20, 2500),
        "preorder_release_date": None,
        "preorder_message": "",
        "is_preorder_only": False,
        "is_price_hidden": False,
        "price_hidden_label": "",
        "custom_url": {
            "url": f"/{slug}/",
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
        "total_sold": rng.randint(0, 400),
        "date_created": iso_offset(created),
        "date_modified": iso_offset(modified),
        "calculated_price": money_num(price),
        "option_set_display": "right",
        "channels": [1],
    }
    state.products[product_id] = product
    # images
    for position in range(1 + (rng.random() < 0.5)):
        image_id = state.next_id("image")
        base = f"https://cdn.example.com/sandbox/products/{product_id}/{slug}"
        state.images[product_id].append(
            {
                "id": image_id,
                "product_id": product_id,
                "is_thumbnail": position == 0,
                "sort_order": position,
                "description": f"{name} view {position + 1}",
                "url_zoom": f"{base}-{position + 1}.1280.1280.jpg",
                "url_standard": f"{base}-{position + 1}.386.513.jpg",
                "url_thumbnail": f"{base}-{position + 1}.220.290.jpg",
                "url_tiny": f"{base}-{position + 1}.44.58.jpg",
                "date_modified": iso_offset(modified),
            }
        )
    # options
    options = []
    for position, (option_name, display_type, values) in enumerate(option_specs):
        option_id = state.next_id("option")
        rows = []
        for value_position, (label, _delta, _code) in enumerate(values):
            rows.append(
                {
                    "id": state.next_id("option_value"),
                    "label": label,
                    "sort_order": value_position,
                    "value_data": None,
                    "is_default": False,
                }
            )
        option = {
            "id": option_id,
            "product_id": product_id,
            "name": f"{option_name.lower().replace(' ', '-')}-{product_id}",
            "display_name": option_name,
            "type": display_type,
            "sort_order": position,
            "config": {},
            "option_values": rows,
        }
        options.append((option, values))
        state.options[product_id].append(option)
    # variants
    combos = [[]]
    for option, values in options:
        combos = [
            combo + [(option, row, spec)]
            for combo in combos
            for row, spec in zip(option["option_values"], values, strict=True)
        ]
    level_total = 0
    for combo in combos:
        variant_id = state.next_id("variant")
        delta = sum((Decimal(spec[1]) for _o, _r, spec in combo), Decimal("0"))
        variant_sku = (
            sku if not combo else "-".join([sku] + [s[2] for _o, _r, s in combo])
        )
        variant_price = price + delta
        variant = {
            "id": variant_id,
            "product_id": product_id,
            "sku": variant_sku,
            "sku_id": 5000 + variant_id,
            "price": money_num(variant_price) if delta else None,
            "calculated_price": money_num(variant_price),
            "sale_price": None,
            "retail_price": None,
            "cost_price": money_num(Decimal(cost)),
            "weight": None,
            "width": None,
            "height": None,
            "depth": None,
            "is_free_shipping": False,
            "fixed_cost_shipping_price": None,
            "purchasing_disabled": False,
            "purchasing_disabled_message": "",
            "upc": "",
            "inventory_level": 0,
            "inventory_warning_level": 0 if digital else 3,
            "bin_picking_number": product["bin_picking_number"],
            "option_values": [
                {
                    "id": row["id"],
                    "label": row["label"],
                    "option_id": option["id"],
                    "option_display_name": option["display_name"],
                }
                for option, row, _spec in combo
            ],
        }
        state.variants[product_id].append(variant)
        if sku == VARIANT_IMAGE_SKU:
            # A picture per variant (its own image_url, see CONTRACT.md).
            state.variant_image_urls[variant_id] = (
                f"https://cdn.example.com/sandbox/products/{product_id}/"
                f"{'-'.join([slug] + [s[2].lower() for _o, _r, s in combo])}.jpg"
            )
        for location in state.locations:
            if digital:
                onhand, safety = 0, 0
            elif location["id"] == 1:
                onhand, safety = rng.randint(0, 60), rng.choice([0, 0, 2])
            else:
                onhand, safety = rng.randint(0, 12), 0
            state.inventory[(variant_id, location["id"])] = {
                "available_to_sell": max(0, onhand - safety),
                "total_inventory_onhand": onhand,
                "settings": {
                    "safety_stock": safety,
                    "is_in_stock": onhand - safety > 0 or digital,
                    "warning_level": 0 if digital else 3,
                    "bin_picking_number": product["bin_picking_number"],
                },
            }
            if location["id"] == 1:
                variant["inventory_level"] = onhand
                level_total += onhand
    product["inventory_level"] = level_total
    if not option_specs:
        product["base_variant_id"] = state.variants[product_id][0]["id"]
    if sku == ENGRAVING_SKU:
        state.modifiers[product_id].append(
            {
                "id": state.next_id("modifier"),
                "product_id": product_id,
                "name": f"engraving-{product_id}",
                "display_name": "Engraving",
                "type": "text",
                "required": False,
                "sort_order": 0,
                "config": {
                    "default_value": "",
                    "text_characters_limited": True,
                    "text_min_length": 0,
                    "text_max_length": 20,
                },
                "option_values": [],
            }
        )


def _variant_index(state):
    """sku (lower case) -> (product, variant)."""
    index = {}
    for product_id, variants in state.variants.items():
        for variant in variants:
            index[variant["sku"].lower()] = (state.products[product_id], variant)
    return index
