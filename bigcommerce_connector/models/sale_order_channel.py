from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_channel_id = fields.Many2one(
        "bigcommerce.channel",
        string="BigCommerce Channel",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The storefront the order was placed on.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )


class BigcommerceOrder(models.Model):
    _inherit = "bigcommerce.order"

    channel_id = fields.Many2one(
        related="sale_order_id.bigcommerce_channel_id",
        string="Channel",
        store=True,
        index="btree_not_null",
    )
