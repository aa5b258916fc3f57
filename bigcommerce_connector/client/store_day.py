"""The store's local day of a BigCommerce timestamp: the accounting date.

BigCommerce sends instants (UTC); Odoo keeps datetimes in UTC too. But a
controller closes the *store's* day: an order placed at 18:00 on 31 January
in Los Angeles belongs to January, though it is 1 February in UTC. Invoice,
credit note and payment dates are therefore the calendar day of the instant
in the store's time zone (``timezone.name`` of ``GET /v2/store``,
``Continent/City`` per the store information spec), daylight saving time
included (the IANA database knows it; ``raw_offset`` alone would not).

No Odoo import: the ORM shells call :func:`store_day`.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .parsing import parse_datetime


def store_zone(name):
    """``ZoneInfo`` of the store's zone name; UTC when unset or unknown.

    UTC is what the dates were before the store's zone was read (an instance
    not confirmed since), so such an instance keeps its former dates.
    """
    if not name:
        return UTC
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def store_day(value, zone_name):
    """Calendar day, in the store's zone, of a BigCommerce or Odoo moment.

    ``value``: anything :func:`parse_datetime` reads (RFC 2822 / ISO 8601
    text, unix seconds, an aware datetime) or a naive datetime, which is UTC
    as Odoo stores it. None when unset.
    """
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    moment = parse_datetime(value)
    if moment is None:
        return None
    return moment.astimezone(store_zone(zone_name)).date()
