"""A customer group's discount rules as Odoo pricelist items (pure Python).

BigCommerce (customers.v2.yml ``customerGroup_Full.discount_rules``) gives
each rule a ``type`` (``all``, ``category``, ``product``, ``price_list``),
a ``method`` (``percent``, ``fixed``, ``price``) and an ``amount`` (a
decimal string). The spec lists the methods without saying what they do;
they are the control panel's three pricing options of a group (Help
Center, "Customer Groups"): a percentage off, an amount off, a set price.
An API-made category rule covers "products in this category and its
subcategories" (the spec's description). A product rule wins over a
category rule, which wins over the storewide one.

Odoo applies the first item that matches, in the order ``applied_on``
(product before category before global), so:

- ``all`` -> one global item;
- ``product`` -> one item on the product's template;
- ``category`` -> one item per product template the store has in that
  category or a subcategory (an Odoo product has one category, a
  BigCommerce product several: items per product are exact), except the
  templates a product rule already prices; a template in two discounted
  categories takes the first rule (the spec does not say which applies);
- ``price_list`` -> not reproduced here: the price list is imported as a
  pricelist of its own (``price_list.py``), which then prices the group's
  customers instead of this one; noted.

An item is ``(applied_on, template id or False, compute_price, value)``:
``percentage`` with the % off, ``fixed`` with the price, ``formula`` with
the (negative) surcharge of an amount off.
"""

from decimal import Decimal, InvalidOperation

GLOBAL, PRODUCT = "3_global", "1_product"
_METHODS = {"percent": "percentage", "price": "fixed", "fixed": "formula"}


def _amount(rule):
    try:
        return Decimal(str(rule.get("amount")))
    except (InvalidOperation, ValueError):
        return None


def _item(applied_on, template_id, rule):
    """The item of ``rule`` (None: a method or amount Odoo cannot use)."""
    compute = _METHODS.get(rule.get("method"))
    amount = _amount(rule)
    if compute is None or amount is None:
        return None
    value = -amount if compute == "formula" else amount
    return (applied_on, template_id or False, compute, float(value))


def plan_items(rules, category_templates, product_templates):
    """(items, notes) of a group's ``rules``.

    :param rules: the group's ``discount_rules`` (list of dicts)
    :param category_templates: {BigCommerce category id: [template ids of
        the products in it or in one of its subcategories]}
    :param product_templates: {BigCommerce product id: template id} of the
        products imported in Odoo
    :return: a sorted list of items, and what could not be reproduced
    """
    items, notes = [], []
    by_type = {"all": [], "category": [], "product": [], "price_list": []}
    for rule in rules or []:
        by_type.setdefault(rule.get("type"), []).append(rule)
    priced = set()
    for rule in by_type["product"]:
        template = product_templates.get(rule.get("product_id"))
        if not template:
            notes.append(f"product {rule.get('product_id')}: not imported in Odoo")
            continue
        if template in priced:
            continue
        item = _item(PRODUCT, template, rule)
        if item is None:
            notes.append(f"product {rule.get('product_id')}: {_unknown(rule)}")
            continue
        priced.add(template)
        items.append(item)
    for rule in by_type["category"]:
        templates = category_templates.get(rule.get("category_id")) or []
        if not templates:
            notes.append(f"category {rule.get('category_id')}: no product in Odoo")
        for template in templates:
            if template in priced:
                continue
            item = _item(PRODUCT, template, rule)
            if item is None:
                notes.append(f"category {rule.get('category_id')}: {_unknown(rule)}")
                break
            priced.add(template)
            items.append(item)
    for rule in by_type["all"][:1]:
        item = _item(GLOBAL, False, rule)
        if item is None:
            notes.append(f"storewide: {_unknown(rule)}")
        else:
            items.append(item)
    for rule in by_type["price_list"]:
        notes.append(
            f"price list {rule.get('price_list_id')}: priced by the price "
            "list's own pricelist (Import Price Lists)"
        )
    return sorted(items), notes


def _unknown(rule):
    return (
        f"method {rule.get('method')!r}, amount {rule.get('amount')!r} not understood"
    )
