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
from odoo.tools import SQL

from ..client.parsing import parse_datetime
from ..exporters import listing_plan
from ..tools.sql_claim import insert_missing_bindings
from .brand import BrandImporter
from .category import CategoryImporter
from .product_variants import ProductVariantsMixin, _key

_logger = logging.getLogger(__name__)

PAGE_SIZE = 250
PRODUCT_INCLUDES = "variants,images"


class ProductImporter(ProductVariantsMixin):
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
