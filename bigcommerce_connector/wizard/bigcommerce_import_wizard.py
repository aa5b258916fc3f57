from odoo import fields, models
from odoo.exceptions import UserError


class BigcommerceImportWizard(models.TransientModel):
    """Import customers or orders now: all, by BigCommerce ids, or by dates."""

    _name = "bigcommerce.import.wizard"
    _description = "Import from BigCommerce"

    instance_id = fields.Many2one(
        "bigcommerce.instance",
        required=True,
        default=lambda self: self.env.context.get("active_id"),
        domain=[("state", "=", "confirmed")],
    )
    entity = fields.Selection(
        [("orders", "Orders"), ("customers", "Customers")],
        default="orders",
        required=True,
    )
    mode = fields.Selection(
        [
            ("ids", "By BigCommerce ID"),
            ("dates", "Modified in a date range"),
            ("all", "Everything"),
        ],
        default="ids",
        required=True,
    )
    bigcommerce_ids = fields.Char(
        string="BigCommerce IDs", help="Comma or space separated, e.g. 101, 102"
    )
    date_from = fields.Datetime()
    date_to = fields.Datetime()

    def _parsed_ids(self):
        tokens = (self.bigcommerce_ids or "").replace(",", " ").split()
        if not tokens or not all(token.isdigit() for token in tokens):
            raise UserError(
                self.env._("Enter BigCommerce ids as numbers, e.g. “101, 102”.")
            )
        return [int(token) for token in tokens]

    def action_import(self):
        self.ensure_one()
        instance = self.instance_id
        if self.mode == "dates" and not self.date_from:
            raise UserError(self.env._("Enter the start of the date range."))
        ids = self._parsed_ids() if self.mode == "ids" else None
        date_from = self.date_from if self.mode == "dates" else None
        if self.entity == "orders":
            instance.import_orders(
                order_ids=ids,
                date_from=date_from,
                date_to=self.date_to if self.mode == "dates" else None,
            )
        else:
            instance.import_customers(customer_ids=ids, since=date_from)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Import queued"),
                "message": self.env._(
                    "The import runs in the background; its result appears in "
                    "the logs of %s.",
                    instance.name,
                ),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
