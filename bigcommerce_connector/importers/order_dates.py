"""Accounting dates of BigCommerce moments: the store's local day.

The thin ORM side of ``client/store_day.py``: the zone is the instance's
``store_timezone`` (read from ``GET /v2/store`` at Confirm). Invoices, credit
notes, per-delivery invoices and, through them, their payments are dated with
it, so a month closes on the store's midnight, not UTC's.
"""

from ..client.store_day import store_day


def accounting_day(instance, value):
    """The store's calendar day of ``value`` (BigCommerce text or an Odoo
    UTC datetime); False when unset, as Odoo's date fields take it."""
    return store_day(value, instance.store_timezone) or False
