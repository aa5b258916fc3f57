from markupsafe import Markup

from odoo import fields, models


class BigcommerceInstance(models.Model):
    """The dashboard's orders per channel (storefront), issue 26."""

    _inherit = "bigcommerce.instance"

    dashboard_orders_by_channel = fields.Html(
        string="Orders per Channel",
        compute="_compute_dashboard_orders_by_channel",
        sanitize=False,
    )

    def _dashboard_channel_counts(self):
        """{instance: [(channel name, imported orders)]}: one grouped read
        for every card; orders of no known channel are counted apart."""
        groups = self.env["bigcommerce.order"]._read_group(
            [("instance_id", "in", self.ids), ("state", "=", "done")],
            ["instance_id", "channel_id"],
            ["__count"],
        )
        counts = {}
        for instance, channel, count in groups:
            name = channel.name or self.env._("Unknown channel")
            counts.setdefault(instance, []).append((name, count))
        return {instance: sorted(rows) for instance, rows in counts.items()}

    def _compute_dashboard_orders_by_channel(self):
        counts = self._dashboard_channel_counts()
        for instance in self:
            rows = [
                Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>")
                % (name, count)
                for name, count in counts.get(instance, [])
            ]
            instance.dashboard_orders_by_channel = (
                Markup("<table class='table table-sm mb-0'>%s</table>")
                % Markup().join(rows)
                if rows
                else False
            )
