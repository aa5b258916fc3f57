"""Refunded items received back: a return picking tied to the refund (option).

With the store's "Receive Refunded Items Back" on, a booked refund whose
items had shipped gets a return of those units (Odoo's own return of the
delivery they left with), linked to the refund: the warehouse validates it
when the parcel arrives. Units that never shipped are not returned (their
delivery is cancelled or held, see ``order_warehouse.py``).
"""

from collections import defaultdict


def _refunded_units(sale_order, refund):
    """{sale order line: units refunded} of the refund's product items."""
    lines = sale_order.order_line.filtered(
        lambda line: line.bigcommerce_line_kind == "product"
    )
    by_item = {line.bigcommerce_line_id: line for line in lines}
    units = defaultdict(float)
    for item in refund.get("items") or []:
        line = by_item.get(int(item.get("item_id") or 0))
        if item.get("item_type") == "PRODUCT" and line:
            units[line] += int(item.get("quantity") or 0)
    return units


def receive_back(importer, record, refund, order_record):
    """Create the return pickings of ``refund``; returns them."""
    env = importer.env
    pickings = env["stock.picking"]
    sale_order = order_record.sale_order_id
    if not importer.instance.refund_return_picking or not sale_order:
        return pickings
    wanted = _refunded_units(sale_order, refund)
    per_picking = defaultdict(dict)  # delivery -> {move: units}
    for line, units in wanted.items():
        # Units already received back by this order's earlier returns.
        returned = sum(
            move.product_qty
            for move in line.move_ids
            if move.origin_returned_move_id and move.state != "cancel"
        )
        left = units
        for move in line.move_ids.filtered(
            lambda m: m.state == "done" and m.picking_code == "outgoing"
        ):
            available = move.product_qty - returned
            returned = max(0.0, returned - move.product_qty)
            take = min(left, max(0.0, available))
            if take > 0:
                per_picking[move.picking_id][move] = take
                left -= take
            if left <= 0:
                break
    for delivery, quantities in per_picking.items():
        wizard = (
            env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        for return_line in wizard.product_return_moves:
            return_line.quantity = quantities.get(return_line.move_id, 0.0)
        back = wizard._create_return()
        back.write({"bigcommerce_refund_id": record.id})
        back.message_post(
            body=env._(
                "Return of the items of BigCommerce refund %s.", record.bigcommerce_id
            )
        )
        pickings |= back
    return pickings
