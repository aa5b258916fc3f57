from odoo import api, fields, models

from ..tools.claim import claim
from ..tools.rights import bigcommerce_admin_only

REFUND_STATES = [
    ("pending", "Pending"),
    ("synced", "Synced"),
    ("error", "Error"),
    # Its order was created before the go-live date and never booked.
    ("not_booked", "Not Booked (Before Go-Live)"),
]


class BigcommerceRefund(models.Model):
    """One BigCommerce refund and the credit note it became, exactly once.

    Like ``bigcommerce.order``, the row exists before its credit note and
    jobs lock it: a replayed or concurrent import waits, then finds the
    credit note. A refund that cannot be booked yet (order not imported,
    invoice not posted) stays Pending; one that cannot be booked as
    BigCommerce states it goes to Error with the reason.
    """

    _name = "bigcommerce.refund"
    _inherit = ["bigcommerce.retry.progress"]
    _description = "BigCommerce refund"
    _order = "date_created desc, bigcommerce_id desc"
    _check_company_auto = True
    _retry_identity_prefix = "bigcommerce-refund-retry"

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Refund ID", required=True)
    order_bigcommerce_id = fields.Integer(
        string="BigCommerce Order ID", readonly=True, index=True
    )
    order_record_id = fields.Many2one(
        "bigcommerce.order",
        string="BigCommerce Order",
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    sale_order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", check_company=True
    )
    invoice_id = fields.Many2one(
        "account.move",
        string="Refunded Invoice",
        readonly=True,
        check_company=True,
    )
    credit_note_id = fields.Many2one(
        "account.move", readonly=True, index="btree_not_null", check_company=True
    )
    state = fields.Selection(
        REFUND_STATES, default="pending", required=True, index=True, readonly=True
    )
    message = fields.Text(readonly=True)
    date_created = fields.Datetime(string="Created in BigCommerce", readonly=True)
    reason = fields.Char(readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    total_amount = fields.Monetary(string="BigCommerce Amount", readonly=True)
    total_tax = fields.Monetary(string="BigCommerce Tax", readonly=True)
    uses_merchant_override_values = fields.Boolean(
        string="Merchant Override",
        readonly=True,
        help="The merchant entered the refund's total and tax instead of "
        "letting BigCommerce calculate them from the items.",
    )
    line_ids = fields.One2many(
        "bigcommerce.refund.line", "refund_id", string="Items", readonly=True
    )
    payment_ids = fields.One2many(
        "bigcommerce.refund.payment", "refund_id", string="Payments", readonly=True
    )
    attempt_count = fields.Integer(readonly=True)

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce refund is already known for this instance.",
    )

    @api.depends("bigcommerce_id", "order_bigcommerce_id", "instance_id.name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = self.env._(
                "%(store)s refund #%(refund)s (order #%(order)s)",
                store=record.instance_id.name,
                refund=record.bigcommerce_id,
                order=record.order_bigcommerce_id,
            )

    @bigcommerce_admin_only
    def action_retry(self):
        """Queue the booking of the refunds not synced yet; the web request
        never waits for BigCommerce's quota, the record's state changes when
        its job has run; meanwhile it shows *Retry Queued*."""
        return self.filtered(lambda record: record.state != "synced")._queue_retry(
            self.env._("Retry BigCommerce refund %s"),
            lambda instance, refund_id: instance._job_import_refund(refund_id),
        )

    def action_view_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.credit_note_id.id,
            "view_mode": "form",
        }

    @api.model
    def _claim(self, instance, bigcommerce_id):
        """This refund's record, locked for the transaction (``tools.claim``)."""
        return claim(self, instance, bigcommerce_id)
