"""Checks run when a manifest instance is built in Python (and by attrs.evolve).

Structuring a document checks plain wire values; this module checks values a
Python caller passes to a constructor, so an instance can never hold what its
document could not: a bad type is refused here, with every problem reported
at once, and the few conversions a reader would expect are applied (an int
given to a float field becomes a float, a list given to a tuple field becomes
a tuple, a free-form dict is copied so the caller's object is not shared).
The checked path of reading has checked every value before cattrs calls the
constructor, so there only the class check runs again (see `trusting`).
"""

from __future__ import annotations

import pathlib
import threading
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from ._errors import describe, index_segment, key_problem, key_segment
from ._model import _UNKNOWN, NO_UNKNOWN, get_plan
from ._rfc3339 import check_datetime
from ._types import Kind, TypeNode
from ._values import (
    Limits,
    Problems,
    capped,
    json_value,
    nested_errors,
    python_fits,
    to_bool,
    to_enum,
    to_float,
    to_instance,
    to_int,
    to_literal,
    to_str,
    writing_limits,
)

__all__ = ["check_instance", "class_check", "run_field_check", "trusting", "typed_value"]

_LIMITS = writing_limits(Limits())
T = TypeVar("T")


_TRUST = threading.local()
"""``on`` while the checked path of reading builds instances (see `trusting`)."""


def trusting(fn: Callable[..., T], *args: Any, on: bool) -> T:
    """``fn(*args)``, with constructors trusting the values they are given (``on``) or not.

    The checked path of reading runs with trust on: its hooks have checked every
    value, field checks included, before cattrs builds an instance, so the
    constructor runs only the class check (``__manifest_check__``). User code it
    runs (field and class checks) runs with trust off: an instance it builds is
    checked like any other. Elsewhere trust is off already, so `run_field_check`,
    on the fast path, pays nothing for it.
    """
    was = getattr(_TRUST, "on", False)
    _TRUST.on = on
    try:
        return fn(*args)
    finally:
        _TRUST.on = was


def check_instance(obj: Any) -> list[tuple[str, str]]:
    """Check every field of a freshly built instance; fix up what may be converted."""
    if getattr(_TRUST, "on", False):
        return class_check(obj)
    plan = get_plan(type(obj))
    errors: list[tuple[str, str]] = []
    setattr_ = object.__setattr__
    for f in plan.fields:
        v = getattr(obj, f.name)
        try:
            nv = typed_value(v, f.node, _LIMITS)
        except Problems as p:
            seg = key_segment(f.key)
            errors.extend(nested_errors(seg, p))
            continue
        if nv is not v:
            setattr_(obj, f.name, nv)
        if f.check is not None:
            message = run_field_check(f.check, nv)
            if message:
                errors.append((f.key, message))
    unknown = getattr(obj, _UNKNOWN)
    if unknown is not NO_UNKNOWN:
        kept = _check_unknown(unknown, plan.keys, errors)
        setattr_(obj, _UNKNOWN, kept)
    if not errors:
        errors.extend(class_check(obj))
    return capped(errors, _LIMITS.max_errors)


def class_check(obj: Any) -> list[tuple[str, str]]:
    """The problems the class's ``__manifest_check__`` finds in ``obj`` (none if it has none)."""
    extra = getattr(type(obj), "__manifest_check__", None)
    if extra is None:
        return []
    return capped(trusting(lambda: list(extra(obj)), on=False), _LIMITS.max_errors)


def run_field_check(check: Any, value: Any) -> str | None:
    """Run a field's ``check=`` callable; a ValueError it raises becomes its message."""
    try:
        result = check(value)
    except ValueError as exc:
        return str(exc)
    return result if isinstance(result, str) and result else None


def _check_unknown(unknown: Any, known: frozenset[str], errors: list[tuple[str, str]]) -> Any:
    if not isinstance(unknown, dict):
        errors.append((_UNKNOWN, f"expected a dict of preserved fields, found {describe(unknown)}"))
        return NO_UNKNOWN
    errors.extend(
        (str(k), "is a declared field, so it cannot also be preserved as unknown")
        for k in unknown
        if k in known
    )
    try:
        return json_value(unknown, _LIMITS, preserved=True) or NO_UNKNOWN
    except Problems as p:
        errors.extend(p.errors)
        return NO_UNKNOWN


def typed_value(v: Any, node: TypeNode, limits: Limits) -> Any:
    """Check a Python value against a node; return it, or a converted copy."""
    k = node.kind
    if k is Kind.STR:
        return to_str(v)
    if k is Kind.INT:
        return to_int(v)
    if k is Kind.FLOAT:
        return to_float(v)
    if k is Kind.BOOL:
        return to_bool(v)
    if k is Kind.CLASS:
        return to_instance(v, node.target)
    if k is Kind.OPTIONAL:
        return None if v is None else typed_value(v, node.args[0], limits)
    if k is Kind.LIST:
        if type(v) is not list:
            raise Problems.one(f"expected a list, found {describe(v)}")
        return _items(v, node.args[0], limits, list)
    if k is Kind.DICT:
        return _dict(v, node.args[0], limits)
    if k is Kind.ANY:
        return json_value(v, limits)
    if k is Kind.DATETIME:
        if type(v) is not datetime:
            raise Problems.one(f"expected a datetime, found {describe(v)}")
        why = check_datetime(v)
        if why:
            raise Problems.one(f"date-time {why}")
        return v
    if k is Kind.DATE:
        if type(v) is not date:
            raise Problems.one(f"expected a date, found {describe(v)}")
        return v
    if k is Kind.UUID:
        if not isinstance(v, uuid.UUID):
            raise Problems.one(f"expected a UUID, found {describe(v)}")
        return v
    if k is Kind.PATH:
        if not isinstance(v, pathlib.PurePath):
            raise Problems.one(f"expected a path, found {describe(v)}")
        return v if type(v) is node.target else node.target(v)
    if k is Kind.ENUM:
        return to_enum(v, node.target)
    if k is Kind.LITERAL:
        return to_literal(v, node.target)
    if k in (Kind.TUPLE, Kind.VARTUPLE):
        return _tuple(v, node, limits)
    if k is Kind.UNION:
        return _union(v, node, limits)
    raise AssertionError(k)  # pragma: no cover - every Kind is handled above


def _items(v: Any, item: TypeNode, limits: Limits, make: type) -> Any:
    out = []
    errors: list[tuple[str, str]] = []
    changed = False
    for i, x in enumerate(v):
        try:
            y = typed_value(x, item, limits)
        except Problems as p:
            seg = index_segment(i)
            errors.extend(nested_errors(seg, p))
            if len(errors) > limits.max_errors:
                break
            continue
        changed = changed or y is not x
        out.append(y)
    if errors:
        raise Problems(errors)
    if make is list:
        return out if changed else v
    return make(out)


def _tuple(v: Any, node: TypeNode, limits: Limits) -> tuple[Any, ...]:
    if type(v) not in (tuple, list):
        raise Problems.one(f"expected a tuple, found {describe(v)}")
    if node.kind is Kind.VARTUPLE:
        result: tuple[Any, ...] = _items(v, node.args[0], limits, tuple)
        return result
    if len(v) != len(node.args):
        raise Problems.one(f"expected {len(node.args)} items, found {len(v)}")
    out = []
    errors: list[tuple[str, str]] = []
    for i, (x, item) in enumerate(zip(v, node.args, strict=True)):
        try:
            out.append(typed_value(x, item, limits))
        except Problems as p:
            errors.extend(nested_errors(index_segment(i), p))
    if errors:
        raise Problems(errors)
    return tuple(out)


def _dict(v: Any, item: TypeNode, limits: Limits) -> dict[str, Any]:
    if type(v) is not dict:
        raise Problems.one(f"expected a dict, found {describe(v)}")
    out = {}
    errors: list[tuple[str, str]] = []
    for key, x in v.items():
        if len(errors) > limits.max_errors:
            break
        problem = key_problem(key)
        if problem is not None:
            errors.append(problem)
            continue
        try:
            out[key] = typed_value(x, item, limits)
        except Problems as p:
            seg = key_segment(key)
            errors.extend(nested_errors(seg, p))
    if errors:
        raise Problems(errors)
    return out


def _union(v: Any, node: TypeNode, limits: Limits) -> Any:
    for member in node.args:
        if member.kind is Kind.CLASS:
            if isinstance(v, member.target):
                return v
            continue
        if python_fits(v, member):
            return typed_value(v, member, limits)
    if type(v) is int:  # an int given where the union only takes floats
        for member in node.args:
            if member.kind is Kind.FLOAT:
                return to_float(v)
    names = " or ".join(_name(m) for m in node.args)
    raise Problems.one(f"expected {names}, found {describe(v)}")


def _name(node: TypeNode) -> str:
    if node.kind is Kind.CLASS:
        return f"an instance of {node.target.__name__}"
    return {
        Kind.STR: "a string",
        Kind.INT: "an integer",
        Kind.FLOAT: "a number",
        Kind.BOOL: "a boolean",
        Kind.LIST: "a list",
        Kind.DICT: "a dict",
    }.get(node.kind, f"a {node.kind.value}")
