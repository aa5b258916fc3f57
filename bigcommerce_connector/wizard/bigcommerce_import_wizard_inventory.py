from odoo import fields, models

from ..tools.rights import bigcommerce_admin_only


class BigcommerceImportWizard(models.TransientModel):
    """Stock: every mapped location, or the chosen ones."""

    _inherit = "bigcommerce.import.wizard"

    entity = fields.Selection(
        selection_add=[("inventory", "Stock")], ondelete={"inventory": "cascade"}
    )
    inventory_location_ids = fields.Many2many(
        "bigcommerce.location",
        string="Locations",
        domain="[('instance_id', '=', instance_id), "
        "('stock_location_id', '!=', False)]",
        help="Empty: every enabled location mapped to an Odoo stock location.",
    )

    @bigcommerce_admin_only
    def action_import(self):
        if self.entity != "inventory":
            return super().action_import()
        self.ensure_one()
        self.instance_id.import_inventory(
            location_ids=self.inventory_location_ids.mapped("bigcommerce_id") or None
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Import queued"),
                "message": self.env._(
                    "The stock import runs in the background; its result "
                    "appears in the logs of %s.",
                    self.instance_id.name,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
