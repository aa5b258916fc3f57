"""A delivery on hold because of its BigCommerce order (see
``importers/order_warehouse.py``): visible to the warehouse, and not
validated until the order is released in BigCommerce or a person releases
the hold on purpose."""

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    bigcommerce_hold = fields.Boolean(
        string="On Hold (BigCommerce)",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The BigCommerce order is under review, cancelled or refunded "
        "after part of it shipped: do not ship until the hold is released.",
    )
    bigcommerce_hold_reason = fields.Char(
        string="Hold Reason", readonly=True, copy=False
    )
    bigcommerce_refund_id = fields.Many2one(
        "bigcommerce.refund",
        string="BigCommerce Refund",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="bigcommerce_connector.group_bigcommerce_user",
        help="The refund whose items this return receives back.",
    )

    def _bigcommerce_hold(self, reason):
        for picking in self:
            if picking.bigcommerce_hold and picking.bigcommerce_hold_reason == reason:
                continue
            picking.write({"bigcommerce_hold": True, "bigcommerce_hold_reason": reason})
            picking.message_post(body=reason)

    def _bigcommerce_release(self, reason=None):
        held = self.filtered("bigcommerce_hold")
        held.write({"bigcommerce_hold": False, "bigcommerce_hold_reason": False})
        for picking in held:
            picking.message_post(
                body=reason
                or self.env._("Released: the order is released in BigCommerce.")
            )

    def action_bigcommerce_release_hold(self):
        """A person releases the hold on purpose (e.g. ships the rest).

        A stock manager's decision, checked here: the button's ``groups``
        only hides it, and RPC reaches the method anyway."""
        if not self.env.su and not self.env.user.has_group("stock.group_stock_manager"):
            raise AccessError(
                self.env._("Only an Inventory Administrator may release a hold.")
            )
        self.check_access("write")
        self._bigcommerce_release(
            self.env._("Hold released by %s.", self.env.user.name)
        )
        return True

    def button_validate(self):
        held = self.filtered("bigcommerce_hold")
        if held:
            raise UserError(
                self.env._(
                    "%(pickings)s on hold: %(reason)s",
                    pickings=", ".join(held.mapped("name")),
                    reason=held[0].bigcommerce_hold_reason,
                )
            )
        return super().button_validate()


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    refund_return_picking = fields.Boolean(
        string="Receive Refunded Items Back",
        help="When a refund of shipped items is booked, create a return of "
        "those units from their delivery, linked to the refund, for the "
        "warehouse to validate when the parcel arrives.",
    )


class BigcommerceRefund(models.Model):
    _inherit = "bigcommerce.refund"

    return_picking_ids = fields.One2many(
        "stock.picking", "bigcommerce_refund_id", string="Returns"
    )
