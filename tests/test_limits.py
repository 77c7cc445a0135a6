"""Limits: sizes, nesting, string lengths and item counts are bounded on every read path."""

from __future__ import annotations

import copy
import json
import math
import tracemalloc
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _io
from manifestkit._errors import describe
from models import Cache, Kitchen, Small

KITCHEN = json.loads((Path(__file__).parent / "data" / "core" / "kitchen.json").read_text())
LIMITS = mk.Limits(max_string=12, max_items=3, max_depth=4)


def _errors(data: Any, cls: type, fmt: str | None = None, limits: mk.Limits = LIMITS) -> Any:
    """The (path, message) pairs of reading ``data``: plain data, or bytes in ``fmt``."""
    try:
        if fmt is None:
            mk.from_dict(copy.deepcopy(data), cls, limits=limits)
        else:
            mk.loads(data, cls, fmt, limits=limits)
    except mk.ValidationError as exc:
        return exc.errors
    return []


def _every_way(doc: dict[str, Any], cls: type, limits: mk.Limits = LIMITS) -> list[Any]:
    """The errors from plain data, from JSON and from TOML (where TOML can hold ``doc``)."""
    ways = [_errors(doc, cls, limits=limits), _errors(orjson.dumps(doc), cls, "json", limits)]
    if "null" not in json.dumps(doc):
        ways.append(_errors(mk.get_format("toml").dumps(doc), cls, "toml", limits))
    return ways


def _kitchen(**changes: Any) -> dict[str, Any]:
    """The golden Kitchen document with every string and container within `LIMITS`."""
    doc = {**KITCHEN, "name": "n", "path": "p", "pair": ["p", 1], "seq": [], "inners": []}
    doc.update(tags=[], table={}, free={}, provenance={"kind": "synthetic", "seed": 1})
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "n" * 13, [("name", "string is 13 characters long; the limit is 12")]),
        ("path", "a/" * 6 + "b", [("path", "string is 13 characters long; the limit is 12")]),
        ("tags", ["a", "b", "c", "d"], [("tags", "array has 4 items; the limit is 3")]),
        ("tags", ["a", "x" * 20], [("tags[1]", "string is 20 characters long; the limit is 12")]),
        ("seq", [1.0, 2.0, 3.0, 4.0], [("seq", "array has 4 items; the limit is 3")]),
        (
            "table",
            {k: {"label": k} for k in "abcd"},
            [("table", "object has 4 keys; the limit is 3")],
        ),
        (
            "table",
            {"k" * 13: {"label": "x"}},
            [("table", "an object key is 13 characters long; the limit is 12")],
        ),
        (
            "free",
            {"a": [1, 2, 3, 4], "b": {"e": [[[["deep"]]]], "s": "s" * 13}, "c" * 13: 1},
            [
                ("free.a", "array has 4 items; the limit is 3"),
                ("free.b.e[0][0][0]", "nested deeper than 4 levels"),
                ("free.b.s", "string is 13 characters long; the limit is 12"),
                ("free", "an object key is 13 characters long; the limit is 12"),
            ],
        ),
        ("anything", list(range(5)), [("anything", "array has 5 items; the limit is 3")]),
    ],
)
def test_each_limit_is_refused_naming_the_field_on_every_read_path(
    field: str, value: Any, expected: list[tuple[str, str]]
) -> None:
    assert _errors(_kitchen(), Kitchen) == []
    ways = _every_way(_kitchen(**{field: value}), Kitchen)
    assert ways[0] == expected
    # Errors come in document order, and TOML writes tables after plain values.
    assert [sorted(errors) for errors in ways] == [sorted(expected)] * 3


def test_undeclared_fields_are_counted_declared_ones_are_not() -> None:
    base = {"owner": "o", "schema_version": "1.4"}
    for extra in range(5):
        doc = {**base, **{f"x{i}": i for i in range(extra)}}
        expected = (
            [] if extra <= 3 else [("", f"object has {extra} undeclared fields; the limit is 3")]
        )
        assert _every_way(doc, Cache) == [expected] * 3


def test_documents_past_the_byte_limits_are_refused_before_parsing(tmp_path: Path) -> None:
    limits = mk.Limits(max_bytes=100, max_toml_bytes=50)
    toml = b'title = "' + b"t" * 60 + b'"\n'
    n = len(toml)
    with pytest.raises(mk.FormatError) as info:
        mk.loads(toml, Small, "toml", limits=limits)
    assert str(info.value) == f"invalid TOML: document is {n} bytes; the limit for TOML is 50"
    assert mk.loads(toml, Small, "toml") == Small(title="t" * 60)
    path = tmp_path / "small.toml"
    path.write_bytes(toml)
    with pytest.raises(mk.FormatError) as info:
        mk.read(path, Small, limits=limits)
    assert str(info.value) == f"invalid TOML ({path}): file is {n} bytes; the limit for TOML is 50"
    # The same document as JSON is within max_bytes; with padding it is not.
    as_json = orjson.dumps({"title": "t" * 60})
    assert mk.loads(as_json, Small, limits=limits) == Small(title="t" * 60)
    padded = as_json + b" " * 40
    with pytest.raises(mk.FormatError) as info:
        mk.loads(padded, Small, limits=limits)
    assert str(info.value) == f"invalid JSON: document is {len(padded)} bytes; the limit is 100"


def test_the_defaults() -> None:
    assert mk.Limits() == mk.Limits(
        max_bytes=64 * 1024 * 1024,
        max_depth=100,
        max_string=8 * 1024 * 1024,
        max_items=1_000_000,
        max_toml_bytes=4 * 1024 * 1024,
        max_errors=1000,
    )


def test_building_and_writing_are_not_bounded_by_the_read_limits(tmp_path: Path) -> None:
    big = Small(title="t" * 20)
    path = mk.write(big, tmp_path / "small.json")
    with pytest.raises(mk.ValidationError) as info:
        mk.read(path, Small, limits=LIMITS)
    assert info.value.errors == [("title", "string is 20 characters long; the limit is 12")]
    assert mk.read(path, Small) == big
    cache = mk.loads(b'{"owner": "o", "a": [1, 2, 3, 4, 5]}', Cache)
    again = mk.loads(mk.dumps(cache), Cache, limits=mk.Limits(max_items=5))
    assert mk.to_dict(again) == {"schema_version": "1.4", "owner": "o", "a": [1, 2, 3, 4, 5]}
    assert mk.content_hash(again) == mk.content_hash(cache)


def test_a_converter_is_kept_per_limits() -> None:
    assert _io._converter(None) is _io._converter(mk.Limits())
    assert _io._converter(LIMITS) is _io._converter(mk.Limits(**_fields(LIMITS)))
    assert _io._converter(LIMITS).limits == LIMITS


def _fields(limits: mk.Limits) -> dict[str, int]:
    return {
        "max_bytes": limits.max_bytes,
        "max_depth": limits.max_depth,
        "max_string": limits.max_string,
        "max_items": limits.max_items,
        "max_toml_bytes": limits.max_toml_bytes,
    }


def test_the_trusted_path_leaves_documents_longer_than_max_string_to_the_checked_paths() -> None:
    conv = mk.Converter(limits=LIMITS)
    doc = {"title": "t" * 13}
    assert conv.structure_trusted(doc, Small, size=12) == Small(title="t" * 13)  # not measured
    assert conv.structure_trusted(doc, Small, size=13) is None
    with pytest.raises(mk.ValidationError):
        mk.loads(orjson.dumps(doc), Small, limits=LIMITS)


@given(
    n=st.integers(0, 6),
    length=st.integers(0, 16),
    where=st.sampled_from(["tags", "free_list", "free_dict", "table", "unknown"]),
    fmt=st.sampled_from([None, "json", "toml"]),
)
def test_for_all_sizes_a_document_is_read_exactly_when_it_is_within_the_limits(
    n: int, length: int, where: str, fmt: str | None
) -> None:
    doc = _kitchen(name="n" * length)
    if where == "tags":
        doc["tags"] = ["t"] * n
    elif where == "free_list":
        doc["free"] = {"x": list(range(n))}
    elif where == "free_dict":
        doc["free"] = {f"k{i}": i for i in range(n)}
    elif where == "table":
        doc["table"] = {f"k{i}": {"label": "x"} for i in range(n)}
    else:
        doc.update({f"later{i}": i for i in range(n)})
        doc["schema_version"] = "2.9.0"  # a newer minor: its unknown fields are kept
    data: Any = doc
    if fmt is not None:
        data = mk.get_format(fmt).dumps(doc)
    within = n <= LIMITS.max_items and length <= LIMITS.max_string
    assert (_errors(data, Kitchen, fmt) == []) is within


# ----------------------------------------------------------- TOML's own bounds


def test_a_dotted_key_with_too_many_parts_is_refused_before_parsing() -> None:
    parts = mk.get_format("toml").max_key_parts
    ok = "a" + ".a" * (parts - 1)
    assert mk.get_format("toml").loads(f"{ok} = 1\n".encode()) is not None
    for text in (
        f"x = 1\n{ok}.a = 1\n",
        f"[{ok}.a]\n",
        f"  [[ {ok} . 'a' ]]\n",
        'x = 1\n"a"' + ' . "\\u0061"' * parts + " = 1\n",
    ):
        with pytest.raises(mk.FormatError) as info:
            mk.get_format("toml").loads(text.encode())
        assert info.value.message == f"a dotted key has more than {parts} parts"
        assert info.value.line == text.count("\n", 0, text.index("a")) + 1


def test_the_deepest_document_the_limits_allow_still_reads_from_toml() -> None:
    deep: Any = {"leaf": 1}
    for _ in range(mk.Limits().max_depth - 1):
        deep = {"d": deep}
    cache = mk.from_dict({"owner": "o", "meta": {"name": "m", "deep": deep}}, Cache)
    assert mk.loads(mk.dumps(cache, "toml"), Cache, "toml") == cache


def test_a_long_dotted_key_is_refused_without_the_parser_s_quadratic_memory() -> None:
    # tomllib keeps a tuple of every prefix of a dotted key: 3,000 parts would need
    # about 40 MB, 100,000 parts (a 200 kB file) tens of gigabytes.
    text = ('owner = "o"\nx' + ".a" * 3000 + " = 1\n").encode()
    tracemalloc.start()
    try:
        with pytest.raises(mk.FormatError):
            mk.loads(text, Cache, "toml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


def test_an_undeclared_field_with_a_key_past_max_string_is_refused_at_its_object() -> None:
    doc = {"owner": "o", "k" * 13: 1, "meta": {"name": "m", "j" * 14: 2}}
    expected = [
        ("meta", "an object key is 14 characters long; the limit is 12"),
        ("", "an object key is 13 characters long; the limit is 12"),
    ]
    assert _every_way(doc, Cache) == [expected] * 3


def test_the_command_line_keeps_the_toml_bound_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from manifestkit import _cli

    monkeypatch.chdir(tmp_path)
    big = Path("big.toml")
    big.write_bytes(b'title = "t"\n' + b"# padding\n" * (mk.Limits().max_toml_bytes // 10))
    assert _cli.main(["validate", "big.toml"]) == 1
    size = big.stat().st_size
    assert capsys.readouterr().out.splitlines()[0] == (
        f"big.toml: (document): invalid TOML: file is {size} bytes; "
        f"the limit for TOML is {mk.Limits().max_toml_bytes}"
    )


def _bad_items(where: str, n: int) -> dict[str, Any]:
    """The kitchen document with ``n`` wrong values at ``where``."""
    doc: dict[str, Any] = copy.deepcopy(KITCHEN)
    if where == "tags":  # a typed list
        doc["tags"] = list(range(n))
    elif where == "table":  # a typed dict
        doc["table"] = {f"k{i}": i for i in range(n)}
    elif where == "free":  # a free-form value
        doc["free"] = {"deep": [math.nan] * n}
    else:  # undeclared fields of a class that forbids them
        doc.update({f"x{i}": i for i in range(n)})
    return doc


WHERE = ["tags", "table", "free", "fields"]


@given(st.sampled_from(WHERE), st.integers(0, 12), st.integers(1, 6))
def test_for_all_counts_at_most_max_errors_problems_are_listed_and_the_rest_said(
    where: str, n: int, cap: int
) -> None:
    limits = mk.Limits(max_errors=cap)
    found = _errors(_bad_items(where, n), Kitchen, limits=limits)
    everything = _errors(_bad_items(where, n), Kitchen, limits=mk.Limits())
    assert len(everything) == n  # the default cap is far above n
    if n <= cap:
        assert found == everything
    else:
        note = ("", f"more problems were not listed (the limit is {cap})")
        assert found == [*everything[:cap], note]


@pytest.mark.parametrize("where", WHERE)
def test_200_000_bad_items_are_refused_after_the_first_thousand(where: str) -> None:
    doc = _bad_items(where, 200_000)
    # JSON cannot hold NaN: a free-form value's problems come from plain data.
    errors = _errors(
        doc if where == "free" else orjson.dumps(doc),
        Kitchen,
        None if where == "free" else "json",
        mk.Limits(),
    )
    assert len(errors) == 1001
    assert errors[-1] == ("", "more problems were not listed (the limit is 1000)")


def test_building_an_instance_lists_at_most_max_errors_problems() -> None:
    kitchen = mk.from_dict(KITCHEN, Kitchen)
    with pytest.raises(mk.ValidationError) as info:
        attrs.evolve(kitchen, tags=list(range(5000)))  # type: ignore[misc] # a dataclass to mypy
    assert len(info.value.errors) == 1001
    assert info.value.errors[0] == ("tags[0]", "expected a string, found an integer (0)")
    assert info.value.errors[-1] == ("", "more problems were not listed (the limit is 1000)")


@pytest.mark.parametrize("value", [-1, 1.5, "8", True, None])
@pytest.mark.parametrize("name", [a.name for a in attrs.fields(mk.Limits)])
def test_a_bound_that_is_not_a_count_is_refused_when_made(name: str, value: Any) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.Limits(**{name: value})
    assert info.value.errors == [
        (name, f"expected an integer of at least 0, found {describe(value)}")
    ]
    assert getattr(mk.Limits(**{name: 0}), name) == 0  # nothing allowed is a bound too


@pytest.mark.parametrize("limits", ["tight", {"max_bytes": 64}, 5])
def test_limits_that_are_not_a_limits_are_refused_by_name(limits: Any) -> None:
    expected = [("limits", f"expected a Limits, found a value of type {type(limits).__name__}")]
    for use in (
        lambda: mk.Converter(limits=limits),
        lambda: mk.loads(b'{"title": "t"}', Small, limits=limits),
        lambda: mk.from_dict({"title": "t"}, Small, limits=limits),
    ):
        with pytest.raises(mk.ValidationError) as info:
            use()
        assert info.value.errors == expected
