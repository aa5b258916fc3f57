"""A shipment made in BigCommerce validates the matching Odoo delivery.

For stores that ship from BigCommerce or a 3PL (instance option "Validate
deliveries from BigCommerce shipments"): the quantities of the shipment are
delivered on the open delivery of the order, the rest stays in a backorder.
The delivery is bound to the shipment and marked "not sent": a shipment
that came from BigCommerce is never sent back.
"""

from collections import defaultdict

from odoo.tools import float_compare


class DeliveryRefused(Exception):
    """The shipment does not fit the open deliveries of the order."""


class DeliveryValidator:
    def __init__(self, instance, client):
        self.instance = instance
        self.client = client
        self.env = instance.env

    def validate(self, shipment):
        """Validate the delivery of ``shipment`` (a bigcommerce.shipment)."""
        if shipment.picking_id or shipment.origin != "bigcommerce":
            return shipment.picking_id
        record = shipment.order_record_id
        row = self.client.get_v2(
            f"orders/{int(record.bigcommerce_id)}/shipments/"
            f"{int(shipment.bigcommerce_id)}"
        )
        wanted = defaultdict(int)
        for item in (row or {}).get("items") or []:
            wanted[int(item["order_product_id"])] += int(item["quantity"])
        lines = {
            line.bigcommerce_line_id: line
            for line in record.sale_order_id.order_line
            if line.bigcommerce_line_kind == "product"
        }
        pickings = record.sale_order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
            and p.state not in ("done", "cancel")
        ).sorted("id")
        picking = pickings[:1]
        if not picking:
            raise DeliveryRefused(
                self.env._(
                    "Order %s has no open delivery to validate.", record.display_name
                )
            )
        for line_id, quantity in wanted.items():
            line = lines.get(line_id)
            moves = picking.move_ids.filtered(
                lambda m, line=line: line and m.sale_line_id == line
            )
            if not line or not moves:
                raise DeliveryRefused(
                    self.env._(
                        "BigCommerce shipped order line %(line)s, which the open "
                        "delivery %(picking)s does not hold.",
                        line=line_id,
                        picking=picking.name,
                    )
                )
            left = quantity
            for move in moves:
                todo = line.product_uom_id._compute_quantity(left, move.product_uom)
                take = min(todo, move.product_uom_qty)
                move.quantity = take
                move.picked = True
                left -= move.product_uom._compute_quantity(take, line.product_uom_id)
            if (
                float_compare(left, 0, precision_rounding=line.product_uom_id.rounding)
                > 0
            ):
                raise DeliveryRefused(
                    self.env._(
                        "BigCommerce shipped %(quantity)s of %(product)s, more "
                        "than delivery %(picking)s holds.",
                        quantity=quantity,
                        product=line.product_id.display_name,
                        picking=picking.name,
                    )
                )
        for move in picking.move_ids:
            if move.sale_line_id.bigcommerce_line_id not in wanted:
                move.quantity = 0
                move.picked = True
        exports = self.env["bigcommerce.shipment.export"]
        export = exports._claim(self.instance, picking)
        export.write(
            {
                "order_record_id": record.id,
                "state": "skipped",
                "failure_reason": self.env._(
                    "Delivered in BigCommerce (shipment %s): never sent back.",
                    shipment.bigcommerce_id,
                ),
            }
        )
        shipment.picking_id = picking
        # The rest of the order stays in a backorder; no export of this one.
        picking.with_context(bigcommerce_no_export=True)._action_done()
        return picking
