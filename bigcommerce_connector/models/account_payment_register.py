from odoo import models

from ..importers.order_exchange_rate import RATE_CONTEXT_KEY


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payment_vals_from_wizard(self, batch_result):
        """Under the connector's context only: the payment's company amount
        at the invoice's rate (BigCommerce's), not Odoo's rate of the day,
        which may not exist (Odoo would then convert one for one)."""
        values = super()._create_payment_vals_from_wizard(batch_result)
        rate = self.env.context.get(RATE_CONTEXT_KEY)
        if (
            rate
            and self.currency_id != self.company_currency_id
            and not values.get("write_off_line_vals")
            and values.get("force_balance") is None
        ):
            values["force_balance"] = self.company_currency_id.round(self.amount / rate)
        return values
