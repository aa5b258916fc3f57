from odoo import api, fields, models


class BigcommerceLocation(models.Model):
    """Where a BigCommerce location's stock lives in Odoo.

    Only a location that BigCommerce has enabled, that is mapped to an Odoo
    stock location and whose *Sync Stock* is on is ever imported or
    exported: an unmapped location is never touched.
    """

    _inherit = "bigcommerce.location"

    stock_location_id = fields.Many2one(
        "stock.location",
        string="Stock Location",
        compute="_compute_stock_location_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Odoo location whose stock (with its sub-locations) is this "
        "location's stock; default: the warehouse's stock location.",
    )
    sync_stock = fields.Boolean(
        string="Sync Stock",
        default=True,
        help="Import and export this location's stock (when it is enabled in "
        "BigCommerce and mapped to a stock location).",
    )

    @api.depends("warehouse_id")
    def _compute_stock_location_id(self):
        for location in self:
            if location.warehouse_id:
                location.stock_location_id = location.warehouse_id.lot_stock_id
            else:
                # Keep a location chosen by hand: the warehouse only
                # proposes its stock location.
                location.stock_location_id = location.stock_location_id

    def _upsert_from_bigcommerce(self, instance, rows):
        result = super()._upsert_from_bigcommerce(instance, rows)
        # A store without multi-location inventory has one (default)
        # location: its stock is the instance's warehouse. With several
        # locations nothing is mapped for the admin (never touch stock the
        # merchant has not pointed at).
        locations = self.search([("instance_id", "=", instance.id)])
        if len(locations) == 1 and not locations.warehouse_id and instance.warehouse_id:
            locations.warehouse_id = instance.warehouse_id
        return result

    def _is_inventory_synced(self):
        self.ensure_one()
        return bool(self.enabled and self.sync_stock and self.stock_location_id)
