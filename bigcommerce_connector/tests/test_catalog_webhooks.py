from odoo.tests import HttpCase, tagged

from .common import run_jobs, start_sandbox


@tagged("post_install", "-at_install")
class TestCatalogWebhooks(HttpCase):
    """The sandbox posts real store/product/* callbacks to this Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = start_sandbox(
            cls,
            name="Catalog webhook store",
            webhook_base_url=cls.base_url(),
            create_products=True,
            import_orders_cron=False,
            import_customers_cron=False,
        )
        cls.instance.client_secret = cls.sandbox.client_secret
        cls.instance.action_confirm()

    def setUp(self):
        super().setUp()
        self.instance._register_webhooks(self.instance._get_client())

    def send(self, action, *args, **kwargs):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = action(*args, **kwargs)
            self.sandbox.webhooks.wait()
        self.env.invalidate_all()
        return result

    def run_jobs(self):
        """What the queue_job runner does with the pending jobs, in order."""
        stats = run_jobs(self.env)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))

    def test_product_updated_webhook_updates_the_product(self):
        scopes = {hook["scope"] for hook in self.sandbox.state.hooks.values()}
        self.assertIn("store/product/updated", scopes)
        self.assertIn("store/category/updated", scopes)
        self.instance.with_context(queue_job__no_delay=True).import_products()
        product = next(
            p for p in self.sandbox.state.products.values() if p["sku"] == "BTL-INS"
        )
        binding = self.env["bigcommerce.product"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", product["id"]),
            ]
        )
        self.assertAlmostEqual(binding.product_tmpl_id.list_price, product["price"])
        self.send(
            self.sandbox.update_product, product["id"], price=41.25, name="Bottle XL"
        )
        self.run_jobs()
        event = self.env["bigcommerce.webhook.event"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("scope", "=", "store/product/updated"),
            ]
        )
        self.assertEqual(event.state, "done", event.error)
        self.assertEqual(event.target_type, "product")
        self.assertAlmostEqual(binding.product_tmpl_id.list_price, 41.25)
        self.assertEqual(binding.product_tmpl_id.name, "Bottle XL")
        # Deleted: binding and product archived.
        self.send(self.sandbox.delete_product, product["id"])
        self.run_jobs()
        self.assertFalse(binding.active)
        self.assertFalse(binding.product_tmpl_id.active)
