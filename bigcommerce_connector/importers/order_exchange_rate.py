"""Company-currency amounts at the rate BigCommerce used (issue 29 item 2).

Odoo converts an invoice in a foreign currency with its rate table; a
database without a rate for the day (normal on Community: no automatic
feed) converts one for one without a word. Here the invoice's
``invoice_currency_rate`` is BigCommerce's rate (``client/exchange_rate.py``)
or, with the store's *Exchange Rate* set to Odoo, Odoo's rate of the day when
Odoo has one; with neither the order goes to review with its invoice in
draft. Payments of the invoice (and credit notes, refund payments) are
converted at the invoice's rate too (``payment_context``), so a payment never
books a difference that exists only because Odoo lacks a rate.
"""

from ..client.exchange_rate import bigcommerce_rate, choose_rate, transactional_code

RATE_CONTEXT_KEY = "bigcommerce_company_rate"


def odoo_rate(env, company, currency, day):
    """Odoo's rate company currency -> ``currency`` on ``day``, or None when
    Odoo has no rate on or before that day (it would use 1.0)."""
    company_currency = company.currency_id
    if currency == company_currency:
        return 1.0
    for side in (currency, company_currency):
        if side == company_currency and not side.rate_ids:
            continue  # The company's currency needs no row: it is 1.
        known = env["res.currency.rate"].search_count(
            [
                ("currency_id", "=", side.id),
                ("name", "<=", day),
                ("company_id", "in", (False, company.root_id.id, company.id)),
            ],
            limit=1,
        )
        if not known:
            return None
    return env["res.currency"]._get_conversion_rate(
        company_currency, currency, company, day
    )


def company_rate(importer, order, currency, day):
    """The rate to book ``order`` at on ``day`` (a float), or None."""
    instance, company = importer.instance, importer.company
    if currency == company.currency_id:
        return 1.0
    from_bigcommerce = bigcommerce_rate(
        order, company.currency_id.name, instance.currency_id.name or ""
    )
    rate = choose_rate(
        float(from_bigcommerce) if from_bigcommerce is not None else None,
        odoo_rate(importer.env, company, currency, day),
        prefer_odoo=instance.exchange_rate_source == "odoo",
    )
    return rate


def invoice_values(importer, order, currency, day):
    """Values of the invoice header: the rate, when there is one."""
    rate = company_rate(importer, order, currency, day)
    return {"invoice_currency_rate": rate} if rate else {}


def book_rate(importer, record, order, currency, day):
    """Keep the order's rate on its record (per-delivery invoices use it);
    the reason for review when there is none, else False."""
    rate = company_rate(importer, order, currency, day)
    record.exchange_rate = rate or 0.0
    if rate:
        return False
    return importer.env._(
        "No exchange rate for %(currency)s on %(day)s: BigCommerce sent none "
        "usable for the company's currency %(company)s and Odoo has none. Add "
        "the rate in Odoo (Accounting > Configuration > Currencies) and retry.",
        currency=transactional_code(order) or currency.name,
        day=day,
        company=importer.company.currency_id.name,
    )


def payment_context(move):
    """Context under which payments of ``move`` convert at its rate."""
    if move.currency_id == move.company_currency_id or not move.invoice_currency_rate:
        return {}
    return {RATE_CONTEXT_KEY: move.invoice_currency_rate}


def reversal_values(invoice):
    """Credit note header values: the rate of the invoice it reverses."""
    if invoice.currency_id == invoice.company_currency_id:
        return {}
    return {"invoice_currency_rate": invoice.invoice_currency_rate}


def delivery_values(record):
    """Invoice header values of a delivery's invoice: the order's rate."""
    sale_order = record.sale_order_id
    if sale_order.currency_id == sale_order.company_id.currency_id:
        return {}
    return (
        {"invoice_currency_rate": record.exchange_rate} if record.exchange_rate else {}
    )
