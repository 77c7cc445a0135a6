"""The study tool's own JSON serialisation, kept exactly for its seeds and identifiers."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import manifestkit as mk

__all__ = ["argument_problems", "found", "hash_identifier", "legacy_json", "sha256_hex"]


_EXPECTED = {str: "a string", int: "an integer", Mapping: "a mapping"}


def argument_problems(arguments: Iterable[tuple[str, object, type]]) -> list[tuple[str, str]]:
    """Check a function's arguments, given as (name, value, str | int | Mapping).

    Returns one (name, message) pair per argument of the wrong type; a bool is
    not an integer.
    """
    problems = []
    for name, value, kind in arguments:
        wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        if wrong:
            problems.append((name, f"expected {_EXPECTED[kind]}, found {found(value)}"))
    return problems


_NOUNS = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}


def found(value: Any) -> str:
    """What an argument check found: ``None``, ``a boolean (True)``, ``a list``..."""
    if value is None:
        return "None"
    noun = _NOUNS.get(type(value))
    if noun is None:
        return f"a {type(value).__name__}"
    shown = json.dumps(value, ensure_ascii=False) if type(value) is str else repr(value)
    return f"{noun} ({shown if len(shown) <= 40 else shown[:37] + '...'})"


def _legacy_plain(value: Any, *, record: bool) -> Any:
    # The old tool's conversion, case by case in its order; anything it did not
    # know became str(value). Manifest instances take the place its dataclasses
    # had: every field, by name. Their date-times were ISO texts there (`record`).
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (str, int, float, bool)):
        return value
    if record and isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _legacy_plain(item, record=record) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_legacy_plain(item, record=record) for item in value]
    try:
        mk.schema_info(type(value))
    except mk.ManifestDefinitionError:
        pass
    else:
        return _legacy_plain(mk.to_dict(value, include_defaults=True), record=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _legacy_plain(dataclasses.asdict(value), record=record)
    return str(value)


def legacy_json(value: Any) -> str:
    r"""Serialise a value as the study tool always has, for seeds and identifiers.

    Python values are first made plain the old way: enums become their
    values; dicts get ``str()`` keys; lists, tuples and sets become lists;
    manifest instances (and dataclasses) become dicts of all their fields;
    anything else becomes its ``str()``. Then ``json.dumps`` with
    ``sort_keys=True``, ``separators=(",", ":")`` and ``ensure_ascii=True``.

    >>> legacy_json({"b": 1, "a": ["é", 2.0, None]})
    '{"a":["\\u00e9",2.0,null],"b":1}'

    Raises:
        ValidationError: The value contains itself, is nested too deeply,
            or holds an enum value JSON cannot represent.
    """
    try:
        return json.dumps(
            _legacy_plain(value, record=False),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
        )
    except RecursionError:
        problem = "nested too deeply, or contains itself"
    except (TypeError, ValueError) as exc:
        problem = f"cannot be written as JSON ({exc})"
    raise mk.ValidationError([("value", problem)], title="cannot serialise")


def sha256_hex(value: Any) -> str:
    """The sha256 hex digest of `legacy_json` of a value."""
    return hashlib.sha256(legacy_json(value).encode("utf-8")).hexdigest()


def hash_identifier(prefix: str, payload: Mapping[str, Any], *, length: int = 12) -> str:
    """Return a deterministic short identifier: ``"{prefix}-{hex digits}"``.

    The digits are the first ``length`` of the sha256 of `legacy_json`
    ``(payload)`` (all 64 when ``length`` is larger), as the study tool made
    its identifiers.

    >>> hash_identifier("run", {"study": "s1", "replicate": 0})
    'run-2e21c1a85ae7'

    Raises:
        ValidationError: An argument has the wrong type, or ``length`` is below 1.
    """
    errors = argument_problems(
        [("prefix", prefix, str), ("payload", payload, Mapping), ("length", length, int)]
    )
    if not errors and length < 1:
        errors.append(("length", f"must be at least 1, found {length}"))
    if errors:
        raise mk.ValidationError(errors, title="invalid identifier arguments")
    return f"{prefix}-{sha256_hex(payload)[:length]}"
