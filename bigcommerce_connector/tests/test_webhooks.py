import json
import logging
import secrets
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields, sql_db
from odoo.addons.queue_job.job import Job
from odoo.exceptions import AccessError, UserError
from odoo.orm.environments import Transaction
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from bigcommerce_sandbox import seed
from bigcommerce_sandbox.webhooks import build_payload, sign

from ..client.parsing import parse_datetime
from ..client.webhook_auth import TOKEN_HEADER
from ..models.bigcommerce_instance_webhook import (
    PREVIOUS_TOKEN_GRACE,
    WEBHOOK_ROUTE,
    WEBHOOK_SCOPES,
)
from .common import clean_up_committed_rows, run_jobs, start_sandbox


def _add_sandbox_products(env, sandbox):
    skus = {
        variant["sku"]
        for variants in sandbox.state.variants.values()
        for variant in variants
        if variant.get("sku")
    }
    env["product.product"].create(
        [
            {
                "name": sku,
                "default_code": sku,
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
            for sku in sorted(skus)
        ]
    )


@tagged("post_install", "-at_install")
class TestWebhooks(HttpCase):
    """The sandbox posts real callbacks to this Odoo's endpoint over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = start_sandbox(
            cls,
            name="Webhook store",
            # BigCommerce only calls https:443; the sandbox calls anything.
            webhook_base_url=cls.base_url(),
            # Cron off: whatever arrives, arrives by webhook.
            import_orders_cron=False,
            import_customers_cron=False,
        )
        cls.instance.client_secret = cls.sandbox.client_secret
        # Confirm registers the hooks, since a webhook base URL is known.
        cls.instance.action_confirm()
        _add_sandbox_products(cls.env, cls.sandbox)

    def setUp(self):
        super().setUp()
        # Hooks live in the sandbox and outlive each test's rollback: every
        # test starts from the registered state again.
        self.instance._register_webhooks(self.instance._get_client())

    def quiet_order(self, **options):
        """An order BigCommerce has, whose webhooks were never sent."""
        with self.sandbox.state.lock:
            return seed.create_order(self.sandbox.state, **options)

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    @property
    def url(self):
        return f"{self.base_url()}{WEBHOOK_ROUTE}{self.instance.webhook_route_key}"

    def token(self):
        return self.instance._webhook_token()

    def send(self, action, *args, **kwargs):
        """Let the sandbox reach Odoo while ``action`` makes it deliver."""
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = action(*args, **kwargs)
            self.sandbox.webhooks.wait()
        self.env.invalidate_all()
        return result

    def post(self, body, headers):
        self.env.flush_all()
        response = self.url_open(self.url, data=body, headers=headers, timeout=30)
        self.env.invalidate_all()
        return response

    def signed(self, payload=None, body=None, token=None, timestamp=None, secret=None):
        """(body, headers) of a callback signed like BigCommerce signs it."""
        if body is None:
            body = json.dumps(payload).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        webhook_id = f"msg_{secrets.token_hex(8)}"
        headers = {
            "Content-Type": "application/json",
            TOKEN_HEADER: self.token() if token is None else token,
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(
                secret or self.sandbox.client_secret, webhook_id, timestamp, body
            ),
        }
        return body, headers

    def order_payload(self, order_id):
        return build_payload(
            self.sandbox.state,
            self.sandbox.store_id,
            "store/order/created",
            {"type": "order", "id": order_id},
            int(time.time()),
        )

    @contextmanager
    def capture_logs(self):
        """Every record the endpoint logs, from the server's threads."""
        records = []

        class Collect(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))

        logger = logging.getLogger("odoo.addons.bigcommerce_connector")
        handler = Collect(logging.DEBUG)
        logger.addHandler(handler)
        try:
            yield records
        finally:
            logger.removeHandler(handler)

    def run_jobs(self):
        """What the queue_job runner does with the pending jobs, in order."""
        stats = run_jobs(self.env)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))

    def events(self, **filters):
        domain = [("instance_id", "=", self.instance.id)]
        domain += [(name, "=", value) for name, value in filters.items()]
        return self.env["bigcommerce.webhook.event"].search(domain)

    def order_records(self, order_id):
        return self.env["bigcommerce.order"].search(
            [("instance_id", "=", self.instance.id), ("bigcommerce_id", "=", order_id)]
        )

    def connector_hooks(self):
        return [
            hook
            for hook in self.sandbox.state.hooks.values()
            if hook["destination"] == self.url
        ]

    def row_counts(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "AND (table_name LIKE 'bigcommerce%%' OR table_name IN "
            "('sale_order', 'sale_order_line', 'account_move', 'queue_job', "
            "'res_partner'))"
        )
        tables = sorted(name for (name,) in self.env.cr.fetchall())
        counts = {}
        for table in tables:
            self.env.cr.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            counts[table] = self.env.cr.fetchone()[0]
        return counts

    # ------------------------------------------------------------
    # Registration
    # ------------------------------------------------------------

    def test_confirm_registered_every_hook_with_the_secret_header(self):
        hooks = self.connector_hooks()
        self.assertEqual(sorted(h["scope"] for h in hooks), sorted(WEBHOOK_SCOPES))
        token = self.token()
        self.assertGreaterEqual(len(token), 32)
        for hook in hooks:
            self.assertTrue(hook["is_active"])
            self.assertEqual(hook["headers"], {TOKEN_HEADER: token})
        # Stored encrypted, never in clear.
        stored = self.instance.sudo().webhook_token_encrypted
        self.assertTrue(stored)
        self.assertNotIn(token, stored)
        # The Webhooks tab lists them.
        records = self.instance.webhook_ids.filtered("is_connector_hook")
        self.assertEqual(len(records), len(WEBHOOK_SCOPES))
        self.assertEqual(set(records.mapped("hook_id")), {hook["id"] for hook in hooks})

    def test_registration_converges(self):
        hook_ids = {hook["id"] for hook in self.connector_hooks()}
        self.instance.action_register_webhooks()
        self.assertEqual({h["id"] for h in self.connector_hooks()}, hook_ids)
        # A hook with our route key on another host that this database never
        # registered (production's, seen from a copy) is not ours: left alone.
        client = self.instance._get_client()
        extra = client.create_hook(
            "store/order/created",
            f"https://old-host.example.com{WEBHOOK_ROUTE}"
            f"{self.instance.webhook_route_key}",
            headers={TOKEN_HEADER: "stale"},
        )
        # A hook of another integration on the same API account stays.
        foreign = client.create_hook("store/order/created", "https://other.example/h")
        # A changed address is PUT on the same hooks.
        self.instance.webhook_base_url = "https://erp.example.com/"
        self.instance.action_register_webhooks()
        hooks = self.sandbox.state.hooks
        self.assertEqual(hooks[extra["id"]]["destination"], extra["destination"])
        self.assertIn(foreign["id"], hooks)
        ours = [h for h in hooks.values() if h["id"] in hook_ids]
        self.assertEqual(len(ours), len(WEBHOOK_SCOPES))
        for hook in ours:
            self.assertTrue(hook["destination"].startswith("https://erp.example.com/"))
        self.assertEqual(
            set(self.instance.webhook_ids.mapped("hook_id")),
            hook_ids | {foreign["id"], extra["id"]},
        )
        self.assertFalse(
            self.instance.webhook_ids.filtered(
                lambda hook: hook.hook_id == extra["id"]
            ).is_connector_hook
        )
        client.delete_hook(foreign["id"])
        client.delete_hook(extra["id"])
        self.instance.webhook_base_url = self.base_url()
        self.instance.action_register_webhooks()

    def test_rotated_secret_is_pushed_and_the_old_one_still_accepted(self):
        old = self.token()
        self.instance.action_rotate_webhook_secret()
        new = self.token()
        self.assertNotEqual(old, new)
        for hook in self.connector_hooks():
            self.assertEqual(hook["headers"], {TOKEN_HEADER: new})
        order = self.quiet_order(status_id=11)
        body, headers = self.signed(self.order_payload(order["id"]), token=old)
        self.assertEqual(self.post(body, headers).status_code, 200)

    def test_the_old_secret_expires_after_its_grace_period(self):
        old = self.token()
        self.instance.action_rotate_webhook_secret()
        order = self.quiet_order(status_id=11)
        # The endpoint compares with its transaction's time.
        now = self.env.cr.now()
        grace_left = now - PREVIOUS_TOKEN_GRACE + timedelta(hours=1)
        self.instance.webhook_token_rotated_at = grace_left
        body, headers = self.signed(self.order_payload(order["id"]), token=old)
        self.assertEqual(self.post(body, headers).status_code, 200)
        expired = now - PREVIOUS_TOKEN_GRACE - timedelta(minutes=1)
        self.instance.webhook_token_rotated_at = expired
        body, headers = self.signed(self.order_payload(order["id"]), token=old)
        self.assertEqual(self.post(body, headers).status_code, 401)
        body, headers = self.signed(self.order_payload(order["id"]))
        self.assertEqual(self.post(body, headers).status_code, 200)

    def test_processed_events_are_kept_for_the_retention_period_then_deleted(self):
        events = self.env["bigcommerce.webhook.event"]
        now = fields.Datetime.now()

        def event(number, state, age):
            return events.create(
                {
                    "instance_id": self.instance.id,
                    "company_id": self.instance.company_id.id,
                    "scope": "store/order/updated",
                    "target_type": "order",
                    "target_id": 900000 + number,
                    "hash": f"{number:040d}",
                    "event_date": now - age,
                    "received_at": now - age,
                    "state": state,
                }
            )

        retention = timedelta(days=self.instance.retention_days)
        hour = timedelta(hours=1)
        old_done = event(1, "done", retention + hour)
        old_ignored = event(2, "ignored", retention + hour)
        young_done = event(3, "done", retention - hour)
        old_failed = event(4, "failed", retention + hour)
        self.instance._job_check_webhooks()
        self.assertFalse((old_done | old_ignored).exists())
        # Kept: what a late redelivery must still meet as a duplicate, and
        # what still needs someone (a failed event keeps its Retry).
        self.assertEqual((young_done | old_failed).exists(), young_done | old_failed)

    def test_confirm_without_a_public_url_registers_nothing(self):
        # HttpCase's web.base.url is http://127.0.0.1:<port>: BigCommerce
        # could not call it, so Confirm leaves webhooks alone.
        other = self.env["bigcommerce.instance"].create(
            {
                "name": "No public URL",
                "store_hash": "no-public-url",
                "access_token": self.sandbox.access_token,
                "api_url": self.sandbox.api_url,
            }
        )
        hooks_before = dict(self.sandbox.state.hooks)
        other.action_confirm()
        self.assertEqual(other.state, "confirmed")
        self.assertFalse(other.webhook_registered_at)
        self.assertEqual(self.sandbox.state.hooks, hooks_before)
        with self.assertRaisesRegex(UserError, "Webhook Base URL"):
            other.action_register_webhooks()

    def test_users_never_see_the_webhook_secret(self):
        user = new_test_user(
            self.env,
            login="bc_webhook_user",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_user",
        )
        instance = self.instance.with_user(user)
        self.assertEqual(instance.webhook_event_count, 0)
        for field in ("webhook_token_encrypted", "webhook_route_key"):
            with self.assertRaises(AccessError, msg=field):
                instance.read([field])
        self.assertTrue(instance.webhook_ids)
        with self.assertRaises(AccessError):
            instance.action_rotate_webhook_secret()

    # ------------------------------------------------------------
    # Delivery and processing
    # ------------------------------------------------------------

    def test_new_order_arrives_as_sale_order_and_invoice_by_webhook(self):
        requests_before = self.sandbox.request_count
        order = self.send(self.sandbox.create_order, status_id=11)
        delivery = self.sandbox.webhooks.deliveries[-1]
        self.assertEqual(delivery["status"], 200)
        # The endpoint answered without calling BigCommerce.
        self.assertEqual(self.sandbox.request_count, requests_before)
        event = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(event.state, "received")
        self.assertEqual(event.scope, "store/order/created")
        self.assertFalse(self.order_records(order["id"]))
        self.run_jobs()
        record = self.order_records(order["id"])
        self.assertEqual(record.state, "done")
        self.assertEqual(record.sale_order_id.state, "sale")
        self.assertEqual(record.invoice_id.state, "posted")
        self.assertEqual(event.state, "done")
        self.assertIn(record.sale_order_id.name, event.result)

    def test_order_by_webhook_is_dated_when_ordered_without_robot_salesperson(self):
        """Issue 27: an order placed months ago that arrives by webhook is
        dated when the customer ordered; the job's user is no salesperson."""
        days = 90 * 24 * 3600
        self.sandbox.advance_clock(-days)
        try:
            order = self.quiet_order(status_id=11)
        finally:
            self.sandbox.advance_clock(days)
        self.send(self.sandbox.set_order_status, order["id"], 9)
        self.run_jobs()
        sale_order = self.order_records(order["id"]).sale_order_id
        self.assertEqual(sale_order.state, "sale")
        self.assertEqual(
            sale_order.date_order,
            parse_datetime(order["date_created"]).replace(tzinfo=None),
        )
        self.assertFalse(sale_order.user_id)

    def test_replays_and_concurrent_deliveries_yield_one_sale_order_each(self):
        first = self.send(self.sandbox.create_order, status_id=11)
        index = len(self.sandbox.webhooks.messages) - 1
        replays = self.send(self.sandbox.webhooks.redeliver, index=index, times=50)
        self.assertEqual({r["status"] for r in replays}, {200})
        second = self.send(self.sandbox.create_order, status_id=11)
        concurrent = self.send(
            self.sandbox.webhooks.redeliver, times=4, concurrent=True
        )
        self.assertEqual({r["status"] for r in concurrent}, {200})
        self.run_jobs()
        for order, duplicates in ((first, 50), (second, 4)):
            event = self.events(target_type="order", target_id=order["id"])
            self.assertEqual(len(event), 1)
            self.assertEqual(event.duplicate_count, duplicates)
            record = self.order_records(order["id"])
            self.assertEqual(len(record), 1)
            self.assertEqual(record.state, "done")
            self.assertEqual(
                self.env["sale.order"].search_count(
                    [("bigcommerce_order_record_id", "=", record.id)]
                ),
                1,
            )
        self.assertEqual(self.instance.webhook_duplicate_count, 54)
        self.assertEqual(self.instance.webhook_event_count, 2)

    def test_out_of_order_events_import_the_current_order(self):
        self.sandbox.webhooks.hold()
        order = self.sandbox.create_order(status_id=11)
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 2)
        # statusUpdated, then updated, then created.
        sent = self.send(self.sandbox.webhooks.release, order="reverse")
        self.assertEqual(sent, 3)
        events = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(len(events), 3)
        # One job for the three events: the order is read once.
        jobs = self.env["queue.job"].search(
            [
                ("state", "=", "pending"),
                ("method_name", "=", "_job_process_webhook_events"),
            ]
        )
        self.assertEqual(len(jobs), 1)
        self.run_jobs()
        record = self.order_records(order["id"])
        self.assertEqual(record.status_id, 2)
        self.assertEqual(record.sale_order_id.bigcommerce_status, "Shipped")
        self.assertEqual(set(events.mapped("state")), {"done"})

    def test_incomplete_order_is_ignored_by_the_status_filter(self):
        order = self.send(self.sandbox.create_order, status_id=0)
        self.run_jobs()
        event = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(event.state, "ignored")
        self.assertFalse(self.order_records(order["id"]).sale_order_id)

    def test_shipment_resyncs_its_order(self):
        order = self.send(self.sandbox.create_order, status_id=11)
        self.run_jobs()
        products = self.sandbox.state.order_products[order["id"]]
        address = self.sandbox.state.order_shipping_addresses[order["id"]][0]
        # date_modified has second resolution: ship a minute later.
        self.sandbox.advance_clock(60)
        self.send(
            self.sandbox.record_shipment,
            order["id"],
            address["id"],
            [
                {"order_product_id": p["id"], "quantity": p["quantity"]}
                for p in products
            ],
            {"tracking_number": "TRACK1", "shipping_provider": "ups"},
        )
        shipment_event = self.events(scope="store/shipment/created")
        self.assertEqual(shipment_event.target_id, order["id"])
        self.run_jobs()
        self.assertEqual(shipment_event.state, "done")
        self.assertEqual(self.order_records(order["id"]).status_id, 2)

    def test_refund_makes_one_credit_note_despite_its_two_events(self):
        order = self.send(self.sandbox.create_order, status_id=11)
        self.run_jobs()
        invoice = self.order_records(order["id"]).invoice_id
        self.assertEqual(invoice.state, "posted")
        self.sandbox.advance_clock(60)
        refund = self.send(self.sandbox.add_refund, order["id"], kind="full")
        refund_event = self.events(scope="store/order/refund/created")
        status_event = self.events(
            scope="store/order/statusUpdated", target_id=order["id"]
        )
        self.assertEqual(
            (refund_event.target_type, refund_event.target_id),
            (
                "refund",
                refund["id"],
            ),
        )
        self.assertEqual(len(status_event), 1)
        # BigCommerce retries both, one of them concurrently.
        self.send(self.sandbox.webhooks.redeliver, index=-1, times=3)
        self.send(self.sandbox.webhooks.redeliver, index=-2, times=3, concurrent=True)
        self.run_jobs()
        self.assertEqual(refund_event.state, "done", refund_event.error)
        self.assertEqual(status_event.state, "done", status_event.error)
        credit_notes = self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("reversed_entry_id", "=", invoice.id)]
        )
        self.assertEqual(len(credit_notes), 1)
        self.assertEqual(credit_notes.state, "posted")
        self.assertIn(credit_notes.name, refund_event.result)
        record = self.env["bigcommerce.refund"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", refund["id"]),
            ]
        )
        self.assertEqual(record.state, "synced")
        self.assertEqual(record.credit_note_id, credit_notes)
        self.assertEqual(self.order_records(order["id"]).status_id, 4)
        # A later event about the same refund books nothing more.
        again = dict(json.loads(refund_event.payload), created_at=int(time.time()) + 5)
        self.assertEqual(self.post(*self.signed(again)).status_code, 200)
        self.run_jobs()
        self.assertEqual(len(self.events(scope="store/order/refund/created")), 2)
        self.assertEqual(
            self.env["account.move"].search_count(
                [
                    ("move_type", "=", "out_refund"),
                    ("reversed_entry_id", "=", invoice.id),
                ]
            ),
            1,
        )

    def test_customer_events_update_and_keep_the_partner(self):
        customer_id = min(self.sandbox.state.customers)
        self.send(self.sandbox.update_customer, customer_id, first_name="Renamed")
        self.run_jobs()
        event = self.events(scope="store/customer/updated")
        self.assertEqual(event.state, "done")
        binding = self.env["bigcommerce.customer"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", customer_id),
            ]
        )
        self.assertIn("Renamed", binding.partner_id.name)
        self.send(self.sandbox.delete_customer, customer_id)
        self.run_jobs()
        deleted = self.events(scope="store/customer/deleted")
        self.assertEqual(deleted.state, "ignored")
        self.assertIn("kept", deleted.result)
        self.assertTrue(binding.partner_id.active)

    def test_customer_moved_to_a_group_gets_its_tag_and_pricelist(self):
        # Issue 26: a store/customer/updated event brings the group along.
        customer_id = min(self.sandbox.state.customers)
        customer = self.sandbox.state.customers[customer_id]
        self.addCleanup(customer.update, dict(customer))
        self.send(self.sandbox.update_customer, customer_id, customer_group_id=2)
        self.run_jobs()
        self.assertEqual(self.events(scope="store/customer/updated").state, "done")
        binding = self.env["bigcommerce.customer"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", customer_id),
            ]
        )
        group = binding.customer_group_id
        self.assertEqual((group.bigcommerce_id, group.name), (2, "Wholesale"))
        self.assertIn(group.partner_category_id, binding.partner_id.category_id)
        self.assertEqual(
            binding.partner_id.property_product_pricelist, group.pricelist_id
        )

    def test_failed_event_is_visible_and_retried(self):
        variant = self.sandbox.state.variants[min(self.sandbox.state.variants)][0]
        product = self.env["product.product"].search(
            [("default_code", "=", variant["sku"])]
        )
        product.default_code = "RENAMED"
        order = self.send(
            self.sandbox.create_order, lines=[(variant["sku"], 1)], status_id=11
        )
        self.run_jobs()
        event = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(event.state, "failed")
        self.assertIn(variant["sku"], event.error)
        self.assertEqual(self.instance.webhook_failed_count, 1)
        product.default_code = variant["sku"]
        event.action_retry()
        self.run_jobs()
        self.assertEqual(event.state, "done")
        self.assertFalse(event.error)
        self.assertEqual(self.order_records(order["id"]).invoice_id.state, "posted")

    def test_order_gone_from_bigcommerce_marks_the_event_failed(self):
        order = self.send(self.sandbox.create_order, status_id=11)
        self.sandbox.state.orders.pop(order["id"])
        self.run_jobs()
        event = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(event.state, "failed")
        self.assertIn(str(order["id"]), event.error)

    def test_transient_errors_retry_then_give_up_visibly(self):
        from odoo.addons.queue_job.exception import RetryableJobError

        order = self.send(self.sandbox.create_order, status_id=11)
        job = self.env["queue.job"].search(
            [
                ("state", "=", "pending"),
                ("func_string", "like", f"'order', {order['id']}"),
            ]
        )
        self.assertEqual(len(job), 1)
        self.sandbox.queue_faults("503")
        # A queued attempt that is not the last: queue_job retries later.
        with self.assertRaises(RetryableJobError):
            Job.load(self.env, job.uuid).perform()
        event = self.events(target_type="order", target_id=order["id"])
        self.assertEqual(event.state, "received")
        # The last attempt (here: an inline run) leaves the events failed.
        self.sandbox.queue_faults("503")
        self.instance._job_process_webhook_events("order", order["id"])
        self.assertEqual(event.state, "failed")
        self.assertIn("gave up", event.error)
        self.sandbox.clear_faults()

    # ------------------------------------------------------------
    # Rejections
    # ------------------------------------------------------------

    def test_unauthentic_or_malformed_requests_write_nothing(self):
        order = self.quiet_order(status_id=11)
        payload = self.order_payload(order["id"])
        good_body, good_headers = self.signed(payload)
        cases = []
        body, headers = self.signed(payload, token="wrong-" + secrets.token_hex(16))
        cases.append(("wrong secret", body, headers, 401))
        body, headers = self.signed(payload)
        del headers[TOKEN_HEADER]
        cases.append(("missing header", body, headers, 401))
        body, headers = self.signed(payload, secret="not-the-client-secret")
        cases.append(("bad signature", body, headers, 401))
        body, headers = self.signed(payload)
        headers["webhook-signature"] = self.signed(payload)[1]["webhook-signature"]
        cases.append(("signature of another delivery", body, headers, 401))
        body, headers = self.signed(payload, timestamp=int(time.time()) - 600)
        cases.append(("stale timestamp", body, headers, 401))
        body, headers = self.signed(body=b'{"scope": "store/order/created", "hash"')
        cases.append(("malformed JSON", body, headers, 400))
        body, headers = self.signed(body=b"[1, 2, 3]")
        cases.append(("not a callback", body, headers, 400))
        other = dict(payload, producer="stores/another-store")
        body, headers = self.signed(other)
        cases.append(("another store", body, headers, 400))
        body, headers = self.signed(body=b'{"pad": "' + b"x" * (1024 * 1024) + b'"}')
        cases.append(("1 MB body", body, headers, 413))
        before = self.row_counts()
        self.assertIn("bigcommerce_webhook_event", before)
        requests_before = self.sandbox.request_count
        with self.capture_logs() as logs:
            for name, body, headers, status in cases:
                with self.subTest(name):
                    self.assertEqual(self.post(body, headers).status_code, status)
            unknown = f"{self.base_url()}{WEBHOOK_ROUTE}{secrets.token_hex(16)}"
            self.env.flush_all()
            response = self.url_open(unknown, data=good_body, headers=good_headers)
            self.assertEqual(response.status_code, 404)
        self.assertEqual(self.row_counts(), before)
        self.assertEqual(self.sandbox.request_count, requests_before)
        output = "\n".join(logs)
        self.assertIn("rejected", output)
        for secret in (self.token(), self.sandbox.client_secret):
            self.assertNotIn(secret, output)
        # The same delivery, authentic, is accepted.
        self.assertEqual(self.post(good_body, good_headers).status_code, 200)
        self.assertEqual(len(self.events(target_id=order["id"])), 1)

    def test_instance_back_in_draft_accepts_nothing(self):
        order = self.quiet_order(status_id=11)
        body, headers = self.signed(self.order_payload(order["id"]))
        self.instance.action_reset_to_draft()
        self.assertEqual(self.post(body, headers).status_code, 404)
        self.assertFalse(self.events(target_id=order["id"]))

    def test_required_signature(self):
        order = self.quiet_order(status_id=11)
        body, headers = self.signed(self.order_payload(order["id"]))
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            del headers[name]
        self.instance.webhook_require_signature = True
        self.assertEqual(self.post(body, headers).status_code, 401)
        self.instance.webhook_require_signature = False
        self.assertEqual(self.post(body, headers).status_code, 200)

    # ------------------------------------------------------------
    # Health
    # ------------------------------------------------------------

    def test_health_job_reactivates_hooks_and_catches_up(self):
        seen = self.send(self.sandbox.create_order, status_id=11)
        self.run_jobs()
        self.assertTrue(self.order_records(seen["id"]).sale_order_id)
        for hook in self.connector_hooks():
            self.sandbox.deactivate_hook(hook["id"])
        deliveries = len(self.sandbox.webhooks.deliveries)
        missed = [self.send(self.sandbox.create_order, status_id=11) for _ in range(2)]
        # Like BigCommerce: nothing is delivered while the hooks are down.
        self.assertEqual(len(self.sandbox.webhooks.deliveries), deliveries)
        self.instance.action_refresh_webhooks()
        self.assertFalse(
            any(
                self.instance.webhook_ids.filtered("is_connector_hook").mapped(
                    "is_active"
                )
            )
        )
        self.instance._job_check_webhooks()
        self.assertTrue(all(hook["is_active"] for hook in self.connector_hooks()))
        self.assertTrue(
            all(
                self.instance.webhook_ids.filtered("is_connector_hook").mapped(
                    "is_active"
                )
            )
        )
        self.run_jobs()
        for order in missed:
            record = self.order_records(order["id"])
            self.assertEqual(record.state, "done", order["id"])
            self.assertEqual(record.invoice_id.state, "posted")
        # Re-activated hooks deliver again.
        order = self.send(self.sandbox.create_order, status_id=11)
        self.assertEqual(self.sandbox.webhooks.deliveries[-1]["status"], 200)
        self.assertTrue(self.events(target_type="order", target_id=order["id"]))

    def test_health_job_recreates_deleted_hooks_and_requeues_stuck_events(self):
        client = self.instance._get_client()
        gone = next(
            h for h in self.connector_hooks() if h["scope"] == "store/shipment/deleted"
        )
        client.delete_hook(gone["id"])
        order = self.send(self.sandbox.create_order, status_id=11)
        event = self.events(target_type="order", target_id=order["id"])
        # Its job was lost (e.g. a worker crash).
        self.env["queue.job"].search([("state", "=", "pending")]).unlink()
        event.received_at = event.received_at.replace(year=event.received_at.year - 1)
        self.instance._job_check_webhooks()
        scopes = sorted(hook["scope"] for hook in self.connector_hooks())
        self.assertEqual(scopes, sorted(WEBHOOK_SCOPES))
        self.run_jobs()
        self.assertEqual(event.state, "done")

    def test_cron_queues_one_health_job_per_instance(self):
        from odoo.addons.queue_job.tests.common import trap_jobs

        with trap_jobs() as trap:
            self.env["bigcommerce.instance"]._cron_check_webhooks()
            trap.assert_jobs_count(1, only=self.instance._job_check_webhooks)


@tagged("post_install", "-at_install")
class TestWebhooksConcurrency(TransactionCase):
    """Concurrent redeliveries on two real connections: no error, one event."""

    def setUp(self):
        clean_up_committed_rows(self)
        super().setUp()

    def test_concurrent_redeliveries_store_one_event(self):
        database = sql_db.db_connect(self.env.cr.dbname)
        registry = self.env.registry

        def environment(cr):
            cr.transaction = Transaction(registry)
            return self.env(cr=cr)

        with database.cursor() as cr:
            env = environment(cr)
            instance = env["bigcommerce.instance"].create(
                {"name": "Concurrent hooks", "store_hash": "concurrent-hooks"}
            )
            instance.state = "confirmed"
            row = {
                "id": instance.id,
                "company_id": instance.company_id.id,
                "store_hash": "concurrent-hooks",
            }
            cr.commit()  # pylint: disable=invalid-commit
        payload = {
            "scope": "store/customer/deleted",
            "store_id": "1",
            "producer": "stores/concurrent-hooks",
            "hash": "0" * 40,
            "created_at": int(time.time()),
            "data": {"type": "customer", "id": 7},
        }
        body = json.dumps(payload).encode()
        barrier = threading.Barrier(4)
        results, errors = [], []

        def deliver():
            try:
                with database.cursor() as cr, mute_logger("odoo.sql_db"):
                    env = environment(cr)
                    # The request's snapshot is taken before the insert.
                    cr.execute("SELECT 1")
                    barrier.wait(timeout=10)
                    events = env["bigcommerce.webhook.event"]
                    results.append(events._store_delivery(row, payload, body, None))
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                errors.append(error)

        threads = [threading.Thread(target=deliver) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse([thread for thread in threads if thread.is_alive()])
        self.assertEqual(errors, [])
        # Every delivery was acknowledged: one stored the event, three found it.
        self.assertEqual(len(results), 4)
        stored = [result[0] for result in results if result[0]]
        self.assertEqual(len(stored), 1)
        with database.cursor() as cr:
            cr.execute(
                "SELECT count(*), max(duplicate_count) FROM bigcommerce_webhook_event "
                "WHERE instance_id = %s",
                [row["id"]],
            )
            count, duplicates = cr.fetchone()
        self.assertEqual(count, 1)
        self.assertEqual(duplicates, 3, "every redelivery is counted")
