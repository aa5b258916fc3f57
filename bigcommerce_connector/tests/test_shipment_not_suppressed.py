"""A shipment is never suppressed for good (issue 19, item 3): only done
outgoing deliveries are exported, and a skipped row is evaluated again when
its delivery changes, by the trigger and by the safety-net cron."""

from odoo.tests import tagged

from .test_export_shipments import ExportCase


@tagged("post_install", "-at_install")
class TestShipmentNotSuppressed(ExportCase):
    def exporting(self):
        return self.instance.with_context(queue_job__no_delay=True)

    def test_an_early_export_of_an_open_delivery_suppresses_nothing(self):
        _order, sale = self.imported([("TOTE-CNV", 2)])
        picking = sale.picking_ids
        self.assertNotEqual(picking.state, "done")
        self.exporting().export_shipments(picking_ids=picking.ids)
        self.assertEqual(self.posted(), [])
        self.assertNotIn(self.export_of(picking).state, ("skipped", "done"))
        self.deliver(picking, tracking="1Z-LATER")
        self.assertEqual(len(self.posted()), 1)
        self.assertEqual(self.posted()[0]["tracking_number"], "1Z-LATER")
        self.assertEqual(self.export_of(picking).state, "done")

    def test_a_receipt_is_never_exported(self):
        _order, sale = self.imported([("TOTE-CNV", 1)])
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.env.ref("stock.picking_type_in").id,
                "partner_id": sale.partner_id.id,
                "sale_id": sale.id,
            }
        )
        self.exporting().export_shipments(picking_ids=receipt.ids)
        self.assertFalse(self.export_of(receipt))
        self.assertEqual(self.posted(), [])

    def test_a_skipped_row_is_seen_again_when_its_delivery_changes(self):
        """A row left skipped (by an earlier version, or a delivery that
        shipped nothing then) is evaluated again once the delivery changes:
        the safety-net cron sends it."""
        self.instance.export_shipments_on_validate = False
        _order, sale = self.imported([("TOTE-CNV", 1)])
        picking = self.deliver(sale.picking_ids)
        row = self.env["bigcommerce.shipment.export"]._claim(self.instance, picking)
        row.write({"state": "skipped", "failure_reason": "Nothing to ship."})
        self.instance.export_shipments_on_validate = True
        self.exporting()._job_poll_order_exports()
        self.assertEqual(self.posted(), [], "unchanged skipped row: not sent")
        picking.carrier_tracking_ref = "1Z-FIXED"
        self.assertEqual(row.state, "pending")
        self.exporting()._job_poll_order_exports()
        self.assertEqual(len(self.posted()), 1)
        self.assertEqual(self.posted()[0]["tracking_number"], "1Z-FIXED")
        self.assertEqual(row.state, "done")
