"""Price list assignments (``/v3/pricelists/assignments``): which customer
group and channel a price list applies to. Shapes, limits and status codes
follow price_lists.v3.yml; CONTRACT.md ("Price lists") names the assumptions."""

from .paging import ApiError, apply_v3_filters
from .price_list_paging import _collection

# POST /pricelists/assignments: "The batch limit for Price List Assignments is 25."
ASSIGNMENT_BATCH = 25


# ----------------------------------------------------------------------
# Assignments
# ----------------------------------------------------------------------

ASSIGNMENT_FILTERS = {
    "id": (lambda a: a["id"], "int"),
    "price_list_id": (lambda a: a["price_list_id"], "int"),
    "customer_group_id": (lambda a: a.get("customer_group_id"), "int"),
    "channel_id": (lambda a: a.get("channel_id"), "int"),
}
ASSIGNMENT_FIELDS = ("customer_group_id", "channel_id")


def list_assignments(ctx):
    rows = apply_v3_filters(
        list(ctx.state.price_list_assignments.values()), ctx.query, ASSIGNMENT_FILTERS
    )
    return _collection(ctx.query, rows, key=lambda a: (a["id"],))


def _assignment_errors(ctx, item):
    """Why ``item`` cannot be assigned ({} when it can)."""
    errors = {}
    for field in ("price_list_id", *ASSIGNMENT_FIELDS):
        value = item.get(field)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool)
        ):
            errors[field] = f"{field} must be an integer"
    if errors:
        return errors
    price_list_id = item.get("price_list_id")
    if price_list_id not in ctx.state.price_lists:
        errors["price_list_id"] = f"Price list {price_list_id} does not exist"
    group_id, channel_id = item.get("customer_group_id"), item.get("channel_id")
    if group_id is None and channel_id is None:
        errors["customer_group_id"] = "customer_group_id or channel_id is required"
    if group_id is not None:
        group = ctx.state.customer_groups.get(group_id)
        if group is None:
            errors["customer_group_id"] = f"Customer group {group_id} does not exist"
        elif group.get("discount_rules"):
            errors["customer_group_id"] = _DISCOUNTS.format(group_id)
    if channel_id is not None and channel_id not in {
        c["id"] for c in ctx.state.channels
    }:
        errors["channel_id"] = f"Channel {channel_id} does not exist"
    if not errors:
        for other in ctx.state.price_list_assignments.values():
            if all(other.get(f) == item.get(f) for f in ASSIGNMENT_FIELDS):
                errors["customer_group_id"] = (
                    f"Price list {other['price_list_id']} is already assigned to "
                    "this customer group and channel (assignment "
                    f"{other['id']})"
                )
    return errors


# The spec's usage notes: "You cannot assign Price Lists to a customer group
# with customer group discounts -- You must delete the customer group
# discounts first."
_DISCOUNTS = (
    "Customer group {} has customer group discounts: delete them before "
    "assigning a price list"
)


def _new_assignment(ctx, item):
    assignment = {
        "id": ctx.state.next_id("price_list_assignment"),
        "price_list_id": item["price_list_id"],
    }
    for field in ASSIGNMENT_FIELDS:
        if item.get(field) is not None:
            assignment[field] = item[field]
    ctx.state.price_list_assignments[assignment["id"]] = assignment
    return assignment


def create_assignments(ctx):
    """POST /pricelists/assignments: a batch of at most 25. The valid items are
    saved and the others reported with ``meta.saved_records`` (the 422
    schema's own count, CONTRACT.md); 200 with no body when all are saved."""
    items = ctx.body
    if not isinstance(items, list) or not items:
        return _assignment_failure({"body": "an array of assignments"}, 0)
    if len(items) > ASSIGNMENT_BATCH:
        message = (
            f"At most {ASSIGNMENT_BATCH} assignments per request; {len(items)} sent"
        )
        return _assignment_failure({"batch": message}, 0)
    errors, saved = {}, 0
    for index, item in enumerate(items):
        found = (
            _assignment_errors(ctx, item)
            if isinstance(item, dict)
            else {"item": "an assignment object"}
        )
        if found:
            errors.update({f"{index}.{field}": text for field, text in found.items()})
        else:
            _new_assignment(ctx, item)
            saved += 1
    if errors:
        return _assignment_failure(errors, saved)
    return 200, None


def _assignment_failure(errors, saved):
    return 422, {
        "status": 422,
        "title": "Price list assignments were not valid.",
        "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
        "errors": errors,
        "meta": {"saved_records": saved},
    }


DELETE_ASSIGNMENT_FILTERS = ("id", "price_list_id", "customer_group_id", "channel_id")


def delete_assignments(ctx):
    """ "You must use at least one query parameter": none is a 422 (CONTRACT.md)."""
    used = {
        name: value
        for name, value in ctx.query.items()
        if name in DELETE_ASSIGNMENT_FILTERS or name == "channel_id:in"
    }
    if not used:
        raise ApiError(
            422,
            "At least one query parameter is required.",
            {"query": ", ".join(DELETE_ASSIGNMENT_FILTERS + ("channel_id:in",))},
        )
    rows = apply_v3_filters(
        list(ctx.state.price_list_assignments.values()), used, ASSIGNMENT_FILTERS
    )
    for assignment in rows:
        del ctx.state.price_list_assignments[assignment["id"]]
    return 204, None


def upsert_assignment(ctx, price_list_id):
    """PUT /pricelists/{id}/assignments {customer_group_id, channel_id}: the
    price list of that customer group on that channel (one per pair,
    CONTRACT.md). 404 without a body (the spec's) when the list, the group
    or the channel is unknown."""
    if int(price_list_id) not in ctx.state.price_lists:
        return 404, None
    price_list = ctx.state.price_lists[int(price_list_id)]
    body = ctx.body
    if not isinstance(body, dict):
        raise ApiError(422, "The assignment was not valid.", {"body": "an object"})
    missing = {
        field: f"{field} is required"
        for field in ASSIGNMENT_FIELDS
        if not isinstance(body.get(field), int) or isinstance(body.get(field), bool)
    }
    if missing:
        raise ApiError(422, "The assignment was not valid.", missing)
    group = ctx.state.customer_groups.get(body["customer_group_id"])
    channels = {c["id"] for c in ctx.state.channels}
    if group is None or body["channel_id"] not in channels:
        # The spec's 404 has no body: "A matching customer group or channel
        # wasnʼt found, so no assignment is created or returned."
        return 404, None
    if group.get("discount_rules"):
        raise ApiError(
            422,
            "The assignment was not valid.",
            {"customer_group_id": _DISCOUNTS.format(group["id"])},
        )
    for assignment in ctx.state.price_list_assignments.values():
        if all(assignment.get(f) == body[f] for f in ASSIGNMENT_FIELDS):
            assignment["price_list_id"] = price_list["id"]
            break
    else:
        assignment = _new_assignment(
            ctx,
            {
                "price_list_id": price_list["id"],
                "customer_group_id": body["customer_group_id"],
                "channel_id": body["channel_id"],
            },
        )
    return 200, {"data": _full_assignment(assignment), "meta": {}}


def _full_assignment(assignment):
    return {
        "id": assignment["id"],
        "price_list_id": assignment["price_list_id"],
        "customer_group_id": assignment["customer_group_id"],
        "channel_id": assignment["channel_id"],
    }
