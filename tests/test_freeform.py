"""The fast paths' free-form walks say yes exactly when `json_value` does."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manifestkit._codegen import Slow
from manifestkit._freeform import trusted_checks, untrusted_copies
from manifestkit._values import Limits, Problems, json_value
from strategies import KEYS, json_values

LIMITS = [Limits(), Limits(max_depth=3, max_string=8, max_items=2)]

# Everything json_value refuses, and what only a preserved (TOML) value may be.
ODD_SCALARS = st.sampled_from(
    [
        math.nan,
        math.inf,
        -math.inf,
        2**64,
        -(2**63) - 1,
        "lone \ud800 surrogate",
        b"bytes",
        (1, 2),
        {1, 2},
        date(2026, 5, 14),
        datetime(2026, 5, 14, 10, 0),
        datetime(2026, 5, 14, 10, 0, tzinfo=timezone(timedelta(seconds=30))),
        object(),
    ]
)


def _odd_values() -> st.SearchStrategy[Any]:
    leaves = json_values(5) | ODD_SCALARS
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(KEYS | st.sampled_from([1, "\udfff", "k" * 9]), children, max_size=3)
        ),
        max_leaves=12,
    )


def _slow(value: Any, limits: Limits, *, preserved: bool) -> Any:
    try:
        return json_value(value, limits, preserved=preserved)
    except Problems:
        return Slow


def _fast(walk: Any, value: Any) -> Any:
    try:
        return walk(value)
    except Slow:
        return Slow


def _containers(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [value, *(c for x in value for c in _containers(x))]
    if isinstance(value, dict):
        return [value, *(c for x in value.values() for c in _containers(x))]
    return []


@pytest.mark.parametrize("limits", LIMITS)
@pytest.mark.parametrize("preserved", [False, True])
@given(value=_odd_values())
def test_an_untrusted_copy_agrees_with_json_value(
    limits: Limits, preserved: bool, value: Any
) -> None:
    one, _ = untrusted_copies(limits, preserved=preserved)
    fast = _fast(one, value)
    assert fast == _slow(value, limits, preserved=preserved)
    if fast is not Slow:
        # A copy: the caller's containers are never shared with the instance.
        mine = {id(c) for c in _containers(value)}
        assert not any(id(c) in mine for c in _containers(fast))


@pytest.mark.parametrize("limits", LIMITS)
@given(bag=st.dictionaries(KEYS, _odd_values(), max_size=3))
def test_an_untrusted_bag_gives_each_value_the_whole_depth(limits: Limits, bag: Any) -> None:
    _, copy_bag = untrusted_copies(limits, preserved=False)
    fast = _fast(copy_bag, bag)
    values = {k: _slow(v, limits, preserved=False) for k, v in bag.items()}
    refused = (
        len(bag) > limits.max_items
        or any(len(k) > limits.max_string for k in bag)
        or Slow in values.values()
    )
    expected = Slow if refused else values
    assert fast == expected


def _has_big_float(value: Any) -> bool:
    if isinstance(value, float):
        return abs(value) >= 2.0**63
    return any(_has_big_float(x) for x in _children(value))


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value.values()]
    return value if isinstance(value, list) else []


@pytest.mark.parametrize("limits", LIMITS)
@given(value=json_values(12))
def test_a_trusted_check_agrees_with_json_value_on_what_orjson_makes(
    limits: Limits, value: Any
) -> None:
    parsed = orjson.loads(orjson.dumps(value))
    # Strings and keys are measured only in documents longer than max_string bytes.
    unmeasured = Limits(max_depth=limits.max_depth, max_items=limits.max_items)
    for measured, slow_limits in ((True, limits), (False, unmeasured)):
        one, bag = trusted_checks(slow_limits, measured=measured)
        refused = _slow(parsed, slow_limits, preserved=False) is Slow or _has_big_float(parsed)
        assert (_fast(one, parsed) is Slow) == refused
        if isinstance(parsed, dict) and len(parsed) <= limits.max_items:
            refused_bag = (measured and any(len(k) > limits.max_string for k in parsed)) or any(
                _slow(v, slow_limits, preserved=False) is Slow or _has_big_float(v)
                for v in parsed.values()
            )
            assert (_fast(bag, parsed) is Slow) == refused_bag


def test_a_bag_value_may_nest_as_deep_as_any_free_form_value() -> None:
    limits = Limits(max_depth=2)
    deep_enough = {"a": [[1]]}  # the bag, then two levels in its value
    too_deep = {"a": [[[1]]]}
    for walk in (
        trusted_checks(limits, measured=False)[1],
        untrusted_copies(limits, preserved=False)[1],
    ):
        assert _fast(walk, deep_enough) is not Slow
        assert _fast(walk, too_deep) is Slow
