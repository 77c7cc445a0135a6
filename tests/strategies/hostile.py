"""Hostile documents: valid manifests, mutated the ways broken and malicious files are.

`TARGETS` (tests/strategies/targets.py, re-exported here) is the table every
fuzzing suite runs over: one `Target` per document class of the core's test
schemas and of every schema pack.

`hostile_documents(target)` draws a sample, turns it into JSON or TOML bytes and
mutates it: structurally first (missing and extra keys, type swaps, deep nesting,
huge numbers, NaN and Infinity spellings, duplicate keys), then as text (bit
flips, truncation, inserted tokens, byte order marks, invalid UTF-8, lone
surrogates). Each `Hostile` remembers the paths it broke, so a test can check
that a `ValidationError` names one of them.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

import tomli_w
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit._errors import index_segment, join_path, key_segment
from manifestkit._io import _header
from manifestkit._model import get_plan

from .targets import TARGETS, Target, read_samples

__all__ = [
    "TARGETS",
    "Hostile",
    "Target",
    "hostile_documents",
    "mutated_text",
    "read_samples",
    "related",
]

# --------------------------------------------------------------------- values

SENTINEL = "mkfuzzsentinel"
_SENTINEL_VALUE = re.compile(r'"mkfuzzsentinel(\d+)"')
_SENTINEL_KEY = re.compile(r'"?mkfuzzkey(\d+)"?')

NON_FINITE = [
    "NaN",
    "-NaN",
    "nan",
    "+nan",
    "-nan",
    "Infinity",
    "-Infinity",
    "+Infinity",
    "inf",
    "+inf",
    "-inf",
    "1e999",
    "-1e999",
    "1E400",
    "1e-999",
]
HUGE_NUMBERS: list[Any] = [
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    -(2**63),
    -(2**63) - 1,
    10**30,
    -(10**30),
    1.7976931348623157e308,
    5e-324,
    2.0**63,
    2.0**64,
]
HUGE_LITERALS = ["1" + "0" * 400, "-" + "9" * 5000, "0x7fffffffffffffff", "1_000", "01", ".5", "5."]
# Old versions of the test schemas among them (1, 2, "1.0"): a swap into a version field
# sends a broken document through the migrations.
SWAPS: list[Any] = [None, True, False, 0, 1, 2, -1, 1.5, -0.0, "", "x", "1.0", "2026-05-14"]
SWAPS += [[], [1], {}, {"a": 1}]
EXTRA_KEYS = ["extra", "label", "kind", "name", "__class__", "schema_version", "", "\u00e9", "a b"]


@dataclass
class Hostile:
    """A mutated document: its bytes (or text), its format, and what was broken."""

    data: bytes | str
    format: str
    broken: list[str] = field(default_factory=list)
    """Paths changed by structural mutations (empty after text mutations)."""
    text_mutated: bool = False
    version_touched: bool = False


def _places(value: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every (path, parent, key) in plain data; the root has parent None."""
    out: list[tuple[str, Any, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            p = join_path(path, key_segment(k))
            out.append((p, value, k))
            out.extend(_places(v, p))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            p = join_path(path, index_segment(i))
            out.append((p, value, i))
            out.extend(_places(v, p))
    return out


def _fresh(draw: st.DrawFn, values: list[Any]) -> Any:
    # A copy: later mutations change what they insert, and the table must stay as it is.
    return copy.deepcopy(draw(st.sampled_from(values)))


def _deep(kind: str, depth: int, fmt: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    if fmt == "json":
        return '{"a":' * depth + "1" + "}" * depth
    return "{a=" * depth + "1" + "}" * depth


def _versions(current: str | int | None) -> list[Any]:
    """Versions around a class's own: older and newer majors and minors, and nonsense."""
    if isinstance(current, int):
        return [current - 2, current - 1, current + 1, current + 10, 0, -1, str(current)]
    major, minor = (int(x) for x in str(current).split(".")[:2])
    return [
        f"{major - 1}.0",
        f"{max(major - 1, 0)}.9.9",
        f"{major}.{minor + 1}.0",
        f"{major + 1}.0.0",
        f"{major}",
        f"{major}.{minor}.x",
        f"v{major}.{minor}",
        "9" * 30 + ".0",
        "1" * 5000 + ".0",
        major,
    ]


@dataclass
class _Mutation:
    """The state of one document's structural mutations."""

    doc: Any
    fmt: str
    raw: dict[str, str] = field(default_factory=dict)
    """Text to put in place of each sentinel, in the serialised document."""
    broken: list[str] = field(default_factory=list)

    def sentinel(self, text: str) -> str:
        n = len(self.raw)
        self.raw[str(n)] = text
        return f"{SENTINEL}{n}"


def _add_member(draw: st.DrawFn, m: _Mutation, duplicate: bool) -> None:
    tables = [("", m.doc)] if isinstance(m.doc, dict) else []
    tables += [(p, parent[k]) for p, parent, k in _places(m.doc) if isinstance(parent[k], dict)]
    if not tables:
        return
    where, table = draw(st.sampled_from(tables))
    if not duplicate:
        key = draw(st.sampled_from(EXTRA_KEYS) | st.text(max_size=5))
        if key not in table:
            table[key] = _fresh(draw, SWAPS)
            m.broken.append(join_path(where, key_segment(key)))
    elif table:
        # A second member with the name of an existing one, written as a sentinel key
        # and renamed in the text (JSON keeps the last one; TOML refuses it).
        existing = draw(st.sampled_from(sorted(table)))
        n = len(m.raw)
        table[f"mkfuzzkey{n}"] = _fresh(draw, SWAPS[1:])
        m.raw[f"key{n}"] = json.dumps(existing)
        m.broken.append(join_path(where, key_segment(existing)))


def _shift(broken: list[str], list_path: str, deleted: int) -> None:
    """Renumber broken places after the item they follow in a list was deleted."""
    prefix = f"{list_path}["
    for n, b in enumerate(broken):
        found = re.match(r"(\d+)\]", b[len(prefix) :]) if b.startswith(prefix) else None
        if found and int(found[1]) > deleted:
            broken[n] = f"{prefix}{int(found[1]) - 1}]{b[len(prefix) + len(found[0]) :]}"


def _change_value(draw: st.DrawFn, m: _Mutation, action: str) -> None:
    places = _places(m.doc)
    if not places:
        return
    path, parent, key = draw(st.sampled_from(places))
    if action == "delete":
        del parent[key]
        if isinstance(parent, list):
            _shift(m.broken, path[: -len(index_segment(key))], key)
    elif action == "swap":
        parent[key] = _fresh(draw, SWAPS)
    elif action == "huge":
        parent[key] = draw(st.sampled_from(HUGE_NUMBERS))
    elif action == "deep":
        kind = draw(st.sampled_from(["array", "table"]))
        depth = draw(st.sampled_from([50, 99, 101, 300, 1100]))
        parent[key] = m.sentinel(_deep(kind, depth, m.fmt))
    else:
        parent[key] = m.sentinel(draw(st.sampled_from(NON_FINITE + HUGE_LITERALS)))
    m.broken.append(path)


ACTIONS = ["delete", "extra", "swap", "deep", "huge", "raw", "duplicate", "root", "version"]


@st.composite
def _structural(
    draw: st.DrawFn, plain: dict[str, Any], fmt: str, version: tuple[str, Any] | None
) -> _Mutation:
    """Mutate plain data in place, up to three times."""
    m = _Mutation(plain, fmt)
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(ACTIONS))
        if action == "version":
            # Another version sends the document through the migrations, or is refused.
            if version is not None and isinstance(m.doc, dict):
                key, current = version
                m.doc[key] = draw(st.sampled_from(_versions(current)))
                m.broken.append(key)
        elif action == "root":
            m.doc = _fresh(draw, SWAPS)
            m.broken.append("")
        elif action in ("extra", "duplicate"):
            _add_member(draw, m, duplicate=action == "duplicate")
        else:
            _change_value(draw, m, action)
    return m


def _serialise(doc: Any, fmt: str, raw: dict[str, str], header: str) -> bytes | None:
    if fmt == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=1, default=lambda v: v.isoformat())
    else:
        try:
            text = header + tomli_w.dumps(doc)
        except (TypeError, ValueError, AttributeError):
            return None  # null, or a root that is not a table: TOML cannot say it
    text = _SENTINEL_VALUE.sub(lambda m: raw[m[1]], text)
    text = _SENTINEL_KEY.sub(lambda m: raw[f"key{m[1]}"], text)
    return text.encode("utf-8", "surrogatepass")


TOKENS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b'"',
    b"'",
    b"=",
    b".",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"\\udfff",
    b"\\U0010ffff",
    b"\n[",
    b"\n[[a]]\n",
    b"\n[a.b]\n",
    b'"""',
    b"'''",
    b"#",
    b"null",
    b"true",
    b"nan",
    b"-inf",
    b"Infinity",
    b"1e309",
    b"-0",
    b"\x00",
    b"\x1f",
    b"\r",
    b"\t",
    b"\xef\xbb\xbf",
    b"a.b.c = 1\n",
    b"1979-05-27T07:32:00Z",
    b"00:00:00",
]
BAD_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc0\x80",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
]


@st.composite
def mutated_text(draw: st.DrawFn, data: bytes) -> bytes | str:
    """Bytes broken as text: bit flips, cuts, inserted tokens, BOMs, bad UTF-8, surrogates."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(
            st.sampled_from(["flip", "truncate", "insert", "bom", "utf8", "surrogate", "delete"])
        )
        at = draw(st.integers(0, len(buf)))
        if action == "flip" and buf:
            i = min(at, len(buf) - 1)
            buf[i] ^= 1 << draw(st.integers(0, 7))
        elif action == "truncate":
            del buf[at:]
        elif action == "delete":
            del buf[at : at + draw(st.integers(1, 8))]
        elif action == "insert":
            buf[at:at] = draw(st.sampled_from(TOKENS))
        elif action == "bom":
            buf[0:0] = b"\xef\xbb\xbf"
        elif action == "utf8":
            buf[at:at] = draw(st.sampled_from(BAD_UTF8))
        else:
            # A lone surrogate handed over as text: it cannot be UTF-8 at all.
            text = bytes(buf).decode("utf-8", "surrogateescape")
            cut = min(at, len(text))
            surrogate = chr(draw(st.integers(0xD800, 0xDFFF)))
            return text[:cut] + surrogate + text[cut:]
    return bytes(buf)


@st.composite
def hostile_documents(draw: st.DrawFn, target: Target) -> Hostile:
    """A document of ``target``'s class in one of its formats, mutated."""
    obj = draw(target.manifests())
    fmt = draw(st.sampled_from(target.formats))
    info = mk.schema_info(target.cls)
    version_key = None
    if info.version_field is not None:
        version_key = get_plan(target.cls).by_name[info.version_field].key
    plain = mk.to_dict(obj)
    header = _header(target.cls, "#").decode()
    version = (version_key, info.version) if version_key is not None else None
    m = draw(_structural(plain, fmt, version))
    broken = m.broken
    data = _serialise(m.doc, fmt, m.raw, header) if broken else None
    if data is None:
        try:
            data = mk.dumps(obj, fmt)
        except mk.ValidationError:
            data = mk.dumps(obj, "json")
            fmt = "json"
        broken = []
    hostile = Hostile(data, fmt, broken)
    hostile.version_touched = version_key is not None and any(
        p in ("", version_key) or p.startswith(version_key + "[") for p in broken
    )
    if not broken or draw(st.booleans()):
        hostile.data = draw(mutated_text(data))
        hostile.text_mutated = True
    return hostile


def _within(path: str, outer: str) -> bool:
    return outer in ("", path) or (path.startswith(outer) and path[len(outer)] in ".[")


_SEGMENT = re.compile(r'\.?[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\]')


def _parent(path: str) -> str:
    return "".join(_SEGMENT.findall(path)[:-1])


def related(path: str, broken: str) -> bool:
    """Whether an error at ``path`` is about the thing changed at ``broken``.

    The same place, a place inside it, an object holding it (a union that no
    longer fits), a field beside it or beside an object holding it (a
    class-level check relating two fields, such as a state that must be the
    last entry of a history), or a place inside the item next to an item
    holding it (a check on each step of a sequence, such as a transition).
    """
    if _within(path, broken) or _within(broken, path):
        return True
    segments = _SEGMENT.findall(broken)
    holders = ["".join(segments[: n + 1]) for n in range(len(segments))]
    if any(_parent(h) == _parent(path) for h in holders):
        return True
    for h in holders:
        item = _ITEM.fullmatch(h)
        if item is not None:
            i = int(item[2])
            neighbours = (f"{item[1]}[{i - 1}]", f"{item[1]}[{i + 1}]")
            if any(_within(path, n) for n in neighbours):
                return True
    return False


_ITEM = re.compile(r"(.*)\[(\d+)\]")
