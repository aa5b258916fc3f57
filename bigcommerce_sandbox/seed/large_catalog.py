"""A generated catalog for benchmarks: N products with options, variants, images.

Not part of ``populate``: the seeded store used by the tests stays small. A
benchmark calls ``add_generated_catalog(store.state, products=10000)`` for
10,000 products, 30,000 variants (option "Size" S/M/L) and 20,000 images.
Every record is shaped like the seeded ones (a copy of a seeded product with
its own ids, SKUs, names and prices), so the OpenAPI conformance of the
seeded catalog covers them.
"""

import copy

from .common import iso_offset

SIZES = ("S", "M", "L")
EXTRA = {"S": 0.0, "M": 0.0, "L": 2.0}


def add_generated_catalog(state, products=10000, variants_per_product=3, images=2):
    """Add ``products`` products to ``state``; returns their ids."""
    template = next(p for p in state.products.values() if p["type"] == "physical")
    brand_ids = sorted(state.brands)
    categories = [c["category_id"] for c in state.tree_categories]
    now = iso_offset(state.clock.now())
    sizes = SIZES[: max(1, variants_per_product)]
    created = []
    for index in range(products):
        product_id = state.next_id("product")
        sku = f"GEN-{product_id:06d}"
        price = round(10 + (index % 90) + 0.99, 2)
        product = copy.deepcopy(template)
        product.update(
            {
                "id": product_id,
                "name": f"Generated product {product_id}",
                "sku": sku,
                "description": f"<p>Generated product {product_id}.</p>",
                "price": price,
                "calculated_price": price,
                "cost_price": round(price / 3, 2),
                "retail_price": 0.0,
                "weight": 0.5,
                "brand_id": brand_ids[index % len(brand_ids)],
                "categories": [categories[index % len(categories)]],
                "inventory_tracking": "variant",
                "inventory_level": 0,
                "custom_url": {
                    "url": f"/generated-{product_id}/",
                    "is_customized": False,
                    "create_redirect": False,
                },
                "date_created": now,
                "date_modified": now,
                "total_sold": 0,
                "view_count": 0,
            }
        )
        product.pop("base_variant_id", None)
        state.products[product_id] = product
        option_id = state.next_id("option")
        values = [
            {
                "id": state.next_id("option_value"),
                "label": size,
                "sort_order": position,
                "value_data": None,
                "is_default": False,
            }
            for position, size in enumerate(sizes)
        ]
        state.options[product_id] = [
            {
                "id": option_id,
                "product_id": product_id,
                "name": f"size-{product_id}",
                "display_name": "Size",
                "type": "rectangles",
                "sort_order": 0,
                "config": {},
                "option_values": values,
            }
        ]
        state.variants[product_id] = [
            {
                "id": (variant_id := state.next_id("variant")),
                "product_id": product_id,
                "sku": f"{sku}-{value['label']}",
                "sku_id": 5000 + variant_id,
                "price": price + EXTRA[value["label"]]
                if EXTRA[value["label"]]
                else None,
                "calculated_price": price + EXTRA[value["label"]],
                "sale_price": None,
                "retail_price": None,
                "cost_price": round(price / 3, 2),
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
                "inventory_warning_level": 3,
                "bin_picking_number": "",
                "option_values": [
                    {
                        "id": value["id"],
                        "label": value["label"],
                        "option_id": option_id,
                        "option_display_name": "Size",
                    }
                ],
            }
            for value in values
        ]
        base = f"https://cdn.example.com/sandbox/products/{product_id}/generated"
        state.images[product_id] = [
            {
                "id": state.next_id("image"),
                "product_id": product_id,
                "is_thumbnail": position == 0,
                "sort_order": position,
                "description": f"Generated product {product_id} view {position + 1}",
                "url_zoom": f"{base}-{position + 1}.1280.1280.jpg",
                "url_standard": f"{base}-{position + 1}.386.513.jpg",
                "url_thumbnail": f"{base}-{position + 1}.220.290.jpg",
                "url_tiny": f"{base}-{position + 1}.44.58.jpg",
                "date_modified": now,
            }
            for position in range(images)
        ]
        created.append(product_id)
    return created
