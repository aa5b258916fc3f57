"""BigCommerce refund -> one posted credit note that ties out to the cent.

The credit note reverses what was refunded, line by line, from the invoice
the order import posted: a product at its invoiced unit price and taxes for
the refunded quantity (its discount along), shipping, handling, wrapping
and fees on their own lines, an order-level amount on the instance's
refund adjustment product. What it gives back is the refund's plan
(core/refund_plan.py), written by refund_credit_note.py. BigCommerce's
``total_tax`` is carried as Odoo's manual tax amounts (``extra_tax_data``),
as the order import does, so the credit note's tax is BigCommerce's; the
total is then checked against ``total_amount`` and a difference leaves the
refund in Error with nothing posted, never adjusted; refunds never give
back more than the order's bookings.
"""

import logging
from collections import defaultdict

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..client import BigCommerceError
from ..client.parsing import parse_datetime, parse_money
from ..core.money import CENT, money, quantum
from ..core.refund_plan import over_credit
from . import order_edit, order_history, refund_return, refund_unrecorded
from .order import OrderImporter
from .refund_credit_note import RefundCreditNote, RefundImportError

_logger = logging.getLogger(__name__)

__all__ = [
    "RefundBeforeGoLive",
    "RefundImportError",
    "RefundImporter",
    "RefundPending",
]


class RefundPending(Exception):
    """The refund cannot be booked yet; it waits, with the reason shown."""


class RefundBeforeGoLive(Exception):
    """The refunded order was created before the go-live date: not booked."""


class RefundImporter(RefundCreditNote):
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
    # Credit note (refund_credit_note.py writes the refund's plan)
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
        if over_credit(
            money(credited, self._quantum),
            total,
            money(charged, self._quantum),
            self._quantum,
        ):
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
