import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.exceptions import UserError

from ..client import BigCommerceError, RetryableError
from ..client.client import ORDER_INCLUDES
from ..client.parsing import format_rfc2822, parse_datetime
from ..importers import order_batch
from ..importers.order import OrderImporter
from ..tools import batch, staging
from ..tools.job_retry import retry_job_on_transient_errors, run_or_keep
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation
from .bigcommerce_order_status import INCOMPLETE_STATUS, default_odoo_action

_logger = logging.getLogger(__name__)

# date_modified has second resolution and pages can tie: poll with an overlap.
POLL_OVERLAP = timedelta(minutes=5)

TAX_MODES = [
    ("odoo", "Odoo taxes (product and fiscal position)"),
    ("bigcommerce", "Follow BigCommerce"),
    ("bigcommerce_fiscal", "Follow BigCommerce, then the fiscal position"),
]


def _date_key(kwargs):
    """The order date a batch filters and pages on."""
    if kwargs.get("date_field") == "created":
        return "date_created"
    return "date_modified"


class BigcommerceInstance(models.Model):
    # analytic.mixin: the analytic distribution every imported line carries.
    _name = "bigcommerce.instance"
    _inherit = ["bigcommerce.instance", "analytic.mixin"]

    use_bigcommerce_order_number = fields.Boolean(
        string="Use BigCommerce Order Number",
        default=True,
        help="Name sale orders after the BigCommerce order number (with the "
        "prefix); otherwise Odoo's sequence names them and the number is the "
        "customer reference.",
    )
    order_prefix = fields.Char(default="BC")
    create_products = fields.Boolean(
        string="Create Odoo Products?",
        help="Create a product for an unknown SKU instead of failing the order.",
    )
    tax_mode = fields.Selection(TAX_MODES, default="bigcommerce", required=True)
    tax_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        help="Account of the taxes created from BigCommerce tax lines.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one("res.users", string="Salesperson")
    payment_term_id = fields.Many2one("account.payment.term", check_company=True)
    custom_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_custom_item", raise_if_not_found=False
        ),
        help="Product of custom (non-catalog) order lines.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_shipping", raise_if_not_found=False
        ),
    )
    handling_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_handling", raise_if_not_found=False
        ),
    )
    wrapping_product_id = fields.Many2one(
        "product.product",
        string="Gift Wrapping Product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_gift_wrapping", raise_if_not_found=False
        ),
    )
    discount_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_discount", raise_if_not_found=False
        ),
    )
    gift_certificate_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.product_gift_certificate", raise_if_not_found=False
        ),
        help="Product of sold gift certificates; give it a liability income "
        "account: a gift certificate is a debt until it is used.",
    )
    order_checkpoint = fields.Datetime(
        string="Orders Imported Up To",
        copy=False,
        help="Start of the last successful order poll; the next one asks for "
        "orders modified since then, minus a short overlap.",
    )
    import_orders_cron = fields.Boolean(string="Poll Orders", default=True)
    order_poll_interval = fields.Integer(string="Poll Orders Every (min)", default=15)
    bigcommerce_order_ids = fields.One2many(
        "bigcommerce.order", "instance_id", string="BigCommerce Orders"
    )
    order_review_count = fields.Integer(compute="_compute_order_review_count")

    def _compute_order_review_count(self):
        counts = dict(
            self.env["bigcommerce.order"]._read_group(
                [
                    ("instance_id", "in", self.ids),
                    ("state", "in", ("failed", "review")),
                ],
                ["instance_id"],
                ["__count"],
            )
        )
        for instance in self:
            instance.order_review_count = counts.get(instance, 0)

    def _status_actions(self):
        """{BigCommerce status id: what Odoo does}, from the status map.

        BigCommerce's fifteen system statuses fall back to their defaults
        while the store's statuses have not been read.
        """
        self.ensure_one()
        actions = {status_id: default_odoo_action(status_id) for status_id in range(15)}
        actions.update(
            (status.bigcommerce_id, status.odoo_action)
            for status in self.order_status_ids
        )
        actions[INCOMPLETE_STATUS] = "ignore"
        return actions

    def _eligible_status_ids(self):
        """Statuses whose orders become sale orders."""
        return {
            status_id
            for status_id, action in self._status_actions().items()
            if action == "import"
        }

    # ------------------------------------------------------------
    # Scripting API (wizard, crons, XML-RPC)
    # ------------------------------------------------------------

    @bigcommerce_admin_only
    def import_orders(self, order_ids=None, date_from=None, date_to=None, history=None):
        """Import orders by id, or modified in [date_from, date_to].

        ``history`` ("book", "reference" or None) decides what happens to the
        orders created before the go-live date (``bigcommerce_instance_golive``).

        Queues the first step of a resumable batch (channel root.bigcommerce,
        ``tools/batch.py``): each step books one page of 250 orders and queues
        the next. With the context key ``queue_job__no_delay`` every step runs
        at once. Dates are "YYYY-MM-DD HH:MM:SS" strings (UTC) or datetimes.
        """
        for instance in self:
            if instance.state != "confirmed":
                raise UserError(
                    self.env._("Confirm the instance %s first.", instance.name)
                )
            instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=self.env._("Import orders of %s", instance.name),
            )._job_import_orders(
                order_ids=[int(order_id) for order_id in order_ids or []],
                date_from=fields.Datetime.to_string(date_from) if date_from else None,
                date_to=fields.Datetime.to_string(date_to) if date_to else None,
                history=history,
            )
        return True

    @api.model
    def _cron_import_orders(self):
        return self._queue_due_polls(
            "order", lambda instance: self.env._("Poll orders of %s", instance.name)
        )

    # ------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------

    def _job_poll_orders(self, cursor=None):
        """Import what changed since the checkpoint, one page per job.

        The checkpoint moves to the start of the poll when its last page is
        booked: a poll stopped half-way resumes where it stopped.
        """
        self.ensure_one()
        if cursor is None:
            since = self.order_checkpoint and self.order_checkpoint - POLL_OVERLAP
            cursor = batch.first_cursor(
                since=format_rfc2822(since) if since else None,
                started=fields.Datetime.to_string(fields.Datetime.now()),
            )
        done = self._run_order_steps("_job_poll_orders", cursor, {})
        if done:
            # The start of the poll: what changed while it ran comes next time.
            self.order_checkpoint = fields.Datetime.to_datetime(done["started"])
        return True

    def _job_import_orders(
        self,
        order_ids=None,
        date_from=None,
        date_to=None,
        cursor=None,
        date_field=None,
        history=None,
    ):
        """Queue job: one step (one page of 250 orders) of an order import.

        Orders by id (250 ids a step), or modified in [date_from, date_to]
        (``sort=date_modified:asc``, cursor on ``date_modified``; with
        ``date_field="created"`` on ``date_created``). "Records per Job"
        makes the page smaller. The page's
        orders are booked here, without one job per order: no order payload
        (names, addresses) is ever stored as a job argument, and no request
        is spent reading an order twice.
        """
        self.ensure_one()
        kwargs = {"order_ids": order_ids, "date_to": date_to, "date_field": date_field}
        if history:
            kwargs["history"] = history
        if cursor is None:
            cursor = batch.first_cursor(
                since=format_rfc2822(fields.Datetime.to_datetime(date_from))
                if date_from
                else None
            )
        self._run_order_steps("_job_import_orders", cursor, kwargs)
        return True

    def _run_order_steps(self, method, cursor, kwargs):
        """Run the step at ``cursor`` and queue the next (inline: run them all).

        Returns the last cursor when the batch is complete, else None.
        """
        client = self._job_client()
        while True:
            with (
                retry_job_on_transient_errors(self.env),
                log_operation(self, "import_orders", "order") as recorder,
            ):
                rows, handled, error = self._import_orders_step(
                    client, cursor, recorder, **kwargs
                )
            following, seconds = batch.plan_next(
                cursor,
                rows,
                handled,
                error,
                key=None if kwargs.get("order_ids") else _date_key(kwargs),
                page_size=self._records_per_job(),
            )
            if following is None:
                return cursor
            cursor = batch.continue_or_queue(
                self,
                method,
                following,
                error,
                seconds,
                self.env._("Import orders of %s (continued)", self.name),
                kwargs,
            )
            if cursor is None:
                return None

    def _import_orders_step(
        self,
        client,
        cursor,
        recorder,
        order_ids=None,
        date_to=None,
        date_field=None,
        history=None,
    ):
        """Read one page at ``cursor`` and book its orders from its offset.

        Returns (rows, handled, error) for ``tools.batch.plan_next``. What
        the run already read is not asked again, and what this step read for
        the orders it could not book is staged for the next one
        (``tools/staging.py``).
        """
        run = cursor.get("run")
        with staging.staged_answers(self, client, run) as answers:
            rows, handled, error = self._book_orders_page(
                client, cursor, recorder, order_ids, date_to, date_field, history
            )
            offset = cursor.get("offset", 0)
            staging.settle(
                self, run, answers, rows[offset:handled], page_done=not error
            )
        return rows, handled, error

    def _book_orders_page(
        self, client, cursor, recorder, order_ids, date_to, date_field, history
    ):
        importer = OrderImporter(self, client, recorder)
        importer.history = self._history_policy(history, bool(order_ids))
        page = cursor["page"]
        size = self._records_per_job()  # "Records per Job": the page size
        if order_ids:
            rows = order_ids[(page - 1) * size : page * size]

            def handle(order_id):
                order = self._read_order(client, order_id)
                try:
                    with self.env.cr.savepoint():
                        importer.import_order(order)
                except (RetryableError, RetryableJobError, psycopg2.Error):
                    raise
                except Exception as error:  # noqa: BLE001 - kept on the record
                    _logger.exception("Import of BigCommerce order %s failed", order_id)
                    importer.give_up(order, self.env._("Unexpected error: %s", error))

            handled, error = batch.handle_rows(
                self.env, rows, cursor, handle, client=client
            )
        else:
            # By creation date ("the orders of last week") or modification.
            key = _date_key({"date_field": date_field})
            filters = {"sort": f"{key}:asc"}
            if cursor.get("since"):
                filters[f"min_{key}"] = cursor["since"]
            if date_to:
                filters[f"max_{key}"] = format_rfc2822(
                    fields.Datetime.to_datetime(date_to)
                )
            go_live = self._go_live_filter(history)
            if go_live and not (
                key == "date_created"
                and cursor.get("since")
                and parse_datetime(cursor["since"]).replace(tzinfo=None) > go_live
            ):
                # Older orders are never booked: not read either.
                filters["min_date_created"] = format_rfc2822(go_live)
            params = {
                "include": ORDER_INCLUDES,
                "consignment_structure": "object",
                **filters,
                "page": page,
                "limit": size,
            }
            # v2 answers 204 (no body) past the last page.
            rows = client.get_v2("orders", params) or []
            # New orders of the page are created as one batch.
            handled, error = order_batch.import_page(
                importer, rows, cursor.get("offset", 0)
            )
        done = rows[cursor.get("offset", 0) : handled]
        self._note_page(
            recorder, "order", [row if order_ids else row["id"] for row in done]
        )
        self._note_summary(recorder, "order", importer.counts, 0)
        if error:
            recorder.note(
                self.env._(
                    "Stopped after %(handled)s of %(count)s orders of page "
                    "%(page)s (%(error)s); resuming in %(seconds)s s.",
                    handled=handled,
                    count=len(rows),
                    page=page,
                    error=error.message,
                    seconds=batch.retry_seconds(error),
                )
            )
        return rows, handled, error

    def _job_import_order(self, order_id, force=False):
        """Queue job: import one order, read by id (Retry, scripting API).

        Only the id is stored with the job. When queue_job would give up
        (retries exhausted, or an unexpected error), the order is kept as a
        failed record with the reason instead, in the list an admin watches,
        with its Retry button.
        """
        self.ensure_one()
        client = self._job_client()
        importer = OrderImporter(self, client)
        record = run_or_keep(
            self.env,
            lambda: importer.import_order(
                self._read_order(client, order_id), force=force
            ),
            lambda reason: importer.give_up({"id": order_id}, reason),
            f"Import of BigCommerce order {order_id}",
        )
        return f"{record.display_name}: {record.state}" if record else "skipped"

    @api.model
    def _read_order(self, client, order_id):
        try:
            return client.get_order(order_id)
        except BigCommerceError as error:
            if error.status != 404:
                raise
            # Reported by the importer as a failed record.
            return {"id": int(order_id), "_missing": True}

    def _import_orders_now(
        self,
        order_ids=None,
        date_from=None,
        date_to=None,
        recorder=None,
        client=None,
        force=False,
    ):
        """Import orders in this transaction (webhook jobs, Retry inline).

        Every order is imported in its own savepoint, so one bad order never
        blocks the others.
        """
        self.ensure_one()
        client = client or self._get_client()
        importer = OrderImporter(self, client, recorder)
        for order in self._iter_bigcommerce_orders(
            client, order_ids, date_from, date_to
        ):
            try:
                with self.env.cr.savepoint():
                    record = importer.import_order(order, force=force)
            except (RetryableError, RetryableJobError, psycopg2.Error):
                raise
            except Exception as error:  # noqa: BLE001 - kept on the record
                # As the batch and by-id paths do: a failed record with the
                # reason (or, for a booked order, a failed refresh).
                _logger.exception("Import of BigCommerce order %s failed", order["id"])
                importer._forget_rolled_back()
                record = importer.give_up(
                    order, self.env._("Unexpected error: %s", error)
                )
            self._note_record(recorder, "order", order, record)
        self._note_summary(recorder, "order", importer.counts, 0)
        return dict(importer.counts)

    def _iter_bigcommerce_orders(self, client, order_ids, date_from, date_to):
        if order_ids:
            for order_id in order_ids:
                yield self._read_order(client, order_id)
            return
        filters = {"sort": "date_modified:asc"}
        if date_from:
            filters["min_date_modified"] = format_rfc2822(
                fields.Datetime.to_datetime(date_from)
            )
        if date_to:
            filters["max_date_modified"] = format_rfc2822(
                fields.Datetime.to_datetime(date_to)
            )
        if self.go_live_date:
            # Catch-ups book nothing older: they do not read it either.
            filters["min_date_created"] = format_rfc2822(self.go_live_date)
        yield from client.iter_orders(**filters)
