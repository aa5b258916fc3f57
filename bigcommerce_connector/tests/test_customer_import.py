import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BigcommerceSandboxCase


@tagged("post_install", "-at_install")
class TestCustomerImport(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()

    def bindings(self):
        return self.env["bigcommerce.customer"].search(
            [("instance_id", "=", self.instance.id)]
        )

    def import_customers(self, **kwargs):
        self.instance.with_context(queue_job__no_delay=True).import_customers(**kwargs)

    def test_full_import_one_partner_per_customer(self):
        self.import_customers()
        bindings = self.bindings()
        self.assertEqual(
            sorted(bindings.mapped("bigcommerce_id")),
            sorted(self.sandbox.state.customers),
        )
        self.assertEqual(len(bindings.partner_id), len(self.sandbox.state.customers))
        customer = self.sandbox.state.customers[bindings[0].bigcommerce_id]
        self.assertEqual(bindings[0].partner_id.email, customer["email"])

    def test_reimport_creates_nothing_and_updates_changes(self):
        self.import_customers()
        partners = self.env["res.partner"].search_count([])
        customer_id = min(self.sandbox.state.customers)
        customer = self.sandbox.state.customers[customer_id]
        customer["first_name"] = "Renamed"
        customer["date_modified"] = "2026-06-01T10:00:00Z"
        self.import_customers()
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        binding = self.bindings().filtered(lambda b: b.bigcommerce_id == customer_id)
        self.assertTrue(binding.partner_id.name.startswith("Renamed"))

    def test_import_by_ids(self):
        wanted = sorted(self.sandbox.state.customers)[:3]
        self.import_customers(customer_ids=wanted)
        self.assertEqual(sorted(self.bindings().mapped("bigcommerce_id")), wanted)

    def test_addresses_become_deduplicated_delivery_contacts(self):
        customer_id = max(
            self.sandbox.state.customer_addresses,
            key=lambda cid: len(self.sandbox.state.customer_addresses[cid]),
        )
        self.import_customers(customer_ids=[customer_id])
        partner = self.bindings().partner_id
        children = partner.child_ids
        self.import_customers(customer_ids=[customer_id])
        self.assertEqual(partner.child_ids, children)
        self.assertLessEqual(
            len(children), len(self.sandbox.state.customer_addresses[customer_id])
        )

    def test_guest_partner_matched_by_email_and_address(self):
        billing = {
            "first_name": "Gina",
            "last_name": "Guest",
            "street_1": "1 Main Street",
            "city": "Austin",
            "zip": "78701",
            "country_iso2": "US",
            "email": "gina@example.com",
        }
        first = self.instance._bigcommerce_guest_partner(billing)
        again = self.instance._bigcommerce_guest_partner(
            dict(billing, email="GINA@example.com")
        )
        self.assertEqual(first, again)
        moved = self.instance._bigcommerce_guest_partner(
            dict(billing, street_1="9 Other Road")
        )
        self.assertNotEqual(first, moved)

    def test_address_partner_is_reused(self):
        parent = self.env["res.partner"].create({"name": "Parent"})
        address = {
            "first_name": "Ship",
            "last_name": "Here",
            "street_1": "5 Dock Lane",
            "city": "Boston",
            "zip": "02110",
            "country_iso2": "US",
        }
        child = self.instance._bigcommerce_address_partner(parent, address, "delivery")
        self.assertEqual(child.parent_id, parent)
        self.assertEqual(child.type, "delivery")
        self.assertEqual(
            self.instance._bigcommerce_address_partner(parent, address, "delivery"),
            child,
        )

    def test_customer_partner_imported_on_demand(self):
        client = self.instance._get_client()
        customer_id = max(self.sandbox.state.customers)
        partner = self.instance._bigcommerce_customer_partner(customer_id, client)
        self.assertEqual(
            partner.email, self.sandbox.state.customers[customer_id]["email"]
        )
        self.assertEqual(len(self.bindings()), 1)
        with self.assertRaisesRegex(UserError, "does not know the customer"):
            self.instance._bigcommerce_customer_partner(999999, client)

    def test_binding_is_unique_in_the_database(self):
        self.import_customers(customer_ids=[min(self.sandbox.state.customers)])
        binding = self.bindings()
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
        ):
            self.env["bigcommerce.customer"].create(
                {
                    "instance_id": self.instance.id,
                    "bigcommerce_id": binding.bigcommerce_id,
                    "partner_id": binding.partner_id.id,
                }
            )
            self.env.flush_all()

    def test_transient_error_retries_the_job(self):
        from odoo.addons.queue_job.exception import RetryableJobError

        self.sandbox.queue_faults("503")
        with self.assertRaises(RetryableJobError):
            self.instance._job_import_customers()
        self.sandbox.clear_faults()
