"""The creation of a listing, exactly once (``exporters/product.py`` runs it).

One ``POST /v3/catalog/products`` per new template (its variants nested).
Before the POST the template's row notes that an answer is due; an answer
lost (timeout, connection closed, 5xx after BigCommerce created it) keeps
that note, and the next attempt (or the job run again after its worker died:
queue_job's retry count moved on) first looks the product up by SKU
(variants included) or by its unique name, and binds it only if BigCommerce
created it after our POST could have reached it. A 409 (a duplicate name or
SKU) is a clear failure on the row, never a bind to a stranger's product.
"""

from odoo import Command, fields

from ..client import BigCommerceError, RateLimitError, RetryableError
from ..client.parsing import parse_datetime
from . import listing_plan as plan_rules


class ListingRefused(Exception):
    """A template that cannot be sent as it is (no SKU on a variant...)."""


class ProductCreationMixin:
    """The creation half of ``ProductExporter``."""

    # ------------------------------------------------------------------
    # Creation, exactly once
    # ------------------------------------------------------------------

    def _create_body(self, plan):
        body = {**plan.product, **plan.create_only, "categories": plan.categories}
        if plan.multi:
            body["variants"] = [
                {
                    **{k: v for k, v in values.items() if v != "" or k == "sku"},
                    "option_values": [
                        {"option_display_name": option, "label": label}
                        for option, label in options
                    ],
                }
                for _variant, values, options in plan.variants
            ]
        for field in ("upc", "gtin"):
            if not body.get(field):
                body.pop(field, None)
        if not body.get("sku"):
            body.pop("sku", None)
        return body

    def _create_all(self, plans):
        for plan in plans:
            row = plan.row
            if row.create_attempted_at or self.rerun:
                # An earlier creation may have reached BigCommerce.
                try:
                    with self.env.cr.savepoint():
                        if self._bind_existing(plan):
                            continue
                except ListingRefused as refusal:
                    self._fail_plan(plan, str(refusal))
                    continue
            body = self._create_body(plan)
            # Noted before the POST and kept if its answer is lost: the next
            # attempt looks the product up before posting again.
            row.create_attempted_at = fields.Datetime.now()
            try:
                answer = self.client.create_product(body)
            except RateLimitError:
                row.create_attempted_at = False  # refused by the quota, not made
                raise
            except RetryableError as error:
                self._unanswered(plan, error)
                continue
            except BigCommerceError as error:
                row.create_attempted_at = False
                self._fail_plan(plan, self._refusal(plan, error))
                continue
            with self.env.cr.savepoint():
                self._bind_product(plan, answer, created=True)

    def _bind_existing(self, plan):
        """Look the product up after a lost answer; bind it if it is ours."""
        found = self._find_existing(plan)
        if not found:
            return False
        since = plan.row.create_attempted_at or self.job_since or self.started
        other = self.bindings.search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", found["id"]),
                ("product_tmpl_id", "not in", [False, plan.template.id]),
            ],
            limit=1,
        )
        if other or not plan_rules.is_ours(found, since, parse_datetime):
            raise ListingRefused(self._stranger_message(plan, found))
        self._bind_product(plan, found, created=True)
        self._note(
            self.env._(
                "%(product)s: BigCommerce had created it (id %(id)s) but its "
                "answer was lost: bound, not posted again.",
                product=plan.template.display_name,
                id=found["id"],
            )
        )
        return True

    def _find_existing(self, plan):
        include = {"include": "variants,images"}
        sku = plan.product.get("sku")
        if sku:
            rows = self.client.find_products(sku=sku, **include)
            if rows:
                return rows[0]
        for _variant, values, _options in plan.variants[:1]:
            for row in self.client.iter_variants(sku=values["sku"]):
                rows = self.client.find_products(
                    **{"id:in": str(row["product_id"])}, **include
                )
                if rows:
                    return rows[0]
        rows = self.client.find_products(name=plan.name, **include)
        return rows[0] if rows else None

    def _stranger_message(self, plan, found):
        return self.env._(
            "A product named %(name)s already exists in BigCommerce (id "
            "%(id)s) and was not created by this export: bind it (import "
            "BigCommerce product %(id)s: the import binds it to the Odoo product "
            "with the same SKU) or rename this product.",
            name=found.get("name") or plan.name,
            id=found["id"],
        )

    def _refusal(self, plan, error):
        """The row's reason for a refused product (409: whose product)."""
        if error.status == 404 and plan.binding:
            return self.env._(
                "BigCommerce no longer has product %s (deleted there?): the "
                "catalog import archives its binding, then the product can be "
                "exported again.",
                plan.binding.bigcommerce_id,
            )
        if error.status != 409:
            return self.env._("BigCommerce refused the product: %s", error.message)
        found = None
        try:
            rows = []
            if "sku" in error.details and plan.product.get("sku"):
                rows = self.client.find_products(sku=plan.product["sku"])
            if not rows:
                rows = self.client.find_products(name=plan.name)
            found = rows[0] if rows else None
        except BigCommerceError:
            found = None
        if "sku" in error.details:
            return self.env._(
                "A SKU of %(name)s is already used in BigCommerce%(where)s: "
                "bind that product (import it: the import binds it to the Odoo "
                "product with the same SKU) or change the Internal Reference. "
                "BigCommerce: %(reason)s",
                name=plan.name,
                where=f" (product {found['id']})" if found else "",
                reason=error.message,
            )
        if found:
            return self._stranger_message(plan, found)
        return self.env._(
            "BigCommerce refused the product as a duplicate (409): %s", error.message
        )

    def _unanswered(self, plan, error):
        """The POST's answer was lost: BigCommerce may have the product."""
        reason = self.env._(
            "BigCommerce did not answer the creation (%s): it may have created "
            "the product, so the next attempt looks it up by SKU or name before "
            "posting again.",
            error.message,
        )
        inline = bool(self.env.context.get("queue_job__no_delay"))
        plan.failed = True
        if inline:
            self._fail(plan.row, reason)
        else:
            plan.row.write({"state": "pending", "failure_reason": reason})
            self._note(f"{self._label(plan.row)}: {reason}", level="error")
            self.unanswered |= plan.row

    def _bind_product(self, plan, row, created):
        """Bind the template to BigCommerce product ``row`` (a POST's answer,
        or a product found by a lookup, then with its variants)."""
        template = plan.template
        brand = self.env["bigcommerce.brand"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", row.get("brand_id") or 0),
            ],
            limit=1,
        )
        values = {
            "product_tmpl_id": template.id,
            "name": row.get("name"),
            "sku": row.get("sku"),
            "product_type": row.get("type")
            if row.get("type") in ("physical", "digital")
            else False,
            "inventory_tracking": row.get("inventory_tracking") or "none",
            "base_variant_id": row.get("base_variant_id") or False,
            "price": row.get("price") or 0.0,
            "date_modified": parse_datetime(row["date_modified"]).replace(tzinfo=None)
            if row.get("date_modified")
            else False,
            "is_visible": bool(row.get("is_visible")),
            "availability": row.get("availability"),
            "brand_id": brand.id,
            "category_ids": [
                Command.set(
                    self.env["bigcommerce.category"]
                    .search(
                        [
                            ("instance_id", "=", self.instance.id),
                            ("bigcommerce_id", "in", row.get("categories") or []),
                        ]
                    )
                    .ids
                )
            ],
            "bigcommerce_values": plan_rules.product_values(row),
            "active": True,
        }
        binding = self.bindings.search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", row["id"]),
            ],
            limit=1,
        )
        if binding:
            binding.write(values)
        else:
            binding = self.bindings.create(
                {"instance_id": self.instance.id, "bigcommerce_id": row["id"], **values}
            )
        plan.binding = binding
        plan.row.write(
            {
                "product_binding_id": binding.id,
                "create_attempted_at": False,
                "failure_reason": False,
            }
        )
        plan.created = plan.sent = created
        if not plan.multi:
            base_id = row.get("base_variant_id") or next(
                (v["id"] for v in row.get("variants") or []), None
            )
            if base_id:
                variant = plan.template.with_context(
                    active_test=True
                ).product_variant_ids[:1]
                self._bind_variant(binding, variant, {"id": base_id}, base=True)
        elif row.get("variants"):
            self._match_variants(plan, row["variants"])
