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
TEXT = st.text(st.characters(codec="utf-8"), max_size=20)
KEYS = st.text(st.characters(codec="utf-8"), max_size=8)

JSON_SCALARS = st.none() | st.booleans() | INT64 | FINITE_FLOATS | TEXT


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """JSON values as plain Python data: what a free-form field may hold."""
    return st.recursive(
        JSON_SCALARS,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4)
        ),
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


# ---------------------------------------------------------------- test models
# Strategies for the manifest classes in tests/models.py.

from models import (  # noqa: E402 - the models module lives beside the tests
    Cache,
    Color,
    External,
    Inner,
    Kitchen,
    Level,
    Open,
    Small,
    Synthetic,
)

FLOATS_FOR_FIELDS = FINITE_FLOATS | st.integers(-(2**53), 2**53).map(float)


def inners() -> st.SearchStrategy[Inner]:
    return st.builds(
        Inner,
        label=TEXT,
        weight=FLOATS_FOR_FIELDS,
        when=st.none() | rfc3339_datetimes(),
    )


def opens() -> st.SearchStrategy[Open]:
    return st.builds(Open, name=TEXT, items=st.lists(inners(), max_size=2))


def kitchens(free: st.SearchStrategy[dict[str, Any]] | None = None) -> st.SearchStrategy[Kitchen]:
    """Kitchen documents; ``free`` overrides the free-form field's strategy."""
    return st.builds(
        Kitchen,
        name=TEXT,
        count=INT64,
        ratio=FLOATS_FOR_FIELDS,
        flag=st.booleans(),
        started=rfc3339_datetimes(),
        day=DATES,
        ident=st.uuids(),
        path=st.from_regex(r"[a-z0-9_]{1,8}(/[a-z0-9_.]{1,8}){0,3}", fullmatch=True).map(
            __import__("pathlib").PurePosixPath
        ),
        color=st.sampled_from(Color),
        level=st.sampled_from(Level),
        mode=st.sampled_from(["a", "b"]),
        pair=st.tuples(TEXT, INT64),
        seq=st.lists(FLOATS_FOR_FIELDS, max_size=3).map(tuple),
        inners=st.lists(inners(), max_size=3),
        table=st.dictionaries(KEYS, inners(), max_size=2),
        free=free if free is not None else json_objects(),
        provenance=st.builds(Synthetic, kind=st.just("synthetic"), seed=INT64)
        | st.builds(
            External, kind=st.just("external"), hashes=st.dictionaries(KEYS, TEXT, max_size=2)
        ),
        anything=json_values(6),
        maybe=st.none() | inners(),
        either=INT64 | TEXT,
        opened=st.none() | opens(),
        notes=st.none() | TEXT,
        tags=st.lists(TEXT, max_size=3),
        marker=INT64,
    )


def smalls() -> st.SearchStrategy[Small]:
    return st.builds(Small, title=TEXT, size=INT64)


def caches() -> st.SearchStrategy[Cache]:
    return st.builds(
        Cache, owner=TEXT, entries=st.lists(opens(), max_size=2), meta=st.none() | opens()
    )
