"""BigCommerce refund -> one posted credit note that ties out to the cent.

The credit note reverses what was refunded, line by line, from the invoice
the order import posted: a product at its invoiced unit price and taxes for
the refunded quantity (its discount along), shipping, handling, wrapping
and fees on their own lines, an order-level amount on the instance's
refund adjustment product. BigCommerce's ``total_tax`` is carried as Odoo's
manual tax amounts (``extra_tax_data``), as the order import does, so the
credit note's tax is BigCommerce's; the total is then checked against
``total_amount`` and a difference leaves the refund in Error with nothing
posted, never adjusted.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..client import BigCommerceError
from ..client.parsing import parse_datetime, parse_money
from ..core.money import CENT, ZERO, quantum
from ..core.money import cents as _cents
from ..core.money import split as _split
from . import (
    order_edit,
    order_exchange_rate,
    order_history,
    order_payments,
    refund_return,
    refund_unrecorded,
)
from .order import OrderImporter
from .order_dates import accounting_day

_logger = logging.getLogger(__name__)

# Invoice lines (sale line kinds) that a refund item gives back.
PRODUCT_KINDS = ("product", "gift_certificate")
AMOUNT_ITEM_KINDS = {
    "SHIPPING": "shipping",
    "HANDLING": "handling",
    "GIFT_WRAPPING": "wrapping",
    "FEE": "fee",
}


class RefundPending(Exception):
    """The refund cannot be booked yet; it waits, with the reason shown."""


class RefundBeforeGoLive(Exception):
    """The refunded order was created before the go-live date: not booked."""


class RefundImportError(Exception):
    """The refund cannot be booked as BigCommerce states it; shown to users."""


def _money(value, quantum=CENT):
    return _cents(Decimal(str(value)), quantum)


def _prorate(amount, done, part, whole, quantum=CENT):
    """What ``part`` more units of ``whole`` are worth after ``done`` units.

    Cumulative rounding: refunding every unit, in any number of refunds,
    gives back exactly ``amount``, never a cent more or less.
    """
    if not whole:
        return ZERO
    return _cents(amount * (done + part) / whole, quantum) - _cents(
        amount * done / whole, quantum
    )


class _CreditLine:
    """One credit note line being built: its total and tax per tax id."""

    def __init__(self, product, name, quantity, price_unit, taxes, invoice_line=None):
        self.product = product
        self.name = name
        self.quantity = quantity
        self.price_unit = price_unit
        self.taxes = taxes
        self.invoice_line = invoice_line
        # A refunded product keeps its invoiced unit price; other lines are
        # priced from their amount.
        self.keep_price = False
        self.total = ZERO  # tax included
        self.tax = {}  # tax id -> amount

    @property
    def base(self):
        return self.total - sum(self.tax.values(), ZERO)


class RefundImporter:
    """Books the refunds of one instance; one savepoint per refund."""

    def __init__(self, instance, client, recorder=None):
        # Whoever runs the job, the store's company books it.
        instance = instance.with_company(instance.company_id)
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.company = instance.company_id
        self.counts = defaultdict(int)
        # Rounding unit of the refund being booked (its currency's precision).
        self._quantum = CENT

    # ------------------------------------------------------------------
    # One refund
    # ------------------------------------------------------------------

    def import_refund(self, refund):
        """Book one refund (a v3 ``Refund``); returns its bigcommerce.refund."""
        record = self.env["bigcommerce.refund"]._claim(self.instance, int(refund["id"]))
        if record.state == "synced" and record.credit_note_id:
            self._count("unchanged")
            return record
        record.write(self._refund_values(record, refund))
        try:
            order_record = self._order_record(refund)
            record.write(
                {
                    "order_record_id": order_record.id,
                    "sale_order_id": order_record.sale_order_id.id,
                    "invoice_id": order_record.invoice_id.id,
                    "currency_id": order_record.invoice_id.currency_id.id,
                }
            )
            with self.env.cr.savepoint():
                credit_note = self._book(record, refund, order_record)
        except BigCommerceError as error:
            if error.retryable:
                raise
            return self._leave(record, "error", error.message)
        except RefundPending as error:
            return self._leave(record, "pending", str(error))
        except RefundBeforeGoLive as error:
            return self._leave(record, "not_booked", str(error))
        except (RefundImportError, UserError, ValidationError) as error:
            return self._leave(
                record, "error", str(error.args[0] if error.args else error)
            )
        record.write(
            {"state": "synced", "message": False, "credit_note_id": credit_note.id}
        )
        self._count("created")
        try:
            with self.env.cr.savepoint():
                refund_return.receive_back(self, record, refund, order_record)
        except (UserError, ValidationError) as error:
            # The credit note stands; the return is made by hand.
            record.message = self.env._(
                "No return picking was made: %s", error.args[0] if error.args else error
            )
        return record

    def give_up(self, refund, reason):
        """Keep a refund whose booking cannot finish in Error, with the reason."""
        record = self.env["bigcommerce.refund"]._claim(self.instance, int(refund["id"]))
        return self._leave(record, "error", reason)

    def _refund_values(self, record, refund):
        created = parse_datetime(refund.get("created"))
        return {
            "order_bigcommerce_id": int(refund["order_id"]),
            "date_created": created.replace(tzinfo=None) if created else False,
            "reason": refund.get("reason") or False,
            "total_amount": float(parse_money(refund.get("total_amount"))),
            "total_tax": float(parse_money(refund.get("total_tax"))),
            "uses_merchant_override_values": bool(
                refund.get("uses_merchant_override_values")
            ),
            "attempt_count": record.attempt_count + 1,
            "line_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "item_type": item["item_type"],
                        "item_id": int(item.get("item_id") or 0),
                        "quantity": int(item.get("quantity") or 0),
                        "requested_amount": float(
                            parse_money(item.get("requested_amount"))
                        ),
                        "reason": item.get("reason") or False,
                    }
                )
                for item in refund.get("items") or []
            ],
            "payment_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "bigcommerce_id": int(payment.get("id") or 0),
                        "provider_id": payment.get("provider_id"),
                        "amount": float(parse_money(payment.get("amount"))),
                        "offline": bool(payment.get("offline")),
                        "is_declined": bool(payment.get("is_declined")),
                        "declined_message": payment.get("declined_message") or False,
                        "transaction_id": payment.get("transaction_id") or False,
                    }
                )
                for payment in refund.get("payments") or []
            ],
        }

    def _leave(self, record, state, message):
        record.write({"state": state, "message": message})
        self._count(state)
        if self.recorder:
            self.recorder.note(
                self.env._(
                    "Refund %(id)s: %(message)s",
                    id=record.bigcommerce_id,
                    message=message,
                ),
                # One line per refund: the "Every record" log level.
                level="error" if state == "error" else "debug",
            )
        return record

    def _count(self, key):
        self.counts[key] += 1
        if self.recorder:
            column = {
                "unchanged": "skipped",
                "pending": "skipped",
                "not_booked": "skipped",
                "error": "failed",
            }.get(key, key)
            self.recorder.add_counts(**{column: 1})

    # ------------------------------------------------------------------
    # The order and its invoice
    # ------------------------------------------------------------------

    def _order_record(self, refund):
        """The order's record with a posted invoice, imported first if needed."""
        order_id = int(refund["order_id"])
        orders = self.env["bigcommerce.order"]
        domain = [
            ("instance_id", "=", self.instance.id),
            ("bigcommerce_id", "=", order_id),
        ]
        record = orders.search(domain)
        if record.state == "reference":
            raise RefundBeforeGoLive(self._before_go_live_reason(order_id))
        if not record.sale_order_id and record.state != "review":
            try:
                order = self.client.get_order(order_id)
            except BigCommerceError as error:
                if error.status != 404:
                    raise
                raise RefundPending(
                    self.env._("BigCommerce has no order %s.", order_id)
                ) from None
            importer = OrderImporter(self.instance, self.client)
            if order_history.is_history(importer, order):
                raise RefundBeforeGoLive(self._before_go_live_reason(order_id))
            if order["status_id"] not in self.instance._eligible_status_ids():
                raise RefundPending(
                    self.env._(
                        "Order %(order)s is not imported: its status “%(status)s” "
                        "is not among the instance's statuses to import.",
                        order=order_id,
                        status=order.get("status") or order["status_id"],
                    )
                )
            # Just read: the current version, applied even if it is the one
            # that failed before (the cause may be fixed since).
            importer.import_order(order, force=True)
            record = orders.search(domain)
        if record.state == "failed" or not record.sale_order_id:
            raise RefundPending(
                self.env._(
                    "Order %(order)s is not imported yet: %(reason)s",
                    order=order_id,
                    reason=record.failure_reason or record.state,
                )
            )
        if record.invoice_id.state != "posted":
            raise RefundPending(
                self.env._(
                    "The invoice of order %(order)s is not posted yet; the refund "
                    "is booked once it is. %(reason)s",
                    order=order_id,
                    reason=record.failure_reason or "",
                )
            )
        # Refunds of one order are booked one at a time, each seeing what the
        # previous ones credited. A row lock alone is not enough under
        # REPEATABLE READ: the job that waited would go on with its old
        # snapshot. Updating the row makes PostgreSQL raise a serialization
        # failure in the job that waited, and queue_job runs it again with a
        # fresh snapshot.
        self.env.cr.execute(
            "UPDATE bigcommerce_order SET write_date = write_date WHERE id = %s",
            [record.id],
        )
        return record

    def _before_go_live_reason(self, order_id):
        return self.env._(
            "Not booked: order %(order)s was created before the go-live date "
            "(%(date)s), so it was never booked in Odoo and neither is its "
            "refund. Import the order with “book” first to book both.",
            order=order_id,
            date=self.instance.go_live_date,
        )

    # ------------------------------------------------------------------
    # Credit note
    # ------------------------------------------------------------------

    def _book(self, record, refund, order_record):
        invoice = order_record.invoice_id
        currency = invoice.currency_id
        digits = currency.decimal_places
        # Amounts are rounded to the invoice currency's precision (JPY: yen).
        self._quantum = quantum(currency.decimal_places)
        total = parse_money(refund.get("total_amount"))
        tax = parse_money(refund.get("total_tax"))
        earlier = self.env["bigcommerce.refund"].search(
            [
                ("order_record_id", "=", order_record.id),
                ("state", "=", "synced"),
                ("id", "!=", record.id),
            ]
        )
        # Money refunded without a record that this refund documents is not
        # credited twice (importers/refund_unrecorded.py).
        covered = refund_unrecorded.cover(self, order_record, record, refund)
        if covered:
            return covered
        credited = sum(
            (earlier.credit_note_id | refund_unrecorded.credited(order_record)).mapped(
                "amount_total"
            )
        )
        # What the order's bookings charge (its invoice, and the edits made
        # in BigCommerce after invoicing: importers/order_edit.py).
        charged = order_edit.booked_total(order_record)
        if float_compare(credited + float(total), charged, precision_digits=digits) > 0:
            raise RefundImportError(
                self.env._(
                    "Refunds would exceed the invoice %(invoice)s: it is "
                    "%(amount)s, credit notes already give back %(credited)s and "
                    "this refund %(refund)s more.",
                    invoice=invoice.name,
                    amount=charged,
                    credited=credited,
                    refund=float(total),
                )
            )
        full = (
            not earlier
            and not order_record.edit_ids
            and not self._earlier_refund_lines(record)
            and not float_compare(
                float(total), invoice.amount_total, precision_digits=digits
            )
        )
        if full:
            credit_note = self._reverse_invoice(invoice, refund)
        else:
            credit_note = self._create_credit_note(invoice, refund, record)
        self._use_refund_tax_account(credit_note)
        problem = self._mismatch(credit_note, total, tax, currency)
        if problem:
            raise RefundImportError(problem)
        # A credit note linked to the order's lines lowers their invoiced
        # quantity, and the order would be "To Invoice" again: the refund
        # record links it to the order instead (sale_order._get_invoiced).
        credit_note.line_ids.sale_line_ids = [Command.clear()]
        # Odoo reconciles a credit note with the invoice it reverses when the
        # invoice is still open; on a paid invoice it stays open, for the
        # money BigCommerce sent back.
        credit_note.action_post()
        self._register_refund_payments(credit_note, refund, order_record)
        return credit_note

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
        lines = self._refund_lines(invoice, refund, record)
        self._apply_bigcommerce_tax(lines, invoice, refund)
        values = {
            **self._credit_note_header(invoice, refund),
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "partner_shipping_id": invoice.partner_shipping_id.id,
            "currency_id": invoice.currency_id.id,
            "fiscal_position_id": invoice.fiscal_position_id.id,
            "invoice_origin": invoice.invoice_origin,
            "reversed_entry_id": invoice.id,
            "invoice_line_ids": [
                Command.create(self._move_line_values(line, invoice.currency_id))
                for line in lines
            ],
        }
        return (
            self.env["account.move"]
            .with_company(self.company)
            .with_context(default_move_type="out_refund", tracking_disable=True)
            .create(values)
        )

    def _move_line_values(self, line, currency):
        values = {
            "product_id": line.product.id,
            "name": line.name,
            "quantity": line.quantity,
            "price_unit": float(line.price_unit),
            "discount": 0.0,
            "tax_ids": [Command.set(line.taxes.ids)],
        }
        source = line.invoice_line
        if source:
            values.update(
                account_id=source.account_id.id,
                analytic_distribution=source.analytic_distribution,
                # So the credit note is among the sale order's invoices.
                sale_line_ids=[Command.set(source.sale_line_ids.ids)],
            )
        if line.taxes:
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
                    for tax in line.taxes
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

    # ------------------------------------------------------------------
    # Lines of a partial refund
    # ------------------------------------------------------------------

    def _refund_lines(self, invoice, refund, record):
        index = defaultdict(list)
        for line in order_edit.current_invoice_lines(record.order_record_id, invoice):
            if line.display_type != "product":
                continue
            sale_line = line.sale_line_ids[:1]
            index[
                (sale_line.bigcommerce_line_kind, sale_line.bigcommerce_line_id)
            ].append(line)
        lines = []
        for item in refund.get("items") or []:
            item_type = item["item_type"]
            item_id = int(item.get("item_id") or 0)
            if item_type == "PRODUCT":
                lines.extend(
                    self._product_lines(
                        index, item_id, int(item.get("quantity") or 0), record
                    )
                )
            elif item_type == "ORDER":
                lines.append(self._order_amount_line(item))
            elif item_type in AMOUNT_ITEM_KINDS:
                lines.extend(self._amount_lines(index, item_type, item_id, item))
            else:
                raise RefundImportError(
                    self.env._("Unknown refund item type %s.", item_type)
                )
        return lines

    def _earlier_refund_lines(self, record):
        """Items of this order's refunds that BigCommerce made before this one."""
        return self.env["bigcommerce.refund.line"].search(
            [
                ("refund_id.instance_id", "=", self.instance.id),
                ("refund_id.order_bigcommerce_id", "=", record.order_bigcommerce_id),
                ("refund_id.bigcommerce_id", "<", record.bigcommerce_id),
            ]
        )

    def _product_lines(self, index, item_id, quantity, record):
        """``quantity`` units of an order product and their share of its discount.

        The product gets its invoiced unit price and taxes; the discount line
        gets the rest of the line's after-discount value, prorated as a
        whole, so that the line's refunds add up to it exactly.
        """
        main = [
            line for kind in PRODUCT_KINDS for line in index.get((kind, item_id), [])
        ]
        discounts = index.get(("discount", item_id), [])
        if not main or quantity <= 0:
            raise RefundImportError(
                self.env._(
                    "The refunded order product %s is not on the invoice.", item_id
                )
            )
        ordered = Decimal(str(sum(line.quantity for line in main)))
        done = Decimal(
            sum(
                line.quantity
                for line in self._earlier_refund_lines(record)
                if line.item_type == "PRODUCT" and line.item_id == item_id
            )
        )
        if done + quantity > ordered:
            raise RefundImportError(
                self.env._(
                    "Order product %(item)s: %(done)s of %(ordered)s units were "
                    "refunded before, %(quantity)s more cannot be.",
                    item=item_id,
                    done=done,
                    ordered=ordered,
                    quantity=quantity,
                )
            )
        group = main + discounts
        group_total = _prorate(
            sum((_money(line.price_total, self._quantum) for line in group), ZERO),
            done,
            quantity,
            ordered,
            self._quantum,
        )
        group_tax = self._prorated_taxes(group, done, quantity, ordered)
        result = []
        for line in main:
            credit = _CreditLine(
                line.product_id,
                line.name,
                quantity,
                line.price_unit,
                line.tax_ids,
                line,
            )
            credit.keep_price = True
            credit.total = _prorate(
                _money(line.price_total, self._quantum),
                done,
                quantity,
                ordered,
                self._quantum,
            )
            credit.tax = self._prorated_taxes(line, done, quantity, ordered)
            result.append(credit)
        if discounts:
            rest_total = group_total - sum((c.total for c in result), ZERO)
            rest_tax = {
                tax_id: amount - sum((c.tax.get(tax_id, ZERO) for c in result), ZERO)
                for tax_id, amount in group_tax.items()
            }
            weights = [
                abs(_money(line.price_total, self._quantum)) for line in discounts
            ]
            totals = _split(rest_total, weights, self._quantum)
            taxes = {
                tax_id: _split(amount, weights, self._quantum)
                for tax_id, amount in rest_tax.items()
            }
            for position, line in enumerate(discounts):
                credit = _CreditLine(
                    line.product_id, line.name, 1, ZERO, line.tax_ids, line
                )
                credit.total = totals[position]
                credit.tax = {
                    tax_id: parts[position]
                    for tax_id, parts in taxes.items()
                    if tax_id in line.tax_ids.ids
                }
                result.append(credit)
        return result

    def _amount_lines(self, index, item_type, item_id, item):
        """Shipping, handling, wrapping or a fee: all of it or the amount asked."""
        kind = AMOUNT_ITEM_KINDS[item_type]
        lines = index.get((kind, item_id)) or []
        if not lines and len(index.get((kind, 0), [])) == 1:
            # Imported before the lines carried their address or fee id.
            lines = index[(kind, 0)]
        if not lines:
            raise RefundImportError(
                self.env._(
                    "The refunded %(type)s %(id)s is not on the invoice.",
                    type=item_type,
                    id=item_id,
                )
            )
        requested = parse_money(item.get("requested_amount"), default=None)
        invoiced = sum(
            (_money(line.price_total, self._quantum) for line in lines), ZERO
        )
        if requested is None or requested >= invoiced:
            requested = invoiced
        result = []
        for line in lines:
            credit = _CreditLine(
                line.product_id, line.name, 1, ZERO, line.tax_ids, line
            )
            credit.total = _prorate(
                _money(line.price_total, self._quantum),
                ZERO,
                requested,
                invoiced,
                self._quantum,
            )
            credit.tax = self._prorated_taxes(line, ZERO, requested, invoiced)
            result.append(credit)
        return result

    def _order_amount_line(self, item):
        """An order-level amount: BigCommerce does not tax it."""
        amount = parse_money(item.get("requested_amount"), default=None)
        if amount is None:
            raise RefundImportError(
                self.env._("BigCommerce did not report the order-level amount.")
            )
        product = self._adjustment_product()
        credit = _CreditLine(
            product,
            item.get("reason") or self.env._("Order-level refund"),
            1,
            ZERO,
            self.env["account.tax"],
        )
        credit.total = amount
        return credit

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
                amounts[tax.id] = _money(
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
            amounts[row["id"]] = amounts.get(row["id"], ZERO) + _money(
                row["amount"], self._quantum
            )
        return amounts

    def _prorated_taxes(self, lines, done, part, whole):
        """The lines' tax for ``part`` of ``whole``, per tax id.

        Like BigCommerce, the tax of the lines is prorated as one amount,
        then split over its taxes: prorating each tax alone can round to a
        cent more than BigCommerce refunds.
        """
        totals = defaultdict(lambda: ZERO)
        for line in lines:
            for tax_id, amount in self._line_taxes(line).items():
                totals[tax_id] += amount
        ids = list(totals)
        amount = _prorate(sum(totals.values(), ZERO), done, part, whole, self._quantum)
        parts = _split(amount, [abs(totals[tax_id]) for tax_id in ids], self._quantum)
        return dict(zip(ids, parts, strict=True))

    # ------------------------------------------------------------------
    # BigCommerce's tax and totals
    # ------------------------------------------------------------------

    def _apply_bigcommerce_tax(self, lines, invoice, refund):
        """Make the lines' tax BigCommerce's ``total_tax``; fix the prices.

        The tax is spread in proportion to what the lines would tax; their
        amounts excluding tax stay. A merchant override (or a refund with no
        items) adds the difference to its stated total on the adjustment
        product, visibly; any other difference is the total check's to show.
        """
        target = parse_money(refund.get("total_tax"))
        override = bool(refund.get("uses_merchant_override_values")) or not lines
        taxed = [(line, tax.id) for line in lines for tax in line.taxes]
        if not taxed and target:
            if not override:
                raise RefundImportError(
                    self.env._(
                        "BigCommerce refunded %(tax)s of tax on items that carry "
                        "no tax.",
                        tax=float(target),
                    )
                )
            # The whole rest of the refund, taxed like the order, on one line.
            adjustment = self._taxed_adjustment_line(invoice, target)
            adjustment.total = parse_money(refund.get("total_amount")) - sum(
                (line.total for line in lines), ZERO
            )
            lines.append(adjustment)
            taxed = [(adjustment, tax.id) for tax in adjustment.taxes]
        bases = {id(line): line.base for line in lines}
        natural = [line.tax.get(tax_id, ZERO) for line, tax_id in taxed]
        if sum(natural, ZERO) != target and taxed:
            weights = natural if any(natural) else [bases[id(ln)] for ln, _t in taxed]
            for (line, tax_id), amount in zip(
                taxed,
                _split(target, [abs(w) for w in weights], self._quantum),
                strict=True,
            ):
                line.tax[tax_id] = amount
        for line in lines:
            line.tax = {tax.id: line.tax.get(tax.id, ZERO) for tax in line.taxes}
            line.total = bases[id(line)] + sum(line.tax.values(), ZERO)
        if override:
            rest = parse_money(refund.get("total_amount")) - sum(
                (line.total for line in lines), ZERO
            )
            if rest:
                adjustment = _CreditLine(
                    self._adjustment_product(),
                    self.env._("BigCommerce merchant override of the refund total"),
                    1,
                    ZERO,
                    self.env["account.tax"],
                )
                adjustment.total = rest
                lines.append(adjustment)
        for line in lines:
            self._set_price(line)

    def _taxed_adjustment_line(self, invoice, tax):
        """An adjustment line taxed ``tax`` like the invoice's most taxed line."""
        source = max(
            (line for line in invoice.invoice_line_ids if line.tax_ids),
            key=lambda line: abs(line.price_total - line.price_subtotal),
            default=None,
        )
        if source is None:
            raise RefundImportError(
                self.env._("BigCommerce refunded tax on an order without tax.")
            )
        line = _CreditLine(
            self._adjustment_product(),
            self.env._("BigCommerce refund adjustment"),
            1,
            ZERO,
            source.tax_ids,
        )
        weights = self._line_taxes(source)
        ids = list(weights)
        line.tax = dict(
            zip(
                ids,
                _split(tax, [abs(weights[i]) for i in ids], self._quantum),
                strict=True,
            )
        )
        return line

    def _set_price(self, line):
        """The unit price that Odoo's own computation agrees with."""
        if line.keep_price:
            return
        included = any(tax.price_include for tax in line.taxes)
        line.price_unit = line.total if included or not line.taxes else line.base
