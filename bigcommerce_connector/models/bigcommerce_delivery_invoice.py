"""“Create Single Invoice?” off: each delivery's invoice, made by a job.

Invoicing a validated delivery inside the warehouse user's transaction made
any accounting error (a journal without a payment method, a lock date, a
tax misconfiguration) abort the validation of the delivery. The validation
now only records the delivery here and queues the invoice job; the job
invoices it (``importers/order_invoice.py``) or keeps the failure on the
row, with the reason, an activity and Retry.

Exactly once: UNIQUE(instance, picking); the job locks the row, and a row
that is done is never invoiced again (a replay, a second Retry).
"""

import psycopg2

from odoo import SUPERUSER_ID, api, fields, models

from ..importers.order_invoice import DeliveryInvoicer
from ..tools.job_retry import queued_notification
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_export_record import _claim_row

DELIVERY_INVOICE_STATES = [
    ("pending", "To Invoice"),
    ("done", "Invoiced"),
    ("failed", "Failed"),
]


class BigcommerceDeliveryInvoice(models.Model):
    _name = "bigcommerce.delivery.invoice"
    _inherit = ["bigcommerce.failure.activity.mixin"]
    _description = "BigCommerce delivery invoice"
    _order = "write_date desc, id desc"
    _rec_name = "picking_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", related="instance_id.company_id", store=True
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    order_record_id = fields.Many2one(
        "bigcommerce.order", string="BigCommerce Order", index=True, ondelete="cascade"
    )
    sale_order_id = fields.Many2one(related="picking_id.sale_id", string="Sale Order")
    invoice_id = fields.Many2one(
        "account.move", readonly=True, ondelete="set null", check_company=True
    )
    state = fields.Selection(
        DELIVERY_INVOICE_STATES,
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    failure_reason = fields.Text(string="Reason", readonly=True)
    attempt_count = fields.Integer(readonly=True)

    _picking_uniq = models.Constraint(
        "UNIQUE(instance_id, picking_id)",
        "This delivery is already invoiced (or queued for it).",
    )

    @api.model
    def _claim(self, instance, picking):
        """The delivery's row, created if needed, locked for the transaction."""
        return _claim_row(
            self,
            {
                "instance_id": instance.id,
                "company_id": instance.company_id.id,
                "picking_id": picking.id,
            },
        )

    @bigcommerce_admin_only
    def action_retry(self):
        """Queue the invoice of these deliveries again (after fixing the
        journal, the lock date...); the row shows To Invoice until done."""
        todo = self.filtered(lambda row: row.state != "done")
        todo.write({"state": "pending"})
        for row in todo:
            row.instance_id._queue_delivery_invoice(row.picking_id)
        return queued_notification(self.env, len(todo))


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    def _queue_delivery_invoice(self, picking):
        self.ensure_one()
        # As the superuser: the warehouse user who validates cannot invoice;
        # the store's settings (its payment mapping) decided to invoice.
        return (
            self.with_user(SUPERUSER_ID)
            .with_company(self.company_id)
            .with_delay(
                channel="root.bigcommerce",
                description=self.env._("Invoice delivery %s", picking.name),
                identity_key=f"bigcommerce-invoice-delivery-{self.id}-{picking.id}",
            )
            ._job_invoice_delivery(picking.id)
        )

    def _job_invoice_delivery(self, picking_id):
        """Queue job: invoice one validated delivery, exactly once.

        Any error but a database concurrency one (which queue_job retries)
        is kept on the row, failed, with the reason and Retry.
        """
        self.ensure_one()
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not picking:
            return "deleted"
        rows = self.env["bigcommerce.delivery.invoice"]
        row = rows._claim(self, picking)
        if row.state == "done":
            return f"{picking.name}: invoiced already ({row.invoice_id.name})"
        record = picking.sale_id.bigcommerce_order_record_id
        row.write(
            {"order_record_id": record.id, "attempt_count": row.attempt_count + 1}
        )
        try:
            with self.env.cr.savepoint():
                invoice = DeliveryInvoicer(
                    record.with_company(self.company_id)
                ).invoice_picking(picking.with_company(self.company_id))
        except psycopg2.Error:
            raise  # concurrency errors: queue_job runs the job again
        except Exception as error:  # noqa: BLE001 - kept on the row, with Retry
            reason = str(error.args[0] if error.args else error)
            row.write({"state": "failed", "failure_reason": reason})
            return f"{picking.name}: failed: {reason}"
        row.write(
            {
                "state": "done",
                "invoice_id": invoice.id or False,
                "failure_reason": False,
            }
        )
        return f"{picking.name}: {invoice.name or 'nothing to invoice'}"
