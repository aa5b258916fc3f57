"""Reconciliation report: BigCommerce's orders and refunds of a period
against the invoices and credit notes Odoo posted for them.

BigCommerce is read through its list pages only (250 orders or refunds per
request, never a request per order); each page is compared with one read of
its Odoo bindings. The report advances page by page and keeps its cursor, so
a large period is resumable: the weekly job does a bounded number of pages
per run and queues the next step; ``reconcile()`` (scripting API, the button)
runs every step at once.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from ..client import BigCommerceError
from ..client.parsing import format_iso8601, format_rfc2822, parse_money
from ..importers import order_edit
from ..tools.job_retry import retry_job_on_transient_errors
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_log import log_operation

PAGE_SIZE = 250
# Pages one job step reads (about 10 requests: well inside the quota).
PAGES_PER_STEP = 10
# BigCommerce statuses whose orders must not be booked in Odoo.
CANCELLED_STATUSES = (5, 6)

DIFFERENCES = [
    ("missing", "Missing in Odoo"),
    ("amount", "Amount Differs"),
    ("extra", "Cancelled in BigCommerce"),
    # Not drift: what the connector booked after the sale (issue 23), told
    # apart so that a true difference stands out.
    ("edited", "Edited After Invoicing, Booked"),
    ("unrecorded", "Refunded Without a Record"),
]


class BigcommerceReconciliation(models.Model):
    _name = "bigcommerce.reconciliation"
    _description = "BigCommerce reconciliation report"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    instance_id = fields.Many2one(
        "bigcommerce.instance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="instance_id.company_id", store=True)
    date_from = fields.Datetime(required=True, readonly=True)
    date_to = fields.Datetime(required=True, readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")],
        default="running",
        required=True,
        readonly=True,
    )
    phase = fields.Selection(
        [("orders", "Orders"), ("refunds", "Refunds"), ("done", "Done")],
        default="orders",
        required=True,
        readonly=True,
    )
    next_page = fields.Integer(default=1, readonly=True)
    order_count = fields.Integer(string="BigCommerce Orders", readonly=True)
    refund_count = fields.Integer(string="BigCommerce Refunds", readonly=True)
    totals = fields.Text(
        string="BigCommerce Totals",
        readonly=True,
        help="Per currency: orders' total_inc_tax and refunds' total_amount.",
    )
    line_ids = fields.One2many(
        "bigcommerce.reconciliation.line", "reconciliation_id", string="Differences"
    )
    difference_count = fields.Integer(compute="_compute_difference_count", store=True)

    @api.depends("instance_id.name", "date_from", "date_to")
    def _compute_name(self):
        for report in self:
            report.name = (
                f"{report.instance_id.name} "
                f"{fields.Date.to_string(report.date_from)} - "
                f"{fields.Date.to_string(report.date_to)}"
            )

    @api.depends("line_ids.difference", "line_ids.odoo_amount")
    def _compute_difference_count(self):
        # Edits booked and refunds without a record already credited are
        # listed, not counted: they are not drift.
        for report in self:
            report.difference_count = len(
                report.line_ids.filtered(lambda line: line._is_drift())
            )

    # ------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------

    def _page_size(self):
        # A smaller page and step (context) let a test walk a period in steps.
        return self.env.context.get("bigcommerce_reconcile_page_size", PAGE_SIZE)

    def _run_step(self, client, max_pages=None):
        """Compare up to ``max_pages`` pages; return True when the report is done."""
        self.ensure_one()
        max_pages = max_pages or self.env.context.get(
            "bigcommerce_reconcile_pages_per_step", PAGES_PER_STEP
        )
        totals = dict(self._parse_totals())
        for _page in range(max_pages):
            if self.phase == "orders":
                rows = self._order_page(client)
                self._compare_orders(rows, totals)
                self.order_count += len(rows)
            elif self.phase == "refunds":
                rows = self._refund_page(client)
                self._compare_refunds(rows, totals)
                self.refund_count += len(rows)
            else:
                break
            if len(rows) < self._page_size():
                self.write(
                    {
                        "phase": "refunds" if self.phase == "orders" else "done",
                        "next_page": 1,
                    }
                )
            else:
                self.next_page += 1
        self.totals = "\n".join(
            f"{currency}: {kind} {amount}"
            for (currency, kind), amount in sorted(totals.items())
        )
        if self.phase == "done":
            self.state = "done"
        return self.state == "done"

    def _parse_totals(self):
        for line in (self.totals or "").splitlines():
            currency, rest = line.split(": ", 1)
            kind, amount = rest.rsplit(" ", 1)
            yield (currency, kind), parse_money(amount)

    def _order_page(self, client):
        params = {
            "min_date_created": format_rfc2822(self.date_from),
            "max_date_created": format_rfc2822(self.date_to),
            "sort": "id:asc",
            "page": self.next_page,
            "limit": self._page_size(),
        }
        return client.get_v2("orders", params) or []

    def _refund_page(self, client):
        params = {
            "created:min": format_iso8601(self.date_from),
            "created:max": format_iso8601(self.date_to),
            "page": self.next_page,
            "limit": self._page_size(),
        }
        body = client.request(
            "GET", "v3", "orders/payment_actions/refunds", params=params
        )
        return (body or {}).get("data") or []

    def _currency(self, code):
        return (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
            or self.instance_id.currency_id
            or self.company_id.currency_id
        )

    def _line(
        self, record_type, bigcommerce_id, difference, currency, bc, odoo, note=""
    ):
        return {
            "reconciliation_id": self.id,
            "record_type": record_type,
            "bigcommerce_id": bigcommerce_id,
            "difference": difference,
            "currency_id": currency.id,
            "bigcommerce_amount": bc,
            "odoo_amount": odoo,
            "note": note,
        }

    def _compare_orders(self, orders, totals):
        if not orders:
            return
        instance = self.instance_id
        eligible = instance._eligible_status_ids()
        bindings = {
            record.bigcommerce_id: record
            for record in self.env["bigcommerce.order"].search_fetch(
                [
                    ("instance_id", "=", instance.id),
                    ("bigcommerce_id", "in", [order["id"] for order in orders]),
                ],
                [
                    "bigcommerce_id",
                    "invoice_id",
                    "state",
                    "failure_reason",
                    "unrecorded_refund_amount",
                ],
            )
        }
        lines = []
        for order in orders:
            code = order.get("currency_code") or order.get("default_currency_code")
            currency = self._currency(code)
            amount = float(parse_money(order.get("total_inc_tax")))
            record = bindings.get(order["id"])
            invoice = record.invoice_id if record else self.env["account.move"]
            booked = invoice.state == "posted"
            # The invoice and the edits booked after it (importers/order_edit.py).
            odoo_amount = order_edit.booked_total(record) if booked else 0.0
            status = order.get("status_id")
            if status in CANCELLED_STATUSES:
                if booked:
                    lines.append(
                        self._line(
                            "order",
                            order["id"],
                            "extra",
                            currency,
                            amount,
                            odoo_amount,
                            order.get("status") or "",
                        )
                    )
                continue
            if status not in eligible:
                continue
            key = (currency.name, "orders")
            totals[key] = totals.get(key, 0) + parse_money(order.get("total_inc_tax"))
            if not booked:
                lines.append(
                    self._line(
                        "order",
                        order["id"],
                        "missing",
                        currency,
                        amount,
                        0.0,
                        record.failure_reason or "" if record else "",
                    )
                )
            elif float_compare(
                amount, odoo_amount, precision_rounding=currency.rounding
            ):
                lines.append(
                    self._line(
                        "order",
                        order["id"],
                        "amount",
                        currency,
                        amount,
                        odoo_amount,
                        record.failure_reason or "" if record.state == "review" else "",
                    )
                )
            elif record.edit_ids:
                lines.append(
                    self._line(
                        "order",
                        order["id"],
                        "edited",
                        currency,
                        amount,
                        odoo_amount,
                        "; ".join(filter(None, record.edit_ids.mapped("summary"))),
                    )
                )
            if booked:
                lines.extend(self._unrecorded_refund_lines(order, record, currency))
        self.env["bigcommerce.reconciliation.line"].create(lines)

    def _unrecorded_refund_lines(self, order, record, currency):
        """Money BigCommerce refunded without a refund record: flagged (not
        credited yet) or credited (importers/refund_unrecorded.py)."""
        lines = []
        refunded = float(parse_money(order.get("refunded_amount")))
        credited = record.unrecorded_refund_ids.credit_note_id.filtered(
            lambda move: move.state == "posted"
        )
        if credited:
            lines.append(
                self._line(
                    "order",
                    order["id"],
                    "unrecorded",
                    currency,
                    refunded,
                    sum(credited.mapped("amount_total")),
                    self.env._("credited by %s", ", ".join(credited.mapped("name"))),
                )
            )
        if record.unrecorded_refund_amount:
            lines.append(
                self._line(
                    "order",
                    order["id"],
                    "unrecorded",
                    currency,
                    record.unrecorded_refund_amount,
                    0.0,
                    self.env._("not credited yet: Book Credit Note on the order"),
                )
            )
        return lines

    def _compare_refunds(self, refunds, totals):
        if not refunds:
            return
        instance = self.instance_id
        bindings = {
            record.bigcommerce_id: record
            for record in self.env["bigcommerce.refund"].search_fetch(
                [
                    ("instance_id", "=", instance.id),
                    ("bigcommerce_id", "in", [refund["id"] for refund in refunds]),
                ],
                ["bigcommerce_id", "credit_note_id", "state", "currency_id", "message"],
            )
        }
        orders = {
            record.bigcommerce_id: record
            for record in self.env["bigcommerce.order"].search_fetch(
                [
                    ("instance_id", "=", instance.id),
                    (
                        "bigcommerce_id",
                        "in",
                        [refund["order_id"] for refund in refunds],
                    ),
                ],
                ["bigcommerce_id", "currency_id"],
            )
        }
        lines = []
        for refund in refunds:
            record = bindings.get(refund["id"])
            order = orders.get(refund.get("order_id"))
            currency = (
                (record and record.currency_id)
                or (order and order.currency_id)
                or self.instance_id.currency_id
                or self.company_id.currency_id
            )
            amount = float(parse_money(refund.get("total_amount")))
            key = (currency.name, "refunds")
            totals[key] = totals.get(key, 0) + parse_money(refund.get("total_amount"))
            credit_note = record.credit_note_id if record else self.env["account.move"]
            if credit_note.state != "posted":
                lines.append(
                    self._line(
                        "refund",
                        refund["id"],
                        "missing",
                        currency,
                        amount,
                        0.0,
                        record.message or "" if record else "",
                    )
                )
            elif float_compare(
                amount, credit_note.amount_total, precision_rounding=currency.rounding
            ):
                lines.append(
                    self._line(
                        "refund",
                        refund["id"],
                        "amount",
                        currency,
                        amount,
                        credit_note.amount_total,
                    )
                )
        self.env["bigcommerce.reconciliation.line"].create(lines)

    def _summary(self):
        self.ensure_one()
        lines = self.line_ids
        return {
            "name": self.name,
            "count": self.difference_count,
            "missing": len(lines.filtered(lambda line: line.difference == "missing")),
            "amount": len(lines.filtered(lambda line: line.difference == "amount")),
            "extra": len(lines.filtered(lambda line: line.difference == "extra")),
            "edited": len(lines.filtered(lambda line: line.difference == "edited")),
            "unrecorded": len(
                lines.filtered(lambda line: line.difference == "unrecorded")
            ),
            "url": f"/odoo/bigcommerce.reconciliation/{self.id}",
        }

    def action_print(self):
        return self.env.ref(
            "bigcommerce_connector.action_report_bigcommerce_reconciliation"
        ).report_action(self)


class BigcommerceReconciliationLine(models.Model):
    _name = "bigcommerce.reconciliation.line"
    _description = "BigCommerce reconciliation difference"
    _order = "record_type, bigcommerce_id"

    reconciliation_id = fields.Many2one(
        "bigcommerce.reconciliation", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="reconciliation_id.company_id", store=True)
    record_type = fields.Selection(
        [("order", "Order"), ("refund", "Refund")], required=True, readonly=True
    )
    bigcommerce_id = fields.Integer(
        string="BigCommerce ID", required=True, readonly=True
    )
    difference = fields.Selection(DIFFERENCES, required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    bigcommerce_amount = fields.Monetary(readonly=True)
    odoo_amount = fields.Monetary(string="Odoo Amount", readonly=True)
    note = fields.Char(readonly=True)

    def _is_drift(self):
        """A difference someone must look at: not an edit the connector
        booked, nor money refunded without a record that it credited."""
        self.ensure_one()
        if self.difference == "edited":
            return False
        return not (self.difference == "unrecorded" and self.odoo_amount)


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    reconcile_cron = fields.Boolean(
        string="Weekly Reconciliation",
        default=True,
        help="Reconcile the last interval's orders and refunds, keep the "
        "report and e-mail it to the recipients when it finds differences.",
    )
    reconcile_interval = fields.Integer(string="Reconcile Every", default=1)
    reconcile_interval_unit = fields.Selection(
        [("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks")],
        string="Reconciliation Unit",
        default="weeks",
        required=True,
    )
    reconciliation_checkpoint = fields.Datetime(
        string="Reconciled Up To", copy=False, readonly=True
    )
    reconciliation_ids = fields.One2many(
        "bigcommerce.reconciliation", "instance_id", string="Reconciliations"
    )

    _reconcile_interval_check = models.Constraint(
        "CHECK(reconcile_interval >= 1)", "The reconciliation interval is at least 1."
    )

    @bigcommerce_admin_only
    def reconcile(self, date_from, date_to):
        """Reconcile the orders and refunds created in [date_from, date_to].

        Scripting API: returns the ``bigcommerce.reconciliation`` record (its
        differences in ``line_ids``). Reads every page at once, waiting for
        the quota like an interactive call.
        """
        self.ensure_one()
        if self.state != "confirmed":
            raise UserError(self.env._("Confirm the instance %s first.", self.name))
        report = self.env["bigcommerce.reconciliation"].create(
            {
                "instance_id": self.id,
                "date_from": fields.Datetime.to_datetime(date_from),
                "date_to": fields.Datetime.to_datetime(date_to),
            }
        )
        client = self._get_client()
        with log_operation(self, "reconcile", "reconciliation") as recorder:
            try:
                while not report._run_step(client):
                    pass
            except BigCommerceError as error:
                raise UserError(self._explain_api_error(error)) from None
            recorder.add_counts(failed=report.difference_count)
        return report

    @bigcommerce_admin_only
    def action_reconcile_last_week(self):
        self.ensure_one()
        now = fields.Datetime.now()
        report = self.reconcile(now - self._schedule_interval("reconciliation"), now)
        return {
            "type": "ir.actions.act_window",
            "res_model": "bigcommerce.reconciliation",
            "res_id": report.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_reconcile(self):
        return self._queue_due_polls(
            "reconciliation",
            lambda instance: self.env._("Reconcile %s", instance.name),
        )

    def _job_reconcile(self, report_id=None):
        """Queue job: one bounded step of the periodic report; queue the next."""
        self.ensure_one()
        reports = self.env["bigcommerce.reconciliation"]
        if report_id:
            report = reports.browse(report_id).exists()
            if not report or report.state == "done":
                return "nothing to do"
        else:
            now = fields.Datetime.now()
            start = self.reconciliation_checkpoint or (
                now - self._schedule_interval("reconciliation")
            )
            report = reports.create(
                {"instance_id": self.id, "date_from": start, "date_to": now}
            )
            self.reconciliation_checkpoint = now
        with retry_job_on_transient_errors(self.env):
            done = report._run_step(self._job_client())
        if not done:
            self.with_delay(
                channel=self._queue_channel(),
                description=self.env._("Reconcile %s (continued)", self.name),
                identity_key=f"bigcommerce-reconcile-{report.id}-{report.next_page}-{report.phase}",
            )._job_reconcile(report_id=report.id)
            return f"{report.name}: continues at {report.phase} page {report.next_page}"
        if report.difference_count and self.notify_partner_ids:
            self._bigcommerce_send_summary(reconciliation=report._summary())
        return f"{report.name}: {report.difference_count} differences"
