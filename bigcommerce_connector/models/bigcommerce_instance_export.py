"""The outbound half: what Odoo sends back to BigCommerce, and when.

- a validated delivery of an imported order -> shipments (queued at once;
  the cron "Export Order Status / Tracking" catches what was missed);
- a sale order cancelled in Odoo -> the cancelled status; a paid invoice ->
  the paid status or the capture of the authorisation; shipped and paid ->
  completed (off by default);
- prices of bound variants (cron "Export Product's Price", button).

Every run is logged (``bigcommerce.log``); what cannot be sent stays as a
failed row with the reason and Retry under Needs Attention. Jobs never
sleep: a rate limit becomes a later retry (``tools.job_retry``).
"""

import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError

from ..exporters.delivery import DeliveryRefused, DeliveryValidator
from ..exporters.order_status import OrderStatusExporter
from ..exporters.price import PriceExporter
from ..exporters.shipment import ShipmentExporter
from ..tools.job_retry import retry_job_on_transient_errors, run_or_keep
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation

_logger = logging.getLogger(__name__)

# A safety-net tick queues at most this many deliveries / order changes.
EXPORT_SCAN_LIMIT = 200
# Variant bindings one price job reads (ten batches of 50); the next job
# carries on from the last id: a job is bounded, memory never grows.
PRICE_JOB_SIZE = 500


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    # Shipments
    export_shipments_on_validate = fields.Boolean(
        string="Export Shipments",
        default=True,
        help="Send a validated delivery of an imported order to BigCommerce as "
        "shipments, with its tracking number and carrier. BigCommerce e-mails "
        "the shopper.",
    )
    validate_deliveries_from_bigcommerce = fields.Boolean(
        string="Validate deliveries from BigCommerce shipments",
        help="For stores that ship from BigCommerce or a 3PL: a shipment made in "
        "BigCommerce validates the matching quantities of the Odoo delivery "
        "(the rest stays in a backorder). It is never sent back.",
    )
    carrier_mapping_ids = fields.One2many(
        "bigcommerce.carrier.mapping", "instance_id", string="Carrier Mapping"
    )
    # Order status map (Odoo event -> BigCommerce status id)
    export_cancel_status_id = fields.Integer(
        string="Cancelled in Odoo",
        default=5,
        help="BigCommerce status of an order cancelled in Odoo (5 Cancelled); "
        "0 sends nothing.",
    )
    export_completed_status = fields.Boolean(
        string="Complete Shipped and Paid Orders",
        help="Off by default: BigCommerce sets Shipped itself after the " "shipments.",
    )
    export_completed_status_id = fields.Integer(
        string="Shipped and Paid", default=10, help="10 Completed."
    )
    mark_order_as_paid = fields.Boolean(
        string="Mark Order as Paid?",
        help="When the invoice of an imported order is paid in Odoo, tell "
        "BigCommerce as its payment mapping says: an offline payment sets the "
        "paid status, an authorised gateway payment is captured.",
    )
    awaiting_payment_status_id = fields.Integer(
        string="Awaiting Payment Status", default=7
    )
    paid_status_id = fields.Integer(
        string="Paid Status",
        default=11,
        help="11 Awaiting Fulfillment: checkout done and payment confirmed.",
    )
    # Prices
    price_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Price Export Pricelist",
        check_company=True,
        help="Prices sent to BigCommerce, converted to the store's currency.",
    )
    export_sale_price = fields.Boolean(
        string="Export Odoo Product's Sale Price?",
        help="Send the products' sale price instead of the pricelist's.",
    )
    # Safety nets, named like the polls (see _queue_due_polls).
    import_order_exports_cron = fields.Boolean(
        string="Export Order Status / Tracking", default=True
    )
    order_export_checkpoint = fields.Datetime(
        string="Order Status / Tracking Exported Up To", copy=False
    )
    order_export_poll_interval = fields.Integer(
        string="Export Order Status / Tracking Every (min)", default=15
    )
    import_price_exports_cron = fields.Boolean(
        string="Export Product's Price", default=False
    )
    price_export_checkpoint = fields.Datetime(
        string="Prices Exported Up To", copy=False
    )
    price_export_poll_interval = fields.Integer(
        string="Export Product's Price Every (min)", default=60
    )
    export_attention_count = fields.Integer(compute="_compute_export_attention_count")

    def _compute_export_attention_count(self):
        counts = {}
        for model in ("bigcommerce.shipment.export", "bigcommerce.order.export"):
            for instance, count in self.env[model]._read_group(
                [("instance_id", "in", self.ids), ("state", "=", "failed")],
                ["instance_id"],
                ["__count"],
            ):
                counts[instance] = counts.get(instance, 0) + count
        for instance in self:
            instance.export_attention_count = counts.get(instance, 0)

    @api.model_create_multi
    def create(self, vals_list):
        instances = super().create(vals_list)
        self.env["bigcommerce.carrier.mapping"]._ensure_defaults(instances)
        return instances

    # ------------------------------------------------------------
    # Scripting API (buttons, crons, XML-RPC)
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def export_shipments(self, picking_ids=None):
        """Send validated deliveries of imported orders as shipments.

        ``picking_ids``: these deliveries (only done outgoing ones are sent:
        a delivery not validated yet is left alone, its validation sends
        it); None: every delivery not sent yet (bounded per call). One job
        per delivery (identity key per delivery); with the context key
        ``queue_job__no_delay`` they run at once.
        """
        for instance in self:
            instance._check_confirmed()
            if picking_ids:
                pickings = self.env["stock.picking"].browse(picking_ids).exists()
            elif instance.export_shipments_on_validate:
                pickings = instance._pickings_to_export()
            else:
                continue
            for picking in pickings.filtered(
                lambda p, instance=instance: p._bigcommerce_is_done_delivery()
                and p.sale_id.bigcommerce_instance_id == instance
            ):
                instance._queue_shipment_export(picking)
        return True

    @bigcommerce_admin_only
    def export_order_statuses(self, order_ids=None, kinds=None):
        """Send order changes made in Odoo (cancelled, paid, completed).

        ``order_ids``: BigCommerce order ids; ``kinds``: among "cancel",
        "paid", "complete" (default: all). None: every imported order with a
        change not sent yet (bounded per call).
        """
        for instance in self:
            instance._check_confirmed()
            if order_ids:
                records = self.env["bigcommerce.order"].search(
                    [
                        ("instance_id", "=", instance.id),
                        ("bigcommerce_id", "in", [int(i) for i in order_ids]),
                    ]
                )
                todo = [
                    (record, kind)
                    for record in records
                    for kind in kinds or ("cancel", "paid", "complete")
                ]
            else:
                todo = instance._order_changes_to_export(kinds)
            for record, kind in todo:
                instance._queue_order_status_export(record, kind)
        return True

    @bigcommerce_admin_only
    def export_prices(self, product_ids=None):
        """Send the changed prices of bound variants (``product.product`` ids).

        One job reads at most PRICE_JOB_SIZE variant bindings and queues the
        next; with ``queue_job__no_delay`` they run at once.
        """
        for instance in self:
            instance._check_confirmed()
            instance.with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Export prices of %s", instance.name),
            )._job_export_prices(product_ids=product_ids or None)
        return True

    @bigcommerce_admin_only
    def action_export_shipments(self):
        return self.export_shipments()

    @bigcommerce_admin_only
    def action_export_order_statuses(self):
        return self.export_order_statuses()

    @bigcommerce_admin_only
    def action_export_prices(self):
        return self.export_prices()

    def action_view_export_failures(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_shipment_export_action"
        )
        action["domain"] = [("instance_id", "=", self.id)]
        return action

    @api.model
    def _cron_export_order_statuses(self):
        return self._queue_due_polls(
            "order_export",
            lambda instance: self.env._(
                "Export order status / tracking of %s", instance.name
            ),
        )

    @api.model
    def _cron_export_prices(self):
        return self._queue_due_polls(
            "price_export",
            lambda instance: self.env._("Export prices of %s", instance.name),
        )

    # ------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------

    def _job_poll_order_exports(self):
        """Safety net: queue what the triggers missed (a crash, a bulk change)."""
        self.ensure_one()
        started = fields.Datetime.now()
        self.export_shipments()
        self.export_order_statuses()
        self.order_export_checkpoint = started
        return True

    def _job_poll_price_exports(self):
        self.ensure_one()
        started = fields.Datetime.now()
        self._job_export_prices()
        self.price_export_checkpoint = started
        return True

    def _job_export_shipment(self, picking_id):
        """Queue job: send one delivery (identity key per delivery).

        When queue_job would give up, the delivery's row keeps the reason,
        with Retry, under Needs Attention.
        """
        self.ensure_one()
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not picking:
            return "deleted"
        if not picking._bigcommerce_is_done_delivery():
            # Queued before it was cancelled or returned to draft: no row is
            # written, so its validation later sends it.
            return f"{picking.name}: not a done delivery, nothing sent"
        with log_operation(self, "export_shipments", "shipment") as recorder:
            exporter = ShipmentExporter(self, self._job_client(), recorder)
            record = run_or_keep(
                self.env,
                lambda: exporter.export_picking(picking),
                lambda reason: exporter.give_up(picking, reason),
                f"Export of delivery {picking.name}",
            )
        if record.state == "done" and self.export_completed_status:
            self._queue_order_status_export(record.order_record_id, "complete")
        return f"{picking.name}: {record.state}"

    def _job_export_order_status(self, order_record_id, kind):
        self.ensure_one()
        record = self.env["bigcommerce.order"].browse(order_record_id).exists()
        if not record:
            return "deleted"
        with log_operation(self, f"export_order_{kind}", "order") as recorder:
            exporter = OrderStatusExporter(self, self._job_client(), recorder)
            row = run_or_keep(
                self.env,
                lambda: exporter.export(record, kind),
                lambda reason: exporter.give_up(record, kind, reason),
                f"Export of {record.display_name} ({kind})",
            )
        return f"{record.display_name} {kind}: {row.state or 'not yet'}"

    def _job_export_prices(self, product_ids=None, after_id=0):
        self.ensure_one()
        domain = [
            ("instance_id", "=", self.id),
            ("id", ">", after_id),
            ("product_id", "!=", False),
        ]
        if product_ids:
            domain.append(("product_id", "in", product_ids))
        bindings = self.env["bigcommerce.product.variant"].search(
            domain, order="id", limit=PRICE_JOB_SIZE
        )
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "export_prices", "price") as recorder,
        ):
            counts = PriceExporter(self, self._job_client(), recorder).export(bindings)
        if len(bindings) == PRICE_JOB_SIZE:
            self.with_delay(
                channel=self._queue_channel(),
                description=self.env._("Export prices of %s", self.name),
            )._job_export_prices(product_ids=product_ids, after_id=bindings[-1].id)
        return dict(counts)

    def _job_validate_delivery(self, shipment_id):
        """Queue job: a shipment made in BigCommerce validates the Odoo delivery."""
        self.ensure_one()
        shipment = self.env["bigcommerce.shipment"].browse(shipment_id).exists()
        if not shipment:
            return "deleted"
        with log_operation(self, "validate_deliveries", "shipment") as recorder:
            validator = DeliveryValidator(self, self._job_client())
            try:
                with (
                    retry_job_on_transient_errors(self.env),
                    self.env.cr.savepoint(),
                ):
                    picking = validator.validate(shipment)
            except (DeliveryRefused, UserError) as error:
                reason = str(error.args[0] if error.args else error)
                shipment.validation_error = reason
                recorder.add_counts(failed=1)
                recorder.note(
                    f"Shipment {shipment.bigcommerce_id}: {reason}", level="error"
                )
                return reason
            shipment.validation_error = False
            recorder.add_counts(updated=1)
        return picking.name or "nothing to do"

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _check_confirmed(self):
        if self.state != "confirmed":
            raise UserError(self.env._("Confirm the instance %s first.", self.name))

    def _queue_shipment_export(self, picking):
        self.ensure_one()
        # The job runs as the superuser: whoever validated the delivery (or
        # cancelled, or paid) needs no BigCommerce rights for it to be sent.
        return (
            self.with_user(SUPERUSER_ID)
            .with_delay(
                channel=self._queue_channel(),
                description=self.env._(
                    "Export delivery %s to BigCommerce", picking.name
                ),
                identity_key=f"bigcommerce-export-shipment-{self.id}-{picking.id}",
            )
            ._job_export_shipment(picking.id)
        )

    def _queue_order_status_export(self, record, kind):
        self.ensure_one()
        return (
            self.with_user(SUPERUSER_ID)
            .with_delay(
                channel=self._queue_channel(),
                description=self.env._(
                    "Export %(kind)s of %(order)s", kind=kind, order=record.display_name
                ),
                identity_key=f"bigcommerce-export-order-{self.id}-{record.id}-{kind}",
            )
            ._job_export_order_status(record.id, kind)
        )

    def _pickings_to_export(self):
        """Validated deliveries of this store's orders without a sent row."""
        self.ensure_one()
        return self.env["stock.picking"].search(
            [
                ("state", "=", "done"),
                ("picking_type_code", "=", "outgoing"),
                ("sale_id.bigcommerce_order_record_id.instance_id", "=", self.id),
                # Shipped in full in BigCommerce already: nothing left to send
                # (deliveries validated before the export was switched on).
                (
                    "sale_id.bigcommerce_order_record_id.fulfilment_state",
                    "in",
                    ("unshipped", "partial"),
                ),
                "|",
                ("bigcommerce_shipment_export_ids", "=", False),
                ("bigcommerce_shipment_export_ids.state", "=", "pending"),
            ],
            order="id",
            limit=EXPORT_SCAN_LIMIT,
        )

    def _order_changes_to_export(self, kinds=None):
        """(order record, kind) pairs whose trigger fired without a row."""
        self.ensure_one()
        kinds = kinds or ("cancel", "paid", "complete")
        orders = self.env["bigcommerce.order"]
        todo = []
        wanted = {
            "cancel": self.export_cancel_status_id
            and [("sale_order_id.state", "=", "cancel")],
            "paid": self.mark_order_as_paid
            and [
                ("invoice_id.payment_state", "in", ("paid", "in_payment")),
                ("payment_mapping_id.paid_action", "in", ("offline", "capture")),
            ],
            "complete": self.export_completed_status
            and [
                ("invoice_id.payment_state", "in", ("paid", "in_payment")),
                ("fulfilment_state", "in", ("shipped", "digital")),
            ],
        }
        for kind in kinds:
            if not wanted.get(kind):
                continue
            records = orders.search(
                [
                    ("instance_id", "=", self.id),
                    *wanted[kind],
                    "!",
                    ("order_export_ids.kind", "=", kind),
                ],
                order="id",
                limit=EXPORT_SCAN_LIMIT,
            )
            todo.extend((record, kind) for record in records)
        return todo

    def _carrier_mapping(self, carrier):
        """The carrier mapping row of an Odoo carrier, or an empty recordset."""
        self.ensure_one()
        rows = self.carrier_mapping_ids
        exact = rows.filtered(lambda row: row.carrier_id == carrier)
        if exact:
            return exact[:1]
        name = (carrier.name or "").lower()
        return rows.filtered(
            lambda row: not row.carrier_id
            and row.carrier_name
            and row.carrier_name.lower() in name
        )[:1]
