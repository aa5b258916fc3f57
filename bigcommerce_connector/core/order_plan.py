"""A BigCommerce order bundle -> the booking plan of its sale order and invoice.

Input: the order (``GET /v2/orders/{id}``, with its ``fees``), its products
and shipping addresses (consignments), its tax rows (``/taxes``, read only
when ``needs_tax_rows``) and the store's settings as plain values. Output:
the lines to book (product key, description, quantity, unit price,
discount, taxes with BigCommerce's amounts), the payments (gift
certificates, store credit, the gateway's rest) and, when BigCommerce's
figures cannot tie out, ``review``: the reason, never an exception.

The invariant: the lines plus their taxes equal ``total_inc_tax``, and their
taxes ``total_tax``, to the currency's decimals; every amount booked is a
whole number of the currency's smallest unit.

Lines mirror BigCommerce's (orders.v2, orderProducts / orderShippingAddress
/ orderFees):

- an order product at its entered unit price (``price_inc_tax`` in a
  tax-inclusive store, else ``price_ex_tax``) with its whole tax before
  discounts (``total_tax``); its ``applied_discounts`` (tax-inclusive
  amounts) on a discount line that gives back the tax they took off, which
  is the line's ``total_tax`` less its ``item`` tax rows (these are after
  discount);
- its gift wrapping, taxed like it (``gift-wrapping`` rows);
- each shipping address's shipping and handling (``shipping`` / ``handling``
  rows), each fee (its ``cost_tax`` over the rates of its tax class).

Taxes are keyed by ``TaxKey(name, rate)``; the writer turns each into an
Odoo tax. In the "Odoo" tax mode the plan names no taxes (Odoo chooses
them) but keeps BigCommerce's amount of each line, which ``odoo_tax_shares``
spreads over Odoo's taxes when rounding alone explains the difference.
"""

from collections import namedtuple
from dataclasses import dataclass, field

from ..client.parsing import parse_money
from .money import CENT, ZERO, cents, quantum, split
from .tax_rounding import rounding_tolerance
from .tax_rows import group_tax_rows

# What BigCommerce charged for one line: unit prices without and with tax,
# the line's total without tax, its tax, and which price was entered.
LineAmounts = namedtuple("LineAmounts", "unit_ex unit_inc total_ex tax inclusive")

# A BigCommerce tax: its name ("" when the row has none) and rate (percent).
TaxKey = namedtuple("TaxKey", "name rate")

ODOO_MODE = "odoo"


@dataclass(frozen=True)
class StoreSettings:
    """What the plan needs of the store, resolved to plain values.

    ``tax_mode``: "bigcommerce", "bigcommerce_fiscal" or "odoo" (the instance's
    ``tax_mode``); ``decimal_places``: the order currency's; ``fee_product``:
    the product key fees are booked on.
    """

    tax_mode: str = "bigcommerce"
    decimal_places: int = 2
    fee_product: str = "handling"

    @property
    def unit(self):
        return quantum(self.decimal_places)


@dataclass
class PlanLine:
    """One line to book.

    ``product_key``: "item" (the order product's own product, a gift
    certificate's included), "discount", "wrapping", "shipping", "handling";
    ``tax_product_key``: which product's Odoo taxes the line takes in the
    "Odoo" tax mode ("own", "item": the order product's, "none": untaxed);
    ``name``: None for the writer's translated default of the kind, with
    ``name_args`` (a discount: the line's name and the discounts' names);
    ``taxes``: ((TaxKey, amount), ...), BigCommerce's tax of the line per
    tax, on a base of ``amounts.total_ex``.
    """

    kind: str
    line_id: int
    product_key: str
    tax_product_key: str
    name: str | None
    quantity: int
    amounts: LineAmounts
    taxes: tuple = ()
    name_args: dict = field(default_factory=dict)
    discount: int = 0  # percent; BigCommerce's discounts are lines of their own
    # "Odoo" tax mode: the line's Odoo taxes carry BigCommerce's amount.
    carries_tax: bool = False

    @property
    def price_unit(self):
        """The unit price as entered in BigCommerce (with tax if inclusive)."""
        return self.amounts.unit_inc if self.amounts.inclusive else self.amounts.unit_ex

    @property
    def charged(self):
        """What BigCommerce charged for the line, tax included."""
        return self.amounts.total_ex + self.amounts.tax

    @property
    def tax_total(self):
        return sum((amount for _key, amount in self.taxes), ZERO)


# A payment of the order: "gift_certificate", "store_credit" or "gateway".
Payment = namedtuple("Payment", "kind amount")


@dataclass
class OrderPlan:
    lines: list
    payments: list
    total_inc_tax: object
    total_tax: object
    unit: object = CENT
    review: str | None = None

    @property
    def charges(self):
        return [
            line
            for line in self.lines
            if line.kind in ("shipping", "handling", "wrapping")
        ]

    @property
    def fees(self):
        return [line for line in self.lines if line.kind == "fee"]

    @property
    def booked_total(self):
        return sum((booked_total(line, self.unit) for line in self.lines), ZERO)

    @property
    def booked_tax(self):
        return sum((booked_tax(line, self.unit) for line in self.lines), ZERO)


def needs_tax_rows(order, tax_mode):
    """Whether the plan needs the order's tax rows (one more request).

    An order without tax needs none; in the "Odoo" mode Odoo chooses the
    taxes and the line amounts carry BigCommerce's tax, except what a
    discount took off it, which only the tax rows tell.
    """
    if not parse_money(order.get("total_tax")):
        return False
    discounted = parse_money(order.get("discount_amount")) or parse_money(
        order.get("coupon_discount")
    )
    return tax_mode != ODOO_MODE or bool(discounted)


def order_plan(order, products, addresses, tax_rows, settings):
    """The ``OrderPlan`` of ``order``; ``tax_rows``: its tax rows, or None
    when ``needs_tax_rows`` said none are needed."""
    unit = settings.unit
    inclusive = bool(order.get("is_tax_inclusive_pricing"))
    grouped = (
        group_tax_rows(tax_rows, products, addresses, order.get("fees") or [], unit)
        if tax_rows is not None
        else {}
    )
    builder = _Builder(settings, inclusive, grouped)
    # No tax left on the order: whatever tax a line had, its discounts took
    # it all off (read without the tax rows, which are not read then).
    builder.untaxed_order = not parse_money(order.get("total_tax"))
    lines = []
    for line in products:
        lines.extend(builder.product_lines(line))
    for address in addresses:
        lines.extend(builder.address_lines(address))
    for fee in order.get("fees") or []:
        lines.append(builder.fee_line(fee))
    for line in lines:
        line.carries_tax = settings.tax_mode == ODOO_MODE and (
            line.tax_product_key != "none"
        )
    unreadable = [name for name in TOTALS if not _is_amount(order.get(name))]
    if unreadable:
        # Said, not raised: the invoice check reads them too, after the
        # batch's sale orders are created (importers/order_batch.py).
        name = unreadable[0]
        return OrderPlan(
            lines,
            [],
            None,
            None,
            unit,
            review=f"{name} {order.get(name)!r} is not an amount",
        )
    plan = OrderPlan(
        lines=lines,
        payments=order_payments(order),
        total_inc_tax=parse_money(order.get("total_inc_tax")),
        total_tax=parse_money(order.get("total_tax")),
        unit=unit,
    )
    plan.review = _review(plan, settings)
    return plan


# The order's totals and payments the plan checks and splits.
TOTALS = (
    "total_inc_tax",
    "total_tax",
    "gift_certificate_amount",
    "store_credit_amount",
)


def _is_amount(value):
    try:
        parse_money(value)
    except ValueError:
        return False
    return True


def order_payments(order):
    """Gift certificates, store credit and the gateway's rest: payments, not
    discounts (the invoice keeps BigCommerce's total and these settle it)."""
    gift = parse_money(order.get("gift_certificate_amount"))
    credit = parse_money(order.get("store_credit_amount"))
    rest = parse_money(order.get("total_inc_tax")) - gift - credit
    parts = (
        Payment("gift_certificate", gift),
        Payment("store_credit", credit),
        Payment("gateway", rest),
    )
    return [payment for payment in parts if payment.amount > ZERO]


def line_name(line):
    """An order product's description: its name and chosen options."""
    name = line.get("name_merchant") or line.get("name") or line.get("sku") or ""
    options = [
        f"{option.get('display_name')}: {option.get('display_value')}"
        for option in line.get("product_options") or []
    ]
    return f"{name} ({', '.join(options)})" if options else name


def charge_amounts(row, prefix, inclusive):
    """LineAmounts of a one-off charge (shipping, handling, wrapping, fee)."""
    amount_ex = parse_money(row.get(f"{prefix}ex_tax"))
    return LineAmounts(
        amount_ex,
        parse_money(row.get(f"{prefix}inc_tax")),
        amount_ex,
        parse_money(row.get(f"{prefix}tax")),
        inclusive,
    )


class _Builder:
    """The lines of one order."""

    def __init__(self, settings, inclusive, grouped):
        self.settings = settings
        self.inclusive = inclusive
        self.grouped = grouped
        self.unit = settings.unit
        self.untaxed_order = False

    def taxed(self, rows, extra_tax=ZERO, rows_factor=1):
        """((TaxKey, amount), ...) for an amount BigCommerce taxed with ``rows``.

        Each tax gets ``rows_factor`` times its rows' amount plus its share
        of ``extra_tax``: tax the rows do not show separately (what a
        discount took off the line's tax), split in proportion to the rows.
        """
        if not rows or self.settings.tax_mode == ODOO_MODE:
            # The "Odoo" mode reads tax rows only for discounts' tax.
            return ()
        row_amounts = {}
        for row in rows:
            key = TaxKey(row.get("name") or "", parse_money(row["rate"]))
            row_amounts[key] = row_amounts.get(key, ZERO) + parse_money(
                row["line_amount"]
            )
        keys = list(row_amounts)
        shares = split(extra_tax, [row_amounts[key] for key in keys], self.unit)
        return tuple(
            (key, row_amounts[key] * rows_factor + share)
            for key, share in zip(keys, shares, strict=True)
        )

    def product_lines(self, line):
        quantity = int(line["quantity"])
        line_id = int(line["id"])
        total_ex = parse_money(line["total_ex_tax"])
        line_tax = parse_money(line["total_tax"])
        rows = self.grouped.get(("item", line_id), [])
        discounts = line.get("applied_discounts") or []
        discount_inc = sum((parse_money(d["amount"]) for d in discounts), ZERO)
        # BigCommerce's item tax rows are after discount; what the discount
        # took off the tax is the rest of the line's own tax (all of it when
        # the order has no tax left).
        discount_tax = ZERO
        if rows:
            discount_tax = line_tax - sum(
                (parse_money(r["line_amount"]) for r in rows), ZERO
            )
        elif self.untaxed_order and discount_inc:
            discount_tax = line_tax
        name = line_name(line)
        kind = (
            "gift_certificate" if line.get("type") == "giftcertificate" else "product"
        )
        amounts = LineAmounts(
            parse_money(line["price_ex_tax"]),
            parse_money(line["price_inc_tax"]),
            total_ex,
            line_tax,
            self.inclusive,
        )
        result = [
            PlanLine(
                kind,
                line_id,
                "item",
                "own",
                name,
                quantity,
                amounts,
                self.taxed(rows, extra_tax=discount_tax),
            )
        ]
        if discount_inc:
            discount_ex = discount_inc - discount_tax
            names = ", ".join(d.get("name") or d.get("code") or "" for d in discounts)
            result.append(
                PlanLine(
                    "discount",
                    line_id,
                    "discount",
                    # A discount is taxed like its product.
                    "item",
                    None,
                    1,
                    LineAmounts(
                        -discount_ex,
                        -discount_inc,
                        -discount_ex,
                        -discount_tax,
                        self.inclusive,
                    ),
                    self.taxed(rows, extra_tax=-discount_tax, rows_factor=0),
                    name_args={"line": name, "names": names},
                )
            )
        wrapping = charge_amounts(line, "wrapping_cost_", self.inclusive)
        if wrapping.unit_inc:
            result.append(
                PlanLine(
                    "wrapping",
                    line_id,
                    "wrapping",
                    # BigCommerce taxes gift wrapping like the wrapped product.
                    "item",
                    line.get("wrapping_name") or None,
                    1,
                    wrapping,
                    self.taxed(self.grouped.get(("gift-wrapping", line_id), [])),
                )
            )
        return result

    def address_lines(self, address):
        result = []
        address_id = int(address["id"])
        for kind, prefix in (("shipping", "cost_"), ("handling", "handling_cost_")):
            amounts = charge_amounts(address, prefix, self.inclusive)
            if not amounts.unit_inc and not amounts.unit_ex:
                continue
            name = (
                address.get("shipping_method") or None if kind == "shipping" else None
            )
            result.append(
                PlanLine(
                    kind,
                    # SHIPPING and HANDLING refund items name the address.
                    address_id,
                    kind,
                    "own",
                    name,
                    1,
                    amounts,
                    self.taxed(self.grouped.get((kind, address_id), [])),
                )
            )
        return result

    def fee_line(self, fee):
        fee_id = int(fee.get("id") or 0)
        amounts = charge_amounts(fee, "cost_", self.inclusive)
        return PlanLine(
            "fee",
            fee_id,
            self.settings.fee_product,
            # "Odoo" mode: a fee BigCommerce did not tax stays untaxed (its
            # tax class is per fee; Odoo has no product for it), a taxed one
            # is taxed like its product.
            "own" if amounts.tax else "none",
            fee.get("display_name_merchant")
            or fee.get("display_name_customer")
            or "Fee",
            1,
            amounts,
            self.taxed(self.grouped.get(("fee", fee_id), [])),
        )


def booked_tax(line, unit):
    """The tax the line books, rounded as Odoo books it: its taxes' amounts
    (BigCommerce's line tax in the "Odoo" mode, where ``odoo_tax_shares``
    carries it over to Odoo's taxes)."""
    if line.taxes:
        return sum((cents(amount, unit) for _key, amount in line.taxes), ZERO)
    return cents(line.amounts.tax, unit) if line.carries_tax else ZERO


def booked_total(line, unit):
    """What the line books, tax included: its base and taxes when taxed,
    else its unit price times its quantity."""
    if line.taxes:
        return cents(line.amounts.total_ex, unit) + booked_tax(line, unit)
    if line.carries_tax:
        return cents(line.amounts.total_ex, unit) + booked_tax(line, unit)
    return cents(line.price_unit * line.quantity, unit)


def _review(plan, settings):
    """Why the plan cannot tie out with BigCommerce's totals, or None."""
    unit = plan.unit
    for line in plan.lines:
        # The tax of a line split over its rates: each share must be an
        # amount of the currency (BigCommerce's own amounts are rounded).
        amounts = [amount for _key, amount in line.taxes]
        if any(cents(amount, unit) != amount for amount in amounts):
            return (
                f"{line.kind} {line.line_id}: a tax of "
                f"{', '.join(str(amount) for amount in amounts)} is not a whole "
                f"number of the currency's smallest unit {unit}"
            )
    total = cents(plan.booked_total, unit)
    if total != cents(plan.total_inc_tax, unit):
        return (
            f"the lines and their taxes add up to {total}, BigCommerce's "
            f"total_inc_tax is {plan.total_inc_tax}"
        )
    tax = cents(plan.booked_tax, unit)
    if tax != cents(plan.total_tax, unit):
        return (
            f"the lines' taxes add up to {tax}, BigCommerce's total_tax is "
            f"{plan.total_tax}"
        )
    paid = sum(
        (p.amount for p in plan.payments if p.kind != "gateway"),
        ZERO,
    )
    if paid > plan.total_inc_tax:
        return (
            f"gift certificates and store credit ({paid}) exceed the order's "
            f"total_inc_tax {plan.total_inc_tax}"
        )
    return None


def odoo_tax_shares(bigcommerce_tax, quantity, odoo_amounts, tax_count, unit):
    """BigCommerce's tax of a line spread over the Odoo taxes that stand for
    it, or None when they compute something else.

    ``odoo_amounts``: [(tax id, Odoo's amount)], Odoo's computation of the
    line's ``tax_count`` Odoo taxes (a tax may come more than once). BigCommerce's
    amount is kept only if rounding alone can explain the difference:
    rounding per unit and rate against Odoo's per line moves it by at most
    floor(taxes * (quantity + 1) / 2) of the currency's smallest amount
    (derivation in tax_rounding.py). More is another rate: Odoo's own amount
    stays and the order goes to review with both totals.
    """
    by_tax = {}
    for tax_id, amount in odoo_amounts:
        by_tax[tax_id] = by_tax.get(tax_id, ZERO) + amount
    tolerance = rounding_tolerance(quantity, tax_count, unit)
    if abs(sum(by_tax.values(), ZERO) - bigcommerce_tax) > tolerance:
        return None
    shares = split(bigcommerce_tax, list(by_tax.values()), unit)
    return list(zip(by_tax, shares, strict=True))
