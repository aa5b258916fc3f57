"""Partner values of BigCommerce customers' and orders' addresses.

The value half of ``CustomerImporter`` (``importers/customer.py``): a v3
customer address is first put in the shape of a v2 order address, so both
become partner values (name, e-mail, phone, postal address) the same way;
countries and states are looked up once per importer. Partners are written
only where a value differs, so an unchanged customer is counted "skipped".
"""

from ..tools.write_changes import write_changes

POSTAL_FIELDS = ("street", "street2", "city", "zip")
ADDRESS_KEYS = (*POSTAL_FIELDS, "country_id", "state_id")


def _norm(value):
    """Text compared without case and extra blanks."""
    return " ".join(str(value or "").split()).casefold()


def _join_name(first, last):
    return " ".join(part.strip() for part in (first or "", last or "") if part.strip())


class CustomerValuesMixin:
    """Address values, country lookups and writes of changed values only.

    The host provides ``env``, ``instance`` and a ``_countries`` cache (a
    dict set in its ``__init__``).
    """

    # ------------------------------------------------------------------
    # Values
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

    _write_changes = staticmethod(write_changes)
