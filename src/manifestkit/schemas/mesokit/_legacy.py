"""mesokit-schema's own content hash, reproduced for provenance chains it wrote.

mesokit-schema hashes a manifest as the sha256 of Python's
``json.dumps(model_dump(mode="json"), sort_keys=True, separators=(",", ":"))``:
every field present (defaults and nulls included), keys sorted by code point,
non-ASCII escaped, floats as Python's ``repr`` writes them, and date-times as
pydantic writes them. That is not RFC 8785, so manifestkit's own
`manifestkit.content_hash` differs from it; this module computes the legacy
value from a typed manifest so that hashes already recorded by that package
can be checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

import manifestkit as mk

from ._models import MIGRATED_VERSION, PACK_CLASSES

__all__ = ["mesokit_content_hash", "pydantic_datetime", "stored_hash"]


def pydantic_datetime(value: datetime) -> str:
    """Write a datetime the way pydantic 2 does in JSON mode.

    ``YYYY-MM-DDTHH:MM:SS``, then ``.ffffff`` only when there are
    microseconds, then ``Z`` for a zero offset, ``+HH:MM`` for any other,
    nothing for a naive value.

    >>> from datetime import timezone
    >>> pydantic_datetime(datetime(2026, 5, 14, 10, 0, 0, 250000, tzinfo=timezone.utc))
    '2026-05-14T10:00:00.250000Z'
    """
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    offset = value.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return text + "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{rest:02d}"


def _json_text(value: Any) -> str:
    # What model_dump(mode="json") holds is the wire form with every field and
    # date-times as text: the encoders ask for the text of each date-time here.
    if isinstance(value, datetime):
        return pydantic_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not plain data")  # pragma: no cover


_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
# A number orjson writes differently from Python's repr: a decimal below 1e-4
# (repr: 1e-05) or a one-digit negative exponent (repr: 1e-07). In compact JSON a
# number follows ':', ',' or '['; text inside a string that looks so only costs
# the slower path.
_REPR_DIFFERS = re.compile(rb"[:,\[]-?(?:0\.0000|[0-9][0-9.]*e-[0-9](?![0-9]))")


def _digest(data: dict[str, Any]) -> str:
    # orjson writes the same bytes as json.dumps(sort_keys=True, separators=(",", ":"))
    # when they are printable ASCII (json escapes DEL and all that is not ASCII) and
    # hold no number the two format differently; otherwise the standard library writes them.
    try:
        raw = orjson.dumps(data, default=_json_text, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:  # an integer past 64 bits, for one
        raw = b""
    if not raw or not raw.isascii() or b"\x7f" in raw or _REPR_DIFFERS.search(raw):
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=_json_text)
        raw = text.encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def _full_dump(manifest: object) -> dict[str, Any]:
    if type(manifest) not in PACK_CLASSES:
        found = f"found a value of type {type(manifest).__name__}"
        raise mk.ValidationError(
            [("", f"expected a mesokit manifest or block, {found}")],
            title="cannot compute the mesokit-schema hash",
        )
    return mk.to_dict(manifest, include_defaults=True)


def mesokit_content_hash(manifest: object) -> str:
    """The hash mesokit-schema's ``content_hash()`` gives for the same document.

    Use it to check or extend provenance chains written with mesokit-schema;
    for new chains, `manifestkit.content_hash` (RFC 8785) is the library's
    hash. Fields a newer minor version added, which this pack preserved
    without knowing them, are hashed as they were read.

    Args:
        manifest: An instance of one of this pack's classes.

    Returns:
        The sha256 hex digest.

    Raises:
        ValidationError: ``manifest`` is not one of this pack's classes.
    """
    return _digest(_full_dump(manifest))


def stored_hash(manifest: Any, path: str | os.PathLike[str]) -> str:
    """The mesokit-schema hash of a document as it is stored in ``path``.

    The same as `mesokit_content_hash` except for a 0.4 document, which is
    migrated to version 1.0.0 when read: mesokit-schema keeps the version the
    file carries, so the hash is taken with that version.
    """
    data = _full_dump(manifest)
    if data.get("schema_version") == MIGRATED_VERSION:
        found = _stored_version(Path(path))
        if isinstance(found, str):
            data["schema_version"] = found
    return _digest(data)


def _stored_version(path: Path) -> Any:
    # Only reached for documents that read as 1.0.0, a version mesokit-schema
    # never released: in practice, migrated 0.4 files. Read the version as written.
    suffix = path.suffix.lower()
    fmt = next(
        (f for f in mk.formats().values() if suffix in getattr(f, "extensions", ())),
        mk.get_format("json"),
    )
    try:
        plain = fmt.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - a plug-in format may raise anything; see below
        # Best effort: a file that cannot be read again (gone, changed, or a
        # plug-in format's own error) keeps the migrated version.
        return None
    return plain.get("schema_version") if isinstance(plain, dict) else None
