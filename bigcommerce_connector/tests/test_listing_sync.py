"""Listings and the catalog import together: units both ways, no echo, the
imported catalog sends nothing, the schedule."""

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import new_test_user, tagged

from ..exporters.product import ProductExporter
from .common import (
    TEST_QUOTA,
    TEST_WINDOW_MS,
    ConcurrentJobsCase,
    forget_quota,
    other_apps,
    queued_job,
    run_jobs,
)
from .listing_common import PRODUCTS, ListingCase


def _by_sku(state, sku):
    return next(p for p in state.products.values() if p["sku"] == sku)


@tagged("post_install", "-at_install")
class TestListingUnits(ListingCase):
    def setUp(self):
        super().setUp()
        # The store is on pounds and inches, Odoo on kilograms and millimetres.
        info = self.sandbox.state.store_info
        info["weight_units"] = "LBS"
        info["dimension_units"] = "Inches"
        self.inline().action_confirm()
        self.addCleanup(self.inline().action_confirm)

    def test_store_on_pounds_odoo_on_kilograms_both_ways(self):
        self.assertEqual(
            self.instance.weight_uom_id, self.env.ref("uom.product_uom_lb")
        )
        self.assertEqual(
            self.instance.dimension_uom_id, self.env.ref("uom.product_uom_inch")
        )
        # Import: the tote weighs 0.30 lb in BigCommerce, 0.136 kg in Odoo.
        tote = _by_sku(self.sandbox.state, "TOTE-CNV")
        self.inline().import_products(product_ids=[tote["id"]])
        template = (
            self.env["bigcommerce.product"]
            .search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "=", tote["id"]),
                ]
            )
            .product_tmpl_id
        )
        self.assertAlmostEqual(template.weight, 0.30 * 0.45359237, places=2)
        self.assertAlmostEqual(
            template.bigcommerce_width, tote["width"] * 25.4, places=3
        )
        # Export: 2 kg and 300 mm become 4.4092 lb and 11.811 in.
        kettle = self.template(
            "Odoo Kettle",
            default_code="KET-LB",
            weight=2.0,
            bigcommerce_width=300.0,
            bigcommerce_height=254.0,
        )
        self.export(kettle)
        product = self.bc_product(kettle)
        self.assertAlmostEqual(product["weight"], 4.4092, places=4)
        self.assertAlmostEqual(product["width"], 11.811, places=3)
        self.assertAlmostEqual(product["height"], 10.0, places=4)
        # The imported tote is sent nothing back: its weight, rounded to
        # Odoo's precision, is still BigCommerce's 0.30 lb.
        self.assertEqual(self.export(template), [])
        kettle.weight = 2.5
        self.later(kettle)
        self.export()
        (update,) = self.sent("PUT", PRODUCTS)
        self.assertEqual(update, [{"id": product["id"], "weight": 5.5116}])


@tagged("post_install", "-at_install")
class TestListingWithImport(ListingCase):
    def test_imported_catalog_is_published_and_sends_nothing(self):
        self.inline().import_products()
        bindings = self.env["bigcommerce.product"].search(
            [("instance_id", "=", self.instance.id)]
        )
        templates = bindings.product_tmpl_id
        self.assertTrue(templates)
        self.assertTrue(
            all(self.instance in t.bigcommerce_instance_ids for t in templates)
        )
        requests = self.export()
        self.assertEqual(requests, [], "what was just imported is not sent back")
        rows = self.env["bigcommerce.listing.export"].search(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertEqual(len(rows), len(templates))
        self.assertEqual(
            set(rows.mapped("state")), {"done"}, rows.mapped("failure_reason")
        )
        # A change made in Odoo to an imported product goes: only that field.
        tote = _by_sku(self.sandbox.state, "TOTE-CNV")
        template = bindings.filtered(
            lambda b: b.bigcommerce_id == tote["id"]
        ).product_tmpl_id
        template.name = "Canvas Tote Bag (large)"
        self.later(template)
        requests = self.export()
        self.assertEqual(len(requests), 1)
        self.assertEqual(
            self.sent("PUT", PRODUCTS),
            [[{"id": tote["id"], "name": "Canvas Tote Bag (large)"}]],
        )

    def test_own_update_echo_is_not_imported_but_a_store_change_is(self):
        kettle = self.template("Odoo Kettle", default_code="KET-ECHO", list_price=30.0)
        self.export(kettle)
        kettle.list_price = 35.0
        self.later(kettle)
        self.export()
        product = self.bc_product(kettle)
        self.assertEqual(product["price"], 35.0)
        # Odoo changes again before the store/product/updated of our PUT is
        # handled: the echo must not put 35 back, nor send anything.
        kettle.list_price = 36.0
        client = self.instance._get_client()
        state, message = self.instance._webhook_sync_product(
            product["id"], None, client
        )
        self.assertEqual(state, "done", message)
        self.assertEqual(kettle.list_price, 36.0)
        # The poll of the same version skips it too.
        self.sandbox.received.clear()
        self.inline().import_products(product_ids=[product["id"]])
        self.assertEqual(kettle.list_price, 36.0)
        self.later(kettle)
        self.export()
        self.assertEqual(
            self.sent("PUT", PRODUCTS), [[{"id": product["id"], "price": 36.0}]]
        )
        # A change made in BigCommerce is imported, and not sent back.
        self.sandbox.advance_clock(60)
        self.sandbox.update_product(product["id"], name="Kettle (store)")
        self.instance._webhook_sync_product(product["id"], None, client)
        self.assertEqual(kettle.name, "Kettle (store)")
        self.sandbox.received.clear()
        self.later(kettle)
        self.assertEqual(self.export(), [])


@tagged("post_install", "-at_install")
class TestListingSchedule(ListingCase):
    def test_schedule_is_off_by_default_and_queues_when_on(self):
        self.assertFalse(self.instance.import_product_exports_cron)
        with trap_jobs() as trap:
            self.env["bigcommerce.instance"]._cron_export_products()
            self.assertFalse(
                [
                    j
                    for j in trap.enqueued_jobs
                    if j.method_name == "_job_poll_product_exports"
                ]
            )
        self.instance.import_product_exports_cron = True
        kettle = self.template("Odoo Kettle", default_code="KET-CRON")
        self.instance._listing_publish(kettle.ids)
        with trap_jobs() as trap:
            self.env["bigcommerce.instance"]._cron_export_products()
            (job,) = [
                j
                for j in trap.enqueued_jobs
                if j.method_name == "_job_poll_product_exports"
            ]
            trap.perform_enqueued_jobs()
        self.assertEqual(self.row(kettle).state, "done")
        self.assertTrue(self.instance.product_export_checkpoint)
        self.assertTrue(job)


@tagged("post_install", "-at_install")
class TestListingJobs(ListingCase):
    def test_job_killed_after_bigcommerce_answered_then_run_again(self):
        kettle = self.template("Odoo Kettle", default_code="KET-KILLED")
        self.instance._listing_publish(kettle.ids)
        self.sandbox.lose_answer("POST", PRODUCTS)
        exporter = ProductExporter(self.instance, self.instance._get_client(0))
        # The worker dies after BigCommerce created the product: the job's
        # transaction is rolled back, nothing of it is kept in Odoo.
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            exporter.export(kettle)
            raise ZeroDivisionError
        self.assertFalse(self.row(kettle))
        made = [
            p for p in self.sandbox.state.products.values() if p["sku"] == "KET-KILLED"
        ]
        self.assertEqual(len(made), 1)
        # queue_job runs it again (found dead: its retry count moved on).
        delayed = self.instance.with_delay()._job_export_products(
            template_ids=kettle.ids
        )
        queued_job(delayed, retry=1)
        stats = run_jobs(self.env)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))
        row = self.row(kettle)
        self.assertEqual(row.state, "done", row.failure_reason)
        self.assertEqual(row.bigcommerce_id, made[0]["id"])
        self.assertEqual(len(self.sent("POST", PRODUCTS)), 1)

    def test_a_refused_product_is_in_the_summary_e_mail(self):
        partner = self.env["res.partner"].create(
            {"name": "Ops", "email": "ops@example.com"}
        )
        self.instance.write({"notify_email": True, "notify_partner_ids": partner.ids})
        ours = self.template("Canvas Tote Bag", default_code="OUR-TOTE-2")
        mails = self.env["mail.mail"].search([])
        self.export(ours)
        mail = (self.env["mail.mail"].search([]) - mails).filtered(
            lambda m: partner in m.recipient_ids
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("Canvas Tote Bag", mail.body_html)
        self.assertIn("already exists in BigCommerce", mail.body_html)

    def test_a_user_outside_bigcommerce_edits_products_without_error(self):
        user = new_test_user(
            self.env,
            login="listing_sales",
            groups="sales_team.group_sale_manager,product.group_product_manager",
        )
        kettle = self.template("Odoo Kettle", default_code="KET-SALES")
        self.export(kettle)
        template = kettle.with_user(user)
        template.get_views([(False, "form"), (False, "list")])
        template.write({"name": "Odoo Kettle 2", "list_price": 50.0})
        template.read(["name", "list_price", "bigcommerce_brand_id"])
        # The listing's fields (stores, dimensions) are the BigCommerce
        # groups': this user sees the product as without the addon.
        self.assertNotIn("bigcommerce_width", template.fields_get())
        self.assertNotIn("bigcommerce_instance_ids", template.fields_get())
        kettle.bigcommerce_width = 120.0
        copy = template.copy()
        self.assertFalse(copy.sudo().bigcommerce_instance_ids)
        # Odoo copied the product without the dimensions it may not read; a
        # BigCommerce user's copy keeps them.
        self.assertFalse(copy.sudo().bigcommerce_width)
        self.assertEqual(kettle.copy().bigcommerce_width, 120.0)
        self.assertFalse(
            self.env["bigcommerce.listing.export"].search(
                [("product_tmpl_id", "=", copy.id)]
            )
        )


@tagged("post_install", "-at_install")
class TestListingConcurrency(ConcurrentJobsCase):
    def test_two_jobs_exporting_one_template_make_one_product(self):
        instance_id = self.committed_instance(name="Listing", active=False)
        with self.database().cursor() as cr:
            env = self.environment(cr)
            template = env["product.template"].create(
                {
                    "name": "Concurrent Kettle",
                    "default_code": "KET-CONC",
                    "type": "consu",
                }
            )
            template_id = template.id
            cr.commit()  # pylint: disable=invalid-commit
        client = self.instance._get_client()

        def job(env):
            instance = env["bigcommerce.instance"].browse(instance_id)
            ProductExporter(instance, client).export(
                env["product.template"].browse(template_id)
            )

        try:
            self.run_concurrently([job, job])
            made = [
                p
                for p in self.sandbox.state.products.values()
                if p["sku"] == "KET-CONC"
            ]
            self.assertEqual(len(made), 1)
            self.assertEqual(len(self.sandbox.received_writes("POST", PRODUCTS)), 1)
            rows = self.fetch(
                "SELECT count(*) FROM bigcommerce_product WHERE product_tmpl_id = %s",
                [template_id],
            )
            self.assertEqual(rows, [(1,)])
        finally:
            self.sandbox.reset()


@tagged("post_install", "-at_install")
class TestListingQuota(ListingCase):
    def test_quota_met_between_creations_resumes_and_creates_each_once(self):
        """Queued jobs at the Standard quota (3 s windows), the store's other
        apps leaving the connector a few requests per window: a job stopped
        by the quota keeps what it created and runs again at the reset."""
        self.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=TEST_WINDOW_MS)
        forget_quota(self.env, self.sandbox)
        templates = self.env["product.template"]
        for index in range(30):
            templates |= self.template(
                f"Quota item {index}", default_code=f"QI-{index}"
            )
        self.instance.export_products(template_ids=templates.ids)
        with other_apps(self.sandbox, 135):
            stats = run_jobs(self.env, max_wait=120)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))
        stops = self.env["bigcommerce.log"].search_count(
            [
                ("instance_id", "=", self.instance.id),
                ("operation", "=", "export_products"),
                ("message", "ilike", "Stopped by BigCommerce"),
            ]
        )
        self.assertGreater(stops, 0, "the quota was never met")
        rows = templates.bigcommerce_listing_ids
        self.assertEqual(set(rows.mapped("state")), {"done"})
        for index in range(30):
            made = [
                p
                for p in self.sandbox.state.products.values()
                if p["sku"] == f"QI-{index}"
            ]
            self.assertEqual(len(made), 1, f"QI-{index}")
        self.assertEqual(len(self.sent("POST", PRODUCTS)), 30)
        self.assertEqual(self.sandbox.count_429, 0)
