from odoo import api, fields, models


class BigcommerceCustomerGroup(models.Model):
    """A BigCommerce customer group bound to what it became in Odoo.

    The group is a partner tag; when it has discount rules, an Odoo
    pricelist reproduces them (``importers/customer_group.py``). The
    UNIQUE(instance_id, bigcommerce_id) constraint makes the import exactly
    once, even when two jobs import the same group.
    """

    _name = "bigcommerce.customer.group"
    _description = "BigCommerce customer group"
    _order = "instance_id, bigcommerce_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True)
    name = fields.Char(required=True, readonly=True)
    is_default = fields.Boolean(
        string="Default Group",
        readonly=True,
        help="BigCommerce adds new customers to this group.",
    )
    discount_rules = fields.Json(
        readonly=True, help="The group's discount rules as BigCommerce sent them."
    )
    partner_category_id = fields.Many2one(
        "res.partner.category",
        string="Partner Tag",
        ondelete="set null",
        help="The tag of the group's customers.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        ondelete="set null",
        check_company=True,
        help="Reproduces the group's discount rules; the pricelist of its "
        "customers and of their orders (before the channel and the currency).",
    )
    rules_note = fields.Text(
        string="Rules Not Reproduced",
        readonly=True,
        help="Discount rules the pricelist cannot reproduce, and why.",
    )
    customer_ids = fields.One2many(
        "bigcommerce.customer", "customer_group_id", string="Customers"
    )
    price_list_id = fields.Many2one(
        "bigcommerce.price.list",
        string="Price List",
        ondelete="set null",
        readonly=True,
        check_company=True,
        help="The BigCommerce price list assigned to the group (in the "
        "store's currency): it wins over the group's discount rules, as in "
        "BigCommerce (importers/price_list.py).",
    )
    customer_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Customers' Pricelist",
        compute="_compute_customer_pricelist_id",
        store=True,
        help="The pricelist of the group's customers and of their orders: "
        "the price list's when one is assigned and active, else the one "
        "reproducing the discount rules.",
    )

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce customer group is already bound for this instance.",
    )

    @api.depends(
        "pricelist_id", "price_list_id.pricelist_id", "price_list_id.is_active"
    )
    def _compute_customer_pricelist_id(self):
        for group in self:
            price_list = group.price_list_id
            group.customer_pricelist_id = (
                price_list.pricelist_id
                if price_list.is_active and price_list.pricelist_id
                else group.pricelist_id
            )


class BigcommerceCustomer(models.Model):
    _inherit = "bigcommerce.customer"

    customer_group_id = fields.Many2one(
        "bigcommerce.customer.group",
        string="Customer Group",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
