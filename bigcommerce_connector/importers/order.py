"""BigCommerce order -> confirmed sale order + posted invoice, to the cent.

In the "follow BigCommerce" tax modes every line carries BigCommerce's own
tax amounts as Odoo's manual tax amounts (``extra_tax_data``), so Odoo's
totals are BigCommerce's by construction: its rounding (per unit, per
discount) is not re-done differently. The invoice is still checked against
``total_inc_tax`` and ``total_tax``: a mismatch leaves it in draft and the
order in "Needs Review", never adjusted.
"""

import logging
from collections import defaultdict, namedtuple
from decimal import ROUND_HALF_UP, Decimal

import psycopg2

from odoo import Command
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError, ValidationError
from odoo.tools import escape_psql, float_compare, mute_logger

from ..client import BigCommerceError, RetryableError
from ..client.parsing import parse_datetime, parse_money
from ..tools.natural_key import find_or_create
from . import (
    order_edit,
    order_exchange_rate,
    order_history,
    order_payments,
    order_shipping_method,
    order_tax_country,
    order_warehouse,
    refund_unrecorded,
)
from .order_channel import apply_channel
from .order_dates import accounting_day
from .order_pricelist import resolve_pricelist
from .order_tax_class import TaxClassRule
from .order_tax_rows import group_tax_rows
from .tax_rounding import rounding_tolerance

_logger = logging.getLogger(__name__)

ZERO = Decimal("0")
CENT = Decimal("0.01")
PERCENT = Decimal("100")


# What BigCommerce charged for one Odoo line: unit prices without and with
# tax, the line's total without tax, its tax, and which price was entered.
LineAmounts = namedtuple("LineAmounts", "unit_ex unit_inc total_ex tax inclusive")

# A new order ready to be created: its record, payload, sale order values,
# payment mapping, currency and shipments (read beforehand, or None).
PreparedOrder = namedtuple(
    "PreparedOrder", "record order values mapping currency shipments remarks"
)


class OrderImportError(Exception):
    """The order cannot be imported as it is; the reason is shown to users."""


def currency_quantum(currency):
    """The smallest amount of ``currency`` (JPY 1, USD 0.01, KWD 0.001)."""
    return Decimal(1).scaleb(-currency.decimal_places)


def _cents(value, quantum=CENT):
    """``value`` rounded half up to ``quantum`` (the currency's precision)."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _split(amount, weights, quantum=CENT):
    """Split ``amount`` over ``weights`` in units of ``quantum``, the
    remainder to the largest."""
    total = sum(weights, ZERO)
    if not weights:
        return []
    if not total:
        parts = [ZERO] * len(weights)
        parts[0] = amount
        return parts
    parts = [_cents(amount * weight / total, quantum) for weight in weights]
    parts[weights.index(max(weights))] += amount - sum(parts, ZERO)
    return parts


class OrderImporter:
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

    # ------------------------------------------------------------------
    # Sale order
    # ------------------------------------------------------------------

    def _create_sale_order(self, record, order):
        """One order's sale order, invoice and payments (see ``order_batch``
        for a page of new orders at once)."""
        return self._create_prepared([self._prepare_sale_order(record, order)])[0]

    def _prepare_sale_order(self, record, order):
        """Everything a new order needs from BigCommerce and Odoo's
        reference data (products, taxes, partners), before anything of the
        order itself is created: the sale order's values."""
        instance = self.instance
        currency = self._currency(order)
        self._quantum = currency_quantum(currency)
        mapping = self._payment_mapping(order)
        inclusive = bool(order.get("is_tax_inclusive_pricing"))
        products = self._order_products(order)
        addresses = self._shipping_addresses(order)
        self._jurisdiction = order_tax_country.jurisdiction(order, addresses)
        tax_rows = self._tax_rows(order, products, addresses)
        partner, invoice_partner, shipping_partner = self._partners(order)
        lines = []
        for line in products:
            lines.extend(self._product_lines(line, tax_rows, inclusive, currency))
        for address in addresses:
            lines.extend(self._address_lines(address, tax_rows, inclusive, currency))
        for fee in order.get("fees") or []:
            lines.append(self._fee_line(fee, tax_rows, inclusive, currency))
        if instance.analytic_distribution:
            for values in lines:
                values["analytic_distribution"] = instance.analytic_distribution
        self._tax_classes = TaxClassRule(self, products)
        fiscal_position = self._apply_tax_mode(
            lines, partner, shipping_partner, currency
        )
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "partner_shipping_id": shipping_partner.id,
            "company_id": self.company.id,
            "date_order": self._datetime(order["date_created"]),
            "client_order_ref": str(order["id"]),
            "origin": self.env._("BigCommerce order %s", order["id"]),
            "bigcommerce_order_record_id": record.id,
            "order_line": [Command.create(values) for values in lines],
        }
        order_shipping_method.set_carrier(self, values, addresses)
        remarks = []  # the pricelist levels passed over, posted on the order
        pricelist = self._pricelist(currency, mapping, partner, remarks, order)
        if pricelist:
            values["pricelist_id"] = pricelist.id
        if instance.use_bigcommerce_order_number:
            values["name"] = f"{instance.order_prefix or ''}{order['id']}"
        if instance.warehouse_id:
            values["warehouse_id"] = instance.warehouse_id.id
        # The store's Salesperson, never the user who runs the job: without
        # one the order has none (an online order), and no team unless the
        # Sales Team is set (a salesperson alone: his team, as Odoo picks it).
        values["user_id"] = instance.user_id.id
        if instance.team_id or not instance.user_id:
            values["team_id"] = instance.team_id.id
        if instance.payment_term_id:
            values["payment_term_id"] = instance.payment_term_id.id
        # The channel's team, analytic account and prefix (order_channel.py).
        apply_channel(instance, order, values)
        if instance.tax_mode != "odoo":
            # BigCommerce already chose the taxes: only the fiscal position
            # applied by _fiscal_position (mode "then the fiscal position").
            # (or, registered for VAT in the order's country, its position).
            values["fiscal_position_id"] = (
                fiscal_position
                or order_tax_country.foreign_vat_position(self, self._jurisdiction)
            ).id
        # Read now, so that creating the orders needs no request.
        shipments = None
        if self._fulfilment_values(order)["items_shipped"]:
            shipments = list(self.client.iter_order_shipments(order["id"]))
        return PreparedOrder(
            record, order, values, mapping, currency, shipments, remarks
        )

    def _create_prepared(self, batch):
        """Create, confirm, invoice and post prepared orders, as one batch:
        one ``create`` of the sale orders, one ``action_confirm``, one
        ``create`` of the invoices and one ``action_post`` (Odoo's batch
        work is about twice as fast as one order at a time). Returns the
        sale orders."""
        sale_orders = (
            self.env["sale.order"]
            .with_company(self.company)
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create([prepared.values for prepared in batch])
        )
        pairs = list(zip(batch, sale_orders, strict=True))
        for prepared, sale_order in pairs:
            for remark in prepared.remarks:
                sale_order.message_post(body=remark)
        sale_orders.browse(
            [order.id for prepared, order in pairs if prepared.mapping.confirm_order]
        ).action_confirm()
        # "Create Single Invoice?" off: one invoice per delivery instead
        # (importers/order_invoice.py, when a picking is validated).
        single = self.instance.create_single_invoice
        invoiced = [pair for pair in pairs if single and pair[0].mapping.create_invoice]
        invoices = self._create_invoices(
            [(sale_order, prepared.order) for prepared, sale_order in invoiced]
        )
        invoice_of = {
            sale_order.id: invoice
            for (_prepared, sale_order), invoice in zip(invoiced, invoices, strict=True)
        }
        moves = self.env["account.move"]
        to_post, outcomes = moves, []
        for prepared, sale_order in pairs:
            invoice = invoice_of.get(sale_order.id, moves)
            problem = order_exchange_rate.book_rate(
                self,
                prepared.record,
                prepared.order,
                prepared.currency,
                accounting_day(self.instance, prepared.order["date_created"]),
            ) or self._mismatch(
                invoice if sale_order.id in invoice_of else sale_order,
                prepared.order,
                prepared.currency,
            )
            if not problem and prepared.mapping.post_invoice:
                to_post |= invoice
            outcomes.append((prepared, sale_order, invoice, problem))
        to_post.action_post()
        for prepared, sale_order, invoice, problem in outcomes:
            record, order, mapping = prepared.record, prepared.order, prepared.mapping
            if not problem and invoice in to_post and mapping.register_payment:
                self._register_payments(invoice, order, mapping)
            record.write(
                {
                    **self._status_values(order),
                    "sale_order_id": sale_order.id,
                    "invoice_id": invoice.id,
                    "payment_mapping_id": mapping.id,
                    "failure_reason": problem or False,
                    "attempt_count": record.attempt_count + 1,
                    "state": "review" if problem else "done",
                }
            )
            self._sync_shipments(record, order, prepared.shipments)
            order_warehouse.follow_status(self, record, order)
        # Counted once all went through: a batch rolled back counts nothing.
        for _prepared, _sale_order, _invoice, problem in outcomes:
            self._count("review" if problem else "created")
        return sale_orders

    def _payment_mapping(self, order):
        key = (order.get("payment_method") or "", order.get("payment_status") or "")
        # A savepoint rolled back empties this cache (_forget_rolled_back).
        if key not in self._mappings:
            self._mappings[key] = self.env["bigcommerce.payment.mapping"]._for_order(
                self.instance, *key
            )
        return self._mappings[key]

    def _register_payments(self, invoice, order, mapping):
        """Gift certificates, store credit and the rest, each on its journal.

        They are payments, not discounts: the invoice keeps BigCommerce's
        total and these settle it. A missing journal fails the order (nothing
        is kept) with the setting to fill in.
        """
        instance = self.instance
        gift = parse_money(order.get("gift_certificate_amount"))
        credit = parse_money(order.get("store_credit_amount"))
        rest = parse_money(order["total_inc_tax"]) - gift - credit
        parts = (
            (
                gift,
                instance.gift_certificate_journal_id,
                self.env._("gift certificate"),
                None,
            ),
            (
                credit,
                instance.store_credit_journal_id,
                self.env._("store credit"),
                None,
            ),
            # The gateway's part: its mapping (clearing account, transactions).
            (rest, mapping.journal_id, order.get("payment_method") or "", mapping),
        )
        for amount, journal, label, gateway_mapping in parts:
            if amount <= ZERO:
                continue
            if not journal:
                raise OrderImportError(
                    self.env._(
                        "Set the %(label)s journal on the store %(store)s to "
                        "register this payment, then retry.",
                        label=label,
                        store=instance.name,
                    )
                )
            gateway, transaction_ids = (
                order_payments.read_gateway_payment(self, order)
                if gateway_mapping
                else ("", [])
            )
            payments = (
                self.env["account.payment.register"]
                .with_company(invoice.company_id)
                .with_context(
                    active_model="account.move",
                    active_ids=invoice.ids,
                    **order_exchange_rate.payment_context(invoice),
                    **order_payments.clearing_context(gateway_mapping),
                )
                .create(
                    {
                        "amount": float(amount),
                        "journal_id": journal.id,
                        "payment_date": invoice.invoice_date,
                        "communication": order_payments.payment_memo(
                            invoice.name, order["id"], label, transaction_ids
                        ),
                    }
                )
                ._create_payments()
            )
            order_payments.tag(payments, order["id"], gateway, transaction_ids)

    def _sync_shipments(self, record, order, rows=None):
        """BigCommerce's shipments of the order (carrier, tracking, items).

        Read only when the order shipped something, or had shipments before
        (a shipment deleted in BigCommerce goes away here too); ``rows``:
        already read.
        """
        if not record.items_shipped and not record.shipment_ids:
            return
        shipments = self.env["bigcommerce.shipment"]
        if rows is None:
            rows = list(self.client.iter_order_shipments(order["id"]))
        known = {shipment.bigcommerce_id: shipment for shipment in record.shipment_ids}
        skus = {
            line.bigcommerce_line_id: line.product_id.default_code or line.name
            for line in record.sale_order_id.order_line
            if line.bigcommerce_line_kind == "product"
        }
        to_create = []
        for row in rows:
            items = row.get("items") or []
            values = {
                "date_created": self._datetime(row.get("date_created")),
                "shipping_provider": row.get("shipping_provider_display_name")
                or row.get("shipping_provider")
                or row.get("tracking_carrier"),
                "shipping_method": row.get("shipping_method"),
                "tracking_number": row.get("tracking_number"),
                "tracking_url": row.get("tracking_link")
                or row.get("generated_tracking_link"),
                "item_count": sum(int(item.get("quantity") or 0) for item in items),
                "items_description": "\n".join(
                    f"{item.get('quantity')} × {skus.get(line_id, line_id)}"
                    for item in items
                    for line_id in [item.get("order_product_id")]
                ),
            }
            shipment = known.pop(int(row["id"]), None)
            if shipment:
                shipment.write(values)
            else:
                to_create.append(
                    {
                        **values,
                        "instance_id": self.instance.id,
                        "order_record_id": record.id,
                        "bigcommerce_id": int(row["id"]),
                    }
                )
        if to_create:
            shipments.create(to_create)
        for shipment in known.values():
            shipment.unlink()

    def _create_invoice(self, sale_order, order):
        """The invoice of every ordered quantity: BigCommerce charged it all."""
        return self._create_invoices([(sale_order, order)])

    def _create_invoices(self, pairs):
        """The invoices of [(sale order, BigCommerce order)], in one create."""
        values = []
        for sale_order, order in pairs:
            invoice_values = sale_order._prepare_invoice()
            invoice_values["invoice_date"] = accounting_day(
                self.instance, order["date_created"]
            )
            invoice_values.update(
                order_exchange_rate.invoice_values(
                    self, order, sale_order.currency_id, invoice_values["invoice_date"]
                )
            )
            invoice_values["invoice_line_ids"] = [
                Command.create(
                    line._prepare_invoice_line(quantity=line.product_uom_qty)
                )
                for line in sale_order.order_line
                if not line.display_type
            ]
            values.append(invoice_values)
        return (
            self.env["account.move"]
            .with_company(self.company)
            .with_context(default_move_type="out_invoice", tracking_disable=True)
            .create(values)
        )

    def _mismatch(self, document, order, currency):
        """Why ``document`` (invoice, or sale order when not invoiced) does
        not equal BigCommerce's order, or False."""
        expected_total = float(parse_money(order["total_inc_tax"]))
        expected_tax = float(parse_money(order["total_tax"]))
        digits = currency.decimal_places
        kind = (
            self.env._("invoice")
            if document._name == "account.move"
            else self.env._("sale order")
        )
        if float_compare(
            document.amount_total, expected_total, precision_digits=digits
        ):
            return self.env._(
                "The %(kind)s total %(odoo)s differs from BigCommerce's total "
                "%(bigcommerce)s.",
                kind=kind,
                odoo=document.amount_total,
                bigcommerce=expected_total,
            )
        if float_compare(document.amount_tax, expected_tax, precision_digits=digits):
            return self.env._(
                "The %(kind)s tax %(odoo)s differs from BigCommerce's tax "
                "%(bigcommerce)s.",
                kind=kind,
                odoo=document.amount_tax,
                bigcommerce=expected_tax,
            )
        return False

    # ------------------------------------------------------------------
    # Partners, currency
    # ------------------------------------------------------------------

    def _partners(self, order):
        instance = self.instance
        billing = order.get("billing_address") or {}
        if order.get("customer_id"):
            partner = instance._bigcommerce_order_customer_partner(
                order["customer_id"], billing, self.client
            )
        else:
            partner = instance._bigcommerce_guest_partner(billing)
        order_tax_country.take_vat_number(partner, billing)
        invoice_partner = instance._bigcommerce_address_partner(
            partner, billing, "invoice"
        )
        addresses = self._shipping_addresses(order)
        shipping_partner = (
            instance._bigcommerce_address_partner(partner, addresses[0], "delivery")
            if addresses
            else invoice_partner
        )
        return partner, invoice_partner, shipping_partner

    def _currency(self, order):
        # default_currency_code is the transactional currency: what was paid.
        code = order.get("default_currency_code") or order.get("currency_code")
        if code not in self._currencies:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code)], limit=1)
            )
            if not currency:
                raise OrderImportError(
                    self.env._("The currency %s does not exist in Odoo.", code)
                )
            if not currency.active:
                currency.sudo().active = True
            self._currencies[code] = currency
        return self._currencies[code]

    def _pricelist(self, currency, mapping, partner, remarks=None, order=None):
        """See importers/order_pricelist.py (five levels, then a fallback);
        why a level was passed over is appended to ``remarks`` (noted on the
        sale order)."""
        return resolve_pricelist(
            self.instance,
            currency,
            mapping,
            partner,
            [] if remarks is None else remarks,
            order=order,
        )

    # ------------------------------------------------------------------
    # BigCommerce lines and taxes
    # ------------------------------------------------------------------

    def _order_products(self, order):
        """Order products from the embedded consignments (no extra request)."""
        found = {}
        for group in self._consignment_groups(order):
            for line in group.get("line_items") or []:
                if isinstance(line, dict) and "id" in line and "sku" in line:
                    found[line["id"]] = line
        expected = int(order.get("items_total") or 0)
        if (
            not found
            or sum(int(line["quantity"]) for line in found.values()) != expected
        ):
            found = {
                line["id"]: line
                for line in self.client.iter_order_products(order["id"])
            }
        return sorted(found.values(), key=lambda line: line["id"])

    def _consignment_groups(self, order):
        consignments = order.get("consignments")
        if not isinstance(consignments, dict):
            return []
        email = consignments.get("email") or {}
        return [
            *(consignments.get("shipping") or []),
            *(consignments.get("pickups") or []),
            *(consignments.get("downloads") or []),
            *(email.get("gift_certificates") or []),
        ]

    def _shipping_addresses(self, order):
        consignments = order.get("consignments")
        if isinstance(consignments, dict):
            return consignments.get("shipping") or []
        if int(order.get("shipping_address_count") or 0):
            return list(self.client.iter_order_shipping_addresses(order["id"]))
        return []

    def _tax_rows(self, order, products, addresses):
        """BigCommerce's tax lines by (type, order product, address or fee id):
        see order_tax_rows for rows that name no line."""
        rows = defaultdict(list)
        if not parse_money(order.get("total_tax")):
            return rows
        discounted = parse_money(order.get("discount_amount")) or parse_money(
            order.get("coupon_discount")
        )
        if self.instance.tax_mode == "odoo" and not discounted:
            # Odoo chooses the taxes; the line amounts carry BigCommerce's
            # tax, except what a discount took off it, which only the tax
            # lines tell.
            return rows
        return group_tax_rows(
            self.client.iter_order_taxes(order["id"]),
            products,
            addresses,
            order.get("fees") or [],
        )

    def _account_tax(self, row, inclusive):
        rate = parse_money(row["rate"])
        name = row.get("name") or self.env._("Tax")
        # Kept apart by country in the BigCommerce-tax mode (order_tax_country).
        code = self._jurisdiction if self.instance.tax_mode == "bigcommerce" else ""
        key = (name, rate, inclusive, code)
        if key not in self._taxes:
            label = f"{name} {rate.normalize():f}%" + (" incl." if inclusive else "")
            label += f" ({code})" if code else ""
            taxes = self.env["account.tax"].with_context(active_test=False)
            domain = [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("name", "=", label),
            ]
            # Once per company, even when two jobs meet a new tax together.
            tax = find_or_create(
                taxes,
                self.company,
                "tax",
                label,
                lambda: taxes.search(domain, limit=1),
                lambda: order_tax_country.localize(
                    self,
                    {
                        **self._tax_values(label, rate, inclusive),
                        "tax_group_id": self._tax_group(label).id,
                    },
                    code,
                    rate,
                    inclusive,
                ),
            )
            self._taxes[key] = tax
        return self._taxes[key]

    def _tax_group(self, label):
        """A tax group of the tax's own name: invoice totals then show
        "State Tax 6%", not the company's default group."""
        groups = self.env["account.tax.group"]
        return find_or_create(
            groups,
            self.company,
            "tax_group",
            label,
            lambda: groups.search(
                [("company_id", "=", self.company.id), ("name", "=", label)], limit=1
            ),
            lambda: {"name": label, "company_id": self.company.id},
        )

    def _tax_values(self, label, rate, inclusive):
        account = self.instance.tax_account_id or self._default_tax_account()
        # Credit notes may book the tax they give back on an account of its own.
        refund_account = self.instance.refund_tax_account_id or account
        repartition = [
            Command.create({"repartition_type": "base"}),
            Command.create(
                {
                    "repartition_type": "tax",
                    "account_id": account.id if account else False,
                }
            ),
        ]
        return {
            "name": label,
            "description": label,
            "company_id": self.company.id,
            "type_tax_use": "sale",
            "amount_type": "percent",
            "amount": float(rate),
            "price_include_override": "tax_included" if inclusive else "tax_excluded",
            "invoice_repartition_line_ids": repartition,
            "refund_repartition_line_ids": [
                Command.create({"repartition_type": "base"}),
                Command.create(
                    {
                        "repartition_type": "tax",
                        "account_id": refund_account.id if refund_account else False,
                    }
                ),
            ],
        }

    def _default_tax_account(self):
        sale_tax = self.company.account_sale_tax_id
        lines = sale_tax.invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax" and line.account_id
        )
        return lines[:1].account_id

    def _taxed(self, rows, inclusive, base_ex, extra_tax=ZERO, rows_factor=1):
        """(taxes, manual amounts) for an amount BigCommerce taxed with ``rows``.

        Each tax gets ``rows_factor`` times its rows' amount plus its share of
        ``extra_tax``: tax the rows do not show separately (what a discount
        took off the line's tax), split in proportion to the rows.
        """
        if not rows or self.instance.tax_mode == "odoo":
            # The "Odoo" mode reads tax lines only for discounts' tax and
            # never creates taxes.
            return self.env["account.tax"], {}
        row_amounts = defaultdict(lambda: ZERO)
        taxes = self.env["account.tax"]
        for row in rows:
            tax = self._account_tax(row, inclusive)
            taxes |= tax
            row_amounts[tax.id] += parse_money(row["line_amount"])
        ids = list(row_amounts)
        shares = _split(extra_tax, [row_amounts[i] for i in ids], self._quantum)
        amounts = {
            tax_id: row_amounts[tax_id] * rows_factor + share
            for tax_id, share in zip(ids, shares, strict=True)
        }
        manual = {
            str(tax_id): {
                "tax_amount_currency": float(amount),
                "base_amount_currency": float(base_ex),
            }
            for tax_id, amount in amounts.items()
        }
        return taxes, manual

    def _apply_tax_mode(self, lines, partner, shipping_partner, currency):
        """Odoo's taxes in the "Odoo" and "then the fiscal position" modes.

        In "Follow BigCommerce" the lines already carry BigCommerce's taxes
        and amounts. Otherwise the taxes are Odoo's (the product's, or
        BigCommerce's mapped by the fiscal position) and each line keeps
        BigCommerce's tax amount when Odoo's own computation agrees with it
        but for rounding: the customer paid BigCommerce's rounding. A line
        whose taxes compute something else (another rate, no tax) is left to
        Odoo, and the invoice check shows the difference for review.
        Returns the fiscal position of the sale order.
        """
        mode = self.instance.tax_mode
        positions = self.env["account.fiscal.position"].with_company(self.company)
        position = positions
        if mode != "bigcommerce":
            position = positions._get_fiscal_position(
                partner, delivery=shipping_partner
            )
        for values in lines:
            amounts, tax_product = values.pop("_bigcommerce")
            if mode == "bigcommerce":
                continue
            if mode == "odoo":
                taxes = position.map_tax(
                    self._tax_classes.odoo_taxes(
                        values,
                        tax_product.taxes_id.filtered(
                            lambda tax: tax.company_id == self.company
                        ),
                    )
                )
            else:
                bigcommerce_taxes = self.env["account.tax"].browse(
                    values["tax_ids"][0][2]
                )
                taxes = position.map_tax(bigcommerce_taxes)
                if taxes == bigcommerce_taxes:
                    continue
            self._carry_tax(values, taxes, amounts, tax_product, partner, currency)
        return position

    def _carry_tax(self, values, taxes, amounts, product, partner, currency):
        """Put ``taxes`` on the line, with BigCommerce's amount if it agrees."""
        values["tax_ids"] = [Command.set(taxes.ids)]
        values.pop("extra_tax_data", None)
        included = bool(taxes) and all(tax.price_include for tax in taxes)
        price_unit = amounts.unit_inc if included else amounts.unit_ex
        values["price_unit"] = float(price_unit)
        if not taxes:
            return
        quantity = values["product_uom_qty"]
        computed = taxes.compute_all(
            float(price_unit), currency, quantity, product=product, partner=partner
        )
        by_tax = defaultdict(lambda: ZERO)
        for row in computed["taxes"]:
            by_tax[row["id"]] += Decimal(str(row["amount"]))
        # BigCommerce's amount only if rounding alone can explain the
        # difference: rounding per unit and rate against Odoo's per line
        # moves it by at most floor(taxes * (quantity + 1) / 2) of the
        # currency's smallest amount (derivation in tax_rounding.py). More
        # is another rate: Odoo's own amount stays and the order goes to
        # review with both totals.
        tolerance = rounding_tolerance(quantity, len(taxes), self._quantum)
        if abs(sum(by_tax.values(), ZERO) - amounts.tax) > tolerance:
            return
        ids = list(by_tax)
        shares = _split(amounts.tax, [by_tax[tax_id] for tax_id in ids], self._quantum)
        values["extra_tax_data"] = self._extra_tax_data(
            currency,
            price_unit,
            quantity,
            amounts.total_ex,
            {
                str(tax_id): {
                    "tax_amount_currency": float(share),
                    "base_amount_currency": float(amounts.total_ex),
                }
                for tax_id, share in zip(ids, shares, strict=True)
            },
        )

    def _extra_tax_data(self, currency, price_unit, quantity, total_ex, manual):
        return {
            "currency_id": currency.id,
            "price_unit": float(price_unit),
            "discount": 0.0,
            "quantity": float(quantity),
            "manual_total_excluded_currency": float(total_ex),
            "manual_tax_amounts": manual,
        }

    def _line_values(
        self,
        product,
        name,
        quantity,
        amounts,
        currency,
        taxes,
        manual,
        kind,
        line_id=0,
        tax_product=None,
    ):
        """One sale order line; ``tax_product`` gives the Odoo taxes of the
        line in the "Odoo" mode (a discount is taxed like its product)."""
        price_unit = amounts.unit_inc if amounts.inclusive else amounts.unit_ex
        values = {
            "product_id": product.id,
            "name": name,
            "product_uom_qty": quantity,
            "price_unit": float(price_unit),
            "discount": 0.0,
            "tax_ids": [Command.set(taxes.ids)],
            "bigcommerce_line_kind": kind,
            "bigcommerce_line_id": line_id,
            "bigcommerce_charged": float(amounts.total_ex + amounts.tax),
            # Read and removed by _apply_tax_mode.
            "_bigcommerce": (amounts, product if tax_product is None else tax_product),
        }
        if manual:
            values["extra_tax_data"] = self._extra_tax_data(
                currency, price_unit, quantity, amounts.total_ex, manual
            )
        return values

    def _product_lines(self, line, tax_rows, inclusive, currency):
        product = self._product(line)
        quantity = int(line["quantity"])
        line_id = int(line["id"])
        total_ex = parse_money(line["total_ex_tax"])
        line_tax = parse_money(line["total_tax"])
        rows = tax_rows.get(("item", line_id), [])
        discount_inc = sum(
            (parse_money(d["amount"]) for d in line.get("applied_discounts") or []),
            ZERO,
        )
        # BigCommerce's item tax rows are after discount; what the discount
        # took off the tax is the rest of the line's own tax.
        discount_tax = line_tax - sum(
            (parse_money(r["line_amount"]) for r in rows), ZERO
        )
        if not rows:
            discount_tax = ZERO
        name = self._line_name(line)
        taxes, manual = self._taxed(rows, inclusive, total_ex, extra_tax=discount_tax)
        kind = (
            "gift_certificate" if line.get("type") == "giftcertificate" else "product"
        )
        amounts = LineAmounts(
            parse_money(line["price_ex_tax"]),
            parse_money(line["price_inc_tax"]),
            total_ex,
            line_tax,
            inclusive,
        )
        result = [
            self._line_values(
                product, name, quantity, amounts, currency, taxes, manual, kind, line_id
            )
        ]
        if discount_inc:
            discount_ex = discount_inc - discount_tax
            names = ", ".join(
                d.get("name") or d.get("code") or "" for d in line["applied_discounts"]
            )
            taxes, manual = self._taxed(
                rows, inclusive, -discount_ex, extra_tax=-discount_tax, rows_factor=0
            )
            result.append(
                self._line_values(
                    self.instance.discount_product_id,
                    self.env._(
                        "Discount on %(line)s: %(names)s", line=name, names=names
                    ),
                    1,
                    LineAmounts(
                        -discount_ex,
                        -discount_inc,
                        -discount_ex,
                        -discount_tax,
                        inclusive,
                    ),
                    currency,
                    taxes,
                    manual,
                    "discount",
                    line_id,
                    tax_product=product,
                )
            )
        wrapping = self._charge(line, "wrapping_cost_", inclusive)
        if wrapping.unit_inc:
            rows = tax_rows.get(("gift-wrapping", line_id), [])
            taxes, manual = self._taxed(rows, inclusive, wrapping.total_ex)
            result.append(
                self._line_values(
                    self.instance.wrapping_product_id,
                    line.get("wrapping_name") or self.env._("Gift wrapping"),
                    1,
                    wrapping,
                    currency,
                    taxes,
                    manual,
                    "wrapping",
                    line_id,
                    # BigCommerce taxes gift wrapping like the wrapped product.
                    tax_product=product,
                )
            )
        return result

    def _charge(self, row, prefix, inclusive):
        """LineAmounts of a one-off charge (shipping, handling, wrapping, fee)."""
        amount_ex = parse_money(row.get(f"{prefix}ex_tax"))
        return LineAmounts(
            amount_ex,
            parse_money(row.get(f"{prefix}inc_tax")),
            amount_ex,
            parse_money(row.get(f"{prefix}tax")),
            inclusive,
        )

    def _address_lines(self, address, tax_rows, inclusive, currency):
        result = []
        address_id = int(address["id"])
        for kind, prefix, product in (
            # The product of the address's shipping method (its mapping).
            (
                "shipping",
                "cost_",
                order_shipping_method.shipping_product(self, address),
            ),
            ("handling", "handling_cost_", self.instance.handling_product_id),
        ):
            amounts = self._charge(address, prefix, inclusive)
            if not amounts.unit_inc and not amounts.unit_ex:
                continue
            rows = tax_rows.get((kind, address_id), [])
            taxes, manual = self._taxed(rows, inclusive, amounts.total_ex)
            name = (
                address.get("shipping_method") or self.env._("Shipping")
                if kind == "shipping"
                else self.env._("Handling")
            )
            result.append(
                self._line_values(
                    product,
                    name,
                    1,
                    amounts,
                    currency,
                    taxes,
                    manual,
                    kind,
                    # SHIPPING and HANDLING refund items name the address.
                    address_id,
                )
            )
        return result

    def _fee_line(self, fee, tax_rows, inclusive, currency):
        fee_id = int(fee.get("id") or 0)
        amounts = self._charge(fee, "cost_", inclusive)
        taxes, manual = self._taxed(
            tax_rows.get(("fee", fee_id), []), inclusive, amounts.total_ex
        )
        return self._line_values(
            self.instance.handling_product_id,
            fee.get("display_name_merchant")
            or fee.get("display_name_customer")
            or "Fee",
            1,
            amounts,
            currency,
            taxes,
            manual,
            "fee",
            fee_id,
            # "Odoo" mode: a fee BigCommerce did not tax stays untaxed (its
            # tax class is per fee; Odoo has no product for it), a taxed one
            # is taxed like handling.
            tax_product=None if amounts.tax else self.env["product.product"],
        )

    def _line_name(self, line):
        name = line.get("name_merchant") or line.get("name") or line.get("sku") or ""
        options = [
            f"{option.get('display_name')}: {option.get('display_value')}"
            for option in line.get("product_options") or []
        ]
        return f"{name} ({', '.join(options)})" if options else name

    def _product(self, line):
        instance = self.instance
        if line.get("type") == "giftcertificate":
            return instance.gift_certificate_product_id
        sku = (line.get("sku") or "").strip()
        if not line.get("product_id") and not sku:
            return instance._bigcommerce_custom_product(line)
        key = sku.lower()
        if key not in self._products:
            # The catalog binding first: an unknown product is imported from
            # the catalog when the store allows product creation.
            product = instance._bigcommerce_variant_product(
                line.get("variant_id"), line.get("product_id"), self.client
            ) or self.env["product.product"].search(
                [
                    ("default_code", "=ilike", escape_psql(sku)),
                    ("company_id", "in", (False, self.company.id)),
                ],
                limit=1,
            )
            if not product and not line.get("product_id"):
                # A custom item with its own SKU that Odoo does not know.
                product = instance._bigcommerce_custom_product(line)
            if not product and instance.create_products:
                product = self._create_product(line, sku)
            if not product:
                raise OrderImportError(
                    self.env._(
                        "Unknown SKU %(sku)s (%(name)s): create the product in Odoo "
                        "(or enable “Create Odoo Products?”), then retry.",
                        sku=sku,
                        name=line.get("name"),
                    )
                )
            self._products[key] = product
        return self._products[key]

    def _create_product(self, line, sku):
        """A product for an unknown SKU, once per store and SKU.

        A concurrent job creating the same SKU makes this one retry; a
        product this store created earlier (its code edited since) is reused.
        """
        products = self.env["product.product"]
        key = sku.lower()
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                return products.create(
                    {
                        "name": line.get("name") or sku,
                        "default_code": sku,
                        "type": "consu",
                        "invoice_policy": "order",
                        "list_price": float(parse_money(line.get("base_price"))),
                        "taxes_id": [Command.clear()],
                        "bigcommerce_instance_id": self.instance.id,
                        "bigcommerce_sku_key": key,
                    }
                )
        except psycopg2.errors.UniqueViolation:
            known = products.with_context(active_test=False).search(
                [
                    ("bigcommerce_instance_id", "=", self.instance.id),
                    ("bigcommerce_sku_key", "=", key),
                ],
                limit=1,
            )
            if known:
                return known
            raise RetryableJobError(
                self.env._("SKU %s is being created by another job.", sku),
                seconds=10,
            ) from None
