"""The partners of orders: guests and the contacts of order addresses.

Used by the order importer through ``CustomerImporter``
(``importers/customer.py``), which it builds without a client: nothing
here calls BigCommerce.

- a guest checkout gets the partner of an earlier guest with the same
  e-mail and address, else a new one, unique per store in PostgreSQL (its
  guest key), so two jobs importing a new guest's first orders make one;
- a billing or shipping address is the order partner itself when it is the
  partner's own, else a child contact of that type, reused when equal.
"""

import psycopg2

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import escape_psql, mute_logger

from .customer_values import POSTAL_FIELDS, _norm


class OrderPartnersMixin:
    """Guest partners and order-address contacts.

    The host provides ``env``, ``instance``, ``company``, ``partners``, the
    value helpers of ``CustomerValuesMixin`` and ``_receivable_account``
    (``CustomerContactsMixin``).
    """

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
    # Comparisons
    # ------------------------------------------------------------------

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
