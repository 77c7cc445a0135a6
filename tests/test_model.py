"""Declaring manifests: attrs semantics, schema info, field metadata, definition errors."""

from __future__ import annotations

import typing
from typing import Any, Literal

import attrs
import pytest

import manifestkit as mk
from manifestkit._model import get_plan
from models import Budget, Inner, Kitchen, Small


def test_manifest_classes_are_frozen_slotted_keyword_only_attrs() -> None:
    inner = Inner(label="x")
    assert attrs.has(Inner)
    assert "__slots__" in Inner.__dict__
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        inner.label = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Inner("x")  # type: ignore[call-arg]


def test_equality_and_evolve_work_as_attrs_users_expect() -> None:
    a = Inner(label="x", weight=2)
    assert a == Inner(label="x", weight=2.0)
    b = attrs.evolve(a, label="y")  # type: ignore[misc] # mypy sees a dataclass-like class
    assert (b.label, b.weight) == ("y", 2.0)
    assert a != b
    assert mk.replace(a, label="y") == b


def test_evolve_is_checked_like_construction() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.replace(Inner(label="x"), weight="heavy")
    assert info.value.errors == [("weight", 'expected a number, found a string ("heavy")')]


def test_schema_info() -> None:
    info = mk.schema_info(Kitchen)
    assert (info.name, info.version, info.version_field, info.unknown) == (
        "test.kitchen",
        "2.3.0",
        "schema_version",
        "forbid",
    )
    assert mk.schema_info(Inner).name is None
    assert mk.get_schema("test.small") is Small
    assert mk.registered_schemas()["test.kitchen"] is Kitchen


def test_unknown_schema_names_the_known_ones() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.get_schema("nope")
    assert "no schema named 'nope' (known: " in str(info.value)
    assert "test.kitchen" in str(info.value)


def test_field_metadata_is_kept_for_docs_and_json_schema() -> None:
    plan = get_plan(Kitchen)
    assert plan.by_name["name"].meta.description == "A name."
    assert plan.by_name["ratio"].meta.unit == "1"
    assert plan.by_name["marker"].always is True
    assert plan.by_name["schema_version"].always is True
    assert [f.key for f in plan.sorted_fields] == sorted(f.key for f in plan.fields)


def test_the_version_field_is_added_first_when_not_declared() -> None:
    @mk.manifest("test.added", version=7)
    class Added:
        title: str

    assert [a.name for a in attrs.fields(Added)][:2] == ["schema_version", "title"]  # type: ignore[arg-type]
    doc = Added(title="t")
    assert mk.to_dict(doc) == {"schema_version": 7, "title": "t"}


def test_a_declared_version_field_must_default_to_the_version() -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:

        @mk.manifest("test.wrong-default", version="1.0")
        class Wrong:
            schema_version: str = "0.9"

    assert str(info.value) == "Wrong.schema_version must default to the current version '1.0'"


def test_a_schema_name_is_declared_once() -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:

        @mk.manifest("test.kitchen", version="1.0")
        class Other:
            x: int

    assert str(info.value).startswith("schema 'test.kitchen' is already declared by ")


@mk.block
class HasSet:
    values: set[int]


@mk.block
class IntKeys:
    values: dict[int, str]


def test_unsupported_annotations_are_refused_with_the_field_name() -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        get_plan(HasSet)
    assert (
        str(info.value) == "HasSet.values: set[int] is not a type manifestkit can put on the wire"
    )


def test_dict_keys_must_be_strings() -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        get_plan(IntKeys)
    assert "object keys on the wire are strings" in str(info.value)


@mk.block
class StrOrLiteral:
    value: str | Literal["x"] | int  # noqa: PYI051 - the ambiguity is what is tested


@mk.block
class A:
    x: int


@mk.block
class B:
    y: int


@mk.block
class Untagged:
    value: A | B


@mk.block
class On:
    state: Literal[True] = mk.field(default=True, always=True)
    why: str = ""


@mk.block
class Off:
    state: Literal[False] = mk.field(default=False, always=True)


@mk.block
class Switch:
    value: typing.Annotated[On | Off, mk.UnionTag("state", missing=lambda d: "why" in d)]


def test_ambiguous_unions_are_refused() -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        get_plan(StrOrLiteral)
    assert str(info.value) == (
        "StrOrLiteral.value: str | Literal['x'] | int has two members that both take a "
        "JSON string; manifestkit only reads unions whose members differ in JSON type (or "
        "classes told apart by a tag field)"
    )


def test_a_union_of_classes_needs_a_tag() -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        get_plan(Untagged)
    assert "a union of classes needs a tag field" in str(info.value)


def test_union_tag_can_name_the_field_and_the_missing_case() -> None:
    assert mk.from_dict({"value": {"why": "test"}}, Switch).value == On(why="test")
    assert mk.from_dict({"value": {}}, Switch).value == Off()
    assert mk.to_dict(Switch(value=Off())) == {"value": {"state": False}}
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"value": {"state": "yes"}}, Switch)
    assert info.value.errors == [
        ("value.state", 'expected one of true, false, found a string ("yes")')
    ]


def test_check_hooks_run_at_construction() -> None:
    with pytest.raises(mk.ValidationError) as info:
        Budget(replicates=0)
    assert info.value.errors == [("replicates", "must be at least 1")]
    with pytest.raises(mk.ValidationError) as info:
        Budget(replicates=3, max_runs=2)
    assert info.value.errors == [("max_runs", "must be at least replicates")]
    assert Budget(replicates=2, max_runs=2).max_runs == 2


def test_unknown_fields_of_a_fresh_instance_are_empty() -> None:
    assert dict(mk.unknown_fields(Inner(label="x"))) == {}
    with pytest.raises(mk.ManifestDefinitionError):
        mk.unknown_fields(object())


def test_free_form_values_are_copied_at_construction() -> None:
    data: dict[str, Any] = {"a": [1, 2]}

    @mk.block
    class Bag:
        extra: dict[str, Any]

    bag = Bag(extra=data)
    data["a"].append(3)
    assert bag.extra == {"a": [1, 2]}


def test_instances_of_hashable_fields_can_be_hashed_and_keep_unknown_fields_in_equality() -> None:
    a, b = Inner(label="x", weight=2), Inner(label="x", weight=2.0)
    assert hash(a) == hash(b)
    assert {a, b} == {a}

    @mk.block(unknown="preserve")
    class Tag:
        name: str

    doc = {"name": "n", "added_by": "v2"}
    kept = mk.from_dict(doc, Tag)
    plain = mk.from_dict({"name": "n"}, Tag)
    assert hash(kept) == hash(mk.from_dict(doc, Tag)) == hash(plain)
    assert kept != plain  # the preserved field still counts for equality


@pytest.mark.parametrize("version", ["1", "1.0.0.0", "v1.0", "01.0", "1.0-rc1", True, -1, 1.0, ""])
def test_a_version_that_is_not_major_minor_patch_or_an_integer_is_refused(version: Any) -> None:
    # "1" used to be accepted here, and a document without its version field then
    # failed to read with "expected a version such as "1", found a string ("1")".
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.manifest("test.bad-version", version=version)
    assert str(info.value) == (
        f'test.bad-version: version {version!r} is neither a "MAJOR.MINOR[.PATCH]" string'
        " nor a non-negative integer"
    )


@pytest.mark.parametrize("version", ["1.0", "0.4.2", 0, 3])
def test_a_document_without_its_version_field_reads_as_the_current_version(
    version: str | int,
) -> None:
    @mk.manifest(f"test.version-{version}", version=version)
    class Doc:
        a: int = 0

    assert mk.from_dict({}, Doc) == Doc()
    assert mk.to_dict(Doc()) == {"schema_version": version}


def test_replace_names_every_change_that_is_no_field() -> None:
    small = Small(title="t")
    with pytest.raises(mk.ValidationError) as info:
        mk.replace(small, nope=1, size=2, titel="x")
    assert info.value.errors == [("nope", "unknown field"), ("titel", "unknown field")]
    assert str(info.value).startswith("invalid Small with 2 problems")
    assert mk.replace(small, size=2) == Small(title="t", size=2)
    with pytest.raises(mk.ValidationError) as info:
        mk.replace(small, size="2")
    assert info.value.errors == [("size", 'expected an integer, found a string ("2")')]


@pytest.mark.parametrize("filenames", ["x.json", ("x.json", 3)])
def test_filenames_must_be_a_collection_of_patterns(filenames: Any) -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.manifest("test.filenames", version="1.0", filenames=filenames)
    assert str(info.value) == (
        "schema 'test.filenames': filenames must be a collection of glob patterns such as "
        f"('manifest.json',), not {filenames!r}"
    )
    assert "test.filenames" not in mk.registered_schemas()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"default": [1], "factory": list}, "give default= or factory=, not both"),
        ({"factory": 5}, "factory must be a callable, not 5"),
        ({"check": "positive"}, "check must be a callable, not 'positive'"),
        ({"key": 5}, "key must be a string, not 5"),
        ({"unit": 1.0}, "unit must be a string, not 1.0"),
        ({"description": ["a"]}, "description must be a string, not ['a']"),
        ({"examples": "abc"}, "examples must be a collection of values, not 'abc'"),
    ],
)
def test_field_refuses_arguments_of_the_wrong_kind(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.field(**arguments)
    assert str(info.value) == f"field(): {message}"


@pytest.mark.parametrize("default", [[], {}, set(), bytearray()])
def test_a_mutable_default_is_refused_since_every_instance_would_share_it(default: Any) -> None:
    @mk.block
    class Shared:
        items: Any = default

    kind = type(default).__name__
    with pytest.raises(mk.ManifestDefinitionError) as info:
        Shared()
    assert str(info.value) == (
        f"Shared.items: a {kind} default would be shared by every instance; "
        f"use field(factory={kind})"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"schema": 5}, "a schema name is a non-empty string, not 5"),
        ({"schema": ""}, "a schema name is a non-empty string, not ''"),
        (
            {"version_field": "not an identifier"},
            (
                "test.args: version_field names an attribute, so it is an identifier, "
                "not 'not an identifier'"
            ),
        ),
        (
            {"version_field": 5},
            "test.args: version_field names an attribute, so it is an identifier, not 5",
        ),
        ({"unknown_hint": 5}, "test.args: unknown_hint is a sentence, not 5"),
    ],
)
def test_manifest_refuses_arguments_of_the_wrong_kind(
    arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.manifest(**{"schema": "test.args", "version": "1.0", **arguments})
    assert str(info.value) == message
    assert "test.args" not in mk.registered_schemas()


def test_the_decorators_declare_classes_only() -> None:
    def function() -> None:
        pass

    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.block(function)  # type: ignore[call-overload]
    assert str(info.value) == f"@block declares a class, not {function!r}"
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.manifest("test.not_a_class", version=1)(5)  # type: ignore[arg-type]
    assert str(info.value) == "@manifest declares a class, not 5"
