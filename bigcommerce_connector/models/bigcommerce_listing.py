"""Listings: Odoo product templates published to BigCommerce stores.

- ``product.template.bigcommerce_instance_ids`` ("BigCommerce Stores"): where
  a template is published; the catalog import publishes what it binds.
- ``bigcommerce.listing.export``: one row per store and template, the
  exactly-once key of its creation (UNIQUE(instance, template), locked for the
  job) and, when BigCommerce refused it, the visible, retryable record of why.
- ``bigcommerce_values`` on the product and variant bindings: what
  BigCommerce has, as Odoo last knew it (read by the import, or acknowledged
  after an export). Only what differs is sent; a product read back that holds
  nothing new is not imported again (no echo).
- ``bigcommerce.listing.image``: an Odoo picture uploaded to a product, by
  checksum: uploaded once, then only when it changes.
"""

from odoo import api, fields, models

from ..tools.job_retry import queued_notification
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_export_record import EXPORT_STATES, _claim_row


class BigcommerceListingExport(models.Model):
    """One Odoo template published to one store, and what became of it.

    ``create_attempted_at``: a creation was sent and its answer lost
    (timeout, connection closed): BigCommerce may have created the product,
    so the next attempt looks it up by SKU or name before posting again.
    """

    _name = "bigcommerce.listing.export"
    _description = "BigCommerce listing export"
    _inherit = ["bigcommerce.failure.activity.mixin"]
    _order = "write_date desc, id desc"
    _rec_name = "product_tmpl_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", related="instance_id.company_id", store=True
    )
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Odoo Product",
        required=True,
        index=True,
        ondelete="cascade",
    )
    product_binding_id = fields.Many2one(
        "bigcommerce.product",
        string="BigCommerce Product",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
    )
    bigcommerce_id = fields.Integer(
        related="product_binding_id.bigcommerce_id", string="BigCommerce Product ID"
    )
    state = fields.Selection(
        EXPORT_STATES, default="pending", required=True, index=True, readonly=True
    )
    failure_reason = fields.Text(string="Reason", readonly=True)
    note = fields.Text(
        readonly=True,
        help="What was not sent although the product was: variants removed in "
        "Odoo (never deleted in BigCommerce), barcodes that are no UPC/GTIN, "
        "images too large.",
    )
    attempt_count = fields.Integer(readonly=True)
    date_sent = fields.Datetime(string="Last Sent", readonly=True)
    checked_at = fields.Datetime(
        string="Version Compared",
        readonly=True,
        help="The last modification of the template and its variants when they "
        "were last compared: modified since, they are compared again by the "
        "next export.",
    )
    create_attempted_at = fields.Datetime(
        string="Creation Unanswered Since",
        readonly=True,
        copy=False,
        help="A creation was sent and its answer lost: the next attempt looks "
        "the product up before posting again.",
    )
    image_ids = fields.One2many(
        "bigcommerce.listing.image", "export_id", string="Uploaded Images"
    )

    _template_uniq = models.Constraint(
        "UNIQUE(instance_id, product_tmpl_id)",
        "This product is already published to this store.",
    )

    @api.model
    def _claim(self, instance, template):
        return _claim_row(
            self,
            {
                "instance_id": instance.id,
                "company_id": instance.company_id.id,
                "product_tmpl_id": template.id,
            },
        )

    @bigcommerce_admin_only
    def action_retry(self):
        """Queue the products again (after a rename, a fixed SKU...).

        Queued, never sent in the web request; the row shows *To Send* until
        its job has run.
        """
        self.filtered(lambda e: e.state != "done").write({"state": "pending"})
        for instance in self.instance_id:
            rows = self.filtered_domain([("instance_id", "=", instance.id)])
            instance.export_products(template_ids=rows.product_tmpl_id.ids)
        return queued_notification(self.env, len(self))


class BigcommerceListingImage(models.Model):
    """An Odoo picture of a template and the BigCommerce image it became."""

    _name = "bigcommerce.listing.image"
    _description = "BigCommerce listing image"
    _order = "export_id, sequence, id"

    export_id = fields.Many2one(
        "bigcommerce.listing.export", required=True, index=True, ondelete="cascade"
    )
    instance_id = fields.Many2one(related="export_id.instance_id", store=True)
    company_id = fields.Many2one(related="export_id.company_id", store=True)
    # "template" (the template's own image) or "product.image,<id>".
    source_key = fields.Char(required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    checksum = fields.Char(readonly=True, help="Of the picture BigCommerce has.")
    bigcommerce_image_id = fields.Integer(string="BigCommerce Image ID", readonly=True)

    _source_uniq = models.Constraint(
        "UNIQUE(export_id, source_key)",
        "This picture is already uploaded for this product.",
    )


DIMENSION_FIELDS = ("bigcommerce_width", "bigcommerce_height", "bigcommerce_depth")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    bigcommerce_instance_ids = fields.Many2many(
        "bigcommerce.instance",
        "bigcommerce_instance_product_template_rel",
        "product_tmpl_id",
        "instance_id",
        string="BigCommerce Stores",
        copy=False,
        groups="bigcommerce_connector.group_bigcommerce_user",
        help="The stores this product is published to: the product export "
        "(Export to BigCommerce, its schedule, export_products) creates it "
        "there and then sends what changes.",
    )
    bigcommerce_listing_ids = fields.One2many(
        "bigcommerce.listing.export",
        "product_tmpl_id",
        string="BigCommerce Listings",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    # Odoo has no product dimensions; BigCommerce's shipping quotes use them.
    # In Odoo's length unit (product.volume_in_cubic_feet: mm or ft).
    bigcommerce_width = fields.Float(
        string="Width",
        digits="Product Unit",
        copy=False,  # copied by copy_data, for the users who read it
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_height = fields.Float(
        string="Height",
        digits="Product Unit",
        copy=False,  # copied by copy_data, for the users who read it
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_depth = fields.Float(
        string="Depth",
        digits="Product Unit",
        copy=False,  # copied by copy_data, for the users who read it
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    def copy_data(self, default=None):
        # Odoo copies every copyable field reading it as the current user: a
        # salesperson outside BigCommerce who duplicates a product would meet
        # an AccessError on the dimensions. They follow the copy only for the
        # users who may read them.
        vals_list = super().copy_data(default=default)
        dimensions = [
            name
            for name in DIMENSION_FIELDS
            if name not in (default or {})
            and self._has_field_access(self._fields[name], "read")
        ]
        for template, vals in zip(self, vals_list, strict=True):
            if vals is not None:
                vals.update({name: template[name] for name in dimensions})
        return vals_list


class BigcommerceProduct(models.Model):
    _inherit = "bigcommerce.product"

    bigcommerce_values = fields.Json(
        readonly=True,
        copy=False,
        help="What BigCommerce has, as Odoo last knew it (read by the import "
        "or acknowledged after an export).",
    )


class BigcommerceProductVariant(models.Model):
    _inherit = "bigcommerce.product.variant"

    bigcommerce_values = fields.Json(readonly=True, copy=False)
