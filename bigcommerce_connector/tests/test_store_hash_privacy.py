"""BigCommerce Users never see the store hash; only those who may run the
Import wizard see its button."""

from lxml import etree

from odoo.tests import new_test_user, tagged

from .common import BigcommerceSandboxCase


@tagged("post_install", "-at_install")
class TestStoreHashPrivacy(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bc_user = new_test_user(
            cls.env,
            login="bc_hash_user",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_user",
        )
        cls.bc_manager = new_test_user(
            cls.env,
            login="bc_hash_manager",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )

    def _what_a_user_reads(self):
        """Every text of the instance and its logs a User can read."""
        instance = self.instance.with_user(self.bc_user)
        texts = [str(instance.read()), str(instance.web_read({"display_name": {}}))]
        logs = self.env["bigcommerce.log"].with_user(self.bc_user)
        texts.append(str(logs.search_read([("instance_id", "=", self.instance.id)])))
        return "\n".join(texts)

    def _assert_hash_hidden(self):
        store_hash = self.sandbox.store_hash
        self.assertTrue(store_hash)
        self.assertNotIn(store_hash, self._what_a_user_reads())

    def test_wrong_token_error_does_not_show_the_hash(self):
        self.instance.access_token = "not-the-token"
        action = self.instance.action_test_connection()
        self.assertIn("401", action["params"]["message"])
        self.assertNotIn(self.sandbox.store_hash, action["params"]["message"])
        self._assert_hash_hidden()

    def test_unknown_store_error_does_not_show_the_hash(self):
        self.instance.write(
            {
                "api_url": self.sandbox.url + f"/stores/{self.sandbox.store_hash}x",
                "access_token": self.sandbox.access_token,
            }
        )
        self.instance.action_test_connection()
        self.assertIn("404", self.instance.connection_message)
        self._assert_hash_hidden()

    def test_unreachable_error_does_not_show_the_hash(self):
        self.instance.write(
            {
                "api_url": f"http://127.0.0.1:9/stores/{self.sandbox.store_hash}",
                "access_token": self.sandbox.access_token,
            }
        )
        self.instance.action_test_connection()
        self.assertIn("could not be reached", self.instance.connection_message)
        self._assert_hash_hidden()

    def test_import_button_only_for_those_who_may_run_the_wizard(self):
        def import_buttons(user):
            arch = (
                self.env["bigcommerce.instance"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            wizard = self.env.ref(
                "bigcommerce_connector.bigcommerce_import_wizard_action"
            )
            return etree.fromstring(arch).xpath(f"//header/button[@name='{wizard.id}']")

        self.assertTrue(import_buttons(self.bc_manager))
        self.assertFalse(import_buttons(self.bc_user))
