from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.bigcommerce_instance_golive import HISTORY_CHOICES
from ..tools.rights import bigcommerce_admin_only


class BigcommerceImportWizard(models.TransientModel):
    """Import orders, refunds, customers or the catalog: all, by ids or dates."""

    _name = "bigcommerce.import.wizard"
    _description = "Import from BigCommerce"

    instance_id = fields.Many2one(
        "bigcommerce.instance",
        required=True,
        default=lambda self: self.env.context.get("active_id"),
        domain=[("state", "=", "confirmed")],
    )
    entity = fields.Selection(
        [
            ("orders", "Orders"),
            ("refunds", "Refunds"),
            ("customers", "Customers"),
            ("products", "Products"),
            ("categories", "Categories"),
            ("brands", "Brands"),
        ],
        default="orders",
        required=True,
    )
    mode = fields.Selection(
        [
            ("ids", "By BigCommerce ID"),
            ("dates", "In a date range"),
            ("all", "Everything"),
        ],
        default="ids",
        required=True,
    )
    bigcommerce_ids = fields.Char(
        string="BigCommerce IDs", help="Comma or space separated, e.g. 101, 102"
    )
    refund_id_kind = fields.Selection(
        [("refund", "Refund IDs"), ("order", "Order IDs")],
        string="The IDs Are",
        default="refund",
        required=True,
        help="Refunds by their own id, or every refund of the given orders.",
    )
    date_from = fields.Datetime()
    date_to = fields.Datetime(help="Empty: up to now.")
    date_field = fields.Selection(
        [("modified", "Modification date"), ("created", "Creation date")],
        string="Date Range On",
        default="modified",
        required=True,
        help="Creation date: the records made in the range (“the orders of "
        "last week”); modification date: also the older ones changed in it. "
        "Refunds are never modified: both filter on their creation date.",
    )

    history = fields.Selection(
        HISTORY_CHOICES,
        string="Orders Before Go-Live",
        # The safe answer is preselected; the question is shown whenever the
        # import may reach older orders.
        default="reference",
        help="What to do with the orders created before the store's go-live "
        "date: book them like any order, or keep them for reference (their "
        "amounts, visible and reconcilable, without sale order, invoice or "
        "delivery). Importing everything never books them.",
    )
    go_live_date = fields.Datetime(related="instance_id.go_live_date")
    asks_history = fields.Boolean(compute="_compute_asks_history")

    @api.depends("entity", "mode", "date_from", "instance_id.go_live_date")
    def _compute_asks_history(self):
        for wizard in self:
            go_live = wizard.instance_id.go_live_date
            wizard.asks_history = bool(
                wizard.entity == "orders"
                and go_live
                and (
                    wizard.mode == "ids"
                    or (
                        wizard.mode == "dates"
                        and wizard.date_from
                        and wizard.date_from < go_live
                    )
                )
            )

    def _parsed_ids(self):
        tokens = (self.bigcommerce_ids or "").replace(",", " ").split()
        if not tokens or not all(token.isdigit() for token in tokens):
            raise UserError(
                self.env._("Enter BigCommerce ids as numbers, e.g. “101, 102”.")
            )
        return [int(token) for token in tokens]

    @bigcommerce_admin_only
    def action_import(self):
        self.ensure_one()
        instance = self.instance_id
        if self.mode == "dates" and not self.date_from:
            raise UserError(self.env._("Enter the start of the date range."))
        ids = self._parsed_ids() if self.mode == "ids" else None
        dates = self.mode == "dates"
        date_from = self.date_from if dates else None
        date_to = self.date_to if dates else None
        if dates and date_to and date_to < date_from:
            raise UserError(self.env._("The range ends before it starts."))
        date_field = self.date_field if dates else "modified"
        if self.entity == "orders":
            if self.asks_history and not self.history:
                raise UserError(
                    self.env._(
                        "Say what to do with the orders created before the "
                        "go-live date (%s): book them, or keep them for "
                        "reference only.",
                        self.go_live_date,
                    )
                )
            instance.import_orders(
                order_ids=ids,
                date_from=date_from,
                date_to=date_to,
                date_field=date_field,
                history=self.history if self.asks_history else None,
            )
        elif self.entity == "refunds":
            by_order = self.refund_id_kind == "order"
            instance.import_refunds(
                refund_ids=None if by_order else ids,
                order_ids=ids if by_order else None,
                since=date_from,
                until=date_to,
            )
        elif self.entity == "customers":
            instance.import_customers(
                customer_ids=ids, since=date_from, until=date_to, date_field=date_field
            )
        elif self.entity == "products":
            instance.import_products(product_ids=ids, since=date_from)
        elif self.entity == "categories":
            instance.import_categories(category_ids=ids)
        else:
            instance.import_brands(brand_ids=ids)
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
