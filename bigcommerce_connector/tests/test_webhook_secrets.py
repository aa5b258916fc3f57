"""The webhook secret: bound to the address it was sent to, and rotated at
once when it leaked."""

from odoo.tests import tagged

from ..client.webhook_auth import TOKEN_HEADER
from .test_webhooks import TestWebhooks


@tagged("post_install", "-at_install")
class TestWebhookSecrets(TestWebhooks):
    """Runs only its own tests (Odoo's loader skips inherited test methods)."""

    def status_with(self, token):
        """HTTP status of an authentic callback carrying ``token``."""
        order = self.quiet_order(status_id=11)
        body, headers = self.signed(self.order_payload(order["id"]), token=token)
        return self.post(body, headers).status_code

    def hook_tokens(self):
        return {
            hook["headers"].get(TOKEN_HEADER)
            for hook in self.sandbox.state.hooks.values()
            if self.instance._is_connector_hook(hook)
        }

    def test_rotate_now_refuses_the_old_secret_at_once(self):
        old = self.token()
        self.instance.action_rotate_webhook_secret_now()
        new = self.token()
        self.assertNotEqual(old, new)
        self.assertEqual(self.hook_tokens(), {new})
        self.assertEqual(self.status_with(old), 401)
        self.assertEqual(self.status_with(new), 200)

    def test_rotate_with_grace_still_accepts_the_old_secret(self):
        old = self.token()
        self.instance.action_rotate_webhook_secret()
        self.assertEqual(self.hook_tokens(), {self.token()})
        self.assertEqual(self.status_with(old), 200)

    def test_rotate_now_holds_when_bigcommerce_cannot_be_told(self):
        old = self.token()
        self.addCleanup(self.sandbox.clear_faults)
        self.sandbox.set_faults(error_rate=1.0)
        result = self.instance.action_rotate_webhook_secret_now()
        self.sandbox.clear_faults()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("old secret is refused", result["params"]["message"])
        self.assertEqual(self.status_with(old), 401)
        # Registering later hands BigCommerce a new secret, never the old one.
        self.instance.action_register_webhooks()
        self.assertNotIn(old, self.hook_tokens())
        self.assertEqual(self.status_with(self.token()), 200)

    def test_a_new_webhook_address_never_receives_the_current_secret(self):
        old = self.token()
        # Whoever may set the address points the hooks at their server...
        self.instance.webhook_base_url = "https://collector.example.net"
        self.assertFalse(self.instance.sudo().webhook_token_encrypted)
        self.assertEqual(self.status_with(old), 401)
        self.instance.action_register_webhooks()
        sent_there = self.token()
        self.assertNotEqual(sent_there, old)
        self.assertEqual(self.hook_tokens(), {sent_there})
        # ... and back: what that server received is worthless here.
        self.instance.webhook_base_url = self.base_url()
        self.instance.action_register_webhooks()
        self.assertNotIn(self.token(), (old, sent_there))
        self.assertEqual(self.status_with(sent_there), 401)
        self.assertEqual(self.status_with(self.token()), 200)

    def test_a_new_public_address_of_odoo_forgets_the_secret_too(self):
        """Without a Webhook Base URL the hooks follow web.base.url (a system
        parameter): the secret is bound to the address all the same."""
        parameters = self.env["ir.config_parameter"].sudo()
        self.instance.webhook_base_url = False
        parameters.set_param("web.base.url", "https://erp-one.example.com")
        self.instance.action_register_webhooks()
        first = self.token()
        parameters.set_param("web.base.url", "https://erp-two.example.com")
        self.instance.action_register_webhooks()
        self.assertNotEqual(self.token(), first)
        self.assertEqual(self.hook_tokens(), {self.token()})
        self.assertEqual(self.status_with(first), 401)

    def test_the_same_address_keeps_the_secret(self):
        old = self.token()
        self.instance.webhook_base_url = f"{self.base_url()}/"
        self.instance.action_register_webhooks()
        self.assertEqual(self.token(), old)
        self.assertEqual(self.status_with(old), 200)
