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

from ..client import governor_for
from ..client.parsing import parse_datetime
from .common import other_apps, run_jobs
from .test_order_import import OrderImportCase

# The Standard quota (150) less the governor's reserve (7): the other apps
# spending 140 of each window leave the connector 3 requests per window.
OTHER_APPS_LEAVING_3 = 140


@tagged("post_install", "-at_install")
class TestForwardProgress(OrderImportCase):
    def tearDown(self):
        governor_for(self.sandbox.api_url).forget()
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
        with other_apps(self.sandbox, other_apps_spend):
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
