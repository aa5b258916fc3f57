"""What an attacker with a BigCommerce account would try to read the token.

The stored column holds a Fernet ciphertext that only the server's key
opens; and none of the ORM's and the web client's ways of reading records
(``read``, ``search_read``, export, ``fields_get`` defaults, the form's
``web_read`` payload) returns the token, the client secret, or their
ciphertexts, to a BigCommerce User or Administrator.
"""

from cryptography.fernet import Fernet, InvalidToken

from odoo.tests import new_test_user, tagged

from ..tools import secret_box
from .common import BigcommerceSandboxCase

CLIENT_SECRET = "client-secret-that-signs-webhooks"


@tagged("post_install", "-at_install")
class TestCredentialsSecrecy(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.client_secret = CLIENT_SECRET
        cls.users = {
            "user": new_test_user(
                cls.env,
                login="bc_secrecy_user",
                # Export rights too: what an attacker would use.
                groups="base.group_user,base.group_allow_export,"
                "bigcommerce_connector.group_bigcommerce_user",
            ),
            "manager": new_test_user(
                cls.env,
                login="bc_secrecy_manager",
                groups="base.group_user,base.group_allow_export,"
                "bigcommerce_connector.group_bigcommerce_manager",
            ),
        }

    def _stored(self, column):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {column} FROM bigcommerce_instance WHERE id = %s",  # noqa: S608
            [self.instance.id],
        )
        return self.env.cr.fetchone()[0]

    def _secrets(self):
        return [
            self.sandbox.access_token,
            CLIENT_SECRET,
            self._stored("access_token_encrypted"),
            self._stored("client_secret_encrypted"),
        ]

    def _assert_nothing_secret(self, payload, how):
        text = str(payload)
        for secret in self._secrets():
            self.assertNotIn(secret, text, f"{how} returned a credential")

    def test_column_holds_ciphertext_that_only_the_key_opens(self):
        for column, clear in (
            ("access_token_encrypted", self.sandbox.access_token),
            ("client_secret_encrypted", CLIENT_SECRET),
        ):
            stored = self._stored(column)
            self.assertNotIn(clear, stored)
            self.assertEqual(secret_box.decrypt(self.env, stored), clear)
            with self.assertRaises(InvalidToken):
                Fernet(Fernet.generate_key()).decrypt(stored.encode())

    def test_form_view_payload_never_holds_a_credential(self):
        for role, user in self.users.items():
            instance = self.instance.with_user(user)
            form = instance.get_views([(False, "form")])
            fields = form["models"]["bigcommerce.instance"]["fields"]
            payload = instance.web_read({name: {} for name in fields})
            self._assert_nothing_secret(payload, f"web_read as {role}")
            if role == "manager":
                # The form's default values of a new record (only those who
                # may create one get them).
                defaults = instance.browse().onchange(
                    {}, [], {name: {} for name in fields}
                )
                self._assert_nothing_secret(defaults, f"onchange as {role}")

    def test_read_search_read_export_and_defaults_never_hold_a_credential(self):
        for role, user in self.users.items():
            instances = self.env["bigcommerce.instance"].with_user(user)
            instance = self.instance.with_user(user)
            readable = [
                name
                for name, field in instances._fields.items()
                if instances._has_field_access(field, "read")
            ]
            self._assert_nothing_secret(instance.read(), f"read() as {role}")
            self._assert_nothing_secret(
                instance.read(readable), f"read(fields) as {role}"
            )
            self._assert_nothing_secret(
                instances.search_read([("id", "=", self.instance.id)]),
                f"search_read as {role}",
            )
            exportable = [
                name for name in readable if instances._fields[name].exportable
            ]
            self._assert_nothing_secret(
                instance.export_data(exportable), f"export as {role}"
            )
            self._assert_nothing_secret(instances.fields_get(), f"fields_get as {role}")
            self._assert_nothing_secret(
                instances.default_get(list(instances._fields)),
                f"default_get as {role}",
            )
            # The credentials' own fields read back empty, never the secret.
            if role == "manager":
                values = instance.read(["access_token", "client_secret"])[0]
                self.assertFalse(values["access_token"])
                self.assertFalse(values["client_secret"])
