from odoo import fields, models


class BigcommerceTaxClass(models.Model):
    _name = "bigcommerce.tax.class"
    _inherit = ["bigcommerce.store.record"]
    _description = "BigCommerce tax class"

    odoo_tax_rule = fields.Selection(
        [
            ("product", "Product's taxes"),
            ("mapped", "These taxes"),
        ],
        string="Odoo Taxes",
        default="product",
        required=True,
        help="In the tax mode “Odoo taxes”: the taxes of the lines whose "
        "BigCommerce product has this class. Product's taxes: the Odoo "
        "product's (not mapped). These taxes: the taxes below instead, none "
        "for a non-taxable class; the fiscal position still applies.",
    )
    tax_ids = fields.Many2many(
        "account.tax",
        string="Mapped Taxes",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
    )

    def _values_from_bigcommerce(self, row):
        return {
            "bigcommerce_id": int(row["id"]),
            "name": row.get("name") or str(row["id"]),
        }
