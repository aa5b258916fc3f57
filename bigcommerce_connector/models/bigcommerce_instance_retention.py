"""How long the connector keeps what it writes about its runs.

Operation logs, webhook events and done jobs tell what happened to which
order or customer; every BigCommerce User reads them. They are kept
``retention_days`` (default 90) and then removed by the daily cron
"BigCommerce: retention" (bounded per run, like Odoo's own autovacuum):

- logs (``bigcommerce.log``) started before the period;
- webhook events processed (done, ignored) before it; a failed event stays
  until a person retries it (it needs one);
- done or cancelled jobs of the BigCommerce channel: the shortest period of
  the stores decides (jobs are per channel, not per store), and the
  channel's ``removal_interval`` is set to it, so that queue_job's own
  garbage collector agrees.

Texts a User reads (log lines, job results, event results) name records by
ids and BigCommerce numbers, never by a customer's name.
"""

from datetime import timedelta

from odoo import api, fields, models

DEFAULT_RETENTION_DAYS = 90
# BigCommerce redelivers a callback for about 48 hours: a processed event is
# kept at least that long (its webhook-id recognises the redelivery).
MIN_RETENTION_DAYS = 3
# Rows removed per model and run: a first run on a large history is spread
# over a few days instead of one long transaction.
PURGE_BATCH = 10000
CHANNEL_XMLID = "bigcommerce_connector.queue_job_channel_bigcommerce"


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    retention_days = fields.Integer(
        string="Keep Logs and Events (days)",
        default=DEFAULT_RETENTION_DAYS,
        required=True,
        help="Operation logs, processed webhook events and done jobs older "
        "than this are removed by the daily retention cron. Jobs are shared by "
        "every store: the shortest period of the stores applies to them.",
    )

    _retention_days_min = models.Constraint(
        f"CHECK(retention_days >= {MIN_RETENTION_DAYS})",
        f"Logs and events are kept at least {MIN_RETENTION_DAYS} days "
        "(BigCommerce redelivers a webhook for two days).",
    )

    @api.model
    def _cron_apply_retention(self):
        """Remove what is older than each store's retention period."""
        # Every store, archived ones too: their logs age as well.
        instances = self.with_context(active_test=False).search(
            [("retention_days", ">", 0)]
        )
        for instance in instances:
            cutoff = fields.Datetime.now() - timedelta(days=instance.retention_days)
            self.env["bigcommerce.log"].sudo().search(
                [("instance_id", "=", instance.id), ("started_at", "<", cutoff)],
                limit=PURGE_BATCH,
            ).unlink()
            instance._purge_webhook_events()
        if instances:
            self._purge_done_jobs(min(instances.mapped("retention_days")))
        return True

    def _purge_webhook_events(self):
        """Processed events older than the retention period (failed ones stay)."""
        self.ensure_one()
        cutoff = fields.Datetime.now() - timedelta(days=self.retention_days)
        self.env["bigcommerce.webhook.event"].sudo().search(
            [
                ("instance_id", "=", self.id),
                ("state", "in", ("done", "ignored")),
                ("received_at", "<", cutoff),
            ],
            limit=PURGE_BATCH,
        ).unlink()

    @api.model
    def _purge_done_jobs(self, days):
        channel = self.env.ref(CHANNEL_XMLID, raise_if_not_found=False)
        if not channel:
            return
        channel = channel.sudo()
        if channel.removal_interval != days:
            channel.removal_interval = days
        cutoff = fields.Datetime.now() - timedelta(days=days)
        jobs = self.env["queue.job"].sudo()
        jobs.search(
            [
                ("channel", "=", channel.complete_name),
                "|",
                "&",
                ("state", "=", "done"),
                ("date_done", "<", cutoff),
                "&",
                ("state", "=", "cancelled"),
                ("date_cancelled", "<", cutoff),
            ],
            limit=PURGE_BATCH,
        ).unlink()
