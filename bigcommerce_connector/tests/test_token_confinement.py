"""The access token never leaves for a host other than the store's API.

A BigCommerce Administrator (not an Odoo system administrator) may edit the
API base URL. Pointing it at a server of theirs and pressing Test Connection
must not hand them the token: changing the URL or the store hash forgets the
credentials, and the host must be BigCommerce's unless the server's own
configuration allows it. A listener on the loopback (the only place Odoo's
test mode lets a request go) stands in for the attacker's server.
"""

import http.server
import os
import threading
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import config

from .common import BigcommerceSandboxCase


class Listener:
    """Records every request it receives; answers like a store would."""

    def __init__(self):
        self.received = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                listener.received.append(dict(self.headers))
                body = b'{"name": "Attacker", "domain": "evil.example"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def tokens(self, token):
        return [
            headers
            for headers in self.received
            if any(token in str(value) for value in headers.values())
        ]


@tagged("post_install", "-at_install")
class TestTokenConfinement(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bc_manager = new_test_user(
            cls.env,
            login="bc_confinement_manager",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )
        cls.instance.client_secret = "client-secret-of-the-store"

    def setUp(self):
        super().setUp()
        self.listener = Listener()
        self.addCleanup(self.listener.close)

    def test_admin_pointing_the_url_elsewhere_never_sends_the_token(self):
        instance = self.instance.with_user(self.bc_manager)
        instance.write({"api_url": self.listener.url + "/stores/stolen"})
        action = instance.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.listener.tokens(self.sandbox.access_token), [])
        self.assertEqual(self.listener.received, [])
        self.assertFalse(instance.has_access_token)
        self.assertFalse(instance.has_client_secret)
        with self.assertRaisesRegex(UserError, "access token"):
            instance.action_confirm()
        self.assertEqual(self.listener.received, [])

    def test_changing_the_store_hash_forgets_the_credentials(self):
        self.instance.with_user(self.bc_manager).store_hash = "another-store"
        self.assertFalse(self.instance.has_access_token)
        self.assertFalse(self.instance.has_client_secret)

    def test_credentials_typed_with_the_new_url_are_kept(self):
        self.instance.with_user(self.bc_manager).write(
            {
                "api_url": self.sandbox.api_url + "/",
                "access_token": self.sandbox.access_token,
            }
        )
        self.assertTrue(self.instance.has_access_token)
        action = self.instance.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")

    def test_saving_the_same_url_keeps_the_credentials(self):
        self.instance.with_user(self.bc_manager).write(
            {"api_url": self.sandbox.api_url, "store_hash": self.sandbox.store_hash}
        )
        self.assertTrue(self.instance.has_access_token)
        self.assertTrue(self.instance.has_client_secret)

    def test_only_bigcommerce_host_unless_the_server_allows_another(self):
        instance = self.instance.with_user(self.bc_manager)
        for url in (
            "https://evil.example/stores/x",
            "http://api.bigcommerce.com/stores/x",
            "https://api.bigcommerce.com.evil.example/stores/x",
            "https://me:pw@api.bigcommerce.com/stores/x",
        ):
            with self.assertRaises(ValidationError, msg=url):
                instance.write({"api_url": url})
        instance.write({"api_url": "https://api.bigcommerce.com/stores/abc"})
        # Without the server's permission, the sandbox's loopback host is
        # refused too, whatever the instance says.
        with (
            patch.dict(os.environ, {"BIGCOMMERCE_ALLOWED_API_HOSTS": ""}),
            patch.dict(config.options, {"bigcommerce_allowed_api_hosts": ""}),
        ):
            with self.assertRaises(ValidationError):
                instance.write({"api_url": self.listener.url + "/stores/x"})
            self.instance.sudo().env.cr.execute(
                "UPDATE bigcommerce_instance SET api_url = %s WHERE id = %s",
                [self.listener.url + "/stores/x", self.instance.id],
            )
            self.instance.invalidate_recordset(["api_url"])
            instance.access_token = "typed-again"
            action = instance.action_test_connection()
            self.assertEqual(action["params"]["type"], "danger")
            self.assertIn("api.bigcommerce.com", action["params"]["message"])
        self.assertEqual(self.listener.received, [])
