from odoo import fields, models


class BigcommercePaymentMapping(models.Model):
    _inherit = "bigcommerce.payment.mapping"

    currency_id = fields.Many2one(
        "res.currency",
        string="Currency Override",
        help="Price these orders from the store's pricelist of this currency "
        "(e.g. every Stripe order from the EUR pricelist), unless the row has "
        "a pricelist of its own. An order paid in another currency keeps its "
        "own currency's pricelist (its amounts are in that currency); the "
        "operation log says so.",
    )
