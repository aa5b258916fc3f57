"""Dead-man alerts per store: when imports stop, a person hears of it.

A cron (``_cron_check_health``, every 5 minutes, run by Odoo's cron workers,
not by the job runner it watches) checks every confirmed store
(``tools/dead_man.py``): no successful poll within N x its interval, the
oldest pending job older than a threshold, a 401/403 answer not followed by
a successful request. When one fires, the store's dashboard card turns red
with the reason, and one e-mail and one activity reach its responsible
person, once per incident; when all clear, a "back to normal" e-mail follows
and the activity is closed.

A 401/403 is recorded on a cursor of its own (``bigcommerce.access.refusal``,
committed at once): the job that met it fails and rolls back, the record of
why stays.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models

from ..client import AccessDeniedError, AuthenticationError
from ..tools import dead_man
from ..tools.rights import bigcommerce_admin_only
from .bigcommerce_instance_schedule import schedule_spec

_logger = logging.getLogger(__name__)

POLL_KINDS = ("order", "refund", "customer")
REFUSAL_RETENTION = timedelta(days=30)
# queue_job stores a job's recordset as a JSON text inside its jsonb column.
RECORDS_JSON = (
    "CASE jsonb_typeof(records) WHEN 'string' THEN (records #>> '{}')::jsonb "
    "ELSE records END"
)
ALERT_STATES = [("ok", "Running"), ("alert", "Stopped")]


class BigcommerceAccessRefusal(models.Model):
    """A 401/403 answer of BigCommerce, kept whatever the job did next.

    ``instance_id`` is a plain integer on purpose: the row is written by a
    transaction of its own, which must neither wait on the instance row the
    failing job may hold nor depend on seeing it.
    """

    _name = "bigcommerce.access.refusal"
    _description = "BigCommerce access refused (401/403)"
    _order = "refused_at desc, id desc"

    instance_id = fields.Integer(required=True, index=True, readonly=True)
    refused_at = fields.Datetime(required=True, readonly=True)
    status = fields.Integer(readonly=True)
    message = fields.Char(readonly=True)


def _watch_access(instance, client):
    """Record the client's 401/403 answers apart; note the first success after."""
    request = client.request
    registry = instance.env.registry
    instance_id = instance.id
    pending = {"recovery": instance._access_refused_facts() is not None}

    def watched(method, version, path, **kwargs):
        try:
            result = request(method, version, path, **kwargs)
        except (AuthenticationError, AccessDeniedError) as error:
            message = instance._explain_api_error(error)
            try:
                with registry.cursor() as cr:
                    cr.execute(
                        "INSERT INTO bigcommerce_access_refusal "
                        "(instance_id, refused_at, status, message, create_date, "
                        "write_date) VALUES (%s, date_trunc('second', now() at "
                        "time zone 'UTC'), %s, %s, "
                        "now() at time zone 'UTC', now() at time zone 'UTC')",
                        [instance_id, error.status, message[:500]],
                    )
            except Exception:  # noqa: BLE001 - the job's own error matters more
                _logger.exception("Could not record BigCommerce's refusal")
            pending["recovery"] = True
            raise
        if pending["recovery"]:
            pending["recovery"] = False
            instance.sudo().access_ok_at = fields.Datetime.now()
        return result

    client.request = watched
    return client


class BigcommerceInstance(models.Model):
    _name = "bigcommerce.instance"
    # Activities need a thread; the store's chatter stays quiet (no tracked
    # field), the activity is what reaches the responsible person.
    _inherit = ["bigcommerce.instance", "mail.thread", "mail.activity.mixin"]

    confirmed_at = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the store was confirmed: polls are expected from then on.",
    )
    alert_poll_factor = fields.Integer(
        string="Alert After (x Poll Interval)",
        default=3,
        help="Alert when a poll has not succeeded within this many of its "
        "intervals.",
    )
    alert_job_age = fields.Integer(
        string="Alert on Jobs Waiting (min)",
        default=60,
        help="Alert when a job of this store has been waiting longer than "
        "this (a stopped job runner, a backlog).",
    )
    alert_state = fields.Selection(
        ALERT_STATES, default="ok", required=True, readonly=True, copy=False
    )
    alert_reason = fields.Text(readonly=True, copy=False)
    alert_since = fields.Datetime(readonly=True, copy=False)
    access_ok_at = fields.Datetime(
        string="Access Accepted Again On",
        readonly=True,
        copy=False,
        help="First successful request after BigCommerce refused access.",
    )

    dashboard_job_pending_count = fields.Integer(
        string="Jobs Waiting", compute="_compute_dashboard_jobs"
    )
    dashboard_job_failed_count = fields.Integer(
        string="Jobs Failed", compute="_compute_dashboard_jobs"
    )

    _alert_thresholds_check = models.Constraint(
        "CHECK(alert_poll_factor >= 2 AND alert_job_age >= 5)",
        "Alerts need at least 2 poll intervals and 5 minutes of waiting jobs.",
    )

    @bigcommerce_admin_only
    def action_confirm(self):
        drafts = self.filtered(lambda instance: instance.state == "draft")
        result = super().action_confirm()
        drafts.confirmed_at = fields.Datetime.now()
        return result

    def _get_client(self, *args, **kwargs):
        return _watch_access(self, super()._get_client(*args, **kwargs))

    # ------------------------------------------------------------
    # Facts
    # ------------------------------------------------------------

    def _access_refused_facts(self):
        """(when, status, message) of a refusal not followed by a success."""
        self.ensure_one()
        # Read on a cursor of its own: refusals are committed by other
        # transactions at any time, and this one's snapshot (REPEATABLE
        # READ) may predate them.
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                SELECT refused_at, status, message
                  FROM bigcommerce_access_refusal
                 WHERE instance_id = %s
                 ORDER BY refused_at DESC, id DESC
                 LIMIT 1
                """,
                [self.id],
            )
            refusal = cr.fetchone()
        if not refusal:
            return None
        ok = self.sudo().access_ok_at
        if ok and ok >= refusal[0]:
            return None
        return tuple(refusal)

    def _oldest_pending_job(self):
        """(date created, description) of this store's oldest waiting job."""
        self.ensure_one()
        self.env["queue.job"].flush_model()
        self.env.cr.execute(
            f"""
            SELECT date_created, name
              FROM queue_job
             WHERE state IN ('pending', 'enqueued')
               AND model_name = 'bigcommerce.instance'
               AND ({RECORDS_JSON}) -> 'ids' @> to_jsonb(%s::int)
             ORDER BY date_created
             LIMIT 1
            """,
            [self.id],
        )
        row = self.env.cr.fetchone()
        return tuple(row) if row else None

    def _compute_dashboard_jobs(self):
        counts = {}
        if self.ids:
            self.env["queue.job"].flush_model()
            self.env.cr.execute(
                f"""
                SELECT record_id, state, count(*)
                  FROM (SELECT state, jsonb_array_elements_text(
                               ({RECORDS_JSON}) -> 'ids')::int AS record_id
                          FROM queue_job
                         WHERE model_name = 'bigcommerce.instance'
                           AND state IN ('pending', 'enqueued', 'failed')) jobs
                 WHERE record_id = ANY(%s)
                 GROUP BY record_id, state
                """,
                [self.ids],
            )
            for record_id, state, count in self.env.cr.fetchall():
                key = (record_id, "failed" if state == "failed" else "pending")
                counts[key] = counts.get(key, 0) + count
        for instance in self:
            instance.dashboard_job_pending_count = counts.get(
                (instance.id, "pending"), 0
            )
            instance.dashboard_job_failed_count = counts.get((instance.id, "failed"), 0)

    def _health_facts(self, now):
        self.ensure_one()
        polls = []
        for kind in POLL_KINDS:
            spec = schedule_spec(kind)
            if spec["switch"] not in self._fields or not self[spec["switch"]]:
                continue
            polls.append(
                dead_man.PollFacts(
                    kind=kind,
                    last_success=self[spec["checkpoint"]] or self.confirmed_at or None,
                    interval=self._schedule_interval(kind),
                )
            )
        return dead_man.StoreFacts(
            now=now,
            factor=self.alert_poll_factor,
            job_age=timedelta(minutes=self.alert_job_age),
            polls=polls,
            oldest_job=self._oldest_pending_job(),
            refused=self._access_refused_facts(),
        )

    def _describe_problem(self, problem):
        kinds = {
            "order": self.env._("orders"),
            "refund": self.env._("refunds"),
            "customer": self.env._("customers"),
        }
        if problem.kind == "poll":
            return self.env._(
                "No successful poll of %(kind)s since %(since)s (expected every "
                "%(interval)s): check the job runner and the store's logs.",
                kind=kinds[problem.subject],
                since=problem.since,
                interval=problem.detail,
            )
        if problem.kind == "jobs":
            return self.env._(
                "A job has been waiting since %(since)s (%(job)s): is the job "
                "runner (queue_job) running, or is there a backlog?",
                since=problem.since,
                job=problem.subject,
            )
        return self.env._(
            "BigCommerce refused access (%(status)s) on %(since)s: %(message)s",
            status=problem.subject,
            since=problem.since,
            message=problem.detail,
        )

    # ------------------------------------------------------------
    # Check and notify
    # ------------------------------------------------------------

    @api.model
    def _cron_check_health(self):
        instances = self.search(
            [("state", "=", "confirmed"), ("disconnected", "=", False)]
        )
        instances._check_health()
        # Only the latest refusal of a store matters; keep a month for audit.
        self.env.cr.execute(
            "DELETE FROM bigcommerce_access_refusal WHERE refused_at < %s",
            [fields.Datetime.now() - REFUSAL_RETENTION],
        )
        return True

    def _check_health(self, now=None):
        """Evaluate the dead-man triggers; alert or recover once per incident."""
        now = now or fields.Datetime.now()
        for instance in self:
            found = dead_man.problems(instance._health_facts(now))
            reason = "\n".join(instance._describe_problem(p) for p in found)
            if found and instance.alert_state == "ok":
                instance.write(
                    {"alert_state": "alert", "alert_reason": reason, "alert_since": now}
                )
                instance._send_health_mail(stopped=True)
                instance._open_health_activity()
            elif found:
                instance.alert_reason = reason  # same incident: no new e-mail
            elif instance.alert_state == "alert":
                instance._send_health_mail(stopped=False)
                instance._close_health_activity()
                instance.write(
                    {"alert_state": "ok", "alert_reason": False, "alert_since": False}
                )

    def _health_recipients(self):
        partners = self.notify_user_id.partner_id | self.notify_partner_ids
        return partners.filtered("email")

    def _send_health_mail(self, stopped):
        self.ensure_one()
        recipients = self._health_recipients()
        if not recipients:
            return
        template = self.env.ref("bigcommerce_connector.mail_template_bigcommerce_alert")
        template.with_context(bigcommerce_stopped=stopped).send_mail(
            self.id,
            email_values={"recipient_ids": [(6, 0, recipients.ids)]},
        )

    def _health_activity_type(self):
        return self.env.ref(
            "bigcommerce_connector.mail_activity_type_bigcommerce_alert",
            raise_if_not_found=False,
        )

    def _open_health_activity(self):
        activity_type = self._health_activity_type()
        if not activity_type:
            return
        # quick_update: no "activity assigned" e-mail on top of the alert's.
        self.sudo().with_context(mail_activity_quick_update=True).activity_schedule(
            activity_type_id=activity_type.id,
            summary=self.env._("BigCommerce store %s stopped", self.name),
            note=self.alert_reason,
            user_id=(self.notify_user_id or self.env.user).id,
        )

    def _close_health_activity(self):
        activity_type = self._health_activity_type()
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        if activities:
            activities.write({"feedback": self.env._("Back to normal")})
            activities.action_archive()
