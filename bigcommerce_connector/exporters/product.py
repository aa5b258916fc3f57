"""Odoo product templates -> BigCommerce products, exactly once (listings).

The mirror of ``importers/product.py``: a template becomes one product, its
variants BigCommerce variants of options named after the attributes (labels:
the values); weights and dimensions in the store's units (read at Confirm);
prices from the store's price export pricelist, or the sale price with
"Export Odoo Product's Sale Price?", in the store's currency.

For each template of a job (``export``):

1. **claim** its row ``bigcommerce.listing.export`` (UNIQUE(instance,
   template), locked for the job: a concurrent job waits, then finds it);
2. **create** it when it is not bound: one ``POST /v3/catalog/products``
   (variants nested). Before the POST the row notes that an answer is due;
   an answer lost (timeout, connection closed, 5xx) leaves that note, and
   the next attempt (or a job run again after a crash) first looks the
   product up by SKU (variants included) or by its unique name, and binds
   it only if BigCommerce created it after our POST could have reached it.
   A 409 (duplicate name or SKU) is a clear failure on the row, never a
   bind to a stranger's product;
3. **bind the variants** a creation answered without (the answer of a POST
   carries none): one ``GET /v3/catalog/variants?product_id:in=`` per 250
   variants of the job; Odoo variants still unbound are created
   (``POST .../variants``, their option values first when new);
4. **update** what differs from what BigCommerce has (``bigcommerce_values``
   of the bindings): ``PUT /v3/catalog/products`` by 10, ``PUT
   /v3/catalog/variants`` by 50 (SKU and GTIN, which the batch cannot carry,
   one variant at a time); nothing differs, nothing is sent;
5. **images** (with "Sync Listing Images?"): the template's image and its
   extra images, uploaded (multipart ``image_file``, at most 8 MB) only when
   their checksum is new to BigCommerce.

Every acknowledgement is recorded as it arrives: a job stopped by the quota
(``export`` returns the error) is run again and sends only what is left.

This file holds the job and the product level; the creation is in
``product_create.py``, the variants in ``product_variant.py``, the images in
``listing_image.py`` and the decisions that need no Odoo in
``listing_plan.py``.
"""

import logging

import psycopg2

from odoo import fields
from odoo.tools import float_compare, float_round, html2plaintext, plaintext2html

from ..client import (
    BigCommerceError,
    RetryableError,
)
from ..client.parsing import parse_datetime
from ..tools.job_retry import _current_job
from . import listing_plan as plan_rules
from .listing_image import ProductImagesMixin
from .outcome import ExportOutcome
from .product_create import ListingRefused, ProductCreationMixin
from .product_variant import ProductVariantsMixin

_logger = logging.getLogger(__name__)


class Plan:
    """What one template should look like in BigCommerce, and its state."""

    def __init__(self, template, row, binding):
        self.template = template
        self.row = row
        self.binding = binding
        self.multi = False
        self.product = {}  # product-level fields (create and update)
        self.create_only = {}  # sent when creating only
        self.categories = []
        self.variants = []  # (product.product, values, [(option, label)])
        self.notes = []
        self.version = None
        self.sent = False
        self.created = False
        self.failed = False

    @property
    def name(self):
        return self.product.get("name")


class ProductExporter(
    ProductCreationMixin, ProductVariantsMixin, ProductImagesMixin, ExportOutcome
):
    sent_column = "created"

    def __init__(self, instance, client, recorder=None):
        super().__init__(instance, client, recorder)
        self.company = instance.company_id
        self.currency = instance.currency_id or self.company.currency_id
        templates = self.env["product.template"]
        self.odoo_weight_uom = templates._get_weight_uom_id_from_ir_config_parameter()
        self.odoo_length_uom = templates._get_length_uom_id_from_ir_config_parameter()
        self.weight_digits = self.env["decimal.precision"].precision_get("Stock Weight")
        self.started = fields.Datetime.now()
        job = _current_job(self.env)
        # A job run again (queue_job's retry, or found dead after a crash)
        # may follow a creation whose answer was lost with its transaction.
        self.rerun = bool(job and job.retry)
        self.job_since = job.date_created if job else None
        self.unanswered = self.env["bigcommerce.listing.export"]
        self.bindings = self.env["bigcommerce.product"].with_context(active_test=False)
        self.variant_bindings = self.env["bigcommerce.product.variant"].with_context(
            active_test=False
        )

    # ------------------------------------------------------------------
    # One job
    # ------------------------------------------------------------------

    def export(self, templates):
        """Send ``templates``; None, or the transient error that stopped it.

        Stopped, what was acknowledged is kept and the rows of the others
        stay *To Send*: the same templates run again later and send only
        what is left.
        """
        plans = []
        for template in templates.sorted("id"):
            row = self.env["bigcommerce.listing.export"]._claim(self.instance, template)
            try:
                with self.env.cr.savepoint():
                    plan = self._plan(template, row)
            except ListingRefused as refusal:
                self._refuse(row, str(refusal))
                continue
            except psycopg2.Error:
                raise  # concurrency: queue_job runs the job again
            except Exception as error:  # noqa: BLE001 - kept on the row, with Retry
                _logger.exception("Listing of %s could not be prepared", template)
                self._refuse(row, self.env._("Unexpected error: %s", error))
                continue
            if plan is not None:
                plans.append(plan)
        try:
            self._create_all([p for p in plans if not p.binding])
            live = [p for p in plans if p.binding and not p.failed]
            self._read_missing_values(live)
            # An archived template gets no new variant, only hidden.
            self._bind_variants([p for p in live if p.multi and p.template.active])
            self._update_products(live)
            self._update_variants([p for p in live if p.multi and not p.failed])
            self._sync_images([p for p in live if not p.failed])
        except RetryableError as error:
            return error
        for plan in plans:
            self._finish(plan)
        return None

    # ------------------------------------------------------------------
    # What the template should look like
    # ------------------------------------------------------------------

    def _plan(self, template, row):
        instance = self.instance
        if template.company_id and template.company_id != self.company:
            raise ListingRefused(
                self.env._(
                    "%(product)s belongs to %(company)s, the store to %(store)s.",
                    product=template.display_name,
                    company=template.company_id.name,
                    store=self.company.name,
                )
            )
        binding = self.bindings.search(
            [
                ("instance_id", "=", instance.id),
                ("product_tmpl_id", "=", template.id),
                ("active", "=", True),
            ],
            order="id",
            limit=1,
        )
        # The version compared: a change committed later, even by a
        # transaction that started earlier, has a later write_date.
        version = max(
            [template.write_date]
            + template.with_context(active_test=False).product_variant_ids.mapped(
                "write_date"
            )
        )
        if not binding and not template.active:
            self._skip(row, self.env._("Archived in Odoo: not created in BigCommerce."))
            row.checked_at = version
            return None
        if row.state != "done":
            row.attempt_count += 1
        plan = Plan(template, row, binding)
        plan.version = version
        # Active variants only (the job reads archived templates too); an
        # archived template's variants were archived with it: it is sent
        # with them, hidden.
        template = template.with_context(
            lang=instance.lang or self.env.lang, active_test=template.active
        )
        variants = template.product_variant_ids
        if not variants:
            raise ListingRefused(self.env._("The product has no active variant."))
        plan.multi = bool(variants.product_template_attribute_value_ids)
        prices = {variant: self._price(variant) for variant in variants}
        first = variants[0]
        known = binding.bigcommerce_values or {}
        plan.product = {
            "name": template.name,
            "description": self._description(template, known),
            "price": min(prices.values()),
            "cost_price": self._money(first.standard_price, self.company.currency_id),
            "weight": self._weight(first.weight, known.get("weight")),
            "is_visible": bool(template.active and template.sale_ok),
        }
        for field, value in self._dimensions(template, known).items():
            plan.product[field] = value
        if template.bigcommerce_brand_id:
            brand = self._brand(template.bigcommerce_brand_id)
            if brand:
                plan.product["brand_id"] = brand
        plan.categories = self._categories(template)
        plan.create_only = {
            "type": "digital" if template.type == "service" else "physical",
            "inventory_tracking": (
                ("variant" if plan.multi else "product")
                if template.is_storable
                else "none"
            ),
        }
        if not plan.multi:
            plan.product["sku"] = first.default_code or ""
            plan.product.update(self._barcode(plan, first))
            return plan
        seen = {}
        for variant in variants:
            sku = (variant.default_code or "").strip()
            if not sku:
                raise ListingRefused(
                    self.env._(
                        "The variant %s has no Internal Reference: BigCommerce "
                        "needs a SKU on every variant of a product with options.",
                        variant.display_name,
                    )
                )
            if sku.casefold() in seen:
                raise ListingRefused(
                    self.env._(
                        "The variants %(a)s and %(b)s have the same Internal "
                        "Reference %(sku)s.",
                        a=seen[sku.casefold()].display_name,
                        b=variant.display_name,
                        sku=sku,
                    )
                )
            seen[sku.casefold()] = variant
            vb = self._variant_binding(binding, variant)
            vknown = vb.bigcommerce_values or {}
            values = {
                "sku": sku,
                "price": prices[variant],
                "cost_price": self._money(
                    variant.standard_price, self.company.currency_id
                ),
                "weight": self._weight(
                    variant.weight, plan_rules.effective(vknown, known, "weight")
                ),
            }
            values.update(self._barcode(plan, variant))
            options = [
                (ptav.attribute_id.name, ptav.name)
                for ptav in variant.product_template_attribute_value_ids
            ]
            plan.variants.append((variant, values, options))
        return plan

    def _description(self, template, known):
        """The sales description as HTML; BigCommerce's own HTML when it says
        the same text (the import made the description of it)."""
        text = (template.description_sale or "").strip()
        html = known.get("description")
        if isinstance(html, str) and (html2plaintext(html) or "").strip() == text:
            return html
        return plaintext2html(text) if text else ""

    def _price(self, product):
        """The price BigCommerce shows, in the store's currency (as the price
        export computes it)."""
        instance = self.instance
        pricelist = instance.price_pricelist_id
        if instance.export_sale_price or not pricelist:
            price, currency = product.lst_price, product.currency_id
        else:
            price = pricelist._get_product_price(product, 1.0)
            currency = pricelist.currency_id
        return self._money(price, currency or self.company.currency_id)

    def _money(self, amount, currency):
        if currency != self.currency:
            amount = currency._convert(
                amount,
                self.currency,
                self.company,
                fields.Date.context_today(self.instance),
                round=False,
            )
        return float_round(amount, precision_digits=self.currency.decimal_places)

    def _weight(self, odoo_value, known):
        """An Odoo weight in the store's unit; BigCommerce's value when it is
        the same weight at Odoo's precision (no resend of a rounding)."""
        store_uom = self.instance.weight_uom_id or self.odoo_weight_uom
        return self._measure(
            odoo_value, known, self.odoo_weight_uom, store_uom, self.weight_digits
        )

    def _measure(self, odoo_value, known, odoo_uom, store_uom, digits):
        odoo_value = odoo_value or 0.0
        if isinstance(known, int | float) and not isinstance(known, bool):
            back = store_uom._compute_quantity(known, odoo_uom, round=False)
            if not float_compare(back, odoo_value, precision_digits=digits):
                return known
        value = odoo_uom._compute_quantity(odoo_value, store_uom, round=False)
        return float_round(value, precision_digits=plan_rules.FLOAT_DIGITS)

    def _dimensions(self, template, known):
        store_uom = self.instance.dimension_uom_id
        if not store_uom:
            return {}
        return {
            field: self._measure(
                template[f"bigcommerce_{field}"],
                known.get(field),
                self.odoo_length_uom,
                store_uom,
                2,
            )
            for field in ("width", "height", "depth")
        }

    def _barcode(self, plan, product):
        values, problem = plan_rules.barcode_fields(product.barcode)
        if problem:
            plan.notes.append(f"{product.display_name}: {problem}")
            return {}
        return values

    def _brand(self, brand):
        if brand.instance_id == self.instance:
            return brand.bigcommerce_id
        same = self.env["bigcommerce.brand"].search(
            [("instance_id", "=", self.instance.id), ("name", "=ilike", brand.name)],
            limit=1,
        )
        return same.bigcommerce_id or None

    def _categories(self, template):
        categories = self.env["bigcommerce.category"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("product_category_id", "=", template.categ_id.id),
            ]
        )
        return sorted(categories.mapped("bigcommerce_id"))

    def _variant_binding(self, binding, variant):
        if not binding:
            return self.variant_bindings
        return binding.variant_ids.filtered(
            lambda vb: vb.product_id == variant and vb.active
        )[:1]

    # ------------------------------------------------------------------
    # Updates: only what changed, in batches
    # ------------------------------------------------------------------

    def _read_missing_values(self, plans):
        """Bindings made before Odoo kept BigCommerce's values: read them once
        (250 a request) instead of sending every field."""
        missing = [p for p in plans if not p.binding.bigcommerce_values]
        for chunk in plan_rules.chunks(missing, 250):
            by_id = {plan.binding.bigcommerce_id: plan for plan in chunk}
            rows = self.client.find_products(
                **{
                    "id:in": ",".join(map(str, sorted(by_id))),
                    "include": "variants",
                    "limit": 250,
                }
            )
            for row in rows:
                plan = by_id[row["id"]]
                plan.binding.bigcommerce_values = plan_rules.product_values(row)
                for variant in row.get("variants") or []:
                    vb = plan.binding.variant_ids.filtered(
                        lambda b, v=variant: b.bigcommerce_id == v["id"]
                    )
                    vb.bigcommerce_values = plan_rules.variant_values(variant)

    def _product_changes(self, plan):
        known = plan.binding.bigcommerce_values or {}
        wanted = dict(plan.product)
        if not known.get("brand_id") and "brand_id" not in wanted:
            wanted.pop("brand_id", None)
        changes = plan_rules.changed(wanted, known)
        categories = plan_rules.categories_to_send(
            plan.categories, known.get("categories"), creating=False
        )
        if categories is not None:
            changes["categories"] = categories
        return changes

    def _update_products(self, plans):
        batch = []
        for plan in plans:
            changes = self._product_changes(plan)
            if changes:
                batch.append((plan, {"id": plan.binding.bigcommerce_id, **changes}))
        for chunk in plan_rules.chunks(batch, plan_rules.PRODUCT_BATCH):
            self._send_products(chunk)

    def _send_products(self, chunk):
        try:
            rows = self.client.update_products([body for _plan, body in chunk])
        except BigCommerceError as error:
            if error.retryable:
                raise
            if len(chunk) == 1:
                plan = chunk[0][0]
                self._fail_plan(plan, self._refusal(plan, error))
                return
            # BigCommerce refuses the whole batch without saying which
            # product: each is sent alone, so the others still go.
            for entry in chunk:
                self._send_products([entry])
            return
        by_id = {row["id"]: row for row in rows or []}
        for plan, body in chunk:
            row = by_id.get(body["id"])
            binding = plan.binding
            if row:
                binding.write(
                    {
                        "bigcommerce_values": plan_rules.product_values(row),
                        "name": row.get("name"),
                        "sku": row.get("sku"),
                        "price": row.get("price") or 0.0,
                        "is_visible": bool(row.get("is_visible")),
                        "date_modified": parse_datetime(row["date_modified"]).replace(
                            tzinfo=None
                        )
                        if row.get("date_modified")
                        else binding.date_modified,
                    }
                )
            else:
                binding.bigcommerce_values = plan_rules.after_sent(
                    binding.bigcommerce_values,
                    {k: v for k, v in body.items() if k != "id"},
                )
            if not plan.multi:
                # A product without options is its base variant: its SKU and
                # codes moved with the product's.
                base = binding.variant_ids.filtered("active")[:1]
                codes = {k: body[k] for k in ("sku", "upc", "gtin") if k in body}
                if base.bigcommerce_values and codes:
                    base.bigcommerce_values = {**base.bigcommerce_values, **codes}
            plan.sent = True

    # ------------------------------------------------------------------
    # Outcome
    # ------------------------------------------------------------------

    def _label(self, row):
        return row.product_tmpl_id.display_name

    def _refuse(self, row, reason):
        if row.state != "done":
            row.attempt_count += 1
        self._fail(row, reason)

    def _fail_plan(self, plan, reason):
        plan.failed = True
        self._fail(plan.row, reason)

    def _finish(self, plan):
        if plan.failed:
            return
        row = plan.row
        values = {
            "state": "done",
            "failure_reason": False,
            "checked_at": plan.version,
            "note": "\n".join(plan.notes) or False,
            "product_binding_id": plan.binding.id,
        }
        if plan.sent:
            values["date_sent"] = fields.Datetime.now()
        row.write(values)
        if plan.created:
            self._count("sent")
        elif plan.sent:
            self.counts["updated"] += 1
            if self.recorder:
                self.recorder.add_counts(updated=1)
        else:
            self._count("unchanged")
        for note in plan.notes:
            self._note(f"{self._label(row)}: {note}")
