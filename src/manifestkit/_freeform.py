"""Free-form values (``Any`` fields, ``dict[str, Any]`` bags) on the fast structuring paths.

The slow path checks a free-form value with `_values.json_value`, which
builds each element's path as it goes so it can report every problem. The
fast paths only need a yes or no, so they walk values here instead, and raise
`Slow` at the first problem; the slow path then says what and where.

- *Trusted* values (what orjson just parsed: only JSON values) are checked,
  not copied: depth, entries per array or object, floats of 2**63 or more
  (possibly an integer literal orjson could not hold exactly) and, in
  documents longer than ``max_string`` bytes, string and key lengths.
- *Untrusted* values (a user's dicts, TOML) are checked in full, exactly as
  `json_value` checks them, and copied.

Depth counts as on the slow path: an ``Any`` value may nest ``max_depth``
containers, and so may each value of a bag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ._codegen import SLOW
from ._errors import check_str
from ._rfc3339 import check_datetime
from ._values import INT_MAX, INT_MIN, Limits

__all__ = ["trusted_checks", "trusted_walk", "untrusted_copies"]

Walk = Callable[[Any], Any]
_BIG = 2.0**63
_NBIG = -_BIG


def trusted_walk(limits: Limits) -> Callable[[Any, int], None]:
    """The walk of a trusted container that may nest ``left`` more levels (strings unmeasured).

    It returns None or raises `Slow`. The generated fast functions call it for the
    containers inside a bag, whose first level they check inline.
    """
    most = limits.max_items

    def nested(value: Any, left: int) -> None:
        if left <= 0 or len(value) > most:
            raise SLOW
        for x in value.values() if type(value) is dict else value:
            c = type(x)  # most values are strings: they go first (10% faster)
            if c is str:
                continue
            if c is float:
                if x >= _BIG or x <= _NBIG:
                    raise SLOW
            elif c is dict or c is list:
                nested(x, left - 1)

    return nested


def trusted_checks(limits: Limits, *, measured: bool) -> tuple[Walk, Walk]:
    """Checks of a trusted value and of a trusted bag; both return None or raise `Slow`."""
    most = limits.max_items
    longest = limits.max_string
    nested = trusted_walk(limits)

    def measure(value: Any, left: int) -> None:
        if left <= 0 or len(value) > most:
            raise SLOW
        if type(value) is dict:
            for key in value:
                if len(key) > longest:
                    raise SLOW
            value = value.values()
        for x in value:
            c = type(x)
            if c is str:
                if len(x) > longest:
                    raise SLOW
            elif c is dict or c is list:
                measure(x, left - 1)
            elif c is float and (x >= _BIG or x <= _NBIG):
                raise SLOW

    walk = measure if measured else nested
    limit = limits.max_depth

    def one(value: Any) -> None:
        c = type(value)
        if c is dict or c is list:
            walk(value, limit)
        elif (c is float and (value >= _BIG or value <= _NBIG)) or (
            measured and c is str and len(value) > longest
        ):
            raise SLOW

    def bag(value: dict[str, Any]) -> None:
        walk(value, limit + 1)

    return one, bag


def untrusted_copies(limits: Limits, *, preserved: bool) -> tuple[Walk, Walk]:
    """Copies of an untrusted value and of an untrusted bag, checked as `json_value` checks.

    ``preserved`` also accepts the date-times and dates TOML holds natively (for a
    newer writer's unknown fields).
    """
    most = limits.max_items
    longest = limits.max_string

    def copy(v: Any, left: int) -> Any:
        c = type(v)
        if c is str:
            if len(v) > longest or (not v.isascii() and check_str(v)):
                raise SLOW
            return v
        if c is int:
            if v < INT_MIN or v > INT_MAX:
                raise SLOW
            return v
        if c is float:
            if v - v != 0.0:  # inf or nan
                raise SLOW
            return v
        if c is bool or v is None:
            return v
        if c is dict:
            if left <= 0 or len(v) > most:
                raise SLOW
            out = {}
            for k, x in v.items():
                if type(k) is not str or len(k) > longest or (not k.isascii() and check_str(k)):
                    raise SLOW
                out[k] = copy(x, left - 1)
            return out
        if c is list:
            if left <= 0 or len(v) > most:
                raise SLOW
            return [copy(x, left - 1) for x in v]
        if preserved and (c is date or (c is datetime and check_datetime(v) is None)):
            return v
        raise SLOW

    limit = limits.max_depth

    def one(value: Any) -> Any:
        return copy(value, limit)

    def bag(value: Any) -> Any:
        if type(value) is not dict:
            raise SLOW
        return copy(value, limit + 1)

    return one, bag
