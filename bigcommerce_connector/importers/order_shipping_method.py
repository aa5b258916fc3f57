"""The shipping method of an order's shipping addresses -> the product of its
shipping line and the sale order's carrier (``bigcommerce.shipping.method``,
issue 23): shipping revenue splits by method and the delivery is pre-filled.
"""


def _row(importer, address):
    return importer.env["bigcommerce.shipping.method"]._for_method(
        importer.instance, address.get("shipping_method")
    )


def shipping_product(importer, address):
    """The product of the address's shipping line."""
    return _row(importer, address).product_id or importer.instance.shipping_product_id


def set_carrier(importer, values, addresses):
    """The sale order's carrier: the first address's method's, if any."""
    for address in addresses:
        carrier = _row(importer, address).carrier_id
        if carrier:
            values["carrier_id"] = carrier.id
            return
