from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import BigcommerceSandboxCase


@tagged("post_install", "-at_install")
class TestInstanceSecurity(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_user = new_test_user(
            cls.env, login="bc_plain", groups="base.group_user"
        )
        cls.bc_user = new_test_user(
            cls.env,
            login="bc_user",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_user",
        )
        cls.bc_manager = new_test_user(
            cls.env,
            login="bc_manager",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )

    def test_plain_user_sees_no_instance(self):
        with self.assertRaises(AccessError):
            self.instance.with_user(self.plain_user).read(["name"])
        with self.assertRaises(AccessError):
            self.env["bigcommerce.instance"].with_user(self.plain_user).search([])

    def test_user_reads_instance_but_not_credentials(self):
        instance = self.instance.with_user(self.bc_user)
        self.assertEqual(instance.read(["name"])[0]["name"], "Sandbox store")
        for field in (
            "access_token",
            "client_secret",
            "store_hash",
            "api_url",
            "access_token_encrypted",
        ):
            with self.assertRaises(AccessError, msg=field):
                instance.read([field])

    def test_user_cannot_edit_credentials_or_instance(self):
        instance = self.instance.with_user(self.bc_user)
        with self.assertRaises(AccessError):
            instance.write({"access_token": "stolen"})
        with self.assertRaises(AccessError):
            instance.write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.env["bigcommerce.instance"].with_user(self.bc_user).create(
                {"name": "x", "store_hash": "x"}
            )

    def test_manager_edits_credentials_but_cannot_read_ciphertext(self):
        instance = self.instance.with_user(self.bc_manager)
        instance.write({"access_token": "new-token", "store_hash": "h2"})
        self.assertEqual(instance.store_hash, "h2")
        self.assertTrue(instance.has_access_token)
        with self.assertRaises(AccessError):
            instance.read(["access_token_encrypted"])

    def test_user_reads_logs_and_store_settings(self):
        self.instance.action_confirm()
        statuses = (
            self.env["bigcommerce.order.status"]
            .with_user(self.bc_user)
            .search([("instance_id", "=", self.instance.id)])
        )
        self.assertEqual(len(statuses), 15)
        logs = (
            self.env["bigcommerce.log"]
            .with_user(self.bc_user)
            .search([("instance_id", "=", self.instance.id)])
        )
        self.assertTrue(logs)
        with self.assertRaises(AccessError):
            logs[0].write({"message": "edited"})

    def test_multi_company_rule_hides_other_company_instances(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.instance.write({"company_id": other_company.id, "warehouse_id": False})
        visible = (
            self.env["bigcommerce.instance"]
            .with_user(self.bc_manager)
            .search([("id", "=", self.instance.id)])
        )
        self.assertFalse(visible)
