"""What the command line's commands share: loading files, reporting problems, hash flavours.

Kept apart from ``_cli.py`` (the parser and one function per command) so that
each command stays a short function reading like its help text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs

from ._canonical import content_hash
from ._diff import show_value
from ._errors import (
    FormatError,
    IntegrityError,
    ManifestError,
    ManifestIOError,
    ValidationError,
    key_segment,
)
from ._formats import format_for_path, format_loads, get_format
from ._io import (
    _DEFAULT,
    _check_size,
    _from_bytes,
    _sniff,
    detect_schema,
    read_bytes,
    to_dict,
)
from ._model import get_plan, schema_info, unknown_fields
from ._registry import get_schema
from ._sidecar import Header, is_envelope, load_sidecar_bytes

__all__ = [
    "FLAVOURS",
    "Document",
    "Problem",
    "UsageError",
    "document_version",
    "flavour_function",
    "load",
    "problem_lines",
    "problems_of",
    "schema_arg",
    "summary_lines",
    "version_of",
]


class UsageError(Exception):
    """The command was used wrongly: exit status 2 with a one-line reason."""


@attrs.frozen
class Document:
    """A file read by a command.

    Attributes:
        path: The file as named on the command line.
        format: The format it was read as.
        obj: The manifest (migrated in memory if its major version was older).
        plain: The parsed document before migration (a sidecar's manifest table).
        raw: The file's bytes.
        header: The ``[sidecar]`` table, when the file is a sidecar.
    """

    path: str
    format: str
    obj: Any
    plain: Any
    raw: bytes
    header: Header | None = None

    @property
    def cls(self) -> type:
        """The manifest class."""
        return type(self.obj)


def schema_arg(name: str | None) -> type | None:
    """The class named by ``--schema``; an unknown name is bad usage."""
    if name is None:
        return None
    try:
        return get_schema(name)
    except ValidationError as exc:
        raise UsageError(exc.errors[0][1]) from None


def load(path: str, cls: type | None = None) -> Document:
    """Read a manifest file, or a sidecar (whose manifest table is the document).

    The schema is ``cls``, else the one a sidecar names, else detected.
    """
    raw = read_bytes(path, _DEFAULT.limits.max_bytes)
    fmt = format_for_path(path) or get_format(_sniff(raw))
    _check_size(len(raw), fmt, _DEFAULT.limits, "file", path)
    try:
        plain = format_loads(fmt, raw)  # to detect the schema; the manifest is read below
    except FormatError as exc:
        raise FormatError(
            exc.message, format=exc.format, line=exc.line, column=exc.column, source=path
        ) from None
    if is_envelope(plain):
        obj: Any
        obj, header = load_sidecar_bytes(raw, fmt, path, cls)
        return Document(path, fmt.name, obj, plain["manifest"], raw, header)
    if cls is None:
        cls = detect_schema(plain, path, raw)
    return Document(path, fmt.name, _from_bytes(raw, fmt, cls), plain, raw)


def version_of(obj: Any) -> str | int | None:
    """The version an instance carries (its version field), or None."""
    info = schema_info(type(obj))
    if info.version_field is None:
        return None
    found: str | int = getattr(obj, info.version_field)
    return found


def document_version(doc: Document) -> Any:
    """The version the file itself carries (before any migration), or None."""
    info = schema_info(doc.cls)
    if info.version_field is None:
        return None
    key = get_plan(doc.cls).by_name[info.version_field].key
    if type(doc.plain) is dict and key in doc.plain:
        return doc.plain[key]
    return version_of(doc.obj)


@attrs.frozen
class Problem:
    """One problem with a file, as `validate` reports it."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The problem as a JSON object for ``--json``."""
        return {
            "path": self.path,
            "message": self.message,
            "line": self.line,
            "column": self.column,
        }


def problems_of(exc: ManifestError) -> list[Problem]:
    """Every problem an error carries, with its path in the document (``""`` for the whole)."""
    if isinstance(exc, ValidationError):
        return [Problem(path, message) for path, message in exc.errors]
    if isinstance(exc, FormatError):
        bare = FormatError(exc.message, format=exc.format, line=exc.line, column=exc.column)
        return [Problem("", str(bare), exc.line, exc.column)]
    if isinstance(exc, ManifestIOError):
        return [Problem("", exc.strerror or str(exc))]
    if isinstance(exc, IntegrityError):
        return [Problem("", exc.message), *(Problem("", f"{p}: {why}") for p, why in exc.problems)]
    return [Problem("", str(exc))]  # SchemaVersionError and the rest: one sentence


def problem_lines(file: str, exc: ManifestError) -> list[str]:
    """``FILE: path: message`` lines for an error (the document itself is ``(document)``)."""
    return [f"{file}: {p.path or '(document)'}: {p.message}" for p in problems_of(exc)]


# ------------------------------------------------------------------- flavours

FLAVOURS: dict[str, str] = {
    "manifestkit": "manifestkit._cli_support:canonical_flavour",
    "mesokit": "manifestkit.schemas.mesokit:mesokit_stored_hash",
}
"""Hash flavours for ``manifestkit hash --flavour``: name -> ``"module:function"``.

A flavour function takes the manifest and the file it was read from, and
returns the hex digest. ``manifestkit`` is sha256 of RFC 8785 canonical JSON
(`content_hash`); other flavours reproduce the hash a pipeline's own tools
compute for the file as stored, and come with the schema pack that knows how.
A flavour's module is imported only when it is used.
"""


def canonical_flavour(manifest: Any, path: str) -> str:  # noqa: ARG001 - the flavour signature
    """The ``manifestkit`` flavour: `content_hash`, whatever file the manifest came from."""
    return content_hash(manifest)


def flavour_function(name: str) -> Callable[[Any, str], str]:
    """The hash function of a flavour; unknown or not installed is bad usage."""
    target = FLAVOURS.get(name)
    if target is None:
        known = ", ".join(sorted(FLAVOURS))
        raise UsageError(f"unknown hash flavour {name!r} (known: {known})")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            raise UsageError(
                f"hash flavour {name!r} needs {module_name}, which is not installed"
            ) from None
        raise ManifestError(f"cannot load hash flavour {name!r} ({target}): {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a broken pack must say which one
        raise ManifestError(f"cannot load hash flavour {name!r} ({target}): {exc}") from None
    function = getattr(module, attr, None)
    if not callable(function):
        raise ManifestError(f"hash flavour {name!r}: {module_name} has no function {attr!r}")
    return function  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- show


def summary_lines(doc: Document) -> list[str]:
    """A readable summary of a document: schema, version, hash and its top-level fields."""
    cls = doc.cls
    info = schema_info(cls)
    lines = [
        f"file     {doc.path} ({doc.format}{', sidecar' if doc.header else ''})",
        f"schema   {info.name} ({cls.__name__})",
    ]
    version = version_of(doc.obj)
    if version is not None:
        lines.append(f"version  {_version_note(doc, version, info.version)}")
    lines.append(f"hash     {content_hash(doc.obj)}")
    if doc.header is not None:
        h = doc.header
        lines.append(f"data     {h.file}: {h.size} bytes, sha256 {h.sha256}")
    wire = to_dict(doc.obj)
    if info.version_field is not None:
        wire.pop(get_plan(cls).by_name[info.version_field].key, None)
    unknown = unknown_fields(doc.obj)
    if wire:
        lines.append("fields")
        width = max(len(key_segment(k).lstrip(".")) for k in wire)
        for key, value in wire.items():
            name = key_segment(key).lstrip(".")
            note = "  (preserved: unknown to this version)" if key in unknown else ""
            lines.append(f"  {name.ljust(width)}  {_brief(value)}{note}")
    return lines


def _version_note(doc: Document, version: str | int, current: str | int | None) -> str:
    found = document_version(doc)
    if found != version:
        return f"{version} (migrated in memory from {show_value(found)})"
    if version != current:
        return f"{version} (this library's current version is {current})"
    return str(version)


def _brief(value: Any) -> str:
    if type(value) is list:
        n = len(value)
        return "[]" if not n else f"[{n} item{'s' if n != 1 else ''}]"
    if type(value) is dict:
        n = len(value)
        return "{}" if not n else f"{{{n} key{'s' if n != 1 else ''}}}"
    return show_value(value)
