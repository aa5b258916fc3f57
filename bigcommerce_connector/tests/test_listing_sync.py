"""Listings and the catalog import together: units both ways, no echo, the
imported catalog sends nothing, the schedule."""

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

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
