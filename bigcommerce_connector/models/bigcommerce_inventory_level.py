from odoo import api, fields, models

from ..tools.rights import bigcommerce_admin_only


class BigcommerceInventoryLevel(models.Model):
    """The stock of one bound variant at one BigCommerce location.

    ``bigcommerce_quantity`` is what BigCommerce last acknowledged (an
    absolute adjustment it answered 200 to) or last showed (an import): an
    export sends only the items whose Odoo quantity differs from it.
    UNIQUE(variant, location) keeps one row per item, whatever the number of
    exports running or retried.
    """

    _name = "bigcommerce.inventory.level"
    _description = "BigCommerce stock level per variant and location"
    _order = "instance_id, variant_binding_id, location_binding_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    variant_binding_id = fields.Many2one(
        "bigcommerce.product.variant",
        string="BigCommerce Variant",
        required=True,
        ondelete="cascade",
        check_company=True,
    )
    location_binding_id = fields.Many2one(
        "bigcommerce.location",
        string="BigCommerce Location",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    product_id = fields.Many2one(
        related="variant_binding_id.product_id", store=True, index=True
    )
    sku = fields.Char(related="variant_binding_id.sku")
    stock_location_id = fields.Many2one(related="location_binding_id.stock_location_id")
    bigcommerce_quantity = fields.Integer(
        string="BigCommerce Quantity",
        readonly=True,
        help="What BigCommerce last acknowledged (export) or showed (import).",
    )
    acknowledged = fields.Boolean(
        readonly=True,
        help="BigCommerce's quantity is known (imported, or an export was "
        "acknowledged); until then the item is always sent.",
    )
    odoo_quantity = fields.Integer(
        string="Odoo Quantity",
        readonly=True,
        help="Odoo's quantity (per the store's Stock Based On, negatives as 0) "
        "when it was last computed by an export.",
    )
    stock_differs = fields.Boolean(
        compute="_compute_stock_differs",
        store=True,
        index=True,
        help="Odoo's quantity at the last check is not what BigCommerce has.",
    )
    synced_at = fields.Datetime(string="Last Acknowledged", readonly=True)
    checked_at = fields.Datetime(string="Last Checked", readonly=True)
    error = fields.Char(readonly=True, help="Why BigCommerce refused the last export.")
    failed_at = fields.Datetime(readonly=True)

    _variant_location_uniq = models.Constraint(
        "UNIQUE(variant_binding_id, location_binding_id)",
        "A variant has one stock level per BigCommerce location.",
    )

    @api.depends("bigcommerce_quantity", "odoo_quantity", "acknowledged")
    def _compute_stock_differs(self):
        for level in self:
            level.stock_differs = (
                not level.acknowledged
                or level.odoo_quantity != level.bigcommerce_quantity
            )

    @bigcommerce_admin_only
    def action_export_now(self):
        """Export the selected items' products now (button of the list)."""
        for instance in self.instance_id:
            levels = self.filtered(lambda level, i=instance: level.instance_id == i)
            instance.export_inventory(product_ids=levels.product_id.ids)
        return True

    @api.model
    def _upsert(self, instance, location, values_by_variant):
        """Create or update the levels of ``location`` for the given variant
        bindings (ids) with their values; one search, grouped writes.

        Inventory jobs of one store run one at a time (see
        ``_lock_inventory``), so no other transaction creates these rows
        meanwhile; the unique key would refuse a duplicate anyway.
        """
        if not values_by_variant:
            return self
        existing = self.search(
            [
                ("location_binding_id", "=", location.id),
                ("variant_binding_id", "in", list(values_by_variant)),
            ]
        )
        for level in existing:
            values = values_by_variant[level.variant_binding_id.id]
            if any(level[name] != value for name, value in values.items()):
                level.write(values)
        known = set(existing.variant_binding_id.ids)
        return existing | self.create(
            [
                {
                    "instance_id": instance.id,
                    "location_binding_id": location.id,
                    "variant_binding_id": variant_id,
                    **values,
                }
                for variant_id, values in values_by_variant.items()
                if variant_id not in known
            ]
        )
