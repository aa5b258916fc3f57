"""BigCommerce customers -> res.partner, bound by (instance, customer id).

What the finance team gets in Odoo:

- one partner per BigCommerce customer (an individual, type "contact"),
  bound through ``bigcommerce.customer``; it carries the customer's first
  address as its own address, so invoices are addressed to the customer
  itself (Odoo invoices the commercial partner when it has no "invoice"
  contact);
- every address of the customer's BigCommerce address book becomes a child
  contact of type "delivery", bound by its BigCommerce address id (unique per
  store in PostgreSQL). The address book holds ship-to addresses, so none of
  them is made an "invoice" contact: the billing address of each order is
  set on the order by the order importer, and only becomes an "invoice"
  contact when it differs from the customer's own address;
- with the store option "Create company contact?", a company partner (reused
  by exact name among the companies this store created; among every company
  of the store's company with "Match Shoppers to Existing Partners") becomes
  the customer's parent.
"""

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import escape_psql, mute_logger

from ..client.parsing import parse_datetime
from ..tools.keyed_create import create_keyed
from ..tools.natural_key import find_or_create
from . import customer_group

# /v3/customers pages and id:in filters hold at most 250 rows.
BATCH_SIZE = 250
POSTAL_FIELDS = ("street", "street2", "city", "zip")
ADDRESS_KEYS = (*POSTAL_FIELDS, "country_id", "state_id")


def _norm(value):
    """Text compared without case and extra blanks."""
    return " ".join(str(value or "").split()).casefold()


def _join_name(first, last):
    return " ".join(part.strip() for part in (first or "", last or "") if part.strip())


class CustomerImporter:
    """Imports customers of one instance; also builds the partners of orders.

    ``client`` may be None for the helpers that never call BigCommerce
    (guest and address partners); ``recorder`` is the operation log's
    recorder of the running job, if any.
    """

    def __init__(self, instance, client, recorder=None):
        # Whoever runs the job, the store's company books it.
        instance = instance.with_company(instance.company_id)
        self.instance = instance
        self.client = client
        self.recorder = recorder
        self.env = instance.env
        self.company = instance.company_id
        self.partners = self.env["res.partner"].with_context(
            tracking_disable=True, mail_create_nosubscribe=True
        )
        self._countries = {}

    # ------------------------------------------------------------------
    # Customers
    # ------------------------------------------------------------------

    def import_rows(self, rows):
        """Import an iterable of v3 customers (``include=addresses``).

        Rows are handled by pages of 250, so that the addresses beyond the
        ten a customer embeds are read in one request per page.
        """
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                self._import_batch(batch)
                batch = []
        if batch:
            self._import_batch(batch)

    def _import_batch(self, customers):
        more = self._all_addresses(customers)
        customer_group.prepare(self, customers)
        for customer in customers:
            self.import_customer(customer, more.get(customer["id"]))

    def _all_addresses(self, customers):
        """{customer id: every address} for customers with more than embedded."""
        wanted = [
            customer["id"]
            for customer in customers
            if (customer.get("address_count") or 0)
            > len(customer.get("addresses") or [])
        ]
        if not wanted or not self.client:
            return {}
        addresses = {customer_id: [] for customer_id in wanted}
        rows = self.client.iter_v3(
            "customers/addresses", {"customer_id:in": ",".join(map(str, wanted))}
        )
        for address in rows:
            addresses.setdefault(address["customer_id"], []).append(address)
        return addresses

    def import_page(self, customers, more):
        """A page of v3 customers; the new ones as one batch.

        The partners and bindings of the page's new customers are created in
        one ``create`` each (then their company contacts and address books);
        known customers are updated one by one. If anything in the batch
        fails, it is rolled back and every new customer is imported alone,
        so the bad one fails alone. ``more``: {customer id: the complete
        address book} for customers with more addresses than embedded.
        """
        ids = [customer["id"] for customer in customers]
        known = set(
            self.env["bigcommerce.customer"]
            .search(
                [
                    ("instance_id", "=", self.instance.id),
                    ("bigcommerce_id", "in", ids),
                ]
            )
            .mapped("bigcommerce_id")
        )
        new = [customer for customer in customers if customer["id"] not in known]
        for customer in customers:
            if customer["id"] in known:
                self.import_customer(customer, more.get(customer["id"]))
        if not new:
            return
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self._create_batch(new, more)
            return
        except psycopg2.errors.SerializationFailure:
            raise
        except Exception:  # noqa: BLE001 - each customer is tried alone below
            self.env.invalidate_all()
        for customer in new:
            with self.env.cr.savepoint():
                self.import_customer(customer, more.get(customer["id"]))

    def _create_batch(self, customers, more):
        """Partners and bindings of new customers, one ``create`` each."""
        values, bindings = [], []
        for customer in customers:
            primary = (customer.get("addresses") or [])[:1] or (
                more.get(customer["id"]) or []
            )[:1]
            values.append(self._customer_values(customer, primary))
            modified = parse_datetime(customer.get("date_modified"))
            bindings.append(
                {
                    "email": customer.get("email") or False,
                    "date_modified": modified.replace(tzinfo=None)
                    if modified
                    else False,
                    "instance_id": self.instance.id,
                    "bigcommerce_id": int(customer["id"]),
                }
            )
        partners = self.partners.create(values)
        self.env["bigcommerce.customer"].create(
            [
                {**binding, "partner_id": partner.id}
                for binding, partner in zip(bindings, partners, strict=True)
            ]
        )
        for customer, partner in zip(customers, partners, strict=True):
            embedded = customer.get("addresses") or []
            addresses = more.get(customer["id"], embedded)
            primary = embedded[:1] or addresses[:1]
            self._company_contact(partner, customer, primary)
            self._receivable_account(partner)
            complete = len(addresses) >= (customer.get("address_count") or 0)
            self._sync_addresses(partner, addresses, complete)
            customer_group.apply(self, partner, customer)
        for customer, partner in zip(customers, partners, strict=True):
            self._count("created")
            self._note(f"Customer {customer['id']} created (partner {partner.id})")

    def import_customer(self, customer, addresses=None):
        """Create or update the partner of one v3 customer; return it.

        ``addresses`` is the customer's complete address book when it was
        read apart (more than ten addresses); the embedded ones otherwise.
        """
        embedded = customer.get("addresses") or []
        if addresses is None:
            addresses = embedded
        primary = embedded[:1] or addresses[:1]
        values = self._customer_values(customer, primary)
        modified = parse_datetime(customer.get("date_modified"))
        binding_values = {
            "email": customer.get("email") or False,
            "date_modified": modified.replace(tzinfo=None) if modified else False,
        }
        binding = self._binding(customer["id"])
        stored = binding.date_modified
        if (
            stored
            and binding_values["date_modified"]
            and (binding_values["date_modified"] < stored)
        ):
            # An older version (a late retry, an overlapping poll): the newer
            # one is already imported.
            self._count("skipped")
            return binding.partner_id
        if binding:
            partner = binding.partner_id
            values.pop("lang")  # set once: the user may change it in Odoo
            if partner.parent_id:
                # A contact of a company shares the company's address (Odoo
                # syncs it both ways): its addresses stay delivery contacts.
                values = {k: v for k, v in values.items() if k not in ADDRESS_KEYS}
            changed = self._write_changes(partner, values)
            self._write_changes(binding, binding_values)
        else:
            partner = self._create_binding(customer["id"], values, binding_values)
            changed = True
        changed |= self._company_contact(partner, customer, primary)
        changed |= self._receivable_account(partner)
        complete = len(addresses) >= (customer.get("address_count") or 0)
        changed |= self._sync_addresses(partner, addresses, complete)
        changed |= customer_group.apply(self, partner, customer)
        if binding:
            self._count("updated" if changed else "skipped")
            if changed:
                self._note(f"Customer {customer['id']} updated (partner {partner.id})")
        else:
            self._count("created")
            self._note(f"Customer {customer['id']} created (partner {partner.id})")
        return partner

    def _binding(self, customer_id):
        return self.env["bigcommerce.customer"].search(
            [
                ("instance_id", "=", self.instance.id),
                ("bigcommerce_id", "=", int(customer_id)),
            ],
            limit=1,
        )

    def _create_binding(self, customer_id, values, binding_values):
        """Partner and binding of a new customer, exactly once.

        The unique (instance, customer id) constraint decides: when another
        transaction inserted the same binding first, the INSERT waits for it
        and fails; the savepoint drops our partner, and the job is retried
        (its next run sees the other transaction's partner).
        """
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                partner = self.partners.create(values)
                self.env["bigcommerce.customer"].create(
                    {
                        **binding_values,
                        "instance_id": self.instance.id,
                        "bigcommerce_id": int(customer_id),
                        "partner_id": partner.id,
                    }
                )
        except psycopg2.errors.UniqueViolation:
            binding = self._binding(customer_id)
            if binding:
                return binding.partner_id
            raise RetryableJobError(
                self.env._(
                    "BigCommerce customer %s is being imported by another job.",
                    customer_id,
                ),
                seconds=10,
            ) from None
        return partner

    def _customer_values(self, customer, primary):
        email = (customer.get("email") or "").strip()
        values = {
            "name": _join_name(customer.get("first_name"), customer.get("last_name"))
            or email
            or self.env._("BigCommerce customer %s", customer["id"]),
            "email": email or False,
            "phone": (customer.get("phone") or "").strip() or False,
            "company_type": "person",
            "type": "contact",
            "lang": self.instance.lang or self.env.lang or False,
            "company_id": self.company.id,
            "company_name": (customer.get("company") or "").strip() or False,
            "bigcommerce_instance_id": self.instance.id,
        }
        if primary:
            values.update(self._postal_values(self._order_style(primary[0])))
        elif self.instance.country_id:
            # No address book: the store's Default Country.
            values["country_id"] = self.instance.country_id.id
        return values

    def _company_contact(self, partner, customer, primary):
        """Make a company partner the parent of ``partner`` (store option)."""
        if not self.instance.create_company_contact:
            return False
        name = (customer.get("company") or "").strip() or (
            (primary[0].get("company") or "").strip() if primary else ""
        )
        if not name:
            return False
        domain = [
            ("is_company", "=", True),
            ("name", "=", name),
            ("company_id", "=", self.company.id),
        ]
        if not self.instance.match_existing_partners:
            # The shopper typed the name: only a company this store created
            # is joined, never the merchant's own "Acme Ltd".
            domain.append(("bigcommerce_instance_id", "=", self.instance.id))
        company = self.partners.search(domain, limit=1)
        if not company:
            # Once per company and name, even for two customers at once.
            company = find_or_create(
                self.partners,
                self.company,
                "company_contact",
                name,
                lambda: self.partners.search(domain, limit=1),
                lambda: {
                    "name": name,
                    "company_type": "company",
                    "company_id": self.company.id,
                    "lang": self.instance.lang or self.env.lang or False,
                    "bigcommerce_instance_id": self.instance.id,
                    # The customer's address: Odoo gives it to the contact.
                    **{key: partner[key] for key in POSTAL_FIELDS},
                    "country_id": partner.country_id.id,
                    "state_id": partner.state_id.id,
                },
            )
            self._receivable_account(company)
        if partner.parent_id == company:
            return False
        partner.parent_id = company
        return True

    def _receivable_account(self, partner):
        """Give the commercial partner the store's receivable account, if set."""
        account = self.instance.customer_receivable_account_id
        commercial = partner.commercial_partner_id.with_company(self.company)
        if not account or commercial.property_account_receivable_id == account:
            return False
        commercial.property_account_receivable_id = account
        return True

    def _sync_addresses(self, partner, addresses, complete):
        """One delivery contact per BigCommerce address, bound by address id.

        When ``addresses`` is the whole address book, contacts of addresses
        deleted in BigCommerce are archived (orders may still use them).
        """
        changed = False
        bound = self.partners.with_context(active_test=False).search(
            [
                ("bigcommerce_instance_id", "=", self.instance.id),
                ("bigcommerce_address_id", "in", [a["id"] for a in addresses]),
            ]
        )
        by_id = {child.bigcommerce_address_id: child for child in bound}
        for address in addresses:
            values = self._contact_values(self._order_style(address))
            values.update(
                {
                    "name": values["name"] or partner.name,
                    "type": "delivery",
                    "parent_id": partner.id,
                    "company_id": partner.company_id.id,
                    "active": True,
                }
            )
            child = by_id.get(address["id"])
            if child:
                changed |= self._write_changes(child, values)
            else:
                self._create_address(address["id"], values)
                changed = True
        if complete:
            kept = {address["id"] for address in addresses}
            gone = partner.child_ids.filtered(
                lambda c: c.bigcommerce_address_id
                and c.bigcommerce_instance_id == self.instance
                and c.bigcommerce_address_id not in kept
            )
            if gone:
                gone.active = False
                changed = True
        return changed

    def _create_address(self, address_id, values):
        """Create the contact bound to a BigCommerce address (unique per store)."""
        return create_keyed(
            self.partners,
            {
                **values,
                "bigcommerce_instance_id": self.instance.id,
                "bigcommerce_address_id": address_id,
            },
            self.env._(
                "BigCommerce address %s is being imported by another job.",
                address_id,
            ),
        )

    # ------------------------------------------------------------------
    # Guests and order addresses (used by the order importer)
    # ------------------------------------------------------------------

    def guest_partner(self, billing):
        """The partner of a guest checkout, matched by e-mail and address.

        Candidates are the guest partners this store created (and, with the
        store option "Match Shoppers to Existing Partners", the partners of
        its bound customers: a guest types any e-mail and address, so by
        default nobody's order lands on a registered customer's account);
        the e-mail is compared without case and the address on street, zip
        and country (on the partner itself or one of its contacts).
        """
        values = self._contact_values(billing)
        guests = [
            ("bigcommerce_guest", "=", True),
            ("bigcommerce_instance_id", "=", self.instance.id),
        ]
        if values["email"] and self.instance.match_existing_partners:
            candidates = self.partners.search(
                [
                    ("email", "=ilike", escape_psql(values["email"])),
                    "|",
                    "&",
                    *guests,
                    ("bigcommerce_customer_ids.instance_id", "=", self.instance.id),
                ]
            )
        elif values["email"]:
            candidates = self.partners.search(
                [("email", "=ilike", escape_psql(values["email"])), *guests]
            )
        else:
            candidates = self.partners.search(
                [*guests, ("email", "in", (False, ""))]
            ).filtered(lambda p: _norm(p.name) == _norm(values["name"]))
        key = self._street_key(values)
        for partner in candidates:
            contacts = (
                partner if partner.bigcommerce_guest else partner | partner.child_ids
            )
            if any(self._street_key(contact) == key for contact in contacts):
                return partner
        return self._create_guest(billing, values, key)

    def _create_guest(self, billing, values, key):
        """A new guest partner, unique per store and e-mail + address.

        Two jobs importing the first orders of one new guest at once would
        both find no partner: the unique guest key makes the second wait
        for the first and retry, then find its partner.
        """
        email = _norm(values["email"]) or "name:" + _norm(values["name"])
        guest_key = "|".join([email, key[0], key[1], str(key[2] or "")])
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                partner = self.partners.create(
                    {
                        **values,
                        "name": values["name"]
                        or values["email"]
                        or self.env._("BigCommerce guest"),
                        "company_type": "person",
                        "type": "contact",
                        "lang": self.instance.lang or self.env.lang or False,
                        "company_id": self.company.id,
                        "company_name": (billing.get("company") or "").strip() or False,
                        "bigcommerce_instance_id": self.instance.id,
                        "bigcommerce_guest": True,
                        "bigcommerce_guest_key": guest_key,
                    }
                )
        except psycopg2.errors.UniqueViolation:
            # Visible: a partner of this guest whose address was edited in
            # Odoo since; invisible: another job is creating it right now.
            known = self.partners.search(
                [
                    ("bigcommerce_instance_id", "=", self.instance.id),
                    ("bigcommerce_guest_key", "=", guest_key),
                ],
                limit=1,
            )
            if known:
                return known
            raise RetryableJobError(
                self.env._("This guest is being imported by another job."),
                seconds=10,
            ) from None
        self._receivable_account(partner)
        return partner

    def address_partner(self, parent, address, address_type):
        """``parent`` or its child contact of ``address_type`` for ``address``.

        Contacts are compared on name, street, street2, city, zip and
        country; e-mail and phone must be equal when both are known. A new
        contact is created only when none matches.
        """
        values = self._contact_values(address)
        values["name"] = values["name"] or parent.name
        if self._same_contact(parent, values):
            return parent
        for child in parent.child_ids:
            if child.type == address_type and self._same_contact(child, values):
                return child
        # Serialise the creations under one parent: a concurrent transaction
        # doing the same waits for ours, then fails with a serialization
        # error that queue_job retries (its next run finds our contact).
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = write_date WHERE id = %s",
            [parent.id],
        )
        return self.partners.create(
            {
                **values,
                "parent_id": parent.id,
                "type": address_type,
                "company_id": parent.company_id.id,
                "bigcommerce_instance_id": self.instance.id,
            }
        )

    # ------------------------------------------------------------------
    # Values and comparisons
    # ------------------------------------------------------------------

    @staticmethod
    def _order_style(address):
        """A v3 customer address in the shape of a v2 order address."""
        return {
            "first_name": address.get("first_name"),
            "last_name": address.get("last_name"),
            "company": address.get("company"),
            "street_1": address.get("address1"),
            "street_2": address.get("address2"),
            "city": address.get("city"),
            "state": address.get("state_or_province"),
            "zip": address.get("postal_code"),
            "country": address.get("country"),
            "country_iso2": address.get("country_code"),
            "phone": address.get("phone"),
        }

    def _contact_values(self, address):
        """Partner values of a v2 order address (name may be empty)."""
        return {
            "name": _join_name(address.get("first_name"), address.get("last_name")),
            "email": (address.get("email") or "").strip() or False,
            "phone": (address.get("phone") or "").strip() or False,
            **self._postal_values(address),
        }

    def _postal_values(self, address):
        country, state = self._country_state(address)
        return {
            "street": (address.get("street_1") or "").strip() or False,
            "street2": (address.get("street_2") or "").strip() or False,
            "city": (address.get("city") or "").strip() or False,
            "zip": (address.get("zip") or "").strip() or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    def _country_state(self, address):
        code = (address.get("country_iso2") or "").strip().upper()
        country_name = (address.get("country") or "").strip()
        state_name = (address.get("state") or "").strip()
        key = (code, country_name, state_name)
        if key not in self._countries:
            countries = self.env["res.country"]
            country = countries.search([("code", "=", code)], limit=1) if code else None
            if not country and country_name:
                country = countries.search([("name", "=ilike", country_name)], limit=1)
            # The store's Default Country for an address without a (known) one.
            country = country or self.instance.country_id
            state = self.env["res.country.state"]
            if country and state_name:
                state = state.search(
                    [
                        ("country_id", "=", country.id),
                        "|",
                        ("name", "=ilike", state_name),
                        ("code", "=ilike", state_name),
                    ],
                    limit=1,
                )
            self._countries[key] = (country, state)
        return self._countries[key]

    @staticmethod
    def _street_key(contact):
        """What identifies a guest's address: street, zip and country."""
        if isinstance(contact, dict):
            return (
                _norm(contact["street"]),
                _norm(contact["zip"]),
                contact["country_id"] or False,
            )
        return (_norm(contact.street), _norm(contact.zip), contact.country_id.id)

    @staticmethod
    def _same_contact(partner, values):
        if _norm(partner.name) != _norm(values["name"]):
            return False
        if any(_norm(partner[key]) != _norm(values[key]) for key in POSTAL_FIELDS):
            return False
        if partner.country_id.id != (values["country_id"] or False):
            return False
        for key in ("email", "phone"):
            known, wanted = _norm(partner[key]), _norm(values[key])
            if known and wanted and known != wanted:
                return False
        return True

    @staticmethod
    def _write_changes(record, values):
        """Write only the values that differ; return whether any did."""
        changes = {}
        for name, value in values.items():
            current = record[name]
            if hasattr(current, "_name"):
                current = current.id
            if (current or False) != (value or False):
                changes[name] = value
        if changes:
            record.write(changes)
        return bool(changes)

    def _count(self, key):
        if self.recorder:
            self.recorder.add_counts(**{key: 1})

    def _note(self, text):
        # Ids only, never a name: every BigCommerce User reads the logs.
        if self.recorder:
            self.recorder.note(text, level="debug")
