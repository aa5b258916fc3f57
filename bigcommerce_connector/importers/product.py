"""BigCommerce products and variants -> Odoo product templates and variants.

One page of ``GET /v3/catalog/products?include=variants,images&limit=250``
is imported at a time: options are read from the variants' own
``option_values`` (``include=options`` would cap the page at 10 products,
P13), so a page costs one request whatever its variants.

What happens to a product:

- **matched first**: a variant whose SKU equals the ``default_code`` of an
  Odoo product (case-insensitive, exact: ``_`` and ``%`` are plain
  characters) is bound to it, never duplicated;
- **created** only then, and only with "Create Odoo Products?": one template
  per product; a product with options gets attribute lines (attributes and
  values reused by name, P10: never by BigCommerce option-value ids) and
  each variant is bound to the Odoo variant with its attribute values;
- **updated** when BigCommerce's ``date_modified`` changed: name, sales
  description, list price (+ attribute price extras, and the instance's
  pricelist when set), cost, weight, barcode, archived or not, category
  (with "Update Category in Odoo Products?") and brand;
- **never touched**: the product type of an existing product, its taxes,
  routes, invoicing policy, internal category when the option is off, and
  the orders and invoices that use it.

Every step is exactly once under concurrency: the product bindings of a
page are inserted-or-locked first (``tools/sql_claim.py``); attributes and
values created here carry a key unique in PostgreSQL.
"""

import logging

import psycopg2

from odoo import Command
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import SQL, escape_psql, float_compare, html2plaintext

from ..client.parsing import parse_datetime
from ..exporters import listing_plan
from ..tools.keyed_create import create_keyed
from ..tools.sql_claim import insert_missing_bindings
from .brand import BrandImporter
from .category import CategoryImporter

_logger = logging.getLogger(__name__)

PAGE_SIZE = 250
PRODUCT_INCLUDES = "variants,images"


def _key(text):
    return " ".join((text or "").split()).casefold()


class ProductImporter:
    """Imports products of one instance; ``import_rows`` takes one page."""

    def __init__(self, instance, client, recorder=None):
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.company = instance.company_id
        self.bindings = self.env["bigcommerce.product"].with_context(active_test=False)
        self.variant_bindings = self.env["bigcommerce.product.variant"].with_context(
            active_test=False
        )
        self.templates = self.env["product.template"].with_context(
            active_test=False, tracking_disable=True, mail_create_nosubscribe=True
        )
        self.products = self.env["product.product"].with_context(active_test=False)
        self.images_to_download = self.env["bigcommerce.product.image"]
        self.counts = {"created": 0, "updated": 0, "skipped": 0, "failed": 0}
        self._attributes = {}
        self._values = {}
        self.odoo_weight_uom = (
            self.templates._get_weight_uom_id_from_ir_config_parameter()
        )
        self.odoo_length_uom = (
            self.templates._get_length_uom_id_from_ir_config_parameter()
        )
        self.precision = self.env["decimal.precision"].precision_get("Product Price")

    # ------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------

    def fetch_page(self, after_id=0, since=None, product_ids=None):
        """One page of products with ``id > after_id``; (rows, more pages?)."""
        params = {
            "include": PRODUCT_INCLUDES,
            "limit": PAGE_SIZE,
            "sort": "id",
            "direction": "asc",
        }
        if after_id:
            params["id:greater"] = after_id
        if since:
            params["date_modified:min"] = since
        if product_ids:
            params["id:in"] = ",".join(map(str, product_ids))
        body = self.client.request("GET", "v3", "catalog/products", params=params)
        body = body or {}
        rows = body.get("data") or []
        pagination = (body.get("meta") or {}).get("pagination") or {}
        total = pagination.get("total")
        more = bool(rows) and (
            total > len(rows) if total is not None else len(rows) == PAGE_SIZE
        )
        return rows, more

    # ------------------------------------------------------------------
    # One page
    # ------------------------------------------------------------------

    def import_rows(self, rows, seen_at=None, force=False):
        """Import a page of v3 products (``include=variants,images``)."""
        rows = [row for row in rows if row.get("id")]
        if not rows:
            return self.bindings
        self._ensure_categories_and_brands(rows)
        bindings, _inserted = insert_missing_bindings(
            self.bindings,
            self.instance,
            [row["id"] for row in rows],
            {"inventory_tracking": "none"},
        )
        by_id = {binding.bigcommerce_id: binding for binding in bindings}
        if seen_at:
            bindings.write({"seen_at": seen_at})
        self._sku_index = self._match_skus(rows, by_id)
        for row in rows:
            binding = by_id[row["id"]]
            modified = parse_datetime(row.get("date_modified")).replace(tzinfo=None)
            if (
                not force
                and binding.product_tmpl_id
                and binding.date_modified == modified
                and binding.active
            ):
                self.counts["skipped"] += 1
                continue
            if binding.active and self.instance._listing_nothing_new(binding, row):
                # The echo of our own product export: nothing Odoo does not
                # know, and maybe older than Odoo's newer values.
                binding.date_modified = modified
                self.counts["skipped"] += 1
                continue
            try:
                with self.env.cr.savepoint():
                    self._import_product(binding, row, modified)
            except psycopg2.Error:
                raise  # concurrency: queue_job runs the job again
            except (RetryableJobError, KeyboardInterrupt):
                raise
            except Exception as error:  # noqa: BLE001 - kept on the binding
                _logger.exception("Product %s could not be imported", row["id"])
                self.counts["failed"] += 1
                binding.import_message = self.env._(
                    "Import failed: %s", str(error)[:500]
                )
        # Bound templates are published to their store: the product export
        # sends what changes of them in Odoo.
        self.instance._listing_publish(bindings.product_tmpl_id.ids)
        if self.images_to_download:
            self.instance._queue_image_downloads(
                "bigcommerce.product.image", self.images_to_download.ids
            )
            self.images_to_download = self.env["bigcommerce.product.image"]
        if self.recorder:
            self.recorder.add_counts(**self.counts)
        return bindings

    def _ensure_categories_and_brands(self, rows):
        """Import the categories and brands these products refer to, if unknown."""
        category_ids = {c for row in rows for c in row.get("categories") or []}
        brand_ids = {row.get("brand_id") for row in rows} - {0, None}
        for model, ids, importer in (
            ("bigcommerce.category", category_ids, CategoryImporter),
            ("bigcommerce.brand", brand_ids, BrandImporter),
        ):
            if not ids:
                continue
            known = set(
                self.env[model]
                .with_context(active_test=False)
                .search(
                    [
                        ("instance_id", "=", self.instance.id),
                        ("bigcommerce_id", "in", list(ids)),
                    ]
                )
                .mapped("bigcommerce_id")
            )
            if ids - known:
                importer(self.instance, self.client, self.recorder).import_all(
                    sorted(ids - known)
                )

    def _match_skus(self, rows, by_id):
        """lower(SKU) -> product.product of this company, for the page's SKUs.

        Plain equality on ``lower(default_code)``: no LIKE, so ``_`` and
        ``%`` in a SKU match themselves only. An active product wins over an
        archived one.
        """
        skus = {
            _key(variant.get("sku"))
            for row in rows
            for variant in row.get("variants") or []
            if variant.get("sku")
        }
        skus.discard("")
        if not skus:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (lower(pp.default_code))
                       lower(pp.default_code), pp.id
                  FROM product_product pp
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE lower(pp.default_code) = ANY(%s)
                   AND (pt.company_id IS NULL OR pt.company_id = %s)
                 ORDER BY lower(pp.default_code), pp.active DESC, pp.id
                """,
                sorted(skus),
                self.company.id,
            )
        )
        return {sku: self.products.browse(pid) for sku, pid in self.env.cr.fetchall()}

    # ------------------------------------------------------------------
    # One product
    # ------------------------------------------------------------------

    def _import_product(self, binding, row, modified):
        variants = row.get("variants") or []
        has_options = any(variant.get("option_values") for variant in variants)
        known = {
            vb.bigcommerce_id: vb
            for vb in self.variant_bindings.search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_product_id", "=", row["id"]),
                ]
            )
        }
        matched = {}
        for variant in variants:
            bound = known.get(variant["id"])
            if bound and bound.product_id:
                matched[variant["id"]] = bound.product_id
            elif variant.get("sku") and _key(variant["sku"]) in self._sku_index:
                matched[variant["id"]] = self._sku_index[_key(variant["sku"])]
        template = binding.product_tmpl_id or next(
            (product.product_tmpl_id for product in matched.values()), self.templates
        )
        created = False
        if not template:
            if not self.instance.create_products:
                binding.write(
                    self._binding_values(row, modified)
                    | {
                        "import_message": self.env._(
                            "No Odoo product has the SKU %s and “Create Odoo "
                            "Products?” is off: create it in Odoo, then import "
                            "the product again.",
                            row.get("sku")
                            or ", ".join(v.get("sku") or "" for v in variants),
                        )
                    }
                )
                self.counts["skipped"] += 1
                return
            template = self._create_template(row, variants, has_options)
            created = True
        template = template.with_context(
            active_test=False, tracking_disable=True, mail_create_nosubscribe=True
        )
        if has_options and (created or self._is_ours(template, binding)):
            self._ensure_attribute_values(template, variants)
        products = self._bind_variants(binding, template, variants, matched, known)
        self._update_template(template, row, created)
        self._update_variants(template, row, variants, products, has_options)
        binding.write(
            self._binding_values(row, modified)
            | {
                "product_tmpl_id": template.id,
                "import_message": self._note(variants, products),
            }
        )
        self._sync_images(binding, row, variants, products)
        self.counts["created" if created else "updated"] += 1

    def _is_ours(self, template, binding):
        # Attribute lines are only extended on a template made from this
        # product (or bound to it): a matched product's own lines stay.
        return bool(binding.product_tmpl_id == template)

    def _binding_values(self, row, modified):
        base_variant = next(
            (v for v in row.get("variants") or [] if not v.get("option_values")),
            None,
        )
        brand = self.env["bigcommerce.brand"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", row.get("brand_id") or 0),
            ],
            limit=1,
        )
        return {
            "name": row.get("name"),
            "sku": row.get("sku"),
            "product_type": row.get("type")
            if row.get("type") in ("physical", "digital")
            else False,
            "inventory_tracking": row.get("inventory_tracking") or "none",
            "base_variant_id": row.get("base_variant_id")
            or (base_variant and base_variant["id"])
            or False,
            "price": row.get("price") or 0.0,
            "date_modified": modified,
            "is_visible": bool(row.get("is_visible")),
            "availability": row.get("availability"),
            "brand_id": brand.id,
            "category_ids": [Command.set(self._categories(row).ids)],
            # What BigCommerce has, as Odoo now knows it: the product export
            # sends only what differs from it.
            "bigcommerce_values": listing_plan.product_values(row),
            "active": True,
        }

    def _categories(self, row):
        return self.env["bigcommerce.category"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "in", row.get("categories") or []),
            ]
        )

    def _note(self, variants, products):
        unbound = [
            v.get("sku") or str(v["id"]) for v in variants if v["id"] not in products
        ]
        if not unbound:
            return False
        return self.env._(
            "Variants not bound (no Odoo product with these SKUs, and they "
            "cannot be added to the matched product): %s",
            ", ".join(unbound),
        )

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

    # ------------------------------------------------------------------
    # Images
    # ------------------------------------------------------------------

    def _sync_images(self, binding, row, variants, products):
        """Record the product's images; the changed ones are queued for download.

        Not with "Sync Listing Images?" off: the images stay as they are.
        """
        if not self.instance.sync_listing_images:
            return
        wanted = {}
        for image in row.get("images") or []:
            url = image.get("url_zoom") or image.get("url_standard")
            if not url or not image.get("id"):
                continue
            wanted[image["id"]] = {
                "url": url,
                "date_modified": image.get("date_modified") or "",
                "is_thumbnail": bool(image.get("is_thumbnail")),
                "sequence": image.get("sort_order") or 0,
                "name": image.get("description") or row.get("name"),
                "product_id": False,
            }
        for variant in variants:
            product = products.get(variant["id"])
            if variant.get("image_url") and product and variant.get("option_values"):
                wanted[-variant["id"]] = {
                    "url": variant["image_url"],
                    "date_modified": "",
                    "is_thumbnail": False,
                    "sequence": 1000,
                    "name": variant.get("sku"),
                    "product_id": product.id,
                }
        existing = {image.image_key: image for image in binding.image_ids}
        for key, values in wanted.items():
            image = existing.pop(key, None)
            if image is None:
                image = self.env["bigcommerce.product.image"].create(
                    {
                        "instance_id": self.instance.id,
                        "product_binding_id": binding.id,
                        "image_key": key,
                        **values,
                    }
                )
            else:
                changed = {
                    k: v
                    for k, v in values.items()
                    if (image[k].id if k == "product_id" else image[k]) != v
                }
                if changed:
                    image.write(changed)
            if image.downloaded_key != image._source_key():
                if image.state != "pending":
                    image.state = "pending"
                self.images_to_download |= image
        # Images removed in BigCommerce: the records go (the template's
        # primary picture stays until another one replaces it).
        for image in existing.values():
            image.unlink()

    # ------------------------------------------------------------------
    # Deletions
    # ------------------------------------------------------------------

    def archive(self, bindings):
        """Deleted in BigCommerce: archive bindings and products, never delete."""
        bindings = bindings.filtered("active")
        if not bindings:
            return 0
        templates = bindings.product_tmpl_id
        bindings.variant_ids.write({"active": False})
        bindings.write({"active": False})
        templates.with_context(active_test=False).write({"active": False})
        return len(bindings)
