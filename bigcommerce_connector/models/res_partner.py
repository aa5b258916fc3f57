from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    bigcommerce_customer_ids = fields.One2many(
        "bigcommerce.customer", "partner_id", string="BigCommerce Customers"
    )
