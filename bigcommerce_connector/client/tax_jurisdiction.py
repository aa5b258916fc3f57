"""Where an order's tax was charged, and customers' VAT numbers (no Odoo import).

BigCommerce's tax rows name a tax and a rate, not a country; the country is
the order's destination (importers/order_tax_country.py explains the use).
BigCommerce has no VAT field of its own: merchants add a form field to the
address form, whose name says what it holds.
"""

import re

# Form field names that hold a VAT / tax number (case-insensitive, in the
# languages of the stores' usual markets).
VAT_FIELD = re.compile(
    r"\b(vat|tax\s*(id|number|no)|ust-?id(nr)?|btw|tva|iva|nif|abn|gst)\b",
    re.IGNORECASE,
)


def jurisdiction(order, addresses):
    """ISO code of the country whose tax the order charged, or ""."""
    for address in addresses or []:
        code = (address.get("country_iso2") or "").strip().upper()
        if code:
            return code
    billing = order.get("billing_address") or {}
    return (billing.get("country_iso2") or "").strip().upper()


def vat_number(form_fields):
    """The VAT number among an address's ``form_fields``, normalized, or ""."""
    for field in form_fields or []:
        if not isinstance(field, dict) or not VAT_FIELD.search(
            str(field.get("name") or "")
        ):
            continue
        value = re.sub(r"[\s.\-]", "", str(field.get("value") or "")).upper()
        if value:
            return value
    return ""
