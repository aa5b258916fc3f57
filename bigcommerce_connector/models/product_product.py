from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    bigcommerce_instance_id = fields.Many2one(
        "bigcommerce.instance",
        string="Created by BigCommerce Store",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        copy=False,
        help="Store whose order created this product for an unknown SKU.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_sku_key = fields.Char(
        string="BigCommerce SKU Key",
        readonly=True,
        copy=False,
        help="The SKU (without case) this product was created for.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    # Two orders with the same unknown SKU imported at once make one product.
    _bigcommerce_sku_uniq = models.UniqueIndex(
        "(bigcommerce_instance_id, bigcommerce_sku_key) "
        "WHERE bigcommerce_sku_key IS NOT NULL",
        "This store already created a product for this SKU.",
    )
