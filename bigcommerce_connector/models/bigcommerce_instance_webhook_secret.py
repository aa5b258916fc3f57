"""The webhook secret: bound to the address it was sent to, and rotated at
once when it leaked.

Whoever may set the Webhook Base URL decides where BigCommerce sends the
callbacks, and every callback carries the secret in a header. So, as the API
URL does with the access token, a new address forgets the secret: the next
registration makes a new one, and the one a former address received is
refused (see ``_register_webhooks`` for an address that moved with
``web.base.url``).
"""

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.rights import bigcommerce_admin_only


def _normal_base_url(url):
    return (url or "").strip().rstrip("/")


class BigcommerceInstance(models.Model):
    _inherit = "bigcommerce.instance"

    # The base address the current secret was sent to.
    webhook_token_base_url = fields.Char(
        copy=False, readonly=True, groups="base.group_system"
    )

    def write(self, vals):
        if "webhook_base_url" in vals:
            self._forget_webhook_token_if_moved(vals["webhook_base_url"])
        return super().write(vals)

    def _forget_webhook_token_if_moved(self, base_url):
        """Forget the secrets of the instances whose address changes, so that
        whoever may set the address never learns the secret the current
        address receives (nor, by setting it back, the one the next address
        was given)."""
        new = _normal_base_url(base_url)
        self.sudo().filtered(
            lambda instance: (
                instance.webhook_token_encrypted
                or instance.webhook_previous_token_encrypted
            )
            and _normal_base_url(instance.webhook_base_url) != new
        )._forget_webhook_tokens(
            self.env._(
                "Webhook address changed: register the webhooks again (the "
                "previous secret is no longer accepted)."
            )
        )

    def _forget_webhook_tokens(self, message=None):
        """Drop the secret and the rotated-out one: callbacks carrying either
        are refused from now on; the next registration makes a new one."""
        values = {
            "webhook_token_encrypted": False,
            "webhook_previous_token_encrypted": False,
            "webhook_token_base_url": False,
            "webhook_token_rotated_at": fields.Datetime.now(),
        }
        if message:
            values["webhook_message"] = message
        self.sudo().write(values)

    @bigcommerce_admin_only
    def action_rotate_webhook_secret_now(self):
        """The secret leaked: a new one, and the old one refused at once
        (``action_rotate_webhook_secret`` keeps it valid 48 h instead).

        The rotation holds even when BigCommerce cannot be told: the hooks
        then carry a refused secret until Register Webhooks succeeds, and the
        health check polls what was missed.
        """
        self.ensure_one()
        self._check_webhooks_allowed()
        self._forget_webhook_tokens()
        try:
            with self.env.cr.savepoint():
                return self.action_register_webhooks()
        except UserError as error:
            return self._notification(
                self.env._("Secret rotated; webhooks not updated"),
                self.env._(
                    "The old secret is refused from now on, but BigCommerce "
                    "could not be given the new one: %(reason)s Press Register "
                    "Webhooks again.",
                    reason=error,
                ),
                "danger",
            )
