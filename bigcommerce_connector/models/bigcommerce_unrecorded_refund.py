from odoo import api, fields, models

from ..importers import refund_unrecorded
from ..tools.rights import bigcommerce_admin_only


class BigcommerceUnrecordedRefund(models.Model):
    """A credit note for money BigCommerce shows as refunded without a refund
    record (importers/refund_unrecorded.py), and how much of it refund
    records that turned up later documented (they credit nothing again)."""

    _name = "bigcommerce.unrecorded.refund"
    _description = "BigCommerce refund without a refund record"
    _order = "id"
    _check_company_auto = True

    order_record_id = fields.Many2one(
        "bigcommerce.order", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="order_record_id.company_id", store=True)
    sale_order_id = fields.Many2one(
        related="order_record_id.sale_order_id", store=True, index="btree_not_null"
    )
    currency_id = fields.Many2one(related="order_record_id.currency_id")
    amount = fields.Monetary(readonly=True)
    tax = fields.Monetary(readonly=True)
    covered_amount = fields.Monetary(
        string="Documented by Later Refunds",
        readonly=True,
        help="Part of this money that refund records made later document: "
        "they were linked to this credit note instead of crediting again.",
    )
    credit_note_id = fields.Many2one(
        "account.move", readonly=True, check_company=True, index="btree_not_null"
    )

    _credit_note_uniq = models.Constraint(
        "UNIQUE(credit_note_id)", "This credit note already books a refund."
    )


class BigcommerceOrder(models.Model):
    _inherit = "bigcommerce.order"

    unrecorded_refund_amount = fields.Monetary(
        string="Refunded Without a Record",
        readonly=True,
        help="Money BigCommerce shows as refunded (refunded_amount) that no "
        "refund record explains and Odoo has not credited: “Book Credit "
        "Note” credits it.",
    )
    unrecorded_refund_ids = fields.One2many(
        "bigcommerce.unrecorded.refund",
        "order_record_id",
        string="Credited Without a Refund Record",
        readonly=True,
    )

    @bigcommerce_admin_only
    def action_book_unrecorded_refund(self):
        """Credit the money refunded in BigCommerce without a refund record
        (an order-level credit note on the refund adjustment product)."""
        for record in self.filtered("unrecorded_refund_amount"):
            refund_unrecorded.book(
                record.instance_id.with_company(record.company_id),
                record,
                record.unrecorded_refund_amount,
            )
        return True


class BigcommerceRefund(models.Model):
    _inherit = "bigcommerce.refund"

    unrecorded_refund_id = fields.Many2one(
        "bigcommerce.unrecorded.refund",
        string="Credited Before Without a Record",
        readonly=True,
        help="This refund documents money that was refunded in BigCommerce "
        "without a refund record and already credited by that credit note.",
    )


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    unrecorded_refund_policy = fields.Selection(
        [("flag", "Flag for review"), ("book", "Book a credit note")],
        string="Refunds Without a Refund Record",
        default="flag",
        required=True,
        help="An order whose refunded amount in BigCommerce exceeds its refund "
        "records (refunded through the gateway, or before the refund API): "
        "flag it with the amount and a “Book Credit Note” button, or book the "
        "order-level credit note at once.",
    )


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.depends(
        "order_line.invoice_lines",
        "bigcommerce_refund_ids.credit_note_id",
        "bigcommerce_order_record_id.unrecorded_refund_ids.credit_note_id",
    )
    def _get_invoiced(self):
        # The credit notes of money refunded without a record are linked to
        # the order, not its lines (like order-level refunds).
        result = super()._get_invoiced()
        groups = (
            self.env["bigcommerce.unrecorded.refund"]
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
