from odoo import fields, models


class BigcommerceNaturalKey(models.Model):
    """One row per Odoo record the connector creates by a natural key.

    Taxes (by name and rate), their tax groups and company contacts (by
    name) have no BigCommerce id; two jobs finding none and creating one each
    would duplicate them. The unique key here is what the database enforces
    (``tools/natural_key.py``). A store's pricelist of a currency has its own
    key on ``product.pricelist`` (``models/product_pricelist.py``).
    """

    _name = "bigcommerce.natural.key"
    _description = "BigCommerce connector: natural key of a created record"

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    kind = fields.Char(required=True, help="What the key names: tax, tax_group...")
    key = fields.Char(required=True)
    res_id = fields.Integer(string="Record", help="Id of the record it names.")

    _key_unique = models.Constraint(
        "UNIQUE(company_id, kind, key)",
        "A natural key is created once per company.",
    )
