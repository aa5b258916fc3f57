from odoo import fields, models


class BigcommerceOrderStatus(models.Model):
    _name = "bigcommerce.order.status"
    _inherit = ["bigcommerce.store.record"]
    _description = "BigCommerce order status"

    system_label = fields.Char(readonly=True)
    custom_label = fields.Char(
        readonly=True, help="The merchant may rename a status; logic keys on its id."
    )
    system_description = fields.Char(readonly=True)

    def _values_from_bigcommerce(self, row):
        return {
            "bigcommerce_id": int(row["id"]),
            "name": row.get("custom_label") or row.get("name") or str(row["id"]),
            "system_label": row.get("system_label"),
            "custom_label": row.get("custom_label"),
            "system_description": row.get("system_description"),
            "sequence": row["id"],
        }
