from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..client.parsing import format_iso8601
from ..importers.refund import RefundImporter
from ..tools import batch, staging
from ..tools.job_retry import retry_job_on_transient_errors, run_or_keep
from ..tools.rights import bigcommerce_admin_only
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

    @bigcommerce_admin_only
    def import_refunds(self, refund_ids=None, order_ids=None, since=None):
        """Import refunds by refund id, by order id, or created since a date.

        Queues the first step of a resumable batch per instance (channel
        root.bigcommerce, ``tools/batch.py``): each step books one page of
        refunds and queues the next; with the context key
        ``queue_job__no_delay`` everything runs at once. ``since`` is a
        "YYYY-MM-DD HH:MM:SS" string (UTC) or a datetime; no argument
        imports every refund of the store.
        """
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
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

    def _job_poll_refunds(self, cursor=None):
        """Import the refunds created since the checkpoint, one page per job;
        move the checkpoint when the last page is booked."""
        self.ensure_one()
        if cursor is None:
            since = (
                self.refund_checkpoint and self.refund_checkpoint - REFUND_POLL_OVERLAP
            )
            cursor = batch.first_cursor(
                since=fields.Datetime.to_string(since) if since else None,
                started=fields.Datetime.to_string(fields.Datetime.now()),
            )
        done = self._run_refund_steps("_job_poll_refunds", cursor, {})
        if not done:
            return True
        # Refunds waiting for their order or invoice are older than the
        # checkpoint: ask for them again until they are booked.
        since = done.get("since")
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
        self.refund_checkpoint = fields.Datetime.to_datetime(done["started"])
        return True

    def _job_import_refunds(
        self, refund_ids=None, order_ids=None, since=None, cursor=None, until=None
    ):
        """Queue job: one step of a refund import, then queue the next.

        A step is one page of the cross-order refund list (250 refunds,
        ascending id: BigCommerce appends new refunds at the end, so page
        numbers are stable), or one id:in request of 250 refund or order ids.
        Its refunds are booked here: no refund payload is stored as a job
        argument.
        """
        self.ensure_one()
        if cursor is None:
            cursor = batch.first_cursor(since=since)
        kwargs = {"refund_ids": refund_ids, "order_ids": order_ids, "until": until}
        self._run_refund_steps("_job_import_refunds", cursor, kwargs)
        return True

    def _run_refund_steps(self, method, cursor, kwargs):
        """Run the step at ``cursor`` and queue the next (inline: run them all).

        Returns the last cursor when the batch is complete, else None.
        """
        client = self._job_client()
        while True:
            with (
                retry_job_on_transient_errors(self.env),
                log_operation(self, "import_refunds", "refund") as recorder,
            ):
                rows, handled, error, complete = self._import_refunds_step(
                    client, cursor, recorder, **kwargs
                )
            if error:
                following, seconds = batch.plan_next(cursor, rows, handled, error)
            elif complete:
                following, seconds = None, 0
            else:
                following, seconds = (
                    {**cursor, "page": cursor["page"] + 1, "offset": 0},
                    0,
                )
            if following is None:
                return cursor
            cursor = batch.continue_or_queue(
                self,
                method,
                following,
                error,
                seconds,
                self.env._("Import refunds of %s (continued)", self.name),
                kwargs,
            )
            if cursor is None:
                return None

    def _import_refunds_step(
        self, client, cursor, recorder, refund_ids=None, order_ids=None, until=None
    ):
        """Read the page (or id:in request) at ``cursor``; book its refunds.

        Returns (rows, handled, error, whether it was the last page). What
        the run already read (the page, the orders of its refunds and their
        answers) is not asked again; what this step read for the refunds it
        could not book is staged for the next one (``tools/staging.py``).
        """
        run = cursor.get("run")
        with staging.staged_answers(self, client, run) as answers:
            rows, handled, error, complete = self._book_refunds_page(
                client, cursor, recorder, refund_ids, order_ids, until
            )
            offset = cursor.get("offset", 0)
            staging.settle(
                self, run, answers, rows[offset:handled], page_done=not error
            )
        return rows, handled, error, complete

    def _book_refunds_page(
        self, client, cursor, recorder, refund_ids, order_ids, until
    ):
        importer = RefundImporter(self, client, recorder)
        page = cursor["page"]
        if refund_ids or order_ids:
            requests = self._refund_id_requests(refund_ids, order_ids)
            rows = []
            if page <= len(requests):
                rows = list(client.iter_refunds(**requests[page - 1]))
            complete = page >= len(requests)
        else:
            size = self._records_per_job()  # "Records per Job": the page size
            params = {"page": page, "limit": size}
            if cursor.get("since"):
                params["created:min"] = format_iso8601(
                    fields.Datetime.to_datetime(cursor["since"])
                )
            if until:  # the end of the wizard's date range
                params["created:max"] = format_iso8601(
                    fields.Datetime.to_datetime(until)
                )
            body = (
                client.request(
                    "GET", "v3", "orders/payment_actions/refunds", params=params
                )
                or {}
            )
            rows = body.get("data") or []
            pagination = (body.get("meta") or {}).get("pagination") or {}
            if pagination.get("total_pages") is not None:
                complete = page >= int(pagination["total_pages"])
            else:
                # Refund lists document an empty meta: stop on a short page.
                complete = len(rows) < size
        booked = set()

        def handle(refund):
            if refund["id"] in booked:
                return  # asked for by refund id and by order id
            booked.add(refund["id"])
            importer.import_refund(refund)

        handled, error = batch.handle_rows(
            self.env, rows, cursor, handle, client=client
        )
        done = rows[cursor.get("offset", 0) : handled]
        self._note_page(recorder, "refund", [row["id"] for row in done])
        self._note_summary(recorder, "refund", importer.counts, 0)
        if complete and not error and refund_ids:
            missing = self._missing_refunds(refund_ids)
            if missing:
                recorder.note(
                    self.env._(
                        "BigCommerce has no refund %s.", ", ".join(map(str, missing))
                    ),
                    level="error",
                )
        return rows, handled, error, complete

    @api.model
    def _refund_id_requests(self, refund_ids, order_ids):
        """The id:in filters of an import by ids, 250 ids each."""
        requests = []
        for key, ids in (("id:in", refund_ids), ("order_id:in", order_ids)):
            ids = sorted(set(ids or []))
            for start in range(0, len(ids), REFUND_ID_BATCH):
                chunk = ids[start : start + REFUND_ID_BATCH]
                requests.append({key: ",".join(str(i) for i in chunk)})
        return requests

    def _missing_refunds(self, refund_ids):
        known = self.env["bigcommerce.refund"].search(
            [("instance_id", "=", self.id), ("bigcommerce_id", "in", refund_ids)]
        )
        return sorted(set(refund_ids) - set(known.mapped("bigcommerce_id")))

    def _job_import_refund(self, refund_id):
        """Queue job: book one refund, read by id (Retry).

        Only the id is stored with the job. When queue_job would give up
        (retries exhausted, or an unexpected error), the refund is kept in
        Error with the reason, with Retry: the poll has moved past it and
        would not ask for it again.
        """
        self.ensure_one()
        client = self._job_client()
        importer = RefundImporter(self, client)

        def work():
            rows = list(client.iter_refunds(**{"id:in": str(int(refund_id))}))
            if not rows:
                return importer.give_up(
                    {"id": refund_id},
                    self.env._("BigCommerce has no refund %s.", refund_id),
                )
            return importer.import_refund(rows[0])

        record = run_or_keep(
            self.env,
            work,
            lambda reason: importer.give_up({"id": refund_id}, reason),
            f"Import of BigCommerce refund {refund_id}",
        )
        return f"{record.display_name}: {record.state}"

    def _import_refunds_now(
        self,
        refund_ids=None,
        order_ids=None,
        since=None,
        recorder=None,
        client=None,
    ):
        """Book refunds in this transaction (webhook jobs, inline Retry).

        Refunds come in ascending id order, which is the order BigCommerce
        made them in: earlier refunds of an order are booked first.
        """
        self.ensure_one()
        client = client or self._get_client()
        importer = RefundImporter(self, client, recorder)
        seen = set()
        for refund in self._iter_bigcommerce_refunds(
            client, refund_ids, order_ids, since
        ):
            if refund["id"] in seen:
                continue  # asked for by refund id and by order id
            seen.add(refund["id"])
            self._note_record(
                recorder, "refund", refund, importer.import_refund(refund)
            )
        missing = sorted(set(refund_ids or []) - seen)
        if recorder and missing:
            recorder.note(
                self.env._(
                    "BigCommerce has no refund %s.", ", ".join(map(str, missing))
                ),
                level="error",
            )
        self._note_summary(recorder, "refund", importer.counts, 0)
        return dict(importer.counts, missing=len(missing))

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
