"""Notifications & Alerts: an activity per failed record, an e-mail per run.

An order, refund, webhook event (or export) that enters a failure state gets
one activity for the store's responsible user, never a second while one is
open; the activity is closed (archived, as Odoo's "mark as done" does) when
the record leaves the failure state. After an import or export run that had
failures (or after every run, if asked), one summary e-mail goes to the
store's recipients through a ``mail.template`` and Odoo's mail queue.
"""

import weakref
from datetime import timedelta

from odoo import api, fields, models

# Record model -> states that need a person.
FAILURE_STATES = {
    "bigcommerce.order": ("failed", "review"),
    "bigcommerce.refund": ("error",),
    "bigcommerce.webhook.event": ("failed",),
    # The outbound half's export rows (wired to the mixin where they exist).
    "bigcommerce.shipment.export": ("failed",),
    "bigcommerce.order.export": ("failed",),
    "bigcommerce.listing.export": ("failed",),
    "bigcommerce.delivery.invoice": ("failed",),
}
# Runs that send a summary (operation prefixes of bigcommerce.log).
SUMMARY_OPERATIONS = ("import_", "export_", "retry_", "check_webhooks", "reconcile")
# Failed records listed in one e-mail; the rest are counted.
SUMMARY_MAX_LINES = 50
# Per cursor: {(model, record id): instance id} of the records that failed in
# the current transaction. Neither the cursor's cache nor precommit data fit:
# Odoo clears them on every savepoint rollback and flush.
_RUN_FAILURES = weakref.WeakKeyDictionary()


def _run_failures(cr):
    failures = _RUN_FAILURES.get(cr)
    if failures is None:
        failures = _RUN_FAILURES[cr] = {}

        def forget():
            _RUN_FAILURES.pop(cr, None)

        cr.postcommit.add(forget)
        cr.postrollback.add(forget)
    return failures


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    notify_activity = fields.Boolean(
        string="Activity on Failure",
        default=True,
        help="Schedule an activity on each record that fails (one per record "
        "while it is open), closed when the record is fixed.",
    )
    notify_activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        default=lambda self: self.env.ref(
            "bigcommerce_connector.mail_activity_type_bigcommerce_failure",
            raise_if_not_found=False,
        ),
    )
    notify_activity_days = fields.Integer(string="Due in (days)", default=1)
    notify_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self._default_notify_user(),
        help="Who is assigned the activities of this store's failures.",
    )
    notify_email = fields.Boolean(
        string="E-mail Summary",
        help="After each import or export run with failures, send one summary.",
    )
    notify_every_run = fields.Boolean(
        string="Also Without Failures",
        help="Send the summary after every run, not only those with failures.",
    )
    notify_partner_ids = fields.Many2many(
        "res.partner",
        "bigcommerce_instance_notify_partner_rel",
        "instance_id",
        "partner_id",
        string="Recipients",
    )

    @api.model
    def _default_notify_user(self):
        """The creator; a store made by a script or the installer (the
        superuser, OdooBot) gets the administrator: nobody reads OdooBot's
        activities."""
        user = self.env.user
        if user._is_superuser():
            user = self.env.ref("base.user_admin", raise_if_not_found=False) or user
        return user

    # ------------------------------------------------------------
    # Activities
    # ------------------------------------------------------------

    def _bigcommerce_failure_activities(self, records):
        """Open an activity on each failed record, close those of fixed ones.

        ``records`` all belong to this instance. Also notes the failures of
        the current run (see ``_bigcommerce_run_closed``).
        """
        self.ensure_one()
        failure_states = FAILURE_STATES[records._name]
        failed = records.filtered(lambda record: record.state in failure_states)
        fixed = records - failed
        run_failures = _run_failures(self.env.cr)
        for record in failed:
            run_failures[(records._name, record.id)] = self.id
        activity_type = self.notify_activity_type_id
        if not activity_type:
            return
        open_activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
        )
        has_open = set(open_activities.mapped("res_id"))
        fixed_activities = open_activities.filtered(lambda a: a.res_id in fixed.ids)
        if fixed_activities:
            fixed_activities.write({"feedback": self.env._("Fixed")})
            fixed_activities.action_archive()
        if not self.notify_activity:
            return
        deadline = fields.Date.context_today(self) + timedelta(
            days=self.notify_activity_days
        )
        for record in failed.filtered(lambda r: r.id not in has_open):
            record.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                date_deadline=deadline,
                summary=self.env._("BigCommerce: %s", record.display_name),
                note=record._bigcommerce_failure_reason(),
                user_id=(self.notify_user_id or self.env.user).id,
            )

    # ------------------------------------------------------------
    # E-mail summary
    # ------------------------------------------------------------

    def _bigcommerce_run_closed(self, operation, entity, state, counts, message):
        """Called by ``log_operation`` when a run ends: send its summary."""
        self.ensure_one()
        run_failures = _run_failures(self.env.cr)
        keys = [
            key for key, instance_id in run_failures.items() if instance_id == self.id
        ]
        for key in keys:
            del run_failures[key]
        if not self.notify_email or not self.notify_partner_ids:
            return
        if not operation.startswith(SUMMARY_OPERATIONS):
            return
        failed_records = []
        for model, record_id in keys:
            record = self.env[model].browse(record_id).exists()
            if record and record.state in FAILURE_STATES[model]:
                failed_records.append(record)
        failed = max(counts.get("failed_count", 0), len(failed_records))
        if not failed and state != "failed" and not self.notify_every_run:
            return
        self._bigcommerce_send_summary(
            {
                "operation": operation,
                "entity": entity or "",
                "state": state,
                "created": counts.get("created_count", 0),
                "updated": counts.get("updated_count", 0),
                "skipped": counts.get("skipped_count", 0),
                "failed": failed,
                "message": message or "",
                "records": [
                    {
                        "name": record.display_name,
                        "reason": record._bigcommerce_failure_reason(),
                        "url": f"/odoo/{record._name}/{record.id}",
                    }
                    for record in failed_records[:SUMMARY_MAX_LINES]
                ],
                "more": max(0, len(failed_records) - SUMMARY_MAX_LINES),
            }
        )

    def _bigcommerce_send_summary(self, run=None, reconciliation=None):
        """Queue one summary e-mail (Odoo's mail queue) to the recipients."""
        self.ensure_one()
        template = self.env.ref(
            "bigcommerce_connector.mail_template_bigcommerce_summary"
        )
        return template.with_context(
            bigcommerce_run=run, bigcommerce_reconciliation=reconciliation
        ).send_mail(
            self.id,
            email_values={"recipient_ids": [(6, 0, self.notify_partner_ids.ids)]},
        )

    def _bigcommerce_attention_summary(self):
        """Counters of the dashboard, for the e-mail (one grouped read each)."""
        self.ensure_one()
        return {
            "orders": self.dashboard_order_attention_count,
            "refunds": self.dashboard_refund_error_count,
            "events": self.dashboard_event_failed_count,
            "exports": self.dashboard_export_failed_count,
        }


class BigcommerceFailureActivityMixin(models.AbstractModel):
    """Records with a failure state: an activity while they need a person."""

    _name = "bigcommerce.failure.activity.mixin"
    # Activities need a thread (assignees follow the record); the thread is
    # kept silent: no creation message, no follower per imported record.
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "BigCommerce record that can fail"

    def _bigcommerce_failure_reason(self):
        self.ensure_one()
        for name in ("failure_reason", "message", "error"):
            if name in self._fields and self[name]:
                return self[name]
        return ""

    def _bigcommerce_track_failures(self):
        for instance, records in self.grouped("instance_id").items():
            instance._bigcommerce_failure_activities(records)

    @api.model_create_multi
    def create(self, vals_list):
        records = super(
            BigcommerceFailureActivityMixin,
            self.with_context(
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
                tracking_disable=True,
            ),
        ).create(vals_list)
        records = records.with_env(self.env)
        failure_states = FAILURE_STATES.get(self._name, ())
        records.filtered(
            lambda r: r.state in failure_states
        )._bigcommerce_track_failures()
        return records

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self._bigcommerce_track_failures()
        return result


class BigcommerceOrder(models.Model):
    _name = "bigcommerce.order"
    _inherit = ["bigcommerce.order", "bigcommerce.failure.activity.mixin"]


class BigcommerceRefund(models.Model):
    _name = "bigcommerce.refund"
    _inherit = ["bigcommerce.refund", "bigcommerce.failure.activity.mixin"]


class BigcommerceWebhookEvent(models.Model):
    _name = "bigcommerce.webhook.event"
    _inherit = ["bigcommerce.webhook.event", "bigcommerce.failure.activity.mixin"]
