from odoo import fields, models


class BigcommerceOrder(models.Model):
    _inherit = "bigcommerce.order"

    exchange_rate = fields.Float(
        digits=0,
        readonly=True,
        help="Units of the order's currency per unit of the company's, as "
        "booked (BigCommerce's rate, or Odoo's by the store's setting); 0 when "
        "there was none. Invoices of deliveries are converted at it.",
    )
