"""Deterministic demo data for the sandbox store (standard library only).

``populate(state, seed)`` fills a :class:`~.state.StoreState` with records shaped
exactly like BigCommerce API responses (field names and types from the official
OpenAPI specs, ``bigcommerce_sandbox/openapi/``). The same seed always gives
byte-identical data: everything comes from ``random.Random(seed)`` and seeded
dates are fixed (2026-01-05 .. 2026-03-31 UTC, never the wall clock).
``create_order``, ``add_refund`` and ``set_order_status`` change the store at
runtime; they stamp their dates with ``state.clock.now()``.

Formats: v2 money = strings with 4 decimals (``"12.5000"``, amounts are always
rounded to cents first), v2 dates = RFC 2822 UTC (``"Tue, 20 Jan 2026 10:00:00
+0000"``, ``date_shipped`` is ``""`` until shipped); v3 money = JSON numbers with
2 decimals, v3 dates = ISO 8601.

Money model (every amount is a ``Decimal`` rounded to 0.01, half up)
--------------------------------------------------------------------
Line (``orderProducts``), ``q`` = quantity, ``r`` = sum of the tax rates of the
line (e.g. State Tax 6% + City Tax 2% = 8%; 0 for gift certificates and
non-taxable products):

* tax-exclusive order: ``base_price = price_ex_tax`` (the entered price),
  ``price_tax = sum(round(price_ex_tax * rate_i))``;
  tax-inclusive order: ``base_price = price_inc_tax``,
  ``price_ex_tax = round(price_inc_tax / (1 + r))``;
  always ``price_inc_tax == price_ex_tax + price_tax``.
* ``total_ex_tax = price_ex_tax * q``, ``total_tax = price_tax * q``,
  ``total_inc_tax = total_ex_tax + total_tax = price_inc_tax * q``,
  ``base_total = base_price * q``. These line totals are BEFORE discounts.
* Discounts (``applied_discounts``; coupons with ``target`` "product" or
  "order", the manual discount with id ``"manual-discount"`` and target
  "order") are computed in the entered basis and stored TAX-INCLUSIVE:
  ``amount = d_inc = d_ex + d_tax`` where, for a tax-exclusive order,
  ``d_ex`` is the computed discount and ``d_tax = round(d_ex * r)``; for a
  tax-inclusive order ``d_inc`` is the computed discount and
  ``d_tax = round(d_inc * r / (1 + r))``.
* ``discounted_total_inc_tax = total_inc_tax - sum(applied_discounts.amount)``.
* Tax is charged on the discounted amount: the line's ``item`` rows in
  ``order_taxes`` (one per tax rate, ``order_product_id`` = str(line id)) sum to
  ``total_tax - sum(d_tax)``. Gift wrapping of a line is taxed like the line
  (``gift-wrapping`` rows), shipping and handling of a shipping address with
  the shipping tax class (``shipping`` / ``handling`` rows, ``order_product_id``
  = ``"0"``).

Order (``order_Resp``), all sums exact in Decimal:

* ``subtotal_ex_tax = sum(line total_ex_tax)``, ``subtotal_inc_tax =
  sum(line total_inc_tax)``, ``subtotal_tax = sum(line total_tax)``
  (before discounts);
* ``shipping_cost_* = sum(shipping address cost_*)``, ``handling_cost_* =
  sum(shipping address handling_cost_*)``, ``wrapping_cost_* = sum(line
  wrapping_cost_*)``; for each: ``*_ex_tax + *_tax == *_inc_tax``;
* ``discount_amount`` (manual) + ``coupon_discount`` == sum of every
  ``applied_discounts.amount`` (tax-inclusive); ``coupon_discount`` also equals
  the sum of ``order_coupons.discount``;
* TAX IDENTITY: ``total_tax == sum(order_taxes.line_amount)``
  (items after discount + shipping + handling + gift wrapping);
* TOTAL IDENTITY: ``total_inc_tax == subtotal_inc_tax + shipping_cost_inc_tax +
  handling_cost_inc_tax + wrapping_cost_inc_tax - discount_amount -
  coupon_discount`` and ``total_inc_tax == total_ex_tax + total_tax``
  (so ``total_ex_tax = subtotal_ex_tax + shipping_ex + handling_ex + wrapping_ex
  - discounts_ex``); both hold for tax-inclusive and tax-exclusive orders;
* ``gift_certificate_amount`` and ``store_credit_amount`` are payments: they do
  not reduce ``total_inc_tax`` and never exceed it together;
* ``items_total = sum(line quantity)``; ``items_shipped = sum(quantity_shipped)``;
* ``refunded_amount`` = sum of the order's refunds ``total_amount``.

Refund (v3 ``Refund``): a PRODUCT item refunding ``k`` units of a line after
``p`` units were already refunded is worth ``f(p + k) - f(p)`` with
``f(n) = round(discounted_total_inc_tax * n / q)`` (tax part likewise from the
line's after-discount tax), so refunding every unit gives back exactly the
discounted line total; SHIPPING / HANDLING items (``item_id`` = order address
id) give back the address' ``cost_inc_tax`` / ``handling_cost_inc_tax``,
GIFT_WRAPPING (``item_id`` = order product id) the line's
``wrapping_cost_inc_tax``. ``total_amount`` = sum of the item amounts,
``total_tax`` = sum of their tax parts, ``sum(payments.amount) ==
total_amount``; all refunds of an order together never exceed its
``total_inc_tax`` and a "full" refund makes them equal it exactly.
"""

import random

from .common import SEED_END, SEED_START, iso_offset, iso_z, rfc2822
from .catalog import _seed_catalog
from .customer_groups import _seed_customer_groups
from .customers import _seed_customers
from .large_catalog import add_generated_catalog
from .order_edits import edit_order, refund_without_record
from .orders import create_order, set_order_status
from .price_lists import _seed_price_lists
from .refunds import add_refund, tamper_refund
from .seeded_orders import SEED_ORDER_COUNT, _seed_orders
from .store import _seed_settings, _seed_store_info


def populate(state, seed):
    """Fill ``state`` with the deterministic store of ``seed``."""
    rng = random.Random(seed)
    with state.lock:
        _seed_store_info(state)
        _seed_settings(state)
        _seed_customers(state, random.Random(rng.random()))
        _seed_catalog(state, random.Random(rng.random()))
        _seed_orders(state, random.Random(rng.random()))
        # After the orders: the groups' own customers change no seeded order.
        _seed_customer_groups(state, random.Random(rng.random()))
        # Fixed data, no random draw: nothing else of the seed changes.
        _seed_price_lists(state)
        state.hooks.clear()
        maxima = {
            "order": max(state.orders, default=0),
            "customer": max(state.customers, default=0),
            "product": max(state.products, default=0),
            "refund": max(state.refunds, default=0),
            "hook": 0,
            "fee": 0,
            "price_list": max(state.price_lists, default=0),
            "price_list_assignment": max(state.price_list_assignments, default=0),
        }
        for kind, last in maxima.items():
            state.reserve_ids(kind, last)


__all__ = [
    "add_generated_catalog",
    "SEED_END",
    "SEED_ORDER_COUNT",
    "SEED_START",
    "add_refund",
    "create_order",
    "edit_order",
    "refund_without_record",
    "iso_offset",
    "iso_z",
    "populate",
    "rfc2822",
    "set_order_status",
    "tamper_refund",
]
