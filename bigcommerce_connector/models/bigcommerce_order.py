from odoo import api, fields, models

from ..tools.claim import claim
from ..tools.rights import bigcommerce_admin_only

ORDER_STATES = [
    ("pending", "To Import"),
    ("done", "Imported"),
    ("review", "Needs Review"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
    # Created before the store's go-live date: kept with its amounts, never
    # booked (no sale order, invoice or delivery).
    ("reference", "For Reference"),
]

FULFILMENT_STATES = [
    ("unshipped", "Not Shipped"),
    ("partial", "Partially Shipped"),
    ("shipped", "Shipped"),
    ("digital", "Nothing to Ship"),
]


class BigcommerceOrder(models.Model):
    """One BigCommerce order: the anchor of its import, exactly once per store.

    The row exists before its sale order does; jobs lock it, so concurrent
    imports of the same order wait for each other instead of duplicating it.
    A failed or mismatching import stays here, visible, with its reason.
    """

    _name = "bigcommerce.order"
    _inherit = ["bigcommerce.retry.progress"]
    _description = "BigCommerce order"
    _order = "date_created desc, id desc"
    _check_company_auto = True
    _retry_identity_prefix = "bigcommerce-order-retry"

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    bigcommerce_id = fields.Integer(string="BigCommerce Order ID", required=True)
    state = fields.Selection(
        ORDER_STATES, default="pending", required=True, index=True, readonly=True
    )
    failure_reason = fields.Text(readonly=True)
    sale_order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", check_company=True
    )
    invoice_id = fields.Many2one("account.move", readonly=True, check_company=True)
    payment_mapping_id = fields.Many2one(
        "bigcommerce.payment.mapping",
        readonly=True,
        ondelete="set null",
        help="The workflow the order was imported with; its refunds follow it.",
    )
    status_id = fields.Integer(string="BigCommerce Status ID", readonly=True)
    status = fields.Char(string="BigCommerce Status", readonly=True)
    payment_status = fields.Char(readonly=True)
    payment_method = fields.Char(readonly=True)
    gateway_transaction_ref = fields.Char(
        string="Gateway Transaction ID",
        readonly=True,
        help="The gateway's id of the order's payment (BigCommerce's "
        "payment_provider_id), put on the payments of the invoices made per "
        "delivery, which read nothing from the store.",
    )
    date_created = fields.Datetime(string="Created in BigCommerce", readonly=True)
    date_modified = fields.Datetime(string="Modified in BigCommerce", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    total_inc_tax = fields.Monetary(string="BigCommerce Total", readonly=True)
    total_tax = fields.Monetary(string="BigCommerce Tax", readonly=True)
    items_total = fields.Integer(
        string="Units to Ship",
        readonly=True,
        help="Physical units of the order; digital goods and gift "
        "certificates are never shipped.",
    )
    items_shipped = fields.Integer(string="Units Shipped", readonly=True)
    fulfilment_state = fields.Selection(
        FULFILMENT_STATES, compute="_compute_fulfilment_state", store=True
    )
    shipment_ids = fields.One2many(
        "bigcommerce.shipment", "order_record_id", string="Shipments"
    )
    attempt_count = fields.Integer(readonly=True)
    book_history = fields.Boolean(
        string="Booked Before Go-Live",
        readonly=True,
        copy=False,
        help="Created before the store's go-live date and booked because a "
        "person asked for it (an import by id or date range).",
    )
    refresh_error = fields.Text(
        string="Last Refresh Failed",
        readonly=True,
        help="Why the last refresh of this booked order (a later version read "
        "from BigCommerce) could not be applied. The order keeps its state "
        "(imported, invoiced): Retry reads it again; a refresh that goes "
        "through clears this.",
    )

    _bigcommerce_id_uniq = models.Constraint(
        "UNIQUE(instance_id, bigcommerce_id)",
        "This BigCommerce order is already known for this instance.",
    )
    # The dashboard's orders per day (the days customers ordered) and the
    # list's order, per store.
    _instance_date_created_idx = models.Index("(instance_id, date_created DESC)")

    @api.depends("items_total", "items_shipped")
    def _compute_fulfilment_state(self):
        for record in self:
            if not record.items_total:
                record.fulfilment_state = "digital"
            elif not record.items_shipped:
                record.fulfilment_state = "unshipped"
            elif record.items_shipped >= record.items_total:
                record.fulfilment_state = "shipped"
            else:
                record.fulfilment_state = "partial"

    @api.depends("bigcommerce_id", "instance_id.name")
    def _compute_display_name(self):
        for record in self:
            record.display_name = f"{record.instance_id.name} #{record.bigcommerce_id}"

    @bigcommerce_admin_only
    def action_retry(self):
        """Queue the import of these orders again (after fixing a product, a
        mapping...); each job reads its order and applies it even if it is
        the version that failed. Nothing waits for BigCommerce's quota in the
        web request: the record's state changes when its job has run, and it
        shows *Retry Queued* until then."""
        return self._queue_retry(
            self.env._("Retry BigCommerce order %s"),
            lambda instance, order_id: instance._job_import_order(order_id, force=True),
        )

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    @api.model
    def _claim(self, instance, bigcommerce_id):
        """This order's record, locked for the transaction (``tools.claim``)."""
        return claim(self, instance, bigcommerce_id)
