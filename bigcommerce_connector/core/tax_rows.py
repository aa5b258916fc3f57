"""Which of an order's tax rows (``GET /v2/orders/{id}/taxes``) tax which line.

What BigCommerce's spec (orders.v2.oas2.yml › orderTaxes_Base) guarantees,
and so all this relies on:

- ``order_product_id`` is given for ``item`` (and ``handling``) rows only;
  ``gift-wrapping`` and ``shipping`` rows carry null;
- ``order_address_id`` (and ``order_id``) are left out when the store uses
  automatic tax;
- fees have no row type: a fee's tax is its own ``cost_tax``, its tax class
  its ``tax_class_id`` (orderFees_Resp), which tax rows also carry.

Rows that name their line are keyed on it. The others (gift wrapping always;
shipping and handling of an automatic-tax store) are matched through the
lines' own tax amounts: each order product's ``wrapping_cost_tax``, each
address's ``cost_tax`` / ``handling_cost_tax``. One taxed charge takes all
the rows of its kind; several share the kind's taxes, each charge's own tax
split over them in proportion to their rates, so that every line carries
exactly the tax BigCommerce charged on it.
"""

from collections import defaultdict

from ..client.parsing import parse_money
from .money import CENT, ZERO, split


def _taxes_of(rows):
    """The distinct (name, rate) of ``rows``, in their order."""
    seen = {}
    for row in rows:
        key = (row.get("name") or "", parse_money(row.get("rate")))
        seen.setdefault(key, row)
    return list(seen)


def _rows_for(taxes, amount, unit):
    """Tax rows (as the importer reads them) putting ``amount`` on ``taxes``,
    in units of ``unit`` (the currency's smallest amount)."""
    shares = split(amount, [rate for _name, rate in taxes], unit)
    return [
        {"name": name, "rate": str(rate), "line_amount": str(share)}
        for (name, rate), share in zip(taxes, shares, strict=True)
    ]


def _allocate(rows, charges, unit):
    """[(line id, rows)] for ``rows`` that name no line, over ``charges``
    ([(line id, tax BigCommerce charged on it)])."""
    taxed = [(line_id, tax) for line_id, tax in charges if tax]
    if len(taxed) == 1:
        return [(taxed[0][0], rows)]
    taxes = _taxes_of(rows)
    if not taxes:
        return []
    return [(line_id, _rows_for(taxes, tax, unit)) for line_id, tax in taxed]


def group_tax_rows(rows, products, addresses, fees=(), unit=CENT):
    """{(line_item_type or "fee", line id): [rows]}.

    Line ids: order product ids for "item" and "gift-wrapping", order
    address ids for "shipping" and "handling", fee ids for "fee". Taxes
    split over rates are in units of ``unit``, the currency's smallest
    amount (a yen: a share of 94.08 cannot be booked).
    """
    rows = list(rows)
    grouped = defaultdict(list)
    unkeyed = defaultdict(list)
    for row in rows:
        kind = row.get("line_item_type") or "item"
        if kind == "item" and row.get("order_product_id"):
            grouped[(kind, int(row["order_product_id"]))].append(row)
        elif kind in ("shipping", "handling") and row.get("order_address_id"):
            grouped[(kind, int(row["order_address_id"]))].append(row)
        else:
            unkeyed[kind].append(row)
    charges = {
        "gift-wrapping": [
            (int(line["id"]), parse_money(line.get("wrapping_cost_tax")))
            for line in products
        ],
        "shipping": [
            (int(address["id"]), parse_money(address.get("cost_tax")))
            for address in addresses
        ],
        "handling": [
            (int(address["id"]), parse_money(address.get("handling_cost_tax")))
            for address in addresses
        ],
    }
    for kind, kind_rows in unkeyed.items():
        for line_id, allocated in _allocate(kind_rows, charges.get(kind, []), unit):
            grouped[(kind, line_id)].extend(allocated)
    for fee in fees:
        tax = parse_money(fee.get("cost_tax"))
        if tax:
            grouped[("fee", int(fee.get("id") or 0))] = fee_tax_rows(fee, rows, unit)
    return grouped


def fee_tax_rows(fee, rows, unit=CENT):
    """The tax rows of a fee: its ``cost_tax`` over the rates of its tax class.

    The rates come from the order's rows of the same ``tax_class_id``; when
    no other line of the order uses that class, the fee's own figures give
    the rate (cost_tax / cost_ex_tax, as orderFees_Post describes them).
    """
    tax = parse_money(fee.get("cost_tax"))
    class_id = fee.get("tax_class_id")
    same_class = [
        row
        for row in rows
        if class_id is not None and row.get("tax_class_id") == class_id
    ]
    taxes = _taxes_of(same_class)
    if not taxes:
        base = parse_money(fee.get("cost_ex_tax"))
        rate = (tax * 100 / base).quantize(CENT) if base else ZERO
        taxes = [("Fee tax", rate)]
    return _rows_for(taxes, tax, unit)
