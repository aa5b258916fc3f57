"""The partners around an imported customer: company, address book, account.

The contact half of ``CustomerImporter`` (``importers/customer.py``):

- with the store option "Create company contact?", a company partner
  becomes the customer's parent; it is created once per company and name
  (``find_or_create``), even when two jobs import its first customers at
  once;
- every address of the customer's BigCommerce address book becomes a child
  contact of type "delivery", bound by its address id, which PostgreSQL
  keeps unique per store (``create_keyed``: of two jobs creating it at
  once, the second is retried and finds the first one's contact);
- the commercial partner gets the store's receivable account, if one is set.
"""

from ..tools.keyed_create import create_keyed
from ..tools.natural_key import find_or_create
from .customer_values import POSTAL_FIELDS


class CustomerContactsMixin:
    """Company parent, delivery contacts and receivable account of a partner.

    The host provides ``env``, ``instance``, ``company``, ``partners`` (the
    res.partner model without tracking) and the value helpers of
    ``CustomerValuesMixin``.
    """

    # ------------------------------------------------------------------
    # Company, account, address book
    # ------------------------------------------------------------------

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
