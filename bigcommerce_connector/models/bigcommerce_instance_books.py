from odoo import fields, models


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    exchange_rate_source = fields.Selection(
        [
            ("bigcommerce", "BigCommerce's rate"),
            ("odoo", "Odoo's rate when it has one"),
        ],
        string="Exchange Rate",
        default="bigcommerce",
        required=True,
        help="Rate of the company-currency amounts of orders in another "
        "currency. BigCommerce's: the rate the store used for the order "
        "(Odoo's rate of the day when BigCommerce sent none). Odoo's: Odoo's "
        "rate of the invoice date when Odoo has one, else BigCommerce's. "
        "With neither, the order goes to review (never one for one).",
    )
