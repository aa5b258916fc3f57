"""Dashboard counters, failure activities and the e-mail summary."""

import ast
import json
import os
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import run_jobs
from .test_refund_import import RefundImportCase


class OperationsCase(RefundImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        skus = sorted(
            {
                variant["sku"]
                for variants in cls.sandbox.state.variants.values()
                for variant in variants
                if variant.get("sku")
            }
        )
        # ``sku`` is renamed in Odoo to make an order fail; ``other_sku``
        # makes the orders that must not fail.
        cls.sku, cls.other_sku = skus[0], skus[1]
        cls.product = cls.env["product.product"].search(
            [("default_code", "=", cls.sku)]
        )
        cls.recipient = cls.env["res.partner"].create(
            {"name": "Finance", "email": "finance@example.com"}
        )

    def failed_order(self):
        """An order that fails: its SKU is unknown in Odoo while it imports."""
        order = self.new_order(lines=[[self.sku, 1]])
        self.product.default_code = "RENAMED"
        self.import_orders(order_ids=[order["id"]])
        self.product.default_code = self.sku
        record = self.order_record(order["id"])
        self.assertEqual(record.state, "failed")
        return order, record

    def review_order(self):
        """An imported order whose total changed in BigCommerce after invoicing."""
        order, record = self.imported_order(lines=[[self.sku, 1]])
        self.sandbox.state.orders[order["id"]]["total_inc_tax"] = "999.0000"
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 9)
        self.import_orders(order_ids=[order["id"]])
        self.assertEqual(record.state, "review")
        return order, record

    def error_refund(self):
        order, _record = self.imported_order(lines=[[self.sku, 2]])
        refund = self.sandbox.add_refund(order["id"], kind="partial")
        self.sandbox.tamper_refund(refund["id"], total_amount="1.23")
        record = self.book(refund)
        self.assertEqual(record.state, "error", record.message)
        return refund, record

    def failed_event(self, number):
        return self.env["bigcommerce.webhook.event"].create(
            {
                "instance_id": self.instance.id,
                "company_id": self.instance.company_id.id,
                "scope": "store/order/updated",
                "hash": f"hash-{number}",
                "event_date": fields.Datetime.now(),
                "received_at": fields.Datetime.now(),
                "state": "failed",
                "error": "Boom",
            }
        )

    def activities(self, records):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("activity_type_id", "=", self.instance.notify_activity_type_id.id),
            ]
        )


@tagged("post_install", "-at_install")
class TestDashboard(OperationsCase):
    def test_counts_equal_the_records_of_each_kind(self):
        _order, failed = self.failed_order()
        _order, review = self.review_order()
        _refund, error = self.error_refund()
        self.failed_event(1)
        self.failed_event(2)
        instance = self.instance
        instance.invalidate_recordset()
        Order = self.env["bigcommerce.order"]
        Refund = self.env["bigcommerce.refund"]
        domain = [("instance_id", "=", instance.id)]
        self.assertEqual(instance.dashboard_order_attention_count, 2)
        self.assertEqual(
            instance.dashboard_order_attention_count,
            Order.search_count([*domain, ("state", "in", ("failed", "review"))]),
        )
        self.assertEqual(instance.dashboard_refund_error_count, 1)
        self.assertEqual(instance.dashboard_event_failed_count, 2)
        self.assertEqual(instance.dashboard_attention_count, 5)
        self.assertEqual(
            instance.dashboard_order_count,
            Order.search_count([*domain, ("state", "=", "done")]),
        )
        self.assertEqual(
            instance.dashboard_refund_count,
            Refund.search_count([*domain, ("state", "=", "synced")]),
        )
        self.assertEqual(
            instance.dashboard_customer_count,
            self.env["bigcommerce.customer"].search_count(domain),
        )
        # Each counter is one click from the records behind it.
        for counter, expected in (
            ("dashboard_order_attention_count", failed | review),
            ("dashboard_refund_error_count", error),
        ):
            action = instance.with_context(counter=counter).action_dashboard_open()
            found = self.env[action["res_model"]].search(action["domain"])
            self.assertEqual(found, expected)
        # Orders imported today are in the graph; every run is in "last runs".
        graph = json.loads(instance.dashboard_orders_graph)
        self.assertEqual(
            graph[0]["values"][-1]["value"],
            Order.search_count([*domain, ("sale_order_id", "!=", False)]),
        )
        self.assertIn("Orders", instance.dashboard_last_runs)
        self.assertIn("Refunds", instance.dashboard_last_runs)
        self.assertGreater(instance.dashboard_api_requests_hour, 0)

    def test_every_kind_of_run_the_addon_logs_is_in_last_runs(self):
        """Each entity a run is logged under (``log_operation``'s third
        argument, read from the addon's sources so a new flow is covered too)
        has its row in "last runs": stock runs, logged as "stock", were
        missing under a key "inventory" no run used."""
        addon = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        entities = set()
        for folder, _dirs, files in os.walk(addon):
            if os.path.basename(folder) == "tests":
                continue
            for name in files:
                if not name.endswith(".py"):
                    continue
                with open(os.path.join(folder, name)) as handle:
                    tree = ast.parse(handle.read())
                entities.update(
                    node.args[2].value
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "log_operation"
                    and len(node.args) > 2
                    and isinstance(node.args[2], ast.Constant)
                )
        self.assertIn("stock", entities)
        self.assertIn("price_list", entities)
        instance = self.instance
        self.env["bigcommerce.log"].search([("instance_id", "=", instance.id)]).unlink()
        now = fields.Datetime.now()
        self.env["bigcommerce.log"].create(
            [
                {
                    "instance_id": instance.id,
                    "operation": "run",
                    "entity": entity,
                    "state": "done",
                    "started_at": now,
                    "ended_at": now,
                }
                for entity in entities
            ]
        )
        instance.invalidate_recordset(["dashboard_last_runs"])
        self.assertEqual(
            str(instance.dashboard_last_runs).count("<tr>"),
            len(entities),
            f"{sorted(entities)} in {instance.dashboard_last_runs}",
        )

    def test_failed_exports_are_counted_and_get_their_activity(self):
        """A status change that could not be sent back is counted on the card,
        one click from its list, and gets one activity, closed when sent."""
        _order, record = self.imported_order(lines=[[self.sku, 1]])
        Export = self.env["bigcommerce.order.export"]
        failed = Export.create(
            {
                "instance_id": self.instance.id,
                "order_record_id": record.id,
                "kind": "cancel",
                "state": "failed",
                "failure_reason": "BigCommerce refused the status",
            }
        )
        Export.create(
            {
                "instance_id": self.instance.id,
                "order_record_id": record.id,
                "kind": "paid",
                "state": "done",
            }
        )
        instance = self.instance
        instance.invalidate_recordset()
        self.assertEqual(instance.dashboard_order_export_failed_count, 1)
        self.assertEqual(instance.dashboard_shipment_export_failed_count, 0)
        self.assertEqual(instance.dashboard_export_failed_count, 1)
        self.assertEqual(instance.dashboard_attention_count, 1)
        action = instance.with_context(
            counter="dashboard_order_export_failed_count"
        ).action_dashboard_open()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), failed)
        self.assertEqual(len(self.activities(failed)), 1)
        failed.write({"state": "failed", "failure_reason": "Again"})
        self.assertEqual(len(self.activities(failed)), 1)
        failed.write({"state": "done"})
        self.assertFalse(self.activities(failed))
        instance.invalidate_recordset()
        self.assertEqual(instance.dashboard_export_failed_count, 0)

    def test_settings_menu_opens_the_store_or_the_list(self):
        menu = self.env.ref("bigcommerce_connector.bigcommerce_menu_settings")
        self.assertEqual(
            menu.action,
            self.env.ref("bigcommerce_connector.bigcommerce_settings_action"),
        )
        Instance = self.env["bigcommerce.instance"]
        stores = Instance.search([])
        (stores - self.instance).action_archive()
        action = menu.action.run()
        self.assertEqual(action["res_model"], "bigcommerce.instance")
        self.assertEqual(action["res_id"], self.instance.id)
        self.instance.copy({"name": "Second", "store_hash": "second"})
        action = menu.action.run()
        self.assertNotIn("res_id", action)
        self.assertEqual(action["views"][0][1], "list")

    def test_counters_of_many_cards_take_a_constant_number_of_queries(self):
        copies = self.env["bigcommerce.instance"]
        for index in range(5):
            copies |= self.instance.copy(
                {"name": f"Store {index}", "store_hash": f"store-{index}"}
            )
        fields_to_read = [
            "dashboard_order_attention_count",
            "dashboard_refund_error_count",
            "dashboard_event_failed_count",
            "dashboard_order_count",
            "dashboard_webhook_health",
            "dashboard_last_runs",
            "dashboard_orders_graph",
        ]

        def queries_to_read(instances):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            instances.read(fields_to_read)
            return self.env.cr.sql_log_count - before

        # Once before measuring: the first read also fills Odoo's caches
        # (the user's language and time zone), which would count as cards.
        queries_to_read(self.instance)
        # Two sizes, compared: a query per card would show as a difference.
        two_cards = queries_to_read(self.instance | copies[:1])
        six_cards = queries_to_read(self.instance | copies)
        self.assertEqual(six_cards, two_cards)
        # One grouped read per counted model (the failed product exports of
        # the listings are the 15th), whatever the number of cards.
        self.assertLessEqual(two_cards, 15)


@tagged("post_install", "-at_install")
class TestFailureActivities(OperationsCase):
    def test_one_activity_per_failed_record_closed_on_fix(self):
        order, record = self.failed_order()
        self.assertEqual(len(self.activities(record)), 1)
        activity = self.activities(record)
        self.assertEqual(activity.user_id, self.instance.notify_user_id)
        self.assertEqual(
            activity.date_deadline,
            fields.Date.context_today(record) + timedelta(days=1),
        )
        # Failing again while the activity is open adds none.
        self.product.default_code = "RENAMED"
        record.action_retry()  # queues the job; run_jobs runs it
        run_jobs(self.env)
        self.assertEqual(record.state, "failed")
        self.assertEqual(len(self.activities(record)), 1)
        # Fixed: the activity is closed (archived, as "mark as done" does).
        self.product.default_code = self.sku
        record.action_retry()
        run_jobs(self.env)
        self.assertEqual(record.state, "done", record.failure_reason)
        self.assertFalse(self.activities(record))
        closed = self.activities(record).with_context(active_test=False)
        self.assertEqual(
            len(
                closed.search(
                    [
                        ("res_id", "=", record.id),
                        ("res_model", "=", record._name),
                        ("active", "=", False),
                    ]
                )
            ),
            1,
        )

    def test_refunds_and_events_get_their_activity(self):
        _refund, refund_record = self.error_refund()
        event = self.failed_event(3)
        self.assertEqual(len(self.activities(refund_record)), 1)
        self.assertEqual(len(self.activities(event)), 1)
        event.write({"state": "done"})
        self.assertFalse(self.activities(event))

    def test_no_activity_when_switched_off(self):
        self.instance.notify_activity = False
        _order, record = self.failed_order()
        self.assertFalse(self.activities(record))


@tagged("post_install", "-at_install")
class TestSummaryEmail(OperationsCase):
    def mails(self):
        return self.env["mail.mail"].search(
            [("recipient_ids", "in", self.recipient.ids)]
        )

    def test_one_summary_per_run_with_failures(self):
        self.instance.write(
            {"notify_email": True, "notify_partner_ids": [(6, 0, self.recipient.ids)]}
        )
        first = self.new_order(lines=[[self.sku, 1]])
        second = self.new_order(lines=[[self.sku, 1]])
        good = self.new_order(lines=[[self.other_sku, 1]])
        self.product.default_code = "RENAMED"
        self.import_orders(order_ids=[first["id"], second["id"], good["id"]])
        self.product.default_code = self.sku
        mails = self.mails()
        self.assertEqual(len(mails), 1, "one e-mail per run, never one per record")
        self.assertEqual(mails.state, "outgoing")
        self.assertEqual(
            self.order_record(good["id"]).state,
            "done",
            self.order_record(good["id"]).failure_reason,
        )
        self.assertIn("2 failed", mails.subject, mails.body_html)
        for order in (first, second):
            self.assertIn(self.order_record(order["id"]).display_name, mails.body_html)
        # A run without failures sends nothing (unless asked for every run).
        self.import_orders(order_ids=[good["id"]])
        self.assertEqual(len(self.mails()), 1)
        self.instance.notify_every_run = True
        self.import_orders(order_ids=[good["id"]])
        self.assertEqual(len(self.mails()), 2)

    def test_no_summary_without_recipients(self):
        self.instance.notify_email = True
        self.failed_order()
        self.assertFalse(
            self.env["mail.mail"].search([("subject", "ilike", "failed (BigCommerce)")])
        )
