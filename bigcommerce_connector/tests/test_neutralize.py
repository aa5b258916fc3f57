import copy

from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import new_test_user, tagged

from .common import BigcommerceSandboxCase, run_jobs
from .test_export_shipments import ExportCase

# Loopback addresses (nothing listens): production's and the copy's public
# webhook addresses, two hosts.
PRODUCTION_URL = "https://127.0.0.1:9"
COPY_URL = "https://localhost:9"


@tagged("post_install", "-at_install")
class TestNeutralizedCopy(BigcommerceSandboxCase):
    """A copy of production, same configuration and encryption key, is
    neutralized: it sends nothing to the store and moves no hook."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.write(
            {"webhook_base_url": PRODUCTION_URL, "import_orders_cron": True}
        )
        # Production registered its hooks at Confirm.
        cls.instance.action_confirm()

    def setUp(self):
        super().setUp()
        # Hooks live in the sandbox and outlive each test's rollback: every
        # test starts from production's registered hooks again.
        with self.sandbox.state.lock:
            self.sandbox.state.hooks.clear()
        self.instance._register_webhooks(self.instance._get_client())

    def hooks(self):
        return copy.deepcopy(self.sandbox.state.hooks)

    def requests(self):
        return len(self.sandbox.request_log)

    def test_production_hooks_are_ours(self):
        hooks = self.hooks()
        self.assertTrue(hooks)
        self.assertTrue(
            all(
                hook["destination"].startswith(PRODUCTION_URL)
                for hook in hooks.values()
            )
        )
        self.assertTrue(self.instance.webhook_ids.filtered("is_connector_hook"))

    def test_neutralized_copy_sends_nothing_and_moves_no_hook(self):
        instance = self.instance
        # Work pending when production was copied.
        instance.import_orders()
        instance._enqueue_webhook_job("order", 100)
        jobs = self.env["queue.job"].search([("state", "=", "pending")])
        self.assertTrue(jobs)
        hooks = self.hooks()

        neutralize_database(self.env.cr)
        # As a server started on the copy: fresh records and parameters.
        self.env.invalidate_all()
        self.env.registry.clear_cache("stable")

        self.assertTrue(instance.disconnected)
        self.assertEqual(set(jobs.mapped("state")), {"cancelled"})
        self.assertFalse(instance.webhook_ids)
        before = self.requests()
        # Every way to reach the store is refused before a request is made.
        inline = instance.with_context(queue_job__no_delay=True)
        attempts = [
            inline._job_poll_orders,
            inline._job_refresh_store_settings,
            instance.action_register_webhooks,
            instance.action_refresh_webhooks,
            lambda: inline._job_import_order(100),
            lambda: inline.import_orders(order_ids=[100]),
        ]
        for attempt in attempts:
            with self.assertRaisesRegex(UserError, "disconnected"):
                attempt()
        result = instance.action_test_connection()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertEqual(self.requests(), before)
        self.assertEqual(self.hooks(), hooks)

        # The copy gets its own public address; an administrator reconnects
        # it on purpose and registers hooks: production's are left alone.
        instance.webhook_base_url = COPY_URL
        instance.action_reconnect()
        self.assertTrue(instance.reconnected_on_copy)
        instance.action_register_webhooks()
        after = self.hooks()
        for hook_id, hook in hooks.items():
            self.assertEqual(after[hook_id]["destination"], hook["destination"])
            self.assertEqual(after[hook_id]["headers"], hook["headers"])
        copies = [hook for hook in after.values() if hook["id"] not in hooks]
        self.assertEqual(len(copies), len(hooks))
        self.assertTrue(all(h["destination"].startswith(COPY_URL) for h in copies))

    def test_only_an_administrator_reconnects(self):
        user = new_test_user(
            self.env,
            login="bc_neutralize_user",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_user",
        )
        self.instance.sudo().disconnected = True
        with self.assertRaises(AccessError):
            self.instance.with_user(user).action_reconnect()
        self.assertTrue(self.instance.disconnected)

    def test_a_hook_is_ours_by_host_and_route_key_not_path_alone(self):
        """A copy restored without neutralization (same route key) that was
        never registered there does not take production's hooks."""
        hooks = self.hooks()
        instance = self.instance
        instance.webhook_ids.unlink()  # this database registered nothing
        instance.webhook_base_url = COPY_URL
        instance._register_webhooks(instance._get_client())
        after = self.hooks()
        for hook_id, hook in hooks.items():
            self.assertEqual(after[hook_id]["destination"], hook["destination"])

    def test_a_moved_public_address_keeps_its_hooks(self):
        """Production itself moving to a new address updates its own hooks."""
        hooks = self.hooks()
        self.instance.webhook_base_url = COPY_URL
        self.instance._register_webhooks(self.instance._get_client())
        after = self.hooks()
        self.assertEqual(set(after), set(hooks))
        self.assertTrue(
            all(hook["destination"].startswith(COPY_URL) for hook in after.values())
        )


@tagged("post_install", "-at_install")
class TestNeutralizedCopyEvents(ExportCase):
    """Exports that events trigger (a validated delivery) send nothing from a
    neutralized copy either; the warehouse is not blocked."""

    def test_a_delivery_validated_on_the_copy_sends_nothing(self):
        _order, sale = self.imported([("TOTE-CNV", 1)])
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.env.registry.clear_cache("stable")
        self.assertTrue(self.instance.disconnected)
        before = len(self.sandbox.request_log)
        # As in the warehouse: the export is a queued job, not run inline.
        picking = sale.picking_ids
        picking.write({"carrier_id": self.ups.id, "carrier_tracking_ref": "1Z999AA9"})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        self.assertEqual(picking.state, "done")
        result = run_jobs(self.env)
        self.assertTrue(
            all("disconnected" in job.exc_info for job in result["failed"]),
            result,
        )
        self.assertEqual(self.posted(), [])
        self.assertEqual(len(self.sandbox.request_log), before)
        self.assertNotEqual(self.export_of(picking).state, "done")
