"""Field-level differences between two documents of one schema, by path.

Two documents are compared through their wire forms with every default
written out, so a field left out in one file and written with its default
value in the other is no difference. Values are compared by their canonical
JSON, so the differences are empty exactly when the content hashes are equal
(``-0.0`` and ``0.0`` are the same value there; two date-times for the same
instant with different offsets are not).
"""

from __future__ import annotations

from typing import Any

import orjson

from ._canonical import canonical_json
from ._errors import index_segment, join_path, key_segment
from ._io import to_dict
from ._rfc3339 import ORJSON_DATETIME

__all__ = ["ABSENT", "Difference", "diff_documents", "diff_plain", "show_value"]


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""Stands for a value one side does not have (a dict key, a list item)."""

Difference = tuple[str, Any, Any]
"""``(path, value in A, value in B)``; either value may be `ABSENT`."""


def diff_documents(a: Any, b: Any) -> list[Difference]:
    """Differences between two manifest instances, in document order."""
    return diff_plain(to_dict(a, include_defaults=True), to_dict(b, include_defaults=True))


def diff_plain(a: Any, b: Any, path: str = "") -> list[Difference]:
    """Differences between two plain values, in document order."""
    out: list[Difference] = []
    _walk(a, b, path, out)
    return out


def _walk(a: Any, b: Any, path: str, out: list[Difference]) -> None:
    if type(a) is dict and type(b) is dict:
        for key in a:
            sub = join_path(path, key_segment(key))
            if key in b:
                _walk(a[key], b[key], sub, out)
            else:
                out.append((sub, a[key], ABSENT))
        out.extend((join_path(path, key_segment(k)), ABSENT, v) for k, v in b.items() if k not in a)
        return
    if type(a) is list and type(b) is list:
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _walk(x, y, join_path(path, index_segment(i)), out)
        n = min(len(a), len(b))
        out.extend((join_path(path, index_segment(i)), x, ABSENT) for i, x in enumerate(a[n:], n))
        out.extend((join_path(path, index_segment(i)), ABSENT, y) for i, y in enumerate(b[n:], n))
        return
    if canonical_json(a) != canonical_json(b):
        out.append((path, a, b))


def show_value(value: Any, width: int = 60) -> str:
    """A value as one line of JSON text, clipped to about ``width`` characters."""
    if value is ABSENT:
        return "(absent)"
    text = orjson.dumps(value, option=ORJSON_DATETIME | orjson.OPT_NON_STR_KEYS).decode()
    return text if len(text) <= width else text[: width - 3] + "..."
