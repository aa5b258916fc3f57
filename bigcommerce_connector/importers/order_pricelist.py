"""Which pricelist an imported order gets: five levels, then a fallback.

1. the payment mapping's explicit pricelist;
2. the payment mapping's currency override: the store's pricelist of that
   currency (e.g. every Stripe order priced from the EUR pricelist);
3. the pricelist of the customer's BigCommerce customer group (its price
   list's, ``price_list.py``, in the order's currency when the list has
   records in it; else its discount rules', ``customer_group.py``);
4. the pricelist mapped to the order's channel (``order_channel.py``);
5. the store's pricelist of the order's ``default_currency_code`` (created
   at Confirm for every currency the store sells in);
6. the customer's pricelist, then the company's.

Odoo books a sale order in its pricelist's currency, and BigCommerce's
amounts are in the currency the shopper paid (``default_currency_code``,
bigcommerce-api.md P18): a level whose pricelist is in another currency
would put the right figures in the wrong currency. Such a level is passed
over, with a note on the sale order that says why, instead of failing the
order; the next level decides.
"""

from .order_channel import order_channel


def resolve_pricelist(instance, currency, mapping, partner, remarks, order=None):
    """The pricelist of an order paid in ``currency`` (a product.pricelist);
    why a level was passed over is appended to ``remarks``. ``order``: the
    BigCommerce order (its customer and channel); None: levels 3 and 4 are
    left out."""
    env = instance.env
    pricelists = env["product.pricelist"]
    company = instance.company_id

    def store_pricelist(wanted):
        return pricelists._bigcommerce_store_pricelist(instance, wanted)

    levels = []
    if mapping.pricelist_id:
        levels.append(
            (
                env._("the pricelist of the payment mapping %s", mapping.display_name),
                lambda: mapping.pricelist_id,
            )
        )
    if mapping.currency_id:
        levels.append(
            (
                env._(
                    "the currency override %(currency)s of the payment mapping "
                    "%(mapping)s",
                    currency=mapping.currency_id.name,
                    mapping=mapping.display_name,
                ),
                lambda: store_pricelist(mapping.currency_id),
                mapping.currency_id,
            )
        )
    # An archived group or channel pricelist is passed over, as an archived
    # store pricelist is.
    # A BigCommerce price list has one pricelist per currency
    # (price_list.py): the one of the order's currency, when it has one.
    group = _customer_group(instance, order)
    group_pricelist = _in_currency(instance, group.customer_pricelist_id, currency)
    if group_pricelist.active:
        levels.append(
            (
                env._("the pricelist of the customer group %s", group.name),
                lambda: group_pricelist,
            )
        )
    channel = order_channel(instance, order or {})
    channel_pricelist = _in_currency(instance, channel.pricelist_id, currency)
    if channel_pricelist.active:
        levels.append(
            (
                env._("the pricelist of the channel %s", channel.name),
                lambda: channel_pricelist,
            )
        )
    levels.append((env._("the order's currency"), lambda: store_pricelist(currency)))
    levels.append(
        (env._("the customer's pricelist"), lambda: partner.property_product_pricelist)
    )
    levels.append(
        (
            env._("the company's pricelist"),
            lambda: pricelists.search(
                [("company_id", "in", (False, company.id))], limit=1
            ),
        )
    )
    for label, candidate, *required in levels:
        # A currency override only looks up (and creates) its pricelist when
        # it can apply: the order must be in that currency.
        if required and required[0] != currency:
            remarks.append(_skipped(env, label, required[0], currency))
            continue
        pricelist = candidate()
        if not pricelist:
            continue
        if pricelist.currency_id == currency:
            return pricelist
        remarks.append(_skipped(env, label, pricelist.currency_id, currency))
    # No pricelist in the order's currency at all: Odoo's default applies
    # (only possible when the store pricelist could not be made).
    return pricelists


def _customer_group(instance, order):
    """The customer group of the order's customer (empty for a guest, or a
    customer in no group)."""
    groups = instance.env["bigcommerce.customer.group"]
    customer_id = (order or {}).get("customer_id") or 0
    if not customer_id:
        return groups
    binding = instance.env["bigcommerce.customer"].search(
        [("instance_id", "=", instance.id), ("bigcommerce_id", "=", int(customer_id))],
        limit=1,
    )
    return binding.customer_group_id or groups


def _in_currency(instance, pricelist, currency):
    """``pricelist``, or, when it is a BigCommerce price list's pricelist in
    another currency, the same price list's pricelist in ``currency`` (if
    the list has records in it)."""
    if not pricelist or pricelist.currency_id == currency:
        return pricelist
    lists = instance.env["bigcommerce.price.list"]
    mine = lists.search(
        [("instance_id", "=", instance.id), ("pricelist_id", "=", pricelist.id)],
        limit=1,
    )
    if not mine.is_active:
        return pricelist
    sibling = lists.search(
        [
            ("instance_id", "=", instance.id),
            ("bigcommerce_id", "=", mine.bigcommerce_id),
            ("currency_id", "=", currency.id),
        ],
        limit=1,
    )
    return sibling.pricelist_id or pricelist


def _skipped(env, label, level_currency, currency):
    return env._(
        "Pricelist: %(level)s is in %(level_currency)s, the order was paid in "
        "%(currency)s; the next level applies.",
        level=label,
        level_currency=level_currency.name,
        currency=currency.name,
    )
