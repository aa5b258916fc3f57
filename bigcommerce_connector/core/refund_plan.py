"""A BigCommerce refund -> the lines of its credit note, in plain Python.

Input: the refund (v3 ``Refund``: items, ``total_amount``, ``total_tax``,
``uses_merchant_override_values``), the invoice lines it may reverse (as
plain ``InvoiceLine`` values: what each line booked, per tax), the units of
each order product refunded before, and the currency's smallest unit.
Output: the credit lines (which invoice line each reverses, its quantity,
unit price, total and tax per tax), or the problem that keeps the refund
from being booked (``RefundProblem``: a code and its values, which the
writer words), never an exception.

- a PRODUCT item gives back its units of the order product at the invoiced
  unit price and taxes, and their share of the line's discount: the group of
  the product and its discount lines is prorated as a whole with cumulative
  rounding (``money.prorate``), so refunding every unit, in any number of
  refunds, gives back exactly what was invoiced and never a unit more;
  more units than are left is refused;
- SHIPPING, HANDLING, GIFT_WRAPPING and FEE items give back their line, or
  the ``requested_amount`` of it (never more than invoiced);
- an ORDER item is an untaxed amount on the refund adjustment product;
- the credit note's tax is BigCommerce's ``total_tax``, spread in proportion
  to what the lines would tax; a merchant override (or a refund without
  items) puts the difference to its stated total on an adjustment line.
"""

from dataclasses import dataclass, field

from ..client.parsing import parse_money
from .money import CENT, ZERO, cents, prorate, split

# Invoice lines (sale line kinds) that a refund item gives back.
PRODUCT_KINDS = ("product", "gift_certificate")
AMOUNT_ITEM_KINDS = {
    "SHIPPING": "shipping",
    "HANDLING": "handling",
    "GIFT_WRAPPING": "wrapping",
    "FEE": "fee",
}


@dataclass(frozen=True)
class InvoiceLine:
    """What an invoice line booked, as the refund plan reads it.

    ``ref``: the writer's handle (the invoice line); ``kind`` and
    ``line_id``: its sale line's BigCommerce kind and id; ``total``: its
    total with tax, in the currency; ``taxes``: ((tax id, amount), ...) of
    its taxes (in the line's order); ``included``: the ids of its taxes
    included in the price; ``tax_total``: its total less its subtotal.
    """

    ref: object
    kind: str
    line_id: int
    quantity: object
    price_unit: object
    total: object
    taxes: tuple = ()
    tax_ids: tuple = ()
    included: frozenset = frozenset()
    tax_total: object = ZERO


@dataclass
class CreditLine:
    """One credit note line: ``source`` (an InvoiceLine) or an adjustment
    (``adjustment``: "order", "taxed" or "override"; ``name``: the refund
    item's reason for an "order" one)."""

    source: InvoiceLine | None
    quantity: object
    price_unit: object
    tax_ids: tuple
    included: frozenset = frozenset()
    adjustment: str = ""
    name: str | None = None
    # A refunded product keeps its invoiced unit price; other lines are
    # priced from their amount.
    keep_price: bool = False
    total: object = ZERO  # tax included
    tax: dict = field(default_factory=dict)  # tax id -> amount

    @property
    def base(self):
        return self.total - sum(self.tax.values(), ZERO)


@dataclass(frozen=True)
class RefundProblem:
    """Why a refund cannot be booked as BigCommerce states it."""

    code: str
    values: dict

    def __str__(self):
        return f"{self.code}: {self.values}"


class _Refused(Exception):
    def __init__(self, code, **values):
        super().__init__(code)
        self.problem = RefundProblem(code, values)


@dataclass
class RefundPlan:
    lines: list
    total: object
    tax: object
    problem: RefundProblem | None = None

    @property
    def credited(self):
        return sum((line.total for line in self.lines), ZERO)

    @property
    def credited_tax(self):
        return sum((sum(line.tax.values(), ZERO) for line in self.lines), ZERO)


def refund_plan(refund, invoice_lines, earlier_units, taxed_lines=(), unit=CENT):
    """The ``RefundPlan`` of ``refund``.

    ``invoice_lines``: the InvoiceLines it may reverse; ``earlier_units``:
    {order product id: units refunded by earlier refunds}; ``taxed_lines``:
    the invoice's taxed lines, of which the most taxed taxes an adjustment
    that BigCommerce taxed.
    """
    total = parse_money(refund.get("total_amount"))
    tax = parse_money(refund.get("total_tax"))
    try:
        lines = _Lines(invoice_lines, earlier_units, unit).of(refund)
        _apply_bigcommerce_tax(lines, refund, taxed_lines, unit)
    except _Refused as refused:
        return RefundPlan([], total, tax, refused.problem)
    return RefundPlan(lines, total, tax)


def over_credit(credited, refund_total, charged, unit):
    """Whether ``refund_total`` on top of ``credited`` would give back more
    than the order's bookings ``charged`` (all in the currency)."""
    return cents(credited + refund_total, unit) > cents(charged, unit)


class _Lines:
    def __init__(self, invoice_lines, earlier_units, unit):
        self.index = {}
        for line in invoice_lines:
            self.index.setdefault((line.kind, line.line_id), []).append(line)
        self.earlier_units = earlier_units
        self.unit = unit

    def of(self, refund):
        lines = []
        for item in refund.get("items") or []:
            item_type = item["item_type"]
            item_id = int(item.get("item_id") or 0)
            if item_type == "PRODUCT":
                lines.extend(self.product(item_id, int(item.get("quantity") or 0)))
            elif item_type == "ORDER":
                lines.append(self.order_amount(item))
            elif item_type in AMOUNT_ITEM_KINDS:
                lines.extend(self.amount(item_type, item_id, item))
            else:
                raise _Refused("unknown_item_type", type=item_type)
        return lines

    def product(self, item_id, quantity):
        """``quantity`` units of an order product and their share of its
        discount: the product gets its invoiced unit price and taxes; the
        discount lines get the rest of the group's after-discount value,
        prorated as a whole, so that the line's refunds add up to it."""
        unit = self.unit
        main = [
            line
            for kind in PRODUCT_KINDS
            for line in self.index.get((kind, item_id), [])
        ]
        discounts = self.index.get(("discount", item_id), [])
        if not main or quantity <= 0:
            raise _Refused("product_not_invoiced", item=item_id)
        ordered = sum((line.quantity for line in main), ZERO)
        done = self.earlier_units.get(item_id, ZERO)
        if done + quantity > ordered:
            raise _Refused(
                "units_refunded",
                item=item_id,
                done=done,
                ordered=ordered,
                quantity=quantity,
            )
        group = main + discounts
        group_total = prorate(
            sum((line.total for line in group), ZERO), done, quantity, ordered, unit
        )
        group_tax = _prorated_taxes(group, done, quantity, ordered, unit)
        result = []
        for line in main:
            credit = _credit_of(line, quantity, line.price_unit)
            credit.keep_price = True
            credit.total = prorate(line.total, done, quantity, ordered, unit)
            credit.tax = _prorated_taxes([line], done, quantity, ordered, unit)
            result.append(credit)
        if discounts:
            rest_total = group_total - sum((c.total for c in result), ZERO)
            rest_tax = {
                tax_id: amount - sum((c.tax.get(tax_id, ZERO) for c in result), ZERO)
                for tax_id, amount in group_tax.items()
            }
            weights = [abs(line.total) for line in discounts]
            totals = split(rest_total, weights, unit)
            taxes = {
                tax_id: split(amount, weights, unit)
                for tax_id, amount in rest_tax.items()
            }
            for position, line in enumerate(discounts):
                credit = _credit_of(line, 1, ZERO)
                credit.total = totals[position]
                credit.tax = {
                    tax_id: parts[position]
                    for tax_id, parts in taxes.items()
                    if tax_id in line.tax_ids
                }
                result.append(credit)
        return result

    def amount(self, item_type, item_id, item):
        """Shipping, handling, wrapping or a fee: all of it or the amount asked."""
        kind = AMOUNT_ITEM_KINDS[item_type]
        lines = self.index.get((kind, item_id)) or []
        if not lines and len(self.index.get((kind, 0), [])) == 1:
            # Imported before the lines carried their address or fee id.
            lines = self.index[(kind, 0)]
        if not lines:
            raise _Refused("amount_not_invoiced", type=item_type, id=item_id)
        requested = parse_money(item.get("requested_amount"), default=None)
        invoiced = sum((line.total for line in lines), ZERO)
        if requested is None or requested >= invoiced:
            requested = invoiced
        result = []
        for line in lines:
            credit = _credit_of(line, 1, ZERO)
            credit.total = prorate(line.total, ZERO, requested, invoiced, self.unit)
            credit.tax = _prorated_taxes([line], ZERO, requested, invoiced, self.unit)
            result.append(credit)
        return result

    def order_amount(self, item):
        """An order-level amount: BigCommerce does not tax it."""
        amount = parse_money(item.get("requested_amount"), default=None)
        if amount is None:
            raise _Refused("order_amount_missing")
        return CreditLine(
            None,
            1,
            ZERO,
            (),
            adjustment="order",
            name=item.get("reason") or None,
            total=amount,
        )


def _credit_of(line, quantity, price_unit):
    return CreditLine(line, quantity, price_unit, line.tax_ids, line.included)


def _prorated_taxes(lines, done, part, whole, unit):
    """The lines' tax for ``part`` of ``whole``, per tax id.

    Like BigCommerce, the tax of the lines is prorated as one amount, then
    split over its taxes: prorating each tax alone can round to a unit more
    than BigCommerce refunds.
    """
    totals = {}
    for line in lines:
        for tax_id, amount in line.taxes:
            totals[tax_id] = totals.get(tax_id, ZERO) + amount
    ids = list(totals)
    amount = prorate(sum(totals.values(), ZERO), done, part, whole, unit)
    parts = split(amount, [abs(totals[tax_id]) for tax_id in ids], unit)
    return dict(zip(ids, parts, strict=True))


def _apply_bigcommerce_tax(lines, refund, taxed_lines, unit):
    """Make the lines' tax BigCommerce's ``total_tax``; fix the prices.

    The tax is spread in proportion to what the lines would tax; their
    amounts excluding tax stay. A merchant override (or a refund with no
    items) adds the difference to its stated total on the adjustment
    product, visibly; any other difference is the total check's to show.
    """
    target = parse_money(refund.get("total_tax"))
    total = parse_money(refund.get("total_amount"))
    override = bool(refund.get("uses_merchant_override_values")) or not lines
    taxed = [(line, tax_id) for line in lines for tax_id in line.tax_ids]
    if not taxed and target:
        if not override:
            raise _Refused("tax_on_untaxed_items", tax=target)
        # The whole rest of the refund, taxed like the order, on one line.
        adjustment = _taxed_adjustment_line(taxed_lines, target, unit)
        adjustment.total = total - sum((line.total for line in lines), ZERO)
        lines.append(adjustment)
        taxed = [(adjustment, tax_id) for tax_id in adjustment.tax_ids]
    bases = {id(line): line.base for line in lines}
    natural = [line.tax.get(tax_id, ZERO) for line, tax_id in taxed]
    if sum(natural, ZERO) != target and taxed:
        weights = natural if any(natural) else [bases[id(ln)] for ln, _t in taxed]
        for (line, tax_id), amount in zip(
            taxed, split(target, [abs(w) for w in weights], unit), strict=True
        ):
            line.tax[tax_id] = amount
    for line in lines:
        line.tax = {tax_id: line.tax.get(tax_id, ZERO) for tax_id in line.tax_ids}
        line.total = bases[id(line)] + sum(line.tax.values(), ZERO)
    if override:
        rest = total - sum((line.total for line in lines), ZERO)
        if rest:
            lines.append(
                CreditLine(None, 1, ZERO, (), adjustment="override", total=rest)
            )
    for line in lines:
        _set_price(line)


def _taxed_adjustment_line(taxed_lines, tax, unit):
    """An adjustment line taxed ``tax`` like the invoice's most taxed line."""
    source = max(taxed_lines, key=lambda line: abs(line.tax_total), default=None)
    if source is None:
        raise _Refused("tax_without_taxed_line")
    line = CreditLine(
        None, 1, ZERO, source.tax_ids, source.included, adjustment="taxed"
    )
    ids = [tax_id for tax_id, _amount in source.taxes]
    weights = [abs(amount) for _tax_id, amount in source.taxes]
    line.tax = dict(zip(ids, split(tax, weights, unit), strict=True))
    return line


def _set_price(line):
    """The unit price that Odoo's own computation agrees with."""
    if line.keep_price:
        return
    included = bool(line.included)
    line.price_unit = line.total if included or not line.tax_ids else line.base
