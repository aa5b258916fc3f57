from odoo import api, fields, models

from ..tools.job_retry import queued_notification
from ..tools.rights import bigcommerce_admin_only


class BigcommerceListingWizard(models.TransientModel):
    """Products list > Export to BigCommerce: publish the selection to a store
    and queue its export (``bigcommerce.instance.export_products``)."""

    _name = "bigcommerce.listing.wizard"
    _description = "Export products to BigCommerce"

    instance_id = fields.Many2one(
        "bigcommerce.instance",
        string="Store",
        required=True,
        domain=[("state", "=", "confirmed")],
        default=lambda self: self._default_instance(),
    )
    product_tmpl_ids = fields.Many2many(
        "product.template",
        string="Products",
        required=True,
        default=lambda self: self._default_templates(),
    )

    @api.model
    def _default_instance(self):
        instances = self.env["bigcommerce.instance"].search(
            [("state", "=", "confirmed")], limit=2
        )
        return instances if len(instances) == 1 else False

    @api.model
    def _default_templates(self):
        context = self.env.context
        if context.get("active_model") == "product.template":
            return [fields.Command.set(context.get("active_ids") or [])]
        if context.get("active_model") == "product.product":
            products = self.env["product.product"].browse(context.get("active_ids"))
            return [fields.Command.set(products.product_tmpl_id.ids)]
        return False

    @bigcommerce_admin_only
    def action_export(self):
        self.ensure_one()
        self.instance_id.export_products(template_ids=self.product_tmpl_ids.ids)
        return queued_notification(self.env, len(self.product_tmpl_ids))
