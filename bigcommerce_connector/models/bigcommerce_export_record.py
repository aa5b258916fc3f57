"""What Odoo sent back to BigCommerce: one row per delivery, per order change.

The rows are the exactly-once keys of the outbound half (a delivery is sent
once, a status change once) and, when something could not be sent, the
visible, retryable record of why.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.job_retry import queued_notification
from ..tools.rights import bigcommerce_admin_only

EXPORT_STATES = [
    ("pending", "To Send"),
    ("done", "Sent"),
    ("skipped", "Not Sent"),
    ("failed", "Failed"),
]

ORDER_EXPORT_KINDS = [
    ("cancel", "Cancelled in Odoo"),
    ("complete", "Shipped and Paid"),
    ("paid", "Paid in Odoo"),
]


def _claim_row(model, keys):
    """The row of ``model`` with the unique ``keys``, created if needed, locked.

    INSERT ... ON CONFLICT DO NOTHING waits for a concurrent transaction that
    inserts the same row; FOR UPDATE then serialises the jobs of one delivery
    (or one order change), so a replay waits and finds the row done.
    """
    env = model.env
    env.flush_all()
    columns = list(keys)
    now = fields.Datetime.now()
    env.cr.execute(
        SQL(
            """
            INSERT INTO %(table)s
                (%(columns)s, state, attempt_count,
                 create_uid, create_date, write_uid, write_date)
            VALUES (%(values)s, 'pending', 0, %(uid)s, %(now)s, %(uid)s, %(now)s)
            ON CONFLICT (%(key_columns)s) DO NOTHING
            """,
            table=SQL.identifier(model._table),
            columns=SQL(", ").join(SQL.identifier(c) for c in columns),
            values=SQL(", ").join(SQL("%s", keys[c]) for c in columns),
            key_columns=SQL(", ").join(
                SQL.identifier(c) for c in columns if c != "company_id"
            ),
            uid=env.uid,
            now=now,
        )
    )
    env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE %s FOR UPDATE",
            SQL.identifier(model._table),
            SQL(" AND ").join(
                SQL("%s = %s", SQL.identifier(c), keys[c])
                for c in columns
                if c != "company_id"
            ),
        )
    )
    record = model.browse(env.cr.fetchone()[0])
    record.invalidate_recordset()
    return record


class BigcommerceShipmentExport(models.Model):
    """One Odoo delivery of an imported order and what it became in BigCommerce.

    UNIQUE(instance_id, picking_id): a delivery is sent once. Its shipments
    (one per shipping address) are the ``bigcommerce.shipment`` rows it
    created, bound by ``export_id``.
    """

    _name = "bigcommerce.shipment.export"
    _description = "BigCommerce shipment export"
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
    state = fields.Selection(
        EXPORT_STATES, default="pending", required=True, index=True, readonly=True
    )
    failure_reason = fields.Text(string="Reason", readonly=True)
    attempt_count = fields.Integer(readonly=True)
    date_sent = fields.Datetime(readonly=True)
    shipment_ids = fields.One2many(
        "bigcommerce.shipment", "export_id", string="BigCommerce Shipments"
    )

    _picking_uniq = models.Constraint(
        "UNIQUE(instance_id, picking_id)",
        "This delivery is already bound to its BigCommerce shipment.",
    )

    @api.model
    def _claim(self, instance, picking):
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
        """Queue the deliveries again (after fixing a carrier, a quantity...).

        Queued, not sent in the web request, which would wait for the store's
        quota; the row shows *To Send* until its job has run.
        """
        self.filtered(lambda e: e.state != "done").write({"state": "pending"})
        for instance in self.instance_id:
            pickings = self.filtered_domain(
                [("instance_id", "=", instance.id)]
            ).picking_id
            instance.export_shipments(picking_ids=pickings.ids)
        return queued_notification(self.env, len(self))


class BigcommerceOrderExport(models.Model):
    """One status change Odoo sent (or must send) to a BigCommerce order.

    UNIQUE(instance_id, order_record_id, kind): a cancellation, a "paid" or
    a capture is sent once per order, however often the trigger fires.
    """

    _name = "bigcommerce.order.export"
    _description = "BigCommerce order status export"
    _order = "write_date desc, id desc"
    _rec_name = "order_record_id"
    _check_company_auto = True

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", related="instance_id.company_id", store=True
    )
    order_record_id = fields.Many2one(
        "bigcommerce.order",
        string="BigCommerce Order",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sale_order_id = fields.Many2one(related="order_record_id.sale_order_id")
    kind = fields.Selection(ORDER_EXPORT_KINDS, required=True, readonly=True)
    status_id = fields.Integer(string="Status Sent", readonly=True)
    state = fields.Selection(
        EXPORT_STATES, default="pending", required=True, index=True, readonly=True
    )
    failure_reason = fields.Text(string="Reason", readonly=True)
    attempt_count = fields.Integer(readonly=True)
    date_sent = fields.Datetime(readonly=True)

    _order_kind_uniq = models.Constraint(
        "UNIQUE(instance_id, order_record_id, kind)",
        "This change of the order is already recorded.",
    )

    @api.model
    def _claim(self, instance, order_record, kind):
        return _claim_row(
            self,
            {
                "instance_id": instance.id,
                "company_id": instance.company_id.id,
                "order_record_id": order_record.id,
                "kind": kind,
            },
        )

    @bigcommerce_admin_only
    def action_retry(self):
        """Queue the changes again; the row shows *To Send* until sent."""
        self.filtered(lambda e: e.state != "done").write({"state": "pending"})
        for instance in self.instance_id:
            records = self.filtered_domain([("instance_id", "=", instance.id)])
            instance.export_order_statuses(
                order_ids=records.order_record_id.mapped("bigcommerce_id"),
                kinds=list(set(records.mapped("kind"))),
            )
        return queued_notification(self.env, len(self))
