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


# BigCommerce's ids are 32-bit integers (the OpenAPI specs' ``integer``
# ids, Odoo's ``fields.Integer``): anything else is not one of its ids.
MAX_ID = 2**31 - 1


def as_bigcommerce_id(value):
    """``value`` as a BigCommerce id (a positive int32, or its digits), else None.

    ``True`` is not 1, ``2.5`` is not 2 and ``2**31`` does not fit a column.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


def event_target(scope, data):
    """(target type, target id) of a callback's ``data``; ("none", 0) if unknown
    or when the id is not a BigCommerce id (see ``as_bigcommerce_id``)."""
    kind, path = SCOPE_TARGETS.get(scope, ("none", ()))
    value = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    target_id = as_bigcommerce_id(value)
    return (kind, target_id) if kind != "none" and target_id else ("none", 0)


# The event a delivery repeats: the same message (webhook-id), or the same
# hash, scope and second while it waits to be processed (a processed event
# is not repeated: its job may have read an older version of the record).
COUNT_DUPLICATE = """
    UPDATE bigcommerce_webhook_event
       SET duplicate_count = duplicate_count + 1,
           last_duplicate_at = %(now)s
     WHERE instance_id = %(instance)s AND scope = %(scope)s
       AND ((webhook_id = %(webhook_id)s)
            OR (hash = %(hash)s AND event_date = %(event_date)s
                AND (state = 'received' OR target_type = 'none')))
"""


def _count_duplicate_after_commit(dbname, values):
    # READ COMMITTED: a concurrent counter is waited for (one row, briefly),
    # then added to, where REPEATABLE READ (Odoo's default) would fail on it.
    try:
        with sql_db.db_connect(dbname).cursor() as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(COUNT_DUPLICATE, dict(values, now=fields.Datetime.now()))
    except psycopg2.Error:
        # The delivery is stored and acknowledged: a count never fails it.
        _logger.warning("A webhook redelivery could not be counted", exc_info=True)


class BigcommerceWebhookEvent(models.Model):
    """One webhook callback BigCommerce delivered, as it was received.

    A redelivery of the same event (BigCommerce retries, and sends duplicates
    on its own) only counts as a duplicate, by one of two unique keys:

    - the Standard Webhooks ``webhook-id`` (with the scope), when the
      delivery is signed: it names one message, and a redelivery repeats it;
    - BigCommerce's ``hash`` with the scope and the event time, only among
      the events not processed yet. ``hash`` is the SHA-1 of ``data`` alone
      (``{type, id}`` for most scopes) and ``created_at`` counts whole
      seconds: two updates of one order within a second look the same. While
      the first is waiting, one job reads the order for both; once its job
      has read the order, the second is a new event and the order is read
      again. A delivery arriving while that job runs bumps the waiting
      event's duplicate count, which makes the job's own write of the event
      a serialization failure: queue_job runs it again, and it reads the
      order again.
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

    # Only among events still to process (or never to process: unknown
    # scopes): see the class's docstring.
    _open_delivery_uniq = models.UniqueIndex(
        "(instance_id, hash, scope, event_date) "
        "WHERE state = 'received' OR target_type = 'none'",
        "This webhook event was already received.",
    )
    _message_uniq = models.UniqueIndex(
        "(instance_id, webhook_id, scope) WHERE webhook_id IS NOT NULL",
        "This webhook message was already received.",
    )
    _pending_idx = models.Index(
        "(instance_id, target_type, target_id) WHERE state = 'received'"
    )
    _received_idx = models.Index("(instance_id, received_at)")

    def init(self):
        # The former key deduplicated against processed events too, and
        # dropped the second of two updates within one second.
        self.env.cr.execute(
            "ALTER TABLE bigcommerce_webhook_event "
            "DROP CONSTRAINT IF EXISTS bigcommerce_webhook_event_delivery_uniq"
        )

    # ------------------------------------------------------------
    # Reception (called by the controller, in the request's transaction)
    # ------------------------------------------------------------

    @api.model
    def _store_delivery(self, instance_row, payload, body, webhook_id):
        """Insert the event once; return (event id, state, target type, target id).

        The event id is None for a duplicate. ``payload`` was checked by the
        controller (ids, ``created_at``, UTF-8 body).

        Plain SQL: the request must stay fast and must never fail on a
        redelivery. ``ON CONFLICT DO NOTHING`` makes a concurrent duplicate
        wait for the first insert and skip; under REPEATABLE READ it raises a
        serialization failure instead when the first insert committed after
        this transaction's snapshot, which means exactly the same: a
        duplicate. When the event it duplicated gets processed meanwhile (its
        count cannot be bumped), the delivery is inserted again: it is new
        work now.
        """
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
        values = {
            "instance": instance_row["id"],
            "company": instance_row["company_id"],
            "scope": scope,
            "resource": as_bigcommerce_id(data.get("id")),
            "target_type": target_type,
            "target_id": target_id,
            "hash": payload["hash"],
            "event_date": event_date,
            "webhook_id": webhook_id or None,
            "payload": body.decode(),
            "now": fields.Datetime.now(),
            "state": state,
            "result": result,
            "uid": SUPERUSER_ID,
        }
        for _attempt in range(2):
            event_id = self._insert_event(values)
            if event_id:
                return event_id, state, target_type, target_id
            if self._count_duplicate(values):
                break
        else:
            # Neither inserted nor counted: the event it repeats was inserted
            # by a concurrent request this snapshot cannot see. Counted once
            # this request has committed, in a short transaction of its own.
            cr = self.env.cr
            cr.postcommit.add(partial(_count_duplicate_after_commit, cr.dbname, values))
        return None, state, target_type, target_id

    @api.model
    def _insert_event(self, values):
        """The new event's id, or None when a unique key says duplicate."""
        cr = self.env.cr
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
                    values,
                    # A concurrent duplicate is expected, not a bad query.
                    log_exceptions=False,
                )
                row = cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            return None
        return row[0] if row else None

    @api.model
    def _count_duplicate(self, values):
        """Count the duplicate on the event it repeats; False when that event
        was processed (or is being counted) by another transaction since this
        one's snapshot.

        Bumping a waiting event also makes the job processing it, if one has
        already read the order, fail its own write of the event and run
        again (see the class's docstring).
        """
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute(COUNT_DUPLICATE, values, log_exceptions=False)
                return bool(cr.rowcount)
        except psycopg2.errors.SerializationFailure:
            return False

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
        # One waiting event per (hash, scope, created_at) (the unique key of
        # waiting events): a failed event whose twin is waiting already is
        # settled by the twin's job, which reads the same record.
        waiting = {
            event._dedupe_key(): event
            for event in self.search(
                [
                    ("instance_id", "in", events.instance_id.ids),
                    ("hash", "in", list(set(events.mapped("hash")))),
                    ("state", "=", "received"),
                ]
            )
        }
        retried = self.browse()
        for event in events:
            twin = waiting.setdefault(event._dedupe_key(), event)
            if twin == event:
                retried |= event
            else:
                event.write(
                    {
                        "state": "ignored",
                        "processed_at": fields.Datetime.now(),
                        "result": self.env._("Retried as event %s.", twin.id),
                    }
                )
        retried.filtered(lambda event: event.state != "received").write(
            {"state": "received", "error": False, "processed_at": False}
        )
        events._enqueue()
        return True

    def _dedupe_key(self):
        self.ensure_one()
        return (self.instance_id.id, self.hash, self.scope, self.event_date)
