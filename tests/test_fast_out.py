"""The generated output functions agree with the path-tracking ones, value for value.

`to_dict`, `dumps` and `canonical_json` run generated functions first (nested
classes inlined, defaults tested inline) and the interpretive code only when
those refuse; every valid value must come out of both the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

import orjson
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit._canonical import _ASTRAL, _FAST, _KEYS_CHECKED, _typed
from manifestkit._codegen import Slow
from manifestkit._errors import describe, index_segment, join_path, key_segment
from manifestkit._fast_out import _INLINE_DEPTH, DEFER_AT, CanonicalWriter, WireWriter
from manifestkit._rfc3339 import ORJSON_DATETIME
from manifestkit._values import Limits, Problems, writing_limits
from manifestkit._wire import unstructure_exact
from manifestkit.schemas import mesokit as mks
from models import Cache, Color, Inner, Kitchen, make_kitchen
from strategies import FINITE_FLOATS, INT64, KEYS, TEXT, caches, json_objects, kitchens
from strategies.mesokit import documents

LIMITS = writing_limits(Limits())
WRITERS = {
    (copy, full): WireWriter(LIMITS, copy=copy, include_defaults=full)
    for copy in (False, True)
    for full in (False, True)
}


@mk.block
class Tree:
    """A class that contains itself: called, never inlined into itself."""

    name: str
    children: tuple[Tree, ...] = ()
    weights: dict[str, dict[str, float]] = mk.field(factory=dict)
    offset: float = 0.0
    scale: float = 1.5
    grid: list[list[float]] = mk.field(factory=list)
    label: str | None = "none"


@mk.block
class Level4:
    tree: Tree | None = None
    value: float | None = None


@mk.block
class Level3:
    inner: Level4
    many: tuple[Level4, ...] = ()


@mk.block
class Level2:
    inner: Level3


@mk.block
class Level1:
    """Nested deeper than the writers inline: the deepest classes are called."""

    inner: Level2
    pair: tuple[Level3, int] | None = None


SIGNED = st.sampled_from([0.0, -0.0, 1.5, -1.5]) | FINITE_FLOATS


def trees(depth: int = 2) -> st.SearchStrategy[Tree]:
    children = st.lists(trees(depth - 1), max_size=2).map(tuple) if depth else st.just(())
    return st.builds(
        Tree,
        name=TEXT,
        children=children,
        weights=st.dictionaries(
            st.sampled_from(["a", "b", "c"]),
            st.dictionaries(st.sampled_from(["a", "b", "c"]), SIGNED, max_size=3),
            max_size=3,
        ),
        offset=SIGNED,
        scale=SIGNED,
        grid=st.lists(st.lists(SIGNED, max_size=2), max_size=2),
        label=st.none() | st.just("none") | TEXT,
    )


def level4s() -> st.SearchStrategy[Level4]:
    return st.builds(Level4, tree=st.none() | trees(1), value=st.none() | SIGNED)


def level1s() -> st.SearchStrategy[Level1]:
    level3 = st.builds(Level3, inner=level4s(), many=st.lists(level4s(), max_size=2).map(tuple))
    return st.builds(
        Level1,
        inner=st.builds(Level2, inner=level3),
        pair=st.none() | st.tuples(level3, INT64),
    )


def _bytes(value: Any, *, sort: bool = True) -> bytes:
    # The generated canonical form leaves key order to orjson; the exact one sorts.
    return orjson.dumps(value, option=ORJSON_DATETIME | (orjson.OPT_SORT_KEYS if sort else 0))


DEFERRED_WIRE = WireWriter(LIMITS, copy=False, deferred=True, defer_at=1)
DEFERRED_CANONICAL = CanonicalWriter(Limits(), deferred=True, defer_at=1)
"""Writers that leave every list of instances to ``default=``, as long lists are."""


def _deferred_json(obj: Any) -> bytes:
    return DEFERRED_WIRE.encode(obj, mk.get_format("json").dumps_deferred)


def _deferred_canonical(obj: Any) -> bytes:
    sorted_ = ORJSON_DATETIME | orjson.OPT_SORT_KEYS
    return DEFERRED_CANONICAL.encode(
        obj, lambda data, default: orjson.dumps(data, default=default, option=sorted_)
    )


def _agree(obj: Any) -> None:
    assert _deferred_json(obj) == mk.get_format("json").dumps(mk.to_dict(obj))
    try:
        assert _deferred_canonical(obj) == mk.canonical_json(obj)
    except (orjson.JSONEncodeError, Problems):  # a key past U+FFFF: the exact path writes it
        assert not mk.canonical_json(obj).isascii()
    for (copy, full), writer in WRITERS.items():
        fast = writer.function(type(obj))(obj)
        assert fast == unstructure_exact(obj, full, LIMITS), (copy, full)
        assert list(fast) == list(unstructure_exact(obj, full, LIMITS))
    exact = _bytes(_typed(obj, ""), sort=False)  # Fragments compare by identity: compare bytes
    try:
        assert _bytes(_KEYS_CHECKED.function(type(obj))(obj)) == exact
    except Problems:  # a key past U+FFFF: the exact path writes it
        assert not exact.isascii()
    if not any(lead in exact for lead in _ASTRAL):  # else written by the writer above
        assert _bytes(_FAST.function(type(obj))(obj)) == exact
    assert mk.canonical_json(obj) == mk.canonical_json(mk.to_dict(obj))


@given(kitchens(), caches(), json_objects())
def test_the_writers_agree_on_every_field_kind(
    k: Kitchen, c: Cache, unknown: dict[str, Any]
) -> None:
    kept = {x: unknown[x] for x in unknown if x not in ("owner", "entries", "meta")}
    c = mk.from_dict({**kept, **mk.to_dict(c)}, Cache)
    _agree(k)
    _agree(c)


@given(trees(), level1s())
def test_the_writers_agree_on_recursive_and_deep_classes(tree: Tree, deep: Level1) -> None:
    _agree(tree)
    _agree(deep)


@given(documents("acquisition"), documents("processing"))
def test_the_generated_full_form_equals_the_path_tracking_one(
    acquisition: dict[str, Any], processing: dict[str, Any]
) -> None:
    # mesokit_content_hash hashes to_dict(include_defaults=True): the generated form.
    for doc, cls in ((acquisition, mks.AcquisitionManifest), (processing, mks.ProcessingManifest)):
        m = mk.from_dict(doc, cls)
        assert mk.to_dict(m, include_defaults=True) == unstructure_exact(m, True, LIMITS)


def test_a_negative_zero_is_not_its_positive_zero_default() -> None:
    assert mk.to_dict(Tree(name="t", offset=-0.0)) == {"name": "t", "offset": -0.0}
    assert mk.to_dict(Tree(name="t", offset=0.0)) == {"name": "t"}
    assert mk.canonical_json(Tree(name="t", offset=-0.0)) == b'{"name":"t","offset":0}'


def test_a_collection_default_is_left_out_only_when_empty_and_of_its_type() -> None:
    assert mk.to_dict(Tree(name="t", grid=[], children=())) == {"name": "t"}
    assert mk.to_dict(Tree(name="t", grid=[[1.0]])) == {"name": "t", "grid": [[1.0]]}


def test_nested_free_form_keys_are_each_sorted_under_their_own_parent() -> None:
    # Every level of a nested dict comprehension has its own key name: an inner
    # level once read its parent's value with its own key.
    t = Tree(name="t", weights={"b": {"b": 1.0, "a": 2.0}, "a": {"a": 3.0, "b": 4.0}})
    assert mk.canonical_json(t) == (b'{"name":"t","weights":{"a":{"a":3,"b":4},"b":{"a":2,"b":1}}}')


def test_deep_classes_past_the_inlining_depth_are_called() -> None:
    source = _FAST.function(Level1).__code__.co_names
    assert _INLINE_DEPTH == 4
    assert "tree" in source  # Level4 is inlined, at depth 4...
    deep = Level1(inner=Level2(inner=Level3(inner=Level4(tree=Tree(name="x", offset=2.0)))))
    assert mk.to_dict(deep) == {
        "inner": {"inner": {"inner": {"tree": {"name": "x", "offset": 2.0}}}}
    }
    writer = CanonicalWriter(Limits())
    assert _bytes(writer.function(Level1)(deep)) == _bytes(_typed(deep, ""), sort=False)


@given(st.dictionaries(KEYS, st.dictionaries(KEYS, SIGNED, max_size=3), max_size=3))
def test_nested_free_form_dicts_hash_like_plain_data(weights: dict[str, Any]) -> None:
    t = Tree(name="t", weights=weights)
    assert mk.canonical_json(t) == mk.canonical_json(mk.to_dict(t))


def test_keys_past_the_bmp_take_the_exact_path_and_sort_by_utf16() -> None:
    # Code point order puts U+E000 first; UTF-16 puts the surrogate pair (D83D) first.
    t = Tree(name="t", weights={"\ue000": {}, "\U0001f600": {"\ue000": 1.0, "\U0001f600": 2.0}})
    assert mk.canonical_json(t).decode() == (
        '{"name":"t","weights":{"\U0001f600":{"\U0001f600":2,"\ue000":1},"\ue000":{}}}'
    )


def test_a_character_past_the_bmp_in_a_value_only_is_written_by_the_generated_writers() -> None:
    # The first writer looks at no key; its output holds U+1F600, so the writer that
    # checks keys writes it again, finds none past U+FFFF and keeps the fast path.
    from manifestkit._canonical import _fast_json

    t = Tree(name="t\U0001f600", weights={"\ue000": {"b": 1.0, "a": 2.0}, "a": {}})
    expected = '{"name":"t\U0001f600","weights":{"a":{},"\ue000":{"a":2,"b":1}}}'.encode()
    assert _fast_json(t) == mk.canonical_json(t) == expected


@given(st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1e-5, -1e-5, 1e21]))
@example(1.5)  # scale's default: hypothesis found it on 3.13
def test_floats_written_without_canonical_number_are_ones_it_leaves_alone(x: float) -> None:
    from manifestkit._fast_out import _AS_IS_HIGH, _AS_IS_LOW
    from manifestkit._numbers import canonical_number

    if _AS_IS_LOW <= abs(x) < _AS_IS_HIGH and not x.is_integer():
        assert canonical_number(x) is x
    expected: dict[str, Any] = {"name": "", "offset": 1.0}
    if x != 1.5:  # scale's default, left out of the wire form
        expected["scale"] = x
    assert mk.canonical_json(Tree(name="", scale=x, offset=1.0)) == mk.canonical_json(expected)


def _floats_to_change(v: Any) -> bool:
    """Whether ``v`` holds a float that RFC 8785 writes differently from orjson."""
    from manifestkit._numbers import canonical_number

    if type(v) is float:
        return canonical_number(v) is not v
    if type(v) is dict:
        return any(_floats_to_change(x) for x in v.values())
    if type(v) is list:
        return any(_floats_to_change(x) for x in v)
    return False


@given(json_objects())
@example({"exposure_ms": 20.0, "objective": {"na": 0.125, "roi": [0, 0.0, -0.0, 1e-6]}})
@example({"gain_db": 3.5, "roi": [0, 0, 512, 512], "firmware": "2.4.1"})
@example({"": 1e21})  # found by the thorough profile: written as it is, so not copied
def test_free_form_values_are_copied_only_where_a_float_changes(extra: dict[str, Any]) -> None:
    from manifestkit._fast_out import _plain_canonical

    before = orjson.dumps(extra)
    try:
        out = _plain_canonical(Limits())(extra)
    except Problems:  # a key past U+FFFF: the exact path writes it
        assert not "".join(_keys(extra)).isascii()
        return
    assert orjson.dumps(extra) == before  # the user's value is never changed
    assert (out is extra) is not _floats_to_change(extra)
    assert _bytes(out) == mk.canonical_json(extra)


def _keys(v: Any) -> list[str]:
    if type(v) is dict:
        return [*v, *(k for x in v.values() for k in _keys(x))]
    if type(v) is list:
        return [k for x in v for k in _keys(x)]
    return []


@mk.manifest("test.deferred", version="1.0")
class Batch:
    items: list[Inner] = mk.field(factory=list)
    free: dict[str, Any] = mk.field(factory=dict)


def _batch(n: int) -> Batch:
    return Batch(items=[Inner(label=f"i{i}", weight=0.5) for i in range(n)], free={"a": 1})


@pytest.mark.parametrize("n", [1, DEFER_AT])
def test_deferred_writers_leave_to_the_checked_path_what_it_refuses(n: int) -> None:
    """Only the instances the writer handed to ``default=`` may reach it: they are counted."""
    with_stray = _batch(n)
    with_stray.free["stray"] = Inner(label="stray")  # a free-form value changed in place
    changed = _batch(n)
    changed.items.append({"label": "a dict, not an Inner"})  # type: ignore[arg-type]
    wire = DEFERRED_WIRE if n == 1 else mk._io._DEFAULT._wire[False]
    canonical = DEFERRED_CANONICAL if n == 1 else _FAST
    item = "expected an instance of Inner, found an object"
    stray = "expected a JSON value, found a Python Inner object"  # one wording on every path
    for bad, path, error in ((with_stray, "free.stray", stray), (changed, f"items[{n}]", item)):
        with pytest.raises(Slow):
            wire.encode(bad, mk.get_format("json").dumps_deferred)
        with pytest.raises((Slow, Problems)):  # its free-form walk may see the stray first
            canonical.encode(bad, lambda data, default: orjson.dumps(data, default=default))
        for write in (mk.dumps, mk.canonical_json, mk.to_dict):
            with pytest.raises(mk.ValidationError) as info:
                write(bad)
            assert info.value.errors == [(path, error)]
    good = _batch(n)
    assert mk.loads(mk.dumps(good), Batch) == good
    assert mk.dumps(good) == mk.get_format("json").dumps(mk.to_dict(good))
    assert mk.canonical_json(good) == mk.canonical_json(mk.to_dict(good))


@mk.block
class _Defaults:
    number: int | float = 0
    anything: Any = 0
    flag: bool | int = False
    ratio: float = 0.0
    label: str | None = "x"


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ({}, {}),
        ({"number": 0.0}, {"number": 0.0}),  # equal to the default, but another type
        ({"anything": False}, {"anything": False}),
        ({"anything": 0.0}, {"anything": 0.0}),
        ({"flag": 0}, {"flag": 0}),
        ({"ratio": -0.0}, {"ratio": -0.0}),
        ({"label": None}, {"label": None}),
        ({"number": 0, "anything": 0, "flag": False, "ratio": 0.0, "label": "x"}, {}),
    ],
)
def test_a_default_is_left_out_only_when_equal_and_of_its_type(
    given: dict[str, Any], written: dict[str, Any]
) -> None:
    obj = _Defaults(**given)
    assert mk.to_dict(obj) == written
    assert [type(v) for v in mk.to_dict(obj).values()] == [type(v) for v in written.values()]
    _agree(obj)


class _Str(str):  # noqa: SLOT000 - like any user's str subclass
    """Not exactly a string: neither a key nor a free-form value a manifest holds."""


_LONE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
BAD_KEYS = (
    st.integers()
    | st.none()
    | st.booleans()
    | FINITE_FLOATS
    | st.tuples(TEXT)
    | st.builds(_Str, KEYS)
    | st.tuples(KEYS, _LONE, KEYS).map("".join)
)


def _objects(value: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every object inside a free-form value, with its path."""
    found = []
    if type(value) is dict:
        found.append((path, value))
        for k, v in value.items():
            found += _objects(v, join_path(path, key_segment(k)))
    elif type(value) is list:
        for i, v in enumerate(value):
            found += _objects(v, join_path(path, index_segment(i)))
    return found


@given(kitchens(), st.data())
def test_every_writer_refuses_a_key_changed_in_place_with_its_path(
    k: Kitchen, data: st.DataObject
) -> None:
    # Frozen instances hold dicts that can still be changed. A key JSON cannot hold
    # (not exactly a str, or a lone surrogate), put into a dict field (typed or free-form)
    # or into a free-form value, is refused by every writer, with the same path; never
    # written, never let through by `to_dict`, never a TypeError.
    places: list[tuple[str, dict[Any, Any], Any]] = [
        ("table", k.table, Inner(label="x")),
        *((p, d, 1) for p, d in _objects(k.free, "free")),
        *((p, d, 1) for p, d in _objects(k.anything, "anything")),
    ]
    if type(k.provenance).__name__ == "External":
        places.append(("provenance.hashes", k.provenance.hashes, "v"))  # type: ignore[union-attr]
    where, target, value = data.draw(st.sampled_from(places))
    key = data.draw(BAD_KEYS)
    assume(key not in target)  # _Str("a") would only replace the value of "a"
    writers: list[Callable[[Any], object]] = [mk.to_dict, mk.dumps, mk.canonical_json]
    writers.append(lambda o: mk.to_dict(o, include_defaults=True))
    try:
        mk.dumps(k, "toml")
        writers.append(lambda o: mk.dumps(o, "toml"))
    except mk.ValidationError:
        pass  # TOML cannot hold a null this free-form value has
    target[key] = value
    if type(key) is str:
        bad = ord(next(c for c in key if "\ud800" <= c <= "\udfff"))
        expected = [
            (
                join_path(where, key_segment(key)),
                f"key contains a lone surrogate (\\u{bad:04x}), which UTF-8 cannot encode",
            )
        ]
    else:
        expected = [(where, f"object keys must be strings, found a key that is {describe(key)}")]
    if where != "provenance.hashes":  # a nested instance is not checked again by its parent
        writers.append(mk.replace)  # a checked copy: construction says it in the same words
    for write in writers:
        with pytest.raises(mk.ValidationError) as info:
            write(k)
        assert info.value.errors == expected


@pytest.mark.parametrize("place", ["free", "free.nested", "anything", "tags"])
def test_a_lone_surrogate_put_in_place_is_named_alike_by_every_writer(place: str) -> None:
    k = make_kitchen(free={"nested": {}}, anything={})
    target = {"free": k.free, "free.nested": k.free["nested"], "anything": k.anything}
    if place == "tags":
        k.tags.append("x\udc80")
        where = "tags[0]"
    else:
        target[place]["bad"] = "x\udc80"
        where = f"{place}.bad"
    expected = [(where, "string contains a lone surrogate (\\udc80), which UTF-8 cannot encode")]
    writers: list[Callable[[Any], object]] = [mk.dumps, mk.canonical_json]
    writers.append(lambda o: mk.dumps(o, "toml"))
    for write in writers:
        with pytest.raises(mk.ValidationError) as info:
            write(k)
        assert info.value.errors == expected
    if place != "tags":  # a typed list is copied as it is (docs/manifests.md)
        with pytest.raises(mk.ValidationError) as info:
            mk.to_dict(k)
        assert info.value.errors == expected


def test_a_free_form_value_changed_to_hold_itself_is_refused_by_every_writer() -> None:
    k = make_kitchen(free={"l": []})
    k.free["l"].append(k.free["l"])
    # The instance's own bound (Limits.max_depth inside a free-form value) where the
    # writer checks free-form values; the format's nesting bound where it leaves them to it.
    deepest: dict[Callable[[Any], object], tuple[str, str]] = {
        mk.to_dict: ("free.l" + "[0]" * 100, "nested deeper than 100 levels"),
        mk.canonical_json: ("free.l" + "[0]" * 100, "nested deeper than 100 levels"),
        mk.dumps: ("free.l" + "[0]" * 252, "nested deeper than 254 levels"),
    }
    for write, error in deepest.items():
        with pytest.raises(mk.ValidationError) as info:
            write(k)
        assert info.value.errors == [error]
    with pytest.raises(mk.ValidationError) as info:
        mk.dumps(k, "toml")
    assert info.value.errors == [("free.l" + "[0]" * 198, "nested deeper than 200 levels")]


BAD_VALUES = st.sampled_from(
    [
        float("nan"),
        float("-inf"),
        2**64,
        -(2**63) - 1,
        {1, 2},
        object(),
        (1, 2),
        b"raw",
        uuid.UUID(int=7),
        Color.RED,
        _Str("n"),
        date(2026, 5, 14),
        datetime(2026, 5, 14, 10, tzinfo=timezone.utc),
        "x\udc80",
    ]
)
# What `dumps` leaves to orjson in a free-form value (docs/manifests.md), and TOML's own.
JSON_WRITES = (float, tuple, uuid.UUID, Color, _Str, date, datetime)
TOML_WRITES = (date, datetime)


@given(kitchens(), st.data())
def test_every_writer_refuses_a_value_changed_in_place_alike(
    k: Kitchen, data: st.DataObject
) -> None:
    # A value that is not JSON put into a free-form value gets the same errors from
    # to_dict, canonical_json, write's checked path and construction; dumps gets them
    # too, except for the values it lets through for speed (documented).
    places = [
        *((p, d) for p, d in _objects(k.free, "free")),
        *((p, d) for p, d in _objects(k.anything, "anything")),
    ]
    assume(places)
    where, target = data.draw(st.sampled_from(places))
    key = data.draw(KEYS.filter(lambda s: s not in target))
    value = data.draw(BAD_VALUES)
    toml_ok = True
    try:
        mk.dumps(k, "toml")
    except mk.ValidationError:
        toml_ok = False  # a null elsewhere in the free-form value
    target[key] = value
    with pytest.raises(mk.ValidationError) as info:
        mk.to_dict(k)
    expected = info.value.errors
    assert [p for p, _ in expected] == [join_path(where, key_segment(key))]
    for write in (mk.canonical_json, mk.replace, lambda o: mk.to_dict(o, include_defaults=True)):
        with pytest.raises(mk.ValidationError) as info:
            write(k)
        assert info.value.errors == expected
    for fmt, lets_through in (("json", JSON_WRITES), ("toml", TOML_WRITES)):
        if fmt == "toml" and not toml_ok:
            continue
        if isinstance(value, lets_through):
            mk.dumps(k, fmt)  # written as it is
            continue
        with pytest.raises(mk.ValidationError) as info:
            mk.dumps(k, fmt)
        assert [p for p, _ in info.value.errors] == [p for p, _ in expected]
