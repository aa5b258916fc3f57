from odoo import fields, models

from ..tools.rights import bigcommerce_admin_only


class BigcommerceOrderEdit(models.Model):
    """One version of an order edited in BigCommerce after invoicing, and the
    moves that booked the difference (importers/order_edit.py): exactly once
    per order and BigCommerce modification date."""

    _name = "bigcommerce.order.edit"
    _description = "BigCommerce order edited after invoicing"
    _order = "id"
    _check_company_auto = True

    order_record_id = fields.Many2one(
        "bigcommerce.order", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="order_record_id.company_id", store=True)
    currency_id = fields.Many2one(related="order_record_id.currency_id")
    date_modified = fields.Datetime(string="Modified in BigCommerce", readonly=True)
    total_before = fields.Monetary(string="Booked Before", readonly=True)
    total_after = fields.Monetary(string="BigCommerce Total", readonly=True)
    credit_note_id = fields.Many2one("account.move", readonly=True, check_company=True)
    invoice_id = fields.Many2one("account.move", readonly=True, check_company=True)
    summary = fields.Text(string="Changes", readonly=True)

    _order_version_uniq = models.Constraint(
        "UNIQUE(order_record_id, date_modified)",
        "This version of the BigCommerce order is already booked.",
    )


class BigcommerceOrder(models.Model):
    _inherit = "bigcommerce.order"

    edit_ids = fields.One2many(
        "bigcommerce.order.edit",
        "order_record_id",
        string="Edits Booked",
        readonly=True,
    )
    edit_approved = fields.Boolean(
        string="Apply BigCommerce's Change",
        readonly=True,
        copy=False,
        help="A person asked to book BigCommerce's edit of this invoiced order "
        "(store policy “Send to review”); cleared once booked.",
    )

    @bigcommerce_admin_only
    def action_apply_bigcommerce_edit(self):
        """Book BigCommerce's edit of these invoiced orders: their import is
        queued again (the web request never waits for BigCommerce's quota)
        and books the difference as the "Book automatically" policy does."""
        self.write({"edit_approved": True})
        return self.action_retry()


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    order_edit_policy = fields.Selection(
        [("auto", "Book automatically"), ("review", "Send to review")],
        string="Orders Edited After Invoicing",
        default="auto",
        required=True,
        help="An order edited in BigCommerce after its invoice was posted (a "
        "line added or removed, a quantity or price changed, shipping "
        "re-quoted): book the difference (an invoice for what was added, a "
        "credit note for what was taken off) at once, or leave the order in "
        "review with a button that books it.",
    )
