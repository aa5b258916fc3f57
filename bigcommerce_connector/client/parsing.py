"""Turn BigCommerce's wire formats into Python values, once, for every caller.

v2 sends money as strings with four decimals ("225.0000") and dates as RFC 2822
strings ("Tue, 20 Nov 2012 00:00:00 +0000", "" when unset); v3 sends money as
JSON numbers and dates as ISO 8601; webhooks send unix seconds. Money becomes
``Decimal`` built from the text (never via binary float), dates aware UTC datetimes.
"""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import format_datetime, parsedate_to_datetime

ZERO = Decimal("0")


def parse_money(value, default=ZERO):
    """Decimal of a v2 string or v3 number; ``default`` for null or empty."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ValueError(f"Not an amount: {value!r}")
    if isinstance(value, Decimal):
        return value
    try:
        # str() of a float is its shortest repr (12.3 -> "12.3"), which is what
        # BigCommerce meant; Decimal(float) would expose the binary error.
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"Not an amount: {value!r}") from None


def parse_datetime(value):
    """Aware UTC datetime of RFC 2822, ISO 8601 or unix seconds; None if unset."""
    if value is None or value == "" or value == 0 or value == "0":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    else:
        text = str(value).strip()
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        moment = _parse_text_datetime(text)
    if moment.tzinfo is None:
        # BigCommerce answers in UTC; a naive value can only mean UTC.
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _parse_text_datetime(text):
    if text[:1].isalpha():
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise ValueError(f"Not a date: {text!r}") from None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Not a date: {text!r}") from None


def format_rfc2822(moment):
    """RFC 2822 text for v2 filters such as ``min_date_modified``."""
    return format_datetime(_as_utc(moment))


def format_iso8601(moment):
    """ISO 8601 / RFC 3339 text (UTC, seconds) for v3 ``:min``/``:max`` filters."""
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _as_utc(moment):
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
