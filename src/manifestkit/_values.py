"""Wire values to Python values, one rule per kind, and free-form JSON values.

Each ``to_*`` function takes a plain value (from JSON, TOML or a user's dict)
and returns the Python value a manifest stores, or raises `Problems` with a
message that says what was expected and what was found. Nothing is coerced
that a reader would not expect: a string field refuses ``12345``, a boolean
refuses ``"yes"``, an integer refuses ``1.5`` and ``True``; a float field
accepts an integer it can hold exactly and stores it as a float.
"""

from __future__ import annotations

import enum
import math
import pathlib
import re
import sys
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import attrs

from ._errors import (
    ValidationError,
    check_str,
    describe,
    index_segment,
    join_path,
    key_problem,
    key_segment,
)
from ._rfc3339 import check_datetime, parse_date, parse_datetime
from ._types import Kind, TypeNode, type_name

__all__ = [
    "DEFAULT_LIMITS",
    "INT_MAX",
    "INT_MIN",
    "UNBOUNDED",
    "Limits",
    "Problems",
    "capped",
    "checked_limits",
    "json_value",
    "key_too_long",
    "python_fits",
    "same",
    "to_bool",
    "to_date",
    "to_datetime",
    "to_enum",
    "to_float",
    "to_instance",
    "to_int",
    "to_literal",
    "to_path",
    "to_str",
    "to_uuid",
    "too_long",
    "too_many",
    "union_member",
    "writing_limits",
]

INT_MIN = -(2**63)
INT_MAX = 2**64 - 1
"""Integers on the wire are those orjson reads and writes exactly: signed or unsigned
64-bit. TOML holds only signed 64-bit integers, so its writer refuses the rest,
naming the field."""


@attrs.frozen
class Limits:
    """Bounds that keep hostile or broken input from exhausting memory or the stack.

    Each is an integer of at least 0 (`ValidationError` otherwise). They bound
    what is *read*: `loads`, `read` and `from_dict` (and a
    `Converter` made with them) refuse a document past any of them with an
    error naming the limit. Building an instance in Python and writing it are
    not bounded by the size limits (only by ``max_depth`` of the defaults), so
    a reader of a document past the defaults passes larger limits.

    Attributes:
        max_bytes: Largest document read, in bytes (default 64 MiB). Checked
            before the document is parsed (for a file, before it is read).
        max_toml_bytes: Largest TOML document read (default 4 MiB). TOML's
            parser needs far more memory per byte than JSON's (up to about
            500 times a crafted document's size, against about 40 for JSON;
            see benchmarks/parser_memory.py), so TOML has its own, smaller bound.
        max_depth: Deepest nesting of arrays and objects inside free-form values
            and preserved unknown fields (default 100).
        max_string: Longest string, in characters, anywhere in a document:
            values, object keys, paths (default 8 Mi characters).
        max_items: Most items in one array, or keys in one object, anywhere
            in a document (default 1,000,000).
        max_errors: Most problems reported for one document or instance
            (default 1,000). Checking stops soon after, and the error's last
            entry says that more were not listed. (A 2 MB document of a million
            bad items took 7.6 s and 800 MB to refuse without it; 0.14 s and
            47 MB with it.)
    """

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 100
    max_string: int = 8 * 1024 * 1024
    max_items: int = 1_000_000
    max_toml_bytes: int = 4 * 1024 * 1024
    max_errors: int = 1000

    def __attrs_post_init__(self) -> None:
        # A bound of another type would fail deep inside a read, as a comparison
        # with a document's value; a negative one would refuse everything oddly.
        errors = [
            (a.name, f"expected an integer of at least 0, found {describe(v)}")
            for a in attrs.fields(Limits)
            if type(v := getattr(self, a.name)) is not int or v < 0
        ]
        if errors:
            raise ValidationError(errors, title="invalid Limits")


DEFAULT_LIMITS = Limits()


def checked_limits(limits: object) -> Limits:
    """``limits`` itself, or the defaults for None; anything else is refused by name."""
    if limits is None:
        return DEFAULT_LIMITS
    if type(limits) is not Limits:
        raise ValidationError(
            [("limits", f"expected a Limits, found a value of type {type(limits).__name__}")],
            title="invalid limits",
        )
    return limits


UNBOUNDED = sys.maxsize
"""A size bound that is never reached: the string and item bounds of building and writing."""


def capped(errors: list[tuple[str, str]], limit: int) -> list[tuple[str, str]]:
    """``errors``, or its first ``limit`` and a last entry saying that the rest were not listed.

    Checking stops once a container has more than ``limit`` problems, so a
    list longer than ``limit`` means there were more than the ones listed.
    """
    if len(errors) <= limit:
        return errors
    return [*errors[:limit], ("", f"more problems were not listed (the limit is {limit})")]


def writing_limits(limits: Limits) -> Limits:
    """The bounds that building an instance and writing it keep: ``limits``'s depth only.

    The string and item bounds are for reading: an instance read with larger
    limits than the defaults must still be buildable, writable and hashable.
    """
    return attrs.evolve(limits, max_string=UNBOUNDED, max_items=UNBOUNDED)


def too_long(v: str, limit: int) -> str:
    """The message for a string past ``max_string``."""
    return f"string is {len(v)} characters long; the limit is {limit}"


def key_too_long(k: str, limit: int) -> str:
    """The message for an object key past ``max_string`` (reported at the object's path)."""
    return f"an object key is {len(k)} characters long; the limit is {limit}"


def too_many(v: list[Any] | tuple[Any, ...] | dict[Any, Any], limit: int) -> str:
    """The message for an array or object past ``max_items``."""
    if type(v) is dict:
        return f"object has {len(v)} keys; the limit is {limit}"
    return f"array has {len(v)} items; the limit is {limit}"


class Problems(Exception):
    """Internal: one or more ``(relative path, message)`` problems found while converting."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        """Carry the problems up to the function that reports them."""
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def one(cls, message: str, path: str = "") -> Problems:
        """A single problem at ``path``."""
        return cls([(path, message)])


def errors_of(exc: BaseException) -> list[tuple[str, str]]:
    """The ``(path, message)`` problems an exception carries (one, for a foreign one)."""
    if isinstance(exc, (Problems, ValidationError)):
        return exc.errors
    return [("", f"invalid value ({type(exc).__name__}: {exc})")]


def nested_errors(segment: str, exc: BaseException) -> list[tuple[str, str]]:
    """The problems ``exc`` carries, each path put under ``segment``."""
    return [(join_path(segment, path), msg) for path, msg in errors_of(exc)]


def to_str(v: Any, max_string: int = UNBOUNDED) -> str:
    """A string, exactly, of at most ``max_string`` characters."""
    if type(v) is str:
        if len(v) > max_string:
            raise Problems.one(too_long(v, max_string))
        why = check_str(v)
        if why:
            raise Problems.one(f"string {why}")
        return v
    raise Problems.one(f"expected a string, found {describe(v)}")


def to_instance(v: Any, cls: type, path: str = "") -> Any:
    """``v``, an instance of the manifest class ``cls`` (a problem at ``path`` otherwise)."""
    if isinstance(v, cls):
        return v
    raise Problems.one(f"expected an instance of {cls.__name__}, found {describe(v)}", path)


def to_int(v: Any) -> int:
    """An integer (not a bool, not a float), within 64 bits."""
    if type(v) is int:
        if INT_MIN <= v <= INT_MAX:
            return v
        raise Problems.one(f"expected an integer that fits in 64 bits, found {describe(v)}")
    raise Problems.one(f"expected an integer, found {describe(v)}")


def to_float(v: Any) -> float:
    """A finite float; an integer is accepted when a float holds it exactly."""
    if type(v) is float:
        if math.isfinite(v):
            return v
        raise Problems.one(f"expected a finite number, found {describe(v)}")
    if type(v) is int:
        try:
            f = float(v)
        except OverflowError:
            f = math.inf
        if f == v:
            return f
        raise Problems.one(
            f"expected a number, found {describe(v)}, which a float cannot hold exactly"
        )
    raise Problems.one(f"expected a number, found {describe(v)}")


def to_bool(v: Any) -> bool:
    """A boolean, exactly."""
    if type(v) is bool:
        return v
    raise Problems.one(f"expected a boolean, found {describe(v)}")


def to_datetime(v: Any) -> datetime:
    """An RFC 3339 date-time string, or a datetime (TOML has them natively)."""
    if type(v) is str:
        try:
            return parse_datetime(v)
        except ValueError as exc:
            raise Problems.one(
                f"expected an RFC 3339 date-time, found {describe(v)}, which {exc}"
            ) from None
    if type(v) is datetime:
        why = check_datetime(v)
        if why:
            raise Problems.one(f"date-time {why}")
        return v
    raise Problems.one(f"expected an RFC 3339 date-time, found {describe(v)}")


def to_date(v: Any) -> date:
    """A ``YYYY-MM-DD`` string, or a date (not a datetime)."""
    if type(v) is str:
        try:
            return parse_date(v)
        except ValueError as exc:
            raise Problems.one(f"expected a date, found {describe(v)}, which {exc}") from None
    if type(v) is date:
        return v
    raise Problems.one(f"expected a date (YYYY-MM-DD), found {describe(v)}")


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def to_uuid(v: Any) -> uuid.UUID:
    """A UUID in its hyphenated 8-4-4-4-12 form."""
    if type(v) is str and _UUID.match(v):
        return uuid.UUID(v)
    if isinstance(v, uuid.UUID):
        return v
    raise Problems.one(f"expected a UUID (8-4-4-4-12 hex digits), found {describe(v)}")


def to_path(v: Any, cls: type[pathlib.PurePath], max_string: int = UNBOUNDED) -> pathlib.PurePath:
    """A path, written with forward slashes on the wire."""
    if type(v) is str:
        if len(v) > max_string:
            raise Problems.one(too_long(v, max_string))
        if "\x00" in v:
            raise Problems.one("path contains a NUL character")
        if not v:
            raise Problems.one("expected a path, found an empty string")
        why = check_str(v)
        if why:
            raise Problems.one(f"path {why}")
        return cls(v)
    if isinstance(v, pathlib.PurePath):
        return v if type(v) is cls else cls(v)
    raise Problems.one(f"expected a path string, found {describe(v)}")


def _choices(values: Iterable[Any]) -> str:
    import json  # noqa: PLC0415 - only error messages need it

    return ", ".join(json.dumps(x, ensure_ascii=False) for x in values)


def to_enum(v: Any, cls: type[enum.Enum]) -> enum.Enum:
    """An enum member, from the member itself or from its value (exact type)."""
    if isinstance(v, cls):
        return v
    for member in cls:
        if type(member.value) is type(v) and member.value == v:
            return member
    raise Problems.one(f"expected one of {_choices(m.value for m in cls)}, found {describe(v)}")


def to_literal(v: Any, values: tuple[Any, ...]) -> Any:
    """One of the literal values, of the same type (``True`` is not ``1``)."""
    for x in values:
        if type(x) is type(v) and x == v:
            return x
    raise Problems.one(f"expected {_one_of(values)}, found {describe(v)}")


def _one_of(values: tuple[Any, ...]) -> str:
    return _choices(values) if len(values) == 1 else f"one of {_choices(values)}"


def same(a: Any, b: Any) -> bool:
    """Equality that also requires equal types: ``0`` is not ``False``, ``-0.0`` is not ``0.0``.

    Used to decide whether a field equals its default and may be left out.
    """
    if a is b:
        return True
    t = type(a)
    if t is not type(b):
        return False
    if t is float:
        return bool(a == b and math.copysign(1.0, a) == math.copysign(1.0, b))
    if t is list or t is tuple:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if t is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def union_member(v: Any, node: TypeNode) -> TypeNode:
    """The member of a union node that a (checked) Python value belongs to."""
    for m in node.args:
        if m.kind is Kind.CLASS:
            if isinstance(v, m.target):
                return m
        elif python_fits(v, m):
            return m
    raise Problems.one(f"expected {type_name(node.annotation)}, found {describe(v)}")


def python_fits(v: Any, node: TypeNode) -> bool:
    """Whether a Python value is of the kind a (non-class) union member holds."""
    t = type(v)
    k = node.kind
    fits: dict[Kind, tuple[type, ...]] = {
        Kind.STR: (str,),
        Kind.INT: (int,),
        Kind.FLOAT: (float,),
        Kind.BOOL: (bool,),
        Kind.DATETIME: (datetime,),
        Kind.DATE: (date,),
        Kind.LIST: (list,),
        Kind.TUPLE: (tuple, list),
        Kind.VARTUPLE: (tuple, list),
        Kind.DICT: (dict,),
    }
    if k in fits:
        return t in fits[k]
    if k is Kind.ENUM:
        return isinstance(v, node.target) or t is type(next(iter(node.target)).value)
    if k is Kind.LITERAL:
        return any(type(x) is t for x in node.target)
    if k is Kind.UUID:
        return isinstance(v, uuid.UUID)
    if k is Kind.PATH:
        return isinstance(v, pathlib.PurePath)
    return k is Kind.ANY


def json_value(
    v: Any,
    limits: Limits,
    *,
    preserved: bool = False,
    depth: int = 0,
    path: str = "",
    errors: list[tuple[str, str]] | None = None,
) -> Any:
    """Check that ``v`` is a JSON value and return a fresh copy of it.

    JSON values are dicts with string keys, lists, strings, 64-bit integers,
    finite floats, booleans and None. ``preserved`` also allows the date-times
    and dates a TOML file can hold natively, because a newer writer's unknown
    field may be one. Problems are collected with paths relative to ``v``;
    if any are found, `Problems` is raised with all of them.
    """
    top = errors is None
    errs: list[tuple[str, str]] = [] if errors is None else errors
    out = _walk(v, limits, preserved, depth, path, errs)
    if top and errs:
        raise Problems(errs)
    return out


def _walk(
    v: Any, limits: Limits, preserved: bool, depth: int, path: str, errs: list[tuple[str, str]]
) -> Any:
    t = type(v)
    if t is str:
        if len(v) > limits.max_string:
            errs.append((path, too_long(v, limits.max_string)))
            return None
        why = check_str(v)
        if why:
            errs.append((path, f"string {why}"))
        return v
    if t is bool or v is None:
        return v
    if t is int:
        if not INT_MIN <= v <= INT_MAX:
            errs.append((path, f"expected an integer that fits in 64 bits, found {describe(v)}"))
        return v
    if t is float:
        if not math.isfinite(v):
            errs.append((path, f"expected a finite number, found {describe(v)}"))
        return v
    if t is list or t is dict:
        if depth >= limits.max_depth:
            errs.append((path, f"nested deeper than {limits.max_depth} levels"))
            return None
        if len(v) > limits.max_items:
            errs.append((path, too_many(v, limits.max_items)))
            return None
        most = limits.max_errors
        if t is list:
            items = []
            for i, x in enumerate(v):
                if len(errs) > most:
                    break
                path_i = join_path(path, index_segment(i))
                items.append(_walk(x, limits, preserved, depth + 1, path_i, errs))
            return items
        out = {}
        for k, x in v.items():
            if len(errs) > most:
                break
            if type(k) is str and len(k) > limits.max_string:
                errs.append((path, key_too_long(k, limits.max_string)))
                continue
            problem = key_problem(k)
            if problem is not None:
                errs.append((join_path(path, problem[0]), problem[1]))
                if type(k) is not str:
                    continue
            kpath = join_path(path, key_segment(k))
            out[k] = _walk(x, limits, preserved, depth + 1, kpath, errs)
        return out
    if preserved and (t is datetime or t is date):
        if t is datetime:
            why = check_datetime(v)
            if why:
                errs.append((path, f"date-time {why}"))
        return v
    if t is datetime or t is date:
        errs.append(
            (path, f"expected a JSON value, found {describe(v)}; write it as a quoted string")
        )
        return None
    errs.append((path, f"expected a JSON value, found {describe(v)}"))
    return None
