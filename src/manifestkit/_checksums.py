r"""Checksum files in the format of GNU ``sha256sum`` (coreutils 9.1).

One line per file: the lowercase hex digest, two spaces (text mode) and the
file name, relative and POSIX. A name holding a backslash, a line feed or a
carriage return is escaped (``\\``, ``\n``, ``\r``) and its line starts with a
backslash, exactly as ``sha256sum`` writes it, so ``sha256sum -c`` reads what
`format_checksums` writes and `parse_checksums` reads what ``sha256sum``
writes. Names are bytes on disk: they are encoded with `os.fsencode`, so a name
that is not valid UTF-8 survives the round trip.

Reading is strict where ``sha256sum -c --strict`` is: a line it would call
improperly formatted is a `FormatError` naming the line. Like ``sha256sum``,
reading skips empty lines and ``#`` comments, drops a trailing carriage return,
accepts leading blanks, the binary-mode marker ``*``, the single-space form
(not mixed with the usual one in a file) and the tagged form
``SHA256 (name) = digest``. A name must also be a safe relative path
(`relative_path_problem`): the file never leads a reader out of its folder.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable

import attrs

from ._errors import FormatError
from ._paths import relative_path_problem

__all__ = [
    "ChecksumEntry",
    "format_checksums",
    "format_line",
    "parse_checksums",
    "quote_name",
    "show_name",
]

FORMAT = "sha256sum"
_HEX = re.compile(rb"[0-9A-Fa-f]{64}")
_ESCAPES = {b"\\": b"\\\\", b"\n": b"\\n", b"\r": b"\\r"}
_UNESCAPES = {ord("\\"): b"\\", ord("n"): b"\n", ord("r"): b"\r"}
_TAG = b"SHA256 ("


@attrs.frozen
class ChecksumEntry:
    """One line of a checksum file: a file name, its digest and the line number."""

    name: str
    digest: str
    line: int


def _escape(raw: bytes) -> tuple[bool, bytes]:
    if not any(c in raw for c in _ESCAPES):
        return False, raw
    out = raw.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
    return True, out


def format_line(name: str, digest: str) -> bytes:
    r"""One line of a checksum file, with its newline, as ``sha256sum`` writes it.

    >>> format_line("raw data/a b.bin", "ab" * 32)[-19:]
    b'  raw data/a b.bin\n'
    >>> line = format_line("odd\\name", "00" * 32)
    >>> line[:3], line[-12:]
    (b'\\00', b'  odd\\\\name\n')
    """
    # sha256sum -c reads a file named "-" as standard input; "./-" is the file.
    escaped, raw = _escape(os.fsencode("./-" if name == "-" else name))
    return (b"\\" if escaped else b"") + digest.lower().encode("ascii") + b"  " + raw + b"\n"


def format_checksums(entries: Iterable[tuple[str, str]]) -> bytes:
    """The whole checksum file for ``(name, digest)`` pairs, sorted by the names' bytes."""
    ordered = sorted(entries, key=lambda e: os.fsencode(e[0]))
    return b"".join(format_line(name, digest) for name, digest in ordered)


def _unescape(raw: bytes) -> bytes | None:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        if i + 1 == len(raw) or raw[i + 1] not in _UNESCAPES:
            return None
        out += _UNESCAPES[raw[i + 1]]
        i += 2
    return bytes(out)


class _Malformed(Exception):
    """A line ``sha256sum -c --strict`` would call improperly formatted."""


def _split_tagged(line: bytes) -> tuple[bytes, bytes]:
    close = line.rfind(b")")
    if close < len(_TAG) or not line.startswith(b" = ", close + 1):
        raise _Malformed("expected SHA256 (NAME) = DIGEST")
    return line[close + 4 :], line[len(_TAG) : close]


def _split_line(line: bytes, reversed_: list[bool | None]) -> tuple[bytes, bytes, bool]:
    """Split a line into (digest, raw name, escaped)."""
    line = line.lstrip(b" \t")
    escaped = line.startswith(b"\\")
    if escaped:
        line = line[1:]
    if line.startswith(_TAG):
        digest, name = _split_tagged(line)
        return digest, name, escaped
    m = _HEX.match(line)
    if m is None or len(line) == 64 or line[64:65] not in (b" ", b"\t"):
        raise _Malformed("expected a 64-digit hex sha256 digest, a space and a file name")
    rest = line[65:]
    if reversed_[0] is True or len(rest) <= 1 or rest[:1] not in (b" ", b"*"):
        # The single-space form ("DIGEST NAME"). As in sha256sum, once a file
        # uses it every later line does (a name may then start with a blank or
        # '*'), and a file that began with the usual form may not switch to it.
        if reversed_[0] is False:
            raise _Malformed("a single space after the digest, in a file that uses two")
        reversed_[0] = True
        return m[0], rest, escaped
    reversed_[0] = False
    return m[0], rest[1:], escaped


def _parse_line(line: bytes, reversed_: list[bool | None]) -> tuple[str, str]:
    """The (name, lowercase digest) of one checksum line, or raise `_Malformed`."""
    digest, raw, escaped = _split_line(line, reversed_)
    if escaped:
        unescaped = _unescape(raw)
        if unescaped is None:
            raise _Malformed("a backslash in an escaped name must be followed by \\, n or r")
        raw = unescaped
    if not _HEX.fullmatch(digest):
        raise _Malformed("expected a 64-digit hex sha256 digest")
    name = os.fsdecode(raw)
    problem = relative_path_problem(name)
    if problem is not None:
        raise _Malformed(problem)
    return _normalise(name), digest.decode("ascii").lower()


def parse_checksums(data: bytes, source: str = "") -> list[ChecksumEntry]:
    """Read a checksum file; names are decoded with `os.fsdecode`.

    Raises:
        FormatError: A line is not a checksum line, escapes a name wrongly,
            names an unsafe path, or names a file a second time (the first
            such line is reported, with its number).
    """
    entries: list[ChecksumEntry] = []
    seen: dict[str, int] = {}
    reversed_: list[bool | None] = [None]
    for number, line in enumerate(data.split(b"\n"), start=1):
        line = line.removesuffix(b"\r")  # noqa: PLW2901 - the line, less its CR
        if not line or line.startswith(b"#"):
            continue
        try:
            name, digest = _parse_line(line, reversed_)
        except _Malformed as exc:
            raise FormatError(str(exc), format=FORMAT, line=number, source=source) from None
        first = seen.setdefault(name, number)
        if first != number:
            raise FormatError(
                f"path {quote_name(name)} is listed twice (first on line {first})",
                format=FORMAT,
                line=number,
                source=source,
            )
        entries.append(ChecksumEntry(name, digest, number))
    return entries


def _normalise(name: str) -> str:
    """``./a//b`` names the file ``a/b``: drop empty and ``.`` segments (never ``..``)."""
    if "/." not in name and "//" not in name and not name.startswith("./"):
        return name
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return "/".join(parts) if parts else name


def quote_name(name: str) -> str:
    r"""A file name in double quotes, with control characters escaped as in JSON.

    >>> print(quote_name('a "b"\tc'))
    "a \"b\"\tc"
    """
    text = json.dumps(name, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a name that is not valid UTF-8 on disk
        text = json.dumps(name)
    return text


def show_name(name: str) -> str:
    r"""A file name as one line of output shows it.

    As is, or quoted (`quote_name`) when it holds anything that would make the
    line ambiguous: control characters, a backslash, leading or trailing
    blanks, bytes that are not UTF-8.

    >>> print(show_name("raw/a b.bin"), show_name("new\nline"))
    raw/a b.bin "new\nline"
    """
    if name and name.isprintable() and "\\" not in name and name.strip() == name:
        return name
    return quote_name(name)
