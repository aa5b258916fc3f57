"""What an order's channel (storefront) gives its sale order (issue 26).

BigCommerce tells each order's channel (orders.v2 ``channel_id``; the
channels are read at Confirm into ``bigcommerce.channel``). The admin maps
a channel to a sales team, an analytic account, an order prefix and a
pricelist; an order of that channel carries them instead of the store's:

- the team (the store's Salesperson stays: the team says who sold it);
- every line booked 100 % on the channel's analytic account;
- the order reference ``<channel prefix><BigCommerce number>`` when the
  store names orders after BigCommerce's numbers;
- the pricelist: a level of ``order_pricelist.py``.

A channel unknown to Odoo (created in BigCommerce after Confirm) changes
nothing: the store's settings apply, as before channels were mapped.
"""


def order_channel(instance, order):
    """The ``bigcommerce.channel`` of ``order`` (empty when unknown)."""
    channel_id = order.get("channel_id") or 0
    channels = instance.env["bigcommerce.channel"]
    if not channel_id:
        return channels
    return channels.search(
        [("instance_id", "=", instance.id), ("bigcommerce_id", "=", int(channel_id))],
        limit=1,
    )


def apply_channel(instance, order, values):
    """Set the channel, its team, analytic distribution and prefix on the
    sale order ``values`` (lines as ``Command.create`` tuples)."""
    channel = order_channel(instance, order)
    if not channel:
        return
    values["bigcommerce_channel_id"] = channel.id
    if channel.team_id:
        values["team_id"] = channel.team_id.id
    if channel.analytic_account_id:
        distribution = {str(channel.analytic_account_id.id): 100.0}
        for command in values.get("order_line") or []:
            command[2]["analytic_distribution"] = distribution
    if channel.order_prefix and instance.use_bigcommerce_order_number:
        values["name"] = f"{channel.order_prefix}{order['id']}"
