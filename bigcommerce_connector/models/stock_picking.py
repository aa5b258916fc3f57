from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        self._bigcommerce_invoice_deliveries()
        return result

    def _bigcommerce_invoice_deliveries(self):
        """“Create Single Invoice?” off: queue the invoice of each validated
        delivery of a BigCommerce order (``bigcommerce.delivery.invoice``).

        Never invoiced here: an accounting error must not abort the
        warehouse user's validation of the delivery.
        """
        # sudo: the order's BigCommerce fields are the BigCommerce groups'.
        for picking in self.sudo().filtered(
            lambda picking: picking.state == "done"
            and picking.picking_type_code == "outgoing"
            and picking.sale_id.bigcommerce_order_record_id
        ):
            # sudo: the warehouse user who validates has no BigCommerce rights.
            record = picking.sale_id.sudo().bigcommerce_order_record_id
            instance = record.instance_id
            if instance.create_single_invoice or not (
                record.payment_mapping_id.create_invoice
            ):
                continue
            row = (
                self.env["bigcommerce.delivery.invoice"]
                .sudo()
                ._claim(instance, picking)
            )
            row.order_record_id = record
            instance._queue_delivery_invoice(picking)
