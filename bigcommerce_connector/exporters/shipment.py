"""Odoo deliveries -> BigCommerce shipments, exactly once.

One validated delivery of an imported order becomes one shipment per
BigCommerce shipping address it delivered to, with the quantities actually
delivered on the order-product ids (P9), and the tracking number and carrier
of the delivery. Creating a shipment e-mails the shopper (P15): nothing is
ever sent twice, and nothing is sent for a test.

Exactly once, in three layers:
- the delivery's row ``bigcommerce.shipment.export`` (UNIQUE(instance,
  picking)), locked for the job: a replay or a concurrent job waits, then
  finds it sent;
- before posting, the order's shipments are read: a shipment BigCommerce
  already has for this delivery (same address, items and tracking number,
  not bound to another delivery) is bound instead of posted again. This is
  the job that died after BigCommerce answered 201;
- the shipments it created are bound to the row (``export_id``).
"""

from collections import defaultdict

from odoo import fields
from odoo.tools import float_is_zero

from ..client import BigCommerceError
from .outcome import ExportOutcome

# orders.v2.oas2.yml, orderShipment_Post.tracking_number: maxLength 50.
TRACKING_NUMBER_MAX = 50


class ShipmentRefused(Exception):
    """A delivery that must not become a shipment as it is (kit, too much)."""


class ShipmentExporter(ExportOutcome):
    # ------------------------------------------------------------------
    # One delivery
    # ------------------------------------------------------------------

    def export_picking(self, picking):
        """Send one validated delivery; returns its ``bigcommerce.shipment.export``."""
        exports = self.env["bigcommerce.shipment.export"]
        if not picking._bigcommerce_is_done_delivery():
            # Nothing is decided for a delivery that is not done: a row
            # written now would hide it when it is validated.
            self._count("unchanged")
            return exports
        record = exports._claim(self.instance, picking)
        if record.state in ("done", "skipped"):
            self._count("unchanged")
            return record
        order_record = picking.sale_id.bigcommerce_order_record_id
        record.write(
            {
                "order_record_id": order_record.id,
                "attempt_count": record.attempt_count + 1,
            }
        )
        from_bigcommerce = self.env["bigcommerce.shipment"].search(
            [("picking_id", "=", picking.id), ("origin", "=", "bigcommerce")],
            limit=1,
        )
        if from_bigcommerce:
            return self._skip(
                record,
                self.env._(
                    "Delivered in BigCommerce (shipment %s): never sent back.",
                    from_bigcommerce.bigcommerce_id,
                ),
            )
        try:
            with self.env.cr.savepoint():
                self._send(record, picking, order_record)
        except ShipmentRefused as refusal:
            return self._fail(record, str(refusal))
        except BigCommerceError as error:
            if error.retryable:
                raise
            return self._fail(record, error.message)
        return record

    def give_up(self, picking, reason):
        record = self.env["bigcommerce.shipment.export"]._claim(self.instance, picking)
        return self._fail(record, reason)

    # ------------------------------------------------------------------
    # What to send
    # ------------------------------------------------------------------

    def _send(self, record, picking, order_record):
        order_id = order_record.bigcommerce_id
        delivered, notes = self._delivered_quantities(picking)
        lines = {
            int(line["id"]): line for line in self.client.iter_order_products(order_id)
        }
        groups = defaultdict(dict)
        for line_id, quantity in delivered.items():
            line = lines.get(line_id)
            if line is None:
                raise ShipmentRefused(
                    self.env._(
                        "BigCommerce order %(order)s has no line %(line)s.",
                        order=order_id,
                        line=line_id,
                    )
                )
            reason = self._not_shipped_reason(line)
            if reason:
                notes.append(reason)
                continue
            groups[int(line["order_address_id"])][line_id] = quantity
        if not groups:
            return self._skip(
                record,
                "\n".join(notes)
                or self.env._("Nothing of this delivery ships in BigCommerce."),
            )
        existing = list(self.client.iter_order_shipments(order_id))
        bound = set(
            self.env["bigcommerce.shipment"]
            .search(
                [
                    ("order_record_id", "=", order_record.id),
                    ("export_id", "not in", [False, record.id]),
                ]
            )
            .mapped("bigcommerce_id")
        )
        carrier = self._carrier_values(picking)
        plans = []
        for address_id, items in sorted(groups.items()):
            body = {
                "order_address_id": address_id,
                "items": [
                    {"order_product_id": line_id, "quantity": quantity}
                    for line_id, quantity in sorted(items.items())
                ],
                **carrier,
            }
            found = self._already_there(body, existing, bound)
            if found:
                bound.add(int(found["id"]))
            plans.append((body, found))
        # Check everything before posting anything: half a delivery is
        # never sent when the other half is refused.
        for body, found in plans:
            if not found:
                self._check_quantities(body, lines)
        sent = matched = 0
        shipped = {
            line_id: int(line.get("quantity_shipped") or 0)
            for line_id, line in lines.items()
        }
        for body, found in plans:
            if found:
                shipment = found
                matched += 1
            else:
                shipment = self.client.create_shipment(order_id, body)
                sent += 1
                for item in body["items"]:
                    shipped[item["order_product_id"]] += item["quantity"]
            self._bind(record, picking, order_record, shipment, body)
        # What BigCommerce now has shipped of the order (its physical units,
        # as the import counts them): "Shipped and Paid" needs it without
        # waiting for the order's next import.
        order_record.items_shipped = sum(
            min(shipped[line_id], int(line["quantity"]))
            for line_id, line in lines.items()
            if line.get("type") == "physical"
        )
        record.write(
            {
                "state": "done",
                "failure_reason": "\n".join(notes) or False,
                "date_sent": fields.Datetime.now(),
            }
        )
        self._count("sent", sent)
        if matched:
            self._note(
                self.env._(
                    "%(picking)s: %(count)s shipment(s) were already in "
                    "BigCommerce, bound instead of sent again.",
                    picking=picking.name,
                    count=matched,
                )
            )
        return record

    def _delivered_quantities(self, picking):
        """{order-product id: units delivered} of the delivery's order lines."""
        delivered = defaultdict(int)
        notes = []
        for move in picking.move_ids.filtered(lambda m: m.state == "done"):
            if float_is_zero(
                move.quantity, precision_rounding=move.product_uom.rounding
            ):
                continue
            line = move.sale_line_id
            # Odoo adds a sale order line for a product delivered beyond the
            # order (sale_stock), without a BigCommerce kind: it is no more
            # in BigCommerce's order than a move without a line.
            if not line or not line.bigcommerce_line_kind:
                raise ShipmentRefused(
                    self.env._(
                        "%(product)s is in the delivery but not in the order: "
                        "BigCommerce cannot ship it.",
                        product=move.product_id.display_name,
                    )
                )
            if line.bigcommerce_line_kind != "product" or not line.bigcommerce_line_id:
                notes.append(
                    self.env._(
                        "%(product)s: not a BigCommerce product line, not shipped.",
                        product=line.name,
                    )
                )
                continue
            if move.product_id != line.product_id:
                # A kit (or a substitute) delivers other products than the
                # line sold: which quantity of the line shipped is a guess.
                raise ShipmentRefused(
                    self.env._(
                        "%(line)s is delivered as %(product)s (a kit or another "
                        "product): send its shipment from BigCommerce.",
                        line=line.product_id.display_name,
                        product=move.product_id.display_name,
                    )
                )
            quantity = move.product_uom._compute_quantity(
                move.quantity, line.product_uom_id
            )
            if quantity != int(quantity):
                raise ShipmentRefused(
                    self.env._(
                        "%(product)s: %(quantity)s is not a whole number of units.",
                        product=line.product_id.display_name,
                        quantity=quantity,
                    )
                )
            delivered[line.bigcommerce_line_id] += int(quantity)
        return delivered, notes

    def _not_shipped_reason(self, line):
        name = line.get("name") or line.get("sku") or line["id"]
        if line.get("type") != "physical":
            return self.env._(
                "%(name)s: a %(type)s item is never shipped.",
                name=name,
                type=line.get("type"),
            )
        if line.get("is_bundled_product") or line.get("parent_order_product_id"):
            return self.env._(
                "%(name)s: part of a bundle, ships with its parent line.", name=name
            )
        if not int(line.get("order_address_id") or 0):
            return self.env._(
                "%(name)s: picked up in store, no shipping address.", name=name
            )
        return None

    def _check_quantities(self, body, lines):
        for item in body["items"]:
            line = lines[item["order_product_id"]]
            left = int(line["quantity"]) - int(line.get("quantity_shipped") or 0)
            if item["quantity"] > left:
                raise ShipmentRefused(
                    self.env._(
                        "%(name)s: the delivery has %(delivered)s units, "
                        "BigCommerce has %(left)s left to ship (ordered %(ordered)s, "
                        "shipped %(shipped)s). Nothing was sent.",
                        name=line.get("name") or line.get("sku"),
                        delivered=item["quantity"],
                        left=left,
                        ordered=line["quantity"],
                        shipped=line.get("quantity_shipped") or 0,
                    )
                )

    def _carrier_values(self, picking):
        """Tracking number and carrier of the delivery, mapped to BigCommerce."""
        values = {}
        tracking = (picking.carrier_tracking_ref or "").strip()
        if len(tracking) > TRACKING_NUMBER_MAX:
            raise ShipmentRefused(
                self.env._(
                    "The tracking number %(number)s is longer than the "
                    "%(max)s characters BigCommerce takes.",
                    number=tracking,
                    max=TRACKING_NUMBER_MAX,
                )
            )
        if tracking:
            values["tracking_number"] = tracking
        carrier = picking.carrier_id
        if not carrier:
            return values
        values["shipping_method"] = carrier.name
        mapping = self.instance._carrier_mapping(carrier)
        if mapping:
            values.update(mapping._shipment_values(tracking))
        elif tracking and picking.carrier_tracking_url:
            link = picking.carrier_tracking_url
            if link.startswith("http"):
                values["tracking_link"] = link
        return values

    @staticmethod
    def _already_there(body, existing, bound):
        """BigCommerce's shipment with this content not bound to another delivery."""
        wanted = sorted(
            (item["order_product_id"], item["quantity"]) for item in body["items"]
        )
        for shipment in existing:
            if int(shipment["id"]) in bound:
                continue
            if int(shipment.get("order_address_id") or 0) != body["order_address_id"]:
                continue
            if (shipment.get("tracking_number") or "") != body.get(
                "tracking_number", ""
            ):
                continue
            items = sorted(
                (int(item["order_product_id"]), int(item["quantity"]))
                for item in shipment.get("items") or []
            )
            if items == wanted:
                return shipment
        return None

    def _bind(self, record, picking, order_record, shipment, body):
        shipments = self.env["bigcommerce.shipment"]
        values = {
            "origin": "odoo",
            "export_id": record.id,
            "picking_id": picking.id,
            "order_address_id": body["order_address_id"],
            "tracking_number": shipment.get("tracking_number"),
            "shipping_provider": shipment.get("shipping_provider_display_name")
            or shipment.get("shipping_provider")
            or shipment.get("tracking_carrier"),
            "shipping_method": shipment.get("shipping_method"),
            "tracking_url": shipment.get("tracking_link")
            or shipment.get("generated_tracking_link"),
            "item_count": sum(item["quantity"] for item in body["items"]),
            "items_description": "\n".join(
                f"{item['quantity']} × {item['order_product_id']}"
                for item in body["items"]
            ),
            "date_created": fields.Datetime.now(),
        }
        known = shipments.search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", int(shipment["id"])),
            ]
        )
        if known:
            known.write(values)
        else:
            shipments.create(
                {
                    **values,
                    "instance_id": self.instance.id,
                    "order_record_id": order_record.id,
                    "bigcommerce_id": int(shipment["id"]),
                }
            )

    # ------------------------------------------------------------------
    # Outcome
    # ------------------------------------------------------------------

    def _label(self, record):
        return record.picking_id.name
