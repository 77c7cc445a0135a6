"""The one home of Hypothesis strategies: core strategies here, one module per schema pack."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
FINITE_FLOATS = st.floats(allow_nan=False, allow_infinity=False)

# Text that UTF-8 can encode (no lone surrogates), including controls and
# characters outside the Basic Multilingual Plane.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
KEYS = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)

JSON_SCALARS = st.none() | st.booleans() | INT64 | FINITE_FLOATS | TEXT


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """JSON values as plain Python data: what a free-form field may hold."""
    return st.recursive(
        JSON_SCALARS,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
        max_leaves=max_leaves,
    )


def json_objects(max_leaves: int = 20) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects (dicts with string keys)."""
    return st.dictionaries(KEYS, json_values(max_leaves), max_size=5)


OFFSETS = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda m: timezone(timedelta(minutes=m))
)


@st.composite
def rfc3339_datetimes(draw: st.DrawFn) -> datetime:
    """Datetimes RFC 3339 can write: naive, UTC, or a whole-minute offset."""
    naive = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    tz = draw(st.none() | st.just(timezone.utc) | OFFSETS)
    return naive.replace(tzinfo=tz)


DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def is_finite_json(v: Any) -> bool:
    """Whether plain data holds only finite floats (a guard for hand-built data)."""
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, list):
        return all(is_finite_json(x) for x in v)
    if isinstance(v, dict):
        return all(is_finite_json(x) for x in v.values())
    return True
