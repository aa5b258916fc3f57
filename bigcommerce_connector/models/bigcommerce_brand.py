from odoo import api, fields, models


class BigcommerceBrand(models.Model):
    """A brand of the store, bound by its id, with its logo.

    Odoo has no brand model outside the website modules; products point to
    this record (``product.template.bigcommerce_brand_id``) so that they can
    be searched, filtered and grouped by brand.
    """

    _name = "bigcommerce.brand"
    _description = "BigCommerce brand"
    _inherit = ["image.mixin"]
    _order = "name, id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Brand ID", required=True)
    name = fields.Char(required=True)
    image_url = fields.Char(string="Image URL", readonly=True)
    image_downloaded_url = fields.Char(
        readonly=True,
        copy=False,
        help="The URL the stored image was downloaded from: another URL in "
        "BigCommerce downloads it again, the same one does not.",
    )
    product_tmpl_ids = fields.One2many(
        "product.template", "bigcommerce_brand_id", string="Products"
    )
    product_count = fields.Integer(compute="_compute_product_count")
    active = fields.Boolean(default=True)

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce brand is already bound for this instance.",
    )

    @api.depends("product_tmpl_ids")
    def _compute_product_count(self):
        counts = dict(
            self.env["product.template"]._read_group(
                [("bigcommerce_brand_id", "in", self.ids)],
                ["bigcommerce_brand_id"],
                ["__count"],
            )
        )
        for brand in self:
            brand.product_count = counts.get(brand, 0)

    def action_view_products(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "product.template",
            "view_mode": "list,form",
            "domain": [("bigcommerce_brand_id", "=", self.id)],
        }
