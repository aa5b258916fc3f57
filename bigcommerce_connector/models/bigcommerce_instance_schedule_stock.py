"""Schedules with units for the stock jobs of bigcommerce_instance_inventory.

Loaded after that file (see ``models/__init__.py``), so that its minutes-only
interval check and stock-export cron are replaced, not replacing these.
"""

from odoo import api, fields, models

from .bigcommerce_instance import MIN_POLL_MINUTES
from .bigcommerce_instance_schedule import _interval_check


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    # Replaces the inventory's minutes-only check the same way (its export
    # delay stays a number of minutes).
    _inventory_intervals_check = models.Constraint(
        "CHECK("
        + _interval_check(
            "inventory_level_poll_interval", "inventory_level_poll_interval_unit"
        )
        + " AND "
        + _interval_check("inventory_export_interval", "inventory_export_interval_unit")
        + " AND inventory_export_delay >= 0)",
        f"Stock import and export intervals are at least 1, and at least "
        f"{MIN_POLL_MINUTES} minutes.",
    )

    @api.model
    def _cron_export_inventory(self):
        """Queue a stock export for every store whose own interval (number
        and unit) is due; replaces the inventory's minutes-only check."""
        now = fields.Datetime.now()
        for instance in self.search(
            [("state", "=", "confirmed"), ("export_inventory_cron", "=", True)]
        ):
            if instance._schedule_is_due("inventory_export", now):
                instance._inventory_export_delayable(None)._job_export_inventory()
        return True
