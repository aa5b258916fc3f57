"""The v2 endpoints: store settings and orders with their sub-resources."""

import copy

from bigcommerce_connector.client.parsing import parse_datetime, parse_money

from .paging import ApiError, int_param, sort_rows, v2_page

NOT_FOUND = "The requested resource was not found."

ORDER_SORTS = {
    "id": lambda o: o["id"],
    "customer_id": lambda o: o["customer_id"],
    "date_created": lambda o: parse_datetime(o["date_created"]),
    "date_modified": lambda o: parse_datetime(o["date_modified"]),
    "status_id": lambda o: o["status_id"],
    "channel_id": lambda o: o.get("channel_id"),
    "external_id": lambda o: o.get("external_id") or "",
}

# Money fields of a shipping address that a consignment repeats as numbers.
_CONSIGNMENT_MONEY = (
    "base_cost",
    "cost_ex_tax",
    "cost_inc_tax",
    "cost_tax",
    "base_handling_cost",
    "handling_cost_ex_tax",
    "handling_cost_inc_tax",
    "handling_cost_tax",
)
_CONSIGNMENT_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "company",
    "street_1",
    "street_2",
    "city",
    "zip",
    "country",
    "country_iso2",
    "state",
    "email",
    "phone",
    "form_fields",
    "items_total",
    "items_shipped",
    "shipping_method",
    "cost_tax_class_id",
    "handling_cost_tax_class_id",
    "shipping_zone_id",
    "shipping_zone_name",
)


def get_store(ctx):
    return 200, ctx.state.store_info


def get_time(ctx):
    return 200, {"time": int(ctx.state.clock.now().timestamp())}


def list_currencies(ctx):
    return 200, v2_page(ctx.state.currencies, ctx.query)


def list_order_statuses(ctx):
    return 200, ctx.state.order_statuses


def list_tax_classes(ctx):
    return 200, v2_page(ctx.state.tax_classes, ctx.query)


def get_tax_class(ctx, tax_class_id):
    for row in ctx.state.tax_classes:
        if str(row["id"]) == tax_class_id:
            return 200, row
    raise ApiError(404, NOT_FOUND)


# ----------------------------------------------------------------------
# Customer groups (customers.v2.yml)
# ----------------------------------------------------------------------

_GROUP_FILTERS = {
    "name": lambda g, v: g["name"] == v,
    "name:like": lambda g, v: v.lower() in g["name"].lower(),
    "is_default": lambda g, v: g["is_default"] == (v.lower() in ("1", "true")),
    "is_group_for_guests": lambda g, v: g["is_group_for_guests"]
    == (v.lower() in ("1", "true")),
}


def list_customer_groups(ctx):
    """Sorted by id ("Default sorting is by customer-group ID")."""
    groups = [
        ctx.state.customer_groups[key] for key in sorted(ctx.state.customer_groups)
    ]
    for name, test in _GROUP_FILTERS.items():
        if ctx.query.get(name) not in (None, ""):
            groups = [g for g in groups if test(g, ctx.query[name])]
    # An empty page is a 204, as for every v2 collection (CONTRACT.md).
    return 200, copy.deepcopy(v2_page(groups, ctx.query))


def get_customer_group(ctx, group_id):
    group = ctx.state.customer_groups.get(int(group_id))
    if group is None:
        raise ApiError(404, NOT_FOUND)
    return 200, copy.deepcopy(group)


def count_customer_groups(ctx):
    return 200, {"count": len(ctx.state.customer_groups)}


# ----------------------------------------------------------------------
# Orders
# ----------------------------------------------------------------------


def _filtered_orders(ctx):
    query = ctx.query
    orders = list(ctx.state.orders.values())
    status_id = int_param(query, "status_id")
    if status_id is None:
        # Incomplete (0) and archived orders stay out of the default listing.
        orders = [o for o in orders if o["status_id"] != 0 and not o["is_deleted"]]
    else:
        orders = [o for o in orders if o["status_id"] == status_id]
    for name, test in (
        ("min_id", lambda o, v: o["id"] >= int(v)),
        ("max_id", lambda o, v: o["id"] <= int(v)),
        ("customer_id", lambda o, v: o["customer_id"] == int(v)),
        ("channel_id", lambda o, v: o.get("channel_id") == int(v)),
        ("cart_id", lambda o, v: o.get("cart_id") == v),
        ("external_order_id", lambda o, v: o.get("external_order_id") == v),
        ("payment_method", lambda o, v: o.get("payment_method") == v),
        (
            "email",
            lambda o, v: (o["billing_address"].get("email") or "").lower() == v.lower(),
        ),
        ("min_total", lambda o, v: parse_money(o["total_inc_tax"]) >= parse_money(v)),
        ("max_total", lambda o, v: parse_money(o["total_inc_tax"]) <= parse_money(v)),
    ):
        if query.get(name) not in (None, ""):
            try:
                orders = [o for o in orders if test(o, query[name])]
            except ValueError:
                raise ApiError(400, f"The field '{name}' is invalid.") from None
    for name, field, compare in (
        ("min_date_created", "date_created", lambda a, b: a >= b),
        ("max_date_created", "date_created", lambda a, b: a <= b),
        ("min_date_modified", "date_modified", lambda a, b: a >= b),
        ("max_date_modified", "date_modified", lambda a, b: a <= b),
    ):
        if query.get(name):
            try:
                bound = parse_datetime(query[name])
            except ValueError:
                raise ApiError(400, f"The field '{name}' is invalid.") from None
            orders = [o for o in orders if compare(parse_datetime(o[field]), bound)]
    return sort_rows(orders, query.get("sort"), ORDER_SORTS)


def list_orders(ctx):
    rows = v2_page(_filtered_orders(ctx), ctx.query)
    if rows is None:
        return 204, None
    return 200, [render_order(ctx, order) for order in rows]


def count_orders(ctx):
    orders = [o for o in ctx.state.orders.values() if not o["is_deleted"]]
    statuses = []
    for status in ctx.state.order_statuses:
        count = sum(1 for o in orders if o["status_id"] == status["id"])
        statuses.append(
            {
                "id": status["id"],
                "name": status["name"],
                "system_label": status["system_label"],
                "custom_label": status["custom_label"],
                "system_description": status["system_description"],
                "count": count,
            }
        )
    return 200, {"statuses": statuses, "count": len(orders)}


def _order(ctx, order_id):
    order = ctx.state.orders.get(int(order_id))
    if order is None:
        raise ApiError(404, NOT_FOUND)
    return order


def get_order(ctx, order_id):
    return 200, render_order(ctx, _order(ctx, order_id))


def _link(ctx, order_id, resource):
    path = f"/orders/{order_id}/{resource}"
    return {"url": f"{ctx.api_base}/v2{path}", "resource": path}


def render_order(ctx, order):
    """The order as v2 shows it, with the includes asked for expanded."""
    rendered = copy.deepcopy(order)
    order_id = order["id"]
    includes = set(filter(None, (ctx.query.get("include") or "").split(",")))
    as_object = ctx.query.get("consignment_structure") == "object"
    rendered["products"] = _link(ctx, order_id, "products")
    rendered["shipping_addresses"] = _link(ctx, order_id, "shipping_addresses")
    rendered["coupons"] = _link(ctx, order_id, "coupons")
    if as_object and includes & {"consignments", "consignments.line_items"}:
        rendered["consignments"] = _consignments(
            ctx, order_id, with_lines="consignments.line_items" in includes
        )
    else:
        rendered["consignments"] = _link(ctx, order_id, "consignments")
    if "fees" in includes:
        rendered["fees"] = copy.deepcopy(ctx.state.order_fees.get(order_id, []))
    return rendered


def _consignments(ctx, order_id, with_lines):
    products = ctx.state.order_products.get(order_id, [])

    def lines(rows):
        if with_lines:
            return copy.deepcopy(rows)
        return [
            {
                "url": f"{ctx.api_base}/v2/orders/{order_id}/products/{row['id']}",
                "resource": f"/orders/{order_id}/products/{row['id']}",
            }
            for row in rows
        ]

    shipping = []
    for address in ctx.state.order_shipping_addresses.get(order_id, []):
        consignment = {k: address[k] for k in _CONSIGNMENT_FIELDS if k in address}
        for field in _CONSIGNMENT_MONEY:
            if field in address:
                consignment[field] = float(parse_money(address[field]))
        consignment["line_items"] = lines(
            [
                row
                for row in products
                if row.get("order_address_id") == address["id"]
                and row.get("type") == "physical"
            ]
        )
        consignment["shipping_quotes"] = _link(
            ctx, order_id, f"shipping_addresses/{address['id']}/shipping_quotes"
        )
        shipping.append(consignment)
    order = ctx.state.orders[order_id]
    email = order["billing_address"].get("email", "")
    digital = [row for row in products if row.get("type") == "digital"]
    certificates = [row for row in products if row.get("type") == "giftcertificate"]
    downloads = (
        [{"recipient_email": email, "line_items": lines(digital)}] if digital else []
    )
    gift_certificates = (
        [{"recipient_email": email, "line_items": lines(certificates)}]
        if certificates
        else []
    )
    return {
        "pickups": [],
        "shipping": shipping,
        "downloads": downloads,
        "email": {"gift_certificates": gift_certificates},
    }


def _sub_list(ctx, order_id, rows):
    _order(ctx, order_id)
    page = v2_page(rows, ctx.query)
    return (204, None) if page is None else (200, copy.deepcopy(page))


def list_order_products(ctx, order_id):
    return _sub_list(ctx, order_id, ctx.state.order_products.get(int(order_id), []))


def get_order_product(ctx, order_id, line_id):
    _order(ctx, order_id)
    for row in ctx.state.order_products.get(int(order_id), []):
        if row["id"] == int(line_id):
            return 200, row
    raise ApiError(404, NOT_FOUND)


def list_order_shipping_addresses(ctx, order_id):
    rows = []
    for address in ctx.state.order_shipping_addresses.get(int(order_id), []):
        row = dict(address)
        row["shipping_quotes"] = _link(
            ctx, int(order_id), f"shipping_addresses/{address['id']}/shipping_quotes"
        )
        rows.append(row)
    return _sub_list(ctx, order_id, rows)


def list_order_coupons(ctx, order_id):
    return _sub_list(ctx, order_id, ctx.state.order_coupons.get(int(order_id), []))


def list_order_fees(ctx, order_id):
    return _sub_list(ctx, order_id, ctx.state.order_fees.get(int(order_id), []))


def list_order_taxes(ctx, order_id):
    details = str(ctx.query.get("details", "")).lower() == "true"
    rows = []
    for tax in ctx.state.order_taxes.get(int(order_id), []):
        row = dict(tax)
        if not details:
            row.pop("order_product_id", None)
            row.pop("line_item_type", None)
        rows.append(row)
    return _sub_list(ctx, order_id, rows)


def get_order_consignments(ctx, order_id):
    _order(ctx, order_id)
    with_lines = "line_items" in (ctx.query.get("include") or "")
    return 200, _consignments(ctx, int(order_id), with_lines)


def list_order_shipments(ctx, order_id):
    return _sub_list(ctx, order_id, ctx.state.order_shipments.get(int(order_id), []))


def get_order_shipment(ctx, order_id, shipment_id):
    _order(ctx, order_id)
    for row in ctx.state.order_shipments.get(int(order_id), []):
        if row["id"] == int(shipment_id):
            return 200, row
    raise ApiError(404, NOT_FOUND)


def create_order_shipment(ctx, order_id):
    """POST a shipment: validated like BigCommerce (address and order-product ids)."""
    order = _order(ctx, order_id)
    order_id = order["id"]
    body = ctx.body or {}
    addresses = {
        a["id"]: a for a in ctx.state.order_shipping_addresses.get(order_id, [])
    }
    lines = {p["id"]: p for p in ctx.state.order_products.get(order_id, [])}
    address_id = body.get("order_address_id")
    if address_id not in addresses:
        raise ApiError(400, "The field 'order_address_id' is invalid.")
    items = body.get("items") or []
    if not items:
        raise ApiError(400, "The field 'items' is required.")
    for item in items:
        line = lines.get(item.get("order_product_id"))
        quantity = item.get("quantity") or 0
        if line is None:
            raise ApiError(400, "The field 'order_product_id' is invalid.")
        if quantity <= 0 or line["quantity_shipped"] + quantity > line["quantity"]:
            raise ApiError(400, "The quantity to ship exceeds the quantity left.")
    return 201, ctx.store.record_shipment(order_id, address_id, items, body)


def update_order(ctx, order_id):
    """PUT an order: the connector only changes ``status_id`` (and notes)."""
    order = _order(ctx, order_id)
    body = ctx.body or {}
    if "status_id" in body:
        if body["status_id"] not in {s["id"] for s in ctx.state.order_statuses}:
            raise ApiError(400, "The field 'status_id' is invalid.")
        ctx.store.set_order_status(order["id"], body["status_id"])
    for field in ("staff_notes", "customer_message", "payment_method"):
        if field in body:
            order[field] = body[field]
    return 200, render_order(ctx, order)
