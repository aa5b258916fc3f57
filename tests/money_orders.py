"""BigCommerce order bundles as BigCommerce's specs allow them, for the
money core's property tests (tests/test_money_core_*.py).

A bundle is what the order importer reads: the order (orders.v2 order_Resp,
with its ``fees``, orderFees_Resp), its products (orderProducts), its
shipping addresses (orderShippingAddress, one per consignment) and its tax
rows (orderTaxes_Base). The money follows the model the sandbox documents
(bigcommerce_sandbox/seed/__init__.py, from the specs' field descriptions),
in the order currency's smallest unit instead of the cent:

- a tax-exclusive store enters ``price_ex_tax`` and taxes each rate of one
  unit, rounded; a tax-inclusive one enters ``price_inc_tax`` and rounds the
  price without tax once; line totals are unit amounts times the quantity,
  before discounts;
- ``applied_discounts`` amounts are tax-inclusive; the line's ``item`` tax
  rows (one per rate) are after discount, so they sum to ``total_tax`` less
  the tax the discounts took off;
- gift wrapping is taxed like its product (``gift-wrapping`` rows, which
  name no product), shipping and handling with the shipping rates
  (``shipping`` / ``handling`` rows, which name their address unless the
  store uses automatic tax);
- fees carry their own ``cost_tax`` and ``tax_class_id`` and have no rows;
- ``total_inc_tax == total_ex_tax + total_tax``, the sum of every line,
  charge and fee less the discounts; gift certificates and store credit are
  payments that never exceed it together.

``render(params, rng)`` draws one bundle from a ``random.Random``: the
property tests draw the parameters (and the seed) with Hypothesis.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import strategies as st

from bigcommerce_connector.core.money import ZERO, cents, quantum, split

RATES = [Decimal(r) for r in ("6", "2", "8.25", "10", "20", "7.5", "0.5", "19")]
# Largest entered unit price, in the currency's smallest unit.
MAX_UNITS = {0: 30000, 2: 40000, 3: 400000}


@dataclass
class Params:
    decimals: int = 2
    inclusive: bool = False
    tax_mode: str = "bigcommerce"
    lines: int = 1
    addresses: int = 1
    fees: int = 0
    automatic_tax: bool = False
    paid_by_gift_or_credit: bool = False
    seed: int = 0


def params(tax_modes=("bigcommerce", "bigcommerce_fiscal", "odoo")):
    """The Hypothesis strategy of an order's shape (and its amounts' seed)."""
    return st.builds(
        Params,
        decimals=st.sampled_from((0, 2, 3)),
        inclusive=st.booleans(),
        tax_mode=st.sampled_from(tax_modes),
        lines=st.integers(1, 4),
        addresses=st.integers(0, 3),
        fees=st.integers(0, 2),
        automatic_tax=st.booleans(),
        paid_by_gift_or_credit=st.booleans(),
        seed=st.integers(0, 2**32 - 1),
    )


@dataclass
class Bundle:
    order: dict
    products: list
    addresses: list
    tax_rows: list
    params: Params
    # Per order product: its after-discount total and tax (what refunding
    # every unit gives back), the rates it was taxed with.
    discounted: dict = field(default_factory=dict)


def v2(amount):
    """A v2 money string (4 decimals, as BigCommerce sends them)."""
    return f"{amount:.4f}"


class _Render:
    def __init__(self, params, rng):
        self.p = params
        self.rng = rng
        self.unit = quantum(params.decimals)
        self.rows = []
        self.total_ex = ZERO
        self.total_tax = ZERO
        self.coupon = ZERO
        self.manual = ZERO

    def r(self, value):
        return cents(value, self.unit)

    def entered(self, low=1):
        return self.unit * self.rng.randint(low, MAX_UNITS[self.p.decimals])

    def rates(self, most=3):
        return self.rng.sample(RATES, self.rng.randint(0, most))

    def unit_taxes(self, entered, rates):
        """(amount without tax, [tax per rate]) of an entered amount."""
        if self.p.inclusive:
            whole = sum(rates, ZERO) / 100
            amount_ex = self.r(entered / (1 + whole))
            return amount_ex, split(entered - amount_ex, rates, self.unit)
        return entered, [self.r(entered * rate / 100) for rate in rates]

    def add_rows(self, kind, taxes, rates, product_id=None, address_id=None, cls=1):
        for rate, amount in zip(rates, taxes, strict=True):
            row = {
                "id": len(self.rows) + 1,
                "line_item_type": kind,
                "name": f"Tax {rate}",
                "rate": v2(rate),
                "line_amount": v2(amount),
                "tax_class_id": cls,
                "order_product_id": str(product_id) if product_id else None,
            }
            if address_id is not None and not self.p.automatic_tax:
                row["order_address_id"] = address_id
            self.rows.append(row)

    def discount(self, line_inc, line_ex, rates):
        """(amount inc. tax, its tax) of a discount on a line."""
        rng = self.rng
        whole = sum(rates, ZERO) / 100
        basis = line_inc if self.p.inclusive else line_ex
        if rng.random() < 0.5:
            computed = self.r(basis * rng.choice((5, 10, 15, 25, 50, 100)) / 100)
        else:
            computed = min(basis, self.entered())
        if self.p.inclusive:
            return computed, self.r(computed * whole / (1 + whole))
        tax = self.r(computed * whole)
        return computed + tax, tax

    def product(self, index):
        rng = self.rng
        line_id = 100 + index
        gift = rng.random() < 0.1
        rates = [] if gift else self.rates()
        cls = 1 + index
        quantity = rng.randint(1, 6)
        entered = self.entered()
        unit_ex, unit_taxes = self.unit_taxes(entered, rates)
        unit_tax = sum(unit_taxes, ZERO)
        total_ex, total_tax = unit_ex * quantity, unit_tax * quantity
        line = {
            "id": line_id,
            "order_id": 1,
            "product_id": 0 if gift else 500 + index,
            "variant_id": 0 if gift else 900 + index,
            "type": "giftcertificate" if gift else rng.choice(("physical", "digital")),
            "name": f"Product {index}",
            "sku": "" if gift else f"SKU-{index}",
            "quantity": quantity,
            "base_price": v2(entered),
            "price_ex_tax": v2(unit_ex),
            "price_inc_tax": v2(unit_ex + unit_tax),
            "price_tax": v2(unit_tax),
            "total_ex_tax": v2(total_ex),
            "total_inc_tax": v2(total_ex + total_tax),
            "total_tax": v2(total_tax),
            "tax_class_id": cls,
            "applied_discounts": [],
            "wrapping_cost_ex_tax": v2(ZERO),
            "wrapping_cost_inc_tax": v2(ZERO),
            "wrapping_cost_tax": v2(ZERO),
        }
        discounts_inc = discounts_tax = ZERO
        for number in range(rng.randint(0, 2) if not gift else 0):
            left_inc = total_ex + total_tax - discounts_inc
            left_ex = total_ex - (discounts_inc - discounts_tax)
            amount, tax = self.discount(left_inc, left_ex, rates)
            if amount > left_inc or tax > total_tax - discounts_tax:
                continue
            manual = rng.random() < 0.3
            line["applied_discounts"].append(
                {
                    "id": "manual-discount" if manual else str(number + 1),
                    "amount": v2(amount),
                    "name": "Manual discount" if manual else f"Coupon {number}",
                    "code": None if manual else f"CODE{number}",
                    "target": "order" if manual else "product",
                }
            )
            discounts_inc += amount
            discounts_tax += tax
            if manual:
                self.manual += amount
            else:
                self.coupon += amount
        after_tax = total_tax - discounts_tax
        if rates:
            self.add_rows(
                "item",
                split(after_tax, rates, self.unit),
                rates,
                product_id=line_id,
                cls=cls,
            )
        self.total_ex += total_ex - (discounts_inc - discounts_tax)
        self.total_tax += after_tax
        if not gift and rng.random() < 0.25:
            wrap_ex, wrap_taxes = self.unit_taxes(self.entered(), rates)
            wrap_tax = sum(wrap_taxes, ZERO)
            line.update(
                wrapping_name=rng.choice(("Gift box", "")),
                wrapping_cost_ex_tax=v2(wrap_ex),
                wrapping_cost_inc_tax=v2(wrap_ex + wrap_tax),
                wrapping_cost_tax=v2(wrap_tax),
            )
            self.add_rows("gift-wrapping", wrap_taxes, rates, cls=cls)
            self.total_ex += wrap_ex
            self.total_tax += wrap_tax
        return line, (total_ex + after_tax - (discounts_inc - discounts_tax), after_tax)

    def address(self, index, rates):
        rng = self.rng
        address_id = 10 + index
        address = {"id": address_id, "order_id": 1, "shipping_method": "Ground"}
        for kind, prefix in (("shipping", "cost_"), ("handling", "handling_cost_")):
            charged = rng.random() < (0.8 if kind == "shipping" else 0.3)
            amount_ex, taxes = (
                self.unit_taxes(self.entered(), rates) if charged else (ZERO, [])
            )
            tax = sum(taxes, ZERO)
            address.update(
                {
                    f"{prefix}ex_tax": v2(amount_ex),
                    f"{prefix}inc_tax": v2(amount_ex + tax),
                    f"{prefix}tax": v2(tax),
                }
            )
            if charged:
                self.add_rows(kind, taxes, rates, address_id=address_id, cls=50)
                self.total_ex += amount_ex
                self.total_tax += tax
        return address

    def fee(self, index, products):
        rng = self.rng
        # A fee taxed with a product's tax class, with its own, or untaxed.
        choice = rng.random()
        if choice < 0.4 and products:
            source = rng.choice(products)
            cls = source["tax_class_id"]
            rates = [
                Decimal(row["rate"])
                for row in self.rows
                if row["tax_class_id"] == cls
                and row["line_item_type"] == "item"
                and row["order_product_id"] == str(source["id"])
            ]
        elif choice < 0.7:
            cls, rates = 77, self.rates(1)
        else:
            cls, rates = 0, []
        amount_ex, taxes = self.unit_taxes(self.entered(), rates)
        tax = sum(taxes, ZERO)
        self.total_ex += amount_ex
        self.total_tax += tax
        return {
            "id": 70 + index,
            "type": "custom_fee",
            "display_name_merchant": rng.choice((f"Fee {index}", "")),
            "display_name_customer": "Fee",
            "cost_ex_tax": v2(amount_ex),
            "cost_inc_tax": v2(amount_ex + tax),
            "cost_tax": v2(tax),
            "tax_class_id": cls or None,
            "source": "merchant",
        }


def render(params, rng):
    """One order bundle of ``params``, its amounts drawn from ``rng``."""
    draw = _Render(params, rng)
    products, discounted = [], {}
    for index in range(params.lines):
        line, after = draw.product(index)
        products.append(line)
        discounted[line["id"]] = after
    shipping_rates = draw.rates(2)
    addresses = [
        draw.address(index, shipping_rates) for index in range(params.addresses)
    ]
    fees = [draw.fee(index, products) for index in range(params.fees)]
    total_inc = draw.total_ex + draw.total_tax
    gift = credit = ZERO
    if params.paid_by_gift_or_credit and total_inc:
        gift = draw.r(total_inc * Decimal(rng.randint(0, 100)) / 100)
        credit = draw.r((total_inc - gift) * Decimal(rng.randint(0, 100)) / 100)
    order = {
        "id": 1,
        "currency_code": {0: "JPY", 2: "USD", 3: "KWD"}[params.decimals],
        "is_tax_inclusive_pricing": params.inclusive,
        "total_ex_tax": v2(draw.total_ex),
        "total_inc_tax": v2(total_inc),
        "total_tax": v2(draw.total_tax),
        "coupon_discount": v2(draw.coupon),
        "discount_amount": v2(draw.manual),
        "gift_certificate_amount": v2(gift),
        "store_credit_amount": v2(credit),
        "items_total": sum(line["quantity"] for line in products),
        "fees": fees,
    }
    return Bundle(order, products, addresses, draw.rows, params, discounted)
