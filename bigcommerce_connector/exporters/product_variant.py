"""The variants of a listing: bound after a creation, created when new in
Odoo, updated by 50 (``exporters/product.py`` runs them).

A creation's answer carries no variants (product_Full): the variants of a
job's products are read together, 250 a request
(``GET /v3/catalog/variants?product_id:in=``), and bound by SKU, then by
their options. An Odoo variant BigCommerce lacks is created with
``POST /v3/catalog/products/{id}/variants`` after its option values
(``POST .../options``, ``.../options/{id}/values``): BigCommerce wants them
to exist first. A variant removed in Odoo is never deleted in BigCommerce:
it is reported on the listing.
"""

from odoo import fields

from ..client import BigCommerceError
from . import listing_plan as plan_rules

OPTION_TYPE = "rectangles"


class ProductVariantsMixin:
    """The variant half of ``ProductExporter``."""

    # ------------------------------------------------------------------
    # Variants
    # ------------------------------------------------------------------

    def _bind_variant(self, binding, product, row, base=False, sent=None):
        """Bind Odoo variant ``product`` to BigCommerce variant ``row``.

        ``GET /catalog/variants`` leaves out ``gtin``: what was sent is
        taken as known (or nothing, for a variant not made by this export).
        """
        stale = self.variant_bindings.search(
            [
                ("instance_id", "=", self.instance.id),
                ("product_id", "=", product.id),
                ("bigcommerce_id", "!=", row["id"]),
            ]
        )
        stale.write({"product_id": False, "active": False})
        values = {
            "product_binding_id": binding.id,
            "bigcommerce_product_id": binding.bigcommerce_id,
            "product_id": product.id,
            "sku": row.get("sku") or product.default_code,
            "price": row.get("calculated_price") or row.get("price") or 0.0,
            "is_base_variant": base or not row.get("option_values"),
            "bigcommerce_values": self._known_variant(row, sent) if not base else {},
            "active": True,
        }
        known = self.variant_bindings.search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", row["id"]),
            ],
            limit=1,
        )
        if known:
            known.write(values)
            return known
        return self.variant_bindings.create(
            {"instance_id": self.instance.id, "bigcommerce_id": row["id"], **values}
        )

    @staticmethod
    def _known_variant(row, sent):
        values = plan_rules.variant_values(row)
        if "gtin" not in row:
            values["gtin"] = (sent or {}).get("gtin", "")
        return values

    def _unbound(self, plan):
        bound = plan.binding.variant_ids.filtered("active").product_id
        return [entry for entry in plan.variants if entry[0] not in bound]

    def _bind_variants(self, plans):
        """Bind the Odoo variants that have no BigCommerce variant yet: read
        the products' variants (250 a request), match by SKU, then by their
        options; create the others."""
        todo = [plan for plan in plans if self._unbound(plan)]
        if not todo:
            return
        by_product = {plan.binding.bigcommerce_id: plan for plan in todo}
        rows = {}
        for chunk in plan_rules.chunks(sorted(by_product), plan_rules.VARIANT_PAGE):
            for row in self.client.iter_variants(
                **{"product_id:in": ",".join(map(str, chunk))}
            ):
                rows.setdefault(row["product_id"], []).append(row)
        for product_id, plan in by_product.items():
            self._match_variants(plan, rows.get(product_id, []))
            missing = self._unbound(plan)
            if missing and not plan.failed:
                try:
                    with self.env.cr.savepoint():
                        self._create_variants(plan, missing)
                except BigCommerceError as error:
                    if error.retryable:
                        raise
                    self._fail_plan(
                        plan,
                        self.env._(
                            "BigCommerce refused a new variant: %s", error.message
                        ),
                    )

    def _match_variants(self, plan, rows):
        by_sku = {(row.get("sku") or "").casefold(): row for row in rows}
        by_options = {plan_rules.row_combination(row): row for row in rows}
        taken = set(
            plan.binding.variant_ids.filtered("active").mapped("bigcommerce_id")
        )
        for variant, values, options in self._unbound(plan):
            row = by_sku.get(values["sku"].casefold()) or by_options.get(
                plan_rules.combination(options)
            )
            if row and row["id"] not in taken:
                sent = values if plan.created else None
                self._bind_variant(plan.binding, variant, row, sent=sent)
                taken.add(row["id"])
        plan.binding.invalidate_recordset(["variant_ids"])

    def _create_variants(self, plan, missing):
        """POST the variants BigCommerce lacks; their option values first."""
        product_id = plan.binding.bigcommerce_id
        options = {
            option["display_name"].casefold(): option
            for option in self.client.iter_product_options(product_id)
        }
        for variant, values, wanted in missing:
            refs = []
            for name, label in wanted:
                option = options.get(name.casefold())
                if option is None:
                    option = self.client.create_option(
                        product_id,
                        {
                            "display_name": name,
                            "type": OPTION_TYPE,
                            "option_values": [{"label": label, "sort_order": 0}],
                        },
                    )
                    options[name.casefold()] = option
                value = next(
                    (
                        v
                        for v in option.get("option_values") or []
                        if v["label"].casefold() == label.casefold()
                    ),
                    None,
                )
                if value is None:
                    value = self.client.create_option_value(
                        product_id,
                        option["id"],
                        {
                            "label": label,
                            "sort_order": len(option.get("option_values") or []),
                        },
                    )
                    option.setdefault("option_values", []).append(value)
                refs.append({"id": value["id"], "option_id": option["id"]})
            body = {k: v for k, v in values.items() if v != "" or k == "sku"}
            row = self.client.create_variant(
                product_id, {**body, "option_values": refs}
            )
            self._bind_variant(plan.binding, variant, row, sent=values)
            plan.binding.invalidate_recordset(["variant_ids"])
            plan.sent = True
            self._note(
                self.env._(
                    "%(product)s: variant %(sku)s created in BigCommerce.",
                    product=plan.template.display_name,
                    sku=values["sku"],
                )
            )

    def _update_variants(self, plans):
        batch, singles = [], []
        for plan in plans:
            known = plan.binding.bigcommerce_values or {}
            for variant, values, _options in plan.variants:
                vb = self._variant_binding(plan.binding, variant)
                if not vb:
                    continue
                changes = plan_rules.variant_changes(
                    values, vb.bigcommerce_values or {}, known
                )
                grouped = {
                    k: v
                    for k, v in changes.items()
                    if k in plan_rules.VARIANT_BATCH_FIELDS
                }
                alone = {
                    k: v
                    for k, v in changes.items()
                    if k in plan_rules.VARIANT_SINGLE_FIELDS
                }
                if grouped:
                    batch.append((plan, vb, {"id": vb.bigcommerce_id, **grouped}))
                if alone:
                    singles.append((plan, vb, alone))
            self._report_removed(plan)
        for chunk in plan_rules.chunks(batch, plan_rules.VARIANT_BATCH):
            self._send_variants(chunk)
        for plan, vb, alone in singles:
            if plan.failed:
                continue
            try:
                row = self.client.update_variant(
                    vb.bigcommerce_product_id, vb.bigcommerce_id, alone
                )
            except BigCommerceError as error:
                if error.retryable:
                    raise
                self._fail_plan(plan, self._refusal(plan, error))
                continue
            self._acknowledge_variant(vb, alone, row)
            plan.sent = True

    def _send_variants(self, chunk):
        try:
            rows = self.client.update_variants([body for _p, _vb, body in chunk])
        except BigCommerceError as error:
            if error.retryable:
                raise
            if len(chunk) == 1:
                plan = chunk[0][0]
                self._fail_plan(
                    plan,
                    self.env._("BigCommerce refused a variant: %s", error.message),
                )
                return
            for entry in chunk:
                self._send_variants([entry])
            return
        by_id = {row["id"]: row for row in rows or []}
        for plan, vb, body in chunk:
            sent = {k: v for k, v in body.items() if k != "id"}
            self._acknowledge_variant(vb, sent, by_id.get(vb.bigcommerce_id))
            plan.sent = True

    def _acknowledge_variant(self, vb, sent, row):
        values = plan_rules.after_sent(vb.bigcommerce_values, sent)
        if row:
            # The batch's answer leaves out gtin: what was known is kept.
            values.update(self._known_variant(row, values))
        vb.write(
            {
                "bigcommerce_values": values,
                "sku": values.get("sku") or vb.sku,
                "price": values.get("calculated_price") or vb.price,
                "exported_price": values.get("calculated_price") or vb.exported_price,
                "price_exported_at": fields.Datetime.now()
                if "price" in sent
                else vb.price_exported_at,
            }
        )

    def _report_removed(self, plan):
        live = {variant for variant, _values, _options in plan.variants}
        for vb in plan.binding.variant_ids.filtered("active"):
            if vb.product_id and vb.product_id not in live and not vb.is_base_variant:
                plan.notes.append(
                    self.env._(
                        "Variant %(sku)s (BigCommerce variant %(id)s) is no longer "
                        "in Odoo: not deleted in BigCommerce; delete it there if "
                        "it should go.",
                        sku=vb.sku or vb.product_id.display_name,
                        id=vb.bigcommerce_id,
                    )
                )
