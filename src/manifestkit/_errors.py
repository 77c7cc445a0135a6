"""The errors manifestkit raises, and the one path syntax they use.

Every error is a `ManifestError`; each leaf also subclasses the builtin that
fits, so ``except ValueError`` or ``except FileNotFoundError`` keep working.
Paths name a place in a document the same way everywhere:
``producers[2].time_basis.clock_source``; keys that are not identifiers are
quoted, as in ``extra["sample rate"]``; the document itself is ``""``.
"""

from __future__ import annotations

import errno
import json
import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any

__all__ = [
    "FormatError",
    "IntegrityError",
    "ManifestDefinitionError",
    "ManifestError",
    "ManifestIOError",
    "SchemaVersionError",
    "ValidationError",
    "check_str",
    "describe",
    "index_segment",
    "join_path",
    "key_problem",
    "key_problems",
    "key_segment",
]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def key_segment(key: str) -> str:
    """Return the path segment for an object key: ``.name`` or ``["odd key"]``."""
    if _IDENTIFIER.match(key):
        return "." + key
    text = json.dumps(key, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: a path must stay printable
        text = json.dumps(key)
    return "[" + text + "]"


def index_segment(index: int) -> str:
    """Return the path segment for an array index: ``[3]``."""
    return f"[{index}]"


def join_path(prefix: str, path: str) -> str:
    """Join a path onto a prefix, either of which may be empty.

    ``path`` may start with a segment (``.a`` or ``[0]``) or be a bare relative
    path (``a.b``); the result never starts with a dot.
    """
    if not path:
        return prefix
    if path[0] == ".":
        return prefix + path if prefix else path[1:]
    if path[0] == "[" or not prefix:
        return prefix + path
    return prefix + "." + path


_SHORT = 40


def describe(value: object) -> str:
    """Describe a value the way error messages name what they found.

    >>> describe(12345)
    'an integer (12345)'
    >>> describe([1, 2])
    'an array'
    """
    # Exact types: a subclass (a str subclass, numpy.float64, an IntEnum member) is
    # named by its class, since "expected a string, found a string" helps no one.
    t = type(value)
    if value is None:
        return "null"
    if t is bool:
        return f"a boolean ({'true' if value else 'false'})"
    if t is int:
        return f"an integer ({_clip(repr(value))})"
    if t is float:
        return f"a number ({_clip(repr(value))})"
    if t is str:
        return f"a string ({_clip(json.dumps(value, ensure_ascii=False))})"
    if t is list:
        return "an array"
    if t is tuple:  # only Python gives one; where a list is plain data, it is not
        return "a tuple"
    if t is dict:
        return "an object"
    if isinstance(value, (int, float, str)):
        return f"a Python {t.__name__} object ({_clip(repr(value))})"
    # Imported here: describing an unusual value is the rare path.
    import datetime as _dt  # noqa: PLC0415, ICN001

    if isinstance(value, _dt.datetime):
        return f"a date-time ({value.isoformat()})"
    if isinstance(value, _dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, _dt.time):
        return f"a time of day ({value.isoformat()})"
    return f"a Python {type(value).__name__} object"


def _clip(text: str) -> str:
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


def check_str(value: str) -> str | None:
    """Return why a string cannot be written as UTF-8 (a lone surrogate), or None."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        return f"contains a lone surrogate (\\u{ord(bad):04x}), which UTF-8 cannot encode"
    return None


def key_problem(key: object) -> tuple[str, str] | None:
    """Why ``key`` cannot be a JSON object key, as ``(path, message)``; None if it can.

    A key must be exactly a `str` (a subclass is named by its class) that UTF-8
    can encode. The path is relative to the object: a key of the wrong type is
    reported at the object itself, a lone surrogate at the key.
    """
    if type(key) is not str:
        return ("", f"object keys must be strings, found a key that is {describe(key)}")
    if key.isascii():
        return None
    why = check_str(key)
    return (key_segment(key), f"key {why}") if why else None


def key_problems(keys: Collection[Any]) -> list[tuple[str, str]]:
    """`key_problem` of each key of one object (a dict, or its keys), the keys that have one."""
    return [problem for k in keys if (problem := key_problem(k)) is not None]


class ManifestError(Exception):
    """Base class of every error manifestkit raises."""


class ValidationError(ManifestError, ValueError):
    """A document or value does not fit its schema.

    Attributes:
        errors: Every problem found, as ``(path, message)`` pairs, in document
            order. ``path`` is ``""`` for the document itself.
    """

    def __init__(self, errors: Iterable[tuple[str, str]], *, title: str | None = None) -> None:
        """Collect problems; ``title`` names what was being validated."""
        self.errors: list[tuple[str, str]] = [
            (path[1:] if path[:1] == "." else path, message) for path, message in errors
        ]
        self.title = title
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [f"{path or '(document)'}: {message}" for path, message in self.errors]
        head = self.title or "validation failed"
        if len(lines) == 1:
            return f"{head}: {lines[0]}"
        return f"{head} with {len(lines)} problems:\n" + "\n".join("  " + x for x in lines)

    def prefixed(self, prefix: str) -> ValidationError:
        """Return a copy whose paths are relative to ``prefix``'s parent."""
        return ValidationError(
            [(join_path(prefix, path), message) for path, message in self.errors],
            title=self.title,
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_validation_error, (self.errors, self.title))


def _rebuild_validation_error(errors: list[tuple[str, str]], title: str | None) -> ValidationError:
    return ValidationError(errors, title=title)


class FormatError(ManifestError, ValueError):
    """Bytes that are not a well-formed document of their format.

    Attributes:
        format: The format name (``"json"``, ``"toml"``, ...), if known.
        line: 1-based line of the problem, when the parser gives it.
        column: 1-based column of the problem, when the parser gives it.
        source: The file the bytes came from, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        format: str | None = None,  # noqa: A002 - the natural name, as in mk.read(format=)
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        """Record where the bytes went wrong."""
        self.message = message
        self.format = format
        self.line = line
        self.column = column
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        kind = f"invalid {self.format.upper()}" if self.format else "invalid document"
        prefix = f"{kind} ({'; '.join(where)})" if where else kind
        return f"{prefix}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_format_error,
            (self.message, self.format, self.line, self.column, self.source),
        )


def _rebuild_format_error(
    message: str, fmt: str | None, line: int | None, column: int | None, source: str | None
) -> FormatError:
    return FormatError(message, format=fmt, line=line, column=column, source=source)


class SchemaVersionError(ManifestError, ValueError):
    """A document's schema version is one this library cannot read.

    Attributes:
        schema: The schema name, e.g. ``"bundle.manifest"``.
        found: The version the document carries.
        supported: The versions this library reads, as shown to people.
    """

    def __init__(self, schema: str, found: object, supported: Sequence[str], reason: str) -> None:
        """Name the schema, the version found, and what is supported."""
        self.schema = schema
        self.found = found
        self.supported = tuple(supported)
        self.reason = reason
        super().__init__(
            f"{schema} version {found!r} {reason} (supported: {', '.join(self.supported)})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.schema, self.found, self.supported, self.reason))


class IntegrityError(ManifestError):
    """Content does not match the hash recorded for it.

    Attributes:
        problems: One ``(path, message)`` pair per file or link that failed.
    """

    def __init__(self, message: str, problems: Iterable[tuple[str, str]] = ()) -> None:
        """Keep every failed item, not only the first."""
        self.message = message
        self.problems: list[tuple[str, str]] = list(problems)
        lines = [message, *(f"  {path}: {why}" for path, why in self.problems)]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message, self.problems))


class ManifestDefinitionError(ManifestError, TypeError):
    """A manifest class is declared in a way manifestkit cannot support."""


class ManifestIOError(ManifestError, OSError):
    """Reading or writing a file failed; also the matching `OSError` subclass.

    ``mk.read("missing.json")`` raises an error that is both a `ManifestError`
    and a `FileNotFoundError`.
    """

    @classmethod
    def wrap(cls, exc: OSError, action: str, filename: str) -> ManifestIOError:
        """Turn an `OSError` into the matching `ManifestIOError` subclass."""
        leaf = _IO_LEAVES.get(exc.errno or 0, ManifestIOError)
        reason = exc.strerror or str(exc)
        return leaf(exc.errno or 0, f"cannot {action}: {reason}", filename)


class ManifestFileNotFoundError(ManifestIOError, FileNotFoundError):
    pass


class ManifestPermissionError(ManifestIOError, PermissionError):
    pass


class ManifestIsADirectoryError(ManifestIOError, IsADirectoryError):
    pass


class ManifestNotADirectoryError(ManifestIOError, NotADirectoryError):
    pass


class ManifestFileExistsError(ManifestIOError, FileExistsError):
    pass


_IO_LEAVES: dict[int, type[ManifestIOError]] = {
    errno.ENOENT: ManifestFileNotFoundError,
    errno.EACCES: ManifestPermissionError,
    errno.EPERM: ManifestPermissionError,
    errno.EISDIR: ManifestIsADirectoryError,
    errno.ENOTDIR: ManifestNotADirectoryError,
    errno.EEXIST: ManifestFileExistsError,
}
