from odoo import api, fields, models


class BigcommerceCategory(models.Model):
    """A category of one of the store's category trees, bound by its id.

    Categories keep BigCommerce's parent/child tree. When the instance option
    "Update Category in Odoo Products?" is on, each one is mapped to an Odoo
    product category under the store's own root category, and products take
    the deepest of their BigCommerce categories.
    """

    _name = "bigcommerce.category"
    _description = "BigCommerce category"
    _order = "instance_id, complete_name"
    _rec_name = "complete_name"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Category ID", required=True)
    tree_id = fields.Integer(string="Category Tree ID", readonly=True)
    name = fields.Char(required=True, readonly=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    parent_id = fields.Many2one(
        "bigcommerce.category",
        string="Parent Category",
        index=True,
        ondelete="set null",
        check_company=True,
    )
    child_ids = fields.One2many("bigcommerce.category", "parent_id", "Subcategories")
    is_visible = fields.Boolean(string="Visible in BigCommerce", readonly=True)
    sort_order = fields.Integer(readonly=True)
    url = fields.Char(string="URL Path", readonly=True)
    product_category_id = fields.Many2one(
        "product.category",
        string="Odoo Category",
        ondelete="set null",
        help="Set when the instance updates the category of Odoo products.",
    )
    active = fields.Boolean(default=True)

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce category is already bound for this instance.",
    )

    def _depth(self):
        depth, walk = 0, self.parent_id
        while walk and depth < 100:
            depth, walk = depth + 1, walk.parent_id
        return depth

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            category.complete_name = (
                f"{category.parent_id.complete_name} / {category.name}"
                if category.parent_id
                else category.name
            )
