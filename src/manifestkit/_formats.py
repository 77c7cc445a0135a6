"""Formats: plain data to bytes and back, one adapter per format, one registry.

A format is any object with a ``name``, its file ``extensions``, ``dumps(data)
-> bytes`` and ``loads(bytes) -> data``, and optionally a ``comment_prefix``
(for formats where a first line can name the schema). Formats work on plain
data only: they know nothing of manifests, converters or hashes.

Built in: ``json`` (orjson) and ``toml`` (tomli-w to write; tomllib, or tomli on
Python 3.10, to read). Third parties add formats through the entry point group
``manifestkit.formats``, or by calling `register_format`.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

import orjson

from ._errors import (
    FormatError,
    ManifestError,
    ValidationError,
    check_str,
    describe,
    index_segment,
    join_path,
    key_problems,
    key_segment,
)
from ._rfc3339 import ORJSON_DATETIME, check_datetime

__all__ = [
    "Format",
    "JsonFormat",
    "TomlFormat",
    "format_dumps",
    "format_for_path",
    "format_loads",
    "formats",
    "get_format",
    "register_format",
]

_INT_MIN = -(2**63)
_INT_MAX = {"JSON": 2**64 - 1, "TOML": 2**63 - 1}
_BOM = b"\xef\xbb\xbf"
_DIGIT_TO_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_NINETEEN_DIGITS = b"0" * 19


@runtime_checkable
class Format(Protocol):
    """What a format adapter provides. Subclassing is not required."""

    name: str
    extensions: tuple[str, ...]

    def dumps(self, data: Any) -> bytes:
        """Serialise plain data; raise `ValidationError` for values the format cannot hold."""
        ...  # pragma: no cover

    def loads(self, data: bytes) -> Any:
        """Parse bytes to plain data; raise `FormatError` for malformed bytes."""
        ...  # pragma: no cover


class JsonFormat:
    """JSON through orjson: UTF-8, two-space indent, a trailing newline.

    Reading refuses a byte order mark, NaN and Infinity, lone surrogates and
    invalid UTF-8. Like orjson (and RFC 8785, whose numbers are doubles), an
    integer literal outside 64 bits reads as the nearest float; manifestkit's
    readers notice where that can matter and re-read such a document with
    `loads_exact`, so the 64-bit limit is reported with the field's path.
    """

    name = "json"
    extensions = (".json",)
    comment_prefix = None
    max_nesting = 254
    """Most levels of arrays and objects written, the document's own included:
    orjson refuses a 255th. Deeper data (a value changed in place to hold
    itself, say) is refused with the path where it goes too deep."""
    _OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | ORJSON_DATETIME

    def dumps(self, data: Any) -> bytes:
        """Write plain data as pretty JSON (as `to_dict` makes it: finite floats, 64-bit ints)."""
        try:
            return orjson.dumps(data, option=self._OPTIONS)
        except (orjson.JSONEncodeError, TypeError) as exc:
            raise ValidationError(
                _problems(data, "JSON", self.max_nesting) or [("", str(exc))],
                title="cannot write JSON",
            ) from None

    def dumps_deferred(self, data: Any, default: Callable[[Any], Any] | None) -> bytes:
        """Internal: `dumps` of data holding objects that ``default`` turns into plain data.

        orjson's errors are not caught: the caller falls back to `dumps`.
        """
        return orjson.dumps(data, default=default, option=self._OPTIONS)

    def loads(self, data: bytes) -> Any:
        """Parse JSON bytes."""
        if data[:3] == _BOM:
            raise FormatError(
                "a byte order mark (BOM) is not allowed", format="json", line=1, column=1
            )
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            if "UTF-8" in exc.msg:  # orjson checks the encoding first and cannot say where
                _check_utf8(data, "json")
            raise FormatError(
                _clean(exc.msg), format="json", line=exc.lineno, column=exc.colno
            ) from None

    def may_be_inexact(self, data: bytes) -> bool:
        """Whether `loads` may have read an integer literal of ``data`` as a float.

        Only a run of 19 digits can be one: -9223372036854775809 is the shortest
        literal outside orjson's exact range. Found by mapping every digit to 0
        (70 us for 85 KB, where a regular expression takes 700 us and parsing
        again with `loads_exact` 540 us).
        """
        return _NINETEEN_DIGITS in data.translate(_DIGIT_TO_ZERO)

    def loads_exact(self, data: bytes) -> Any:
        """Parse JSON bytes that `loads` accepted, keeping every integer exact."""
        try:
            return json.loads(data)
        except RecursionError:
            raise FormatError("document is nested too deeply", format="json") from None


def _clean(message: str) -> str:
    return message.rstrip(".")


def _check_utf8(data: bytes, fmt: str) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        bad = data[exc.start : exc.start + 1].hex()
        raise FormatError(
            f"invalid UTF-8 (byte 0x{bad})", format=fmt, line=line, column=column
        ) from None


class TomlFormat:
    """TOML: tomli-w to write; tomllib (tomli on Python 3.10) to read.

    TOML cannot hold null: a field whose default is None is simply absent (the
    wire form leaves defaults out), and a null anywhere else is refused with a
    `ValidationError` naming it, never dropped. Date-times and dates are
    written as TOML's own date-time values, so a person editing the file sees
    them as such.
    """

    name = "toml"
    extensions = (".toml",)
    comment_prefix = "#"
    max_nesting = 200
    """Most levels of arrays and objects written, the document's own included.
    tomli-w recurses up to four frames per level and fails near 250 levels
    at Python's default recursion limit; this leaves room for the caller's frames."""
    max_key_parts = 128
    """Most parts in one dotted key (``a.b.c`` has 3), in a table header or a key/value
    line. tomllib's work and memory for a dotted key grow with the square of its
    parts (a 200 kB key needs tens of gigabytes), so longer keys are refused before
    parsing; what tomli-w writes for the deepest document the limits let through
    stays well under it."""

    def dumps(self, data: Any) -> bytes:
        """Write a plain-data table as TOML."""
        import tomli_w  # noqa: PLC0415 - only TOML writers pay for the import

        if type(data) is not dict:
            raise ValidationError(
                [("", f"a TOML document is a table; found {describe(data)}")],
                title="cannot write TOML",
            )
        if not _toml_clean(data, self.max_nesting):  # the quick check; the full one says where
            errors = _problems(data, "TOML", self.max_nesting)
            if errors:
                raise ValidationError(errors, title="cannot write TOML")
        try:
            return tomli_w.dumps(data).encode("utf-8")
        except (TypeError, ValueError) as exc:  # pragma: no cover - _problems checks first
            raise ValidationError([("", str(exc))], title="cannot write TOML") from None
        except RecursionError:  # pragma: no cover - called with the stack nearly full
            raise ValidationError(
                [("", "value is nested too deeply")], title="cannot write TOML"
            ) from None

    def loads(self, data: bytes) -> Any:
        """Parse TOML bytes."""
        if sys.version_info >= (3, 11):
            import tomllib  # noqa: PLC0415
        else:  # pragma: no cover - exercised on Python 3.10
            import tomli as tomllib  # noqa: PLC0415

        if data[:3] == _BOM:
            raise FormatError(
                "a byte order mark (BOM) is not allowed", format="toml", line=1, column=1
            )
        _check_utf8(data, "toml")
        _check_dotted_keys(data, self.max_key_parts)
        text = data.decode("utf-8")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message, line, column = _toml_position(exc, data)
            raise FormatError(message, format="toml", line=line, column=column) from None
        except RecursionError:
            raise FormatError("document is nested too deeply", format="toml") from None
        except ValueError:
            # tomllib lets int()'s refusal of a decimal literal past Python's digit limit
            # (sys.get_int_max_str_digits(), 4300 by default) through as a plain ValueError.
            line, column = _long_integer(data)
            raise FormatError(
                "an integer literal has too many digits", format="toml", line=line, column=column
            ) from None
        _check_toml_integers(doc)
        return doc


def _toml_integers_fit(doc: dict[str, Any]) -> bool:
    # The quick walk: no paths built (that was most of its cost).
    lowest, highest = _INT_MIN, _INT_MAX["TOML"]
    stack: list[Any] = [doc]
    while stack:
        value = stack.pop()
        for v in value.values() if type(value) is dict else value:
            t = type(v)
            if t is int:
                if not lowest <= v <= highest:
                    return False
            elif t is dict or t is list:
                stack.append(v)
    return True


def _check_toml_integers(doc: dict[str, Any]) -> None:
    # TOML integers are signed 64-bit and a reader must refuse others; tomllib does not.
    if _toml_integers_fit(doc):
        return
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        value, path = stack.pop()
        items = value.items() if type(value) is dict else enumerate(value)
        for k, v in items:
            t = type(v)
            if t is int and not _INT_MIN <= v <= _INT_MAX["TOML"]:
                where = join_path(path, key_segment(k) if type(k) is str else index_segment(k))
                raise FormatError(
                    f"{where}: expected an integer in TOML's signed 64-bit range, "
                    f"found {describe(v)}",
                    format="toml",
                )
            if t is dict or t is list:
                segment = key_segment(k) if type(k) is str else index_segment(k)
                stack.append((v, join_path(path, segment)))


_KEY_PART = rb"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""


@functools.cache
def _dotted_key(parts: int) -> re.Pattern[bytes]:
    # A header ([a.b] or [[a.b]]) or a key/value line starting with more than `parts`
    # parts. Every TOML key/value and header starts a line, after spaces or tabs; a line
    # inside a multi-line string that looks like one is refused too (a false alarm
    # needs that many dotted words at the start of a line, which text never has).
    return re.compile(
        rb"^[ \t]*\[?\[?[ \t]*" + _KEY_PART + rb"(?:[ \t]*\.[ \t]*" + _KEY_PART + rb"){%d}" % parts,
        re.MULTILINE,
    )


_ALL_BUT_DOTS = bytes(b for b in range(256) if b not in b".\n")


def _check_dotted_keys(data: bytes, parts: int) -> None:
    # Such a key needs `parts` dots on one line. Searching the regex at every
    # position costs more than tomllib's parse of a clean file, so first look for a
    # line with that many dots (the dots and newlines alone, at C speed).
    if b"." * parts not in data.translate(None, _ALL_BUT_DOTS):
        return
    m = _dotted_key(parts).search(data)
    if m is not None:
        line, column = _position(data, m.start())
        raise FormatError(
            f"a dotted key has more than {parts} parts", format="toml", line=line, column=column
        )


_DIGITS = re.compile(rb"[0-9](?:_?[0-9]){4000,}")


def _long_integer(data: bytes) -> tuple[int | None, int | None]:
    m = _DIGITS.search(data)
    return _position(data, m.start()) if m else (None, None)


_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _toml_position(exc: Exception, data: bytes) -> tuple[str, int | None, int | None]:
    # tomli (3.10) gives lineno/colno; tomllib (3.11-3.13) puts "(at line L, column C)"
    # or "(at end of document)" in the message. Report the same position everywhere.
    text = str(exc).splitlines()[0] if str(exc) else "invalid TOML"
    line: int | None = getattr(exc, "lineno", None)
    column: int | None = getattr(exc, "colno", None)
    m = _AT.search(text)
    if m:
        text = text[: m.start()]
        if line is None:
            line, column = (int(m[1]), int(m[2])) if m[1] else _position(data, len(data))
    return text, line, column


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def _problems(data: Any, fmt: str, max_nesting: int) -> list[tuple[str, str]]:
    """Every value in plain data that ``fmt`` (JSON or TOML) cannot hold, with its path.

    Arrays and objects deeper than ``max_nesting`` levels are reported, not
    entered: data that holds itself ends there too.
    """
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    toml = fmt == "TOML"
    while stack:
        v, path, depth = stack.pop()
        t = type(v)
        if (t is dict or t is list) and depth >= max_nesting:
            found.append((path, f"nested deeper than {max_nesting} levels"))
        elif t is dict:
            found.extend((join_path(path, where), message) for where, message in key_problems(v))
            stack.extend(
                (v[k], join_path(path, key_segment(k)), depth + 1)
                for k in reversed(list(v))
                if type(k) is str
            )
        elif t is list:
            stack.extend(
                (x, join_path(path, index_segment(i)), depth + 1)
                for i, x in reversed(list(enumerate(v)))
            )
        elif v is None:
            if toml:
                found.append(
                    (path, "TOML cannot hold null; leave the field out or give it a value")
                )
        elif t is int:
            if v < _INT_MIN or v > _INT_MAX[fmt]:
                if toml and v > 0 and v <= _INT_MAX["JSON"]:
                    message = f"TOML cannot hold integers above 2**63-1, found {describe(v)}"
                else:
                    message = f"expected an integer that fits in 64 bits, found {describe(v)}"
                found.append((path, message))
        elif t is float:
            if not math.isfinite(v):
                found.append((path, f"expected a finite number, found {describe(v)}"))
        elif t is str:
            why = check_str(v)
            if why:
                found.append((path, f"string {why}"))
        elif t is datetime:
            why = check_datetime(v)
            if why:
                found.append((path, f"date-time {why}"))
        elif t is not bool and t is not date:
            # The wording of `to_dict` and `canonical_json`; TOML names itself.
            what = "expected a JSON value, found" if fmt == "JSON" else "TOML cannot hold"
            found.append((path, f"{what} {describe(v)}"))
    return sorted(found, key=lambda e: _order(e[0]))


def _toml_clean(data: dict[str, Any], max_nesting: int) -> bool:
    """Whether `_problems` would find nothing for TOML: the same tests, no paths kept.

    Most documents are clean, and building a path for every value was most of
    the cost of writing TOML beside tomli-w's own; so is a call per value.
    """
    lowest, highest = _INT_MIN, _INT_MAX["TOML"]
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth >= max_nesting:
            return False
        depth += 1
        if type(value) is dict:
            for k in value:
                if type(k) is not str or (not k.isascii() and check_str(k)):
                    return False
            value = value.values()
        for v in value:
            t = type(v)
            if t is str:
                if not v.isascii() and check_str(v):
                    return False
            elif t is dict or t is list:
                stack.append((v, depth))
            elif t is int:
                if not lowest <= v <= highest:
                    return False
            elif t is float:
                if not math.isfinite(v):
                    return False
            elif t is datetime:
                if check_datetime(v) is not None:
                    return False
            elif t is not bool and t is not date:
                return False
    return True


def _order(path: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", path) if p]


# ------------------------------------------------------------------ registry

_BUILTIN: dict[str, Any] = {"json": JsonFormat(), "toml": TomlFormat()}
_FORMATS: dict[str, Any] = dict(_BUILTIN)
_PLUGINS_LOADED = False
# Held while plug-ins load: a thread arriving meanwhile waits for the whole registry
# (re-entrant, so a plug-in that looks something up while it loads does not wait on itself).
_PLUGINS_LOCK = threading.RLock()
_plugins_loading = False


def register_format(fmt: Any, *, replace: bool = False) -> None:
    """Add a format to the registry.

    Args:
        fmt: An object with ``name``, ``extensions``, ``dumps`` and ``loads``.
        replace: Allow replacing a plug-in format of the same name. The
            built-in ``json`` and ``toml`` cannot be replaced.
    """
    for attr in ("name", "extensions", "dumps", "loads"):
        if not hasattr(fmt, attr):
            raise ManifestError(f"a format needs a {attr!r} attribute; {fmt!r} has none")
    name = fmt.name
    if name in _BUILTIN or (name in _FORMATS and not replace):
        raise ManifestError(f"a format named {name!r} is already registered")
    _FORMATS[name] = fmt


def format_loads(fmt: Any, data: bytes) -> Any:
    """``fmt.loads(data)``; a plug-in's own exception becomes a `FormatError` naming it.

    The built-in formats raise nothing but manifestkit's errors, and are called as they are.
    """
    if type(fmt) in _BUILTIN_TYPES:
        return fmt.loads(data)
    try:
        return fmt.loads(data)
    except ManifestError:
        raise
    except Exception as exc:  # any plug-in error, chained for its traceback
        raise FormatError(f"{type(exc).__name__}: {exc}", format=fmt.name) from exc


def format_dumps(fmt: Any, data: Any) -> bytes:
    """``fmt.dumps(data)``, checked to be bytes; a plug-in's own exception is reported."""
    if type(fmt) in _BUILTIN_TYPES:
        out: bytes = fmt.dumps(data)
        return out
    title = f"cannot write {fmt.name}"
    try:
        written = fmt.dumps(data)
    except ManifestError:
        raise
    except Exception as exc:  # any plug-in error, chained for its traceback
        raise ValidationError([("", f"{type(exc).__name__}: {exc}")], title=title) from exc
    if not isinstance(written, bytes):
        found = f"the format returned {type(written).__name__}, not bytes"
        raise ValidationError([("", found)], title=title)
    return written


_BUILTIN_TYPES = (JsonFormat, TomlFormat)


def _load_plugins() -> None:
    if _PLUGINS_LOADED:
        return
    with _PLUGINS_LOCK:
        _load_plugins_once()


def _load_plugins_once() -> None:
    global _PLUGINS_LOADED, _plugins_loading
    if _PLUGINS_LOADED or _plugins_loading:
        return
    _plugins_loading = True
    # importlib.metadata (with email, zipfile...) costs a bare `import manifestkit`
    # a third of its time: it is imported when a plug-in format is first looked up.
    import importlib.metadata  # noqa: PLC0415

    try:
        for ep in importlib.metadata.entry_points(group="manifestkit.formats"):
            if ep.name in _FORMATS:
                continue
            try:
                obj = ep.load()
                fmt = obj() if isinstance(obj, type) else obj
            except Exception as exc:  # noqa: BLE001 - a broken plug-in must say which
                raise ManifestError(
                    f"cannot load format plug-in {ep.name!r} ({ep.value}): {exc}"
                ) from None
            _FORMATS.setdefault(ep.name, fmt)
    finally:
        _PLUGINS_LOADED = True
        _plugins_loading = False


def formats() -> Mapping[str, Any]:
    """Every known format by name, plug-ins included (a read-only copy)."""
    _load_plugins()
    return dict(_FORMATS)


def get_format(name: str) -> Any:
    """Return the format registered under ``name``; raise FormatError if there is none."""
    fmt = _FORMATS.get(name)
    if fmt is None:
        _load_plugins()
        fmt = _FORMATS.get(name)
    if fmt is None:
        known = ", ".join(sorted(_FORMATS))
        raise FormatError(f"no format named {name!r} (known: {known})")
    return fmt


def format_for_path(path: str) -> Any | None:
    """The format whose extension ends ``path`` (longest match wins), or None."""
    lower = path.lower()
    best = None
    best_len = 0
    for fmt in formats().values():
        for ext in fmt.extensions:
            if lower.endswith(ext.lower()) and len(ext) > best_len:
                best, best_len = fmt, len(ext)
    return best
