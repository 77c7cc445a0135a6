"""The exact wire form: unstructuring that names every bad value by its path.

The generated writers (`_fast_out`) make the wire form in the common case;
they give up on anything unusual, and this code, which tracks paths, makes it
instead or reports every value that cannot be written, each with its path.
`to_dict(include_defaults=True)` and JSON Schema's defaults use it too.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import attrs

from ._errors import index_segment, key_problems, key_segment
from ._model import _UNKNOWN, NO_UNKNOWN, get_plan
from ._types import Kind, TypeNode
from ._values import (
    Limits,
    Problems,
    json_value,
    nested_errors,
    same,
    to_instance,
    union_member,
)

__all__ = ["unstructure_exact", "wire_value"]

_NOTHING = attrs.NOTHING


def _item_errors(
    items: Any,
    segment: Callable[[Any], str],
    node: TypeNode,
    include_defaults: bool,
    limits: Limits,
) -> Problems:
    # The rare path: find which items failed, so each error names its item.
    errors: list[tuple[str, str]] = []
    for key, x in items:
        try:
            wire_value(x, node, include_defaults, limits)
        except Problems as p:
            errors.extend(nested_errors(segment(key), p))
    return Problems(errors)


def unstructure_exact(obj: Any, include_defaults: bool, limits: Limits) -> dict[str, Any]:
    plan = get_plan(type(obj))
    out: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for f in plan.fields:
        v = getattr(obj, f.name)
        if (
            not include_defaults
            and not f.always
            and f.default is not _NOTHING
            and same(v, f.default)
        ):
            continue
        try:
            out[f.key] = wire_value(v, f.node, include_defaults, limits)
        except Problems as p:
            errors.extend(nested_errors(key_segment(f.key), p))
    unknown = getattr(obj, _UNKNOWN)
    if unknown is not NO_UNKNOWN:
        for key, v in unknown.items():
            try:
                out[key] = json_value(v, limits, preserved=True)
            except Problems as p:
                errors.extend(nested_errors(key_segment(key), p))
    if errors:
        raise Problems(errors)
    return out


def wire_value(v: Any, node: TypeNode, include_defaults: bool, limits: Limits) -> Any:
    k = node.kind
    if k in (Kind.STR, Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.DATETIME, Kind.DATE, Kind.LITERAL):
        return v
    if k is Kind.CLASS:  # checked: a list of instances may have been changed in place
        return unstructure_exact(to_instance(v, node.target), include_defaults, limits)
    if k is Kind.OPTIONAL:
        return None if v is None else wire_value(v, node.args[0], include_defaults, limits)
    if k in (Kind.LIST, Kind.VARTUPLE):
        item = node.args[0]
        try:
            return [wire_value(x, item, include_defaults, limits) for x in v]
        except Problems:
            raise _item_errors(
                enumerate(v), index_segment, item, include_defaults, limits
            ) from None
    if k is Kind.TUPLE:
        return [
            wire_value(x, n, include_defaults, limits) for x, n in zip(v, node.args, strict=True)
        ]
    if k is Kind.DICT:  # checked: its keys may have been changed in place
        item = node.args[0]
        bad = key_problems(v)
        if not bad:
            try:
                return {key: wire_value(x, item, include_defaults, limits) for key, x in v.items()}
            except Problems:
                pass
        valid = ((key, x) for key, x in v.items() if type(key) is str)
        found = _item_errors(valid, key_segment, item, include_defaults, limits)
        raise Problems(bad + found.errors)
    if k is Kind.ANY:
        return json_value(v, limits)
    if k is Kind.ENUM:
        return v.value
    if k is Kind.UUID:
        return str(v)
    if k is Kind.PATH:
        return pathlib.PurePath(v).as_posix()
    if k is Kind.UNION:
        return wire_value(v, union_member(v, node), include_defaults, limits)
    raise AssertionError(k)  # pragma: no cover
