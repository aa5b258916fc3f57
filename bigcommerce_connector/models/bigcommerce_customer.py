from odoo import fields, models


class BigcommerceCustomer(models.Model):
    """A BigCommerce customer bound to the Odoo partner it became.

    The UNIQUE(instance_id, bigcommerce_id) constraint is what makes the
    import exactly-once, even when two jobs import the same customer.
    """

    _name = "bigcommerce.customer"
    _description = "BigCommerce customer"
    _order = "instance_id, bigcommerce_id"
    _rec_name = "partner_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce ID", required=True)
    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    email = fields.Char()
    date_modified = fields.Datetime(string="Modified in BigCommerce")
    partner_child_ids = fields.One2many(
        related="partner_id.child_ids", string="Addresses"
    )

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce customer is already bound for this instance.",
    )
