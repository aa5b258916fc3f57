from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    bigcommerce_order_record_id = fields.Many2one(
        "bigcommerce.order",
        string="BigCommerce Order",
        readonly=True,
        copy=False,
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_instance_id = fields.Many2one(
        related="bigcommerce_order_record_id.instance_id",
        string="BigCommerce Store",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_id = fields.Integer(
        related="bigcommerce_order_record_id.bigcommerce_id",
        string="BigCommerce Order ID",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_status = fields.Char(
        related="bigcommerce_order_record_id.status",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_payment_status = fields.Char(
        related="bigcommerce_order_record_id.payment_status",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_fulfilment_state = fields.Selection(
        related="bigcommerce_order_record_id.fulfilment_state",
        string="BigCommerce Fulfilment",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_shipment_ids = fields.One2many(
        related="bigcommerce_order_record_id.shipment_ids",
        string="BigCommerce Shipments",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_refund_ids = fields.One2many(
        "bigcommerce.refund",
        "sale_order_id",
        string="BigCommerce Refunds",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_refund_count = fields.Integer(
        compute="_compute_bigcommerce_refund_count",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )

    @api.depends("order_line.invoice_lines", "bigcommerce_refund_ids.credit_note_id")
    def _get_invoiced(self):
        # A credit note of an order-level amount has no line of the order:
        # its refund links it, so it is among the order's invoices too.
        result = super()._get_invoiced()
        # sudo: salespeople see the order's invoices without BigCommerce rights.
        groups = (
            self.env["bigcommerce.refund"]
            .sudo()
            ._read_group(
                [
                    ("sale_order_id", "in", self._origin.ids),
                    ("credit_note_id", "!=", False),
                ],
                ["sale_order_id"],
                ["credit_note_id:array_agg"],
            )
        )
        credit_note_ids = {order.id: ids for order, ids in groups}
        for order in self:
            credit_notes = self.env["account.move"].browse(
                credit_note_ids.get(order._origin.id, [])
            )
            if credit_notes - order.invoice_ids:
                order.invoice_ids |= credit_notes
                order.invoice_count = len(order.invoice_ids)
        return result

    # ------------------------------------------------------------
    # Confirmation: a BigCommerce order keeps the day it was placed
    # ------------------------------------------------------------

    def _bigcommerce_dated(self):
        """The orders of BigCommerce that carry the date the customer
        ordered (``date_created``, set at import). Read as the superuser:
        whoever confirms (a salesperson outside the BigCommerce groups) may
        not read the binding, and only learns which orders keep their date."""
        bound = self.sudo().filtered(
            lambda order: order.bigcommerce_order_record_id and order.date_order
        )
        return self.browse(bound.ids)

    def action_confirm(self):
        # Odoo writes one confirmation date for the whole recordset: orders
        # of BigCommerce confirmed with others are confirmed apart.
        dated = self._bigcommerce_dated()
        if dated and dated != self:
            super(SaleOrder, self - dated).action_confirm()
            return super(SaleOrder, dated).action_confirm()
        return super().action_confirm()

    def _prepare_confirmation_values(self):
        """Confirming stamps "now" as the order date; an order of BigCommerce
        was placed when the customer ordered it (Sales Analysis, the date
        filters and the expected delivery date count from it)."""
        values = super()._prepare_confirmation_values()
        if self and self._bigcommerce_dated() == self:
            values.pop("date_order", None)
        return values

    @api.depends("bigcommerce_refund_ids")
    def _compute_bigcommerce_refund_count(self):
        for order in self:
            order.bigcommerce_refund_count = len(order.bigcommerce_refund_ids)

    def action_view_bigcommerce_refunds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_refund_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        return action


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    bigcommerce_line_id = fields.Integer(
        string="BigCommerce Line ID",
        copy=False,
        help="The id that shipments and refunds refer to: the order-product id "
        "(products, their discounts and wrapping), the order address id "
        "(shipping, handling) or the fee id.",
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
    bigcommerce_line_kind = fields.Selection(
        [
            ("product", "Product"),
            ("discount", "Discount"),
            ("shipping", "Shipping"),
            ("handling", "Handling"),
            ("wrapping", "Gift Wrapping"),
            ("gift_certificate", "Gift Certificate"),
            ("fee", "Fee"),
        ],
        copy=False,
        groups="bigcommerce_connector.group_bigcommerce_user",
    )
