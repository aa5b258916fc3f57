"""Issue 20 item 1: forward progress at any budget.

The store's other apps leave the connector a few requests per window. A
step that meets the quota keeps what BigCommerce already answered (the
page, the answers of the record it was on) and the next step resumes from
there: no answered request is asked again in the same run, so every step
gets further than the previous one, however small the budget.
"""

from collections import Counter

from odoo import fields
from odoo.tests import tagged

from ..client.parsing import parse_datetime
from .common import forget_quota, other_apps_every_window, run_jobs
from .test_order_import import OrderImportCase

# The Standard quota (150) less the governor's reserve (7): the other apps
# spending 140 of each window leave the connector 3 requests per window.
OTHER_APPS_LEAVING_3 = 140
OTHER_APPS_LEAVING_1 = 142


@tagged("post_install", "-at_install")
class TestForwardProgress(OrderImportCase):
    def tearDown(self):
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    # Helpers

    def _mark(self):
        return self.sandbox.request_count, self.sandbox.count_429

    def _asked_again(self, mark):
        """Requests of the connector asked more than once since ``mark``,
        beyond those a 429 (not an answer) explains."""
        log = self.sandbox.request_log[mark[0] :]
        counts = Counter(
            (method, path, tuple(sorted(query.items())))
            for method, path, query in log
            if method == "GET"
        )
        repeats = sum(count - 1 for count in counts.values())
        return repeats - (self.sandbox.count_429 - mark[1])

    def _run_at(self, other_apps_spend, max_wait):
        """Run the queued jobs while the other apps spend their share; a
        chain that never ends is reported, not raised (the assertions on
        what was booked say what went wrong)."""
        with other_apps_every_window(self.sandbox, other_apps_spend):
            try:
                stats = run_jobs(self.env, max_wait=max_wait)
            except AssertionError as stuck:
                return str(stuck)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))
        return "every job done"

    def assertStagingEmpty(self):
        """Once the run is booked, none of its answers is kept."""
        staged = self.env["bigcommerce.staged.answer"].search_count(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertEqual(staged, 0, "answers left staged after the run")

    def _since(self, order):
        return fields.Datetime.to_string(
            parse_datetime(order["date_modified"]).replace(tzinfo=None)
        )

    # Orders

    def test_orders_listed_after_cancelled_ones_are_booked_at_a_tight_quota(self):
        """15 orders listed after 1,000 cancelled ones, 3 requests per 3 s
        window: every step used to re-read the page, read the first order's
        taxes, meet the quota and stop (0 booked: a livelock). Now each step
        resumes from what the previous one read: all 15 are booked, and no
        answered request is asked twice."""
        self.sandbox.advance_clock(3600)
        cancelled = [
            self.sandbox.create_order(status_id=5, guest=True) for _i in range(1000)
        ]
        self.sandbox.advance_clock(60)
        statuses = [11, 2, 10]
        eligible = [
            self.sandbox.create_order(status_id=statuses[index % 3])
            for index in range(15)
        ]
        self.sandbox.advance_clock(60)
        mark = self._mark()
        self.instance.import_orders(date_from=self._since(cancelled[0]))
        outcome = self._run_at(OTHER_APPS_LEAVING_3, max_wait=120)
        records = self.records().filtered(
            lambda r: r.bigcommerce_id in {order["id"] for order in eligible}
        )
        booked = records.filtered(lambda r: r.state == "done" and r.sale_order_id)
        requests = self.sandbox.request_count - mark[0]
        self.assertEqual(
            len(booked),
            len(eligible),
            f"{len(booked)} of {len(eligible)} booked, {requests} requests "
            f"({outcome}); failures: {records.mapped('failure_reason')}",
        )
        self.assertEqual(self._asked_again(mark), 0, "an answer was asked again")
        self.assertStagingEmpty()
        self.assertFalse(
            self.env["bigcommerce.order"].search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "in", [o["id"] for o in cancelled]),
                ]
            ),
            "a cancelled order never imported was bound",
        )

    # Refunds

    def test_refunds_of_orders_not_imported_are_booked_at_a_tight_quota(self):
        """Refunds whose orders are not imported yet: each needs its order,
        the order's taxes and customer before its credit note, more than the
        3 requests a window leaves. Every refund is booked, no answer asked
        twice."""
        orders = [self.sandbox.create_order(status_id=11) for _i in range(6)]
        self.sandbox.advance_clock(60)
        refunds = [self.sandbox.add_refund(order["id"]) for order in orders]
        self.sandbox.advance_clock(60)
        mark = self._mark()
        self.instance.import_refunds(refund_ids=[refund["id"] for refund in refunds])
        outcome = self._run_at(OTHER_APPS_LEAVING_3, max_wait=90)
        records = self.env["bigcommerce.refund"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "in", [refund["id"] for refund in refunds]),
            ]
        )
        synced = records.filtered(lambda r: r.state == "synced" and r.credit_note_id)
        self.assertEqual(
            len(synced),
            len(refunds),
            f"{len(synced)} of {len(refunds)} refunds booked, "
            f"{self.sandbox.request_count - mark[0]} requests ({outcome}); "
            f"{records.mapped('message')}",
        )
        self.assertEqual(self._asked_again(mark), 0, "an answer was asked again")
        self.assertStagingEmpty()

    # Customers

    def test_customers_are_imported_at_one_request_per_window(self):
        """A page of customers needs two requests (the page, then the address
        books longer than the ten a customer embeds); with one request per
        window the step used to read the page, meet the quota on the
        addresses and start again from the page, forever."""
        customer_id = next(iter(self.sandbox.state.customers))
        addresses = self.sandbox.state.customer_addresses[customer_id]
        next_id = 1 + max(
            address["id"]
            for rows in self.sandbox.state.customer_addresses.values()
            for address in rows
        )
        for offset in range(12):
            address = dict(addresses[0], id=next_id + offset)
            address["address1"] = f"{offset + 1} Extra Road"
            addresses.append(address)
        self.sandbox.state.customers[customer_id]["address_count"] = len(addresses)
        mark = self._mark()
        self.instance.import_customers()
        outcome = self._run_at(OTHER_APPS_LEAVING_1, max_wait=60)
        bound = self.env["bigcommerce.customer"].search_count(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertEqual(
            bound,
            len(self.sandbox.state.customers),
            f"{self.sandbox.request_count - mark[0]} requests ({outcome})",
        )
        self.assertEqual(self._asked_again(mark), 0, "an answer was asked again")
        self.assertStagingEmpty()

    # Products

    def test_products_are_imported_at_one_request_per_window(self):
        """A page of products whose categories and brands are unknown needs
        three requests (the page, the categories, the brands); with one
        request per window the page used to be read again at every try."""
        # Confirm read them: a store whose categories and brands are new.
        for model in ("bigcommerce.category", "bigcommerce.brand"):
            self.env[model].with_context(active_test=False).search(
                [("instance_id", "=", self.instance.id)]
            ).unlink()
        # Nor are they queued: the product page meets them first.
        self.env["queue.job"].search([]).unlink()
        mark = self._mark()
        self.instance.import_products()
        outcome = self._run_at(OTHER_APPS_LEAVING_1, max_wait=60)
        bindings = (
            self.env["bigcommerce.product"]
            .with_context(active_test=False)
            .search([("instance_id", "=", self.instance.id)])
        )
        self.assertEqual(
            sorted(bindings.filtered("product_tmpl_id").mapped("bigcommerce_id")),
            sorted(self.sandbox.state.products),
            f"{self.sandbox.request_count - mark[0]} requests ({outcome})",
        )
        self.assertEqual(self._asked_again(mark), 0, "an answer was asked again")
        self.assertStagingEmpty()
