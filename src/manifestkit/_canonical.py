r"""The canonical form: RFC 8785 (JSON Canonicalization Scheme) bytes, and hashes.

Every hash manifestkit computes is ``sha256(canonical_json(x))``. The canonical
bytes are a function of the typed value only: never of a file's bytes, never
of a format's own output, never of dict insertion order or the Python version.

How the bytes are made, in one pass over the data:

- object keys are sorted by UTF-16 code units (RFC 8785 section 3.2.3); class
  fields come out of a presorted plan, only free-form dicts are sorted;
- numbers follow ECMAScript's ``Number.prototype.toString``: orjson already
  prints the same shortest digits, and differs from ES6 in exactly three
  cases, which are handled here: an integral value below 2**53 (orjson writes
  ``30.0``, ES6 ``30``; it is written as an integer), an integral value from
  2**53 up to 1e21 (orjson uses an exponent, ES6 all digits), and a value
  whose magnitude is in [1e-6, 1e-5) (orjson uses an exponent, ES6 a decimal);
  those two are written from `es6_number`. ``-0`` is written as ``0``;
- strings are escaped by orjson exactly as RFC 8785 asks (``\\"``, ``\\\\``,
  ``\\b \\f \\n \\r \\t``, other controls as lower-case ``\\u00xx``, nothing else);
- integers are written with all their digits. Within +/-(2**53-1) this is
  RFC 8785 exactly; beyond, it is manifestkit's documented extension (JCS
  would first round them to a double);
- date-times are written as the JSON files manifestkit writes them (RFC 3339,
  ``Z`` for UTC, microseconds only when non-zero).

NaN, infinities, lone surrogates and non-JSON objects are refused with a
`ValidationError` naming the path.
"""

from __future__ import annotations

import gc
import hashlib
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import attrs
import orjson

from ._errors import (
    ValidationError,
    check_str,
    describe,
    index_segment,
    join_path,
    key_problems,
    key_segment,
)
from ._fast_out import CanonicalWriter
from ._model import _UNKNOWN, NO_UNKNOWN, get_plan, is_manifest_class
from ._numbers import canonical_number, es6_number
from ._rfc3339 import ORJSON_DATETIME, check_datetime
from ._types import Kind, TypeNode
from ._values import (
    INT_MAX,
    INT_MIN,
    Limits,
    Problems,
    same,
    to_instance,
    union_member,
)

__all__ = ["canonical_json", "content_hash", "es6_number"]
_NOTHING = attrs.NOTHING
_FAST = CanonicalWriter(Limits(), deferred=True, check_keys=False)
_KEYS_CHECKED = CanonicalWriter(Limits(), deferred=True)
"""For a document whose canonical form holds a character past U+FFFF (see `_fast_json`)."""
_ASTRAL = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")
"""The lead bytes of 4-byte UTF-8 sequences: characters past U+FFFF. Looked for one by
one (5 us for 72 kB, where a regular expression's character class takes 300 us)."""
_LIMITS = Limits()
_SORTED = ORJSON_DATETIME | orjson.OPT_SORT_KEYS


def _dump_sorted(data: Any, default: Any) -> bytes:
    return orjson.dumps(data, default=default, option=_SORTED)


def _number(x: float, path: str) -> Any:
    try:
        return canonical_number(x)
    except ValueError:
        raise Problems.one(f"expected a finite number, found {describe(x)}", path) from None


def _sorted_keys(keys: list[Any], path: str) -> list[str]:
    """An object's keys in RFC 8785 order, once each is known to be a JSON key."""
    for k in keys:
        if type(k) is not str:
            break
    else:
        joined = "".join(keys)
        if joined.isascii():
            return sorted(keys)
    bad = key_problems(keys)
    if bad:  # a key of a free-form value or a dict field may have been changed in place
        raise Problems([(join_path(path, where), message) for where, message in bad])
    if max("".join(keys)) <= "\uffff":
        return sorted(keys)
    return sorted(keys, key=lambda k: k.encode("utf-16-be"))


def _plain(v: Any, depth: int, path: str, preserved: bool = True) -> Any:
    # ``preserved`` lets date-times and dates through, as plain data read from TOML
    # and preserved unknown fields may hold them; a declared free-form field may not.
    t = type(v)
    if t is str or t is bool or v is None:
        return v
    if t is float:
        return _number(v, path)
    if t is int:
        if INT_MIN <= v <= INT_MAX:
            return v
        raise Problems.one(f"expected an integer that fits in 64 bits, found {describe(v)}", path)
    if t is dict or t is list:
        if depth >= _LIMITS.max_depth:
            raise Problems.one(f"nested deeper than {_LIMITS.max_depth} levels", path)
        if t is list:
            return [
                _plain(x, depth + 1, join_path(path, index_segment(i)), preserved)
                for i, x in enumerate(v)
            ]
        return {
            k: _plain(v[k], depth + 1, join_path(path, key_segment(k)), preserved)
            for k in _sorted_keys(list(v), path)
        }
    if (t is datetime or t is date) and not preserved:
        raise Problems.one(
            f"expected a JSON value, found {describe(v)}; write it as a quoted string", path
        )
    if t is datetime:
        why = check_datetime(v)
        if why:
            raise Problems.one(f"date-time {why}", path)
        return v
    if t is date:
        return v
    raise Problems.one(f"expected a JSON value, found {describe(v)}", path)


def _typed(obj: Any, path: str) -> dict[str, Any]:
    plan = get_plan(type(obj))
    unknown = getattr(obj, _UNKNOWN)
    out: dict[str, Any] = {}
    for f in plan.sorted_fields:
        v = getattr(obj, f.name)
        if not f.always and f.default is not _NOTHING and same(v, f.default):
            continue
        out[f.key] = _value(v, f.node, join_path(path, key_segment(f.key)))
    if unknown is NO_UNKNOWN:
        return out
    for key, v in unknown.items():
        out[key] = _plain(v, 0, join_path(path, key_segment(key)))
    return {k: out[k] for k in _sorted_keys(list(out), path)}


def _value(v: Any, node: TypeNode, path: str) -> Any:
    k = node.kind
    if k is Kind.FLOAT:
        return _number(v, path)
    if k is Kind.CLASS:  # checked: a list of instances may have been changed in place
        return _typed(to_instance(v, node.target, path), path)
    if k in (Kind.STR, Kind.INT, Kind.BOOL, Kind.DATETIME, Kind.DATE, Kind.LITERAL):
        return v
    if k is Kind.OPTIONAL:
        return None if v is None else _value(v, node.args[0], path)
    if k in (Kind.LIST, Kind.VARTUPLE):
        item = node.args[0]
        return [_value(x, item, join_path(path, index_segment(i))) for i, x in enumerate(v)]
    if k is Kind.TUPLE:
        return [
            _value(x, n, join_path(path, index_segment(i)))
            for i, (x, n) in enumerate(zip(v, node.args, strict=True))
        ]
    if k is Kind.DICT:
        item = node.args[0]
        return {
            key: _value(v[key], item, join_path(path, key_segment(key)))
            for key in _sorted_keys(list(v), path)
        }
    if k is Kind.ANY:
        return _plain(v, 0, path, preserved=False)
    if k is Kind.ENUM:
        return v.value
    if k is Kind.UUID:
        return str(v)
    if k is Kind.PATH:
        return PurePath(v).as_posix()
    if k is Kind.UNION:
        return _value(v, union_member(v, node), path)
    raise AssertionError(k)  # pragma: no cover


def canonical_json(x: Any) -> bytes:
    """Return the RFC 8785 canonical JSON bytes of a manifest or of plain data.

    For a manifest, this is the canonical form of its wire form (`to_dict`):
    fields equal to their default are left out, so adding an optional field
    in a later release does not move the hash of an unchanged document.

    Raises:
        ValidationError: The value holds something JSON cannot (NaN,
            Infinity, a lone surrogate, a non-string key, a Python object).
    """
    if is_manifest_class(type(x)):
        # The canonical form holds no cycles: pausing the cycle collector while it
        # is built saves the collections its many small dicts would trigger.
        pause = gc.isenabled()
        if pause:
            gc.disable()
        try:  # the generated fast path; anything unusual goes to the path-tracking code
            return _fast_json(x)
        except Exception:  # noqa: BLE001, S110 - the code below reports it with its path
            pass
        finally:
            if pause:
                gc.enable()
    try:
        prepared = _typed(x, "") if is_manifest_class(type(x)) else _plain(x, 0, "")
        return orjson.dumps(prepared, option=ORJSON_DATETIME)
    except Problems as p:
        raise ValidationError(p.errors, title="cannot make canonical JSON") from None
    except orjson.JSONEncodeError as exc:  # a lone surrogate in a value
        errors = _find_bad_strings(x)
        raise ValidationError(
            errors or [("", str(exc))], title="cannot make canonical JSON"
        ) from None
    except RecursionError:
        raise ValidationError(
            [("", "value is nested too deeply")], title="cannot make canonical JSON"
        ) from None


def _fast_json(x: Any) -> bytes:
    """`canonical_json` of a manifest by the generated writers; raises on anything unusual.

    orjson sorts keys by code point, which is RFC 8785's UTF-16 order for keys
    inside the BMP. The first writer does not look at keys: if the output holds
    a character past U+FFFF anywhere, the document is written again by one that
    checks every key, and refuses (for the exact path) one past U+FFFF.
    """
    out: bytes = _FAST.encode(x, _dump_sorted)
    if not out.isascii() and any(lead in out for lead in _ASTRAL):
        out = _KEYS_CHECKED.encode(x, _dump_sorted)
    return out


def content_hash(x: Any) -> str:
    """Return the sha256 hex digest of `canonical_json` of a manifest or plain data."""
    return hashlib.sha256(canonical_json(x)).hexdigest()


def _find_bad_strings(x: Any) -> list[tuple[str, str]]:
    from ._convert import Converter  # noqa: PLC0415 - the rare error path

    data = Converter().unstructure(x) if is_manifest_class(type(x)) else x
    found: list[tuple[str, str]] = []

    def walk(v: Any, path: str) -> None:
        if type(v) is str:
            why = check_str(v)
            if why:
                found.append((path, f"string {why}"))
        elif type(v) is list:
            for i, item in enumerate(v):
                walk(item, join_path(path, index_segment(i)))
        elif type(v) is dict:
            for key, item in v.items():
                walk(item, join_path(path, key_segment(key)))

    walk(data, "")
    return found
