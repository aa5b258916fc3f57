"""Order status back to BigCommerce: cancelled, completed, paid.

Only ``status_id`` is ever written (``PUT /v2/orders/{id}``): ``products``
would clear the lines' discounts and ``fees`` replaces them all (P15).
BigCommerce has no API to record an offline payment (payment_status is read
only, P8): "paid" is a status change, or the capture of an authorised
gateway payment (``POST /v3/orders/{id}/payment_actions/capture``).

No echo: the order is read first; a status BigCommerce already has (the
change came from BigCommerce, or a job that died after BigCommerce
answered) is recorded as done without a write. One
``bigcommerce.order.export`` row per order and kind makes it exactly once.
"""

from odoo import fields

from ..client import BigCommerceError
from .outcome import ExportOutcome


class OrderStatusExporter(ExportOutcome):
    def __init__(self, instance, client, recorder=None):
        super().__init__(instance, client, recorder)
        self._actions = instance._status_actions()

    def export(self, record, kind):
        """Send one change of ``record`` (a bigcommerce.order); returns the row."""
        waiting = self._not_yet(record, kind)
        if waiting:
            # Not a decision, only "not now": no row, a later trigger sends it.
            self._count("skipped")
            self._note(f"{record.display_name}: {waiting}")
            return self.env["bigcommerce.order.export"]
        row = self.env["bigcommerce.order.export"]._claim(self.instance, record, kind)
        if row.state in ("done", "skipped"):
            self._count("unchanged")
            return row
        row.attempt_count += 1
        try:
            with self.env.cr.savepoint():
                getattr(self, f"_export_{kind}")(row, record)
        except BigCommerceError as error:
            if error.retryable:
                raise
            return self._fail(row, error.message)
        return row

    def give_up(self, record, kind, reason):
        row = self.env["bigcommerce.order.export"]._claim(self.instance, record, kind)
        return self._fail(row, reason)

    # ------------------------------------------------------------------
    # The changes
    # ------------------------------------------------------------------

    def _not_yet(self, record, kind):
        """Why ``kind`` cannot be decided yet, or None."""
        if kind == "complete":
            if not self.instance.export_completed_status:
                return self.env._("completing orders is off for this store.")
            if record.fulfilment_state not in ("shipped", "digital"):
                return self.env._("not everything is shipped yet.")
            if record.invoice_id.payment_state not in ("paid", "in_payment"):
                return self.env._("the invoice is not paid yet.")
        if kind == "paid" and record.invoice_id.payment_state not in (
            "paid",
            "in_payment",
        ):
            return self.env._("the invoice is not paid yet.")
        if kind == "cancel":
            if not self.instance.export_cancel_status_id:
                return self.env._("sending cancellations is off for this store.")
            if record.sale_order_id.state != "cancel":
                return self.env._("the sale order is not cancelled.")
        return None

    def _export_cancel(self, row, record):
        target = self.instance.export_cancel_status_id
        current = self._current(record)
        if (
            current["status_id"] == target
            or self._actions.get(current["status_id"]) == "cancel"
        ):
            return self._done(
                row,
                current["status_id"],
                self.env._(
                    "Already %s in BigCommerce: nothing sent.", current.get("status")
                ),
                sent=False,
            )
        self.client.update_order_status(record.bigcommerce_id, target)
        return self._done(row, target)

    def _export_complete(self, row, record):
        return self._set_status(row, record, self.instance.export_completed_status_id)

    def _export_paid(self, row, record):
        mapping = record.payment_mapping_id
        action = mapping.paid_action or "none"
        if not self.instance.mark_order_as_paid or action == "none":
            return self._skip(
                row,
                self.env._(
                    "The payment mapping %s does not tell BigCommerce about "
                    "payments.",
                    mapping.display_name or "-",
                ),
            )
        current = self._current(record)
        if action == "capture":
            status = current.get("payment_status") or ""
            if status in ("captured", "capture pending", "paid"):
                return self._done(
                    row,
                    current["status_id"],
                    self.env._("Already %s in BigCommerce: nothing sent.", status),
                    sent=False,
                )
            if status != "authorized":
                return self._skip(
                    row,
                    self.env._(
                        "BigCommerce's payment is %s: only an authorised "
                        "payment can be captured.",
                        status or "-",
                    ),
                )
            self.client.capture_payment(record.bigcommerce_id)
            return self._done(row, current["status_id"], self.env._("Captured."))
        paid, awaiting = (
            self.instance.paid_status_id,
            self.instance.awaiting_payment_status_id,
        )
        if current["status_id"] != awaiting and current["status_id"] != paid:
            return self._skip(
                row,
                self.env._(
                    "The order is %(status)s in BigCommerce, not awaiting "
                    "payment (%(awaiting)s): its status was left alone.",
                    status=current.get("status"),
                    awaiting=awaiting,
                ),
            )
        return self._set_status(row, record, paid, current=current)

    def _set_status(self, row, record, target, current=None):
        current = current or self._current(record)
        if current["status_id"] == target:
            return self._done(
                row,
                target,
                self.env._(
                    "Already %s in BigCommerce: nothing sent.", current.get("status")
                ),
                sent=False,
            )
        self.client.update_order_status(record.bigcommerce_id, target)
        return self._done(row, target)

    def _current(self, record):
        # The plain order (no includes): one light request that tells the
        # status BigCommerce has now, whoever changed it.
        return self.client.get_v2(f"orders/{int(record.bigcommerce_id)}")

    # ------------------------------------------------------------------
    # Outcome
    # ------------------------------------------------------------------

    def _done(self, row, status_id, note=False, sent=True):
        row.write(
            {
                "state": "done",
                "status_id": status_id,
                "failure_reason": note,
                "date_sent": fields.Datetime.now() if sent else False,
            }
        )
        self._count("sent" if sent else "unchanged")
        return row

    def _label(self, row):
        return row.order_record_id.display_name
