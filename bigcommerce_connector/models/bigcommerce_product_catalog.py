"""What the catalog import adds to the product bindings and to Odoo products.

The binding fields of ``bigcommerce.product`` and ``.variant`` that other
features read are declared in ``bigcommerce_product.py``; this file adds the
catalog's own: categories, brand, gallery images, the import-run marker.
"""

from odoo import fields, models


class BigcommerceProduct(models.Model):
    _inherit = "bigcommerce.product"

    category_ids = fields.Many2many(
        "bigcommerce.category", string="BigCommerce Categories", readonly=True
    )
    brand_id = fields.Many2one(
        "bigcommerce.brand", string="Brand", readonly=True, ondelete="set null"
    )
    is_visible = fields.Boolean(string="Visible in BigCommerce", readonly=True)
    availability = fields.Char(readonly=True)
    image_ids = fields.One2many(
        "bigcommerce.product.image", "product_binding_id", string="Images"
    )
    import_message = fields.Char(
        readonly=True,
        help="Why the product (or some of its variants) is not bound to an "
        "Odoo product, when it is not.",
    )
    seen_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="Start of the last full import that read this product: one that "
        "did not read it archives it (deleted in BigCommerce).",
    )


class BigcommerceProductImage(models.Model):
    """One image of a BigCommerce product: gallery image or a variant's own.

    The picture is downloaded by a job of its own (``_job_download_images``)
    from BigCommerce's image host, only when ``url`` or ``date_modified``
    changed since the last download (``downloaded_key``).
    """

    _name = "bigcommerce.product.image"
    _description = "BigCommerce product image"
    _inherit = ["image.mixin"]
    _order = "product_binding_id, sequence, id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    product_binding_id = fields.Many2one(
        "bigcommerce.product", required=True, index=True, ondelete="cascade"
    )
    product_tmpl_id = fields.Many2one(
        related="product_binding_id.product_tmpl_id", store=True, index=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Variant",
        index="btree_not_null",
        ondelete="set null",
        help="The variant whose own image this is.",
    )
    # The image id, or the variant id (negated) for a variant's image_url:
    # BigCommerce gives a variant's image no id of its own.
    image_key = fields.Integer(required=True, readonly=True)
    name = fields.Char(readonly=True)
    sequence = fields.Integer(readonly=True)
    is_thumbnail = fields.Boolean(string="Primary Image", readonly=True)
    url = fields.Char(string="URL", required=True, readonly=True)
    date_modified = fields.Char(readonly=True)
    downloaded_key = fields.Char(readonly=True, copy=False)
    state = fields.Selection(
        [("pending", "To Download"), ("done", "Downloaded"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    error = fields.Char(readonly=True)

    _image_uniq = models.Constraint(
        "UNIQUE(product_binding_id, image_key)",
        "This image is already recorded for this product.",
    )

    def _source_key(self):
        return f"{self.url}|{self.date_modified or ''}"


class ProductTemplate(models.Model):
    _inherit = "product.template"

    bigcommerce_brand_id = fields.Many2one(
        "bigcommerce.brand",
        string="Brand",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
    )
    bigcommerce_product_ids = fields.One2many(
        "bigcommerce.product",
        "product_tmpl_id",
        string="BigCommerce Products",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_image_ids = fields.One2many(
        "bigcommerce.product.image",
        "product_tmpl_id",
        string="BigCommerce Images",
        domain=[("state", "=", "done")],
    )


class ProductAttribute(models.Model):
    _inherit = "product.attribute"

    # Set on attributes the catalog import created: two imports creating the
    # same attribute at once hit this key instead of making two "Size".
    bigcommerce_name_key = fields.Char(
        readonly=True,
        copy=False,
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    _bigcommerce_name_key_uniq = models.UniqueIndex(
        "(bigcommerce_name_key) WHERE bigcommerce_name_key IS NOT NULL",
        "An attribute with this name was already created from BigCommerce.",
    )


class ProductAttributeValue(models.Model):
    _inherit = "product.attribute.value"

    bigcommerce_name_key = fields.Char(
        readonly=True,
        copy=False,
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    _bigcommerce_name_key_uniq = models.UniqueIndex(
        "(attribute_id, bigcommerce_name_key) WHERE bigcommerce_name_key IS NOT NULL",
        "This value was already created from BigCommerce for this attribute.",
    )
