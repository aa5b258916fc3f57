from odoo.tests import tagged
from odoo.tools import mute_logger

from ..client import TransportError
from ..exporters.shipment import ShipmentExporter
from .common import run_jobs
from .test_order_workflow import WorkflowCase

SHIPMENTS = r"/v2/orders/\d+/shipments"
JOB_LOGGER = "odoo.addons.bigcommerce_connector.tools.job_retry"


class ExportCase(WorkflowCase):
    """An imported order in the sandbox, delivered in Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ship = cls.env["product.product"].create(
            {"name": "Shipping", "type": "service"}
        )
        cls.ups = cls.env["delivery.carrier"].create(
            {"name": "UPS Ground", "product_id": ship.id}
        )
        cls.local = cls.env["delivery.carrier"].create(
            {"name": "Bike Courier", "product_id": ship.id}
        )

    def setUp(self):
        super().setUp()
        self.sandbox.received.clear()
        self.addCleanup(self.sandbox.clear_faults)

    def imported(self, lines, **options):
        """A new sandbox order, imported: (BigCommerce order, sale order)."""
        order = self.sandbox.create_order(status_id=11, lines=lines, **options)
        self.import_orders(order_ids=[order["id"]])
        record = self.record_of(order)
        self.assertEqual(record.state, "done", record.failure_reason)
        return order, record.sale_order_id

    def order_lines(self, order):
        return self.sandbox.state.order_products[order["id"]]

    def deliver(self, picking, quantities=None, tracking=None, carrier=None):
        """Validate ``picking`` with {sku: units} (all by default)."""
        picking = picking.with_context(queue_job__no_delay=True)
        if carrier:
            picking.carrier_id = carrier
        if tracking:
            picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            if quantities is not None:
                move.quantity = quantities.get(move.product_id.default_code, 0)
            else:
                move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        return picking

    def posted(self):
        return self.sandbox.received_writes("POST", SHIPMENTS)

    def export_of(self, picking):
        return self.env["bigcommerce.shipment.export"].search(
            [("picking_id", "=", picking.id)]
        )


@tagged("post_install", "-at_install")
class TestShipmentExport(ExportCase):
    def test_partial_delivery_then_backorder(self):
        order, sale = self.imported([("TOTE-CNV", 3)])
        line = self.order_lines(order)[0]
        picking = self.deliver(
            sale.picking_ids, {"TOTE-CNV": 2}, tracking="1Z999AA1", carrier=self.ups
        )
        self.assertEqual(
            self.posted(),
            [
                {
                    "order_address_id": line["order_address_id"],
                    "items": [{"order_product_id": line["id"], "quantity": 2}],
                    "tracking_number": "1Z999AA1",
                    "shipping_method": "UPS Ground",
                    "tracking_carrier": "ups",
                }
            ],
        )
        export = self.export_of(picking)
        self.assertEqual(export.state, "done")
        self.assertEqual(export.shipment_ids.origin, "odoo")
        self.assertEqual(line["quantity_shipped"], 2)
        backorder = sale.picking_ids - picking
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)
        self.deliver(backorder, tracking="1Z999AA2", carrier=self.ups)
        second = self.posted()[1]
        self.assertEqual(
            second["items"], [{"order_product_id": line["id"], "quantity": 1}]
        )
        self.assertEqual(second["tracking_number"], "1Z999AA2")
        self.assertEqual(line["quantity_shipped"], 3)
        self.assertEqual(self.sandbox.state.orders[order["id"]]["status_id"], 2)
        self.assertEqual(len(self.sandbox.state.order_shipments[order["id"]]), 2)

    def test_two_addresses_two_shipments(self):
        order, sale = self.imported(
            [("TOTE-CNV", 1), ("BTL-INS", 2)], ship_to_two_addresses=True
        )
        lines = {line["sku"]: line for line in self.order_lines(order)}
        self.assertNotEqual(
            lines["TOTE-CNV"]["order_address_id"], lines["BTL-INS"]["order_address_id"]
        )
        self.deliver(sale.picking_ids)
        by_address = {body["order_address_id"]: body for body in self.posted()}
        self.assertEqual(len(by_address), 2)
        for sku, quantity in (("TOTE-CNV", 1), ("BTL-INS", 2)):
            body = by_address[lines[sku]["order_address_id"]]
            self.assertEqual(
                body["items"],
                [{"order_product_id": lines[sku]["id"], "quantity": quantity}],
            )
        self.assertEqual(len(self.export_of(sale.picking_ids).shipment_ids), 2)

    def test_custom_carrier_tracking_link_pattern(self):
        self.instance.carrier_mapping_ids = [
            (
                0,
                0,
                {
                    "carrier_id": self.local.id,
                    "tracking_link": "https://track.example.com/{tracking}",
                },
            )
        ]
        _order, sale = self.imported([("TOTE-CNV", 1)])
        self.deliver(sale.picking_ids, tracking="BK-42", carrier=self.local)
        body = self.posted()[0]
        self.assertEqual(body["tracking_link"], "https://track.example.com/BK-42")
        self.assertNotIn("tracking_carrier", body)

    def test_default_carrier_mappings(self):
        self.assertEqual(
            sorted(self.instance.carrier_mapping_ids.mapped("tracking_carrier")),
            ["dhl", "fedex", "ups", "usps"],
        )

    def test_job_killed_after_bigcommerce_answered_then_retried(self):
        order, sale = self.imported([("TOTE-CNV", 2)])
        picking = sale.picking_ids
        picking.carrier_tracking_ref = "1ZKILLED"
        for move in picking.move_ids:
            move.quantity, move.picked = 2, True
        # The job dies after BigCommerce created the shipment: its
        # transaction is rolled back, nothing of it is kept in Odoo.
        picking.with_context(bigcommerce_no_export=True)._action_done()
        self.sandbox.lose_answer("POST", SHIPMENTS, how="drop")
        exporter = ShipmentExporter(self.instance, self.instance._get_client(0))
        with self.assertRaises(TransportError), self.env.cr.savepoint():
            exporter.export_picking(picking)
        self.assertEqual(len(self.sandbox.state.order_shipments[order["id"]]), 1)
        self.assertFalse(self.export_of(picking))
        # queue_job runs it again: the shipment is found, not posted again.
        self.instance.with_context(queue_job__no_delay=True).export_shipments(
            picking_ids=picking.ids
        )
        self.assertEqual(len(self.posted()), 1)
        self.assertEqual(len(self.sandbox.state.order_shipments[order["id"]]), 1)
        export = self.export_of(picking)
        self.assertEqual(export.state, "done")
        self.assertEqual(
            export.shipment_ids.bigcommerce_id,
            self.sandbox.state.order_shipments[order["id"]][0]["id"],
        )

    @mute_logger(JOB_LOGGER)
    def test_lost_answer_kept_failed_then_retry_sends_nothing_twice(self):
        order, sale = self.imported([("TOTE-CNV", 1)])
        self.sandbox.lose_answer("POST", SHIPMENTS, how="500")
        picking = self.deliver(sale.picking_ids)
        export = self.export_of(picking)
        self.assertEqual(export.state, "failed")
        self.assertIn("BigCommerce", export.failure_reason)
        self.assertEqual(len(self.sandbox.state.order_shipments[order["id"]]), 1)
        export.action_retry()
        # Queued, not sent in the web request.
        self.assertEqual(export.state, "pending")
        run_jobs(self.env)
        self.assertEqual(export.state, "done")
        self.assertEqual(len(self.posted()), 1)
        self.assertEqual(len(self.sandbox.state.order_shipments[order["id"]]), 1)

    def test_replay_sends_nothing(self):
        order, sale = self.imported([("TOTE-CNV", 1)])
        picking = self.deliver(sale.picking_ids)
        self.assertEqual(len(self.posted()), 1)
        exporting = self.instance.with_context(queue_job__no_delay=True)
        exporting.export_shipments(picking_ids=picking.ids)
        exporting.export_shipments()
        self.export_of(picking).action_retry()
        run_jobs(self.env)
        self.assertEqual(len(self.posted()), 1)
        self.assertEqual(len(self.sandbox.state.order_shipments[order["id"]]), 1)

    def test_over_delivery_is_refused_and_nothing_sent(self):
        _order, sale = self.imported([("TOTE-CNV", 1)])
        picking = self.deliver(sale.picking_ids, {"TOTE-CNV": 3})
        export = self.export_of(picking)
        self.assertEqual(export.state, "failed")
        self.assertIn("BigCommerce has 1 left to ship", export.failure_reason)
        self.assertEqual(self.posted(), [])

    def add_move(self, picking, product, quantity, sale_line=None):
        """A move the sale order did not make: a kit's component (on the
        order line) or an extra product (on no line)."""
        move = self.env["stock.move"].create(
            {
                "product_id": product.id,
                "product_uom_qty": quantity,
                "product_uom": product.uom_id.id,
                "picking_id": picking.id,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
                "sale_line_id": sale_line.id if sale_line else False,
            }
        )
        move._action_confirm()
        return move

    def test_a_kit_is_refused_and_nothing_sent(self):
        _order, sale = self.imported([("TOTE-CNV", 1)])
        picking = sale.picking_ids
        line = sale.order_line.filtered(
            lambda order_line: order_line.bigcommerce_line_kind == "product"
        )
        component = self.env["product.product"].create(
            {"name": "Tote strap", "type": "consu"}
        )
        # What a kit's delivery holds: a component, on the kit's own line.
        self.add_move(picking, component, 2, sale_line=line)
        picking = self.deliver(picking)
        export = self.export_of(picking)
        self.assertEqual(export.state, "failed")
        self.assertIn("is delivered as Tote strap", export.failure_reason)
        self.assertIn("send its shipment from BigCommerce", export.failure_reason)
        self.assertEqual(self.posted(), [])

    def test_a_product_not_in_the_order_is_refused_and_nothing_sent(self):
        _order, sale = self.imported([("TOTE-CNV", 1)])
        picking = sale.picking_ids
        extra = self.env["product.product"].create(
            {"name": "Free sticker", "type": "consu"}
        )
        self.add_move(picking, extra, 1)
        picking = self.deliver(picking)
        export = self.export_of(picking)
        self.assertEqual(export.state, "failed")
        self.assertIn(
            "Free sticker is in the delivery but not in the order",
            export.failure_reason,
        )
        # The order's own line is not sent either: never half a delivery.
        self.assertEqual(self.posted(), [])

    def test_a_tracking_number_over_fifty_characters_is_refused(self):
        _order, sale = self.imported([("TOTE-CNV", 1), ("BTL-INS", 1)])
        too_long = "1Z" + "9" * 49  # 51 characters
        picking = self.deliver(sale.picking_ids, {"TOTE-CNV": 1}, tracking=too_long)
        export = self.export_of(picking)
        self.assertEqual(export.state, "failed")
        self.assertIn("longer than the 50 characters", export.failure_reason)
        self.assertEqual(self.posted(), [])
        # Fifty characters are BigCommerce's limit, not over it: sent.
        fifty = "1Z" + "9" * 48
        backorder = self.deliver(sale.picking_ids - picking, tracking=fifty)
        self.assertEqual(self.export_of(backorder).state, "done")
        self.assertEqual([body["tracking_number"] for body in self.posted()], [fifty])

    def test_a_bundled_line_ships_with_its_parent_and_is_not_sent(self):
        order, sale = self.imported([("TOTE-CNV", 1), ("BTL-INS", 1)])
        lines = {line["sku"]: line for line in self.order_lines(order)}
        # The bottle is part of the tote's bundle in BigCommerce.
        lines["BTL-INS"]["is_bundled_product"] = True
        lines["BTL-INS"]["parent_order_product_id"] = lines["TOTE-CNV"]["id"]
        picking = self.deliver(sale.picking_ids)
        self.assertEqual(
            [body["items"] for body in self.posted()],
            [[{"order_product_id": lines["TOTE-CNV"]["id"], "quantity": 1}]],
        )
        export = self.export_of(picking)
        self.assertEqual(export.state, "done")
        self.assertIn(
            "part of a bundle, ships with its parent line", export.failure_reason
        )

    def test_a_warehouse_user_without_bigcommerce_rights_ships(self):
        _order, sale = self.imported([("TOTE-CNV", 1)])
        clerk = self.env["res.users"].create(
            {
                "name": "Warehouse clerk",
                "login": "bc-clerk",
                "group_ids": [(6, 0, [self.env.ref("stock.group_stock_user").id])],
            }
        )
        self.assertFalse(
            clerk.has_group("bigcommerce_connector.group_bigcommerce_user")
        )
        self.deliver(sale.picking_ids.with_user(clerk))
        self.assertEqual(len(self.posted()), 1)

    def test_an_export_is_logged(self):
        _order, sale = self.imported([("TOTE-CNV", 1)])
        self.deliver(sale.picking_ids)
        log = self.env["bigcommerce.log"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("operation", "=", "export_shipments"),
            ],
            limit=1,
        )
        self.assertEqual((log.state, log.created_count), ("done", 1))


@tagged("post_install", "-at_install")
class TestShipmentsFromBigcommerce(ExportCase):
    def ship_in_bigcommerce(self, order, quantity):
        line = self.order_lines(order)[0]
        self.sandbox.advance_clock(60)
        self.sandbox.record_shipment(
            order["id"],
            line["order_address_id"],
            [{"order_product_id": line["id"], "quantity": quantity}],
            {"tracking_number": "BC-1", "tracking_carrier": "usps"},
        )
        self.import_orders(order_ids=[order["id"]])

    def test_not_sent_back(self):
        order, sale = self.imported([("TOTE-CNV", 2)])
        self.ship_in_bigcommerce(order, 1)
        shipment = self.record_of(order).shipment_ids
        self.assertEqual(shipment.origin, "bigcommerce")
        self.assertEqual(sale.picking_ids.state, "assigned")
        self.instance.with_context(queue_job__no_delay=True).export_shipments()
        self.assertEqual(self.posted(), [])

    def test_validates_the_odoo_delivery_when_asked(self):
        self.instance.validate_deliveries_from_bigcommerce = True
        order, sale = self.imported([("TOTE-CNV", 3)])
        self.ship_in_bigcommerce(order, 2)
        shipment = self.record_of(order).shipment_ids
        picking = shipment.picking_id
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_ids.quantity, 2)
        backorder = sale.picking_ids - picking
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)
        self.assertEqual(self.export_of(picking).state, "skipped")
        self.instance.with_context(queue_job__no_delay=True).export_shipments()
        self.assertEqual(self.posted(), [])
