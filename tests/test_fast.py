"""The generated fast path agrees with the detailed cattrs path, which is the authority."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _detailed
from manifestkit._codegen import Slow
from manifestkit._detailed import DetailedStructurer
from manifestkit._fast import FastStructurer, fast_structure
from manifestkit._values import Limits, Problems, capped
from models import Cache, Inner, Kitchen, Open, Small
from strategies import caches, json_values, kitchens, smalls

LIMITS = Limits()
SLOW_PATH = DetailedStructurer(LIMITS, lenient=False)
FAST = {
    "untrusted": FastStructurer(LIMITS, trusted=False),
    "trusted": FastStructurer(LIMITS, trusted=True),
    "measured": FastStructurer(LIMITS, trusted=True, measured=True),
    "portable": FastStructurer(LIMITS, trusted=False, portable=True),
}


def detailed(path: DetailedStructurer) -> Callable[[Any, type], Any]:
    """``path``'s structuring by its detailed hooks alone, no nested fast attempt."""
    return lambda data, cls: path.structure(data, cls, None)


def _slow(data: Any, cls: type) -> Any:
    try:
        return SLOW_PATH.structure(data, cls, None)
    except Exception:  # noqa: BLE001 - any refusal
        return Slow


def _fast(data: Any, cls: type, kind: str) -> Any:
    try:
        return fast_structure(FAST[kind], data, cls)
    except Slow:
        return Slow


def _json_doc(obj: Any) -> Any:
    return json.loads(mk.dumps(obj))


def _orjson_could_give(doc: Any) -> bool:
    """Whether ``orjson.loads`` can return ``doc``: no lone surrogate, no NaN, 64-bit integers."""
    try:
        return bool(orjson.loads(orjson.dumps(doc)) == doc)
    except orjson.JSONEncodeError:
        return False


def _has_big_float(value: Any) -> bool:
    if isinstance(value, float):
        return abs(value) >= 2.0**63
    if isinstance(value, list):
        return any(_has_big_float(v) for v in value)
    if isinstance(value, dict):
        return any(_has_big_float(v) for v in value.values())
    return False


@given(kitchens())
def test_valid_documents_take_the_fast_path(k: Kitchen) -> None:
    doc = _json_doc(k)
    for kind in FAST:
        got = _fast(copy.deepcopy(doc), Kitchen, kind)
        if kind in ("trusted", "measured") and _has_big_float(doc):
            # A float of 2**63 or more may be an integer literal orjson rounded: by design
            # the trusted path leaves such documents to the exact path.
            assert got in (k, Slow)
        else:
            assert got == k
    assert _slow(doc, Kitchen) == k


@given(caches(), smalls())
def test_other_shapes_take_the_fast_path(c: Cache, s: Small) -> None:
    assert _fast(_json_doc(c), Cache, "untrusted") == c
    assert _fast(_json_doc(s), Small, "trusted") == s


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _places(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _places(v, (*path, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, docs: st.SearchStrategy[Any]) -> tuple[type, Any]:
    obj = draw(docs)
    doc = _json_doc(obj)
    for _ in range(draw(st.integers(1, 3))):
        places = _places(doc)
        where = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        parent: Any = doc
        for step in where[:-1]:
            parent = parent[step]
        if not where:
            if action == "replace":
                doc = draw(json_values(5))
            continue
        last = where[-1]
        if action == "replace":
            parent[last] = draw(json_values(5))
        elif action == "delete" and isinstance(parent, dict):
            del parent[last]
        elif isinstance(parent, dict):
            # "x\ud800": a key UTF-8 cannot hold; the slow path once let it into a dict field.
            key = draw(st.sampled_from(["extra", "label", "kind", "weight", "name", "x\ud800"]))
            parent[key] = draw(json_values(3))
    return type(obj), doc


@given(mutated(kitchens() | caches() | smalls()))
def test_fast_and_slow_agree_on_mutated_documents(case: tuple[type, Any]) -> None:
    cls, doc = case
    slow = _slow(copy.deepcopy(doc), cls)
    fast = _fast(copy.deepcopy(doc), cls, "untrusted")
    # Whatever one path accepts, the other accepts, with an equal result.
    assert fast == slow
    if not _orjson_could_give(doc):
        return  # the trusted paths take only what orjson.loads returns
    for kind in ("trusted", "measured"):
        trusted = _fast(copy.deepcopy(doc), cls, kind)
        if trusted is not Slow:
            assert trusted == slow


def _shape(value: Any) -> Any:
    """``value`` with every type spelled out: 1 and 1.0, a list and a tuple differ."""
    if attrs.has(type(value)):
        return (
            type(value),
            tuple((a.name, _shape(getattr(value, a.name))) for a in attrs.fields(type(value))),
        )
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_shape(x) for x in value))
    if isinstance(value, dict):
        return (type(value), tuple((k, _shape(x)) for k, x in value.items()))
    return (type(value), value)


def _outcome(run: Any, data: Any, cls: type) -> Any:
    try:
        return _shape(run(copy.deepcopy(data), cls))
    except Problems as p:
        return p.errors


@given(mutated(kitchens() | caches() | smalls()))
def test_the_checked_path_builds_what_constructors_that_check_again_build(
    case: tuple[type, Any],
) -> None:
    """Its constructors trust the values its hooks checked; checking them again changes nothing."""
    cls, doc = case
    trusting = _outcome(detailed(SLOW_PATH), doc, cls)
    checking = _outcome(
        lambda d, c: SLOW_PATH._detailed_hook(c)(d, c), doc, cls
    )  # trust not switched on
    assert trusting == checking


def test_a_float_that_may_hide_a_big_integer_leaves_the_trusted_path() -> None:
    doc = _json_doc(Inner(label="x"))
    doc["weight"] = 2.0**64
    assert _fast(doc, Inner, "trusted") is Slow
    assert _fast(doc, Inner, "untrusted") == Inner(label="x", weight=2.0**64)


@pytest.mark.parametrize("kind", ["untrusted", "portable"])
def test_instances_built_without_init_behave_like_built_ones(kind: str) -> None:
    doc = json.loads((Path(__file__).parent / "data" / "core" / "kitchen.json").read_text())
    k = _fast(doc, Kitchen, kind)
    assert type(k) is Kitchen
    assert k == mk.replace(k)
    assert hash(k.pair) == hash(("\U0001f600", -1))
    with pytest.raises(AttributeError):
        k.name = "x"  # type: ignore[misc]


# Tight limits: the generated strategies cross them often (lists of up to 3 items,
# strings of up to 20 characters, nested free-form values).
TIGHT = Limits(max_depth=3, max_string=8, max_items=2)
TIGHT_SLOW = DetailedStructurer(TIGHT, lenient=False)
TIGHT_FAST = FastStructurer(TIGHT, trusted=False)
# The trusted path does not measure strings: the converter only gives it documents of
# at most max_string bytes, so for it strings keep the default bound.
ITEMS = Limits(max_depth=3, max_items=2)
ITEMS_SLOW = DetailedStructurer(ITEMS, lenient=False)
ITEMS_TRUSTED = FastStructurer(ITEMS, trusted=True)
# Documents longer than max_string bytes take a trusted path that measures strings.
TIGHT_MEASURED = FastStructurer(TIGHT, trusted=True, measured=True)


def _path(run: Any, data: Any, cls: type) -> Any:
    try:
        return run(copy.deepcopy(data), cls)
    except Exception:  # noqa: BLE001 - any refusal (Slow, Problems)
        return Slow


@given(mutated(kitchens() | caches() | smalls()))
def test_fast_and_slow_agree_under_tight_limits(case: tuple[type, Any]) -> None:
    cls, doc = case
    slow = _path(detailed(TIGHT_SLOW), doc, cls)
    assert _path(lambda d, c: fast_structure(TIGHT_FAST, d, c), doc, cls) == slow
    if not _orjson_could_give(doc):
        return  # the trusted paths take only what orjson.loads returns
    trusted = _path(lambda d, c: fast_structure(ITEMS_TRUSTED, d, c), doc, cls)
    if trusted is not Slow:
        assert trusted == _path(detailed(ITEMS_SLOW), doc, cls)
    measured = _path(lambda d, c: fast_structure(TIGHT_MEASURED, d, c), doc, cls)
    if measured is not Slow:
        assert measured == slow


def test_a_long_list_or_string_leaves_the_fast_path_for_the_one_that_reports_it() -> None:
    doc = _json_doc(Small(title="t"))
    assert _path(lambda d, c: fast_structure(TIGHT_FAST, d, c), doc, Small) == Small(title="t")
    long_title = {**doc, "title": "t" * 9}
    assert _path(lambda d, c: fast_structure(TIGHT_FAST, d, c), long_title, Small) is Slow
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(long_title, Small, limits=TIGHT)
    assert info.value.errors == [("title", "string is 9 characters long; the limit is 8")]
    cache = {"owner": "o", "entries": [{"name": "a"}] * 3}
    assert _path(lambda d, c: fast_structure(ITEMS_TRUSTED, d, c), cache, Cache) is Slow
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(cache, Cache, limits=ITEMS)
    assert info.value.errors == [("entries", "array has 3 items; the limit is 2")]


@mk.block
class Node:
    """A class that contains itself: its body is inlined once, then its function is called."""

    name: str
    children: list[Node] = mk.field(factory=list)
    twin: Pair | None = None


@mk.block
class Pair:
    """With Node, a pair of classes that contain each other."""

    left: Node
    weight: float = 0.0


def _tree(depth: int) -> Node:
    if depth == 0:
        return Node(name="leaf")
    child = _tree(depth - 1)
    return Node(name=f"n{depth}", children=[child, child], twin=Pair(left=child, weight=depth))


@pytest.mark.parametrize("kind", list(FAST))
def test_classes_that_contain_themselves_take_the_fast_path(kind: str) -> None:
    tree = _tree(7)  # deeper than the inlined levels: the generated functions call themselves
    assert _fast(_json_doc(tree), Node, kind) == tree


def test_a_deep_mistake_in_a_class_that_contains_itself_leaves_the_fast_path() -> None:
    doc = _json_doc(_tree(6))
    leaf = doc["children"][1]["twin"]["left"]["children"][0]["twin"]["left"]
    leaf["children"][0]["name"] = 7
    for kind in FAST:
        assert _fast(copy.deepcopy(doc), Node, kind) is Slow
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, Node)
    assert info.value.errors == [
        (
            "children[1].twin.left.children[0].twin.left.children[0].name",
            "expected a string, found an integer (7)",
        )
    ]


def _checked(conv: mk.Converter, doc: Any, cls: type, size: int | None) -> Any:
    try:
        return _shape(conv.structure_checked(copy.deepcopy(doc), cls, size=size))
    except mk.ValidationError as e:
        return e.errors


def _detailed_only(conv: mk.Converter, doc: Any, cls: type) -> Any:
    conv.structure_checked({"title": "t"}, Small)  # makes the checked path to compare with
    try:
        return _shape(detailed(conv._paths[False])(copy.deepcopy(doc), cls))
    except Problems as p:
        return _reported(p)


def _reported(p: Problems) -> list[tuple[str, str]]:
    """The errors a ValidationError reports for ``p`` (paths as users see them)."""
    return mk.ValidationError(capped(p.errors, LIMITS.max_errors), title="t").errors


CONVERTERS = [mk.Converter(), mk.Converter(limits=TIGHT), mk.Converter(limits=ITEMS)]


@given(mutated(kitchens() | caches() | smalls()))
def test_nested_fast_attempts_change_nothing_the_checked_path_reports(
    case: tuple[type, Any],
) -> None:
    """Instances inside a refused document are tried on the fast path first: the same result."""
    cls, doc = case
    for conv in CONVERTERS:
        alone = _detailed_only(conv, doc, cls)
        assert _checked(conv, doc, cls, None) == alone
        if _orjson_could_give(doc):  # as orjson just parsed it: the trusted structurers
            for size in (len(orjson.dumps(doc)), conv.limits.max_string + 1):
                assert _checked(conv, doc, cls, size) == alone


class _Counting:
    """A fast structurer that counts the instances it is asked to build."""

    def __init__(self) -> None:
        self.inner = FastStructurer(LIMITS, trusted=False)
        self.calls = 0

    def function(self, cls: type) -> Callable[[Any], Any]:
        fn = self.inner.function(cls)

        def counted(data: Any) -> Any:
            self.calls += 1
            return fn(data)

        return counted


def test_a_document_refused_deep_down_is_tried_on_the_fast_path_a_bounded_number_of_times() -> None:
    doc: dict[str, Any] = {"name": 0}  # refused at the bottom of a chain 40 twins deep
    for i in range(40):
        doc = {"name": f"n{i}", "twin": {"left": doc}}
    path = DetailedStructurer(LIMITS, lenient=False)
    counting = _Counting()
    with pytest.raises(Problems) as info:
        path.structure(doc, Node, counting)  # type: ignore[arg-type]
    where = ".".join(["twin.left"] * 40) + ".name"
    assert _reported(info.value) == [(where, "expected a string, found an integer (0)")]
    assert counting.calls == _detailed.FAST_TRIES  # each fails; then the detailed hooks alone
    assert _checked(CONVERTERS[0], doc, Node, None) == _detailed_only(CONVERTERS[0], doc, Node)


def test_the_valid_parts_of_a_refused_document_are_built_on_the_fast_path() -> None:
    cache = Cache(owner="o", entries=[Open(name=str(i)) for i in range(5)])
    doc = _json_doc(cache)
    doc["entries"][3]["name"] = 3
    path = DetailedStructurer(LIMITS, lenient=False)
    counting = _Counting()
    with pytest.raises(Problems) as info:
        path.structure(doc, Cache, counting)  # type: ignore[arg-type]
    assert _reported(info.value) == [("entries[3].name", "expected a string, found an integer (3)")]
    assert counting.calls == 5  # one attempt per entry, the refused one included


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ({"title": "t" * 9}, "title"),
        ({"owner": "o", "entries": [{"name": "n", "note": "t" * 9}]}, "entries[0].note"),
        ({"owner": "o", "meta": {"name": "n", "t" * 9: 1}}, "meta"),
        ({"owner": "o", "meta": {"name": "n", "x": ["t" * 9]}}, "meta.x[0]"),
    ],
)
def test_a_document_longer_than_max_string_has_its_strings_measured(
    doc: dict[str, Any], path: str
) -> None:
    cls = Small if "title" in doc else Cache
    raw = json.dumps(doc).encode()
    assert len(raw) > TIGHT.max_string  # so the reader takes the measured trusted path
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(raw, cls, limits=TIGHT)
    assert [p for p, _ in info.value.errors] == [path]
    assert "the limit is 8" in info.value.errors[0][1]


@mk.block
class Bagged:
    """A free-form bag, whose first level the trusted path checks inline."""

    bag: dict[str, Any]


def _nest(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"k": value}
    return value


@pytest.mark.parametrize(
    "bag",
    [
        {"a": "s", "b": 1, "c": 2.5},
        {"a": _nest(3)},  # as deep as ITEMS.max_depth allows
        {"a": _nest(4)},  # one level deeper
        {"a": [[[1]]]},
        {"a": [[[[1]]]]},
        {"a": 2.0**63},
        {"a": [-(2.0**63)]},
        {"a": 1, "b": 2, "c": 3},  # one item past ITEMS.max_items
        {"a": [1, 2, 3]},
    ],
)
def test_the_inline_bag_check_agrees_with_the_slow_path(bag: dict[str, Any]) -> None:
    doc = {"bag": bag}
    slow = _path(detailed(ITEMS_SLOW), doc, Bagged)
    trusted = _path(lambda d, c: fast_structure(ITEMS_TRUSTED, d, c), doc, Bagged)
    if _has_big_float(bag):
        assert trusted is Slow  # left to the exact path, which reads the bytes again
    else:
        assert trusted == slow
    assert _path(lambda d, c: fast_structure(TIGHT_FAST, d, c), doc, Bagged) == _path(
        detailed(TIGHT_SLOW), doc, Bagged
    )


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_the_inline_bag_check_keeps_the_depth_limit_of_the_slow_path(depth: int) -> None:
    limits = Limits(max_depth=depth)
    slow_path = DetailedStructurer(limits, lenient=False)
    trusted = FastStructurer(limits, trusted=True)
    accepted = []
    for levels in range(4):
        for doc in ({"bag": {"a": _nest(levels)}}, {"bag": {"a": [_nest(levels)]}}):
            slow = _path(detailed(slow_path), doc, Bagged)
            assert _path(lambda d, c: fast_structure(trusted, d, c), doc, Bagged) == slow
            accepted.append(slow is not Slow)
    # A bag's value may nest `depth` containers: {"a": _nest(n)} nests n, [_nest(n)] n + 1.
    assert accepted == [n <= depth for n in range(4) for n in (n, n + 1)]


@mk.block
class Optionals:
    """A class that refuses unknown keys, with optional fields."""

    name: str
    note: str | None = None
    count: int = 0


@pytest.mark.parametrize("kind", ["untrusted", "trusted", "measured", "portable"])
def test_a_missing_optional_key_replaced_by_an_unknown_one_is_refused(kind: str) -> None:
    # As many keys as fields, so the fast path reads every field without `in`: the
    # missing one leaves it for the slow path, which reports the unknown key.
    doc = {"name": "n", "note": "x", "cuont": 1}
    assert _fast(dict(doc), Optionals, kind) is Slow
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, Optionals)
    assert [path for path, _ in info.value.errors] == ["cuont"]
    assert _fast({"name": "n", "count": 2}, Optionals, kind) == Optionals(name="n", count=2)
    full = {"name": "n", "note": None, "count": 3}
    assert _fast(full, Optionals, kind) == Optionals(name="n", note=None, count=3)
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(json.dumps(doc), Optionals)
    assert [path for path, _ in info.value.errors] == ["cuont"]
