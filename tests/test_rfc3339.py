"""Strict RFC 3339 parsing, the same on every supported Python."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manifestkit._rfc3339 import (
    ORJSON_DATETIME,
    by_hand,
    check_datetime,
    parse_date,
    parse_datetime,
)
from strategies import rfc3339_datetimes

UTC = timezone.utc


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026-05-14T10:00:00Z", datetime(2026, 5, 14, 10, tzinfo=UTC)),
        ("2026-05-14t10:00:00z", datetime(2026, 5, 14, 10, tzinfo=UTC)),
        ("2026-05-14 10:00:00+00:00", datetime(2026, 5, 14, 10, tzinfo=UTC)),
        (
            "2026-05-14T10:00:00.5-05:30",
            datetime(2026, 5, 14, 10, 0, 0, 500000, timezone(-timedelta(hours=5, minutes=30))),
        ),
        ("2026-05-14T10:00:00.123456", datetime(2026, 5, 14, 10, 0, 0, 123456)),
        ("0001-01-01T00:00:00", datetime(1, 1, 1)),
    ],
)
def test_parses(text: str, value: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == value
    assert parsed.tzinfo == value.tzinfo
    assert parsed.utcoffset() == value.utcoffset()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-05-14", "is not in the form 2026-05-14T10:00:00Z"),
        ("20260514T100000Z", "is not in the form 2026-05-14T10:00:00Z"),
        ("2026-05-14T10:00Z", "is not in the form 2026-05-14T10:00:00Z"),
        ("2026-05-14T10:00:00.1234567Z", "has 7 fractional digits; at most 6 are supported"),
        ("2026-05-14T23:59:60Z", "is a leap second (:60), which cannot be represented"),
        ("2026-05-14T10:00:00+24:00", "has an out-of-range offset +24:00"),
        ("2026-02-30T10:00:00Z", "is not a valid date-time (day is out of range for month)"),
        ("2026-05-14T10:00:00Z ", "is not in the form 2026-05-14T10:00:00Z"),
        ("２０２６-05-14T10:00:00Z", "is not in the form 2026-05-14T10:00:00Z"),
    ],
)
def test_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_datetime(text)
    assert str(info.value) == reason


def test_dates() -> None:
    assert parse_date("2026-05-14") == date(2026, 5, 14)
    for bad, reason in [
        ("2026-5-14", "is not in the form 2026-05-14"),
        ("2026-13-01", "is not a valid date (month must be in 1..12)"),
    ]:
        with pytest.raises(ValueError) as info:
            parse_date(bad)
        assert str(info.value) == reason


def test_offsets_must_be_whole_minutes() -> None:
    odd = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5, seconds=30)))
    assert (
        check_datetime(odd) == "has a UTC offset of 5:00:30, which is not a whole number of minutes"
    )
    assert check_datetime(datetime(2026, 1, 1)) is None


@given(rfc3339_datetimes())
def test_what_orjson_writes_parses_back_exactly(value: datetime) -> None:
    text = orjson.loads(orjson.dumps(value, option=ORJSON_DATETIME))
    back = parse_datetime(text)
    assert back == value
    assert back.utcoffset() == value.utcoffset()
    assert (back.tzinfo is None) == (value.tzinfo is None)
    if value.utcoffset() == timedelta(0):
        assert text.endswith("Z")


def _pieces(*choices: str) -> st.SearchStrategy[str]:
    return st.sampled_from(choices)


# Date-time texts near every edge the shortcut through datetime.fromisoformat must
# agree on: years 0 and 9999, invalid months and days, hour 24, minute and second
# 60, fractions of 0 to 7 digits, offsets in and out of range, -00:00, lower case.
EDGY_DATETIMES = st.tuples(
    _pieces("2026", "0001", "9999", "0000", "2024", "1900"),
    _pieces("01", "02", "12", "13", "00"),
    _pieces("01", "28", "29", "30", "31", "00", "32"),
    _pieces("T", "t", " "),
    _pieces("00", "23", "24", "12"),
    _pieces("00", "59", "60"),
    _pieces("00", "59", "60"),
    _pieces("", ".1", ".12", ".123", ".1234", ".12345", ".123456", ".1234567", "."),
    _pieces("", "Z", "z", "+00:00", "-00:00", "+05:30", "-23:59", "+24:00", "+05:60", "+0530"),
).map(lambda p: f"{p[0]}-{p[1]}-{p[2]}{p[3]}{p[4]}:{p[5]}:{p[6]}{p[7]}{p[8]}")


def _outcome(parse: Callable[[str], datetime], text: str) -> object:
    try:
        value = parse(text)
    except ValueError as exc:
        return str(exc)
    return (value, value.tzinfo, value.utcoffset(), value.isoformat())


@given(EDGY_DATETIMES)
def test_the_shortcut_reads_every_text_as_the_full_parser_does(text: str) -> None:
    assert _outcome(parse_datetime, text) == _outcome(by_hand, text)
