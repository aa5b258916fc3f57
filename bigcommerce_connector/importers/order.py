"""BigCommerce order -> confirmed sale order + posted invoice, to the cent.

An order's life cycle: created, refreshed, cancelled, edited, skipped or
failed, one savepoint per order. What a new order books is its booking plan
(core/order_plan.py: every amount, in plain Python), written by the mixins
beside this file: order_lines.py (sale order lines, products, Odoo taxes in
the "Odoo" modes), order_taxes.py (BigCommerce's taxes as Odoo taxes),
order_booking.py (sale order, invoice and payments, in batches).
"""

import logging
from collections import defaultdict

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError, ValidationError

from ..client import BigCommerceError, RetryableError
from ..client.parsing import parse_datetime, parse_money
from ..core.money import CENT
from . import (
    order_edit,
    order_history,
    order_warehouse,
    refund_unrecorded,
)
from .order_booking import OrderBooking
from .order_lines import OrderImportError, OrderLines
from .order_taxes import OrderTaxes

_logger = logging.getLogger(__name__)

__all__ = ["OrderImportError", "OrderImporter"]


class OrderImporter(OrderBooking, OrderLines, OrderTaxes):
    """Imports orders of one instance; one savepoint per order."""

    def __init__(self, instance, client, recorder=None):
        # Whoever runs the job, the store's company books it.
        instance = instance.with_company(instance.company_id)
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.company = instance.company_id
        self.actions = instance._status_actions()
        self.counts = defaultdict(int)
        # Orders created before the go-live date: "skip", "reference" or
        # "book" (see order_history.py; the polls and webhooks skip them).
        self.history = "skip"
        self._products = {}
        self._taxes = {}
        self._currencies = {}
        self._mappings = {}
        self._tax_classes = None  # the TaxClassRule of the order being made
        # Rounding unit of the order being built (its currency's precision).
        self._quantum = CENT
        # Country whose tax the order being built charged (order_tax_country).
        self._jurisdiction = ""

    # ------------------------------------------------------------------
    # One order
    # ------------------------------------------------------------------

    def import_order(self, order, force=False):
        """Create, refresh or skip one order; returns its bigcommerce.order.

        A payload not newer than what is stored (``date_modified``) is not
        applied: a job retried late, or an overlapping poll, never writes an
        older version over a newer one. ``force`` (Retry) applies it anyway.
        """
        records = self.env["bigcommerce.order"]
        order_id = int(order["id"])
        if order.get("_missing"):
            record = records._claim(self.instance, order_id)
            return self._fail(record, order, f"BigCommerce has no order {order_id}.")
        if order_history.is_history(self, order):
            return order_history.import_history(self, order)
        action = self.actions.get(order["status_id"], "ignore")
        if action != "import":
            known = records.search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "=", order_id),
                ]
            )
            if not known:
                self._count("skipped")
                return known
            record = records._claim(self.instance, order_id)
            if not force and self._not_newer(record, order):
                return record
            try:
                with self.env.cr.savepoint():
                    return self._apply_status(record, order)
            except (UserError, ValidationError) as error:
                self._forget_rolled_back()
                # E.g. a cancellation Odoo refuses (goods already delivered).
                return self._flag(
                    record, order, str(error.args[0] if error.args else error)
                )
        record = records._claim(self.instance, order_id)
        if not force and self._not_newer(record, order):
            return record
        if record.sale_order_id:
            return self._refresh_or_keep(record, order)
        try:
            with self.env.cr.savepoint():
                self._create_sale_order(record, order)
        except BigCommerceError as error:
            self._forget_rolled_back()
            if error.retryable:
                raise
            return self._fail(record, order, error.message)
        except (OrderImportError, UserError, ValidationError) as error:
            self._forget_rolled_back()
            return self._fail(
                record, order, str(error.args[0] if error.args else error)
            )
        return record

    def _forget_rolled_back(self):
        """Empty the per-run caches after an order's savepoint rolled back.

        They may hold rows the failed order created (a payment mapping for a
        method seen for the first time, a product, a tax): those rows are
        gone, and the next order of the run must not use their ids.
        """
        for cache in (
            self._products,
            self._taxes,
            self._currencies,
            self._mappings,
        ):
            cache.clear()

    def _not_newer(self, record, order):
        """Whether ``order`` is not newer than the version ``record`` holds
        (counted as unchanged, or skipped when older)."""
        stored = record.date_modified
        incoming = self._datetime(order.get("date_modified"))
        # A failed version was never applied: trying it again (after the
        # admin fixed what it failed on) is not a stale write.
        if record.state == "failed" or not stored or not incoming or incoming > stored:
            return False
        self._count("unchanged" if incoming == stored else "stale")
        return True

    def _refresh_or_keep(self, record, order):
        """``_refresh``; when it fails (not transiently), the booked order
        keeps its state (imported, invoiced...) and shows the reason in
        ``refresh_error``, with Retry."""
        try:
            with self.env.cr.savepoint():
                return self._refresh(record, order)
        except (RetryableError, RetryableJobError, psycopg2.Error):
            raise
        except BigCommerceError as error:
            self._forget_rolled_back()
            return self._refresh_failed(record, order, error.message)
        except (OrderImportError, UserError, ValidationError) as error:
            self._forget_rolled_back()
            reason = str(error.args[0] if error.args else error)
            return self._refresh_failed(record, order, reason)
        except Exception as error:  # noqa: BLE001 - kept on the record, with Retry
            self._forget_rolled_back()
            _logger.exception("Refresh of BigCommerce order %s failed", order["id"])
            reason = self.env._("Unexpected error: %s", error)
            return self._refresh_failed(record, order, reason)

    def _refresh_failed(self, record, order, reason):
        record.write({"refresh_error": reason})
        self._count("failed")
        if self.recorder:
            self.recorder.note(
                self.env._(
                    "Order %(id)s not refreshed: %(reason)s",
                    id=order["id"],
                    reason=reason,
                ),
                level="error",
            )
        return record

    def _refresh(self, record, order):
        """A later version of an imported order: status, shipments, checks.

        A posted invoice is never rewritten: a total that changed after
        invoicing flags the order for review with both figures.
        """
        values = self._status_values(order)
        values["refresh_error"] = False
        invoice = record.invoice_id
        if invoice.state == "posted" and order_edit.is_edited(self, record, order):
            # Edited in BigCommerce after invoicing: booked or sent to review
            # by the store's policy (importers/order_edit.py).
            order_edit.follow_edit(self, record, order, values)
        elif record.state == "cancelled":
            # Back in an imported status after a cancellation: a person
            # decides whether to revive the cancelled sale order.
            values.update(
                state="review",
                failure_reason=self.env._(
                    "The order is %(status)s again in BigCommerce, but its sale "
                    "order was cancelled.",
                    status=order.get("status"),
                ),
            )
        elif record.state in ("failed", "pending"):
            # E.g. a refresh that gave up earlier: the order is imported, its
            # record goes back to its true state (its refunds wait for it).
            values.update(state="done", failure_reason=False)
        record.write(values)
        # Money refunded without a refund record (importers/refund_unrecorded.py).
        refund_unrecorded.follow(self, record, order)
        self._sync_shipments(record, order)
        order_warehouse.follow_status(self, record, order)
        self._count("review" if values.get("state") == "review" else "updated")
        return record

    def _apply_status(self, record, order):
        """A known order moved to a status that is not imported."""
        action = self.actions.get(order["status_id"], "ignore")
        values = self._status_values(order)
        sale_order = record.sale_order_id
        if sale_order and action == "cancel" and sale_order.state != "cancel":
            posted = sale_order.invoice_ids.filtered(
                lambda move: move.state == "posted"
            )
            if posted:
                values.update(
                    state="review",
                    failure_reason=self.env._(
                        "Cancelled in BigCommerce after invoice %(invoices)s was "
                        "posted: refund it in BigCommerce (it becomes a credit "
                        "note) or issue a credit note in Odoo.",
                        invoices=", ".join(posted.mapped("name")),
                    ),
                )
            else:
                sale_order.invoice_ids.filtered(
                    lambda move: move.state == "draft"
                ).button_cancel()
                sale_order._action_cancel()
                values.update(state="cancelled", failure_reason=False)
        elif not sale_order and action == "cancel":
            # A failed import of an order cancelled since: nothing to fix.
            values.update(state="cancelled", failure_reason=False)
        elif sale_order and action == "review":
            values.update(
                state="review",
                failure_reason=self.env._(
                    "BigCommerce status changed to %(status)s.",
                    status=order.get("status"),
                ),
            )
        record.write(values)
        order_warehouse.follow_status(self, record, order)
        self._count(
            {"review": "review", "cancelled": "updated"}.get(
                values.get("state"), "updated"
            )
        )
        return record

    def give_up(self, order, reason):
        """Keep an order whose import cannot finish as a failed record.

        Only the reason is written: the payload itself may be what failed.
        """
        record = self.env["bigcommerce.order"]._claim(self.instance, int(order["id"]))
        if record.sale_order_id:
            # Booked already: it did not fail, its refresh did.
            return self._refresh_failed(record, {"id": order["id"]}, reason)
        return self._fail(record, {"id": order["id"]}, reason)

    def _flag(self, record, order, reason):
        record.write(
            {**self._status_values(order), "state": "review", "failure_reason": reason}
        )
        self._count("review")
        return record

    def _fail(self, record, order, reason):
        values = {"state": "failed", "failure_reason": reason}
        if "status_id" in order:
            values.update(self._status_values(order))
        values["attempt_count"] = record.attempt_count + 1
        record.write(values)
        self._count("failed")
        if self.recorder:
            self.recorder.note(
                self.env._(
                    "Order %(id)s failed: %(reason)s", id=order["id"], reason=reason
                ),
                level="error",
            )
        return record

    def _count(self, key):
        self.counts[key] += 1
        if self.recorder:
            # The log's columns: an order left for review counts as failed,
            # an unchanged one as skipped.
            column = {
                "review": "failed",
                "unchanged": "skipped",
                "stale": "skipped",
            }.get(key, key)
            self.recorder.add_counts(**{column: 1})

    def _datetime(self, value):
        moment = parse_datetime(value)
        return moment.replace(tzinfo=None) if moment else False

    def _status_values(self, order):
        try:
            currency = self._currency(order)
        except OrderImportError:
            # Kept without it: the failure says which currency is unknown.
            currency = self.env["res.currency"]
        values = {
            "status_id": order["status_id"],
            "status": order.get("status"),
            "payment_status": order.get("payment_status"),
            "payment_method": order.get("payment_method"),
            "gateway_transaction_ref": str(
                order.get("payment_provider_id") or ""
            ).strip()
            or False,
            "date_created": self._datetime(order.get("date_created")),
            "date_modified": self._datetime(order.get("date_modified")),
            "total_inc_tax": float(parse_money(order.get("total_inc_tax"))),
            "total_tax": float(parse_money(order.get("total_tax"))),
            **self._fulfilment_values(order),
        }
        if currency:
            values["currency_id"] = currency.id
        return values

    def _fulfilment_values(self, order):
        """Units to ship and shipped, from the embedded lines when present."""
        lines = [
            line
            for group in self._consignment_groups(order)
            for line in group.get("line_items") or []
            if isinstance(line, dict)
        ]
        if not lines:
            return {
                "items_total": 0
                if order.get("order_is_digital")
                else int(order.get("items_total") or 0),
                "items_shipped": int(order.get("items_shipped") or 0),
            }
        physical = [line for line in lines if line.get("type") == "physical"]
        return {
            "items_total": sum(int(line["quantity"]) for line in physical),
            "items_shipped": sum(
                int(line.get("quantity_shipped") or 0) for line in physical
            ),
        }
