from odoo import api, fields, models


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    payment_mapping_ids = fields.One2many(
        "bigcommerce.payment.mapping", "instance_id", string="Payment Mappings"
    )
    payment_mapping_setup_count = fields.Integer(
        compute="_compute_payment_mapping_setup_count"
    )
    gift_certificate_journal_id = fields.Many2one(
        "account.journal",
        string="Gift Certificate Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit'))]",
        help="Journal of the part of an order paid with gift certificates. A "
        "gift certificate is a payment (it settles the liability booked when "
        "it was sold), not a discount.",
    )
    store_credit_journal_id = fields.Many2one(
        "account.journal",
        string="Store Credit Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash', 'credit'))]",
        help="Journal of the part of an order paid with store credit.",
    )

    @api.depends("payment_mapping_ids.needs_setup")
    def _compute_payment_mapping_setup_count(self):
        for instance in self:
            instance.payment_mapping_setup_count = len(
                instance.payment_mapping_ids.filtered("needs_setup")
            )

    @api.model_create_multi
    def create(self, vals_list):
        instances = super().create(vals_list)
        self.env["bigcommerce.payment.mapping"].sudo()._ensure_default(instances)
        return instances
