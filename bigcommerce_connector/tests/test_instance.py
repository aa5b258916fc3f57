import os
from unittest.mock import patch

from cryptography.fernet import Fernet

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config

from ..tools import secret_box
from .common import BigcommerceSandboxCase


@tagged("post_install", "-at_install")
class TestInstanceConnection(BigcommerceSandboxCase):
    def test_encryption_key_configured_follows_the_server_configuration(self):
        """The form's warning: no key (neither the environment variable nor
        the configuration option) shows it and refuses to store a token with
        the fix; either one alone is a configured key."""
        key = Fernet.generate_key().decode()
        for environ, option, configured in (
            ("", "", False),
            (key, "", True),
            ("", key, True),
        ):
            with (
                self.subTest(environ=bool(environ), option=bool(option)),
                patch.dict(os.environ, {secret_box.ENV_KEY: environ}),
                patch.dict(config._runtime_options, {secret_box.CONFIG_KEY: option}),
            ):
                self.instance.invalidate_recordset(["encryption_key_configured"])
                self.assertEqual(self.instance.encryption_key_configured, configured)
                if not configured:
                    with self.assertRaisesRegex(UserError, secret_box.ENV_KEY):
                        self.instance.access_token = "a-new-token"
        self.instance.invalidate_recordset(["encryption_key_configured"])

    def test_default_api_url_follows_store_hash(self):
        instance = self.env["bigcommerce.instance"].create(
            {"name": "Live", "store_hash": "abc123", "access_token": "x"}
        )
        self.assertEqual(instance.api_url, "https://api.bigcommerce.com/stores/abc123")

    def test_test_connection_success(self):
        action = self.instance.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.instance.connection_state, "ok")
        store = self.sandbox.store_info
        self.assertEqual(self.instance.store_name, store["name"])
        self.assertIn(store["name"], action["params"]["message"])
        self.assertTrue(self.instance.connection_checked_at)

    def test_test_connection_wrong_token(self):
        self.instance.access_token = "not-the-token"
        action = self.instance.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.instance.connection_state, "failed")
        self.assertIn("401", self.instance.connection_message)
        self.assertIn("access token", self.instance.connection_message)
        self.assertNotIn("not-the-token", self.instance.connection_message)

    def test_test_connection_wrong_store_hash(self):
        # Another URL forgets the token: it is typed again with it.
        self.instance.write(
            {
                "api_url": self.sandbox.url + "/stores/nosuchstore",
                "access_token": self.sandbox.access_token,
            }
        )
        action = self.instance.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("404", self.instance.connection_message)
        self.assertIn("store hash", self.instance.connection_message)

    def test_test_connection_missing_scope(self):
        self.sandbox.add_token("read-orders-only", scopes={"store_v2_orders"})
        self.instance.access_token = "read-orders-only"
        self.instance.action_test_connection()
        self.assertEqual(self.instance.connection_state, "failed")
        self.assertIn("scope", self.instance.connection_message)

    def test_test_connection_unreachable(self):
        # A port nothing listens on: the sandbox's own port once it is closed.
        from bigcommerce_sandbox import SandboxStore

        closed = SandboxStore(seed=1).start()
        closed.stop()
        self.instance.write(
            {"api_url": closed.api_url, "access_token": self.sandbox.access_token}
        )
        action = self.instance.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("could not be reached", self.instance.connection_message)

    def test_connection_failure_is_logged(self):
        self.instance.access_token = "not-the-token"
        self.instance.action_test_connection()
        log = self.instance.log_ids[:1]
        self.assertEqual(log.state, "failed")
        self.assertEqual(log.operation, "test_connection")
        self.assertIn("401", log.message)
        self.assertTrue(log.ended_at)

    def test_confirm_imports_store_settings(self):
        self.env["res.currency"].search([("name", "=", "EUR")]).active = False
        self.instance.action_confirm()
        self.assertEqual(self.instance.state, "confirmed")
        store = self.sandbox.store_info
        self.assertEqual(self.instance.currency_id.name, store["currency"])
        self.assertTrue(self.instance.currency_id.active)
        enabled = {c["currency_code"] for c in self.sandbox.currencies if c["enabled"]}
        self.assertEqual(set(self.instance.currency_ids.mapped("name")), enabled)
        self.assertIn("EUR", enabled)
        self.assertTrue(self.env.ref("base.EUR").active, "EUR must be activated")
        self.assertEqual(self.instance.weight_unit, store["weight_units"])
        self.assertTrue(self.instance.weight_uom_id)
        self.assertEqual(
            sorted(self.instance.order_status_ids.mapped("bigcommerce_id")),
            list(range(15)),
        )
        self.assertEqual(
            self.instance.order_status_ids.filtered(
                lambda s: s.bigcommerce_id == 11
            ).system_label,
            "Awaiting Fulfillment",
        )
        self.assertEqual(
            sorted(self.instance.location_ids.mapped("bigcommerce_id")),
            sorted(loc["id"] for loc in self.sandbox.locations),
        )
        self.assertEqual(
            sorted(self.instance.tax_class_ids.mapped("name")),
            sorted(tc["name"] for tc in self.sandbox.tax_classes),
        )
        self.assertEqual(len(self.instance.channel_ids), len(self.sandbox.channels))
        log = self.instance.log_ids.filtered(lambda lg: lg.operation == "confirm")
        self.assertEqual(log.state, "done")
        self.assertGreater(log.created_count, 15)

    def test_confirm_twice_updates_without_duplicates(self):
        self.instance.action_confirm()
        counts = (
            len(self.instance.order_status_ids),
            len(self.instance.location_ids),
            len(self.instance.tax_class_ids),
        )
        self.instance.action_confirm()
        self.assertEqual(
            counts,
            (
                len(self.instance.order_status_ids),
                len(self.instance.location_ids),
                len(self.instance.tax_class_ids),
            ),
        )
        last = self.instance.log_ids.filtered(lambda lg: lg.operation == "confirm")[0]
        self.assertEqual(last.created_count, 0)
        self.assertGreater(last.updated_count, 0)

    def test_confirm_wrong_token_raises_clear_error(self):
        self.instance.access_token = "not-the-token"
        with self.assertRaisesRegex(UserError, "rejected the access token"):
            self.instance.action_confirm()
        self.assertEqual(self.instance.state, "draft")

    def test_confirm_unreachable_raises_clear_error(self):
        self.instance.write(
            {
                "api_url": "http://127.0.0.1:9/stores/x",
                "access_token": self.sandbox.access_token,
            }
        )
        with self.assertRaisesRegex(UserError, "could not be reached"):
            self.instance.action_confirm()

    def test_changing_store_hash_resets_to_draft(self):
        self.instance.action_confirm()
        self.instance.store_hash = "another"
        self.assertEqual(self.instance.state, "draft")
        self.assertEqual(self.instance.connection_state, "unknown")

    def test_token_is_encrypted_at_rest(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT access_token_encrypted FROM bigcommerce_instance WHERE id = %s",
            [self.instance.id],
        )
        stored = self.env.cr.fetchone()[0]
        self.assertTrue(stored)
        self.assertNotIn(self.sandbox.access_token, stored)
        self.assertEqual(
            secret_box.decrypt(self.env, stored), self.sandbox.access_token
        )
        # The whole row holds the token nowhere in clear.
        self.env.cr.execute(
            "SELECT row_to_json(i)::text FROM bigcommerce_instance i WHERE id = %s",
            [self.instance.id],
        )
        self.assertNotIn(self.sandbox.access_token, self.env.cr.fetchone()[0])

    def test_client_secret_is_encrypted_at_rest(self):
        self.instance.client_secret = "shh-client-secret"
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(i)::text FROM bigcommerce_instance i WHERE id = %s",
            [self.instance.id],
        )
        row = self.env.cr.fetchone()[0]
        self.assertNotIn("shh-client-secret", row)
        self.assertTrue(self.instance.has_client_secret)

    def test_token_is_stored(self):
        # What must not be read back is tested in test_credentials_secrecy.
        self.assertTrue(self.instance.has_access_token)

    def test_client_repr_hides_token(self):
        client = self.instance._get_client()
        self.assertNotIn(self.sandbox.access_token, repr(client))
        self.assertNotIn(self.sandbox.access_token, str(client))
