"""Schema versions and migrations.

A document class knows its current version: a ``"MAJOR.MINOR[.PATCH]"`` string
or an integer (every integer is a major version). Reading a document compares
its version with the current one:

- same major, any minor: read as is, keeping its own version (so its hash
  does not move); a newer minor may add fields this library does not know,
  and those are preserved rather than refused, even in ``forbid`` classes;
- older major: migrated step by step in memory, by pure ``dict -> dict``
  functions registered for (schema, from-version);
- newer major: refused with `SchemaVersionError` naming what is supported.

A class may name a subclass of `SchemaVersionError` to raise instead, as the
class attribute ``__manifest_version_error__`` (a schema pack's own error, so
its users can catch exactly that).

Reading never rewrites a file; `migrate` returns the upgraded plain data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from ._errors import (
    ManifestDefinitionError,
    ManifestError,
    SchemaVersionError,
    ValidationError,
    describe,
)
from ._model import SEMVER as _SEMVER
from ._model import SchemaInfo, get_plan, schema_info

__all__ = [
    "classify",
    "migrate",
    "migration",
    "prepare",
    "register_migration",
    "supported_versions",
]

Step = Callable[[dict[str, Any]], dict[str, Any]]
F = TypeVar("F", bound=Step)
Relation = Literal["current", "older-minor", "newer-minor", "older-major", "newer-major"]

_MIGRATIONS: dict[str, dict[str | int, Step]] = {}


def register_migration(schema: str, from_version: str | int, step: Step) -> None:
    """Register one migration step for documents of ``schema`` at ``from_version``.

    ``from_version`` is an integer for integer-versioned schemas; for semantic
    versions it may be exact (``"0.4.0"``), a minor (``"0.4"``) or a whole
    major (``"0"``): the most specific registered key wins. The step receives a
    deep copy of the document and returns the upgraded document, which must
    carry a higher version in its version field.
    """
    table = _MIGRATIONS.setdefault(schema, {})
    if from_version in table:
        raise ManifestDefinitionError(
            f"a migration for {schema} from {from_version!r} is already registered"
        )
    if isinstance(from_version, str) and not re.fullmatch(r"\d+(\.\d+){0,2}", from_version):
        raise ManifestDefinitionError(f"migration key {from_version!r} is not a version")
    table[from_version] = step


def migration(schema: str, from_version: str | int) -> Callable[[F], F]:
    """Decorator form of `register_migration`.

    >>> @migration("doc.example", from_version=1)
    ... def _v1_to_v2(doc):
    ...     return {**doc, "version": 2, "tags": []}
    """

    def wrap(step: F) -> F:
        register_migration(schema, from_version, step)
        return step

    return wrap


def _parse(value: Any, info: SchemaInfo) -> tuple[int, ...]:
    if isinstance(info.version, int):
        if type(value) is not int:
            raise ValidationError(
                [
                    (
                        info.version_field or "",
                        f"expected an integer schema version, found {describe(value)}",
                    )
                ],
                title=f"invalid {info.name} document",
            )
        return (value,)
    m = _SEMVER.match(value) if type(value) is str else None
    if m is None:
        raise ValidationError(
            [
                (
                    info.version_field or "",
                    f'expected a version such as "{info.version}", found {describe(value)}',
                )
            ],
            title=f"invalid {info.name} document",
        )
    return (int(m[1]), int(m[2]), int(m[3] or 0))


def _current(info: SchemaInfo) -> tuple[int, ...]:
    # `manifest` checked the declared version, so it parses like a document's.
    return _parse(info.version, info)


def classify(found: Any, cls: type) -> Relation:
    """How a document's version relates to the class's current version."""
    info = schema_info(cls)
    have, want = _parse(found, info), _current(info)
    if have[0] < want[0]:
        return "older-major"
    if have[0] > want[0]:
        return "newer-major"
    if have[1:2] < want[1:2]:
        return "older-minor"
    if have[1:2] > want[1:2]:
        return "newer-minor"
    return "current"


def supported_versions(cls: type) -> list[str]:
    """The versions a class reads, as shown to people.

    For example ``["1", "2"]``, or ``["0.x", "1.x (up to 1.1.0)"]``.
    """
    info = schema_info(cls)
    steps = _MIGRATIONS.get(info.name or "", {})
    if isinstance(info.version, int):
        return [
            str(v) for v in sorted(k for k in steps if isinstance(k, int) and k < info.version)
        ] + [str(info.version)]
    current = _current(info)
    majors = sorted({int(str(k).split(".")[0]) for k in steps} - {current[0]})
    return [f"{m}.x" for m in majors] + [f"{current[0]}.x (up to {info.version})"]


def _step_for(table: dict[str | int, Step], version: tuple[int, ...], integer: bool) -> Step | None:
    if integer:
        return table.get(version[0])
    for key in (".".join(map(str, version)), f"{version[0]}.{version[1]}", str(version[0])):
        if key in table:
            return table[key]
    return None


def migrate(data: dict[str, Any], cls: type) -> dict[str, Any]:
    """Upgrade a document of an older major version to the class's current major.

    Returns a new dict (the input is never changed). A document already in the
    current major is returned as a copy, unchanged, keeping its own version.

    Raises:
        SchemaVersionError: The document is newer than supported, or no
            migration leads from its version.
        ValidationError: The document is not an object, or its version field holds
            something that is not a version.
    """
    info = schema_info(cls)
    if info.version_field is None or info.name is None:
        raise ManifestDefinitionError(f"{cls.__name__} has no schema version to migrate")
    if type(data) is not dict:
        raise ValidationError(
            [("", f"expected an object, found {describe(data)}")],
            title=f"invalid {info.name} document",
        )
    error = _version_error(cls)
    doc: dict[str, Any] = _copy(data)
    integer = isinstance(info.version, int)
    want = _current(info)
    table = _MIGRATIONS.get(info.name, {})
    while True:
        found = _version_of(doc, cls)
        have = _parse(found, info)
        if have[0] == want[0]:
            return doc
        if have[0] > want[0]:
            raise error(
                info.name, found, supported_versions(cls), "is newer than this library reads"
            )
        step = _step_for(table, have, integer)
        if step is None:
            raise error(
                info.name,
                found,
                supported_versions(cls),
                "cannot be migrated: no migration is registered for it",
            )
        try:
            new = step(doc)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            # What a step meets in a malformed old document (RecursionError: one nested
            # deeper than the step's recursion can go); its author's own ManifestErrors
            # pass through unchanged.
            if isinstance(exc, ManifestError):
                raise
            raise ValidationError(
                [("", f"cannot migrate from version {found!r}: {type(exc).__name__}: {exc}")],
                title=f"invalid {info.name} document",
            ) from None
        if not isinstance(new, dict):
            raise ManifestDefinitionError(
                f"migration of {info.name} from {found!r} did not return a dict"
            )
        after = _parse(_version_of(new, cls), info)
        if after <= have:
            raise ManifestDefinitionError(
                f"migration of {info.name} from {found!r} did not raise the version"
            )
        doc = new


def _copy(value: Any) -> Any:
    """A deep copy of plain data, without recursion: a document may nest a thousand deep.

    Shared and cyclic containers stay shared and cyclic, as with `copy.deepcopy`.
    """
    t = type(value)
    if t is not dict and t is not list:
        return copy.deepcopy(value)
    top: Any = {} if t is dict else []
    memo: dict[int, Any] = {id(value): top}
    stack = [(value, top)]
    while stack:
        src, dst = stack.pop()
        for k, x in src.items() if type(src) is dict else enumerate(src):
            tx = type(x)
            if tx is dict or tx is list:
                y = memo.get(id(x))
                if y is None:
                    y = memo[id(x)] = {} if tx is dict else []
                    stack.append((x, y))
            else:
                y = copy.deepcopy(x)
            if type(dst) is dict:
                dst[k] = y
            else:
                dst.append(y)
    return top


def _version_error(cls: type) -> type[SchemaVersionError]:
    error = getattr(cls, "__manifest_version_error__", SchemaVersionError)
    if not (isinstance(error, type) and issubclass(error, SchemaVersionError)):
        raise ManifestDefinitionError(
            f"{cls.__name__}.__manifest_version_error__ must be a subclass of SchemaVersionError"
        )
    return error


def _version_of(doc: dict[str, Any], cls: type) -> Any:
    info = schema_info(cls)
    assert info.version_field is not None
    if info.version_field in doc:
        return doc[info.version_field]
    vf = get_plan(cls).by_name.get(info.version_field)
    if vf is not None and not vf.required:
        return info.version  # a document without the field reads as the current version
    raise ValidationError(
        [(info.version_field, "required field is missing")], title=f"invalid {info.name} document"
    )


def prepare(data: Any, cls: type) -> tuple[Any, bool]:
    """Apply migrations before structuring; return the data and whether to be lenient.

    Lenient means the document is of a newer minor version, whose unknown
    fields are preserved instead of refused.
    """
    info = schema_info(cls)
    if info.version_field is None or type(data) is not dict:
        return data, False
    found = data.get(info.version_field)
    if type(found) is type(info.version) and found == info.version:
        return data, False  # the current version exactly: the common case, without parsing
    relation = classify(_version_of(data, cls), cls)
    if relation == "older-major":
        return migrate(data, cls), False
    if relation == "newer-major":
        migrate(data, cls)  # raises SchemaVersionError with the supported versions
    return data, relation == "newer-minor"
