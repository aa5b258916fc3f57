"""Nobody attaches an order to someone else's account (issue 19, item 4).

A guest checkout types any e-mail and address, and a shopper types any
company name: by default neither merges into a registered customer's
partner or a company the store did not create."""

from odoo.tests import tagged

from .common import BigcommerceSandboxCase, forget_quota


@tagged("post_install", "-at_install")
class TestGuestMatching(BigcommerceSandboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance.action_confirm()

    def tearDown(self):
        self.sandbox.reset()
        forget_quota(self.env, self.sandbox)
        super().tearDown()

    def import_customers(self, customer_ids):
        self.instance.with_context(queue_job__no_delay=True).import_customers(
            customer_ids=customer_ids
        )
        return {
            binding.bigcommerce_id: binding.partner_id
            for binding in self.env["bigcommerce.customer"].search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "in", customer_ids),
                ]
            )
        }

    def victim(self):
        """A registered customer, imported, and a guest billing address that
        copies its e-mail and address."""
        customer_id = min(self.sandbox.state.customers)
        partner = self.import_customers([customer_id])[customer_id]
        customer = self.sandbox.state.customers[customer_id]
        address = self.sandbox.state.customer_addresses[customer_id][0]
        billing = {
            "first_name": "Mallory",
            "last_name": "Shopper",
            "street_1": address["address1"],
            "city": address["city"],
            "zip": address["postal_code"],
            "country_iso2": address["country_code"],
            "email": customer["email"].upper(),
        }
        return partner, billing

    def test_default_is_off(self):
        self.assertFalse(
            self.env["bigcommerce.instance"]
            .default_get(["match_existing_partners"])
            .get("match_existing_partners")
        )

    def test_a_guest_never_merges_into_a_registered_customer(self):
        victim, billing = self.victim()
        guest = self.instance._bigcommerce_guest_partner(billing)
        self.assertNotEqual(guest, victim)
        self.assertNotEqual(guest.commercial_partner_id, victim.commercial_partner_id)
        self.assertTrue(guest.bigcommerce_guest)
        # The same guest again: its own earlier partner.
        self.assertEqual(self.instance._bigcommerce_guest_partner(billing), guest)

    def test_matching_customers_is_the_merchants_choice(self):
        victim, billing = self.victim()
        self.instance.match_existing_partners = True
        self.assertEqual(self.instance._bigcommerce_guest_partner(billing), victim)

    def test_a_company_name_never_joins_a_company_the_store_did_not_create(self):
        state = self.sandbox.state
        customer_id = next(cid for cid, c in state.customers.items() if c["company"])
        name = state.customers[customer_id]["company"]
        merchants = self.env["res.partner"].create(
            {"name": name, "is_company": True, "company_id": self.env.company.id}
        )
        self.instance.create_company_contact = True
        partner = self.import_customers([customer_id])[customer_id]
        self.assertTrue(partner.parent_id.is_company)
        self.assertEqual(partner.parent_id.name, name)
        self.assertNotEqual(partner.parent_id, merchants)
        self.assertNotEqual(partner.commercial_partner_id, merchants)

    def test_joining_existing_companies_is_the_merchants_choice(self):
        state = self.sandbox.state
        customer_id = next(cid for cid, c in state.customers.items() if c["company"])
        name = state.customers[customer_id]["company"]
        merchants = self.env["res.partner"].create(
            {"name": name, "is_company": True, "company_id": self.env.company.id}
        )
        self.instance.write(
            {"create_company_contact": True, "match_existing_partners": True}
        )
        partner = self.import_customers([customer_id])[customer_id]
        self.assertEqual(partner.parent_id, merchants)
