"""JSON Schema export, checked against the real `jsonschema` validator.

Every document manifestkit writes validates; a document broken in one place
is refused by both validators, except where JSON Schema cannot say what
manifestkit checks (pinned below, and listed in docs/json-schema.md).
"""

from __future__ import annotations

import enum
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit._demo import DemoSession, sample
from manifestkit._jsonschema import DATE_PATTERN, DATETIME_PATTERN
from manifestkit._rfc3339 import parse_date, parse_datetime
from models import Budget, Cache, Inner, Kitchen, Open, Small, TieA
from strategies import caches, kitchens, rfc3339_datetimes, smalls
from strategies.mutations import mutated

DATA = Path(__file__).parent / "data" / "jsonschema"
Validator = jsonschema.Draft202012Validator


def _validator(cls: type) -> jsonschema.protocols.Validator:
    return Validator(mk.json_schema(cls))


def _wire(obj: Any) -> Any:
    return orjson.loads(mk.dumps(obj))


# ----------------------------------------------------------- the golden schema


def test_the_kitchen_schema_is_pinned() -> None:
    golden = json.loads((DATA / "kitchen.schema.json").read_text(encoding="utf-8"))
    assert mk.json_schema(Kitchen) == golden


@pytest.mark.parametrize("cls", [Kitchen, Small, Cache, TieA, DemoSession, Inner, Open, Budget])
def test_every_exported_schema_is_a_valid_draft_2020_12_schema(cls: type) -> None:
    schema = mk.json_schema(cls)
    Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_documents_get_an_id_naming_schema_and_version_and_blocks_none() -> None:
    assert mk.json_schema(Kitchen)["$id"] == "urn:manifestkit:test.kitchen:2.3.0"
    assert mk.json_schema(Small)["$id"] == "urn:manifestkit:test.small:3"
    assert "$id" not in mk.json_schema(Inner)


def test_a_class_that_is_not_a_manifest_is_refused() -> None:
    with pytest.raises(mk.ManifestDefinitionError):
        mk.json_schema(dict)


def test_policies_become_additional_properties() -> None:
    assert mk.json_schema(Kitchen)["additionalProperties"] is False
    assert mk.json_schema(Cache)["additionalProperties"] is True
    assert mk.json_schema(Kitchen)["$defs"]["Open"]["additionalProperties"] is True


def test_the_version_field_takes_any_version_of_the_current_major() -> None:
    props = mk.json_schema(Kitchen)["properties"]
    assert props["schema_version"] == {
        "type": "string",
        "pattern": "^2\\.(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))?$",
        "default": "2.3.0",
    }
    assert mk.json_schema(Small)["properties"]["version"] == {
        "type": "integer",
        "const": 3,
        "default": 3,
    }


# ------------------------------------------------------ documents we write pass


def test_the_golden_kitchen_document_validates() -> None:
    doc = json.loads((Path(__file__).parent / "data" / "core" / "kitchen.json").read_text())
    mk.from_dict(doc, Kitchen)
    assert list(_validator(Kitchen).iter_errors(doc)) == []


def test_the_demo_document_validates() -> None:
    assert list(_validator(DemoSession).iter_errors(_wire(sample()))) == []


@given(kitchens())
def test_every_generated_kitchen_validates(k: Kitchen) -> None:
    assert list(_validator(Kitchen).iter_errors(_wire(k))) == []


@given(smalls(), caches())
def test_every_generated_small_and_cache_validates(s: Small, c: Cache) -> None:
    assert list(_validator(Small).iter_errors(_wire(s))) == []
    assert list(_validator(Cache).iter_errors(_wire(c))) == []


# ----------------------------------------------- documents we refuse are refused


def test_every_invalid_golden_document_is_refused_too() -> None:
    cases = json.loads(
        (Path(__file__).parent / "data" / "core" / "invalid_documents.json").read_text()
    )
    classes = {"test.kitchen": Kitchen, "test.small": Small, "test.cache": Cache}
    checked = 0
    for case in cases:
        cls = classes.get(case["schema"])
        if cls is None:
            continue
        with pytest.raises(mk.ValidationError):
            mk.from_dict(case["document"], cls)
        assert not _validator(cls).is_valid(case["document"]), case["about"]
        checked += 1
    assert checked >= 3


# JSON Schema's data model has one kind of number: 3.0 is an integer to it.
_INTEGRAL_FLOAT = re.compile(r"found a number \((-?[0-9.e+-]+)\)$")


def _only_integral_floats(errors: list[tuple[str, str]]) -> bool:
    """Whether every refusal is an integral float where an integer was expected."""
    for _path, message in errors:
        m = _INTEGRAL_FLOAT.search(message)
        if m is None or not float(m[1]).is_integer():
            return False
    return True


@given(st.data())
def test_a_document_broken_in_one_place_is_judged_alike(data: st.DataObject) -> None:
    k = data.draw(kitchens())
    doc = data.draw(mutated(_wire(k), keep=frozenset({"schema_version"})))
    _judged_alike(doc, Kitchen)


def _refusals(doc: Any, cls: type) -> list[tuple[str, str]]:
    try:
        mk.from_dict(doc, cls)
    except mk.ValidationError as exc:
        return exc.errors
    return []


def _judged_alike(doc: Any, cls: type) -> None:
    accepted_by_schema = _validator(cls).is_valid(doc)
    refusals = _refusals(doc, cls)
    if refusals:
        assert not accepted_by_schema or _only_integral_floats(refusals), refusals
    else:
        assert accepted_by_schema


@given(st.data())
def test_a_preserving_document_broken_in_one_place_is_judged_alike(data: st.DataObject) -> None:
    c = data.draw(caches())
    doc = data.draw(mutated(_wire(c), keep=frozenset({"schema_version"})))
    _judged_alike(doc, Cache)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("count", 2**64),
        ("count", -(2**63) - 1),
        ("count", True),
        ("pair", ["x", 1, 2]),
        ("pair", ["x"]),
        ("path", ""),
        ("path", "a\x00b"),
        ("ident", "0123456789abcdef0123456789abcdef"),
        ("started", "2026-05-14T10:00:00.1234567Z"),
        ("started", "2026-05-14T10:00:60Z"),
        ("started", "2026-05-14T24:00:00Z"),
        ("started", "2026-05-14T10:00:00+24:00"),
        ("started", "0000-05-14T10:00:00Z"),
        ("started", "\u0662\u0660\u0662\u0666-05-14T10:00:00Z"),
        ("day", "2026-13-01"),
        ("provenance", {"kind": "synthetic"}),
        ("provenance", {"seed": 1}),
        ("level", "1"),
        ("mode", None),
    ],
)
def test_values_refused_for_their_type_or_shape_are_refused_by_both(field: str, value: Any) -> None:
    doc = _wire(_kitchen())
    doc[field] = value
    with pytest.raises(mk.ValidationError):
        mk.from_dict(doc, Kitchen)
    assert not _validator(Kitchen).is_valid(doc)


def _kitchen() -> Kitchen:
    return mk.read(Path(__file__).parent / "data" / "core" / "kitchen.json", Kitchen)


# ------------------------------------------ what JSON Schema cannot say (pinned)


def test_what_json_schema_cannot_say_is_what_the_docs_list() -> None:
    v = _validator(Kitchen)
    doc = _wire(_kitchen())

    def accepted_only_by_the_schema(**changes: Any) -> None:
        changed = {**doc, **changes}
        with pytest.raises(mk.ValidationError):
            mk.from_dict(changed, Kitchen)
        assert v.is_valid(changed)

    accepted_only_by_the_schema(count=3.0)  # 3.0 is an integer to JSON Schema
    accepted_only_by_the_schema(level=2.0)
    accepted_only_by_the_schema(ratio=2**53 + 1)  # no float holds it exactly
    accepted_only_by_the_schema(day="2026-02-30")  # calendar validity is the format's
    accepted_only_by_the_schema(free={"deep": _nested(120)})  # manifestkit's depth limit
    accepted_only_by_the_schema(name="\ud800")  # a lone surrogate, as json.loads makes it
    # A field's check= and a class's __manifest_check__ run only in Python.
    budget = Validator(mk.json_schema(Budget))
    assert budget.is_valid({"replicates": 0})
    assert budget.is_valid({"replicates": 3, "max_runs": 1})
    # A newer minor version's unknown fields are preserved by manifestkit, refused here.
    newer = {**doc, "schema_version": "2.9", "added_later": 1}
    assert mk.from_dict(newer, Kitchen).name == doc["name"]
    assert not v.is_valid(newer)
    # An older major is migrated by manifestkit; the schema describes the current major.
    older = {**doc, "schema_version": "1.0", "folder": doc["path"]}
    del older["path"]
    assert mk.from_dict(older, Kitchen).schema_version == "2.0.0"
    assert not v.is_valid(older)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


# ------------------------------------------------------- exact date-time shapes

_NEAR_DATETIMES = st.from_regex(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt x][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,8})?"
    r"([Zzq]|[+-][0-9]{2}:[0-9]{2})?",
    fullmatch=True,
)


@given(_NEAR_DATETIMES | rfc3339_datetimes().map(lambda d: d.isoformat()))
def test_the_date_time_pattern_accepts_exactly_what_manifestkit_parses(text: str) -> None:
    matched = re.search(DATETIME_PATTERN, text) is not None
    why = _why_not(parse_datetime, text)
    # Only the calendar (the 31st of a 30-day month, 29 February) is left to `format`.
    assert matched == (why is None) or (matched and "day is out of range" in str(why)), why


def _why_not(parse: Any, text: str) -> str | None:
    try:
        parse(text)
    except ValueError as exc:
        return str(exc)
    return None


@given(st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True))
def test_the_date_pattern_accepts_exactly_what_manifestkit_parses(text: str) -> None:
    matched = re.search(DATE_PATTERN, text) is not None
    why = _why_not(parse_date, text)
    assert matched == (why is None) or (matched and "day is out of range" in str(why)), why


# --------------------------------------------------------- one construct each
# Blocks, not documents: nothing here enters the schema registry.


@mk.block
class Channel:
    """One recorded channel.

    More about it.
    """

    rate: float = mk.field(
        default=30.0, description="Samples per second.", unit="Hz", examples=[1000, 30.5]
    )
    started: datetime | None = mk.field(default=None, examples=[datetime(2026, 1, 2, 3, 4, 5)])
    label: str = mk.field(key="channel-label", default="x")


def test_field_metadata_becomes_description_unit_default_and_examples() -> None:
    schema = mk.json_schema(Channel)
    assert schema["description"] == "One recorded channel.\n\nMore about it."
    assert schema["properties"]["rate"] == {
        "type": "number",
        "description": "Samples per second.",
        "x-unit": "Hz",
        "default": 30.0,
        "examples": [1000.0, 30.5],
    }
    assert schema["properties"]["started"]["examples"] == ["2026-01-02T03:04:05"]
    assert schema["properties"]["channel-label"] == {"type": "string", "default": "x"}
    assert "required" not in schema


class Mood(enum.Enum):
    CALM = "calm"


class Step(enum.IntEnum):
    ONE = 1


@mk.block
class Odd:
    mood: Mood = mk.field(default=Mood.CALM, examples=["not a member"])
    anything: Any = mk.field(default=None, examples=[float("nan")])
    strange: Any = mk.field(default=float("inf"))  # an instance could never keep it


def test_an_example_or_default_that_is_not_a_valid_value_is_left_out() -> None:
    props = mk.json_schema(Odd)["properties"]
    assert props["mood"] == {"type": "string", "enum": ["calm"], "default": "calm"}
    assert props["anything"] == {"default": None}
    assert props["strange"] == {}


@mk.block
class Optionals:
    text: str | None
    lit: Literal["a"] | None
    lits: Literal["a", "b", None]  # noqa: PYI061 - this spelling is what is tested
    step: Step | None
    inner: Inner | None
    either: int | str | None
    pair: tuple[int, str] | None


def test_optional_values_add_null_in_the_simplest_way() -> None:
    props = mk.json_schema(Optionals)["properties"]
    assert props["text"] == {"type": ["string", "null"]}
    assert props["lit"] == {"enum": ["a", None]}
    assert props["lits"] == {"enum": ["a", "b", None]}
    assert props["step"] == {"enum": [1, None]}
    assert props["inner"] == {"anyOf": [{"$ref": "#/$defs/Inner"}, {"type": "null"}]}
    assert props["either"]["anyOf"][-1] == {"type": "null"}
    assert len(props["either"]["anyOf"]) == 3
    assert props["pair"]["type"] == ["array", "null"]
    v = Validator(mk.json_schema(Optionals))
    base = {"text": None, "lit": None, "lits": None, "step": None, "inner": None, "either": None}
    assert v.is_valid({**base, "pair": None})
    assert v.is_valid({**base, "pair": [1, "x"], "either": "s", "step": 1, "lits": "b"})
    assert not v.is_valid({**base, "pair": [1, "x", 2]})
    assert not v.is_valid({**base, "pair": None, "step": 2})


@mk.block
class Cat:
    kind: Literal["cat"] = "cat"
    lives: int = 9


@mk.block
class Dog:
    kind: Literal["dog"]
    good: bool = True


@mk.block
class Pets:
    pet: Cat | Dog
    pet_or_name: Cat | Dog | str = "none"


def test_a_tagged_union_is_one_of_with_its_discriminator() -> None:
    schema = mk.json_schema(Pets)
    assert schema["properties"]["pet"] == {
        "oneOf": [{"$ref": "#/$defs/Cat", "required": ["kind"]}, {"$ref": "#/$defs/Dog"}],
        "discriminator": {"propertyName": "kind"},
    }
    assert schema["properties"]["pet_or_name"]["oneOf"][2] == {"type": "string"}
    v = Validator(schema)
    assert v.is_valid({"pet": {"kind": "dog"}, "pet_or_name": "rex"})
    for doc in ({"pet": {"lives": 3}}, {"pet": {"kind": "cow"}}):
        with pytest.raises(mk.ValidationError):
            mk.from_dict(doc, Pets)
        assert not v.is_valid(doc)
    assert v.is_valid({"pet": {"kind": "cat"}})


@mk.block
class Override:
    revoked: Literal[False] = False
    value: int


@mk.block
class Tombstone:
    revoked: Literal[True]
    revokes: str


@mk.block
class Entry:
    item: Annotated[Override | Tombstone, mk.UnionTag("revoked", missing=lambda d: "revokes" in d)]


def test_a_union_tag_that_may_be_missing_leaves_the_tag_optional() -> None:
    item = mk.json_schema(Entry)["properties"]["item"]
    assert item["oneOf"] == [{"$ref": "#/$defs/Override"}, {"$ref": "#/$defs/Tombstone"}]
    assert item["discriminator"] == {"propertyName": "revoked"}
    assert Validator(mk.json_schema(Entry)).is_valid({"item": {"value": 3}})
    assert mk.from_dict({"item": {"value": 3}}, Entry).item == Override(value=3)


@mk.block
class Node:
    name: str
    children: list[Node] = mk.field(factory=list)


@mk.block
class Tree:
    root: Node
    parent: Tree | None = None


def test_a_class_that_contains_itself_refers_back() -> None:
    schema = mk.json_schema(Tree)
    assert schema["properties"]["parent"]["anyOf"][0] == {"$ref": "#"}
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    doc: dict[str, Any] = {
        "root": {"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]}
    }
    assert not Validator(schema).is_valid(doc)
    doc["root"]["children"][0]["children"][0]["name"] = "c"
    assert Validator(schema).is_valid({**doc, "parent": {"root": {"name": "p"}}})


def _part(value_type: type) -> type:
    part: type = mk.block(
        type("Part", (), {"__annotations__": {"value": value_type}, "__module__": __name__})
    )
    return part


PartA, PartB = _part(int), _part(str)


@mk.block
class Both:
    a: PartA  # type: ignore[valid-type]
    b: PartB  # type: ignore[valid-type]


def test_two_classes_with_one_name_get_two_definitions() -> None:
    schema = mk.json_schema(Both)
    assert sorted(schema["$defs"]) == ["Part", "Part_2"]
    v = Validator(schema)
    assert v.is_valid({"a": {"value": 1}, "b": {"value": "x"}})
    assert not v.is_valid({"a": {"value": "x"}, "b": {"value": "x"}})
