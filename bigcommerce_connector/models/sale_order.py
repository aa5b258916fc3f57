from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_order_record_id = fields.Many2one(
        "bigcommerce.order", string="BigCommerce Order", readonly=True, copy=False
    )
    bigcommerce_instance_id = fields.Many2one(
        related="bigcommerce_order_record_id.instance_id", string="BigCommerce Store"
    )
    bigcommerce_id = fields.Integer(
        related="bigcommerce_order_record_id.bigcommerce_id",
        string="BigCommerce Order ID",
    )
    bigcommerce_status = fields.Char(related="bigcommerce_order_record_id.status")
    bigcommerce_payment_status = fields.Char(
        related="bigcommerce_order_record_id.payment_status"
    )
    bigcommerce_fulfilment_state = fields.Selection(
        related="bigcommerce_order_record_id.fulfilment_state",
        string="BigCommerce Fulfilment",
    )
    bigcommerce_shipment_ids = fields.One2many(
        related="bigcommerce_order_record_id.shipment_ids",
        string="BigCommerce Shipments",
    )


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    bigcommerce_line_id = fields.Integer(
        string="BigCommerce Order Product ID",
        copy=False,
        help="The order-product id that shipments and refunds refer to.",
    )
    bigcommerce_line_kind = fields.Selection(
        [
            ("product", "Product"),
            ("discount", "Discount"),
            ("shipping", "Shipping"),
            ("handling", "Handling"),
            ("wrapping", "Gift Wrapping"),
            ("gift_certificate", "Gift Certificate"),
        ],
        copy=False,
    )
