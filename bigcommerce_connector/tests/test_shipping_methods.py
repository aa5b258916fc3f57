"""Shipping methods (issue 23): per store, a row appears when a method is
first seen; its Odoo carrier goes on the sale order (so on its delivery)
and its product books the shipping line, so shipping revenue splits by
method. The invoices still tie out to BigCommerce's total."""

from odoo.tests import tagged

from .test_order_edits import OrderEditCase


@tagged("post_install", "-at_install")
class TestShippingMethods(OrderEditCase):
    def _carrier(self, name):
        product = self.env["product.product"].create(
            {"name": f"{name} shipping", "type": "service", "taxes_id": False}
        )
        return self.env["delivery.carrier"].create(
            {"name": name, "product_id": product.id, "delivery_type": "fixed"}
        ), product

    def rows(self):
        return self.env["bigcommerce.shipping.method"].search(
            [("instance_id", "=", self.instance.id)]
        )

    def test_two_methods_mapped_to_two_carriers(self):
        (sku,) = self._skus(1)
        # First seen: a row each, to fill in, working like the default row.
        self.invoiced([(sku, 1)], shipping_method="Flat Rate")
        self.invoiced([(sku, 1)], shipping_method="UPS Ground")
        rows = {row.shipping_method: row for row in self.rows() if not row.is_default}
        self.assertEqual(set(rows), {"Flat Rate", "UPS Ground"})
        self.assertTrue(all(row.needs_setup for row in rows.values()))
        self.assertEqual(len(self.rows().filtered("is_default")), 1)
        flat_carrier, flat_product = self._carrier("Local courier")
        ups_carrier, ups_product = self._carrier("UPS")
        rows["Flat Rate"].write(
            {"carrier_id": flat_carrier.id, "product_id": flat_product.id}
        )
        rows["UPS Ground"].write(
            {"carrier_id": ups_carrier.id, "product_id": ups_product.id}
        )
        self.assertFalse(rows["Flat Rate"].needs_setup)
        for method, carrier, product in (
            ("Flat Rate", flat_carrier, flat_product),
            ("UPS Ground", ups_carrier, ups_product),
        ):
            _order, record = self.invoiced([(sku, 1)], shipping_method=method)
            sale_order = record.sale_order_id
            self.assertEqual(sale_order.carrier_id, carrier, method)
            self.assertEqual(sale_order.picking_ids.carrier_id, carrier, method)
            shipping = sale_order.order_line.filtered(
                lambda line: line.bigcommerce_line_kind == "shipping"
            )
            self.assertEqual(shipping.product_id, product, method)
            self.assertEqual(shipping.name, method)
            self.assertBooksFollowBigCommerce(record)
        self.assertEqual(len(self.rows()), 3, "no row added for known methods")

    def test_a_new_method_copies_the_default_row(self):
        (sku,) = self._skus(1)
        carrier, product = self._carrier("Anyone")
        default = self.env["bigcommerce.shipping.method"]._for_method(self.instance, "")
        self.assertTrue(default.is_default)
        default.write({"carrier_id": carrier.id, "product_id": product.id})
        _order, record = self.invoiced([(sku, 1)], shipping_method="UPS Ground")
        self.assertEqual(record.sale_order_id.carrier_id, carrier)
        row = self.rows().filtered(lambda r: r.shipping_method == "UPS Ground")
        self.assertEqual(row.carrier_id, carrier)
        self.assertTrue(row.needs_setup)
        self.assertBooksFollowBigCommerce(record)
