from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..client.parsing import parse_money
from .common import BigcommerceSandboxCase

DAY = 24 * 3600


@tagged("post_install", "-at_install")
class TestGoLive(BigcommerceSandboxCase):
    """A store with a year of history goes live: only what came after is booked.

    The seeded store's 240 orders (January to March) and three orders made a
    year ago are its history; Confirm proposes "now" as the go-live date.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.write(
            {"go_live_date": False, "create_products": True, "import_orders_cron": True}
        )
        sandbox = cls.sandbox
        sandbox.advance_clock(-365 * DAY)
        cls.year_old = [
            sandbox.create_order(status_id=status_id)
            for status_id in (11, 2, 10)  # awaiting fulfilment, shipped, completed
        ]
        sandbox.advance_clock(365 * DAY)
        before = fields.Datetime.now()
        cls.instance.action_confirm()
        cls.confirmed_at = before
        sandbox.advance_clock(120)  # the first sale after the cut-over
        cls.new_orders = [sandbox.create_order(status_id=11) for _i in range(2)]
        cls.history_ids = [
            order_id
            for order_id, order in sandbox.state.orders.items()
            if order_id not in {order["id"] for order in cls.new_orders}
        ]

    def inline(self):
        return self.instance.with_context(queue_job__no_delay=True)

    def records(self, order_ids=None):
        domain = [("instance_id", "=", self.instance.id)]
        if order_ids is not None:
            domain.append(("bigcommerce_id", "in", order_ids))
        return self.env["bigcommerce.order"].search(domain)

    def order_requests(self):
        return [
            query
            for method, path, query in self.sandbox.request_log
            if method == "GET" and path == "/v2/orders"
        ]

    def test_confirm_proposes_now_as_the_go_live_date(self):
        self.assertTrue(self.instance.go_live_date)
        self.assertGreaterEqual(self.instance.go_live_date, self.confirmed_at)
        self.assertLess(
            self.instance.go_live_date - self.confirmed_at, timedelta(minutes=1)
        )
        # Confirm again (Refresh Store Settings) keeps the chosen date.
        chosen = fields.Datetime.now() - timedelta(days=3)
        self.instance.go_live_date = chosen
        self.instance.action_confirm()
        self.assertEqual(self.instance.go_live_date, chosen)

    def test_first_poll_books_only_what_came_after_go_live(self):
        self.sandbox.request_log.clear()
        self.inline()._job_poll_orders()
        records = self.records()
        self.assertEqual(
            sorted(records.mapped("bigcommerce_id")),
            sorted(order["id"] for order in self.new_orders),
        )
        self.assertEqual(set(records.mapped("state")), {"done"})
        # No sale order, invoice or delivery for the history.
        sale_orders = self.env["sale.order"].search(
            [("bigcommerce_instance_id", "=", self.instance.id)]
        )
        self.assertEqual(len(sale_orders), 2)
        # BigCommerce was asked for the orders created since go-live only:
        # the 243 older orders were not read and discarded.
        requests = self.order_requests()
        self.assertTrue(requests)
        self.assertTrue(all(query.get("min_date_created") for query in requests))
        self.assertEqual(len(requests), 1)

    def test_history_modified_later_is_never_booked(self):
        self.inline()._job_poll_orders()
        old = self.year_old[0]["id"]
        self.sandbox.advance_clock(600)
        self.sandbox.set_order_status(old, 2)  # shipped today
        self.instance.order_checkpoint -= timedelta(minutes=20)
        self.inline()._job_poll_orders()
        self.assertFalse(self.records([old]))
        # Nor by "import all", nor by its webhook.
        self.inline().import_orders()
        self.assertFalse(self.records([old]))
        outcome = self.instance._webhook_sync_order(
            old, self.env["bigcommerce.webhook.event"], self.instance._get_client()
        )
        self.assertEqual(outcome[0], "ignored")
        self.assertIn("go-live", outcome[1])
        self.assertFalse(self.records([old]))
        self.assertFalse(
            self.env["stock.picking"].search(
                [("origin", "ilike", str(old)), ("sale_id", "!=", False)]
            )
        )

    def test_refund_of_history_is_not_booked_and_says_why(self):
        old = self.year_old[2]["id"]
        refund = self.sandbox.add_refund(old, kind="full")
        self.inline().import_refunds(refund_ids=[refund["id"]])
        record = self.env["bigcommerce.refund"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", refund["id"]),
            ]
        )
        self.assertEqual(record.state, "not_booked")
        self.assertIn("before the go-live date", record.message)
        self.assertFalse(record.credit_note_id)
        self.assertFalse(self.records([old]).sale_order_id)

    def test_import_by_id_for_reference_keeps_the_amounts_only(self):
        old = self.year_old[1]
        self.inline().import_orders(order_ids=[old["id"]], history="reference")
        record = self.records([old["id"]])
        self.assertEqual(record.state, "reference")
        self.assertFalse(record.sale_order_id)
        self.assertFalse(record.invoice_id)
        self.assertAlmostEqual(
            record.total_inc_tax, float(parse_money(old["total_inc_tax"])), places=2
        )
        self.assertEqual(record.status_id, 2)
        self.assertFalse(
            self.env["stock.picking"].search_count(
                [("sale_id.bigcommerce_order_record_id", "=", record.id)]
            )
        )
        # Its later changes refresh the reference, never book it.
        self.sandbox.advance_clock(600)
        self.sandbox.set_order_status(old["id"], 10)
        self.inline().import_orders(order_ids=[old["id"]])
        self.assertEqual(record.state, "reference")
        self.assertEqual(record.status_id, 10)
        self.assertFalse(record.sale_order_id)
        # Its refund is not booked either, without asking BigCommerce.
        refund = self.sandbox.add_refund(old["id"], kind="full")
        self.inline().import_refunds(refund_ids=[refund["id"]])
        self.assertEqual(
            self.env["bigcommerce.refund"]
            .search([("bigcommerce_id", "=", refund["id"])])
            .state,
            "not_booked",
        )

    def test_import_by_id_can_book_history_on_purpose(self):
        old = self.year_old[0]
        self.inline().import_orders(order_ids=[old["id"]], history="book")
        record = self.records([old["id"]])
        self.assertEqual(record.state, "done")
        self.assertTrue(record.sale_order_id)
        self.assertTrue(record.book_history)
        # Its refund is booked like any other.
        refund = self.sandbox.add_refund(old["id"], kind="full")
        self.inline().import_refunds(refund_ids=[refund["id"]])
        self.assertEqual(
            self.env["bigcommerce.refund"]
            .search([("bigcommerce_id", "=", refund["id"])])
            .state,
            "synced",
        )

    def test_import_by_id_without_a_choice_never_books_history(self):
        old = self.year_old[0]["id"]
        self.inline().import_orders(order_ids=[old])
        record = self.records([old])
        self.assertEqual(record.state, "reference")
        self.assertFalse(record.sale_order_id)

    def test_date_range_into_history_asks_what_to_do(self):
        year_ago = self.instance.go_live_date - timedelta(days=366)
        with self.assertRaisesRegex(UserError, "go-live"):
            self.inline().import_orders(
                date_from=year_ago, date_to=year_ago + timedelta(days=2)
            )
        self.inline().import_orders(
            date_from=year_ago,
            date_to=year_ago + timedelta(days=2),
            date_field="created",
            history="reference",
        )
        records = self.records()
        self.assertEqual(
            sorted(records.mapped("bigcommerce_id")),
            sorted(order["id"] for order in self.year_old),
        )
        self.assertEqual(set(records.mapped("state")), {"reference"})
        self.assertFalse(records.sale_order_id)

    def test_wizard_asks_before_importing_older_orders(self):
        def wizard(order, **values):
            return self.env["bigcommerce.import.wizard"].create(
                {
                    "instance_id": self.instance.id,
                    "entity": "orders",
                    "mode": "ids",
                    "bigcommerce_ids": str(order["id"]),
                    **values,
                }
            )

        first, second = self.year_old[0], self.year_old[1]
        record = wizard(first)
        # Asked, with the answer that books nothing preselected.
        self.assertTrue(record.asks_history)
        self.assertEqual(record.history, "reference")
        record.with_context(queue_job__no_delay=True).action_import()
        self.assertEqual(self.records([first["id"]]).state, "reference")
        with self.assertRaisesRegex(UserError, "go-live"):
            wizard(second, history=False).action_import()
        wizard(second, history="book").with_context(
            queue_job__no_delay=True
        ).action_import()
        self.assertTrue(self.records([second["id"]]).sale_order_id)
        everything = self.env["bigcommerce.import.wizard"].create(
            {"instance_id": self.instance.id, "entity": "orders", "mode": "all"}
        )
        self.assertFalse(everything.asks_history)
