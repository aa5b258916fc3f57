"""BigCommerce's status reaches the warehouse: cancel, hold, release.

Per the status map (``bigcommerce.order.status``), after an order's status
is applied:

- cancelled ("Cancel in Odoo") or fully refunded (Refunded) before anything
  shipped: its open deliveries are cancelled; when part of it shipped they
  are put on hold for a person, who decides about the rest;
- a review status ("Flag for review": Disputed, Manual Verification
  Required): its open deliveries are held, a hold the warehouse sees and
  cannot validate through;
- back in a status to import (released in BigCommerce): the holds the
  connector put are released.

Never a delivery that is done: goods that left are a return (see
``refund_return.py``), not a cancellation.
"""

# BigCommerce's "Refunded" system status: the whole order was refunded.
REFUNDED_STATUS = 4


def _open_deliveries(sale_order):
    return sale_order.picking_ids.filtered(
        lambda picking: picking.picking_type_code == "outgoing"
        and picking.state not in ("done", "cancel")
    )


def _shipped(record, sale_order):
    done = sale_order.picking_ids.filtered(
        lambda picking: picking.picking_type_code == "outgoing"
        and picking.state == "done"
    )
    return bool(done) or bool(record.items_shipped)


def follow_status(importer, record, order):
    """Cancel, hold or release the deliveries of ``record`` per its status."""
    sale_order = record.sale_order_id
    if not sale_order or "status_id" not in order:
        return
    env = importer.env
    deliveries = _open_deliveries(sale_order)
    if not deliveries:
        return
    status_id = order["status_id"]
    action = importer.actions.get(status_id, "ignore")
    status = order.get("status") or str(status_id)
    if action == "cancel" or status_id == REFUNDED_STATUS:
        if _shipped(record, sale_order):
            deliveries._bigcommerce_hold(
                env._(
                    "%(status)s in BigCommerce after part of the order shipped: "
                    "decide whether the rest ships, then cancel or release "
                    "this delivery.",
                    status=status,
                )
            )
        else:
            deliveries._bigcommerce_release()
            deliveries.action_cancel()
            for delivery in deliveries:
                delivery.message_post(
                    body=env._(
                        "Cancelled: the order is %(status)s in BigCommerce and "
                        "nothing had shipped.",
                        status=status,
                    )
                )
    elif action == "review":
        deliveries._bigcommerce_hold(
            env._(
                "On hold: the order is %(status)s in BigCommerce; do not ship "
                "it until it is released there.",
                status=status,
            )
        )
    elif action == "import":
        deliveries.filtered("bigcommerce_hold")._bigcommerce_release()
