"""Where the outbound half hooks into the records it sends back."""

from odoo import api, fields, models

from ..tools.job_retry import queued_notification
from ..tools.rights import bigcommerce_admin_only

PAID_ACTIONS = [
    ("none", "Nothing"),
    ("offline", "Offline payment: set the paid status"),
    ("capture", "Gateway payment: capture the authorisation"),
]


class BigcommerceShipment(models.Model):
    _inherit = "bigcommerce.shipment"

    origin = fields.Selection(
        [("bigcommerce", "BigCommerce"), ("odoo", "Odoo")],
        default="bigcommerce",
        required=True,
        readonly=True,
        help="Odoo: created by an Odoo delivery, never sent again. "
        "BigCommerce: made in BigCommerce, never sent back.",
    )
    export_id = fields.Many2one(
        "bigcommerce.shipment.export",
        string="Sent From",
        index="btree_not_null",
        readonly=True,
        ondelete="set null",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        readonly=True,
        index="btree_not_null",
        help="The Odoo delivery this shipment came from, or that it validated.",
    )
    order_address_id = fields.Integer(string="BigCommerce Address ID", readonly=True)
    validation_error = fields.Text(
        string="Delivery Not Validated",
        readonly=True,
        help="Why this BigCommerce shipment could not validate the Odoo delivery.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        shipments = super().create(vals_list)
        # Made in BigCommerce (read by the order import): with the option on,
        # the matching Odoo delivery is validated; it is never sent back.
        for shipment in shipments:
            instance = shipment.instance_id
            if (
                shipment.origin == "bigcommerce"
                and instance.validate_deliveries_from_bigcommerce
            ):
                instance.with_delay(
                    channel=instance._queue_channel(),
                    description=self.env._(
                        "Validate the delivery of BigCommerce shipment %s",
                        shipment.bigcommerce_id,
                    ),
                    identity_key=(
                        f"bigcommerce-validate-shipment-{instance.id}-"
                        f"{shipment.bigcommerce_id}"
                    ),
                )._job_validate_delivery(shipment.id)
        return shipments


class BigcommerceProductVariant(models.Model):
    _inherit = "bigcommerce.product.variant"

    exported_price = fields.Float(
        string="Last Exported Price",
        readonly=True,
        digits="Product Price",
        help="The price BigCommerce acknowledged last: only a different price "
        "is sent again.",
    )
    price_exported_at = fields.Datetime(readonly=True)
    price_export_error = fields.Text(string="Price Export Failure", readonly=True)

    @bigcommerce_admin_only
    def action_retry_price_export(self):
        """Queue the prices of these variants again (never in the request)."""
        for instance in self.instance_id:
            variants = self.filtered_domain([("instance_id", "=", instance.id)])
            instance.export_prices(product_ids=variants.product_id.ids)
        return queued_notification(self.env, len(self))


class BigcommercePaymentMapping(models.Model):
    _inherit = "bigcommerce.payment.mapping"

    paid_action = fields.Selection(
        PAID_ACTIONS,
        string="When Paid in Odoo",
        # Not required: the order import adds rows for new payment methods
        # with SQL (ON CONFLICT), which knows nothing of this field.
        default="none",
        help="With “Mark Order as Paid?” on the store, what BigCommerce is "
        "told once the order's invoice is paid in Odoo. BigCommerce has no API "
        "to record an offline payment: an offline payment moves the order to "
        "the paid status; an authorised gateway payment is captured.",
    )


class StockPicking(models.Model):
    _inherit = "stock.picking"

    bigcommerce_shipment_export_ids = fields.One2many(
        "bigcommerce.shipment.export",
        "picking_id",
        string="BigCommerce Export",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    def _bigcommerce_is_done_delivery(self):
        """Whether this picking is a validated delivery to a customer: the
        only pickings that become BigCommerce shipments."""
        self.ensure_one()
        return self.state == "done" and self.picking_type_code == "outgoing"

    def write(self, vals):
        result = super().write(vals)
        if self.env.context.get("bigcommerce_no_export"):
            # Validated from a BigCommerce shipment: skipped for good.
            return result
        # A delivery that changes (validated, tracking number, carrier...) is
        # evaluated again: a row skipped earlier becomes pending, which the
        # safety-net cron sends if there is something to send.
        skipped = (
            self.env["bigcommerce.shipment.export"]
            .sudo()
            .search([("picking_id", "in", self.ids), ("state", "=", "skipped")])
        )
        if skipped:
            skipped.write({"state": "pending"})
        return result

    def _action_done(self):
        result = super()._action_done()
        if self.env.context.get("bigcommerce_no_export"):
            return result
        # sudo: the warehouse user who validates has no BigCommerce rights.
        todo = self.sudo().filtered(
            lambda picking: picking.state == "done"
            and picking.picking_type_code == "outgoing"
            and picking.sale_id.bigcommerce_order_record_id
        )
        for instance in todo.sale_id.bigcommerce_order_record_id.instance_id:
            pickings = todo.filtered(
                lambda p, instance=instance: p.sale_id.bigcommerce_instance_id
                == instance
            )
            if instance.export_shipments_on_validate:
                for picking in pickings:
                    instance._queue_shipment_export(picking)
        return result


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_order_export_ids = fields.One2many(
        related="bigcommerce_order_record_id.order_export_ids",
        string="Status Sent to BigCommerce",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    def _action_cancel(self):
        result = super()._action_cancel()
        # sudo: the salesperson who cancels has no BigCommerce rights.
        for order in self.sudo().filtered("bigcommerce_order_record_id"):
            record = order.bigcommerce_order_record_id
            record.instance_id._queue_order_status_export(record, "cancel")
        return result

    @bigcommerce_admin_only
    def action_bigcommerce_mark_as_paid(self):
        """Tell BigCommerce now that the order is paid (see the payment mapping)."""
        for order in self.filtered("bigcommerce_order_record_id"):
            record = order.bigcommerce_order_record_id
            record.instance_id.with_context(
                queue_job__no_delay=True
            ).export_order_statuses(order_ids=[record.bigcommerce_id], kinds=["paid"])
        return True


class BigcommerceOrder(models.Model):
    _inherit = "bigcommerce.order"

    order_export_ids = fields.One2many(
        "bigcommerce.order.export", "order_record_id", string="Status Exports"
    )


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        # sudo: an accountant paying the invoice has no BigCommerce rights.
        records = (
            self.env["bigcommerce.order"]
            .sudo()
            .search([("invoice_id", "in", self.ids)])
        )
        for record in records:
            instance = record.instance_id
            if instance.mark_order_as_paid:
                instance._queue_order_status_export(record, "paid")
            if instance.export_completed_status:
                instance._queue_order_status_export(record, "complete")
        return result
