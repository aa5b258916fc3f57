"""The jurisdiction of an order's taxes and customers' VAT numbers (issue 29)."""

from bigcommerce_connector.client.tax_jurisdiction import jurisdiction, vat_number


def test_the_country_shipped_to_then_the_billing_country():
    order = {"billing_address": {"country_iso2": "de"}}
    assert jurisdiction(order, [{"country_iso2": "NL"}]) == "NL"
    assert jurisdiction(order, []) == "DE"
    assert jurisdiction({}, []) == ""


def test_vat_numbers_from_form_fields():
    assert vat_number([{"name": "VAT Number", "value": "be 0477.472.701"}]) == (
        "BE0477472701"
    )
    assert vat_number([{"name": "USt-IdNr.", "value": "DE123456788"}]) == (
        "DE123456788"
    )
    assert vat_number([{"name": "Tax ID", "value": "12-3456789"}]) == "123456789"
    assert vat_number([{"name": "Favourite colour", "value": "blue"}]) == ""
    assert vat_number([{"name": "VAT", "value": ""}]) == ""
    assert vat_number(None) == ""
