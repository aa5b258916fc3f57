from odoo import api, fields, models

INVENTORY_TRACKING = [
    ("none", "Not Tracked"),
    ("product", "Tracked by Product"),
    ("variant", "Tracked by Variant"),
]


class BigcommerceProduct(models.Model):
    """A BigCommerce product bound to the Odoo product template it became.

    UNIQUE(instance_id, bigcommerce_id) makes the catalog import exactly
    once, even when a poll, a webhook and an order import the same product
    at the same time. The stock and price exporters read
    ``inventory_tracking`` (BigCommerce refuses variant-level stock for a
    product tracked at product level) and ``base_variant_id``.
    """

    _name = "bigcommerce.product"
    _description = "BigCommerce product"
    _order = "instance_id, bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Product ID", required=True)
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Odoo Product",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    name = fields.Char(readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    product_type = fields.Selection(
        [("physical", "Physical"), ("digital", "Digital")], readonly=True
    )
    inventory_tracking = fields.Selection(
        INVENTORY_TRACKING, default="none", required=True, readonly=True
    )
    base_variant_id = fields.Integer(
        string="Base Variant ID",
        readonly=True,
        help="BigCommerce's variant of a product without options: prices and "
        "stock of such a product are written on it.",
    )
    price = fields.Float(readonly=True, digits="Product Price")
    date_modified = fields.Datetime(string="Modified in BigCommerce", readonly=True)
    variant_ids = fields.One2many(
        "bigcommerce.product.variant", "product_binding_id", string="Variants"
    )
    variant_count = fields.Integer(compute="_compute_variant_count")
    active = fields.Boolean(
        default=True,
        help="Archived when the product is deleted in BigCommerce (the Odoo "
        "product is archived too, never deleted: invoices may use it).",
    )

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce product is already bound for this instance.",
    )

    @api.depends("variant_ids")
    def _compute_variant_count(self):
        for binding in self:
            binding.variant_count = len(binding.variant_ids)


class BigcommerceProductVariant(models.Model):
    """A BigCommerce variant bound to the Odoo product variant it became.

    Every BigCommerce product has at least one variant (its base variant);
    order lines, stock levels and prices are per variant. One Odoo product
    is bound to at most one variant of a store (UNIQUE(instance_id,
    product_id)): stock and prices exported from it are unambiguous.
    """

    _name = "bigcommerce.product.variant"
    _description = "BigCommerce product variant"
    _order = "instance_id, bigcommerce_product_id, bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Variant ID", required=True)
    bigcommerce_product_id = fields.Integer(
        string="BigCommerce Product ID", required=True, index=True
    )
    product_binding_id = fields.Many2one(
        "bigcommerce.product",
        string="BigCommerce Product",
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Odoo Variant",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    sku = fields.Char(string="SKU", readonly=True)
    price = fields.Float(readonly=True, digits="Product Price")
    inventory_tracking = fields.Selection(
        related="product_binding_id.inventory_tracking", store=True
    )
    is_base_variant = fields.Boolean(
        readonly=True, help="The only variant of a product without options."
    )
    date_modified = fields.Datetime(string="Modified in BigCommerce", readonly=True)
    active = fields.Boolean(default=True)

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce variant is already bound for this instance.",
    )
    _product_uniq = models.UniqueIndex(
        "(instance_id, product_id) WHERE product_id IS NOT NULL",
        "This Odoo product is already bound to another variant of this store.",
    )
