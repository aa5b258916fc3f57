from odoo.exceptions import UserError
from odoo.tests import tagged

from .inventory_common import InventoryCase


@tagged("post_install", "-at_install")
class TestInventoryImport(InventoryCase):
    def setUp(self):
        super().setUp()
        self.instance.validate_inventory_adjustment = True
        # One product of each kind BigCommerce's stock cannot go into.
        self.lot_product = self.product("SOCK-MER")
        self.lot_product.tracking = "lot"
        self.unbound_variant = self.variant_of("CAP-BSB-BLK")
        self.env["bigcommerce.product.variant"].search(
            [("bigcommerce_id", "=", self.unbound_variant)]
        ).unlink()
        self.untracked_variant = self.variant_of("EBK-TRAIL")

    def test_import_sets_quants_of_two_mapped_locations(self):
        self.import_inventory()
        checked = 0
        for variant_id, product in self.products_by_variant.items():
            if product == self.lot_product or not product.is_storable:
                continue
            if variant_id == self.unbound_variant:
                continue
            for location_id, warehouse in (
                (1, self.main_warehouse),
                (2, self.store_warehouse),
            ):
                self.assertEqual(
                    self.odoo_onhand(product, warehouse),
                    self.bc_onhand(variant_id, location_id),
                    f"{product.default_code} at location {location_id}",
                )
                checked += 1
        self.assertGreater(checked, 80)
        # Odoo's own inventory adjustment: moves from the inventory loss location.
        product = self.product("TSH-ORG-S-BLK")
        move = self.env["stock.move"].search(
            [("product_id", "=", product.id), ("is_inventory", "=", True)]
        )
        self.assertEqual(move.mapped("state"), ["done", "done"])
        # The skipped items are counted with their reason, per location.
        logs = self.env["bigcommerce.log"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("operation", "=", "import_inventory"),
            ]
        )
        self.assertEqual(len(logs), 2)
        for log in logs:
            self.assertEqual(log.state, "done")
            self.assertEqual(log.skipped_count, 3)
            self.assertIn("1 not bound to an Odoo product", log.message)
            self.assertIn("1 not tracked in BigCommerce", log.message)
            self.assertIn("1 tracked by lot or serial number in Odoo", log.message)
        self.assertEqual(self.lot_product.qty_available, 0)
        # BigCommerce's quantities are now known beside Odoo's.
        level = self.env["bigcommerce.inventory.level"].search(
            [
                ("product_id", "=", product.id),
                ("location_binding_id", "=", self.location_store.id),
            ]
        )
        self.assertEqual(
            level.bigcommerce_quantity,
            self.bc_onhand(self.variant_of("TSH-ORG-S-BLK"), 2),
        )
        self.assertFalse(level.stock_differs)

    def test_import_counts_only_what_differs_and_keeps_sub_locations(self):
        product = self.product("TSH-ORG-M-BLK")
        variant_id = self.variant_of("TSH-ORG-M-BLK")
        shelf = self.env["stock.location"].create(
            {"name": "Shelf", "location_id": self.main_warehouse.lot_stock_id.id}
        )
        self.env["stock.quant"]._update_available_quantity(product, shelf, 4)
        self.import_inventory(location_ids=[1])
        # The BigCommerce location is the stock location with its shelves.
        self.assertEqual(
            self.odoo_onhand(product, self.main_warehouse),
            self.bc_onhand(variant_id, 1),
        )
        self.assertEqual(product.with_context(location=shelf.id).qty_available, 4)
        # A second import finds nothing to count.
        self.import_inventory(location_ids=[1])
        log = self.last_log("import_inventory")
        self.assertEqual(log.updated_count, 0)
        self.assertGreater(log.unchanged_count, 40)

    def test_unmapped_location_is_never_touched(self):
        self.location_store.warehouse_id = False
        self.location_store.stock_location_id = False
        product = self.product("TSH-ORG-S-WHT")
        self.env["stock.quant"]._update_available_quantity(
            product, self.store_warehouse.lot_stock_id, 5
        )
        self.import_inventory()
        self.assertEqual(self.odoo_onhand(product, self.store_warehouse), 5)
        paths = {path for _method, path, _query in self.sandbox.request_log}
        self.assertIn("/v3/inventory/locations/1/items", paths)
        self.assertNotIn("/v3/inventory/locations/2/items", paths)
        with self.assertRaisesRegex(UserError, "not mapped"):
            self.import_inventory(location_ids=[2])
        # A location switched off is not touched either.
        self.location_main.sync_stock = False
        with self.assertRaisesRegex(UserError, "Map a BigCommerce location"):
            self.import_inventory()

    def test_without_validation_quantities_are_left_counted(self):
        self.instance.validate_inventory_adjustment = False
        product = self.product("JKT-RAIN-S-NVY")
        variant_id = self.variant_of("JKT-RAIN-S-NVY")
        self.import_inventory(location_ids=[1])
        self.assertEqual(self.odoo_onhand(product, self.main_warehouse), 0)
        quant = self.env["stock.quant"].search(
            [
                ("product_id", "=", product.id),
                ("location_id", "=", self.main_warehouse.lot_stock_id.id),
            ]
        )
        self.assertTrue(quant.inventory_quantity_set)
        self.assertEqual(quant.inventory_quantity, self.bc_onhand(variant_id, 1))
        level = product.bigcommerce_inventory_level_ids
        self.assertEqual(level.bigcommerce_quantity, self.bc_onhand(variant_id, 1))
        self.assertEqual(level.odoo_quantity, 0)
        self.assertTrue(level.stock_differs)
        # A person applies the count: Odoo's adjustment does the rest.
        quant.action_apply_inventory()
        self.assertEqual(
            self.odoo_onhand(product, self.main_warehouse),
            self.bc_onhand(variant_id, 1),
        )

    def test_store_with_one_location_maps_it_to_the_instance_warehouse(self):
        other = self.env["bigcommerce.instance"].create(
            {
                "name": "Single location store",
                "store_hash": "single-location",
                "api_url": self.sandbox.api_url,
                "access_token": self.sandbox.access_token,
            }
        )
        self.sandbox.state.locations = self.sandbox.state.locations[:1]
        other.action_confirm()
        self.assertEqual(other.location_ids.warehouse_id, other.warehouse_id)
        self.assertEqual(
            other.location_ids.stock_location_id, other.warehouse_id.lot_stock_id
        )
        # With several locations nothing is mapped on its own.
        self.assertEqual(len(self.instance.location_ids), 2)
