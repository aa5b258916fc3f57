from unittest.mock import patch

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged
from odoo.tools import float_round

from bigcommerce_sandbox.seed.catalog import VARIANT_IMAGE_SKU

from ..importers import product as product_importer
from .common import (
    TEST_QUOTA,
    TEST_WINDOW_MS,
    BigcommerceSandboxCase,
    ConcurrentJobsCase,
    forget_quota,
    other_apps_every_window,
    run_jobs,
)


def _product_by_sku(state, sku):
    return next(p for p in state.products.values() if p["sku"] == sku)


@tagged("post_install", "-at_install")
class TestCatalogImport(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.write({"create_products": True, "update_product_category": True})
        cls.instance.action_confirm()

    def setUp(self):
        super().setUp()
        # The realistic quota (150 requests / 30 s): the catalog import of
        # the seeded store needs a handful of requests.
        self.sandbox.set_rate_limit()

    def tearDown(self):
        self.sandbox.reset()
        # Back to the store every suite runs at (start_sandbox).
        self.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=TEST_WINDOW_MS)
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    # Helpers

    def inline(self):
        return self.instance.with_context(queue_job__no_delay=True)

    def import_products(self, **kwargs):
        return self.inline().import_products(**kwargs)

    def binding(self, sku):
        return self.binding_by_id(_product_by_sku(self.sandbox.state, sku)["id"])

    def binding_by_id(self, product_id):
        product = {"id": product_id}
        return (
            self.env["bigcommerce.product"]
            .with_context(active_test=False)
            .search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "=", product["id"]),
                ]
            )
        )

    # Tests

    def test_options_make_one_template_with_matching_variants(self):
        self.import_products()
        jacket = _product_by_sku(self.sandbox.state, VARIANT_IMAGE_SKU)
        variants = self.sandbox.state.variants[jacket["id"]]
        self.assertEqual(len(variants), 6)
        binding = self.binding(VARIANT_IMAGE_SKU)
        template = binding.product_tmpl_id
        self.assertEqual(len(template.product_variant_ids), 6)
        self.assertEqual(
            template.attribute_line_ids.attribute_id.mapped("name"), ["Size", "Color"]
        )
        self.assertEqual(len(binding.variant_ids), 6)
        for variant in variants:
            vb = binding.variant_ids.filtered(
                lambda b, v=variant: b.bigcommerce_id == v["id"]
            )
            product = vb.product_id
            self.assertEqual(product.default_code, variant["sku"])
            self.assertEqual(product.product_tmpl_id, template)
            self.assertEqual(
                sorted(product.product_template_attribute_value_ids.mapped("name")),
                sorted(ov["label"] for ov in variant["option_values"]),
            )
            self.assertAlmostEqual(product.lst_price, variant["calculated_price"])
        # A priced option value (XL +4) is an attribute price extra.
        shirt = _product_by_sku(self.sandbox.state, "TSH-ORG")
        shirt_binding = self.binding("TSH-ORG")
        for variant in self.sandbox.state.variants[shirt["id"]]:
            product = shirt_binding.variant_ids.filtered(
                lambda b, v=variant: b.bigcommerce_id == v["id"]
            ).product_id
            self.assertAlmostEqual(product.lst_price, variant["calculated_price"])
        # Carried values: weight (store in kg), cost, type, brand, category.
        self.assertTrue(template.is_storable)
        self.assertEqual(
            template.bigcommerce_brand_id.bigcommerce_id, jacket["brand_id"]
        )
        self.assertEqual(template.categ_id.name, "Outerwear")
        self.assertEqual(template.categ_id.parent_id.name, "Apparel")
        self.assertAlmostEqual(template.product_variant_ids[0].weight, jacket["weight"])
        self.assertAlmostEqual(
            template.product_variant_ids[0].standard_price, variants[0]["cost_price"]
        )
        ebook = self.binding("EBK-TRAIL").product_tmpl_id
        self.assertEqual(ebook.type, "service")
        # A product without options is a simple template.
        tote = self.binding("TOTE-CNV").product_tmpl_id
        self.assertEqual(len(tote.product_variant_ids), 1)
        self.assertEqual(tote.default_code, "TOTE-CNV")
        self.assertEqual(len(tote.attribute_line_ids), 0)

    def test_existing_product_same_sku_other_case_is_bound(self):
        existing = self.env["product.product"].create(
            {"name": "Our tote", "default_code": "tote-cnv", "type": "consu"}
        )
        decoy = self.env["product.product"].create(
            {"name": "Decoy", "default_code": "MUGXENM", "type": "consu"}
        )
        self.sandbox.update_product(
            _product_by_sku(self.sandbox.state, "MUG-ENM")["id"], sku="MUG_ENM"
        )
        mug = _product_by_sku(self.sandbox.state, "MUG_ENM")
        self.sandbox.state.variants[mug["id"]][0]["sku"] = "MUG_ENM"
        self.import_products()
        self.assertEqual(
            self.binding("TOTE-CNV").product_tmpl_id, existing.product_tmpl_id
        )
        self.assertEqual(
            self.env["product.product"].search_count(
                [("default_code", "=ilike", "tote-cnv")]
            ),
            1,
        )
        # "_" is not a wildcard: MUG_ENM does not match MUGXENM.
        mug_product = self.binding("MUG_ENM").variant_ids.product_id
        self.assertNotEqual(mug_product, decoy)
        self.assertEqual(mug_product.default_code, "MUG_ENM")

    def test_reimport_creates_and_downloads_nothing(self):
        self.import_products()
        templates = self.env["product.template"].with_context(active_test=False)
        count = templates.search_count([])
        images = self.env["bigcommerce.product.image"].search(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertTrue(images)
        self.assertEqual(set(images.mapped("state")), {"done"})
        requests_before = self.sandbox.request_count
        with trap_jobs() as trap:
            self.instance.import_products()
            self.assertEqual(
                [job.method_name for job in trap.enqueued_jobs],
                ["_job_import_products"],
            )
            trap.perform_enqueued_jobs()
            # No download job (nor another page) was queued by the page.
            self.assertEqual(trap.enqueued_jobs, [])
        self.assertEqual(templates.search_count([]), count)
        # One page request.
        self.assertEqual(self.sandbox.request_count - requests_before, 1)

    def test_images_primary_gallery_and_variant(self):
        self.import_products()
        for sku in ("TSH-ORG", VARIANT_IMAGE_SKU):
            binding = self.binding(sku)
            self.assertTrue(binding.product_tmpl_id.image_1920)
            product = _product_by_sku(self.sandbox.state, sku)
            gallery = binding.image_ids.filtered(lambda i: not i.product_id)
            self.assertEqual(
                len(gallery), len(self.sandbox.state.images[product["id"]])
            )
            self.assertTrue(all(gallery.mapped("image_1920")))
            self.assertEqual(
                binding.product_tmpl_id.bigcommerce_image_ids.filtered(
                    lambda i: not i.product_id
                ),
                gallery,
            )
        jacket = self.binding(VARIANT_IMAGE_SKU)
        for product in jacket.variant_ids.product_id:
            self.assertTrue(product.image_variant_1920)

    def test_price_change_is_picked_up_by_the_next_poll(self):
        self.inline()._job_poll_products()
        self.sandbox.advance_clock(600)
        tote = _product_by_sku(self.sandbox.state, "TOTE-CNV")
        self.sandbox.update_product(tote["id"], price=31.5)
        self.inline()._job_poll_products()
        self.assertAlmostEqual(
            self.binding("TOTE-CNV").product_tmpl_id.list_price, 31.5
        )

    def test_category_tree_and_brand(self):
        self.inline().import_categories()
        categories = self.env["bigcommerce.category"].search(
            [("instance_id", "=", self.instance.id)]
        )
        self.assertEqual(len(categories), len(self.sandbox.state.tree_categories))
        tshirts = categories.filtered(lambda c: c.name == "T-Shirts")
        self.assertEqual(tshirts.parent_id.name, "Apparel")
        self.assertEqual(tshirts.complete_name, "Apparel / T-Shirts")
        self.assertEqual(
            tshirts.product_category_id.parent_id, tshirts.parent_id.product_category_id
        )
        self.assertEqual(
            tshirts.parent_id.product_category_id.parent_id,
            self.instance.category_root_id,
        )
        self.import_products()
        brand = self.env["bigcommerce.brand"].search(
            [("instance_id", "=", self.instance.id), ("name", "=", "Trailhead")]
        )
        self.assertTrue(brand.image_1920)
        found = self.env["product.template"].search(
            [("bigcommerce_brand_id", "=", brand.id)]
        )
        expected = {
            p["sku"]
            for p in self.sandbox.state.products.values()
            if p["brand_id"] == brand.bigcommerce_id
        }
        self.assertEqual(set(found.mapped(lambda t: self.binding_of(t).sku)), expected)
        groups = self.env["product.template"]._read_group(
            [("bigcommerce_brand_id", "!=", False)],
            ["bigcommerce_brand_id"],
            ["__count"],
        )
        self.assertIn(brand, [group for group, _count in groups])

    def binding_of(self, template):
        return template.bigcommerce_product_ids.filtered(
            lambda b: b.instance_id == self.instance
        )

    def test_deleted_product_is_archived(self):
        self.import_products()
        tote = _product_by_sku(self.sandbox.state, "TOTE-CNV")
        template = self.binding("TOTE-CNV").product_tmpl_id
        self.sandbox.delete_product(tote["id"])
        self.import_products(product_ids=[tote["id"]])
        self.assertFalse(self.binding_by_id(tote["id"]).active)
        self.assertFalse(template.active)
        self.assertTrue(template.exists())
        # A full import archives what it no longer reads, too.
        bottle = _product_by_sku(self.sandbox.state, "BTL-INS")
        self.sandbox.delete_product(bottle["id"])
        self.import_products()
        self.assertFalse(self.binding_by_id(bottle["id"]).product_tmpl_id.active)

    def test_confirm_queues_the_category_and_brand_imports(self):
        other = self.env["bigcommerce.instance"].create(
            {
                "name": "Second sandbox store",
                "store_hash": "second-catalog",
                "access_token": self.sandbox.access_token,
                "api_url": self.sandbox.api_url,
            }
        )
        with trap_jobs() as trap:
            other.action_confirm()
            trap.assert_jobs_count(1, only=other._job_import_categories)
            trap.assert_jobs_count(1, only=other._job_import_brands)
            trap.assert_enqueued_job(
                other._job_import_categories,
                kwargs={"category_ids": None},
                properties={"channel": other._queue_channel()},
            )
            trap.assert_enqueued_job(
                other._job_import_brands,
                kwargs={"brand_ids": None},
                properties={"channel": other._queue_channel()},
            )
            # Queued, not run in the button's request.
            self.assertFalse(
                self.env["bigcommerce.category"].search(
                    [("instance_id", "=", other.id)]
                )
            )
            trap.perform_enqueued_jobs()
        self.assertEqual(
            self.env["bigcommerce.category"].search_count(
                [("instance_id", "=", other.id)]
            ),
            len(self.sandbox.state.tree_categories),
        )
        self.assertEqual(
            self.env["bigcommerce.brand"].search_count(
                [("instance_id", "=", other.id)]
            ),
            len(self.sandbox.state.brands),
        )

    def test_barcode_from_upc_or_gtin_unless_another_product_has_it(self):
        state = self.sandbox.state
        tote = _product_by_sku(state, "TOTE-CNV")
        tote["upc"] = "012345678905"  # a product without options: its own
        jacket = _product_by_sku(state, VARIANT_IMAGE_SKU)
        first, second, third = state.variants[jacket["id"]][:3]
        first["upc"] = "4006381333931"
        second["gtin"] = "00012345600012"
        third["gtin"] = "00099999999997"
        holder = self.env["product.product"].create(
            {"name": "Has it already", "barcode": "00099999999997", "type": "consu"}
        )
        self.import_products()

        def product_of(variant):
            return (
                self.binding(VARIANT_IMAGE_SKU)
                .variant_ids.filtered(lambda b: b.bigcommerce_id == variant["id"])
                .product_id
            )

        self.assertEqual(
            self.binding("TOTE-CNV").variant_ids.product_id.barcode, "012345678905"
        )
        self.assertEqual(product_of(first).barcode, "4006381333931")
        self.assertEqual(product_of(second).barcode, "00012345600012")
        # Taken by another product: left off, never moved nor duplicated.
        self.assertFalse(product_of(third).barcode)
        self.assertEqual(holder.barcode, "00099999999997")
        self.assertTrue(product_of(third))

    def test_catalog_pricelist_keeps_each_variants_price(self):
        state = self.sandbox.state
        jacket = _product_by_sku(state, VARIANT_IMAGE_SKU)
        # A price no attribute extra can give: one size and colour costs more
        # while the others keep the product's price.
        odd = state.variants[jacket["id"]][0]
        odd["price"] = odd["calculated_price"] = 141.0
        pricelist = self.env["product.pricelist"].create(
            {"name": "BigCommerce catalog", "currency_id": self.instance.currency_id.id}
        )
        self.instance.pricelist_id = pricelist
        self.import_products()
        bindings = self.env["bigcommerce.product.variant"].search(
            [("instance_id", "=", self.instance.id)]
        )
        variants = {v["id"]: v for rows in state.variants.values() for v in rows}
        self.assertEqual(len(bindings), len(variants))
        # One fixed price item per bound variant, at BigCommerce's price.
        items = pricelist.item_ids
        self.assertEqual(
            sorted(
                (item.product_id.id, item.compute_price, item.fixed_price)
                for item in items
            ),
            sorted(
                (
                    binding.product_id.id,
                    "fixed",
                    variants[binding.bigcommerce_id]["calculated_price"],
                )
                for binding in bindings
            ),
        )
        odd_product = (
            self.binding(VARIANT_IMAGE_SKU)
            .variant_ids.filtered(lambda b: b.bigcommerce_id == odd["id"])
            .product_id
        )
        # Only the pricelist has the exact price of the odd variant.
        self.assertEqual(pricelist._get_product_price(odd_product, 1.0), 141.0)
        self.assertNotEqual(odd_product.lst_price, 141.0)
        # Not one item more per import.
        self.sandbox.advance_clock(60)
        self.sandbox.update_product(jacket["id"], name="Rain jacket (renamed)")
        self.import_products()
        self.assertEqual(pricelist.item_ids, items)

    def test_hidden_or_disabled_products_are_archived_until_shown_again(self):
        self.import_products()
        state = self.sandbox.state
        tote = _product_by_sku(state, "TOTE-CNV")
        bottle = _product_by_sku(state, "BTL-INS")
        self.assertTrue(self.binding("TOTE-CNV").product_tmpl_id.active)
        self.sandbox.advance_clock(60)
        self.sandbox.update_product(tote["id"], is_visible=False)
        self.sandbox.update_product(bottle["id"], availability="disabled")
        self.import_products()
        self.assertFalse(self.binding("TOTE-CNV").product_tmpl_id.active)
        self.assertFalse(self.binding("BTL-INS").product_tmpl_id.active)
        self.assertTrue(self.binding("PST-MAP").product_tmpl_id.active)
        self.sandbox.advance_clock(60)
        self.sandbox.update_product(tote["id"], is_visible=True)
        self.import_products()
        self.assertTrue(self.binding("TOTE-CNV").product_tmpl_id.active)
        self.assertFalse(self.binding("BTL-INS").product_tmpl_id.active)

    def test_weight_is_converted_from_the_stores_unit(self):
        # The store weighs in pounds (GET /v2/store weight_units), Odoo in kg.
        self.sandbox.state.store_info["weight_units"] = "LBS"
        self.instance.action_confirm()
        self.assertEqual(
            self.instance.weight_uom_id, self.env.ref("uom.product_uom_lb")
        )
        self.import_products()
        jacket = _product_by_sku(self.sandbox.state, VARIANT_IMAGE_SKU)
        template = self.binding(VARIANT_IMAGE_SKU).product_tmpl_id
        # Odoo keeps weights at its "Stock Weight" precision (0.01 kg).
        digits = template.product_variant_ids._fields["weight"].get_digits(self.env)[1]
        kilograms = float_round(jacket["weight"] * 0.45359237, precision_digits=digits)
        self.assertNotEqual(kilograms, jacket["weight"])  # 0.29 kg, not 0.65
        self.assertEqual(
            set(template.product_variant_ids.mapped("weight")), {kilograms}
        )

    def test_store_from_zero_imports_catalog_then_every_order(self):
        self.import_products()
        self.inline().import_orders()
        records = self.env["bigcommerce.order"].search(
            [("instance_id", "=", self.instance.id)]
        )
        eligible = self.instance._eligible_status_ids()
        expected = {
            order["id"]
            for order in self.sandbox.state.orders.values()
            if order["status_id"] in eligible and not order["is_deleted"]
        }
        self.assertGreaterEqual(len(expected), 200)
        # Every eligible order, once, each booked: neither failed nor left
        # for review (a product the catalog made wrongly shows as a total
        # that differs).
        self.assertEqual(sorted(records.mapped("bigcommerce_id")), sorted(expected))
        self.assertEqual(
            [
                f"{r.bigcommerce_id}: {r.state} {r.failure_reason}"
                for r in records
                if r.state != "done"
            ],
            [],
        )
        self.assertEqual(len(records.sale_order_id), len(expected))
        # Every order line is a product of the catalog import, bound by it.
        lines = records.sale_order_id.order_line.filtered(
            lambda line: line.bigcommerce_line_kind == "product"
            and line.product_id.default_code
        )
        bound = (
            self.env["bigcommerce.product.variant"]
            .search([("instance_id", "=", self.instance.id)])
            .product_id
        )
        self.assertTrue(lines)
        self.assertFalse(lines.product_id - bound)

    def test_quota_met_in_the_middle_of_the_pages_resumes_that_page(self):
        """Queued product pages at the Standard quota, the store's other apps
        leaving the connector one request per window (at the start of every
        window, whatever the jobs' speed): a page stopped by
        the quota runs again later from its own ``id:greater``, never from
        the first page, and every product is bound once."""
        self.sandbox.set_rate_limit(quota=TEST_QUOTA, window_ms=TEST_WINDOW_MS)
        forget_quota(self.env, self.sandbox)
        state = self.sandbox.state
        before = self.sandbox.request_count
        # Pages of 3 products (any limit up to 250 is valid): the 20 seeded
        # products make 7 pages, so the quota is met between two of them.
        with patch.object(product_importer, "PAGE_SIZE", 3):
            self.instance.import_products()
            with other_apps_every_window(self.sandbox, 142):
                stats = run_jobs(self.env, max_wait=120)
        self.assertFalse(stats["failed"], stats["failed"].mapped("exc_info"))
        # Met on a page's first request: queue_job postpones the job; met
        # after it (its categories, brands): the page is queued again, due
        # when the quota resets, with what it read staged.
        resumed = (
            self.env["queue.job"]
            .sudo()
            .search_count(
                [("method_name", "=", "_job_import_products"), ("eta", "!=", False)]
            )
        )
        self.assertGreater(stats["postponed"] + resumed, 0, "the quota was never met")
        after_ids = [
            int(query.get("id:greater", 0))
            for method, path, query in self.sandbox.request_log[before:]
            if method == "GET" and path == "/v3/catalog/products"
        ]
        # One request per page, plus the repeats of a stopped page, in id
        # order: a page is never read again after a later one (no restart
        # from the first page).
        self.assertEqual(after_ids, sorted(after_ids))
        self.assertEqual(len(set(after_ids)), 7, after_ids)
        bindings = (
            self.env["bigcommerce.product"]
            .with_context(active_test=False)
            .search([("instance_id", "=", self.instance.id)])
        )
        self.assertEqual(
            sorted(bindings.mapped("bigcommerce_id")), sorted(state.products)
        )
        self.assertEqual(len(bindings.product_tmpl_id), len(bindings))
        Product = self.env["product.product"].with_context(active_test=False)
        for variants in state.variants.values():
            for variant in variants:
                if variant["sku"]:
                    self.assertEqual(
                        Product.search_count([("default_code", "=", variant["sku"])]),
                        1,
                        variant["sku"],
                    )

    def test_unknown_sku_on_an_order_imports_its_product(self):
        jacket = _product_by_sku(self.sandbox.state, VARIANT_IMAGE_SKU)
        variant = self.sandbox.state.variants[jacket["id"]][2]
        order = self.sandbox.create_order(lines=[(variant["sku"], 1)], status_id=11)
        self.inline().import_orders(order_ids=[order["id"]])
        record = self.env["bigcommerce.order"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", order["id"]),
            ]
        )
        self.assertEqual(record.state, "done", record.failure_reason)
        line = record.sale_order_id.order_line.filtered(
            lambda line: line.product_id.default_code == variant["sku"]
        )
        self.assertEqual(
            len(self.binding(VARIANT_IMAGE_SKU).product_tmpl_id.product_variant_ids), 6
        )
        self.assertEqual(
            line.product_id.product_tmpl_id,
            self.binding(VARIANT_IMAGE_SKU).product_tmpl_id,
        )


@tagged("post_install", "-at_install")
class TestCatalogConcurrency(ConcurrentJobsCase):
    def test_two_jobs_creating_the_same_attributes_make_one(self):
        state = self.sandbox.state
        products = [
            p for p in state.products.values() if p["sku"] in ("JKT-RAIN", "VST-FLC")
        ]
        # Both products get options of a name no attribute has yet.
        for product in products:
            for variant in state.variants[product["id"]]:
                for option_value in variant["option_values"]:
                    option_value["option_display_name"] += " Concurrency"
        # Archived: this committed store must not be polled by the other
        # suites' cron tests.
        instance_id = self.committed_instance(
            name="Catalog", create_products=True, active=False
        )
        client = self.instance._get_client()
        pages = [
            client.request(
                "GET",
                "v3",
                "catalog/products",
                params={"include": "variants,images", "id:in": str(product["id"])},
            )["data"]
            for product in products
        ]

        def job(rows):
            def run(env):
                from ..importers.product import ProductImporter

                instance = env["bigcommerce.instance"].browse(instance_id)
                ProductImporter(instance, client).import_rows(rows)

            return run

        try:
            self.run_concurrently([job(pages[0]), job(pages[1])])
            rows = self.fetch(
                "SELECT name->>'en_US', count(*) FROM product_attribute "
                "WHERE name->>'en_US' LIKE '%% Concurrency' GROUP BY 1",
                [],
            )
            self.assertEqual(
                sorted(rows), [("Color Concurrency", 1), ("Size Concurrency", 1)]
            )
            values = self.fetch(
                "SELECT v.name->>'en_US', count(*) FROM product_attribute_value v "
                "JOIN product_attribute a ON a.id = v.attribute_id "
                "WHERE a.name->>'en_US' = 'Size Concurrency' GROUP BY 1",
                [],
            )
            self.assertEqual(sorted(values), [("L", 1), ("M", 1), ("S", 1)])
        finally:
            self.sandbox.reset()
