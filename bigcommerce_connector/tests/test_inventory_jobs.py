from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tests import tagged

from .common import ConcurrentJobsCase


@tagged("post_install", "-at_install")
class TestInventoryExportConcurrency(ConcurrentJobsCase):
    """Two exports of one store at once: the second waits for the first."""

    def committed_store(self):
        """A confirmed store with location 1 mapped and two bound variants
        whose Odoo stock BigCommerce has never acknowledged (committed)."""
        instance_id = self.committed_instance(
            name="Concurrent stock exports", stock_based_on="on_hand"
        )
        with self.database().cursor() as cr:
            env = self.environment(cr)
            instance = env["bigcommerce.instance"].browse(instance_id)
            warehouse = instance.warehouse_id
            env["bigcommerce.location"].create(
                {
                    "instance_id": instance_id,
                    "bigcommerce_id": 1,
                    "name": "Main warehouse",
                    "enabled": True,
                    "warehouse_id": warehouse.id,
                }
            )
            product_binding = env["bigcommerce.product"].create(
                {
                    "instance_id": instance_id,
                    "bigcommerce_id": 111,
                    "inventory_tracking": "variant",
                }
            )
            for variant_id, quantity in ((201, 5), (202, 7)):
                product = env["product.product"].create(
                    {
                        "name": f"Concurrent export {variant_id}",
                        "default_code": f"INV-CONCURRENT-{variant_id}",
                        "type": "consu",
                        "is_storable": True,
                    }
                )
                env["bigcommerce.product.variant"].create(
                    {
                        "instance_id": instance_id,
                        "bigcommerce_id": variant_id,
                        "bigcommerce_product_id": 111,
                        "product_binding_id": product_binding.id,
                        "product_id": product.id,
                    }
                )
                env["stock.quant"]._update_available_quantity(
                    product, warehouse.lot_stock_id, quantity
                )
            cr.commit()  # pylint: disable=invalid-commit
        return instance_id

    def archive(self, instance_id):
        """The committed store must not show up in other classes' crons."""
        with self.database().cursor() as cr:
            self.environment(cr)["bigcommerce.instance"].browse(instance_id).write(
                {"state": "draft", "active": False}
            )
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_exports_at_once_run_one_after_the_other(self):
        instance_id = self.committed_store()
        self.addCleanup(self.archive, instance_id)
        adjustments = self.sandbox.state.inventory_adjustments
        database = self.database()
        with database.cursor() as first_cr, database.cursor() as second_cr:
            first = self.environment(first_cr)["bigcommerce.instance"].browse(
                instance_id
            )
            second = self.environment(second_cr)["bigcommerce.instance"].browse(
                instance_id
            )
            first._job_export_inventory()
            self.assertEqual(len(adjustments), 1)
            self.assertEqual(
                sorted(
                    (i["variant_id"], i["quantity"]) for i in adjustments[0]["items"]
                ),
                [(201, 5), (202, 7)],
            )
            # The first export has not committed: the second one is postponed
            # by queue_job instead of sending what the first is sending.
            with self.assertRaises(RetryableJobError):
                second._job_export_inventory()
            self.assertEqual(len(adjustments), 1)
            second_cr.rollback()
            first_cr.commit()  # pylint: disable=invalid-commit
            # queue_job runs it again later, in a new transaction: it sees
            # what the first one recorded, and sends nothing.
            second.env.invalidate_all()
            second._job_export_inventory()
            second_cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(len(adjustments), 1)
        self.assertEqual(
            self.fetch(
                "SELECT count(*) FROM bigcommerce_inventory_level "
                "WHERE instance_id = %s AND acknowledged",
                [instance_id],
            ),
            [(2,)],
        )
