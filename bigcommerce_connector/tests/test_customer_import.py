import copy
from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..importers.customer import CustomerImporter
from .common import BigcommerceSandboxCase, forget_quota


@tagged("post_install", "-at_install")
class TestCustomerImport(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()

    def tearDown(self):
        # The sandbox lives for the whole class: undo each test's changes.
        self.sandbox.clear_faults()
        self.sandbox.reset()
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    # Helpers

    @property
    def customers(self):
        return self.sandbox.state.customers

    @property
    def addresses(self):
        return self.sandbox.state.customer_addresses

    def bindings(self):
        return self.env["bigcommerce.customer"].search(
            [("instance_id", "=", self.instance.id)]
        )

    def partner_of(self, customer_id):
        return (
            self.bindings()
            .filtered(lambda b: b.bigcommerce_id == customer_id)
            .partner_id
        )

    def import_customers(self, **kwargs):
        return self.instance.with_context(queue_job__no_delay=True).import_customers(
            **kwargs
        )

    def delivery_contacts(self, partner):
        return partner.child_ids.filtered(lambda c: c.type == "delivery")

    # Import

    def test_full_import_one_partner_per_customer(self):
        self.import_customers()
        bindings = self.bindings()
        # The loop below checks each binding: there must be bindings to check.
        self.assertGreater(len(self.customers), 10)
        self.assertEqual(
            sorted(bindings.mapped("bigcommerce_id")), sorted(self.customers)
        )
        self.assertEqual(len(bindings.partner_id), len(self.customers))
        for binding in bindings:
            customer = self.customers[binding.bigcommerce_id]
            partner = binding.partner_id
            self.assertEqual(partner.email, customer["email"])
            self.assertEqual(
                partner.name, f"{customer['first_name']} {customer['last_name']}"
            )
            self.assertEqual(partner.type, "contact")
            self.assertEqual(partner.company_type, "person")
            self.assertEqual(partner.lang, self.instance.lang)
            addresses = self.addresses[binding.bigcommerce_id]
            self.assertEqual(
                len(self.delivery_contacts(partner)), len(addresses), partner.name
            )
            self.assertEqual(
                sorted(partner.child_ids.mapped("bigcommerce_address_id")),
                sorted(a["id"] for a in addresses),
            )
            # The customer's own address is its first one, state included.
            first = addresses[0]
            self.assertEqual(partner.street, first["address1"])
            self.assertEqual(partner.zip, first["postal_code"])
            self.assertEqual(partner.country_id.code, first["country_code"])
            if first["country_code"] == "US":
                self.assertEqual(partner.state_id.name, first["state_or_province"])
        log = self.instance.log_ids.filtered(
            lambda log: log.operation == "import_customers"
        )
        self.assertEqual(log.state, "done")
        self.assertEqual(log.created_count, len(self.customers))

    def test_reimport_creates_nothing_and_updates_changes(self):
        self.import_customers()
        partners = self.env["res.partner"].with_context(active_test=False)
        count = partners.search_count([])
        customer_id = min(self.customers)
        customer = self.customers[customer_id]
        customer["first_name"] = "Renamed"
        customer["date_modified"] = "2026-06-01T10:00:00Z"
        address = self.addresses[customer_id][0]
        contact = self.partner_of(customer_id).child_ids.filtered(
            lambda c: c.bigcommerce_address_id == address["id"]
        )
        address["address1"] = "1 Moved Street"
        self.import_customers()
        self.assertEqual(partners.search_count([]), count)
        partner = self.partner_of(customer_id)
        self.assertEqual(partner.name, f"Renamed {customer['last_name']}")
        # The bound contact is updated in place, not duplicated.
        self.assertEqual(contact.street, "1 Moved Street")
        self.assertEqual(partner.street, "1 Moved Street")
        log = self.instance.log_ids.sorted("id")[-1]
        self.assertEqual(log.created_count, 0)
        self.assertEqual(log.updated_count, 1)
        self.assertEqual(log.skipped_count, len(self.customers) - 1)

    def test_import_by_ids(self):
        wanted = sorted(self.customers)[:3]
        self.import_customers(customer_ids=wanted)
        self.assertEqual(sorted(self.bindings().mapped("bigcommerce_id")), wanted)
        query = [q for m, p, q in self.sandbox.request_log if p == "/v3/customers"][-1]
        self.assertEqual(query["id:in"], ",".join(map(str, wanted)))
        self.assertEqual(query["include"], "addresses")

    def test_import_since_a_date_imports_only_newer_ones(self):
        newer = sorted(self.customers)[-2:]
        for customer_id in newer:
            self.customers[customer_id]["date_modified"] = "2026-09-01T12:00:00Z"
        self.import_customers(since="2026-08-31 00:00:00")
        self.assertEqual(sorted(self.bindings().mapped("bigcommerce_id")), newer)
        query = [q for m, p, q in self.sandbox.request_log if p == "/v3/customers"][-1]
        self.assertEqual(query["date_modified:min"], "2026-08-31T00:00:00+00:00")
        self.assertEqual(query["sort"], "date_modified:asc")

    def test_customer_with_more_than_ten_addresses_gets_them_all(self):
        customer_id = min(self.customers)
        addresses = self.addresses[customer_id]
        next_id = max(a["id"] for rows in self.addresses.values() for a in rows) + 1
        for offset in range(12):
            address = copy.deepcopy(addresses[0])
            address.update(id=next_id + offset, address1=f"{offset + 1} Extra Road")
            addresses.append(address)
        self.customers[customer_id]["address_count"] = len(addresses)
        self.import_customers(customer_ids=[customer_id])
        partner = self.partner_of(customer_id)
        self.assertGreater(len(addresses), 10)
        self.assertEqual(len(self.delivery_contacts(partner)), len(addresses))
        bulk = [q for m, p, q in self.sandbox.request_log if p.endswith("/addresses")]
        self.assertEqual(len(bulk), 1)
        self.assertEqual(bulk[0]["customer_id:in"], str(customer_id))
        # Deleted in BigCommerce: its contact is archived, not duplicated.
        removed = addresses.pop()
        self.customers[customer_id]["address_count"] = len(addresses)
        self.customers[customer_id]["date_modified"] = "2026-06-01T10:00:00Z"
        self.import_customers(customer_ids=[customer_id])
        self.assertEqual(len(self.delivery_contacts(partner)), len(addresses))
        self.assertNotIn(
            removed["id"], partner.child_ids.mapped("bigcommerce_address_id")
        )

    def test_company_contact_option(self):
        with_company = [cid for cid, c in self.customers.items() if c["company"]][:2]
        self.customers[with_company[1]]["company"] = self.customers[with_company[0]][
            "company"
        ]
        self.import_customers(customer_ids=[with_company[0]])
        self.assertFalse(self.partner_of(with_company[0]).parent_id)

        self.instance.create_company_contact = True
        self.import_customers(customer_ids=with_company)
        first, second = (self.partner_of(cid) for cid in with_company)
        company = first.parent_id
        self.assertTrue(company.is_company)
        self.assertEqual(company.name, self.customers[with_company[0]]["company"])
        self.assertEqual(company.company_id, self.instance.company_id)
        self.assertEqual(second.parent_id, company, "reused by exact name")
        self.assertEqual(first.type, "contact")
        self.assertFalse(first.is_company)

    def test_receivable_account(self):
        account = self.env["account.account"].create(
            {
                "name": "BigCommerce receivables",
                "code": "121999",
                "account_type": "asset_receivable",
                "reconcile": True,
                "company_ids": [self.instance.company_id.id],
            }
        )
        self.instance.customer_receivable_account_id = account
        customer_id = min(self.customers)
        self.import_customers(customer_ids=[customer_id])
        partner = self.partner_of(customer_id).with_company(self.instance.company_id)
        self.assertEqual(partner.property_account_receivable_id, account)

    def test_binding_is_unique_in_the_database(self):
        self.import_customers(customer_ids=[min(self.customers)])
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

    def test_concurrent_binding_keeps_the_first_partner(self):
        """The binding INSERT losing the race rolls its partner back."""
        customer_id = min(self.customers)
        winner = self.env["res.partner"].create({"name": "Bound elsewhere"})
        self.env["bigcommerce.customer"].create(
            {
                "instance_id": self.instance.id,
                "bigcommerce_id": customer_id,
                "partner_id": winner.id,
            }
        )
        partners = self.env["res.partner"].search_count([])
        importer = CustomerImporter(self.instance, None)
        partner = importer._create_binding(
            customer_id, {"name": "Loser"}, {"email": False, "date_modified": False}
        )
        self.assertEqual(partner, winner)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    # Helpers of the order importer

    def test_customer_partner_imported_on_demand(self):
        client = self.instance._get_client()
        customer_id = max(self.customers)
        partner = self.instance._bigcommerce_customer_partner(customer_id, client)
        self.assertEqual(partner.email, self.customers[customer_id]["email"])
        self.assertEqual(len(self.bindings()), 1)
        self.assertEqual(
            len(self.delivery_contacts(partner)), len(self.addresses[customer_id])
        )
        self.assertEqual(
            self.instance._bigcommerce_customer_partner(customer_id, client), partner
        )
        with self.assertRaisesRegex(UserError, "does not know the customer 999999"):
            self.instance._bigcommerce_customer_partner(999999, client)

    def test_guest_partner_matched_by_email_and_address(self):
        billing = {
            "first_name": "Gina",
            "last_name": "Guest",
            "company": "",
            "street_1": "1 Main Street",
            "street_2": "",
            "city": "Austin",
            "state": "Texas",
            "zip": "78701",
            "country": "United States",
            "country_iso2": "US",
            "phone": "512-555-0100",
            "email": "gina@example.com",
        }
        first = self.instance._bigcommerce_guest_partner(billing)
        self.assertTrue(first.bigcommerce_guest)
        self.assertEqual(first.state_id.code, "TX")
        again = self.instance._bigcommerce_guest_partner(
            dict(billing, email="GINA@Example.com", city="AUSTIN ")
        )
        self.assertEqual(first, again)
        moved = self.instance._bigcommerce_guest_partner(
            dict(billing, street_1="9 Other Road")
        )
        self.assertNotEqual(first, moved)
        other = self.instance._bigcommerce_guest_partner(
            dict(billing, email="someone@example.com")
        )
        self.assertNotIn(other, first | moved)
        # A partner that merely shares the e-mail is not this store's guest.
        outsider = self.env["res.partner"].create(
            {"name": "Outsider", "email": "out@example.com", "street": "1 Main Street"}
        )
        self.assertNotEqual(
            self.instance._bigcommerce_guest_partner(
                dict(billing, email="out@example.com")
            ),
            outsider,
        )

    def test_guest_partner_reuses_a_bound_customer(self):
        # Only when the merchant asks for it (see test_guest_matching.py).
        self.instance.match_existing_partners = True
        customer_id = min(self.customers)
        self.import_customers(customer_ids=[customer_id])
        customer = self.customers[customer_id]
        address = self.addresses[customer_id][0]
        billing = {
            "first_name": customer["first_name"],
            "last_name": customer["last_name"],
            "street_1": address["address1"],
            "city": address["city"],
            "zip": address["postal_code"],
            "country_iso2": address["country_code"],
            "email": customer["email"].upper(),
        }
        self.assertEqual(
            self.instance._bigcommerce_guest_partner(billing),
            self.partner_of(customer_id),
        )

    def test_address_partner_is_reused(self):
        parent = self.env["res.partner"].create(
            {"name": "Parent", "street": "1 Home Road", "zip": "02110"}
        )
        address = {
            "id": 7,
            "first_name": "Ship",
            "last_name": "Here",
            "street_1": "5 Dock Lane",
            "street_2": "",
            "city": "Boston",
            "state": "Massachusetts",
            "zip": "02110",
            "country": "United States",
            "country_iso2": "US",
            "email": "ship@example.com",
            "phone": "",
        }
        child = self.instance._bigcommerce_address_partner(parent, address, "delivery")
        self.assertEqual(child.parent_id, parent)
        self.assertEqual(child.type, "delivery")
        self.assertEqual(child.name, "Ship Here")
        self.assertEqual(child.state_id.code, "MA")
        self.assertEqual(
            self.instance._bigcommerce_address_partner(parent, address, "delivery"),
            child,
        )
        invoice = self.instance._bigcommerce_address_partner(parent, address, "invoice")
        self.assertEqual(invoice.type, "invoice")
        self.assertNotEqual(invoice, child)
        other = self.instance._bigcommerce_address_partner(
            parent,
            dict(address, phone="555-0199", email="other@example.com"),
            "delivery",
        )
        self.assertNotEqual(other, child)
        self.assertEqual(len(parent.child_ids), 3)

    def test_address_partner_is_the_parent_for_its_own_address(self):
        customer_id = min(self.customers)
        self.import_customers(customer_ids=[customer_id])
        partner = self.partner_of(customer_id)
        customer = self.customers[customer_id]
        address = self.addresses[customer_id][0]
        billing = {
            "first_name": customer["first_name"],
            "last_name": customer["last_name"],
            "street_1": address["address1"],
            "street_2": address["address2"],
            "city": address["city"],
            "state": address["state_or_province"],
            "zip": address["postal_code"],
            "country_iso2": address["country_code"],
            "email": customer["email"],
            "phone": customer["phone"],
        }
        self.assertEqual(
            self.instance._bigcommerce_address_partner(partner, billing, "invoice"),
            partner,
        )
        # The same address as shipping address: the bound delivery contact.
        delivery = self.instance._bigcommerce_address_partner(
            partner, dict(billing, first_name="Other"), "delivery"
        )
        self.assertEqual(delivery.type, "delivery")
        self.assertEqual(
            self.instance._bigcommerce_address_partner(
                partner, dict(billing, first_name="Other"), "delivery"
            ),
            delivery,
        )

    # Jobs

    def test_cron_queues_one_job_per_confirmed_instance(self):
        instances = self.env["bigcommerce.instance"]
        other = instances.create(
            {"name": "Other store", "store_hash": "other", "access_token": "x"}
        )
        other.state = "confirmed"
        idle = instances.create(
            {
                "name": "Idle store",
                "store_hash": "idle",
                "access_token": "x",
                "import_customers_cron": False,
            }
        )
        idle.state = "confirmed"
        draft = instances.create(
            {"name": "Draft", "store_hash": "draft", "access_token": "x"}
        )
        with trap_jobs() as trap:
            instances._cron_import_customers()
            # Counted per store of this test: the cron also polls any store
            # that a test committing through its own connection confirmed.
            for store, count in ((self.instance, 1), (other, 1), (idle, 0), (draft, 0)):
                trap.assert_jobs_count(count, only=store._job_poll_customers)
            trap.assert_enqueued_job(
                self.instance._job_poll_customers,
                properties={"channel": self.instance._queue_channel()},
            )
            trap.assert_enqueued_job(
                other._job_poll_customers,
                properties={"channel": other._queue_channel()},
            )

    def test_poll_moves_the_checkpoint_only_on_success(self):
        checkpoint = fields.Datetime.to_datetime("2026-08-31 00:05:00")
        self.instance.customer_checkpoint = checkpoint
        newer = max(self.customers)
        self.customers[newer]["date_modified"] = "2026-08-31T00:01:00Z"
        self.sandbox.queue_faults("503")
        with self.assertRaises(RetryableJobError):
            self.instance._job_poll_customers()
        self.assertEqual(self.instance.customer_checkpoint, checkpoint)

        started = fields.Datetime.now()
        self.instance._job_poll_customers()
        self.assertGreaterEqual(self.instance.customer_checkpoint, started)
        # The 5 minutes overlap caught the customer saved just before.
        self.assertEqual(self.bindings().mapped("bigcommerce_id"), [newer])
        query = [q for m, p, q in self.sandbox.request_log if p == "/v3/customers"][-1]
        self.assertEqual(
            query["date_modified:min"],
            (checkpoint - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        )

    def test_import_customers_queues_a_job(self):
        with trap_jobs() as trap:
            self.instance.import_customers(customer_ids=[1, "2"], since=None)
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.instance._job_import_customers,
                kwargs={"customer_ids": [1, 2], "since": None},
                properties={"channel": self.instance._queue_channel()},
            )
            self.assertTrue(trap.enqueued_jobs[0].identity_key)
        self.assertFalse(self.bindings())

    def test_no_delay_context_runs_inline(self):
        jobs = self.env["queue.job"].search_count([])
        self.import_customers(customer_ids=[min(self.customers)])
        self.assertEqual(len(self.bindings()), 1)
        self.assertEqual(self.env["queue.job"].search_count([]), jobs)

    def test_transient_error_retries_the_job(self):
        self.sandbox.queue_faults("503")
        # Not assertRaises, whose savepoint would roll the log back as well.
        try:
            self.instance._job_import_customers()
        except RetryableJobError as error:
            self.assertIn("503", str(error))
        else:
            self.fail("The job should be retried.")
        self.env.invalidate_all()
        log = self.env["bigcommerce.log"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("operation", "=", "import_customers"),
            ]
        )
        self.assertEqual(log.mapped("state"), ["failed"])

    def test_draft_instance_refuses_to_import(self):
        draft = self.env["bigcommerce.instance"].create(
            {"name": "Draft", "store_hash": "draft", "access_token": "x"}
        )
        with self.assertRaisesRegex(UserError, "Confirm the instance"):
            draft.import_customers()
