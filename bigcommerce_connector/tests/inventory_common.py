from odoo import Command

from .common import BigcommerceSandboxCase, forget_quota


class InventoryCase(BigcommerceSandboxCase):
    """The sandbox's seeded catalog bound to Odoo products, two warehouses.

    Bindings are created directly for the seeded variants (the catalog
    import has tests of its own); BigCommerce location 1 maps to the main
    warehouse, location 2 to a second one.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()
        cls.main_warehouse = cls.instance.warehouse_id
        cls.store_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Store front", "code": "SFR"}
        )
        cls.location_main = cls._location(1)
        cls.location_store = cls._location(2)
        cls.location_main.warehouse_id = cls.main_warehouse
        cls.location_store.warehouse_id = cls.store_warehouse
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.suppliers = cls.env.ref("stock.stock_location_suppliers")
        cls.bind_catalog()

    def tearDown(self):
        self.sandbox.clear_faults()
        self.sandbox.reset()
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    @classmethod
    def _location(cls, bigcommerce_id):
        return cls.instance.location_ids.filtered(
            lambda location: location.bigcommerce_id == bigcommerce_id
        )

    @classmethod
    def bind_catalog(cls):
        """One storable Odoo product per seeded variant, bound to it."""
        state = cls.sandbox.state
        cls.products_by_variant = {}
        for product_id, product in state.products.items():
            product_binding = cls.env["bigcommerce.product"].create(
                {
                    "instance_id": cls.instance.id,
                    "bigcommerce_id": product_id,
                    "name": product["name"],
                    "sku": product["sku"],
                    "inventory_tracking": product["inventory_tracking"],
                    "base_variant_id": product.get("base_variant_id") or 0,
                }
            )
            for variant in state.variants[product_id]:
                odoo_product = cls.env["product.product"].create(
                    {
                        "name": variant["sku"],
                        "default_code": variant["sku"],
                        "type": "consu",
                        "is_storable": product["type"] == "physical",
                    }
                )
                cls.env["bigcommerce.product.variant"].create(
                    {
                        "instance_id": cls.instance.id,
                        "bigcommerce_id": variant["id"],
                        "bigcommerce_product_id": product_id,
                        "product_binding_id": product_binding.id,
                        "product_id": odoo_product.id,
                        "sku": variant["sku"],
                        "is_base_variant": not variant["option_values"],
                    }
                )
                cls.products_by_variant[variant["id"]] = odoo_product

    # Helpers

    def bc_onhand(self, variant_id, location_id):
        return self.sandbox.state.inventory[(variant_id, location_id)][
            "total_inventory_onhand"
        ]

    def odoo_onhand(self, product, warehouse):
        return product.with_context(location=warehouse.lot_stock_id.id).qty_available

    def variant_of(self, sku):
        for variants in self.sandbox.state.variants.values():
            for variant in variants:
                if variant["sku"] == sku:
                    return variant["id"]
        raise KeyError(sku)

    def product(self, sku):
        return self.products_by_variant[self.variant_of(sku)]

    def import_inventory(self, **kwargs):
        return self.instance.with_context(queue_job__no_delay=True).import_inventory(
            **kwargs
        )

    def export_inventory(self, **kwargs):
        return self.instance.with_context(queue_job__no_delay=True).export_inventory(
            **kwargs
        )

    def last_log(self, operation):
        return self.env["bigcommerce.log"].search(
            [("instance_id", "=", self.instance.id), ("operation", "=", operation)],
            limit=1,
        )

    def adjustments(self):
        return self.sandbox.state.inventory_adjustments

    def picking(self, product, warehouse, quantity, incoming=False):
        """A confirmed delivery (or receipt) of ``quantity`` at ``warehouse``."""
        stock = warehouse.lot_stock_id
        source, destination = (
            (self.suppliers, stock) if incoming else (stock, self.customers)
        )
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": (
                    warehouse.in_type_id if incoming else warehouse.out_type_id
                ).id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking

    def deliver(self, product, warehouse, quantity):
        """A delivery of ``quantity`` from ``warehouse``, done."""
        picking = self.picking(product, warehouse, quantity)
        picking.action_assign()
        picking.move_ids.quantity = quantity
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking
