"""Taxes that fill the tax return (issue 29 item 4, BigCommerce-tax mode).

BigCommerce's tax rows name a tax and a rate, not a country: "VAT 20%" of a
German and of a Dutch order look alike. A tax return is per country, so the
taxes the connector creates are kept apart by **jurisdiction**: the country
the order ships to (its first shipping address; the billing address when
nothing ships), the one whose VAT the store charged. Each created tax:

- is named with the jurisdiction ("VAT 20% incl. (DE)") and keyed on it, so
  two countries' 20% are two taxes;
- has as its Odoo country the country it is **reported** in: the
  jurisdiction when the company is registered there (a fiscal position with
  a foreign VAT number for that country, which the order then takes, as
  Odoo requires an invoice's taxes to be of its fiscal position's country),
  else the company's fiscal country (an export, or OSS reported at home);
- takes the report tags of that country's localization: those of a sale tax
  of the same country and rate already in the company (installed by
  ``l10n_xx``, or made by the accountant), base and tax, invoices and
  refunds alike. With no such tax, no tags: the tax return then shows it
  nowhere, and docs/user-guide.md says to map it.

Customers' VAT numbers arrive in the billing address's form fields (a form
field the merchant adds: BigCommerce has no VAT field of its own).
"""

import logging

from odoo.exceptions import ValidationError

from ..client.tax_jurisdiction import jurisdiction, vat_number

_logger = logging.getLogger(__name__)

__all__ = ["jurisdiction", "localize", "take_vat_number", "foreign_vat_position"]


def foreign_vat_position(importer, code):
    """The company's fiscal position with a VAT number in country ``code``."""
    positions = importer.env["account.fiscal.position"].with_company(importer.company)
    if not code:
        return positions
    return positions.search(
        [
            *positions._check_company_domain(importer.company),
            ("foreign_vat", "!=", False),
            ("country_id.code", "=", code),
        ],
        limit=1,
    )


def reporting_country(importer, code):
    return (
        foreign_vat_position(importer, code).country_id
        or importer.company.account_fiscal_country_id
    )


def _localization_tax(importer, country, rate, inclusive):
    taxes = importer.env["account.tax"].with_context(active_test=False)
    candidates = taxes.search(
        [
            *taxes._check_company_domain(importer.company),
            ("country_id", "=", country.id),
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"),
            ("amount", "=", float(rate)),
        ]
    )
    tagged = candidates.filtered(lambda tax: (tax.invoice_repartition_line_ids.tag_ids))
    # Prefer the same inclusion, then an active tax.
    return tagged.sorted(
        lambda tax: (
            (tax.price_include) != inclusive,
            not tax.active,
            tax.id,
        )
    )[:1]


def _with_tags(commands, template_lines):
    by_type = {
        kind: template_lines.filtered(lambda line, k=kind: line.repartition_type == k)
        for kind in ("base", "tax")
    }
    for command in commands:
        values = command[2]
        tags = by_type[values["repartition_type"]].tag_ids
        if tags:
            values["tag_ids"] = [(6, 0, tags.ids)]
    return commands


def localize(importer, values, code, rate, inclusive):
    """Country and report tags of a tax about to be created (``values``);
    ``code`` "": not kept apart by country (other tax modes), unchanged."""
    if not code:
        return values
    country = reporting_country(importer, code)
    if not country:
        return values
    values["country_id"] = country.id
    # The tax's group is its own (named as the tax): same country, as Odoo
    # requires of a tax and its group.
    group = importer.env["account.tax.group"].browse(values.get("tax_group_id"))
    if group and group.country_id != country:
        group.country_id = country
    template = _localization_tax(importer, country, rate, inclusive)
    if template:
        _with_tags(
            values["invoice_repartition_line_ids"],
            template.invoice_repartition_line_ids,
        )
        _with_tags(
            values["refund_repartition_line_ids"], template.refund_repartition_line_ids
        )
    return values


def take_vat_number(partner, billing):
    """The billing address's VAT number on the customer (commercial entity)."""
    number = vat_number(billing.get("form_fields"))
    commercial = partner.commercial_partner_id
    if number and commercial.vat != number:
        try:
            with commercial.env.cr.savepoint():
                commercial.vat = number
        except ValidationError as error:
            # A number Odoo's VAT check (base_vat) refuses stays out: the
            # order is booked all the same.
            _logger.info("VAT number of %s not taken: %s", commercial.id, error)
