"""The rate from the company's currency to an order's, as BigCommerce used it.

orders.v2 (info.description, "Currency Fields"): ``default_currency_code`` is
the transactional currency (what the shopper paid), ``store_default_currency_code``
the store's default currency, and ``store_default_to_transactional_exchange_rate``
(a string with ten decimals) the rate from the latter to the former: units
of the transactional currency for one unit of the store's default currency,
Odoo's own sense of a rate (``res.currency.rate.rate``: units per one unit of
the company's currency). ``currency_exchange_rate`` is not it: the display
currency's, always 1 for orders created over the API (digest P18).

No Odoo import: the ORM side (importers/order_exchange_rate.py) adds Odoo's
rate table and the instance's choice.
"""

from decimal import Decimal

from .parsing import parse_money

ONE = Decimal(1)


def transactional_code(order):
    """The currency the order's amounts are in."""
    return (
        order.get("default_currency_code") or order.get("currency_code") or ""
    ).upper()


def bigcommerce_rate(order, company_code, store_code=""):
    """Units of the order's currency per unit of ``company_code``, or None.

    One when the order is in the company's currency. BigCommerce's rate
    applies when the store's default currency (the order's
    ``store_default_currency_code``, else ``store_code``: the spec's
    examples leave it empty on single-currency stores) is the company's;
    a missing, unreadable or non-positive rate is None, never one.
    """
    company_code = (company_code or "").upper()
    if transactional_code(order) == company_code:
        return ONE
    default_code = (
        order.get("store_default_currency_code") or store_code or ""
    ).upper()
    if default_code != company_code:
        return None
    try:
        rate = parse_money(
            order.get("store_default_to_transactional_exchange_rate"), None
        )
    except ValueError:
        return None
    if rate is None or rate <= 0:
        return None
    return rate


def choose_rate(bigcommerce, odoo, prefer_odoo=False):
    """The rate to book: BigCommerce's, else Odoo's (``prefer_odoo``: the
    other way round); None when neither exists (the order goes to review)."""
    first, second = (odoo, bigcommerce) if prefer_odoo else (bigcommerce, odoo)
    return first if first is not None else second
