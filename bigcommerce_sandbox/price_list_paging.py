"""Paging of the price list endpoints: offset (``page``) and cursor
(``before`` / ``after``), as price_lists.v3.yml's meta says: ``page`` gives only
``pagination``, a cursor only ``cursor_pagination``, neither gives both.
Cursors are base64 of the row's sort key (CONTRACT.md, "Price lists")."""

import base64
import binascii
import copy

from .paging import ApiError, int_param

DEFAULT_LIMIT = 50
# "capped at the maximum limit" (cursor_pagination.per_page); the maximum is
# not given: the sandbox's usual 250 (CONTRACT.md).
MAX_LIMIT = 250


# ----------------------------------------------------------------------
# Paging: offset (page) and cursor (before / after), as the spec's meta says
# ----------------------------------------------------------------------


def _encode(key):
    text = ",".join(str(part) for part in key)
    return base64.b64encode(text.encode()).decode()


def _decode(cursor):
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise ApiError(400, f"The cursor {cursor!r} is invalid.") from None
    return tuple(int(part) if part.isdigit() else part for part in text.split(","))


def _comparable(key, wanted):
    """The row's key and the cursor's, comparable element by element."""
    if len(key) != len(wanted) or any(
        isinstance(a, int) != isinstance(b, int)
        for a, b in zip(key, wanted, strict=True)
    ):
        raise ApiError(400, "The cursor is invalid.")
    return key, wanted


def _link(**params):
    return "?" + "&".join(f"{name}={value}" for name, value in params.items())


def paged(query, rows, key):
    """(rows of the page, meta) for a collection sorted by ``key(row)``.

    price_lists.v3.yml, Collection Meta: "If no pagination details are
    specified or if you only provide a limit, then both properties will be
    present. When a 'before' or 'after' cursor is provided, only the
    'cursor_pagination' property will be present. When a 'page' parameter is
    provided, only the offset based 'pagination' property will be present."
    ``before`` and ``after`` "Cannot be used with the 'page' query parameter"
    nor with each other: a 400 (CONTRACT.md).
    """
    rows = sorted(rows, key=key)
    limit = min(int_param(query, "limit", DEFAULT_LIMIT, minimum=1), MAX_LIMIT)
    before, after = query.get("before"), query.get("after")
    has_page = query.get("page") not in (None, "")
    if before and after:
        raise ApiError(400, "'before' cannot be used with 'after'.")
    if has_page and (before or after):
        raise ApiError(400, "'before' and 'after' cannot be used with 'page'.")
    meta = {}
    if before or after:
        wanted = _decode(before or after)
        if after:
            chunk = [r for r in rows if _gt(key(r), wanted)][:limit]
        else:
            chunk = [r for r in rows if _gt(wanted, key(r))][-limit:]
    else:
        page = int_param(query, "page", 1, minimum=1)
        chunk = rows[(page - 1) * limit : page * limit]
        total_pages = max(1, -(-len(rows) // limit))
        meta["pagination"] = {
            "total": len(rows),
            "count": len(chunk),
            "per_page": limit,
            "current_page": page,
            "total_pages": total_pages,
        }
        if has_page:
            return chunk, meta
    cursor = {"count": len(chunk), "per_page": limit, "links": {}}
    if chunk:
        start, end = _encode(key(chunk[0])), _encode(key(chunk[-1]))
        cursor["start_cursor"], cursor["end_cursor"] = start, end
        position = "before" if before else "after"
        if before or after:
            cursor["links"]["current"] = _link(
                **{position: before or after}, limit=limit
            )
        else:
            cursor["links"]["current"] = _link(limit=limit)
        if any(_gt(key(chunk[0]), key(r)) for r in rows):
            cursor["links"]["previous"] = _link(before=start, limit=limit)
        if any(_gt(key(r), key(chunk[-1])) for r in rows):
            cursor["links"]["next"] = _link(after=end, limit=limit)
    meta["cursor_pagination"] = cursor
    return chunk, meta


def _gt(a, b):
    a, b = _comparable(tuple(a), tuple(b))
    return a > b


def _collection(query, rows, key, render=copy.deepcopy):
    chunk, meta = paged(query, rows, key)
    return 200, {"data": [render(row) for row in chunk], "meta": meta}
