from odoo import fields, models


class BigcommerceLocation(models.Model):
    _name = "bigcommerce.location"
    _inherit = ["bigcommerce.store.record"]
    _description = "BigCommerce inventory location"
    _check_company_auto = True

    code = fields.Char(readonly=True)
    type_code = fields.Char(string="Type", readonly=True)
    enabled = fields.Boolean(readonly=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="Odoo warehouse whose stock is this location's stock.",
    )

    def _values_from_bigcommerce(self, row):
        return {
            "bigcommerce_id": int(row["id"]),
            "name": row.get("label") or row.get("code") or str(row["id"]),
            "code": row.get("code"),
            "type_code": row.get("type_id"),
            "enabled": bool(row.get("enabled", True)),
        }
