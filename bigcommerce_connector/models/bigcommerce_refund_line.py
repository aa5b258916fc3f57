from odoo import fields, models

REFUND_ITEM_TYPES = [
    ("PRODUCT", "Product"),
    ("GIFT_WRAPPING", "Gift Wrapping"),
    ("SHIPPING", "Shipping"),
    ("HANDLING", "Handling"),
    ("ORDER", "Order Amount"),
    ("FEE", "Fee"),
]


class BigcommerceRefundLine(models.Model):
    """One refunded item, as BigCommerce reports it (``RefundItem``)."""

    _name = "bigcommerce.refund.line"
    _description = "BigCommerce refund item"
    _order = "refund_id, id"

    refund_id = fields.Many2one(
        "bigcommerce.refund", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="refund_id.company_id", store=True)
    item_type = fields.Selection(REFUND_ITEM_TYPES, required=True, readonly=True)
    item_id = fields.Integer(
        string="BigCommerce Item ID",
        readonly=True,
        help="Order product id (products, gift wrapping), order address id "
        "(shipping, handling), order id (order amount) or fee id.",
    )
    quantity = fields.Integer(readonly=True)
    currency_id = fields.Many2one(related="refund_id.currency_id")
    requested_amount = fields.Monetary(
        readonly=True, help="The amount refunded for an amount-bound item."
    )
    reason = fields.Char(readonly=True)


class BigcommerceRefundPayment(models.Model):
    """Where BigCommerce sent the refunded money (``RefundPayment``)."""

    _name = "bigcommerce.refund.payment"
    _description = "BigCommerce refund payment"
    _order = "refund_id, id"

    refund_id = fields.Many2one(
        "bigcommerce.refund", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="refund_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Payment ID", readonly=True)
    provider_id = fields.Char(string="Provider", readonly=True)
    currency_id = fields.Many2one(related="refund_id.currency_id")
    amount = fields.Monetary(readonly=True)
    offline = fields.Boolean(readonly=True)
    is_declined = fields.Boolean(string="Declined", readonly=True)
    declined_message = fields.Char(readonly=True)
    transaction_id = fields.Char(string="BigCommerce Transaction ID", readonly=True)
