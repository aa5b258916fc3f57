"""A refund's credit note: its plan (core/refund_plan.py), written.

The plan decides which invoice lines the refund reverses, in which
proportions and with which taxes; here the invoice lines are read into the
plan's terms (what each booked, per tax) and its credit lines written as a
credit note, then checked against BigCommerce's totals; the money sent back
is registered on the journals it was paid on.
"""

from decimal import Decimal

from odoo import Command, fields
from odoo.tools import float_compare

from ..client.parsing import parse_money
from ..core.money import ZERO, money
from ..core.refund_plan import InvoiceLine, refund_plan
from . import order_edit, order_exchange_rate, order_payments
from .order_dates import accounting_day


class RefundImportError(Exception):
    """The refund cannot be booked as BigCommerce states it; shown to users."""


class RefundCreditNote:
    """Mixin of RefundImporter: credit notes and refund payments."""

    def _register_refund_payments(self, credit_note, refund, order_record):
        """The money BigCommerce sent back, on the journals it was paid on.

        Only for orders whose payment mapping registers payments: their
        invoice was paid in Odoo, so the credit note is owed to the customer
        until these payments settle it (an open invoice is settled by the
        credit note itself). Store credit goes to the store credit journal.
        """
        mapping = order_record.payment_mapping_id
        if not mapping.register_payment or credit_note.payment_state in (
            "paid",
            "in_payment",
            "reversed",
        ):
            return
        for payment in refund.get("payments") or []:
            amount = parse_money(payment.get("amount"))
            if payment.get("is_declined") or amount <= ZERO:
                continue
            provider = payment.get("provider_id") or ""
            journal = (
                self.instance.store_credit_journal_id
                if provider == "storecredit"
                else mapping.journal_id
            )
            if not journal:
                raise RefundImportError(
                    self.env._(
                        "Set the store credit journal on the store %s to register "
                        "this refund's store credit, then retry.",
                        self.instance.name,
                    )
                )
            through_gateway = provider != "storecredit"
            gateway, transaction_ids = (
                order_payments.read_gateway_refund(self, refund["order_id"], amount)
                # An offline refund (cash...) has no gateway id to read.
                if through_gateway and not payment.get("offline")
                else ("", [])
            )
            payments = (
                self.env["account.payment.register"]
                .with_context(
                    active_model="account.move",
                    active_ids=credit_note.ids,
                    **order_exchange_rate.payment_context(credit_note),
                    **order_payments.clearing_context(
                        mapping if through_gateway else None
                    ),
                )
                .create(
                    {
                        "amount": float(amount),
                        "journal_id": journal.id,
                        "payment_date": credit_note.invoice_date,
                        "communication": order_payments.payment_memo(
                            credit_note.name,
                            refund["order_id"],
                            provider,
                            transaction_ids,
                        ),
                    }
                )
                ._create_payments()
            )
            order_payments.tag(payments, refund["order_id"], gateway, transaction_ids)

    def _use_refund_tax_account(self, credit_note):
        """Book the tax given back on the instance's credit note tax account.

        The taxes the connector creates already say so (their credit note
        distribution), but a tax created before the account was set, or
        shared with another store, would not.
        """
        account = self.instance.refund_tax_account_id
        if account:
            credit_note.line_ids.filtered(
                lambda line: line.tax_repartition_line_id and line.account_id != account
            ).account_id = account

    def _credit_note_header(self, invoice, refund):
        return {
            "invoice_date": accounting_day(self.instance, refund.get("created"))
            or fields.Date.today(),
            "ref": self.env._(
                "BigCommerce refund %(refund)s of order %(order)s%(reason)s",
                refund=refund["id"],
                order=refund["order_id"],
                reason=f": {refund['reason']}" if refund.get("reason") else "",
            ),
            "journal_id": invoice.journal_id.id,
            # Converted as the invoice it reverses, whatever Odoo's rate table.
            **order_exchange_rate.reversal_values(invoice),
            # The invoice's salesperson (none for an online order), not the
            # user who runs the job.
            "invoice_user_id": invoice.invoice_user_id.id,
        }

    def _reverse_invoice(self, invoice, refund):
        """The whole invoice, reversed: every line, price and manual tax."""
        values = self._credit_note_header(invoice, refund)
        return invoice.with_context(tracking_disable=True)._reverse_moves([values])

    def _create_credit_note(self, invoice, refund, record):
        """A credit note of the refund's plan (core/refund_plan.py)."""
        currency = invoice.currency_id
        lines = self._refund_plan_lines(invoice, refund, record)
        values = {
            **self._credit_note_header(invoice, refund),
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "partner_shipping_id": invoice.partner_shipping_id.id,
            "currency_id": currency.id,
            "fiscal_position_id": invoice.fiscal_position_id.id,
            "invoice_origin": invoice.invoice_origin,
            "reversed_entry_id": invoice.id,
            "invoice_line_ids": [
                Command.create(self._move_line_values(line, currency)) for line in lines
            ],
        }
        return (
            self.env["account.move"]
            .with_company(self.company)
            .with_context(default_move_type="out_refund", tracking_disable=True)
            .create(values)
        )

    def _refund_plan_lines(self, invoice, refund, record):
        """The credit lines the core plans for ``refund``, or the reason it
        cannot be booked (RefundImportError)."""
        reversible = [
            self._invoice_line(line)
            for line in order_edit.current_invoice_lines(
                record.order_record_id, invoice
            )
            if line.display_type == "product"
        ]
        taxed = [
            self._invoice_line(line)
            for line in invoice.invoice_line_ids
            if line.tax_ids
        ]
        # Units of the order products refunded before (read only for a refund
        # of units: a refund without a record has none).
        earlier = {}
        items = refund.get("items") or []
        if any(item["item_type"] == "PRODUCT" for item in items):
            for line in self._earlier_refund_lines(record):
                if line.item_type == "PRODUCT":
                    earlier[line.item_id] = earlier.get(line.item_id, 0) + line.quantity
        plan = refund_plan(
            refund,
            reversible,
            {item_id: Decimal(units) for item_id, units in earlier.items()},
            taxed,
            self._quantum,
        )
        if plan.problem:
            raise RefundImportError(self._problem_message(plan.problem))
        if any(line.adjustment for line in plan.lines):
            self._adjustment_product()
        return plan.lines

    def _invoice_line(self, line):
        """What an invoice line booked, as the refund plan reads it."""
        sale_line = line.sale_line_ids[:1]
        taxes = self._line_taxes(line)
        return InvoiceLine(
            ref=line,
            kind=sale_line.bigcommerce_line_kind,
            line_id=sale_line.bigcommerce_line_id,
            quantity=Decimal(str(line.quantity)),
            price_unit=line.price_unit,
            total=money(line.price_total, self._quantum),
            taxes=tuple(taxes.items()),
            tax_ids=tuple(line.tax_ids.ids),
            included=frozenset(line.tax_ids.filtered("price_include").ids),
            tax_total=line.price_total - line.price_subtotal,
        )

    def _problem_message(self, problem):
        values = problem.values
        if problem.code == "product_not_invoiced":
            return self.env._(
                "The refunded order product %s is not on the invoice.", values["item"]
            )
        if problem.code == "units_refunded":
            return self.env._(
                "Order product %(item)s: %(done)s of %(ordered)s units were "
                "refunded before, %(quantity)s more cannot be.",
                **values,
            )
        if problem.code == "amount_not_invoiced":
            return self.env._(
                "The refunded %(type)s %(id)s is not on the invoice.", **values
            )
        if problem.code == "order_amount_missing":
            return self.env._("BigCommerce did not report the order-level amount.")
        if problem.code == "unknown_item_type":
            return self.env._("Unknown refund item type %s.", values["type"])
        if problem.code == "tax_on_untaxed_items":
            return self.env._(
                "BigCommerce refunded %(tax)s of tax on items that carry no tax.",
                tax=float(values["tax"]),
            )
        return self.env._("BigCommerce refunded tax on an order without tax.")

    def _move_line_values(self, line, currency):
        """The credit note line of a plan's CreditLine."""
        source = line.source.ref if line.source else None
        taxes = self.env["account.tax"].browse(line.tax_ids)
        if source:
            product, name = source.product_id, source.name
        else:
            product = self._adjustment_product()
            name = {
                "order": line.name or self.env._("Order-level refund"),
                "taxed": self.env._("BigCommerce refund adjustment"),
                "override": self.env._(
                    "BigCommerce merchant override of the refund total"
                ),
            }[line.adjustment]
        values = {
            "product_id": product.id,
            "name": name,
            "quantity": line.quantity,
            "price_unit": float(line.price_unit),
            "discount": 0.0,
            "tax_ids": [Command.set(taxes.ids)],
        }
        if source:
            values.update(
                account_id=source.account_id.id,
                analytic_distribution=source.analytic_distribution,
                # So the credit note is among the sale order's invoices.
                sale_line_ids=[Command.set(source.sale_line_ids.ids)],
            )
        if taxes:
            base = float(line.base)
            values["extra_tax_data"] = {
                "currency_id": currency.id,
                "price_unit": float(line.price_unit),
                "discount": 0.0,
                "quantity": float(line.quantity),
                "manual_total_excluded_currency": base,
                "manual_tax_amounts": {
                    str(tax.id): {
                        "tax_amount_currency": float(line.tax.get(tax.id, ZERO)),
                        "base_amount_currency": base,
                    }
                    for tax in taxes
                },
            }
        return values

    def _mismatch(self, credit_note, total, tax, currency):
        digits = currency.decimal_places
        if float_compare(
            credit_note.amount_total, float(total), precision_digits=digits
        ) or float_compare(credit_note.amount_tax, float(tax), precision_digits=digits):
            return self.env._(
                "Totals differ: the credit note would be %(odoo_total)s with tax "
                "%(odoo_tax)s, BigCommerce refunded %(bigcommerce_total)s with tax "
                "%(bigcommerce_tax)s. Nothing was posted.",
                odoo_total=credit_note.amount_total,
                odoo_tax=credit_note.amount_tax,
                bigcommerce_total=float(total),
                bigcommerce_tax=float(tax),
            )
        return False

    def _earlier_refund_lines(self, record):
        """Items of this order's refunds that BigCommerce made before this one."""
        return self.env["bigcommerce.refund.line"].search(
            [
                ("refund_id.instance_id", "=", self.instance.id),
                ("refund_id.order_bigcommerce_id", "=", record.order_bigcommerce_id),
                ("refund_id.bigcommerce_id", "<", record.bigcommerce_id),
            ]
        )

    def _adjustment_product(self):
        product = self.instance.refund_adjustment_product_id
        if not product:
            raise RefundImportError(
                self.env._(
                    "Set the refund adjustment product of %s.", self.instance.name
                )
            )
        return product

    def _line_taxes(self, line):
        """What the invoice line taxed, per tax id (its manual amounts if any)."""
        manual = (line.extra_tax_data or {}).get("manual_tax_amounts") or {}
        amounts = {}
        if manual and all(str(tax.id) in manual for tax in line.tax_ids):
            for tax in line.tax_ids:
                amounts[tax.id] = money(
                    manual[str(tax.id)]["tax_amount_currency"], self._quantum
                )
            return amounts
        computed = line.tax_ids.compute_all(
            line.price_unit,
            currency=line.currency_id,
            quantity=line.quantity,
            product=line.product_id,
            partner=line.partner_id,
        )
        for row in computed["taxes"]:
            amounts[row["id"]] = amounts.get(row["id"], ZERO) + money(
                row["amount"], self._quantum
            )
        return amounts
