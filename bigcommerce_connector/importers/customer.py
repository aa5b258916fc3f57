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

Where it lives: this file reads customers and binds their partners; the
partner values are built in ``customer_values.py``, the company contact,
address book and receivable account in ``customer_contacts.py``, the
partners of guests and order addresses (for the order importer) in
``customer_order_partners.py``, customer groups in ``customer_group.py``.
"""

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import mute_logger

from ..client.parsing import parse_datetime
from . import customer_group
from .customer_contacts import CustomerContactsMixin
from .customer_order_partners import OrderPartnersMixin
from .customer_values import ADDRESS_KEYS, CustomerValuesMixin, _join_name

# /v3/customers pages and id:in filters hold at most 250 rows.
BATCH_SIZE = 250


class CustomerImporter(CustomerContactsMixin, OrderPartnersMixin, CustomerValuesMixin):
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

    def _count(self, key):
        if self.recorder:
            self.recorder.add_counts(**{key: 1})

    def _note(self, text):
        # Ids only, never a name: every BigCommerce User reads the logs.
        if self.recorder:
            self.recorder.note(text, level="debug")
