from unittest.mock import patch

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tests import tagged

from ..exporters import inventory as inventory_exporter
from .inventory_common import InventoryCase


@tagged("post_install", "-at_install")
class TestInventoryExport(InventoryCase):
    def setUp(self):
        super().setUp()
        # The initial load: Odoo's stock is BigCommerce's, and known.
        self.instance.validate_inventory_adjustment = True
        self.instance.stock_based_on = "on_hand"
        self.import_inventory()
        self.sku = "TSH-ORG-S-BLK"
        self.variant_id = self.variant_of(self.sku)
        self.tshirt = self.product(self.sku)
        self.start = self.bc_onhand(self.variant_id, 1)
        self.assertGreater(self.start, 5)

    def sent_since(self, count_before):
        return [
            item for body in self.adjustments()[count_before:] for item in body["items"]
        ]

    def test_nothing_changed_sends_zero_requests(self):
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(len(self.adjustments()), before)
        log = self.last_log("export_inventory")
        self.assertEqual((log.updated_count, log.failed_count), (0, 0))
        # Every tracked, storable item is unchanged; the untracked one is
        # skipped at each location.
        self.assertEqual(log.skipped_count, 2)
        self.assertEqual(log.unchanged_count, 2 * (len(self.products_by_variant) - 1))

    def test_after_a_delivery_only_the_changed_item_is_sent_on_hand(self):
        self.deliver(self.tshirt, self.main_warehouse, 3)
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            self.sent_since(before),
            [
                {
                    "location_id": 1,
                    "variant_id": self.variant_id,
                    "quantity": self.start - 3,
                }
            ],
        )
        self.assertEqual(self.bc_onhand(self.variant_id, 1), self.start - 3)
        log = self.last_log("export_inventory")
        self.assertEqual(log.updated_count, 1)
        # A second export with no change: zero requests.
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(len(self.adjustments()), before)
        level = self.tshirt.bigcommerce_inventory_level_ids.filtered(
            lambda level: level.location_binding_id == self.location_main
        )
        self.assertEqual(
            (level.bigcommerce_quantity, level.odoo_quantity, level.stock_differs),
            (self.start - 3, self.start - 3, False),
        )

    def test_free_quantity_deducts_reservations(self):
        self.instance.stock_based_on = "free"
        picking = self.picking(self.tshirt, self.main_warehouse, 2)
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            self.sent_since(before),
            [
                {
                    "location_id": 1,
                    "variant_id": self.variant_id,
                    "quantity": self.start - 2,
                }
            ],
        )
        # Cancelling the delivery releases the reservation.
        picking.action_cancel()
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            self.sent_since(before),
            [{"location_id": 1, "variant_id": self.variant_id, "quantity": self.start}],
        )

    def test_forecast_counts_incoming_and_outgoing(self):
        self.instance.stock_based_on = "forecast"
        self.picking(self.tshirt, self.main_warehouse, 10, incoming=True)
        self.picking(self.tshirt, self.main_warehouse, 4)
        store_start = self.bc_onhand(self.variant_id, 2)
        self.picking(self.tshirt, self.store_warehouse, 1, incoming=True)
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            len(self.adjustments()) - before, 2, "one request per location"
        )
        self.assertCountEqual(
            self.sent_since(before),
            [
                {
                    "location_id": 1,
                    "variant_id": self.variant_id,
                    "quantity": self.start + 6,
                },
                {
                    "location_id": 2,
                    "variant_id": self.variant_id,
                    "quantity": store_start + 1,
                },
            ],
        )

    def test_negative_quantity_is_sent_as_zero(self):
        self.env["stock.quant"]._update_available_quantity(
            self.tshirt, self.main_warehouse.lot_stock_id, -(self.start + 7)
        )
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            self.sent_since(before),
            [{"location_id": 1, "variant_id": self.variant_id, "quantity": 0}],
        )

    def test_product_tracked_by_product_is_sent_by_product_id(self):
        tote = self.product("TOTE-CNV")
        tote_product_id = next(
            pid
            for pid, p in self.sandbox.state.products.items()
            if p["sku"] == "TOTE-CNV"
        )
        expected = self.bc_onhand(self.variant_of("TOTE-CNV"), 2) - 1
        self.deliver(tote, self.store_warehouse, 1)
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            self.sent_since(before),
            [{"location_id": 2, "product_id": tote_product_id, "quantity": expected}],
        )
        self.assertEqual(self.bc_onhand(self.variant_of("TOTE-CNV"), 2), expected)

    def test_422_tracked_by_product_is_sent_again_by_product_id(self):
        # The binding still says "variant": BigCommerce answers the spec's 422.
        tote = self.product("TOTE-CNV")
        binding = self.env["bigcommerce.product.variant"].search(
            [("product_id", "=", tote.id)]
        )
        binding.product_binding_id.inventory_tracking = "variant"
        self.deliver(tote, self.main_warehouse, 1)
        requests_before = self.sandbox.request_count
        before = len(self.adjustments())
        self.export_inventory()
        puts = [
            path
            for method, path, _query in self.sandbox.request_log[requests_before:]
            if method == "PUT"
        ]
        self.assertEqual(len(puts), 2, "the refused request, then by product id")
        expected = self.bc_onhand(self.variant_of("TOTE-CNV"), 1)
        self.assertEqual(
            self.sent_since(before),
            [
                {
                    "location_id": 1,
                    "product_id": binding.bigcommerce_product_id,
                    "quantity": expected,
                }
            ],
        )
        self.assertEqual(binding.inventory_tracking, "product")
        log = self.last_log("export_inventory")
        self.assertEqual((log.updated_count, log.failed_count), (1, 0))

    def test_refused_items_are_failed_with_the_reason_and_not_resent_in_the_run(self):
        binding = self.env["bigcommerce.product.variant"].search(
            [("product_id", "=", self.tshirt.id)]
        )
        # BigCommerce no longer knows the variant (deleted there).
        binding.bigcommerce_id = 999999
        self.deliver(self.tshirt, self.main_warehouse, 1)
        self.export_inventory()
        log = self.last_log("export_inventory")
        self.assertEqual(log.failed_count, 1)
        self.assertIn("Unknown item", log.message)
        level = binding.product_id.bigcommerce_inventory_level_ids.filtered(
            lambda level: level.location_binding_id == self.location_main
        )
        self.assertIn("Unknown item", level.error)
        self.assertTrue(level.stock_differs)

    def test_one_refused_item_does_not_hold_back_the_others(self):
        """BigCommerce refuses a whole request for one bad item and does not
        say which; the others of the request still reach BigCommerce."""
        tracked = [
            (variant_id, product)
            for variant_id, product in sorted(self.products_by_variant.items())
            if product.is_storable and variant_id != self.variant_id
        ][:4]
        self.assertEqual(len(tracked), 4)
        binding = self.env["bigcommerce.product.variant"].search(
            [("product_id", "=", self.tshirt.id)]
        )
        binding.bigcommerce_id = 999999  # deleted in BigCommerce meanwhile
        self.deliver(self.tshirt, self.main_warehouse, 1)
        for _variant_id, product in tracked:
            self.deliver(product, self.main_warehouse, 1)
        expected = {
            variant_id: self.odoo_onhand(product, self.main_warehouse)
            for variant_id, product in tracked
        }
        self.export_inventory()
        for variant_id, quantity in expected.items():
            self.assertEqual(self.bc_onhand(variant_id, 1), quantity, variant_id)
        log = self.last_log("export_inventory")
        self.assertEqual((log.updated_count, log.failed_count), (4, 1))
        level = binding.product_id.bigcommerce_inventory_level_ids.filtered(
            lambda level: level.location_binding_id == self.location_main
        )
        self.assertIn("Unknown item", level.error)

    def test_untracked_items_are_never_exported(self):
        ebook = self.product("EBK-TRAIL")
        ebook.is_storable = True
        self.env["stock.quant"]._update_available_quantity(
            ebook, self.main_warehouse.lot_stock_id, 8
        )
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(len(self.adjustments()), before)

    def test_5xx_between_requests_is_retried_and_the_end_state_is_right(self):
        skus = [
            "TSH-ORG-S-BLK",
            "TSH-ORG-S-WHT",
            "TSH-ORG-M-BLK",
            "JKT-RAIN-S-NVY",
            "HOOD-CLS-S",
        ]
        expected = {}
        for sku in skus:
            variant_id = self.variant_of(sku)
            self.env["stock.quant"]._update_available_quantity(
                self.product(sku), self.main_warehouse.lot_stock_id, 1
            )
            expected[variant_id] = self.bc_onhand(variant_id, 1) + 1
        with (
            patch.object(inventory_exporter, "MAX_ITEMS_PER_REQUEST", 2),
            patch.object(inventory_exporter, "REQUESTS_PER_JOB", 3),
        ):
            # The job as queue_job runs it (never waits): the first request
            # goes through, the second meets a 503; queue_job rolls the job
            # back and runs it again later.
            self.sandbox.queue_faults("ok", "503")
            with self.assertRaises(RetryableJobError), self.env.cr.savepoint():
                self.instance._job_export_inventory()
            self.assertEqual(len(self.sandbox.state.inventory_adjustments), 1)
            self.instance._job_export_inventory()
        # Sent again as absolute values: the first two twice, harmlessly.
        self.assertEqual(len(self.adjustments()), 4)
        for variant_id, quantity in expected.items():
            self.assertEqual(self.bc_onhand(variant_id, 1), quantity)
        self.export_inventory()
        self.assertEqual(len(self.adjustments()), 4)

    def test_large_export_is_split_into_bounded_jobs(self):
        for sku in ["TSH-ORG-S-BLK", "TSH-ORG-S-WHT", "TSH-ORG-M-BLK"]:
            self.env["stock.quant"]._update_available_quantity(
                self.product(sku), self.main_warehouse.lot_stock_id, 2
            )
        before = len(self.adjustments())
        with (
            patch.object(inventory_exporter, "MAX_ITEMS_PER_REQUEST", 1),
            patch.object(inventory_exporter, "REQUESTS_PER_JOB", 2),
        ):
            self.instance._job_export_inventory()
            self.assertEqual(len(self.adjustments()) - before, 2)
            following = self.env["queue.job"].search(
                [
                    ("method_name", "=", "_job_export_inventory"),
                    ("state", "=", "pending"),
                ]
            )
            self.assertEqual(len(following), 1)
            self.instance._job_export_inventory(**following.kwargs)
        self.assertEqual(len(self.adjustments()) - before, 3)

    def test_exports_are_queued_once_per_store_and_after_stock_moves(self):
        self.instance.export_inventory()
        self.instance.export_inventory()
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_job_export_inventory"), ("state", "=", "pending")]
        )
        self.assertEqual(len(jobs), 1)
        # Moves of bound products find the pending job: still one.
        self.deliver(self.tshirt, self.main_warehouse, 1)
        self.deliver(self.product("TOTE-CNV"), self.main_warehouse, 1)
        jobs = self.env["queue.job"].search(
            [("method_name", "=", "_job_export_inventory"), ("state", "=", "pending")]
        )
        self.assertEqual(len(jobs), 1)

    def test_stock_moves_queue_a_debounced_export(self):
        self.deliver(self.tshirt, self.main_warehouse, 1)
        job = self.env["queue.job"].search(
            [("method_name", "=", "_job_export_inventory"), ("state", "=", "pending")]
        )
        self.assertEqual(len(job), 1)
        self.assertTrue(job.eta)
        self.assertEqual(
            job.identity_key, f"bigcommerce-export-inventory-{self.instance.id}"
        )
        # Switched off: nothing is queued.
        job.unlink()
        self.instance.export_inventory_on_stock_change = False
        self.deliver(self.tshirt, self.main_warehouse, 1)
        self.assertFalse(
            self.env["queue.job"].search(
                [("method_name", "=", "_job_export_inventory")]
            )
        )


@tagged("post_install", "-at_install")
class TestInventoryOrderFlow(InventoryCase):
    """An imported order reserves stock; its cancellation releases it."""

    def test_imported_order_reserves_and_its_cancellation_releases(self):
        self.instance.validate_inventory_adjustment = True
        self.instance.stock_based_on = "free"
        self.import_inventory()
        sku = "HOOD-CLS-M"
        variant_id = self.variant_of(sku)
        start = self.bc_onhand(variant_id, 1)
        self.assertGreater(start, 2)
        # Orders are confirmed, not invoiced: a cancelled order with a posted
        # invoice is flagged for review rather than cancelled (see Orders).
        self.instance.payment_mapping_ids.write(
            {"register_payment": False, "post_invoice": False, "create_invoice": False}
        )
        order = self.sandbox.create_order(status_id=11, lines=[(sku, 2)])
        self.instance.with_context(queue_job__no_delay=True).import_orders(
            order_ids=[order["id"]]
        )
        sale = (
            self.env["bigcommerce.order"]
            .search([("bigcommerce_id", "=", order["id"])])
            .sale_order_id
        )
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.picking_ids.state, "assigned")
        # The reservation queued the debounced export; it sends the free quantity.
        self.assertTrue(
            self.env["queue.job"].search(
                [
                    ("method_name", "=", "_job_export_inventory"),
                    ("state", "=", "pending"),
                ]
            )
        )
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            [i for body in self.adjustments()[before:] for i in body["items"]],
            [{"location_id": 1, "variant_id": variant_id, "quantity": start - 2}],
        )
        # BigCommerce cancels the order: its import cancels the sale order,
        # the delivery releases the stock, the export publishes it back.
        # (Later in BigCommerce's clock: a version with the same
        # date_modified is not newer, and is not applied.)
        self.sandbox.advance_clock(60)
        self.sandbox.set_order_status(order["id"], 5)
        self.instance.with_context(queue_job__no_delay=True).import_orders(
            order_ids=[order["id"]]
        )
        self.assertEqual(sale.state, "cancel")
        before = len(self.adjustments())
        self.export_inventory()
        self.assertEqual(
            [i for body in self.adjustments()[before:] for i in body["items"]],
            [{"location_id": 1, "variant_id": variant_id, "quantity": start}],
        )
