from odoo import fields, models


class BigcommerceChannel(models.Model):
    """A sales channel (storefront) of the store, read at Confirm.

    The mapping fields are the admin's (a refresh at Confirm never resets
    them): the sales team, analytic account, order prefix and pricelist of
    the channel's orders (``importers/order_channel.py``).
    """

    _name = "bigcommerce.channel"
    _inherit = ["bigcommerce.store.record"]
    _description = "BigCommerce sales channel"

    channel_type = fields.Char(string="Type", readonly=True)
    platform = fields.Char(readonly=True)
    status = fields.Char(readonly=True)
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="The team of this channel's orders; empty: the store's.",
    )
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        string="Analytic Account",
        check_company=True,
        help="Every line of this channel's orders is booked 100 % on it; "
        "empty: the store's analytic distribution.",
    )
    order_prefix = fields.Char(
        help="Prefix of this channel's order references (with BigCommerce "
        "order numbers); empty: the store's.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        check_company=True,
        help="Pricelist of this channel's orders, after the payment mapping's "
        "and the customer group's, before the store's pricelist of the "
        "order's currency.",
    )

    def _values_from_bigcommerce(self, row):
        return {
            "bigcommerce_id": int(row["id"]),
            "name": row.get("name") or str(row["id"]),
            "channel_type": row.get("type"),
            "platform": row.get("platform"),
            "status": row.get("status"),
        }
