from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    bigcommerce_inventory_level_ids = fields.One2many(
        "bigcommerce.inventory.level",
        "product_id",
        string="BigCommerce Stock",
        help="Per BigCommerce location: what BigCommerce has and what Odoo has.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    def _bigcommerce_stock_changed(self):
        """Queue the debounced stock export of the stores these products are in."""
        if not self or self.env.context.get("bigcommerce_inventory_import"):
            return
        # Stock users need not see connector records to move stock.
        bindings = (
            self.env["bigcommerce.product.variant"]
            .sudo()
            .search([("product_id", "in", self.ids)])
        )
        bindings.instance_id._queue_inventory_export_after_stock_change()
