from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..client.parsing import format_iso8601
from ..importers.refund import RefundImporter
from ..tools.job_retry import retry_job_on_transient_errors, run_or_keep
from .bigcommerce_log import log_operation

# Refunds are listed by creation date (second resolution): poll with an overlap.
REFUND_POLL_OVERLAP = timedelta(minutes=5)
# BigCommerce's largest page: one request reads this many ids of an id:in list.
REFUND_ID_BATCH = 250


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    refund_adjustment_product_id = fields.Many2one(
        "product.product",
        string="Refund Adjustment Product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_refund_adjustment",
            raise_if_not_found=False,
        ),
        help="Credit note line of order-level refund amounts and of the "
        "difference a merchant override makes; its income account (or its "
        "category's) books them.",
    )
    refund_tax_account_id = fields.Many2one(
        "account.account",
        string="Credit Note Tax Account",
        check_company=True,
        help="Account of the tax that the connector's credit notes give back "
        "(also the credit note distribution of the taxes the connector "
        "creates). Empty: the taxes' own credit note distribution.",
    )
    refund_checkpoint = fields.Datetime(
        string="Refunds Imported Up To",
        copy=False,
        help="Start of the last successful refund poll; the next one asks for "
        "refunds created since then, minus a short overlap.",
    )
    import_refunds_cron = fields.Boolean(string="Poll Refunds", default=True)
    refund_poll_interval = fields.Integer(string="Poll Refunds Every (min)", default=15)
    bigcommerce_refund_ids = fields.One2many(
        "bigcommerce.refund", "instance_id", string="BigCommerce Refunds"
    )
    refund_count = fields.Integer(compute="_compute_refund_counts")
    refund_attention_count = fields.Integer(compute="_compute_refund_counts")

    def _compute_refund_counts(self):
        groups = self.env["bigcommerce.refund"]._read_group(
            [("instance_id", "in", self.ids)],
            ["instance_id", "state"],
            ["__count"],
        )
        totals, attention = {}, {}
        for instance, state, count in groups:
            totals[instance] = totals.get(instance, 0) + count
            if state != "synced":
                attention[instance] = attention.get(instance, 0) + count
        for instance in self:
            instance.refund_count = totals.get(instance, 0)
            instance.refund_attention_count = attention.get(instance, 0)

    # ------------------------------------------------------------
    # Scripting API (wizard, crons, XML-RPC)
    # ------------------------------------------------------------

    def import_refunds(self, refund_ids=None, order_ids=None, since=None):
        """Import refunds by refund id, by order id, or created since a date.

        Queues one batch job per instance (channel root.bigcommerce) that
        queues one job per refund; with the context key
        ``queue_job__no_delay`` everything runs at once. ``since`` is a
        "YYYY-MM-DD HH:MM:SS" string (UTC) or a datetime; no argument
        imports every refund of the store.
        """
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            instance.with_delay(
                channel="root.bigcommerce",
                description=self.env._("Import refunds of %s", instance.name),
            )._job_import_refunds(
                refund_ids=[int(refund_id) for refund_id in refund_ids or []],
                order_ids=[int(order_id) for order_id in order_ids or []],
                since=fields.Datetime.to_string(since) if since else None,
            )
        return True

    def action_view_refunds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "bigcommerce_connector.bigcommerce_refund_action"
        )
        action["domain"] = [("instance_id", "=", self.id)]
        return action

    @api.model
    def _cron_import_refunds(self):
        return self._queue_due_polls(
            "refund", lambda instance: self.env._("Poll refunds of %s", instance.name)
        )

    # ------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------

    def _job_poll_refunds(self):
        """Import the refunds created since the checkpoint; move it on success."""
        self.ensure_one()
        started = fields.Datetime.now()
        since = self.refund_checkpoint and self.refund_checkpoint - REFUND_POLL_OVERLAP
        self._job_import_refunds(
            since=fields.Datetime.to_string(since) if since else None
        )
        # Refunds waiting for their order or invoice are older than the
        # checkpoint: ask for them again until they are booked.
        waiting = since and self.env["bigcommerce.refund"].search(
            [
                ("instance_id", "=", self.id),
                ("state", "=", "pending"),
                ("date_created", "<", since),
            ]
        )
        if waiting:
            self._job_import_refunds(refund_ids=waiting.mapped("bigcommerce_id"))
        # The start of the run: refunds made while it ran are polled next time.
        self.refund_checkpoint = started
        return True

    def _job_import_refunds(self, refund_ids=None, order_ids=None, since=None):
        self.ensure_one()
        with (
            retry_job_on_transient_errors(self.env),
            log_operation(self, "import_refunds", "refund") as recorder,
        ):
            self._import_refunds_now(
                refund_ids=refund_ids,
                order_ids=order_ids,
                since=since,
                recorder=recorder,
                client=self._job_client(),
                per_refund_jobs=True,
            )
        return True

    def _job_import_refund(self, refund):
        """Queue job: book one refund from the payload its batch job read.

        When queue_job would give up (retries exhausted, or an unexpected
        error), the refund is kept in Error with the reason, with Retry: the
        poll has moved past it and would not ask for it again.
        """
        self.ensure_one()
        importer = RefundImporter(self, self._job_client())
        record = run_or_keep(
            self.env,
            lambda: importer.import_refund(refund),
            lambda reason: importer.give_up(refund, reason),
            f"Import of BigCommerce refund {refund['id']}",
        )
        return f"{record.display_name}: {record.state}"

    def _import_refunds_now(
        self,
        refund_ids=None,
        order_ids=None,
        since=None,
        recorder=None,
        client=None,
        per_refund_jobs=False,
    ):
        """Page through the refunds; book each (or queue one job per refund).

        Refunds come in ascending id order, which is the order BigCommerce
        made them in: earlier refunds of an order are booked first.
        """
        self.ensure_one()
        client = client or self._get_client()
        importer = RefundImporter(self, client, recorder)
        queued = 0
        pending = []  # the refunds of one job ("Records per job")
        seen = set()
        for refund in self._iter_bigcommerce_refunds(
            client, refund_ids, order_ids, since
        ):
            if refund["id"] in seen:
                continue  # asked for by refund id and by order id
            seen.add(refund["id"])
            if per_refund_jobs:
                pending.append(refund)
                queued += 1
                if len(pending) >= self.queue_batch_size:
                    self._queue_import_jobs("refund", pending, recorder)
                    pending = []
            else:
                importer.import_refund(refund)
        self._queue_import_jobs("refund", pending, recorder)
        missing = sorted(set(refund_ids or []) - seen)
        if recorder and missing:
            recorder.note(
                self.env._(
                    "BigCommerce has no refund %s.", ", ".join(map(str, missing))
                ),
                level="error",
            )
        self._note_summary(recorder, "refund", importer.counts, queued)
        return dict(importer.counts, queued=queued, missing=len(missing))

    def _iter_bigcommerce_refunds(self, client, refund_ids, order_ids, since):
        """The refunds asked for, from the cross-order list (250 per page)."""
        if refund_ids or order_ids:
            for key, ids in (("id:in", refund_ids), ("order_id:in", order_ids)):
                ids = sorted(set(ids or []))
                for start in range(0, len(ids), REFUND_ID_BATCH):
                    chunk = ids[start : start + REFUND_ID_BATCH]
                    yield from client.iter_refunds(
                        **{key: ",".join(str(i) for i in chunk)}
                    )
            return
        filters = {}
        if since:
            filters["created:min"] = format_iso8601(fields.Datetime.to_datetime(since))
        yield from client.iter_refunds(**filters)
