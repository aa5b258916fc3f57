"""Which pricelist an imported order gets: the three levels, then a fallback.

1. the payment mapping's explicit pricelist;
2. the payment mapping's currency override: the store's pricelist of that
   currency (e.g. every Stripe order priced from the EUR pricelist);
3. the store's pricelist of the order's ``default_currency_code`` (created
   at Confirm for every currency the store sells in);
4. the customer's pricelist, then the company's.

Odoo books a sale order in its pricelist's currency, and BigCommerce's
amounts are in the currency the shopper paid (``default_currency_code``,
bigcommerce-api.md P18): a level whose pricelist is in another currency
would put the right figures in the wrong currency. Such a level is passed
over, with a note on the sale order that says why, instead of failing the
order; the next level decides.
"""


def resolve_pricelist(instance, currency, mapping, partner, remarks):
    """The pricelist of an order paid in ``currency`` (a product.pricelist);
    why a level was passed over is appended to ``remarks``."""
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


def _skipped(env, label, level_currency, currency):
    return env._(
        "Pricelist: %(level)s is in %(level_currency)s, the order was paid in "
        "%(currency)s; the next level applies.",
        level=label,
        level_currency=level_currency.name,
        currency=currency.name,
    )
