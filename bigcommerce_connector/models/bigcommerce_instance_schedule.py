"""Per-store schedules: every automatic job has its own switch and interval.

The crons (``data/ir_cron_*.xml``) tick every few minutes and only queue the
jobs that are due (``_queue_due_polls``); each store decides how often each
of its jobs runs, in minutes, hours, days or weeks. The crons are staggered
(each starts on its own minute), so a store's jobs do not all hit its API
quota at the same moment.
"""

from datetime import timedelta

from odoo import api, fields, models

from .bigcommerce_instance import MIN_POLL_MINUTES, POLL_SLACK

INTERVAL_UNITS = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
]
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 10080}

# Jobs whose fields do not follow the poll naming (import_<kind>s_cron,
# <kind>_checkpoint, <kind>_poll_interval[_unit], _job_poll_<kind>s).
SPECIAL_SCHEDULES = {
    "webhook": {
        "switch": "check_webhooks_cron",
        "checkpoint": "webhook_check_checkpoint",
        "interval": "webhook_check_interval",
        "unit": "webhook_check_interval_unit",
        "method": "_job_check_webhooks",
        "domain": [("webhook_registered_at", "!=", False)],
    },
    "settings": {
        "switch": "refresh_settings_cron",
        "checkpoint": "settings_checkpoint",
        "interval": "settings_refresh_interval",
        "unit": "settings_refresh_interval_unit",
        "method": "_job_refresh_store_settings",
    },
    "inventory_export": {
        "switch": "export_inventory_cron",
        "checkpoint": "inventory_export_checkpoint",
        "interval": "inventory_export_interval",
        "unit": "inventory_export_interval_unit",
        "method": "_job_export_inventory",
    },
    "reconciliation": {
        "switch": "reconcile_cron",
        "checkpoint": "reconciliation_checkpoint",
        "interval": "reconcile_interval",
        "unit": "reconcile_interval_unit",
        "method": "_job_reconcile",
    },
}


def schedule_spec(kind):
    """Field and method names of the automatic job ``kind``."""
    return SPECIAL_SCHEDULES.get(kind) or {
        "switch": f"import_{kind}s_cron",
        "checkpoint": f"{kind}_checkpoint",
        "interval": f"{kind}_poll_interval",
        "unit": f"{kind}_poll_interval_unit",
        "method": f"_job_poll_{kind}s",
    }


def _unit_field(string):
    return fields.Selection(
        INTERVAL_UNITS, string=string, default="minutes", required=True
    )


def _interval_check(interval, unit):
    return (
        f"({interval} >= 1 AND "
        f"({unit} != 'minutes' OR {interval} >= {MIN_POLL_MINUTES}))"
    )


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    order_poll_interval_unit = _unit_field("Orders Interval Unit")
    refund_poll_interval_unit = _unit_field("Refunds Interval Unit")
    customer_poll_interval_unit = _unit_field("Customers Interval Unit")
    product_poll_interval_unit = _unit_field("Products Interval Unit")
    category_poll_interval_unit = _unit_field("Categories Interval Unit")
    brand_poll_interval_unit = _unit_field("Brands Interval Unit")
    price_list_poll_interval_unit = fields.Selection(
        INTERVAL_UNITS,
        string="Price Lists Interval Unit",
        default="hours",
        required=True,
    )
    # The outbound half's safety nets and the inventory jobs.
    order_export_poll_interval_unit = _unit_field("Order Status Export Unit")
    price_export_poll_interval_unit = _unit_field("Price Export Unit")
    inventory_level_poll_interval_unit = _unit_field("Stock Import Unit")
    inventory_export_interval_unit = _unit_field("Stock Export Unit")

    check_webhooks_cron = fields.Boolean(
        string="Check Webhooks",
        default=True,
        help="Re-activate hooks BigCommerce turned off and poll what they missed.",
    )
    webhook_check_interval = fields.Integer(string="Check Webhooks Every", default=15)
    webhook_check_interval_unit = _unit_field("Webhook Check Unit")
    webhook_check_checkpoint = fields.Datetime(
        string="Webhooks Checked On", copy=False, readonly=True
    )
    refresh_settings_cron = fields.Boolean(
        string="Refresh Store Settings",
        default=True,
        help="Re-read statuses, channels, locations and tax classes.",
    )
    settings_refresh_interval = fields.Integer(
        string="Refresh Settings Every", default=1
    )
    settings_refresh_interval_unit = fields.Selection(
        INTERVAL_UNITS, string="Settings Refresh Unit", default="days", required=True
    )
    settings_checkpoint = fields.Datetime(
        string="Settings Refreshed On", copy=False, readonly=True
    )

    # Replaces the minutes-only check of bigcommerce_instance.py: an interval
    # is at least one unit, and at least the cron's tick in minutes.
    _poll_intervals_check = models.Constraint(
        "CHECK("
        + " AND ".join(
            _interval_check(f"{kind}_poll_interval", f"{kind}_poll_interval_unit")
            for kind in ("order", "customer", "refund")
        )
        + " AND "
        + _interval_check("webhook_check_interval", "webhook_check_interval_unit")
        + " AND "
        + _interval_check("settings_refresh_interval", "settings_refresh_interval_unit")
        + ")",
        f"Schedule intervals are at least 1, and at least {MIN_POLL_MINUTES} minutes.",
    )
    # Replaces the catalog's minutes-only check the same way.
    _catalog_poll_intervals_check = models.Constraint(
        "CHECK("
        + " AND ".join(
            _interval_check(f"{kind}_poll_interval", f"{kind}_poll_interval_unit")
            for kind in ("product", "category", "brand", "price_list")
        )
        + ")",
        f"Schedule intervals are at least 1, and at least {MIN_POLL_MINUTES} minutes.",
    )

    _export_intervals_check = models.Constraint(
        "CHECK("
        + " AND ".join(
            _interval_check(f"{kind}_poll_interval", f"{kind}_poll_interval_unit")
            for kind in ("order_export", "price_export")
        )
        + ")",
        f"Schedule intervals are at least 1, and at least {MIN_POLL_MINUTES} minutes.",
    )

    def _schedule_interval(self, kind):
        """The interval of this store's job ``kind``, as a timedelta."""
        self.ensure_one()
        spec = schedule_spec(kind)
        unit = self[spec["unit"]] if spec["unit"] in self._fields else "minutes"
        return timedelta(minutes=self[spec["interval"]] * UNIT_MINUTES[unit])

    def _schedule_is_due(self, kind, now):
        self.ensure_one()
        checkpoint = self[schedule_spec(kind)["checkpoint"]]
        return (
            not checkpoint
            or checkpoint + self._schedule_interval(kind) - POLL_SLACK <= now
        )

    @api.model
    def _queue_due_polls(self, kind, describe):
        """Queue the job ``kind`` of every confirmed store where it is due.

        ``kind`` names the fields of the job (see ``schedule_spec``): its
        switch, checkpoint (start of the last successful run), interval and
        unit, and the job method. A store is due once its checkpoint is older
        than its own interval, less a little slack for the time a job waits
        to start.
        """
        spec = schedule_spec(kind)
        now = fields.Datetime.now()
        domain = [("state", "=", "confirmed"), (spec["switch"], "=", True)]
        for instance in self.search(domain + spec.get("domain", [])):
            if not instance._schedule_is_due(kind, now):
                continue
            delayed = instance.with_company(instance.company_id).with_delay(
                channel=instance._queue_channel(),
                description=describe(instance),
                identity_key=f"bigcommerce-poll-{kind}s-{instance.id}",
            )
            getattr(delayed, spec["method"])()
        return True

    @api.model
    def _cron_check_webhooks(self):
        return self._queue_due_polls(
            "webhook",
            lambda instance: self.env._("Check webhooks of %s", instance.name),
        )

    @api.model
    def _cron_refresh_store_settings(self):
        return self._queue_due_polls(
            "settings",
            lambda instance: self.env._("Refresh settings of %s", instance.name),
        )

    def _job_check_webhooks(self):
        started = fields.Datetime.now()
        result = super()._job_check_webhooks()
        self.webhook_check_checkpoint = started
        return result

    def _job_refresh_store_settings(self):
        started = fields.Datetime.now()
        result = super()._job_refresh_store_settings()
        self.settings_checkpoint = started
        return result
