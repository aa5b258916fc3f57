from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Awaiting Fulfillment, Awaiting Shipment, Awaiting Pickup, Partially Shipped,
# Shipped, Completed, Refunded, Partially Refunded: every order that was paid
# (a refunded one was still a sale; its refunds become credit notes).
DEFAULT_IMPORT_STATUSES = (11, 9, 8, 3, 2, 10, 4, 14)
DEFAULT_CANCEL_STATUSES = (5, 6)  # Cancelled, Declined
# Manual Verification Required, Disputed: an imported order's delivery is held.
DEFAULT_REVIEW_STATUSES = (12, 13)
INCOMPLETE_STATUS = 0

ODOO_ACTIONS = [
    ("import", "Import and confirm"),
    ("cancel", "Cancel in Odoo"),
    ("review", "Flag for review"),
    ("ignore", "Do not import"),
]


def default_odoo_action(status_id):
    if status_id in DEFAULT_IMPORT_STATUSES:
        return "import"
    if status_id in DEFAULT_CANCEL_STATUSES:
        return "cancel"
    if status_id in DEFAULT_REVIEW_STATUSES:
        return "review"
    return "ignore"


class BigcommerceOrderStatus(models.Model):
    _name = "bigcommerce.order.status"
    _inherit = ["bigcommerce.store.record"]
    _description = "BigCommerce order status"

    system_label = fields.Char(readonly=True)
    custom_label = fields.Char(
        readonly=True, help="The merchant may rename a status; logic keys on its id."
    )
    system_description = fields.Char(readonly=True)
    odoo_action = fields.Selection(
        ODOO_ACTIONS,
        string="In Odoo",
        default="ignore",
        required=True,
        help="Import and confirm: orders in this status become sale orders "
        "(the payment mapping decides invoice and payment). Cancel in Odoo: "
        "an imported order is cancelled unless it was invoiced, then it is "
        "flagged for review; its deliveries are cancelled if nothing shipped, "
        "held otherwise. Flag for review: an imported order is listed for "
        "review and its open deliveries are held until it is released in "
        "BigCommerce. Do not import: new orders in this status are skipped. "
        "Incomplete orders are never imported.",
    )

    @api.constrains("odoo_action", "bigcommerce_id")
    def _check_incomplete_never_imported(self):
        for status in self:
            if status.bigcommerce_id == INCOMPLETE_STATUS and status.odoo_action in (
                "import",
                "cancel",
            ):
                raise ValidationError(
                    self.env._(
                        "Incomplete orders were never paid: they cannot be imported."
                    )
                )

    def _values_from_bigcommerce(self, row):
        return {
            "bigcommerce_id": int(row["id"]),
            "name": row.get("custom_label") or row.get("name") or str(row["id"]),
            "system_label": row.get("system_label"),
            "custom_label": row.get("custom_label"),
            "system_description": row.get("system_description"),
            "sequence": row["id"],
        }

    def _values_for_new(self, values):
        return {**values, "odoo_action": default_odoo_action(values["bigcommerce_id"])}
