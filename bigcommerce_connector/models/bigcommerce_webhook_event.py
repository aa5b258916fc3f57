import logging
from datetime import UTC, datetime
from functools import partial

import psycopg2

from odoo import SUPERUSER_ID, api, fields, models, sql_db
from odoo.exceptions import UserError

from ..tools.rights import bigcommerce_admin_only

_logger = logging.getLogger(__name__)

# What each scope asks Odoo to re-read from BigCommerce: (kind, id in data).
# Shipments change the fulfilment state of their order; address events
# belong to their customer.
SCOPE_TARGETS = {
    "store/order/created": ("order", ("id",)),
    "store/order/updated": ("order", ("id",)),
    "store/order/statusUpdated": ("order", ("id",)),
    "store/order/refund/created": ("refund", ("refund", "refund_id")),
    "store/customer/created": ("customer", ("id",)),
    "store/customer/updated": ("customer", ("id",)),
    "store/customer/deleted": ("customer", ("id",)),
    "store/customer/address/created": ("customer", ("address", "customer_id")),
    "store/customer/address/updated": ("customer", ("address", "customer_id")),
    "store/customer/address/deleted": ("customer", ("address", "customer_id")),
    "store/shipment/created": ("order", ("orderId",)),
    "store/shipment/updated": ("order", ("orderId",)),
    "store/shipment/deleted": ("order", ("orderId",)),
    "store/product/created": ("product", ("id",)),
    "store/product/updated": ("product", ("id",)),
    "store/product/deleted": ("product", ("id",)),
    "store/sku/created": ("product", ("sku", "product_id")),
    "store/sku/updated": ("product", ("sku", "product_id")),
    "store/sku/deleted": ("product", ("sku", "product_id")),
    "store/category/created": ("category", ("id",)),
    "store/category/updated": ("category", ("id",)),
    "store/category/deleted": ("category", ("id",)),
}
TARGET_TYPES = [
    ("order", "Order"),
    ("customer", "Customer"),
    ("refund", "Refund"),
    ("product", "Product"),
    ("category", "Category"),
    ("none", "Not Synced"),
]
EVENT_STATES = [
    ("received", "Received"),
    ("done", "Processed"),
    ("ignored", "Ignored"),
    ("failed", "Failed"),
]


def event_target(scope, data):
    """(target type, target id) of a callback's ``data``; ("none", 0) if unknown."""
    kind, path = SCOPE_TARGETS.get(scope, ("none", ()))
    value = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    try:
        target_id = int(value)
    except (TypeError, ValueError):
        return "none", 0
    return (kind, target_id) if kind != "none" and target_id > 0 else ("none", 0)


COUNT_DUPLICATE = """
    UPDATE bigcommerce_webhook_event
       SET duplicate_count = duplicate_count + 1,
           last_duplicate_at = %s
     WHERE instance_id = %s AND hash = %s AND scope = %s AND event_date = %s
"""


def _count_duplicate_after_commit(dbname, key):
    # READ COMMITTED: a concurrent counter is waited for (one row, briefly),
    # then added to, where REPEATABLE READ (Odoo's default) would fail on it.
    try:
        with sql_db.db_connect(dbname).cursor() as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(COUNT_DUPLICATE, [fields.Datetime.now(), *key])
    except psycopg2.Error:
        # The delivery is stored and acknowledged: a count never fails it.
        _logger.warning("A webhook redelivery could not be counted", exc_info=True)


class BigcommerceWebhookEvent(models.Model):
    """One webhook callback BigCommerce delivered, as it was received.

    A redelivery of the same event (BigCommerce retries, and sends duplicates
    on its own) hits the unique key and only counts as a duplicate. The key
    is BigCommerce's ``hash`` together with the scope and the event time:
    ``hash`` is the SHA-1 of ``data`` alone, and ``data`` is just
    ``{type, id}`` for most scopes, so a later update of the same order (or
    its ``created`` and ``updated`` events) carries the very same hash.
    """

    _name = "bigcommerce.webhook.event"
    _description = "BigCommerce webhook event"
    _order = "received_at desc, id desc"
    _rec_name = "scope"

    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    scope = fields.Char(required=True, readonly=True)
    resource_id = fields.Integer(
        string="Resource ID", readonly=True, help="The id in the callback's data."
    )
    target_type = fields.Selection(
        TARGET_TYPES, required=True, readonly=True, default="none"
    )
    target_id = fields.Integer(
        string="Synced ID",
        readonly=True,
        help="The BigCommerce record re-read: the order of a shipment, the "
        "customer of an address, the refund of a refund event.",
    )
    hash = fields.Char(required=True, readonly=True, help="BigCommerce's event hash.")
    event_date = fields.Datetime(
        string="Event Time", required=True, readonly=True, help="created_at"
    )
    webhook_id = fields.Char(
        string="Delivery ID", readonly=True, help="Standard Webhooks webhook-id."
    )
    payload = fields.Text(readonly=True)
    received_at = fields.Datetime(required=True, readonly=True)
    processed_at = fields.Datetime(readonly=True)
    state = fields.Selection(EVENT_STATES, required=True, readonly=True, index=True)
    result = fields.Char(readonly=True)
    error = fields.Text(readonly=True)
    duplicate_count = fields.Integer(
        string="Duplicates",
        readonly=True,
        help="Redeliveries acknowledged and ignored.",
    )
    last_duplicate_at = fields.Datetime(readonly=True)

    _delivery_uniq = models.Constraint(
        "UNIQUE(instance_id, hash, scope, event_date)",
        "This webhook event was already received.",
    )
    _pending_idx = models.Index(
        "(instance_id, target_type, target_id) WHERE state = 'received'"
    )
    _received_idx = models.Index("(instance_id, received_at)")

    # ------------------------------------------------------------
    # Reception (called by the controller, in the request's transaction)
    # ------------------------------------------------------------

    @api.model
    def _store_delivery(self, instance_row, payload, body, webhook_id):
        """Insert the event once; return (event id, state, target type, target id).

        The event id is None for a duplicate.

        Plain SQL: the request must stay fast and must never fail on a
        redelivery. ``ON CONFLICT DO NOTHING`` makes a concurrent duplicate
        wait for the first insert and skip; under REPEATABLE READ it raises a
        serialization failure instead when the first insert committed after
        this transaction's snapshot, which means exactly the same: a
        duplicate.
        """
        cr = self.env.cr
        scope = payload["scope"]
        data = payload["data"]
        target_type, target_id = event_target(scope, data)
        state, result = "received", None
        if target_type == "none":
            state, result = "ignored", "This scope is not synchronised."
        elif not self.env["bigcommerce.instance"]._webhook_syncs(target_type):
            state, result = (
                "ignored",
                f"Stored only: {target_type} events are not synchronised by "
                "webhooks; the poll imports them.",
            )
        event_date = datetime.fromtimestamp(int(payload["created_at"]), UTC).replace(
            tzinfo=None
        )
        resource_id = data.get("id") if isinstance(data.get("id"), int) else None
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    """
                    INSERT INTO bigcommerce_webhook_event (
                        instance_id, company_id, scope, resource_id, target_type,
                        target_id, hash, event_date, webhook_id, payload,
                        received_at, processed_at, state, result, duplicate_count,
                        create_uid, write_uid, create_date, write_date
                    ) VALUES (
                        %(instance)s, %(company)s, %(scope)s, %(resource)s,
                        %(target_type)s, %(target_id)s, %(hash)s, %(event_date)s,
                        %(webhook_id)s, %(payload)s, %(now)s,
                        CASE WHEN %(state)s = 'received' THEN NULL ELSE %(now)s END,
                        %(state)s, %(result)s, 0, %(uid)s, %(uid)s, %(now)s, %(now)s
                    )
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """,
                    {
                        "instance": instance_row["id"],
                        "company": instance_row["company_id"],
                        "scope": scope,
                        "resource": resource_id,
                        "target_type": target_type,
                        "target_id": target_id,
                        "hash": payload["hash"],
                        "event_date": event_date,
                        "webhook_id": webhook_id,
                        "payload": body.decode(),
                        "now": fields.Datetime.now(),
                        "state": state,
                        "result": result,
                        "uid": SUPERUSER_ID,
                    },
                    # A concurrent duplicate is expected, not a bad query.
                    log_exceptions=False,
                )
                row = cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            row = None
        if row:
            return row[0], state, target_type, target_id
        self._count_duplicate(instance_row["id"], payload, event_date)
        return None, state, target_type, target_id

    @api.model
    def _count_duplicate(self, instance_id, payload, event_date):
        """Count one acknowledged redelivery of the event.

        A redelivery concurrent with the first delivery has a snapshot older
        than the event's insert: it cannot see the row (or meets a
        concurrent counter), so it is counted once this request has
        committed, in a short transaction of its own. A count never fails
        the answer to BigCommerce.
        """
        cr = self.env.cr
        key = [instance_id, payload["hash"], payload["scope"], event_date]
        counted = 0
        try:
            with cr.savepoint(flush=False):
                cr.execute(
                    COUNT_DUPLICATE,
                    [fields.Datetime.now(), *key],
                    # A concurrent counter is expected, not a bad query.
                    log_exceptions=False,
                )
                counted = cr.rowcount
        except psycopg2.errors.SerializationFailure:
            counted = 0
        if not counted:
            cr.postcommit.add(partial(_count_duplicate_after_commit, cr.dbname, key))

    # ------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------

    def _enqueue(self):
        """Queue one processing job per synced record (identity key on it)."""
        for instance, target_type, target_id in {
            (event.instance_id, event.target_type, event.target_id)
            for event in self
            if event.target_type != "none"
        }:
            instance._enqueue_webhook_job(target_type, target_id)

    @bigcommerce_admin_only
    def action_retry(self):
        """Process failed (or stuck) events again, now."""
        events = self.filtered(lambda event: event.state in ("failed", "received"))
        if not events:
            raise UserError(self.env._("Only failed or waiting events can be retried."))
        events.write({"state": "received", "error": False, "processed_at": False})
        events._enqueue()
        return True
