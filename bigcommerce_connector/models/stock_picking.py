from odoo import models

from ..importers.order_invoice import DeliveryInvoicer


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        self._bigcommerce_invoice_deliveries()
        return result

    def _bigcommerce_invoice_deliveries(self):
        """“Create Single Invoice?” off: invoice each validated delivery of a
        BigCommerce order (see importers/order_invoice.py)."""
        # sudo: the order's BigCommerce fields are the BigCommerce groups'.
        for picking in self.sudo().filtered(
            lambda picking: picking.state == "done"
            and picking.picking_type_code == "outgoing"
            and picking.sale_id.bigcommerce_order_record_id
        ):
            # sudo: the warehouse user who validates may not create invoices;
            # the store's settings (its payment mapping) decided to invoice.
            record = picking.sale_id.sudo().bigcommerce_order_record_id
            instance = record.instance_id
            if instance.create_single_invoice or not (
                record.payment_mapping_id.create_invoice
            ):
                continue
            DeliveryInvoicer(record.with_company(instance.company_id)).invoice_picking(
                picking.sudo().with_company(instance.company_id)
            )
