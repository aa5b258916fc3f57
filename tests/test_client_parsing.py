"""Wire formats: v2 money strings, v3 numbers, RFC 2822 / ISO 8601 / unix dates."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bigcommerce_connector.client import (
    format_iso8601,
    format_rfc2822,
    parse_datetime,
    parse_money,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("225.0000", Decimal("225.0000")),
        ("0.1000", Decimal("0.1")),
        (12.3, Decimal("12.3")),
        (0.1, Decimal("0.1")),
        (7, Decimal("7")),
        ("-4.5000", Decimal("-4.5")),
        (None, Decimal("0")),
        ("", Decimal("0")),
    ],
)
def test_parse_money(raw, expected):
    assert parse_money(raw) == expected


def test_parse_money_float_keeps_decimal_text():
    # 0.1 + 0.2 in binary float is 0.30000000000000004; from text it is exact.
    assert parse_money(0.1) + parse_money(0.2) == Decimal("0.3")


@pytest.mark.parametrize("raw", ["abc", True, "1,5"])
def test_parse_money_rejects_garbage(raw):
    with pytest.raises(ValueError):
        parse_money(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 20 Nov 2012 00:00:00 +0000", datetime(2012, 11, 20, tzinfo=UTC)),
        ("Thu, 20 Apr 2017 11:32:00 -0400", datetime(2017, 4, 20, 15, 32, tzinfo=UTC)),
        ("2017-04-20T11:32:00.000-04:00", datetime(2017, 4, 20, 15, 32, tzinfo=UTC)),
        ("2026-01-15T01:02:34Z", datetime(2026, 1, 15, 1, 2, 34, tzinfo=UTC)),
        ("2026-01-15T01:02:34", datetime(2026, 1, 15, 1, 2, 34, tzinfo=UTC)),
        (1561482670, datetime(2019, 6, 25, 17, 11, 10, tzinfo=UTC)),
        ("1561482670", datetime(2019, 6, 25, 17, 11, 10, tzinfo=UTC)),
    ],
)
def test_parse_datetime_to_utc(raw, expected):
    parsed = parse_datetime(raw)
    assert parsed == expected
    assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("raw", [None, "", 0, "0"])
def test_parse_datetime_unset(raw):
    assert parse_datetime(raw) is None


def test_parse_datetime_rejects_garbage():
    with pytest.raises(ValueError):
        parse_datetime("yesterday-ish")


def test_filter_formats_round_trip():
    moment = datetime(2026, 3, 1, 8, 30, 5, tzinfo=UTC)
    assert format_rfc2822(moment) == "Sun, 01 Mar 2026 08:30:05 +0000"
    assert format_iso8601(moment) == "2026-03-01T08:30:05+00:00"
    assert parse_datetime(format_rfc2822(moment)) == moment
    assert parse_datetime(format_iso8601(moment)) == moment
