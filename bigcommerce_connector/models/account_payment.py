from odoo import fields, models

from ..importers.order_payments import CLEARING_CONTEXT_KEY

GROUP = "bigcommerce_connector.group_bigcommerce_user"


class AccountPayment(models.Model):
    _inherit = "account.payment"

    # What a gateway's payout report lists: its transaction ids and the
    # store's order numbers (importers/order_payments.py). The memo carries
    # them too, for everyone; these fields are for searching and grouping.
    bigcommerce_order_ref = fields.Char(
        string="BigCommerce Order",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=GROUP,
    )
    bigcommerce_transaction_ref = fields.Char(
        string="Gateway Transaction ID",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=GROUP,
        help="The payment gateway's transaction id of this payment, as BigCommerce "
        "records it (order transactions): the id the gateway's payout report lists.",
    )
    bigcommerce_gateway = fields.Char(
        string="BigCommerce Gateway", readonly=True, copy=False, groups=GROUP
    )

    def _compute_outstanding_account_id(self):
        """Under the connector's context only (importers/order_payments.py):
        the payment mapping's clearing account of the gateway."""
        result = super()._compute_outstanding_account_id()
        clearing = self.env.context.get(CLEARING_CONTEXT_KEY)
        if clearing:
            self.outstanding_account_id = clearing
        return result
