from odoo import fields, models


class BigcommerceChannel(models.Model):
    _name = "bigcommerce.channel"
    _inherit = ["bigcommerce.store.record"]
    _description = "BigCommerce sales channel"

    channel_type = fields.Char(string="Type", readonly=True)
    platform = fields.Char(readonly=True)
    status = fields.Char(readonly=True)

    def _values_from_bigcommerce(self, row):
        return {
            "bigcommerce_id": int(row["id"]),
            "name": row.get("name") or str(row["id"]),
            "channel_type": row.get("type"),
            "platform": row.get("platform"),
            "status": row.get("status"),
        }
