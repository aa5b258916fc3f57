"""The operator's dashboard: one kanban card per store (BigCommerce > Dashboard).

Every counter is computed for all the cards at once, with one grouped read
per model (``_read_group``), never a query per card per entity. Models built
by other parts of the connector (brands, categories, exports) are counted
when they are installed: a counter whose model is missing stays at zero.
"""

import json
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..client import usage
from ..tools.shared_quota import store_key

GRAPH_DAYS = 14

# Dashboard counter -> (model, domain, state field grouped on or None).
SYNCED_COUNTERS = {
    "dashboard_order_count": ("bigcommerce.order", [("state", "=", "done")]),
    "dashboard_refund_count": ("bigcommerce.refund", [("state", "=", "synced")]),
    "dashboard_customer_count": ("bigcommerce.customer", []),
    "dashboard_product_count": ("bigcommerce.product", []),
    "dashboard_brand_count": ("bigcommerce.brand", []),
    "dashboard_category_count": ("bigcommerce.category", []),
}
ATTENTION_COUNTERS = {
    "dashboard_order_attention_count": (
        "bigcommerce.order",
        # A booked order whose last refresh failed needs a look too.
        ["|", ("state", "in", ("failed", "review")), ("refresh_error", "!=", False)],
    ),
    "dashboard_refund_error_count": ("bigcommerce.refund", [("state", "=", "error")]),
    "dashboard_event_failed_count": (
        "bigcommerce.webhook.event",
        [("state", "=", "failed")],
    ),
}
# Export records of the outbound half (shipments sent from Odoo deliveries,
# order status changes): counted once their model is installed (a counter
# whose model is missing stays at 0 and its line is hidden); a failed export
# is in state "failed". Counter -> (model, domain, title of its list).
EXPORT_COUNTERS = {
    "dashboard_shipment_export_failed_count": (
        "bigcommerce.shipment.export",
        [("state", "=", "failed")],
        "Failed Shipment Exports",
    ),
    "dashboard_order_export_failed_count": (
        "bigcommerce.order.export",
        [("state", "=", "failed")],
        "Failed Order Status Exports",
    ),
    "dashboard_listing_export_failed_count": (
        "bigcommerce.listing.export",
        [("state", "=", "failed")],
        "Failed Product Exports",
    ),
}

# What each counter's click opens: (model, title).
COUNTER_LISTS = {
    "dashboard_order_count": ("bigcommerce.order", "Imported Orders"),
    "dashboard_refund_count": ("bigcommerce.refund", "Synced Refunds"),
    "dashboard_customer_count": ("bigcommerce.customer", "Customers"),
    "dashboard_product_count": ("bigcommerce.product", "Products"),
    "dashboard_brand_count": ("bigcommerce.brand", "Brands"),
    "dashboard_category_count": ("bigcommerce.category", "Categories"),
    "dashboard_order_attention_count": (
        "bigcommerce.order",
        "Orders Needing Attention",
    ),
    "dashboard_refund_error_count": ("bigcommerce.refund", "Refunds in Error"),
    "dashboard_event_failed_count": ("bigcommerce.webhook.event", "Failed Events"),
}

# Log entities shown in "last successful run" (entity -> label).
# Keyed by the entity each flow logs its runs under (log_operation's third
# argument); a flow missing here never shows in "last runs".
RUN_ENTITIES = {
    "order": "Orders",
    "refund": "Refunds",
    "customer": "Customers",
    "customer_group": "Customer groups",
    "product": "Products",
    "category": "Categories",
    "brand": "Brands",
    "stock": "Stock",
    "shipment": "Shipments",
    "listing": "Product exports",
    "price": "Prices",
    "price_list": "Price lists",
    "reconciliation": "Reconciliation",
    "webhook": "Webhooks",
    "store settings": "Store settings",
    "store": "Store connection",
}


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    dashboard_order_count = fields.Integer(
        string="Orders", compute="_compute_dashboard_counts"
    )
    dashboard_refund_count = fields.Integer(
        string="Refunds", compute="_compute_dashboard_counts"
    )
    dashboard_customer_count = fields.Integer(
        string="Customers", compute="_compute_dashboard_counts"
    )
    dashboard_product_count = fields.Integer(
        string="Products", compute="_compute_dashboard_counts"
    )
    dashboard_brand_count = fields.Integer(
        string="Brands", compute="_compute_dashboard_counts"
    )
    dashboard_category_count = fields.Integer(
        string="Categories", compute="_compute_dashboard_counts"
    )
    dashboard_order_attention_count = fields.Integer(
        string="Orders Failed or to Review", compute="_compute_dashboard_counts"
    )
    dashboard_refund_error_count = fields.Integer(
        string="Refunds in Error", compute="_compute_dashboard_counts"
    )
    dashboard_event_failed_count = fields.Integer(
        string="Failed Events", compute="_compute_dashboard_counts"
    )
    dashboard_shipment_export_failed_count = fields.Integer(
        string="Failed Shipment Exports", compute="_compute_dashboard_counts"
    )
    dashboard_order_export_failed_count = fields.Integer(
        string="Failed Order Status Exports", compute="_compute_dashboard_counts"
    )
    dashboard_export_failed_count = fields.Integer(
        string="Failed Exports", compute="_compute_dashboard_counts"
    )
    dashboard_attention_count = fields.Integer(
        string="Needs Attention", compute="_compute_dashboard_counts"
    )
    dashboard_webhook_health = fields.Selection(
        [("none", "Not Registered"), ("ok", "Active"), ("down", "Down")],
        string="Webhook Health",
        compute="_compute_dashboard_webhook_health",
    )
    dashboard_webhook_down_count = fields.Integer(
        string="Hooks Down", compute="_compute_dashboard_webhook_health"
    )
    dashboard_last_runs = fields.Html(
        string="Last Successful Runs",
        compute="_compute_dashboard_last_runs",
        sanitize=False,
    )
    dashboard_api_requests_hour = fields.Integer(
        string="API Requests (last hour)",
        compute="_compute_dashboard_quota",
        help="Requests this Odoo server sent to the store in the last hour.",
    )
    dashboard_api_quota_hour = fields.Integer(
        string="API Quota per Hour",
        compute="_compute_dashboard_quota",
        help="The store's quota per window, as its last answer stated it, "
        "scaled to an hour (0: not known yet).",
    )
    dashboard_orders_graph = fields.Text(compute="_compute_dashboard_orders_graph")

    # ------------------------------------------------------------
    # Counters
    # ------------------------------------------------------------

    def _dashboard_count(self, model, domain):
        """{instance: count} for ``domain``, one grouped read; {} if no model."""
        if model not in self.env:
            return {}
        return dict(
            self.env[model]._read_group(
                [("instance_id", "in", self.ids), *domain], ["instance_id"], ["__count"]
            )
        )

    def _compute_dashboard_counts(self):
        counters = {
            **SYNCED_COUNTERS,
            **ATTENTION_COUNTERS,
            **{name: spec[:2] for name, spec in EXPORT_COUNTERS.items()},
        }
        counts = {
            name: self._dashboard_count(model, domain)
            for name, (model, domain) in counters.items()
        }
        for instance in self:
            for name in counters:
                instance[name] = counts[name].get(instance, 0)
            instance.dashboard_export_failed_count = sum(
                instance[name] for name in EXPORT_COUNTERS
            )
            instance.dashboard_attention_count = (
                instance.dashboard_order_attention_count
                + instance.dashboard_refund_error_count
                + instance.dashboard_event_failed_count
                + instance.dashboard_export_failed_count
            )

    def _compute_dashboard_webhook_health(self):
        groups = self.env["bigcommerce.webhook"]._read_group(
            [("instance_id", "in", self.ids), ("is_connector_hook", "=", True)],
            ["instance_id", "is_active"],
            ["__count"],
        )
        hooks, down = {}, {}
        for instance, is_active, count in groups:
            hooks[instance] = hooks.get(instance, 0) + count
            if not is_active:
                down[instance] = down.get(instance, 0) + count
        for instance in self:
            instance.dashboard_webhook_down_count = down.get(instance, 0)
            if not hooks.get(instance):
                instance.dashboard_webhook_health = "none"
            else:
                instance.dashboard_webhook_health = (
                    "down" if down.get(instance) else "ok"
                )

    def _compute_dashboard_last_runs(self):
        groups = self.env["bigcommerce.log"]._read_group(
            [("instance_id", "in", self.ids), ("state", "=", "done")],
            ["instance_id", "entity"],
            ["ended_at:max"],
        )
        last = {}
        for instance, entity, ended_at in groups:
            last.setdefault(instance, {})[entity] = ended_at
        for instance in self:
            runs = last.get(instance, {})
            rows = [
                Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>")
                % (
                    self.env._(label),  # pylint: disable=translation-required
                    fields.Datetime.context_timestamp(instance, runs[entity]).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                    if runs.get(entity)
                    else "—",
                )
                for entity, label in RUN_ENTITIES.items()
                if entity in runs
            ]
            instance.dashboard_last_runs = (
                Markup("<table class='table table-sm mb-0'>%s</table>")
                % Markup().join(rows)
                if rows
                else escape(self.env._("No run yet"))
            )

    def _compute_dashboard_quota(self):
        # The last reading of each store's quota, shared by every process.
        readings = {
            row.store_key: row
            for row in self.env["bigcommerce.api.quota"]
            .sudo()
            .search(
                [
                    (
                        "store_key",
                        "in",
                        [
                            store_key(instance._api_url())
                            for instance in self
                            if instance.sudo().api_url
                        ],
                    )
                ]
            )
        }
        for instance in self:
            api_url = instance.sudo().api_url
            if not api_url:
                instance.dashboard_api_requests_hour = 0
                instance.dashboard_api_quota_hour = 0
                continue
            instance.dashboard_api_requests_hour = usage.last_hour(api_url)
            reading = readings.get(store_key(instance._api_url()))
            if reading and reading.quota and reading.window_s:
                instance.dashboard_api_quota_hour = int(
                    reading.quota * 3600 / reading.window_s
                )
            else:
                instance.dashboard_api_quota_hour = 0

    def _compute_dashboard_orders_graph(self):
        """Orders per day over two weeks, for the card's bar chart, on the
        day the customer ordered (BigCommerce's date_created): importing a
        store's history does not show it as sold on the day of the import."""
        today = fields.Date.context_today(self)
        start = today - timedelta(days=GRAPH_DAYS - 1)
        groups = self.env["bigcommerce.order"]._read_group(
            [
                ("instance_id", "in", self.ids),
                ("sale_order_id", "!=", False),
                ("date_created", ">=", fields.Datetime.to_datetime(start)),
            ],
            ["instance_id", "date_created:day"],
            ["__count"],
        )
        per_day = {}
        for instance, day, count in groups:
            per_day[(instance, fields.Date.to_date(day))] = count
        days = [start + timedelta(days=offset) for offset in range(GRAPH_DAYS)]
        for instance in self:
            values = [
                {
                    "label": day.strftime("%d %b"),
                    "value": per_day.get((instance, day), 0),
                    "type": "past",
                }
                for day in days
            ]
            instance.dashboard_orders_graph = json.dumps(
                [{"key": self.env._("Orders by date ordered"), "values": values}]
            )

    # ------------------------------------------------------------
    # Clicks
    # ------------------------------------------------------------

    def _dashboard_domain(self, counter):
        domains = {
            name: spec[1]
            for name, spec in {
                **SYNCED_COUNTERS,
                **ATTENTION_COUNTERS,
                **EXPORT_COUNTERS,
            }.items()
        }
        return [("instance_id", "=", self.id), *domains[counter]]

    def action_dashboard_open(self):
        """Open the records behind a card's counter (context ``counter``)."""
        self.ensure_one()
        counter = self.env.context.get("counter")
        if counter in EXPORT_COUNTERS:
            model, _domain, title = EXPORT_COUNTERS[counter]
        else:
            model, title = COUNTER_LISTS[counter]
        if model not in self.env:
            raise UserError(
                self.env._("%s: this part of the connector is not installed.", title)
            )
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.name}: {self.env._(title)}",  # pylint: disable=translation-required
            "res_model": model,
            "view_mode": "list,form",
            "domain": self._dashboard_domain(counter),
            "context": {"default_instance_id": self.id},
        }

    def action_dashboard_orders_graph(self):
        """Orders per day by the date customers ordered (Odoo's graph view;
        "Import Date" in its search groups them by the day they were imported)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%s: orders per day (date ordered)", self.name),
            "res_model": "bigcommerce.order",
            "view_mode": "graph,list,form",
            "views": [
                (
                    self.env.ref(
                        "bigcommerce_connector.bigcommerce_order_view_graph"
                    ).id,
                    "graph",
                ),
                (False, "list"),
                (False, "form"),
            ],
            "domain": [("instance_id", "=", self.id), ("sale_order_id", "!=", False)],
        }

    @api.model
    def action_open_settings(self):
        """Configuration > Settings: the store's settings form when there is
        one store (the common case), else the list of stores to choose from."""
        # Two are enough to know whether there is more than one store.
        instances = self.search([], limit=2)
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("BigCommerce Settings"),
            "res_model": "bigcommerce.instance",
        }
        if len(instances) == 1:
            return {
                **action,
                "res_id": instances.id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return {
            **action,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }
