from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # What an invoice of part of the order is checked against when the store
    # invoices per delivery (“Create Single Invoice?” off): BigCommerce's own
    # figure, kept apart from the line's price, which a user may edit.
    bigcommerce_charged = fields.Monetary(
        string="Charged by BigCommerce",
        copy=False,
        readonly=True,
        help="What BigCommerce charged for the whole line, tax included.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
