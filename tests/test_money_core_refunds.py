"""Refund plans never over-credit and tie out, on generated orders.

Each example draws an order (tests/money_orders.py), books its plan as an
invoice would (one invoice line per plan line, its taxes per BigCommerce
tax), then four refunds of it as BigCommerce states them (the sandbox's
documented model, bigcommerce_sandbox/seed/__init__.py): units of a product
worth f(p + k) - f(p) with f(n) = round(after-discount total * n / q), its
tax likewise; shipping, handling, wrapping and fees whole; order-level
amounts untaxed; the last refund gives back all that is left. Every plan
must credit exactly ``total_amount`` with ``total_tax``, in amounts of the
currency; together they never give back more than the order, and all of it
when everything was refunded; one more unit is refused.
"""

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from money_orders import params, render
from test_money_core_orders import plan_of

from bigcommerce_connector.core.money import ZERO, cents, prorate
from bigcommerce_connector.core.order_plan import booked_tax, booked_total
from bigcommerce_connector.core.refund_plan import (
    InvoiceLine,
    over_credit,
    refund_plan,
)

REFUNDS = 10_000
PER_ORDER = 4

settings.register_profile(
    "money-core-refunds",
    # Some draws have nothing left to refund: more orders than 10,000 / 4.
    max_examples=REFUNDS // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

order_shapes = params(("bigcommerce", "bigcommerce_fiscal"))


def invoice_lines(plan):
    """The invoice of an order plan, as the refund plan reads it."""
    lines = []
    for position, line in enumerate(plan.lines):
        taxes = {}
        for key, amount in line.taxes:
            taxes[key] = taxes.get(key, ZERO) + cents(amount, plan.unit)
        lines.append(
            InvoiceLine(
                ref=position,
                kind=line.kind,
                line_id=line.line_id,
                quantity=Decimal(line.quantity),
                price_unit=line.price_unit,
                total=booked_total(line, plan.unit),
                taxes=tuple(taxes.items()),
                tax_ids=tuple(taxes),
                included=frozenset(taxes) if line.amounts.inclusive else frozenset(),
                tax_total=booked_tax(line, plan.unit),
            )
        )
    return lines


class Refunds:
    """BigCommerce's refunds of one order, one after the other."""

    def __init__(self, bundle, rng, unit):
        self.bundle = bundle
        self.rng = rng
        self.unit = unit
        self.units_done = {line["id"]: 0 for line in bundle.products}
        charges = []
        for line in bundle.products:
            if Decimal(line["wrapping_cost_inc_tax"]):
                charges.append(("GIFT_WRAPPING", line["id"], line, "wrapping_cost_"))
        for address in bundle.addresses:
            for kind, prefix in (("SHIPPING", "cost_"), ("HANDLING", "handling_cost_")):
                if Decimal(address[f"{prefix}inc_tax"]) or Decimal(
                    address[f"{prefix}ex_tax"]
                ):
                    charges.append((kind, address["id"], address, prefix))
        for fee in bundle.order["fees"]:
            charges.append(("FEE", fee["id"], fee, "cost_"))
        self.charges_left = charges
        self.credited = ZERO
        self.order_amounts = ZERO
        self.typed_less = False  # a merchant override gave back less

    def product_item(self, line, units):
        quantity = line["quantity"]
        total, tax = self.bundle.discounted[line["id"]]
        done = self.units_done[line["id"]]
        self.units_done[line["id"]] += units
        amount = prorate(total, done, units, quantity, self.unit)
        part = prorate(tax, done, units, quantity, self.unit)
        return {"item_type": "PRODUCT", "item_id": line["id"], "quantity": units}, (
            amount,
            part,
        )

    def charge_item(self, charge):
        kind, item_id, row, prefix = charge
        self.charges_left.remove(charge)
        amount = Decimal(row[f"{prefix}inc_tax"])
        tax = Decimal(row[f"{prefix}tax"])
        item = {"item_type": kind, "item_id": item_id}
        if self.rng.random() < 0.5:
            item["requested_amount"] = f"{amount:.4f}"
        return item, (amount, tax)

    def next(self, last):
        rng = self.rng
        left_products = [
            line
            for line in self.bundle.products
            if self.units_done[line["id"]] < line["quantity"]
        ]
        shape = (
            "rest"
            if last
            else rng.choice(("full", "lines", "shipping", "order", "override"))
        )
        items = []
        override = False
        if shape in ("full", "rest"):
            for line in left_products:
                left = line["quantity"] - self.units_done[line["id"]]
                items.append(self.product_item(line, left))
            items.extend(self.charge_item(c) for c in list(self.charges_left))
        elif shape == "lines":
            for line in rng.sample(left_products, min(len(left_products), 2)):
                left = line["quantity"] - self.units_done[line["id"]]
                items.append(self.product_item(line, rng.randint(1, left)))
        elif shape == "override" and left_products:
            # The merchant typed the refund's figures (BigCommerce's
            # uses_merchant_override_values): less than the units are worth.
            line = rng.choice(left_products)
            item, (amount, tax) = self.product_item(line, 1)
            cut = Decimal(rng.randint(0, 100)) / 100
            typed = (cents(amount * cut, self.unit), cents(tax * cut, self.unit))
            items.append((item, typed))
            override = self.typed_less = True
        elif shape == "shipping":
            shipping = [c for c in self.charges_left if c[0] == "SHIPPING"]
            items.extend(self.charge_item(c) for c in shipping[:1])
        else:
            total = Decimal(self.bundle.order["total_inc_tax"])
            room = total - self.credited
            amount = cents(room * Decimal(rng.randint(0, 30)) / 100, self.unit)
            if amount > 0:
                self.order_amounts += amount
                items.append(
                    (
                        {
                            "item_type": "ORDER",
                            "requested_amount": f"{amount:.4f}",
                            "reason": "Goodwill",
                        },
                        (amount, ZERO),
                    )
                )
        total = sum((money for _item, (money, _tax) in items), ZERO)
        tax = sum((part for _item, (_money, part) in items), ZERO)
        return {
            "id": 1,
            "order_id": 1,
            "items": [item for item, _amounts in items],
            "total_amount": f"{total:.4f}",
            "total_tax": f"{tax:.4f}",
            "uses_merchant_override_values": override,
        }


def check_refund(refund, plan, unit):
    assert plan.problem is None, (plan.problem, refund)
    assert plan.credited == Decimal(refund["total_amount"]), (plan.lines, refund)
    assert plan.credited_tax == Decimal(refund["total_tax"]), (plan.lines, refund)
    for line in plan.lines:
        assert cents(line.total, unit) == line.total
        assert all(cents(amount, unit) == amount for amount in line.tax.values())


def refunds_of(p, counter):
    bundle = render(p, random.Random(p.seed))
    order = plan_of(bundle)
    assert order.review is None, order.review
    unit = order.unit
    invoice = invoice_lines(order)
    taxed = [line for line in invoice if line.tax_ids]
    charged = Decimal(bundle.order["total_inc_tax"])
    refunds = Refunds(bundle, random.Random(p.seed + 1), unit)
    earlier = {}
    for number in range(PER_ORDER):
        refund = refunds.next(last=number == PER_ORDER - 1)
        if not refund["items"]:
            continue
        plan = refund_plan(refund, invoice, dict(earlier), taxed, unit)
        check_refund(refund, plan, unit)
        counter.append(refund)
        if over_credit(refunds.credited, plan.credited, charged, unit):
            # Only after an order-level amount: BigCommerce would refuse
            # what the importer's guard refuses.
            assert refunds.order_amounts, (refunds.credited, plan.credited, charged)
            break
        refunds.credited += plan.credited
        for item in refund["items"]:
            if item["item_type"] == "PRODUCT":
                earlier[item["item_id"]] = (
                    earlier.get(item["item_id"], ZERO) + item["quantity"]
                )
    if not refunds.order_amounts and not refunds.typed_less:
        # Everything refunded: all of the order, not a unit more or less.
        assert refunds.credited == charged, (refunds.credited, charged)
    # One more unit of a product all refunded is refused.
    for line in bundle.products:
        if earlier.get(line["id"]) != line["quantity"]:
            continue
        one_more = {
            "items": [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}],
            "total_amount": "1",
            "total_tax": "0",
        }
        refused = refund_plan(one_more, invoice, earlier, taxed, unit)
        assert refused.problem and refused.problem.code == "units_refunded"


def test_refunds_never_over_credit_and_tie_out():
    seen = []

    @settings(settings.get_profile("money-core-refunds"))
    @given(order_shapes)
    def one_order(p):
        refunds_of(p, seen)

    one_order()
    print(f"{len(seen)} generated refunds tie out")
    assert len(seen) >= REFUNDS


SHIRT = InvoiceLine(
    ref="shirt",
    kind="product",
    line_id=100,
    quantity=Decimal(3),
    price_unit=Decimal("10"),
    total=Decimal("32.40"),
    taxes=(("state", Decimal("1.80")), ("city", Decimal("0.60"))),
    tax_ids=("state", "city"),
    tax_total=Decimal("2.40"),
)
SHIPPING = InvoiceLine(
    ref="shipping",
    kind="shipping",
    line_id=10,
    quantity=Decimal(1),
    price_unit=Decimal("5"),
    total=Decimal("5.00"),
)


def test_two_units_then_one_give_back_the_line_exactly():
    first = refund_plan(
        {
            "items": [{"item_type": "PRODUCT", "item_id": 100, "quantity": 2}],
            "total_amount": "21.60",
            "total_tax": "1.60",
        },
        [SHIRT],
        {},
        [SHIRT],
    )
    second = refund_plan(
        {
            "items": [{"item_type": "PRODUCT", "item_id": 100, "quantity": 1}],
            "total_amount": "10.80",
            "total_tax": "0.80",
        },
        [SHIRT],
        {100: Decimal(2)},
        [SHIRT],
    )
    assert first.problem is None and second.problem is None
    assert first.credited + second.credited == SHIRT.total
    assert first.credited_tax + second.credited_tax == SHIRT.tax_total


def test_tax_refunded_on_untaxed_shipping_is_refused():
    plan = refund_plan(
        {
            "items": [{"item_type": "SHIPPING", "item_id": 10}],
            "total_amount": "5.50",
            "total_tax": "0.50",
        },
        [SHIRT, SHIPPING],
        {},
        [SHIRT],
    )
    assert plan.problem.code == "tax_on_untaxed_items"
    assert plan.lines == []


def test_a_merchant_override_puts_the_rest_on_an_adjustment():
    plan = refund_plan(
        {
            "items": [{"item_type": "PRODUCT", "item_id": 100, "quantity": 1}],
            "total_amount": "7.00",
            "total_tax": "0.50",
            "uses_merchant_override_values": True,
        },
        [SHIRT],
        {},
        [SHIRT],
    )
    assert plan.problem is None
    assert plan.credited == Decimal("7.00")
    assert plan.credited_tax == Decimal("0.50")
    assert [line.adjustment for line in plan.lines] == ["", "override"]


def test_more_than_the_order_is_an_over_credit():
    unit = Decimal("0.01")
    assert not over_credit(Decimal("30.00"), Decimal("7.40"), Decimal("37.40"), unit)
    assert over_credit(Decimal("30.00"), Decimal("7.41"), Decimal("37.40"), unit)
