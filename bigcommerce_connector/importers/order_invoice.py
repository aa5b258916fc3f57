"""“Create Single Invoice?” off: one invoice per validated delivery.

Odoo's delivered-quantity invoicing, tied out against BigCommerce: the sale
order lines carry what BigCommerce charged for each line (its amounts, its
manual tax amounts), so an invoice of part of an order must equal the share
of those charges of the lines it invoices:

- a product line delivered in part is invoiced for the delivered units at
  its share of BigCommerce's line amounts (in cents; the last delivery of the
  line takes the rest, so the line's invoices add up to BigCommerce's line);
- its discount and gift wrapping lines follow it in the same proportion;
- lines that are not delivered (shipping, handling, fees, sold gift
  certificates) go on the first invoice.

Each invoice is compared with the sum of those charges: equal, it is posted
(when the payment mapping posts invoices); different, it stays in draft and
the order is flagged for review with both figures. Once every line is
invoiced and every invoice posted, the invoices together are compared with
BigCommerce's ``total_inc_tax``: the order is done, or flagged for review.
"""

from decimal import ROUND_HALF_UP, Decimal

from odoo import Command
from odoo.tools import float_compare, float_is_zero

from . import order_exchange_rate, order_payments
from .order_dates import accounting_day

# Lines invoiced in proportion to the delivered units of their product line.
FOLLOW_PRODUCT = ("discount", "wrapping")


def _decimal(value):
    return Decimal(str(value))


class DeliveryInvoicer:
    """Invoices the validated deliveries of one BigCommerce sale order."""

    def __init__(self, record):
        self.record = record
        self.sale_order = record.sale_order_id
        self.env = record.env
        self.currency = self.sale_order.currency_id
        self.digits = self.currency.decimal_places
        self.cent = Decimal(1).scaleb(-self.digits)

    def _round(self, value):
        return value.quantize(self.cent, rounding=ROUND_HALF_UP)

    # ------------------------------------------------------------------
    # One delivery
    # ------------------------------------------------------------------

    def invoice_picking(self, picking):
        """Invoice what ``picking`` delivered; returns the invoice (or none)."""
        delivered = {}
        for move in picking.move_ids.filtered(
            lambda move: move.state == "done" and move.sale_line_id
        ):
            line = move.sale_line_id
            quantity = move.product_uom._compute_quantity(
                move.quantity, line.product_uom_id
            )
            if move.location_dest_id.usage != "customer":
                quantity = -quantity  # a return: not invoiced here
            delivered[line] = delivered.get(line, 0.0) + quantity
        delivered = {line: qty for line, qty in delivered.items() if qty > 0}
        if not delivered:
            return self.env["account.move"]
        lines = self.sale_order.order_line.filtered(lambda line: not line.display_type)
        first = not self.sale_order.invoice_ids.filtered(
            lambda move: move.state != "cancel" and move.move_type == "out_invoice"
        )
        parts = []  # (sale line, quantity, expected values)
        for line, quantity in delivered.items():
            parts.append((line, quantity))
            for follower in lines.filtered(
                lambda other, line=line: other.bigcommerce_line_kind in FOLLOW_PRODUCT
                and other.bigcommerce_line_id == line.bigcommerce_line_id
            ):
                share = quantity / line.product_uom_qty
                parts.append((follower, follower.product_uom_qty * share))
        if first:
            for line in lines:
                if (
                    line not in delivered
                    and line.bigcommerce_line_kind not in FOLLOW_PRODUCT
                    and not line.move_ids
                ):
                    parts.append((line, line.product_uom_qty))
        invoice_lines, expected = [], Decimal(0)
        for line, quantity in parts:
            values, amount = self._invoice_line(line, quantity)
            invoice_lines.append(Command.create(values))
            expected += amount
        invoice_values = self.sale_order._prepare_invoice()
        invoice_values["invoice_date"] = accounting_day(
            self.record.instance_id, picking.date_done
        )
        invoice_values["invoice_line_ids"] = invoice_lines
        invoice_values.update(order_exchange_rate.delivery_values(self.record))
        invoice = (
            self.env["account.move"]
            .with_company(self.sale_order.company_id)
            .with_context(default_move_type="out_invoice", tracking_disable=True)
            .create(invoice_values)
        )
        self._check_and_post(invoice, expected)
        return invoice

    def _invoice_line(self, line, quantity):
        """Invoice line values for ``quantity`` of ``line``, and what
        BigCommerce charged for them (tax included)."""
        values = line._prepare_invoice_line(quantity=quantity)
        ordered = line.product_uom_qty
        invoiced_lines = line.invoice_lines.filtered(
            lambda aml: aml.move_id.state != "cancel"
            and aml.move_id.move_type == "out_invoice"
        )
        already_qty = sum(invoiced_lines.mapped("quantity"))
        last = (
            float_compare(
                already_qty + quantity,
                ordered,
                precision_rounding=line.product_uom_id.rounding,
            )
            >= 0
        )
        # BigCommerce's figure (orders imported before it was kept, and
        # free lines: the line's own total).
        total = _decimal(line.bigcommerce_charged or line.price_total)
        if last:
            charged = total - sum(
                (_decimal(aml.price_total) for aml in invoiced_lines), Decimal(0)
            )
        else:
            charged = self._round(total * _decimal(quantity) / _decimal(ordered))
        manual = (line.extra_tax_data or {}).get("manual_tax_amounts")
        if manual and float_compare(quantity, ordered, precision_digits=6):
            # BigCommerce's amounts of the whole line are on it: carry this
            # delivery's share of them (Odoo applies manual amounts only to
            # the quantity they were given for).
            values["extra_tax_data"] = self._share_of_manual_amounts(
                line, quantity, invoiced_lines, last
            )
        return values, charged

    def _share_of_manual_amounts(self, line, quantity, invoiced_lines, last):
        data = line.extra_tax_data
        ratio = _decimal(quantity) / _decimal(line.product_uom_qty)

        def share(whole, earlier):
            whole = _decimal(whole)
            if last:
                return whole - earlier
            return self._round(whole * ratio)

        # The earlier deliveries' shares, as carried on their invoice lines.
        earlier = [aml.extra_tax_data or {} for aml in invoiced_lines]
        earlier_base = sum(
            (
                _decimal(item.get("manual_total_excluded_currency") or 0)
                for item in earlier
            ),
            Decimal(0),
        )
        taxes = {}
        for tax_id, amounts in data["manual_tax_amounts"].items():
            earlier_tax = earlier_tax_base = Decimal(0)
            for item in earlier:
                carried = (item.get("manual_tax_amounts") or {}).get(tax_id) or {}
                earlier_tax += _decimal(carried.get("tax_amount_currency") or 0)
                earlier_tax_base += _decimal(carried.get("base_amount_currency") or 0)
            taxes[tax_id] = {
                "tax_amount_currency": float(
                    share(amounts["tax_amount_currency"], earlier_tax)
                ),
                "base_amount_currency": float(
                    share(amounts["base_amount_currency"], earlier_tax_base)
                ),
            }
        return {
            **data,
            "quantity": float(quantity),
            "manual_total_excluded_currency": float(
                share(data["manual_total_excluded_currency"], earlier_base)
            ),
            "manual_tax_amounts": taxes,
        }

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _check_and_post(self, invoice, expected):
        record = self.record
        mapping = record.payment_mapping_id
        if float_compare(
            invoice.amount_total, float(expected), precision_digits=self.digits
        ):
            record.write(
                {
                    "state": "review",
                    "failure_reason": self.env._(
                        "Invoice %(invoice)s of a delivery totals %(odoo)s; "
                        "BigCommerce charged %(bigcommerce)s for its lines. It "
                        "was left in draft.",
                        invoice=invoice.display_name,
                        odoo=invoice.amount_total,
                        bigcommerce=float(expected),
                    ),
                }
            )
            return
        if mapping.post_invoice:
            invoice.action_post()
            if mapping.register_payment and mapping.journal_id:
                # The gateway id the order named at import; a delivery's
                # validation reads nothing from the store (a gateway that
                # names none leaves the payment with the order number only).
                transaction_ids = (
                    [record.gateway_transaction_ref]
                    if record.gateway_transaction_ref
                    else []
                )
                payments = (
                    self.env["account.payment.register"]
                    .with_context(
                        active_model="account.move",
                        active_ids=invoice.ids,
                        **order_exchange_rate.payment_context(invoice),
                        **order_payments.clearing_context(mapping),
                    )
                    .create(
                        {
                            "journal_id": mapping.journal_id.id,
                            "payment_date": invoice.invoice_date,
                            "communication": order_payments.payment_memo(
                                invoice.name,
                                record.bigcommerce_id,
                                record.payment_method,
                                transaction_ids,
                            ),
                        }
                    )
                    ._create_payments()
                )
                order_payments.tag(payments, record.bigcommerce_id, "", transaction_ids)
        if not record.invoice_id:
            record.invoice_id = invoice
        self.check_order()

    def check_order(self):
        """Once everything is invoiced and posted: the invoices together
        against BigCommerce's total."""
        record = self.record
        if record.state == "review":
            return
        lines = self.sale_order.order_line.filtered(lambda line: not line.display_type)
        if any(
            not float_is_zero(
                line.product_uom_qty - line.qty_invoiced,
                precision_rounding=line.product_uom_id.rounding,
            )
            for line in lines
        ):
            return
        invoices = self.sale_order.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state != "cancel"
        )
        if any(invoice.state != "posted" for invoice in invoices):
            return
        total = sum(invoices.mapped("amount_total"))
        if float_compare(total, record.total_inc_tax, precision_digits=self.digits):
            record.write(
                {
                    "state": "review",
                    "failure_reason": self.env._(
                        "The invoices of the deliveries total %(odoo)s, "
                        "BigCommerce's order %(bigcommerce)s.",
                        odoo=total,
                        bigcommerce=record.total_inc_tax,
                    ),
                }
            )
