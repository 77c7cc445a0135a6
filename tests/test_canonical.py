"""RFC 8785 canonical JSON and content hashes.

The oracles here are independent of the code under test: the number vectors
and the RFC examples' outputs were produced by Node.js (ECMAScript's own
Number.prototype.toString and JSON.stringify); `_jcs` below is a separate,
straightforward RFC 8785 serializer over data parsed by the standard library.
"""

from __future__ import annotations

import hashlib
import json
import math
import pathlib
import struct
from datetime import date, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
import manifestkit._demo
from manifestkit._canonical import es6_number
from manifestkit._rfc3339 import ORJSON_DATETIME
from manifestkit._values import Problems
from models import Cache, Inner, Kitchen, Small
from strategies import INT64, KEYS, caches, json_objects, json_values, kitchens

DATA = pathlib.Path(__file__).parent / "data" / "core"
VECTORS = [line.split(" ", 1) for line in (DATA / "es6_numbers.txt").read_text().splitlines()]


def _double(hex_bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(hex_bits))[0]
    return value


def test_es6_number_matches_node_on_6000_doubles() -> None:
    wrong = [
        (h, es6_number(_double(h)), text) for h, text in VECTORS if es6_number(_double(h)) != text
    ]
    assert wrong == []
    assert len(VECTORS) == 6000


def test_canonical_numbers_match_node() -> None:
    # Includes RFC 8785 appendix B: 1e+21, 0.000001, 295147905179352830000, -0 as 0.
    wrong = []
    for h, text in VECTORS:
        got = mk.canonical_json([_double(h)])
        if got != f"[{text}]".encode():
            wrong.append((h, got, text))
    assert wrong == []


@pytest.mark.parametrize("name", ["arrays", "french", "structures", "unicode", "values", "weird"])
def test_rfc8785_examples(name: str) -> None:
    source = json.loads((DATA / "rfc8785" / f"{name}.json").read_text(encoding="utf-8"))
    expected = (DATA / "rfc8785" / f"{name}.canonical").read_bytes()
    assert mk.canonical_json(source) == expected


def _jcs(value: Any) -> str:
    """An independent RFC 8785 serializer (numbers via the Node-checked formatter)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return (
            "{"
            + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _jcs(value[k]) for k in keys)
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_jcs(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    return es6_number(value)


@given(kitchens())
def test_hash_equals_sha256_of_jcs_of_the_written_json_file(k: Kitchen) -> None:
    # DESIGN rule 1: any language with an RFC 8785 library can recompute the hash.
    text = mk.dumps(k, "json").decode("utf-8")
    expected = hashlib.sha256(_jcs(json.loads(text)).encode("utf-8")).hexdigest()
    assert mk.content_hash(k) == expected


@given(json_values())
def test_plain_data_matches_the_independent_serializer(value: Any) -> None:
    assert mk.canonical_json(value) == _jcs(value).encode("utf-8")


def _reversed_order(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_order(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_order(v) for v in value]
    return value


@given(json_values())
def test_insertion_order_does_not_matter(value: Any) -> None:
    assert mk.canonical_json(_reversed_order(value)) == mk.canonical_json(value)


@given(st.lists(KEYS, min_size=2, max_size=6, unique=True))
def test_keys_sort_by_utf16_code_units(keys: list[str]) -> None:
    out = json.loads(mk.canonical_json(dict.fromkeys(keys, 0)))
    assert list(out) == sorted(keys, key=lambda k: k.encode("utf-16-be"))


def test_supplementary_characters_sort_before_the_end_of_the_bmp() -> None:
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FB33 (code point order says after).
    assert (
        mk.canonical_json({"\ufb33": 1, "\U0001f600": 2}) == '{"\U0001f600":2,"\ufb33":1}'.encode()
    )


@given(INT64)
def test_integers_keep_all_their_digits(n: int) -> None:
    assert mk.canonical_json(n) == str(n).encode()


def test_integral_floats_are_written_as_integers() -> None:
    assert mk.canonical_json([30.0, -0.0, 2.0**53, 1e16, 1e21, 1.5e-6]) == (
        b"[30,0,9007199254740992,10000000000000000,1e+21,0.0000015]"
    )


def test_datetimes_are_written_as_json_files_write_them() -> None:
    utc = timezone.utc
    assert mk.canonical_json(
        [
            datetime(2026, 5, 14, 10, tzinfo=utc),
            datetime(2026, 5, 14, 10, 0, 0, 250000, tzinfo=utc),
            datetime(2026, 5, 14, 10, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
            datetime(2026, 5, 14, 10),
            date(2026, 5, 14),
        ]
    ) == (
        b'["2026-05-14T10:00:00Z","2026-05-14T10:00:00.250000Z","2026-05-14T10:00:00-05:30",'
        b'"2026-05-14T10:00:00","2026-05-14"]'
    )


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ({"a": [1, math.nan]}, [("a[1]", "expected a finite number, found a number (nan)")]),
        ({"a": {"b": math.inf}}, [("a.b", "expected a finite number, found a number (inf)")]),
        (
            {"s": ["ok", "\ud800"]},
            [("s[1]", "string contains a lone surrogate (\\ud800), which UTF-8 cannot encode")],
        ),
        ({"k": {1: 2}}, [("k", "object keys must be strings, found a key that is an integer (1)")]),
        ({"t": (1, 2)}, [("t", "expected a JSON value, found a tuple")]),
        (
            {"n": 2**64},
            [
                (
                    "n",
                    "expected an integer that fits in 64 bits, found an integer (18446744073709551616)",
                )
            ],
        ),
    ],
)
def test_what_json_cannot_hold_is_refused_with_its_path(
    value: Any, errors: list[tuple[str, str]]
) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.canonical_json(value)
    assert info.value.errors == errors


def test_a_lone_surrogate_key_is_refused_with_its_path() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.canonical_json({"a": {"\ud800x": 1, "\U0001f600": 2}})
    assert info.value.errors == [
        ('a["\\ud800x"]', "key contains a lone surrogate (\\ud800), which UTF-8 cannot encode")
    ]


def test_too_deep_plain_data_is_refused() -> None:
    deep: Any = 1
    for _ in range(200):
        deep = [deep]
    with pytest.raises(mk.ValidationError) as info:
        mk.canonical_json(deep)
    assert info.value.errors[0][1] == "nested deeper than 100 levels"


@given(kitchens())
def test_a_manifest_hashes_like_its_wire_form(k: Kitchen) -> None:
    assert mk.canonical_json(k) == mk.canonical_json(mk.to_dict(k))


@given(kitchens(), caches(), json_objects())
def test_the_generated_canonical_form_agrees_with_the_path_tracking_one(
    k: Kitchen, c: Cache, unknown: dict[str, Any]
) -> None:
    # The generated function is the fast path; the interpretive one reports errors with paths.
    # Both must write the same bytes for every valid value, preserved unknown fields included.
    from manifestkit._canonical import _FAST, _KEYS_CHECKED, _fast_json, _typed

    c = mk.from_dict(
        {
            **{
                x: unknown[x]
                for x in unknown
                if x not in ("owner", "entries", "meta", "schema_version")
            },
            **mk.to_dict(c),
        },
        Cache,
    )
    sort = ORJSON_DATETIME | orjson.OPT_SORT_KEYS
    for obj in (k, c):
        exact = orjson_dumps(_typed(obj, ""))
        assert mk.canonical_json(obj) == exact
        try:
            checked = orjson.dumps(_KEYS_CHECKED.function(type(obj))(obj), option=sort)
        except Problems:  # a key past U+FFFF, where code point and UTF-16 order differ
            assert max(_keys(obj)) > "\uffff"
            with pytest.raises(Problems):
                _fast_json(obj)  # which the writer that does not check keys hands on
        else:
            assert checked == exact
            assert _fast_json(obj) == exact
        if max("".join(_keys(obj)), default="") <= "\uffff":
            assert orjson.dumps(_FAST.function(type(obj))(obj), option=sort) == exact


def _keys(obj: Any) -> str:
    found: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            found.extend(v)
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(mk.to_dict(obj))
    return "".join(found) or " "


def orjson_dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=ORJSON_DATETIME)


def test_a_new_optional_field_does_not_move_the_hash() -> None:
    # DESIGN rule 6: defaults are left out, so the old and the new class agree.
    @mk.block
    class Later:
        label: str
        weight: float = 1.0
        when: datetime | None = None
        added_in_a_later_release: str | None = None

    old = Inner(label="x", weight=2.5)
    new = Later(label="x", weight=2.5)
    assert mk.content_hash(old) == mk.content_hash(new)


GOLDEN = json.loads((DATA / "golden_hashes.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", GOLDEN, ids=[c["about"] for c in GOLDEN])
def test_golden_canonical_bytes_and_hashes(case: dict[str, Any]) -> None:
    # These never change: a change of orjson's output cannot move a hash silently.
    value = (
        mk.from_dict(case["document"], mk.get_schema(case["schema"]))
        if case["schema"]
        else case["document"]
    )
    assert mk.canonical_json(value).decode("utf-8") == case["canonical"]
    assert mk.content_hash(value) == case["sha256"]


def test_golden_hash_of_a_small_document() -> None:
    assert mk.canonical_json(Small(title="t")) == b'{"title":"t","version":3}'
    assert (
        mk.content_hash(Small(title="t"))
        == hashlib.sha256(b'{"title":"t","version":3}').hexdigest()
    )


@mk.block
class _Bag:
    extra: dict[str, Any] = mk.field(factory=dict)


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ({"a": [1, math.nan]}, [("extra.a[1]", "expected a finite number, found a number (nan)")]),
        (
            {"k": {1: 2}},
            [("extra.k", "object keys must be strings, found a key that is an integer (1)")],
        ),
        (
            {"n": [2**64]},
            [
                (
                    "extra.n[0]",
                    "expected an integer that fits in 64 bits, found an integer (18446744073709551616)",
                )
            ],
        ),
        (
            {"on": [date(2026, 5, 14)]},  # not JSON: a preserved unknown field may hold one
            [
                (
                    "extra.on[0]",
                    "expected a JSON value, found a date (2026-05-14); write it as a quoted string",
                )
            ],
        ),
        (
            {"d": [-(2**63) - 1]},
            [
                (
                    "extra.d[0]",
                    "expected an integer that fits in 64 bits, found an integer (-9223372036854775809)",
                )
            ],
        ),
    ],
)
def test_a_free_form_value_changed_in_place_is_refused_with_its_path(
    value: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    # The generated writer leaves integers and keys to orjson; what it refuses
    # is reported by the path-tracking code.
    bag = _Bag(extra={"ok": 2.0})
    bag.extra.update(value)
    with pytest.raises(mk.ValidationError) as info:
        mk.canonical_json(bag)
    assert info.value.errors == errors
    assert mk.canonical_json(_Bag(extra={"ok": 2.0, "n": [2**64 - 1, -(2**63)]})) == (
        b'{"extra":{"n":[18446744073709551615,-9223372036854775808],"ok":2}}'
    )


@mk.block(unknown="preserve")
class _Open:
    name: str


def test_a_preserved_unknown_date_time_is_hashed_where_a_declared_one_is_refused() -> None:
    # TOML holds date-times natively, so a newer writer's unknown field may be one;
    # a declared free-form field holds JSON only, as reading and to_dict say.
    toml = b'name = "n"\nseen = 2026-05-14T10:00:00Z\non = 2026-05-14\n'
    opened = mk.loads(toml, _Open, "toml")
    assert mk.canonical_json(opened) == (
        b'{"name":"n","on":"2026-05-14","seen":"2026-05-14T10:00:00Z"}'
    )
    bag = _Bag(extra={})
    bag.extra["seen"] = datetime(2026, 5, 14, 10, tzinfo=timezone.utc)
    for write in (mk.canonical_json, mk.to_dict):
        with pytest.raises(mk.ValidationError) as info:
            write(bag)
        found = "a date-time (2026-05-14T10:00:00+00:00)"
        assert info.value.errors == [
            ("extra.seen", f"expected a JSON value, found {found}; write it as a quoted string")
        ]
