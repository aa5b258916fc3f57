"""Filtering, sorting and paging the way BigCommerce documents them."""

from bigcommerce_connector.client.parsing import parse_datetime, parse_money

V2_DEFAULT_LIMIT = 50
V3_DEFAULT_LIMIT = 50
MAX_LIMIT = 250


class ApiError(Exception):
    """An HTTP error answer; the server renders it in the v2 or v3 error shape."""

    def __init__(self, status, message, errors=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


def int_param(query, name, default=None, minimum=None):
    value = query.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"The field '{name}' is invalid.") from None
    if minimum is not None and number < minimum:
        raise ApiError(400, f"The field '{name}' must be at least {minimum}.")
    return number


def page_and_limit(query, default_limit):
    page = int_param(query, "page", 1, minimum=1)
    limit = int_param(query, "limit", default_limit, minimum=1)
    if limit > MAX_LIMIT:
        # BigCommerce: "413 Request Entity Too Large" when limit is above the max.
        raise ApiError(413, f"The limit cannot exceed {MAX_LIMIT}.")
    return page, limit


def csv_values(text):
    return [item.strip() for item in str(text).split(",") if item.strip()]


def _as_number(value):
    return parse_money(value) if isinstance(value, str) else value


def apply_v3_filters(rows, query, fields):
    """Keep the rows that match every ``field``, ``field:in``, ``:min``... filter.

    ``fields`` maps a filter name to (getter, kind) where kind is "int",
    "str", "date", "number" or "bool".
    """
    for key, value in query.items():
        name, _sep, operator = key.partition(":")
        if name not in fields:
            continue
        getter, kind = fields[name]
        rows = [row for row in rows if _matches(getter(row), kind, operator, value)]
    return rows


def _convert(value, kind):
    if kind == "int":
        return int(value)
    if kind == "date":
        return parse_datetime(value)
    if kind == "number":
        return _as_number(value)
    if kind == "bool":
        return str(value).lower() in ("1", "true")
    return str(value)


def _matches(actual, kind, operator, raw):
    try:
        if operator in ("in", "not_in"):
            wanted = [_convert(item, kind) for item in csv_values(raw)]
            found = _normalise(actual, kind) in [_normalise(w, kind) for w in wanted]
            return found if operator == "in" else not found
        wanted = _convert(raw, kind)
    except (TypeError, ValueError):
        raise ApiError(422, f"The filter value {raw!r} is invalid.") from None
    actual = _normalise(actual, kind)
    wanted = _normalise(wanted, kind)
    if operator == "":
        return actual == wanted
    if actual is None:
        return False
    if operator == "min":
        return actual >= wanted
    if operator == "max":
        return actual <= wanted
    if operator == "greater":
        return actual > wanted
    if operator == "less":
        return actual < wanted
    if operator == "like":
        return str(wanted).lower() in str(actual).lower()
    raise ApiError(400, f"Unknown filter operator '{operator}'.")


def _normalise(value, kind):
    if value is None:
        return None
    if kind == "date":
        return parse_datetime(value)
    if kind == "number":
        return _as_number(value)
    if kind == "str":
        # SKUs and e-mails compare case-insensitively at BigCommerce.
        return str(value).lower()
    if kind == "int":
        return int(value)
    return value


def sort_rows(rows, sort, allowed, default_key="id"):
    """``sort=field:asc|desc`` (v2 and v3 customers); unknown fields are refused."""
    if not sort:
        return sorted(rows, key=lambda row: row[default_key])
    field, _sep, direction = sort.partition(":")
    if field not in allowed:
        raise ApiError(400, f"Sorting by '{field}' is not supported.")
    getter = allowed[field]
    return sorted(
        rows,
        key=lambda row: (getter(row) is None, getter(row), row[default_key]),
        reverse=direction.lower() == "desc",
    )


def v3_page(rows, query, path, default_limit=V3_DEFAULT_LIMIT, max_limit=MAX_LIMIT):
    """One page of a v3 collection with its ``meta.pagination``."""
    page, limit = page_and_limit(query, default_limit)
    limit = min(limit, max_limit)
    total = len(rows)
    total_pages = max(1, -(-total // limit))
    chunk = rows[(page - 1) * limit : page * limit]
    links = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    meta = {
        "pagination": {
            "total": total,
            "count": len(chunk),
            "per_page": limit,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    }
    return chunk, meta


def v2_page(rows, query):
    """One page of a v2 collection: a list, or None (204) when it is empty."""
    page, limit = page_and_limit(query, V2_DEFAULT_LIMIT)
    chunk = rows[(page - 1) * limit : page * limit]
    return chunk or None
