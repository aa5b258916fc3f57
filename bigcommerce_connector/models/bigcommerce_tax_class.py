from odoo import models


class BigcommerceTaxClass(models.Model):
    _name = "bigcommerce.tax.class"
    _inherit = ["bigcommerce.store.record"]
    _description = "BigCommerce tax class"

    def _values_from_bigcommerce(self, row):
        return {
            "bigcommerce_id": int(row["id"]),
            "name": row.get("name") or str(row["id"]),
        }
