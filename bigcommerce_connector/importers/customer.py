"""BigCommerce customers -> res.partner, bound by (instance, customer id)."""

import psycopg2

from odoo.tools import mute_logger

from ..client.parsing import parse_datetime

EMBEDDED_ADDRESSES = 10
ADDRESS_KEYS = ("street_1", "street_2", "city", "zip", "country_iso2", "email", "phone")


class CustomerImporter:
    def __init__(self, instance, client, recorder=None):
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.company = instance.company_id
        self._countries = {}

    # ------------------------------------------------------------------
    # Customers
    # ------------------------------------------------------------------

    def import_rows(self, rows):
        for customer in rows:
            self.import_customer(customer)

    def import_customer(self, customer):
        bindings = self.env["bigcommerce.customer"]
        binding = bindings.search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", customer["id"]),
            ],
            limit=1,
        )
        addresses = customer.get("addresses") or []
        if len(addresses) >= EMBEDDED_ADDRESSES and self.client:
            # Customers embed at most 10 addresses: read them all in bulk.
            addresses = list(
                self.client.iter_v3(
                    "customers/addresses", {"customer_id:in": str(customer["id"])}
                )
            )
        values = self._partner_values(customer, addresses[:1])
        modified = parse_datetime(customer.get("date_modified"))
        modified = modified.replace(tzinfo=None) if modified else False
        if binding:
            if binding.date_modified != modified:
                binding.partner_id.write(values)
                binding.write(
                    {"email": customer.get("email"), "date_modified": modified}
                )
                self._add("updated")
            else:
                self._add("skipped")
            partner = binding.partner_id
        else:
            partner = self.env["res.partner"].create(values)
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    bindings.create(
                        {
                            "instance_id": self.instance.id,
                            "bigcommerce_id": customer["id"],
                            "partner_id": partner.id,
                            "email": customer.get("email"),
                            "date_modified": modified,
                        }
                    )
            except psycopg2.errors.UniqueViolation:
                # Another job bound this customer meanwhile: use its partner.
                partner.unlink()
                return self.import_customer(customer)
            self._add("created")
        self._company_contact(partner, customer)
        for address in addresses:
            self.address_partner(partner, self._order_style(address), "delivery")
        return partner

    def _add(self, key):
        if self.recorder:
            self.recorder.add_counts(**{key: 1})

    def _partner_values(self, customer, addresses):
        name = " ".join(
            part
            for part in (customer.get("first_name"), customer.get("last_name"))
            if part
        )
        values = {
            "name": name or customer.get("email"),
            "email": customer.get("email"),
            "phone": customer.get("phone") or False,
            "company_type": "person",
            "lang": self.instance.lang or self.env.lang,
            "company_id": self.company.id,
        }
        if addresses:
            values.update(self._address_values(self._order_style(addresses[0])))
        if self.instance.customer_receivable_account_id:
            values["property_account_receivable_id"] = (
                self.instance.customer_receivable_account_id.id
            )
        return values

    def _company_contact(self, partner, customer):
        company_name = (customer.get("company") or "").strip()
        if not (self.instance.create_company_contact and company_name):
            return
        company = self.env["res.partner"].search(
            [
                ("name", "=", company_name),
                ("is_company", "=", True),
                ("company_id", "in", (False, self.company.id)),
            ],
            limit=1,
        )
        if not company:
            company = self.env["res.partner"].create(
                {
                    "name": company_name,
                    "company_type": "company",
                    "company_id": self.company.id,
                }
            )
        if partner.parent_id != company:
            partner.parent_id = company

    @staticmethod
    def _order_style(address):
        """A v3 customer address in the v2 order address shape."""
        return {
            "first_name": address.get("first_name"),
            "last_name": address.get("last_name"),
            "company": address.get("company"),
            "street_1": address.get("address1"),
            "street_2": address.get("address2"),
            "city": address.get("city"),
            "state": address.get("state_or_province"),
            "zip": address.get("postal_code"),
            "country_iso2": address.get("country_code"),
            "phone": address.get("phone"),
        }

    # ------------------------------------------------------------------
    # Addresses and guests (used by the order importer)
    # ------------------------------------------------------------------

    def _country_state(self, address):
        code = (address.get("country_iso2") or "").upper()
        key = (code, address.get("state") or "")
        if key not in self._countries:
            country = self.env["res.country"].search([("code", "=", code)], limit=1)
            state = self.env["res.country.state"]
            if country and address.get("state"):
                state = state.search(
                    [
                        ("country_id", "=", country.id),
                        "|",
                        ("name", "=ilike", address["state"]),
                        ("code", "=ilike", address["state"]),
                    ],
                    limit=1,
                )
            self._countries[key] = (country, state)
        return self._countries[key]

    def _address_values(self, address):
        country, state = self._country_state(address)
        return {
            "street": address.get("street_1") or False,
            "street2": address.get("street_2") or False,
            "city": address.get("city") or False,
            "zip": address.get("zip") or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    def _same_address(self, partner, address):
        values = self._address_values(address)
        return (
            (partner.street or False) == values["street"]
            and (partner.street2 or False) == values["street2"]
            and (partner.city or False) == values["city"]
            and (partner.zip or False) == values["zip"]
            and partner.country_id.id == (values["country_id"] or False)
        )

    def _address_name(self, address):
        return " ".join(
            part
            for part in (address.get("first_name"), address.get("last_name"))
            if part
        )

    def address_partner(self, parent, address, address_type):
        if self._same_address(parent, address) and (
            not self._address_name(address)
            or self._address_name(address) == parent.name
        ):
            return parent
        name = self._address_name(address) or parent.name
        for child in parent.child_ids.filtered(lambda c: c.type == address_type):
            if child.name == name and self._same_address(child, address):
                return child
        return self.env["res.partner"].create(
            {
                "parent_id": parent.id,
                "type": address_type,
                "name": name,
                "email": address.get("email") or False,
                "phone": address.get("phone") or False,
                **self._address_values(address),
            }
        )

    def guest_partner(self, billing):
        email = (billing.get("email") or "").strip()
        candidates = self.env["res.partner"].search(
            [
                ("email", "=ilike", email),
                ("parent_id", "=", False),
                ("company_id", "in", (False, self.company.id)),
            ]
        )
        for partner in candidates:
            if self._same_address(partner, billing):
                return partner
        return self.env["res.partner"].create(
            {
                "name": self._address_name(billing) or email,
                "email": email or False,
                "phone": billing.get("phone") or False,
                "company_type": "person",
                "lang": self.instance.lang or self.env.lang,
                "company_id": self.company.id,
                "comment": self.env._("Guest checkout in %s", self.instance.name),
                **self._address_values(billing),
            }
        )
