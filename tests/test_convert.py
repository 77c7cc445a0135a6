"""Structuring and unstructuring: strictness, every error with its path, the wire form."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from models import Budget, Cache, Inner, Kitchen, Open, Small
from strategies import caches, json_values, kitchens

DATA = pathlib.Path(__file__).parent / "data" / "core"
CASES = json.loads((DATA / "invalid_documents.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["about"] for c in CASES])
def test_golden_error_texts(case: dict[str, Any]) -> None:
    cls = mk.get_schema(case["schema"])
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(case["document"], cls)
    assert [list(e) for e in info.value.errors] == case["errors"]


@given(kitchens())
def test_from_dict_inverts_to_dict(k: Kitchen) -> None:
    assert mk.from_dict(mk.to_dict(k), Kitchen) == k


@given(kitchens())
def test_defaults_are_omitted_unless_asked(k: Kitchen) -> None:
    lean = mk.to_dict(k)
    full = mk.to_dict(k, include_defaults=True)
    assert set(lean) <= set(full)
    assert all(
        full[key] == value for key, value in lean.items() if not isinstance(value, (dict, list))
    )
    fields = attrs.fields(Kitchen)  # type: ignore[arg-type] # mypy sees a dataclass-like class
    assert set(full) == {a.name for a in fields if a.name != "_mk_unknown"}
    assert lean["schema_version"] == "2.3.0"
    assert "marker" in lean
    assert mk.from_dict(full, Kitchen) == k
    if k.notes is None:
        assert "notes" not in lean
        assert full["notes"] is None


def test_wire_form_of_a_small_document() -> None:
    assert mk.to_dict(Small(title="t")) == {"version": 3, "title": "t"}
    assert mk.to_dict(Small(title="t"), include_defaults=True) == {
        "version": 3,
        "title": "t",
        "size": 0,
    }


def test_a_float_field_stores_ints_as_floats() -> None:
    inner = mk.from_dict({"label": "x", "weight": 3}, Inner)
    assert type(inner.weight) is float


def test_structure_does_not_share_the_callers_free_form_data() -> None:
    free: dict[str, Any] = {"a": [1]}
    k = mk.from_dict(
        {**mk.to_dict(_any_kitchen()), "free": free},
        Kitchen,
    )
    free["a"].append(2)
    assert k.free == {"a": [1]}


def _any_kitchen() -> Kitchen:
    return mk.from_dict(
        {
            "name": "k",
            "count": 1,
            "ratio": 1,
            "flag": True,
            "started": "2026-05-14T10:00:00Z",
            "day": "2026-05-14",
            "ident": "12345678-1234-5678-1234-567812345678",
            "path": "a",
            "color": "red",
            "level": 1,
            "mode": "a",
            "pair": ["x", 1],
            "seq": [],
            "inners": [],
            "table": {},
            "free": {},
            "provenance": {"kind": "external", "hashes": {"a": "b"}},
        },
        Kitchen,
    )


def test_field_and_class_checks_run_when_reading() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"replicates": 0}, Budget)
    assert info.value.errors == [("replicates", "must be at least 1")]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"replicates": 4, "max_runs": 2}, Budget)
    assert info.value.errors == [("max_runs", "must be at least replicates")]


def test_a_failed_field_check_is_reported_with_every_other_problem() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"replicates": 0, "max_runs": "many"}, Budget)
    assert info.value.errors == [
        ("replicates", "must be at least 1"),
        ("max_runs", 'expected an integer, found a string ("many")'),
    ]


def test_preserve_keeps_unknown_fields_at_every_depth() -> None:
    doc = {
        "schema_version": "1.4",
        "owner": "me",
        "future": {"x": [1, 2]},
        "entries": [{"name": "a", "new_flag": True, "items": [{"label": "l"}]}],
        "meta": {"name": "m", "added_later": None},
    }
    cache = mk.from_dict(doc, Cache)
    assert dict(mk.unknown_fields(cache)) == {"future": {"x": [1, 2]}}
    assert dict(mk.unknown_fields(cache.entries[0])) == {"new_flag": True}
    assert cache.meta is not None
    assert dict(mk.unknown_fields(cache.meta)) == {"added_later": None}
    assert mk.to_dict(cache) == doc
    changed = mk.replace(cache, owner="you")
    assert mk.to_dict(changed) == {**doc, "owner": "you"}


def test_preserved_unknown_fields_are_validated_as_json() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"owner": "me", "future": {1: "x"}}, Cache)
    assert info.value.errors == [
        ("future", "object keys must be strings, found a key that is an integer (1)")
    ]


def test_forbid_refuses_unknown_fields_with_a_suggestion() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"label": "x", "wieght": 2}, Inner)
    assert info.value.errors == [("wieght", "unknown field; did you mean 'weight'?")]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"label": "x", "odd key": 2}, Inner)
    assert info.value.errors == [('["odd key"]', "unknown field")]


def test_lenient_structuring_preserves_unknown_fields_even_in_forbid_classes() -> None:
    converter = mk.Converter()
    inner = converter.structure({"label": "x", "new": 1}, Inner, lenient=True)
    assert dict(mk.unknown_fields(inner)) == {"new": 1}
    assert mk.to_dict(inner) == {"label": "x", "new": 1}


@given(
    caches(),
    st.dictionaries(st.sampled_from(["zz", "new", "x-y"]), json_values(4), min_size=1, max_size=3),
)
def test_unknown_fields_survive_a_round_trip(cache: Cache, extra: dict[str, Any]) -> None:
    doc = {**mk.to_dict(cache), **extra}
    again = mk.from_dict(doc, Cache)
    assert mk.to_dict(again) == doc
    assert mk.from_dict(mk.to_dict(again), Cache) == again


def test_unstructure_refuses_a_non_manifest() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.to_dict({"a": 1})
    assert info.value.errors == [("", "expected a manifest instance, found an object")]


def test_unstructure_reports_free_form_data_mutated_after_construction() -> None:
    o = Open(name="x")
    k = _any_kitchen()
    k.free["bad"] = {1, 2}
    with pytest.raises(mk.ValidationError) as info:
        mk.to_dict(k)
    assert info.value.errors == [("free.bad", "expected a JSON value, found a Python set object")]
    assert mk.to_dict(o) == {"name": "x"}


def test_deeply_nested_free_form_data_is_refused_not_crashed() -> None:
    deep: Any = 0
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({**mk.to_dict(_any_kitchen()), "free": {"d": deep}}, Kitchen)
    ((path, message),) = info.value.errors
    assert path.startswith("free.d[0][0]")
    assert message == "nested deeper than 100 levels"


@mk.block(unknown="preserve")
class _NoLegacy:
    """A preserving block whose class-level rule is about an unknown field."""

    name: str

    def __manifest_check__(self) -> Iterator[tuple[str, str]]:
        if "legacy" in mk.unknown_fields(self):
            yield "legacy", "is no longer allowed"


def test_class_checks_see_the_unknown_fields_on_every_path() -> None:
    # Built in Python, read from plain data (checked path) and from JSON bytes
    # (fast path): the same instance, so the same verdict.
    with pytest.raises(mk.ValidationError) as built:
        _NoLegacy(name="a", _mk_unknown={"legacy": 1})  # type: ignore[call-arg]
    with pytest.raises(mk.ValidationError) as from_dict:
        mk.from_dict({"name": "a", "legacy": 1}, _NoLegacy)
    with pytest.raises(mk.ValidationError) as from_json:
        mk.loads(b'{"name": "a", "legacy": 1}', _NoLegacy)
    for info in (built, from_dict, from_json):
        assert info.value.errors == [("legacy", "is no longer allowed")]
    kept = mk.from_dict({"name": "a", "other": 1}, _NoLegacy)
    assert dict(mk.unknown_fields(kept)) == {"other": 1}


@mk.block
class _Keyed:
    counts: dict[str, int] = mk.field(factory=dict)
    bag: dict[str, Any] = mk.field(factory=dict)


@pytest.mark.parametrize("field", ["counts", "bag"])
def test_a_key_utf8_cannot_hold_is_refused_in_every_dict_field(field: str) -> None:
    # The fast path refused it; the slow path, and building an instance, once let it in.
    expected = [
        (
            f'{field}["x\\ud800"]',
            "key contains a lone surrogate (\\ud800), which UTF-8 cannot encode",
        )
    ]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({field: {"ok": 1, "x\ud800": 2}}, _Keyed)
    assert info.value.errors == expected
    with pytest.raises(mk.ValidationError) as info:
        _Keyed(**{field: {"ok": 1, "x\ud800": 2}})
    assert info.value.errors == expected
    assert mk.from_dict({field: {"ok": 1, "x\U0001f600": 2}}, _Keyed) == _Keyed(
        **{field: {"ok": 1, "x\U0001f600": 2}}
    )


def test_an_unknown_key_utf8_cannot_hold_is_refused_where_it_would_be_preserved() -> None:
    # Found by the thorough profile: the slow path kept it, the fast path and constructors refused.
    surrogate = "key contains a lone surrogate (\\ud800), which UTF-8 cannot encode"
    for doc, path in (
        ({"owner": "o", "x\ud800": None}, '["x\\ud800"]'),
        ({"owner": "o", "meta": {"name": "n", "x\ud800": 1}}, 'meta["x\\ud800"]'),
    ):
        with pytest.raises(mk.ValidationError) as info:
            mk.from_dict(doc, Cache)
        assert info.value.errors == [(path, surrogate)]
    with pytest.raises(mk.ValidationError) as info:
        Cache(owner="o", _mk_unknown={"x\ud800": None})  # type: ignore[call-arg]
    assert info.value.errors == [('["x\\ud800"]', surrogate)]
    kept = mk.from_dict({"owner": "o", "x\U0001f600": None}, Cache)  # outside the BMP, but whole
    assert dict(mk.unknown_fields(kept)) == {"x\U0001f600": None}
