"""The store's local day of a BigCommerce timestamp (accounting dates).

BigCommerce sends UTC instants; a controller closes the store's day, so an
invoice dated from an order placed at 23:30 in Denver on 31 January is dated
31 January, not 1 February (UTC). Hypothesis checks the day against the
zone's own arithmetic for every zone the store information spec allows
(``Continent/City`` names), across DST changes.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given
from hypothesis import strategies as st

from bigcommerce_connector.client.store_day import store_day, store_zone

DENVER = "America/Denver"


def test_evening_on_the_last_day_of_the_month_stays_in_that_month():
    # 23:30 MST on 31 January 2026 is 06:30 UTC on 1 February.
    moment = datetime(2026, 2, 1, 6, 30, tzinfo=UTC)
    assert store_day(moment, DENVER) == date(2026, 1, 31)


def test_daylight_saving_time_is_followed():
    # 23:30 MDT on 30 June 2026 is 05:30 UTC on 1 July (offset -6, not -7).
    assert store_day(datetime(2026, 7, 1, 5, 30, tzinfo=UTC), DENVER) == date(
        2026, 6, 30
    )
    assert store_day(datetime(2026, 7, 1, 6, 30, tzinfo=UTC), DENVER) == date(
        2026, 7, 1
    )


def test_east_of_greenwich_moves_forward():
    # 00:30 in Sydney on 1 April is still 31 March in UTC.
    moment = datetime(2026, 3, 31, 13, 30, tzinfo=UTC)
    assert store_day(moment, "Australia/Sydney") == date(2026, 4, 1)


def test_naive_values_are_utc_like_odoo_datetimes():
    assert store_day(datetime(2026, 2, 1, 6, 30), DENVER) == date(2026, 1, 31)


def test_text_as_bigcommerce_sends_it():
    assert store_day("Sun, 01 Feb 2026 06:30:00 +0000", DENVER) == date(2026, 1, 31)
    assert store_day("2026-02-01T06:30:00Z", DENVER) == date(2026, 1, 31)


def test_unset_moment_has_no_day():
    assert store_day("", DENVER) is None
    assert store_day(None, DENVER) is None


def test_unknown_or_missing_zone_is_utc():
    moment = datetime(2026, 2, 1, 6, 30, tzinfo=UTC)
    assert store_zone("") is UTC
    assert store_zone(None) is UTC
    assert store_zone("Mars/Olympus_Mons") is UTC
    assert store_day(moment, "Mars/Olympus_Mons") == date(2026, 2, 1)


ZONES = sorted(name for name in available_timezones() if "/" in name)


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
    st.sampled_from(ZONES),
)
def test_the_day_is_the_wall_clock_day_of_the_instant(naive_utc, name):
    moment = naive_utc.replace(tzinfo=UTC)
    day = store_day(moment, name)
    # The wall clock is UTC plus the zone's offset at that instant.
    offset = moment.astimezone(ZoneInfo(name)).utcoffset()
    assert day == (naive_utc + offset).date()
    # No zone is more than a day from UTC.
    assert abs((day - naive_utc.date()).days) <= 1
