"""Orders: the money model of the package docstring, the order builder, shipments,
status changes and ``create_order``.
"""

import random
from decimal import Decimal

from .catalog import _variant_index
from .common import (
    CURRENCIES,
    EUR_RATE,
    EUR_RATE_TEXT,
    HUNDRED,
    JPY_RATE,
    JPY_RATE_TEXT,
    ORDER_STATUSES,
    PAYMENT_STATUS,
    SHIPPED_STATUSES,
    TAX_CLASS_DEFAULT,
    TAX_CLASS_NAMES,
    TAX_CLASS_NON_TAXABLE,
    TAX_CLASS_SHIPPING,
    ZERO,
    _rates,
    _split,
    _uuid,
    currency_rounding,
    money4,
    money_num,
    q2,
    rfc2822,
)
from .customer_groups import group_price, retail_customer_ids
from .customers import EU_CITIES, FIRST_NAMES, LAST_NAMES, US_CITIES, _phone, _street

COUPONS = {
    # code: (coupon_id, name, type, nominal amount)
    "SPRING10": (1, "10% off apparel", 1, Decimal("10")),
    "TAKE5": (2, "$5 off your order", 2, Decimal("5")),
    "WELCOME15": (3, "15% off first item", 1, Decimal("15")),
    "SAVE20": (4, "$20 off orders over $150", 2, Decimal("20")),
}
SHIPPING_METHODS = {
    "us": [("Flat Rate", Decimal("7.95")), ("UPS Ground", Decimal("12.50"))],
    "eu": [("DHL Express", Decimal("14.90"))],
}
FREE_SHIPPING = "Free Shipping"
HANDLING_COST = Decimal("3.00")
WRAPPING_COST = Decimal("4.95")
GIFT_CERTIFICATE_VALUE = Decimal("50.00")
CUSTOM_ITEM = ("Custom embroidery service", "CUSTOM-EMB", Decimal("15.00"))


# -- orders: money -----------------------------------------------------------------


def _unit_amounts(entered, rates, inclusive):
    """(ex, tax, inc) of one unit priced ``entered`` (see the module docstring)."""
    entered = q2(entered)
    if not rates:
        return entered, ZERO, entered
    total_rate = sum((r[2] for r in rates), Decimal("0")) / HUNDRED
    if inclusive:
        ex = q2(entered / (1 + total_rate))
        return ex, entered - ex, entered
    tax = sum((q2(entered * r[2] / HUNDRED) for r in rates), ZERO)
    return entered, tax, entered + tax


def _discount_parts(amount, rates, inclusive):
    """(d_ex, d_tax, d_inc) of a discount computed in the entered basis."""
    amount = q2(amount)
    total_rate = sum((r[2] for r in rates), Decimal("0")) / HUNDRED
    if inclusive:
        tax = q2(amount * total_rate / (1 + total_rate))
        return amount - tax, tax, amount
    tax = q2(amount * total_rate)
    return amount, tax, amount + tax


def _tax_rows(amount, rates):
    """Split a tax amount over rates in proportion to their percentages."""
    return list(zip(rates, _split(amount, [r[2] for r in rates]), strict=True))


# -- orders: builder ---------------------------------------------------------------


def _billing_from_customer(customer, address):
    return {
        "first_name": customer["first_name"],
        "last_name": customer["last_name"],
        "company": address["company"],
        "street_1": address["address1"],
        "street_2": address["address2"],
        "city": address["city"],
        "state": address["state_or_province"],
        "zip": address["postal_code"],
        "country": address["country"],
        "country_iso2": address["country_code"],
        "phone": address["phone"],
        "email": customer["email"],
        "form_fields": [],
    }


def _guest_billing(rng, eu):
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    if eu:
        city, region, country, iso2, postal = rng.choice(EU_CITIES)
    else:
        city, region, _code, postal = rng.choice(US_CITIES)
        country, iso2 = "United States", "US"
    return {
        "first_name": first,
        "last_name": last,
        "company": "",
        "street_1": _street(rng),
        "street_2": "",
        "city": city,
        "state": region,
        "zip": postal,
        "country": country,
        "country_iso2": iso2,
        "phone": _phone(rng, eu),
        "email": f"guest.{first}.{last}.{rng.randint(100, 999)}@example.net".lower(),
        "form_fields": [],
    }


def _other_address(rng, billing):
    """A second ship-to address (a friend) in the same country."""
    address = dict(billing)
    address.update(
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        company="",
        street_1=_street(rng),
        street_2="",
    )
    if billing["country_iso2"] == "US":
        city, region, _code, postal = rng.choice(US_CITIES)
        address.update(city=city, state=region, zip=postal)
    return address


def _line_plan(product, variant, qty, **extra):
    plan = {
        "kind": "catalog",
        "product": product,
        "variant": variant,
        "quantity": qty,
        "address": 0,
        "wrap": False,
        "engraving": None,
    }
    plan.update(extra)
    return plan


def _order_product_options(state, product, variant, line_id, engraving):
    rows = []
    options = {o["id"]: o for o in state.options.get(product["id"], [])}
    for value in variant["option_values"]:
        option = options.get(value["option_id"], {})
        swatch = option.get("type") == "swatch"
        rows.append(
            {
                "id": state.next_id("order_product_option"),
                "option_id": value["option_id"],
                "order_product_id": line_id,
                "product_option_id": value["option_id"],
                "display_name": value["option_display_name"],
                "display_name_customer": value["option_display_name"],
                "display_name_merchant": value["option_display_name"],
                "display_value": value["label"],
                "display_value_customer": value["label"],
                "display_value_merchant": value["label"],
                "value": str(value["id"]),
                "type": "Swatch" if swatch else "Multiple choice",
                "name": option.get("name", value["option_display_name"]),
                "display_style": "Swatch"
                if swatch
                else ("Dropdown" if option.get("type") == "dropdown" else "Rectangle"),
            }
        )
    if engraving is not None:
        modifier = (state.modifiers.get(product["id"]) or [{}])[0]
        rows.append(
            {
                "id": state.next_id("order_product_option"),
                "option_id": modifier.get("id", 0),
                "order_product_id": line_id,
                "product_option_id": modifier.get("id", 0),
                "display_name": "Engraving",
                "display_name_customer": "Engraving",
                "display_name_merchant": "Engraving",
                "display_value": engraving,
                "display_value_customer": engraving,
                "display_value_merchant": engraving,
                "value": engraving,
                "type": "Text field",
                "name": modifier.get("name", "engraving"),
                "display_style": "",
            }
        )
    return rows


RATE_TEXTS = {"EUR": EUR_RATE_TEXT, "JPY": JPY_RATE_TEXT}


def _build_order(state, rng, plan):
    """Create one order and its sub-resources from ``plan``; return the order.

    ``plan`` keys: created (datetime), status_id, customer (dict or None),
    billing, currency, inclusive, zone, lines (list of line plans),
    ship_addresses (list of address dicts, may be empty), shipping_methods
    (list of (method, entered cost) per address), handling (entered cost per
    address or None), coupon (code or None), manual_discount (Decimal, entered
    basis), gift_certificate, store_credit (Decimal payments), payment_method,
    channel_id, order_source.
    """
    order_id = state.next_id("order")
    created = plan["created"]
    inclusive = plan["inclusive"]
    zone = plan["zone"]
    currency = plan["currency"]
    rate_factor = {"EUR": EUR_RATE, "JPY": JPY_RATE}.get(currency, Decimal("1"))
    customer = plan["customer"]
    billing = plan["billing"]

    # shipping addresses
    addresses = []
    for index, address in enumerate(plan["ship_addresses"]):
        method, cost = plan["shipping_methods"][index]
        if currency == "JPY":
            # The US zone's shipping prices, in yen.
            cost = q2(cost * rate_factor)
        ship_rates = _rates(zone, TAX_CLASS_SHIPPING)
        s_ex, s_tax, s_inc = _unit_amounts(cost, ship_rates, inclusive)
        handling = plan.get("handling") or ZERO
        handling = handling if index == 0 else ZERO
        h_ex, h_tax, h_inc = _unit_amounts(
            q2(handling * rate_factor), ship_rates, inclusive
        )
        addresses.append(
            {
                "id": state.next_id("order_address"),
                "order_id": order_id,
                "first_name": address["first_name"],
                "last_name": address["last_name"],
                "company": address["company"],
                "street_1": address["street_1"],
                "street_2": address["street_2"],
                "city": address["city"],
                "zip": address["zip"],
                "country": address["country"],
                "country_iso2": address["country_iso2"],
                "state": address["state"],
                "email": address["email"],
                "phone": address["phone"],
                "form_fields": [],
                "items_total": 0,
                "items_shipped": 0,
                "shipping_method": method,
                "base_cost": money4(cost),
                "cost_ex_tax": money4(s_ex),
                "cost_inc_tax": money4(s_inc),
                "cost_tax": money4(s_tax),
                "cost_tax_class_id": TAX_CLASS_SHIPPING,
                "base_handling_cost": money4(q2(handling * rate_factor)),
                "handling_cost_ex_tax": money4(h_ex),
                "handling_cost_inc_tax": money4(h_inc),
                "handling_cost_tax": money4(h_tax),
                "handling_cost_tax_class_id": TAX_CLASS_SHIPPING,
                "shipping_zone_id": 2 if zone == "eu" else 1,
                "shipping_zone_name": "Europe" if zone == "eu" else "United States",
            }
        )

    # lines
    lines = []
    line_rates = {}
    for line_plan in plan["lines"]:
        line_id = state.next_id("order_product")
        qty = line_plan["quantity"]
        kind = line_plan["kind"]
        if kind == "catalog":
            product, variant = line_plan["product"], line_plan["variant"]
            usd_price = Decimal(str(variant["calculated_price"]))
            if line_plan.get("price") is not None:
                usd_price = Decimal(str(line_plan["price"]))
            else:
                # The customer's group prices the line (its discount rules).
                usd_price = group_price(state, customer, product, usd_price)
            entered = q2(usd_price * rate_factor)
            tax_class_id = int(product["tax_class_id"])
            ptype = product["type"]
            name, sku = product["name"], variant["sku"]
            product_id, variant_id = product["id"], variant["id"]
            cost = q2(Decimal(str(product["cost_price"])) * rate_factor)
            weight = product["weight"]
            brand = state.brands.get(product.get("brand_id"), {}).get("name", "")
            bin_number = variant.get("bin_picking_number") or ""
            options = _order_product_options(
                state, product, variant, line_id, line_plan.get("engraving")
            )
        elif kind == "custom":
            name, sku, price = CUSTOM_ITEM
            entered = q2(Decimal(str(line_plan.get("price") or price)) * rate_factor)
            tax_class_id, ptype = TAX_CLASS_DEFAULT, "physical"
            product_id = variant_id = 0
            cost, weight, brand, bin_number, options = ZERO, 0, "", "", []
        else:  # gift certificate sold
            entered = q2(line_plan.get("price") or GIFT_CERTIFICATE_VALUE)
            name = f"{'€' if currency == 'EUR' else '$'}{entered:.2f} Gift Certificate"
            sku, tax_class_id, ptype = "", None, "giftcertificate"
            product_id = variant_id = 0
            cost, weight, brand, bin_number, options = ZERO, 0, "", "", []
        rates = _rates(zone, tax_class_id)
        ex, tax, inc = _unit_amounts(entered, rates, inclusive)
        physical = ptype == "physical"
        address_id = 0
        if physical and addresses:
            address_id = addresses[min(line_plan["address"], len(addresses) - 1)]["id"]
        wrap_ex = wrap_tax = wrap_inc = wrap_base = ZERO
        if line_plan.get("wrap") and physical:
            wrap_base = q2(WRAPPING_COST * rate_factor)
            wrap_ex, wrap_tax, wrap_inc = _unit_amounts(wrap_base, rates, inclusive)
        line = {
            "id": line_id,
            "order_id": order_id,
            "product_id": product_id,
            "variant_id": variant_id,
            "order_pickup_method_id": 0,
            "order_address_id": address_id,
            "name": name,
            "name_customer": name,
            "name_merchant": name,
            "sku": sku,
            "upc": "",
            "type": ptype,
            "base_price": money4(entered),
            "price_ex_tax": money4(ex),
            "price_inc_tax": money4(inc),
            "price_tax": money4(tax),
            "base_total": money4(entered * qty),
            "total_ex_tax": money4(ex * qty),
            "total_inc_tax": money4(inc * qty),
            "total_tax": money4(tax * qty),
            "quantity": qty,
            "base_cost_price": money4(cost),
            "cost_price_inc_tax": money4(cost),
            "cost_price_ex_tax": money4(cost),
            "cost_price_tax": money4(ZERO),
            "weight": weight,
            "width": money4(ZERO),
            "height": money4(ZERO),
            "depth": money4(ZERO),
            "is_refunded": False,
            "quantity_refunded": 0,
            "refund_amount": money4(ZERO),
            "return_id": 0,
            "wrapping_id": 1 if wrap_base else 0,
            "wrapping_name": "Gift Box" if wrap_base else None,
            "base_wrapping_cost": money4(wrap_base),
            "wrapping_cost_ex_tax": money4(wrap_ex),
            "wrapping_cost_inc_tax": money4(wrap_inc),
            "wrapping_cost_tax": money4(wrap_tax),
            "wrapping_message": "Happy birthday!" if wrap_base else "",
            "quantity_shipped": 0,
            "event_name": None,
            "event_date": None,
            "fixed_shipping_cost": money4(ZERO),
            "ebay_item_id": "",
            "ebay_transaction_id": "",
            "option_set_id": None,
            "parent_order_product_id": None,
            "is_bundled_product": False,
            "bin_picking_number": bin_number,
            "external_id": None,
            "brand": brand,
            "applied_discounts": [],
            "product_options": options,
            "configurable_fields": [],
            "gift_certificate_id": state.next_id("gift_certificate")
            if ptype == "giftcertificate"
            else None,
            "discounted_total_inc_tax": money4(inc * qty),
        }
        lines.append(line)
        line_rates[line_id] = rates

    # discounts (entered basis -> ex/tax/inc parts)
    discounts = {line["id"]: [] for line in lines}  # line id -> [(ex, tax, inc)]
    order_coupons = []
    coupon_inc = ZERO
    manual_inc = ZERO

    def entered_total(line):
        key = "total_inc_tax" if inclusive else "total_ex_tax"
        return Decimal(line[key])

    discountable = [line for line in lines if line["type"] != "giftcertificate"]
    code = plan.get("coupon")
    if code and discountable:
        coupon_id, coupon_name, coupon_type, nominal = COUPONS.get(
            code.upper(), (900 + len(code), code, 2, Decimal("5"))
        )
        shares = []
        if coupon_type == 1:  # percentage off the first eligible line
            target_line = discountable[0]
            shares = [(target_line, q2(entered_total(target_line) * nominal / HUNDRED))]
            target = "product"
        else:  # per_total, pro-rated across the lines
            subtotal = sum((entered_total(line) for line in discountable), ZERO)
            amount = min(q2(nominal * rate_factor), subtotal)
            parts = _split(amount, [entered_total(line) for line in discountable])
            shares = list(zip(discountable, parts, strict=True))
            target = "order"
        total = ZERO
        for line, share in shares:
            if share <= 0:
                continue
            d_ex, d_tax, d_inc = _discount_parts(
                share, line_rates[line["id"]], inclusive
            )
            discounts[line["id"]].append((d_ex, d_tax, d_inc))
            total += d_inc
            line["applied_discounts"].append(
                {
                    "id": str(coupon_id),
                    "amount": money4(d_inc),
                    "name": coupon_name,
                    "code": code.upper(),
                    "target": target,
                }
            )
        coupon_inc = total
        order_coupons.append(
            {
                "id": state.next_id("coupon"),
                "coupon_id": coupon_id,
                "order_id": order_id,
                "code": code.upper(),
                "amount": float(nominal),
                "type": coupon_type,
                "discount": money_num(total),
            }
        )
    manual = plan.get("manual_discount") or ZERO
    if manual and discountable:
        remaining = [
            entered_total(line)
            - sum((d[2] if inclusive else d[0] for d in discounts[line["id"]]), ZERO)
            for line in discountable
        ]
        amount = min(q2(manual * rate_factor), sum(remaining, ZERO))
        for line, share in zip(discountable, _split(amount, remaining), strict=True):
            if share <= 0:
                continue
            d_ex, d_tax, d_inc = _discount_parts(
                share, line_rates[line["id"]], inclusive
            )
            discounts[line["id"]].append((d_ex, d_tax, d_inc))
            manual_inc += d_inc
            line["applied_discounts"].append(
                {
                    "id": "manual-discount",
                    "amount": money4(d_inc),
                    "name": "Manual Discount",
                    "code": None,
                    "target": "order",
                }
            )

    # taxes
    taxes = []

    automatic_tax = bool(plan.get("automatic_tax"))

    def add_tax_rows(amount, rates, item_type, address_id, product_ref, class_id):
        """Tax rows as orders.v2.oas2.yml › orderTaxes_Base describes them:
        ``order_product_id`` only for ``item`` and ``handling`` rows (null
        otherwise); ``order_id`` and ``order_address_id`` left out, and
        ``class`` "Automatic Tax", when the store uses automatic tax."""
        for rate, part in _tax_rows(amount, rates):
            if part == 0 and amount == 0:
                continue
            tax_rate_id, rate_name, percent, priority = rate
            row = {
                "id": state.next_id("tax"),
                "order_id": order_id,
                "order_address_id": address_id,
                "tax_rate_id": tax_rate_id,
                "sales_tax_id": f"ST-{tax_rate_id}",
                "tax_class_id": class_id,
                "name": rate_name,
                "class": "Automatic Tax"
                if automatic_tax
                else TAX_CLASS_NAMES.get(class_id, "Default Tax Class"),
                "rate": f"{percent:.4f}",
                "priority": priority,
                "priority_amount": money4(amount),
                "line_amount": money4(part),
                "order_pickup_method_id": 0,
                "order_product_id": str(product_ref)
                if item_type in ("item", "handling")
                else None,
                "line_item_type": item_type,
            }
            if automatic_tax:
                del row["order_id"], row["order_address_id"]
            taxes.append(row)

    for line in lines:
        rates = line_rates[line["id"]]
        parts = discounts[line["id"]]
        d_inc = sum((d[2] for d in parts), ZERO)
        d_tax = sum((d[1] for d in parts), ZERO)
        line["discounted_total_inc_tax"] = money4(
            Decimal(line["total_inc_tax"]) - d_inc
        )
        product = state.products.get(line["product_id"])
        class_id = (
            int(product["tax_class_id"])
            if product
            else (TAX_CLASS_DEFAULT if line["type"] == "physical" else None)
        )
        if rates:
            add_tax_rows(
                Decimal(line["total_tax"]) - d_tax,
                rates,
                "item",
                line["order_address_id"],
                line["id"],
                class_id,
            )
            if Decimal(line["wrapping_cost_tax"]):
                add_tax_rows(
                    Decimal(line["wrapping_cost_tax"]),
                    rates,
                    "gift-wrapping",
                    line["order_address_id"],
                    line["id"],
                    class_id,
                )
    for address in addresses:
        ship_rates = _rates(zone, TAX_CLASS_SHIPPING)
        if Decimal(address["cost_tax"]):
            add_tax_rows(
                Decimal(address["cost_tax"]),
                ship_rates,
                "shipping",
                address["id"],
                None,
                TAX_CLASS_SHIPPING,
            )
        if Decimal(address["handling_cost_tax"]):
            # The spec gives handling rows an order product id without
            # saying which: the first line shipped to the address (CONTRACT.md).
            shipped_here = [
                line["id"]
                for line in lines
                if line["order_address_id"] == address["id"]
            ]
            add_tax_rows(
                Decimal(address["handling_cost_tax"]),
                ship_rates,
                "handling",
                address["id"],
                shipped_here[0] if shipped_here else None,
                TAX_CLASS_SHIPPING,
            )
        address["items_total"] = sum(
            line["quantity"]
            for line in lines
            if line["order_address_id"] == address["id"]
        )

    # fees (orders.v2.oas2.yml › orderFees_Resp): their tax is on the fee
    # itself; /taxes has no row type for it (line_item_type enum).
    fees = []
    for name, cost, class_id in plan.get("fees") or ():
        base = q2(cost * rate_factor)
        f_ex, f_tax, f_inc = _unit_amounts(base, _rates(zone, class_id), inclusive)
        fees.append(
            {
                "id": state.next_id("fee"),
                "type": "custom_fee",
                "display_name_customer": name,
                "display_name_merchant": name,
                "source": "v2",
                "base_cost": money4(base),
                "cost_ex_tax": money4(f_ex),
                "cost_inc_tax": money4(f_inc),
                "cost_tax": money4(f_tax),
                "tax_class_id": class_id,
            }
        )

    # order totals
    def total(rows, key):
        return sum((Decimal(row[key]) for row in rows), ZERO)

    subtotal_ex, subtotal_inc = (
        total(lines, "total_ex_tax"),
        total(lines, "total_inc_tax"),
    )
    subtotal_tax = total(lines, "total_tax")
    ship_ex, ship_inc = (
        total(addresses, "cost_ex_tax"),
        total(addresses, "cost_inc_tax"),
    )
    ship_tax = total(addresses, "cost_tax")
    hand_ex = total(addresses, "handling_cost_ex_tax")
    hand_inc = total(addresses, "handling_cost_inc_tax")
    hand_tax = total(addresses, "handling_cost_tax")
    wrap_ex = total(lines, "wrapping_cost_ex_tax")
    wrap_inc = total(lines, "wrapping_cost_inc_tax")
    wrap_tax = total(lines, "wrapping_cost_tax")
    disc_ex = sum((d[0] for parts in discounts.values() for d in parts), ZERO)
    disc_inc = coupon_inc + manual_inc
    fee_ex, fee_inc = total(fees, "cost_ex_tax"), total(fees, "cost_inc_tax")
    total_tax = total(taxes, "line_amount") + total(fees, "cost_tax")
    total_inc = subtotal_inc + ship_inc + hand_inc + wrap_inc + fee_inc - disc_inc
    total_ex = subtotal_ex + ship_ex + hand_ex + wrap_ex + fee_ex - disc_ex
    assert total_inc - total_ex == total_tax, (order_id, total_inc, total_ex, total_tax)

    gift_certificate = min(q2(plan.get("gift_certificate") or ZERO), total_inc)
    store_credit = min(
        q2(plan.get("store_credit") or ZERO), total_inc - gift_certificate
    )
    status_id = plan["status_id"]
    currency_info = CURRENCIES[currency]
    ip_last = rng.randint(1, 254)
    order = {
        "id": order_id,
        "customer_id": customer["id"] if customer else 0,
        "date_created": rfc2822(created),
        "date_modified": rfc2822(created),
        "date_shipped": "",
        "status_id": status_id,
        "status": ORDER_STATUSES[status_id][1],
        "subtotal_ex_tax": money4(subtotal_ex),
        "subtotal_inc_tax": money4(subtotal_inc),
        "subtotal_tax": money4(subtotal_tax),
        "base_shipping_cost": money4(total(addresses, "base_cost")),
        "shipping_cost_ex_tax": money4(ship_ex),
        "shipping_cost_inc_tax": money4(ship_inc),
        "shipping_cost_tax": money4(ship_tax),
        "shipping_cost_tax_class_id": TAX_CLASS_SHIPPING,
        "base_handling_cost": money4(total(addresses, "base_handling_cost")),
        "handling_cost_ex_tax": money4(hand_ex),
        "handling_cost_inc_tax": money4(hand_inc),
        "handling_cost_tax": money4(hand_tax),
        "handling_cost_tax_class_id": TAX_CLASS_SHIPPING,
        "base_wrapping_cost": money4(total(lines, "base_wrapping_cost")),
        "wrapping_cost_ex_tax": money4(wrap_ex),
        "wrapping_cost_inc_tax": money4(wrap_inc),
        "wrapping_cost_tax": money4(wrap_tax),
        "wrapping_cost_tax_class_id": TAX_CLASS_DEFAULT,
        "total_ex_tax": money4(total_ex),
        "total_inc_tax": money4(total_inc),
        "total_tax": money4(total_tax),
        "items_total": sum(line["quantity"] for line in lines),
        "items_shipped": 0,
        "payment_method": plan.get("payment_method") or "Credit Card",
        "payment_provider_id": "",  # below, once the order is complete
        "payment_status": PAYMENT_STATUS[status_id],
        "refunded_amount": money4(ZERO),
        "order_is_digital": not any(line["type"] == "physical" for line in lines),
        "store_credit_amount": money4(store_credit),
        "gift_certificate_amount": money4(gift_certificate),
        "ip_address": f"203.0.113.{ip_last}",
        "ip_address_v6": "",
        "geoip_country": billing["country"],
        "geoip_country_iso2": billing["country_iso2"],
        "currency_id": currency_info["id"],
        "currency_code": currency,
        "currency_exchange_rate": RATE_TEXTS.get(currency, "1.0000000000"),
        "default_currency_id": currency_info["id"],
        "default_currency_code": currency,
        "store_default_currency_code": "USD",
        "store_default_to_transactional_exchange_rate": RATE_TEXTS.get(
            currency, "1.0000000000"
        ),
        "staff_notes": "",
        "discount_amount": money4(manual_inc),
        "coupon_discount": money4(coupon_inc),
        "shipping_address_count": len(addresses),
        "is_deleted": False,
        "ebay_order_id": "0",
        "cart_id": _uuid(rng),
        "billing_address": billing,
        "is_email_opt_in": bool(customer) and rng.random() < 0.4,
        "order_source": plan.get("order_source") or "www",
        "channel_id": plan.get("channel_id") or 1,
        "external_source": None,
        "external_id": None,
        "external_merchant_id": None,
        "external_order_id": "",
        # orders.v2.oas2.yml › tax_provider_id: AvaTaxProvider = automatic tax.
        "tax_provider_id": "AvaTaxProvider" if automatic_tax else "BasicTaxProvider",
        "customer_locale": "de" if zone == "eu" else "en",
        "is_tax_inclusive_pricing": inclusive,
        "customer_message": plan.get("customer_message", ""),
    }
    order["payment_provider_id"] = _provider_payment_id(order)
    state.orders[order_id] = order
    state.order_products[order_id] = lines
    state.order_shipping_addresses[order_id] = addresses
    state.order_coupons[order_id] = order_coupons
    state.order_taxes[order_id] = taxes
    state.order_fees[order_id] = fees
    state.order_shipments[order_id] = []
    return order


def _ship(state, order, moment, partial=False):
    """Shipments for every shipping address (``partial``: hold back one unit)."""
    order_id = order["id"]
    lines = state.order_products[order_id]
    physical = [line for line in lines if line["type"] == "physical"]
    held_back = physical[-1]["id"] if partial and physical else None
    for address in state.order_shipping_addresses[order_id]:
        items = []
        for line in physical:
            if line["order_address_id"] != address["id"]:
                continue
            qty = line["quantity"] - (1 if line["id"] == held_back else 0)
            if qty <= 0:
                continue
            line["quantity_shipped"] += qty
            items.append(
                {
                    "order_product_id": line["id"],
                    "product_id": line["product_id"],
                    "quantity": qty,
                }
            )
        address["items_shipped"] = sum(
            line["quantity_shipped"]
            for line in physical
            if line["order_address_id"] == address["id"]
        )
        if not items:
            continue
        tracking = f"1Z{order_id:06d}{address['id']:06d}"
        state.order_shipments[order_id].append(
            {
                "id": state.next_id("shipment"),
                "order_id": order_id,
                "customer_id": order["customer_id"],
                "order_address_id": address["id"],
                "date_created": rfc2822(moment),
                "tracking_number": tracking,
                "merchant_shipping_cost": money4(ZERO),
                "shipping_method": address["shipping_method"],
                "shipping_provider": "ups",
                "shipping_provider_display_name": "UPS",
                "tracking_carrier": "ups",
                "tracking_link": "",
                "generated_tracking_link": f"https://www.ups.com/track?tracknum={tracking}",
                "comments": "",
                "billing_address": {
                    k: order["billing_address"][k]
                    for k in (
                        "first_name",
                        "last_name",
                        "company",
                        "street_1",
                        "street_2",
                        "city",
                        "state",
                        "zip",
                        "country",
                        "country_iso2",
                        "phone",
                        "email",
                    )
                },
                "shipping_address": {
                    k: address[k]
                    for k in (
                        "first_name",
                        "last_name",
                        "company",
                        "street_1",
                        "street_2",
                        "city",
                        "state",
                        "zip",
                        "country",
                        "country_iso2",
                        "phone",
                        "email",
                    )
                },
                "items": items,
            }
        )
    order["items_shipped"] = sum(line["quantity_shipped"] for line in lines)
    order["date_shipped"] = rfc2822(moment)


# -- public API --------------------------------------------------------------------


def _provider_payment_id(order):
    # Imported here: transactions.py reads the seed's helpers.
    from ..transactions import provider_payment_id  # noqa: PLC0415

    return provider_payment_id(order)


def _apply_status(state, order, status_id, moment):
    order["status_id"] = status_id
    names = {s["id"]: s["name"] for s in state.order_statuses}
    order["status"] = names.get(status_id, ORDER_STATUSES[status_id][1])
    order["payment_status"] = PAYMENT_STATUS.get(status_id, order["payment_status"])
    if not order["payment_provider_id"]:  # paid now: the gateway names it
        order["payment_provider_id"] = _provider_payment_id(order)
    if status_id == 2 and not order["date_shipped"]:
        order["date_shipped"] = rfc2822(moment)
    order["date_modified"] = rfc2822(moment)


def set_order_status(state, order_id, status_id):
    """Change the status (and its name, payment_status, date_modified)."""
    with state.lock:
        order = state.orders[order_id]
        _apply_status(state, order, int(status_id), state.clock.now())
        return order


def create_order(
    state,
    *,
    customer_id=None,
    status_id=11,
    lines=None,
    currency_code=None,
    tax_inclusive=None,
    coupon_code=None,
    shipping=True,
    guest=False,
    **extra,
):
    """Build one new consistent order (dates = ``state.clock.now()``).

    ``lines``: [(sku, quantity)] (catalog variant SKUs, case-insensitive; the
    custom item SKU ``CUSTOM-EMB`` makes a non-catalog line); default 1-2 random
    variants. Extra options: ``manual_discount``, ``handling`` (entered cost),
    ``gift_certificate`` / ``store_credit`` (payments), ``ship_to_two_addresses``,
    ``wrap`` (gift-wrap the first line), ``sell_gift_certificate``,
    ``payment_method``, ``channel_id``, ``customer_message``, ``staff_notes``,
    ``external_order_id``, ``wrap="two"`` (the first two lines),
    ``automatic_tax`` (tax rows of an automatic-tax store),
    ``shipping_method`` (a method name of the zone, e.g. "UPS Ground"), ``fees``
    ([(name, entered cost, taxed)]: taxed fees use the shipping tax class).
    """
    with state.lock:
        order_number = max(state.orders, default=99) + 1
        rng = random.Random(f"{state.store_hash}:{order_number}:{len(state.orders)}")
        now = state.clock.now()
        currency = (currency_code or state.store_info.get("currency") or "USD").upper()
        zone = "eu" if currency == "EUR" else "us"
        inclusive = (zone == "eu") if tax_inclusive is None else bool(tax_inclusive)
        customer = None
        if not guest:
            if customer_id is None:
                customer_id = rng.choice(retail_customer_ids(state))
            customer = state.customers[customer_id]
        if customer:
            address = state.customer_addresses[customer["id"]][0]
            billing = _billing_from_customer(customer, address)
        else:
            billing = _guest_billing(rng, zone == "eu")
        index = _variant_index(state)
        line_plans = []
        if lines is None:
            candidates = sorted(
                (sku for sku, (p, _v) in index.items() if p["type"] == "physical")
            )
            for sku in rng.sample(candidates, rng.randint(1, 2)):
                product, variant = index[sku]
                line_plans.append(_line_plan(product, variant, rng.randint(1, 3)))
        else:
            for entry in lines:
                if isinstance(entry, dict):
                    sku, qty = entry["sku"], entry.get("quantity", 1)
                    price = entry.get("price")
                else:
                    sku, qty = entry[0], entry[1]
                    price = entry[2] if len(entry) > 2 else None
                if sku.upper() == CUSTOM_ITEM[1]:
                    line_plans.append(
                        {
                            "kind": "custom",
                            "quantity": qty,
                            "address": 0,
                            "price": price,
                        }
                    )
                    continue
                if sku.lower() not in index:
                    raise KeyError(f"unknown SKU {sku!r}")
                product, variant = index[sku.lower()]
                line_plans.append(_line_plan(product, variant, int(qty), price=price))
        wrap = extra.pop("wrap", False)
        for line_plan in line_plans[: 2 if wrap == "two" else 1] if wrap else ():
            line_plan["wrap"] = True
        if extra.pop("sell_gift_certificate", False):
            line_plans.append({"kind": "giftcertificate", "quantity": 1, "address": 0})
        has_physical = any(
            p["kind"] == "custom" or p["product"]["type"] == "physical"
            for p in line_plans
            if p["kind"] != "giftcertificate"
        )
        ship_addresses, methods = [], []
        method_name = extra.pop("shipping_method", None)
        method = SHIPPING_METHODS[zone][0]
        if method_name:
            method = next(
                (m for m in SHIPPING_METHODS[zone] if m[0] == method_name), None
            )
            if method is None:
                raise ValueError(f"no shipping method {method_name!r} in {zone}")
        if shipping and has_physical:
            ship_addresses.append(billing)
            methods.append(method)
            if extra.pop("ship_to_two_addresses", False):
                ship_addresses.append(_other_address(rng, billing))
                methods.append(SHIPPING_METHODS[zone][0])
                if len(line_plans) > 1:
                    line_plans[-1]["address"] = 1
        else:
            extra.pop("ship_to_two_addresses", None)
        plan = {
            "created": now,
            "status_id": int(status_id),
            "customer": customer,
            "billing": billing,
            "currency": currency,
            "inclusive": inclusive,
            "zone": zone,
            "lines": line_plans,
            "ship_addresses": ship_addresses,
            "shipping_methods": methods,
            "handling": Decimal(str(extra.pop("handling", 0) or 0)),
            "coupon": coupon_code,
            "manual_discount": Decimal(str(extra.pop("manual_discount", 0) or 0)),
            "gift_certificate": Decimal(str(extra.pop("gift_certificate", 0) or 0)),
            "store_credit": Decimal(str(extra.pop("store_credit", 0) or 0))
            if customer
            else ZERO,
            "payment_method": extra.pop("payment_method", None),
            "channel_id": extra.pop("channel_id", None),
            "order_source": "www",
            "automatic_tax": bool(extra.pop("automatic_tax", False)),
            "fees": [
                (
                    name,
                    Decimal(str(cost)),
                    TAX_CLASS_SHIPPING if taxed else TAX_CLASS_NON_TAXABLE,
                )
                for name, cost, taxed in extra.pop("fees", None) or ()
            ],
        }
        state.reserve_ids("order", order_number - 1)
        rng_key = f"{state.store_hash}:{order_number}:{len(state.orders)}"
        with currency_rounding(currency):
            order = _build_order(state, rng, plan)
        # Kept so that the order can be edited later as the control panel
        # does (order_edits.py): each line plan learns its order product id.
        for line_plan, line in zip(
            plan["lines"], state.order_products[order["id"]], strict=True
        ):
            line_plan["line_id"] = line["id"]
        state.order_plans[order["id"]] = (plan, rng_key)
        for key, value in extra.items():
            if key not in order:
                raise TypeError(f"create_order() got an unexpected option {key!r}")
            order[key] = value
        if order["status_id"] in SHIPPED_STATUSES and ship_addresses:
            _ship(state, order, now, partial=order["status_id"] == 3)
        order["date_modified"] = rfc2822(now)
        return order
