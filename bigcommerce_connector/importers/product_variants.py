"""Templates, attributes and variants of an imported product.

The attribute half of ``ProductImporter`` (``importers/product.py``): a
product with options becomes a template with attribute lines, attributes
and values reused by name (P10: never by BigCommerce option-value ids) and
created under a key unique in PostgreSQL; each BigCommerce variant is bound
to the Odoo variant with its attribute values; prices, price extras and the
instance's pricelist follow BigCommerce's.
"""

from odoo import Command
from odoo.tools import escape_psql, float_compare, html2plaintext

from ..exporters import listing_plan
from ..tools.keyed_create import create_keyed


def _key(text):
    """A name as compared: spaces collapsed, case folded."""
    return " ".join((text or "").split()).casefold()


class ProductVariantsMixin:
    """Templates, attributes, variants and their prices."""

    # ------------------------------------------------------------------
    # Templates, attributes, variants
    # ------------------------------------------------------------------

    def _create_template(self, row, variants, has_options):
        physical = row.get("type") != "digital"
        values = {
            "name": row.get("name") or row.get("sku") or str(row["id"]),
            "type": "consu" if physical else "service",
            "is_storable": physical
            and (row.get("inventory_tracking") or "none") != "none",
            "sale_ok": True,
            "purchase_ok": True,
            "company_id": False,
        }
        if not has_options and row.get("sku"):
            values["default_code"] = row["sku"]
        if has_options:
            values["attribute_line_ids"] = [
                Command.create(
                    {
                        "attribute_id": attribute.id,
                        "value_ids": [Command.set(value_ids)],
                    }
                )
                for attribute, value_ids in self._attribute_lines(variants)
            ]
        return self.templates.create(values)

    def _attribute_lines(self, variants):
        """[(product.attribute, [value ids])] in BigCommerce's option order."""
        lines = {}
        for variant in variants:
            for option_value in variant.get("option_values") or []:
                attribute = self._attribute(option_value.get("option_display_name"))
                value = self._value(attribute, option_value.get("label"))
                lines.setdefault(attribute, [])
                if value.id not in lines[attribute]:
                    lines[attribute].append(value.id)
        return list(lines.items())

    def _attribute(self, name):
        """The attribute named ``name`` (any case), created once if missing."""
        name = (name or "").strip() or "Option"
        key = _key(name)
        if key not in self._attributes:
            Attribute = self.env["product.attribute"].with_context(active_test=False)
            attribute = Attribute.search(
                [("bigcommerce_name_key", "=", key)], limit=1
            ) or Attribute.search([("name", "=ilike", escape_psql(name))], limit=1)
            if not attribute:
                attribute = self._create_keyed(
                    Attribute,
                    {
                        "name": name,
                        "create_variant": "always",
                        "bigcommerce_name_key": key,
                    },
                )
            self._attributes[key] = attribute
        return self._attributes[key]

    def _value(self, attribute, label):
        label = (label or "").strip() or "-"
        key = (attribute.id, _key(label))
        if key not in self._values:
            Value = self.env["product.attribute.value"].with_context(active_test=False)
            value = (
                Value.search(
                    [
                        ("attribute_id", "=", attribute.id),
                        ("bigcommerce_name_key", "=", key[1]),
                    ],
                    limit=1,
                )
                or attribute.value_ids.filtered(lambda v: _key(v.name) == key[1])[:1]
            )
            if not value:
                value = self._create_keyed(
                    Value,
                    {
                        "attribute_id": attribute.id,
                        "name": label,
                        "bigcommerce_name_key": key[1],
                    },
                )
            self._values[key] = value
        return self._values[key]

    def _create_keyed(self, model, values):
        """Create an attribute (value) whose unique key another job may hold.

        The key makes two imports creating "Size" at once collide in
        PostgreSQL; the loser cannot see the winner's row in its snapshot,
        so the job is retried, and then reuses it.
        """
        return create_keyed(
            model,
            values,
            self.env._("%s is being created by another job.", values["name"]),
            seconds=5,
        )

    def _ensure_attribute_values(self, template, variants):
        """Add the values (and lines) BigCommerce has and the template lacks."""
        for attribute, value_ids in self._attribute_lines(variants):
            line = template.attribute_line_ids.filtered(
                lambda line, attribute=attribute: line.attribute_id == attribute
            )
            if not line:
                template.write(
                    {
                        "attribute_line_ids": [
                            Command.create(
                                {
                                    "attribute_id": attribute.id,
                                    "value_ids": [Command.set(value_ids)],
                                }
                            )
                        ]
                    }
                )
            elif set(value_ids) - set(line.value_ids.ids):
                line.value_ids = [Command.link(value_id) for value_id in value_ids]

    def _variant_combination(self, variant):
        return frozenset(
            self._value(
                self._attribute(option_value.get("option_display_name")),
                option_value.get("label"),
            ).id
            for option_value in variant.get("option_values") or []
        )

    def _bind_variants(self, binding, template, variants, matched, known):
        """Bind every BigCommerce variant to its Odoo variant; {variant id: product}."""
        by_combination = {
            frozenset(
                product.product_template_attribute_value_ids.product_attribute_value_id.ids
            ): product
            for product in template.product_variant_ids
        }
        products = {}
        for variant in variants:
            product = matched.get(variant["id"])
            if not product and template.product_variant_ids:
                if variant.get("option_values"):
                    product = by_combination.get(self._variant_combination(variant))
                elif len(template.product_variant_ids) == 1:
                    product = template.product_variant_ids
            if not product:
                continue
            products[variant["id"]] = product
            # Another variant of this store bound to this Odoo product (a
            # variant deleted and re-created in BigCommerce): unbind it.
            stale = self.variant_bindings.search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("product_id", "=", product.id),
                    ("bigcommerce_id", "!=", variant["id"]),
                ]
            )
            stale.write({"product_id": False, "active": False})
            values = {
                "product_binding_id": binding.id,
                "bigcommerce_product_id": variant.get("product_id")
                or binding.bigcommerce_id,
                "product_id": product.id,
                "sku": variant.get("sku"),
                "price": variant.get("calculated_price") or variant.get("price") or 0.0,
                "is_base_variant": not variant.get("option_values"),
                "bigcommerce_values": listing_plan.variant_values(variant),
                "active": True,
            }
            if variant["id"] in known:
                known[variant["id"]].write(values)
            else:
                self._create_variant_binding(variant["id"], values)
        # Variants gone from BigCommerce: their bindings are archived.
        gone = [vid for vid in known if vid not in {v["id"] for v in variants}]
        if gone:
            self.variant_bindings.browse([known[vid].id for vid in gone]).write(
                {"active": False}
            )
        return products

    def _create_variant_binding(self, variant_id, values):
        # The product binding is locked by this job: no other job binds the
        # variants of this product at the same time.
        self.variant_bindings.create(
            {"instance_id": self.instance.id, "bigcommerce_id": variant_id, **values}
        )

    def _update_template(self, template, row, created):
        values = {
            "name": row.get("name") or template.name,
            "description_sale": html2plaintext(row.get("description") or "") or False,
            "list_price": row.get("price") or 0.0,
            "active": bool(row.get("is_visible"))
            and row.get("availability") != "disabled",
        }
        brand = self.env["bigcommerce.brand"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", row.get("brand_id") or 0),
            ],
            limit=1,
        )
        values["bigcommerce_brand_id"] = brand.id
        values.update(self._dimensions(row))
        if self.instance.update_product_category:
            category = self._categories(row).sorted(
                lambda c: (-c._depth(), c.sort_order)
            )[:1]
            if category.product_category_id:
                values["categ_id"] = category.product_category_id.id
        changed = {
            key: value
            for key, value in values.items()
            if (
                template[key].id
                if key in ("categ_id", "bigcommerce_brand_id")
                else template[key]
            )
            != value
        }
        if changed:
            template.write(changed)

    def _dimensions(self, row):
        """Width, height, depth in Odoo's length unit (the store's is read at
        Confirm); nothing when the store's unit is unknown."""
        store_uom = self.instance.dimension_uom_id
        if not store_uom:
            return {}
        return {
            f"bigcommerce_{field}": store_uom._compute_quantity(
                row.get(field) or 0.0, self.odoo_length_uom, round=False
            )
            for field in ("width", "height", "depth")
        }

    def _weight(self, value):
        if not value:
            return 0.0
        store_uom = self.instance.weight_uom_id
        if not store_uom or store_uom == self.odoo_weight_uom:
            return value
        return store_uom._compute_quantity(value, self.odoo_weight_uom, round=False)

    def _update_variants(self, template, row, variants, products, has_options):
        base_price = row.get("price") or 0.0
        if has_options:
            self._set_price_extras(template, variants, base_price)
        barcodes = {(v.get("upc") or v.get("gtin") or "").strip() for v in variants} | {
            (row.get("upc") or row.get("gtin") or "").strip()
        }
        barcodes.discard("")
        taken = (
            {
                product.barcode: product
                for product in self.products.search([("barcode", "in", list(barcodes))])
            }
            if barcodes
            else {}
        )
        for variant in variants:
            product = products.get(variant["id"])
            if not product:
                continue
            barcode = (variant.get("upc") or variant.get("gtin") or "").strip()
            if not barcode and not has_options:
                barcode = (row.get("upc") or row.get("gtin") or "").strip()
            values = {
                "standard_price": variant.get("cost_price")
                if variant.get("cost_price") is not None
                else row.get("cost_price") or 0.0,
                "weight": self._weight(
                    variant["weight"]
                    if variant.get("weight") is not None
                    else row.get("weight")
                ),
            }
            if variant.get("sku") and not product.default_code:
                values["default_code"] = variant["sku"]
            if barcode and taken.get(barcode, product) == product:
                values["barcode"] = barcode
            changed = {
                key: value
                for key, value in values.items()
                if (
                    float_compare(product[key], value, precision_digits=6)
                    if isinstance(value, float)
                    else product[key] != value
                )
            }
            if changed:
                product.write(changed)
            self._set_pricelist_price(product, variant, base_price)

    def _variant_price(self, variant, base_price):
        return variant["price"] if variant.get("price") is not None else base_price

    def _set_price_extras(self, template, variants, base_price):
        """Attribute price extras that give each variant BigCommerce's price.

        BigCommerce prices variants one by one; Odoo adds an extra per
        attribute value to the template's price. Extras are solved option
        by option (the smallest difference left); a product whose prices
        are not additive keeps the nearest prices, and the instance's
        pricelist (when set) carries every variant's exact price.
        """
        combinations = [
            (
                self._variant_price(variant, base_price) - base_price,
                [
                    (
                        attribute.id,
                        self._value(attribute, option_value.get("label")).id,
                    )
                    for option_value in variant.get("option_values") or []
                    for attribute in [
                        self._attribute(option_value.get("option_display_name"))
                    ]
                ],
            )
            for variant in variants
        ]
        attribute_order = []
        for _difference, pairs in combinations:
            for attribute_id, _value_id in pairs:
                if attribute_id not in attribute_order:
                    attribute_order.append(attribute_id)
        extras, decided = {}, set()
        for attribute_id in attribute_order:
            candidates = {}
            for difference, pairs in combinations:
                left = difference - sum(
                    extras[value_id] for a, value_id in pairs if a in decided
                )
                for a, value_id in pairs:
                    if a == attribute_id:
                        candidates.setdefault(value_id, []).append(left)
            extras.update({value_id: min(c) for value_id, c in candidates.items()})
            decided.add(attribute_id)
        for ptav in template.attribute_line_ids.product_template_value_ids:
            extra = extras.get(ptav.product_attribute_value_id.id)
            if extra is None:
                continue
            if float_compare(ptav.price_extra, extra, precision_digits=self.precision):
                ptav.price_extra = extra

    def _set_pricelist_price(self, product, variant, base_price):
        pricelist = self.instance.pricelist_id
        if not pricelist:
            return
        price = variant.get("calculated_price") or self._variant_price(
            variant, base_price
        )
        items = self.env["product.pricelist.item"]
        item = items.search(
            [
                ("pricelist_id", "=", pricelist.id),
                ("applied_on", "=", "0_product_variant"),
                ("product_id", "=", product.id),
            ],
            limit=1,
        )
        if not item:
            items.create(
                {
                    "pricelist_id": pricelist.id,
                    "applied_on": "0_product_variant",
                    "product_id": product.id,
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "compute_price": "fixed",
                    "fixed_price": price,
                }
            )
        elif float_compare(item.fixed_price, price, precision_digits=self.precision):
            item.fixed_price = price
