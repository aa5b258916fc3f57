"""BigCommerce's rate from the company's currency to an order's (issue 29)."""

from decimal import Decimal

from bigcommerce_connector.client.exchange_rate import bigcommerce_rate, choose_rate

EUR_ORDER = {
    "currency_code": "EUR",
    "default_currency_code": "EUR",
    "store_default_currency_code": "USD",
    "store_default_to_transactional_exchange_rate": "0.9200000000",
    "currency_exchange_rate": "1.0000000000",
}


def test_the_store_default_to_transactional_rate_is_the_companys():
    assert bigcommerce_rate(EUR_ORDER, "USD") == Decimal("0.92")


def test_an_order_in_the_companys_currency_is_one():
    assert bigcommerce_rate({**EUR_ORDER, "default_currency_code": "usd"}, "USD") == 1


def test_a_store_default_other_than_the_companys_gives_no_rate():
    assert bigcommerce_rate(EUR_ORDER, "GBP") is None


def test_an_empty_store_default_is_the_stores_currency():
    order = {**EUR_ORDER, "store_default_currency_code": ""}
    assert bigcommerce_rate(order, "USD", "USD") == Decimal("0.92")
    assert bigcommerce_rate(order, "USD") is None


def test_missing_zero_or_garbage_rates_are_none_never_one():
    for text in ("", None, "0.0000000000", "-1", "n/a"):
        order = {**EUR_ORDER, "store_default_to_transactional_exchange_rate": text}
        assert bigcommerce_rate(order, "USD") is None, text


def test_the_choice_between_bigcommerce_and_odoo():
    assert choose_rate(0.92, 0.8) == 0.92
    assert choose_rate(0.92, 0.8, prefer_odoo=True) == 0.8
    assert choose_rate(None, 0.8) == 0.8
    assert choose_rate(0.92, None, prefer_odoo=True) == 0.92
    assert choose_rate(None, None) is None
    assert choose_rate(None, None, prefer_odoo=True) is None
