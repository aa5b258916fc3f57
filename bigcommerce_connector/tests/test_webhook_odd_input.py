"""Authentic but odd callbacks never answer 500, and two updates of one order
within one second are two events (issue 19, items 6 and 7)."""

import json
import time

from odoo.tests import tagged

from bigcommerce_sandbox import seed
from bigcommerce_sandbox.webhooks import build_payload

from .test_webhooks import TestWebhooks


@tagged("post_install", "-at_install")
class TestWebhookOddInput(TestWebhooks):
    """Signed callbacks (right token, right signature) with odd content.

    Odoo runs only the tests a class defines itself: the inherited ones run
    in TestWebhooks."""

    def callback(self, scope="store/order/updated", data=None, created_at=None):
        return build_payload(
            self.sandbox.state,
            self.sandbox.store_id,
            scope,
            data if data is not None else {"type": "order", "id": 1},
            int(time.time()) if created_at is None else created_at,
        )

    def test_odd_callbacks_answer_4xx_and_write_nothing(self):
        cases = [
            ("data.id is true", self.callback(data={"type": "order", "id": True})),
            ("id above 2^31", self.callback(data={"type": "order", "id": 2**31})),
            ("id above 2^63", self.callback(data={"type": "order", "id": 2**70})),
            ("negative id", self.callback(data={"type": "order", "id": -4})),
            (
                "refund id is a float",
                self.callback(
                    "store/order/refund/created",
                    {"type": "order", "id": 3, "refund": {"refund_id": 2.5}},
                ),
            ),
            ("huge created_at", self.callback(created_at=10**20)),
            ("created_at past year 9999", self.callback(created_at=2**40)),
            ("NUL in the scope", self.callback(scope="store/order/\u0000updated")),
        ]
        bodies = [(name, json.dumps(payload).encode()) for name, payload in cases]
        good = json.dumps(self.callback()).encode()
        bodies += [
            ("UTF-16 body", good.decode().encode("utf-16")),
            ("UTF-32 body", good.decode().encode("utf-32")),
            ("deeply nested JSON", b"[" * 100000 + b"]" * 100000),
        ]
        before = self.row_counts()
        for name, body in bodies:
            with self.subTest(name):
                response = self.post(*self.signed(body=body))
                self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(self.row_counts(), before)

    def test_odd_but_valid_callbacks_are_stored(self):
        """Unknown scopes and ids in strings are kept, as before."""
        order = self.quiet_order(status_id=11)
        for payload in (
            self.callback("store/cart/created", {"type": "cart", "id": "a-cart"}),
            self.callback(data={"type": "order", "id": str(order["id"])}),
        ):
            with self.subTest(payload["scope"]):
                body = json.dumps(payload).encode()
                self.assertEqual(self.post(*self.signed(body=body)).status_code, 200)
        self.assertEqual(self.events(target_type="order").target_id, order["id"])

    def test_two_updates_within_one_second_are_two_events(self):
        """The first update's job already read the order: the second update,
        with the same scope, data and created_at second, is processed too."""
        order = self.quiet_order(status_id=11)
        second = int(time.time())
        payload = self.callback(
            data={"type": "order", "id": order["id"]}, created_at=second
        )
        body = json.dumps(payload).encode()
        self.assertEqual(self.post(*self.signed(body=body)).status_code, 200)
        self.run_jobs()
        record = self.order_records(order["id"])
        self.assertEqual(record.status_id, 11)
        # Within the same second, the order moves on in BigCommerce (its
        # date_modified a second later, as BigCommerce's would be).
        state = self.sandbox.state
        state.clock.advance(2)
        self.addCleanup(state.clock.advance, -2)
        seed.set_order_status(state, order["id"], 9)
        update_body, update_headers = self.signed(body=body)
        self.assertEqual(self.post(update_body, update_headers).status_code, 200)
        events = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(len(events), 2, "the second update was deduplicated")
        self.run_jobs()
        self.assertEqual(record.status_id, 9)
        self.assertEqual(set(events.mapped("state")), {"done"})
        # A redelivery of that very delivery (same webhook-id) is a duplicate,
        # processed or not.
        self.assertEqual(self.post(update_body, update_headers).status_code, 200)
        events = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(len(events), 2)
        self.assertEqual(sum(events.mapped("duplicate_count")), 1)

    def test_duplicate_of_an_unprocessed_event_is_one_event(self):
        order = self.quiet_order(status_id=11)
        body = json.dumps(
            self.callback(data={"type": "order", "id": order["id"]})
        ).encode()
        for _attempt in range(3):
            self.assertEqual(self.post(*self.signed(body=body)).status_code, 200)
        event = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(len(event), 1)
        self.assertEqual(event.duplicate_count, 2)
        self.run_jobs()
        self.assertEqual(event.state, "done")

    def test_retrying_a_failed_event_whose_twin_waits(self):
        """The unique key holds for waiting events only: retrying a failed
        event whose twin (same hash, scope and second) is waiting leaves the
        work to the twin instead of breaking the key."""
        order = self.quiet_order(status_id=11)
        body = json.dumps(
            self.callback(data={"type": "order", "id": order["id"]})
        ).encode()
        self.assertEqual(self.post(*self.signed(body=body)).status_code, 200)
        first = self.events(target_type="order", target_id=order["id"])
        first.write({"state": "failed", "error": "Gone for a while."})
        self.assertEqual(self.post(*self.signed(body=body)).status_code, 200)
        twin = self.events(target_type="order", target_id=order["id"]) - first
        self.assertEqual(twin.state, "received")
        first.action_retry()
        self.assertEqual(first.state, "ignored")
        self.assertIn(str(twin.id), first.result)
        self.run_jobs()
        self.assertEqual(twin.state, "done")
