"""Timestamps as the cache files hold them: ISO 8601 text, kept verbatim.

The wizard writes times as text (``2026-04-17T14:32:00Z``, or Python's
``+00:00`` form), and other tools compare that text. The pack therefore keeps
every timestamp as the string it read, so a rewrite never changes its bytes,
and only checks that it is a date-time. Comparisons (has an override
expired?) parse it here; a time without an offset is read as UTC, as the
wizard itself reads it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import manifestkit as mk

__all__ = ["check_timestamp", "format_timestamp", "parse_timestamp"]

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?\Z",
    re.ASCII,
)
_EXAMPLE = "2026-05-14T10:00:00Z"


def parse_timestamp(text: str) -> datetime:
    """Read a timestamp of a cache file as a timezone-aware datetime.

    A value without an offset is taken as UTC; fractional digits past the
    sixth (microseconds) are ignored.

    Raises:
        ValidationError: ``text`` is not an ISO 8601 date-time (it is a
            ``ValueError`` too).

    >>> parse_timestamp("2026-04-17T14:32:00Z").isoformat()
    '2026-04-17T14:32:00+00:00'
    """
    m = _TIMESTAMP.match(text) if type(text) is str else None
    if m is None:
        raise _invalid(text, "is not an ISO 8601 date-time")
    year, month, day, hour, minute, second, frac, zulu, sign, oh, om = m.groups()
    tz = timezone.utc
    if zulu is None and sign is not None:
        offset = timedelta(hours=int(oh), minutes=int(om))
        if offset >= timedelta(days=1) or int(om) > 59:
            raise _invalid(text, "has an out-of-range offset")
        tz = timezone(-offset if sign == "-" else offset)
    micro = int(frac[:6].ljust(6, "0")) if frac else 0
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
        )
    except ValueError as exc:  # "day is out of range for month", "hour must be in 0..23"
        raise _invalid(text, f"is not a date-time: {exc}") from None


def _invalid(text: object, why: str) -> mk.ValidationError:
    shown = _shown(text) if type(text) is str else f"a value of type {type(text).__name__}"
    return mk.ValidationError([("", f"{shown} {why}")], title="invalid timestamp")


def _shown(text: str) -> str:
    return json.dumps(text if len(text) <= 40 else text[:37] + "...", ensure_ascii=False)


def check_timestamp(value: str | None) -> str | None:
    """A field check: None if ``value`` is a date-time (or absent), else the problem."""
    if value is None:
        return None
    try:
        parse_timestamp(value)
    except ValueError:
        return f'expected an ISO 8601 date-time such as "{_EXAMPLE}", found {_shown(value)}'
    return None


def format_timestamp(moment: datetime | None = None) -> str:
    """Write a datetime the way the wizard does: ISO 8601, ``Z`` for UTC.

    Args:
        moment: The time to write; the current UTC time if omitted. A naive
            value is written without an offset (readers take it as UTC).

    >>> format_timestamp(datetime(2026, 4, 17, 14, 32, tzinfo=timezone.utc))
    '2026-04-17T14:32:00Z'
    """
    if moment is None:
        moment = datetime.now(timezone.utc)
    if not isinstance(moment, datetime):
        raise mk.ValidationError(
            [("", f"expected a datetime, found a value of type {type(moment).__name__}")],
            title="invalid timestamp",
        )
    text = moment.isoformat()
    offset = moment.utcoffset()
    if offset is not None and not offset:
        text = text[: -len("+00:00")] + "Z"
    return text
