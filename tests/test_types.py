"""Annotation analysis: what can go on the wire, and how it is named in errors."""

from __future__ import annotations

import enum
import typing
from typing import Annotated, Any, Literal

import pytest

import manifestkit as mk
from manifestkit._model import is_manifest_class
from manifestkit._types import Kind, analyze, json_kinds, type_name


def _kind(t: Any) -> Kind:
    return analyze(t, "X.f", is_manifest_class).kind


class Mixed(enum.Enum):
    A = "a"
    B = 1


class Empty(enum.Enum):
    pass


class Floats(enum.Enum):
    A = 1.5


@pytest.mark.parametrize(
    ("annotation", "kind"),
    [
        (typing.List[int], Kind.LIST),  # noqa: UP006
        (typing.Dict[str, int], Kind.DICT),  # noqa: UP006
        (typing.Tuple[int, ...], Kind.VARTUPLE),  # noqa: UP006
        (typing.Optional[int], Kind.OPTIONAL),  # noqa: UP045
        (Literal["a", None], Kind.OPTIONAL),  # noqa: PYI061 - this spelling is what is tested
        (Annotated[int, "doc"], Kind.INT),
        (object, Kind.ANY),
        (list, Kind.LIST),
        (dict, Kind.DICT),
        (Literal["a", "b"], Kind.LITERAL),
        (list[str] | dict[str, str] | None, Kind.OPTIONAL),
    ],
)
def test_supported_spellings(annotation: Any, kind: Kind) -> None:
    assert _kind(annotation) is kind


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (tuple, "X.f: a bare tuple needs item types"),
        (Mixed, "X.f: enum Mixed must have all-string or all-integer values"),
        (Empty, "X.f: enum Empty has no members"),
        (Floats, "X.f: enum Floats must have all-string or all-integer values"),
        (Literal[1.5], "X.f: Literal values must be strings, integers, booleans or None"),
        (bytes, "X.f: bytes is not a type manifestkit can put on the wire"),
        (int | float | str | bool, None),
        (
            int | Literal[2],  # noqa: PYI051 - the redundancy is what is tested
            "X.f: int | Literal[2] has two members that both take a JSON integer; manifestkit only reads unions whose members differ in JSON type (or classes told apart by a tag field)",
        ),
        (Annotated[int, mk.UnionTag("kind")], "X.f: UnionTag applies to a union of classes"),
    ],
)
def test_refused_annotations_name_the_field(annotation: Any, message: str | None) -> None:
    if message is None:
        assert _kind(annotation) is Kind.UNION
        return
    with pytest.raises(mk.ManifestDefinitionError) as info:
        _kind(annotation)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("annotation", "name"),
    [
        (dict[str, list[int] | None], "dict[str, list[int] | None]"),
        (typing.Optional[str], "str | None"),  # noqa: UP045
        (tuple[int, ...], "tuple[int, ...]"),
        (Annotated[Literal["a", 1], "x"], "Literal['a', 1]"),
        (Any, "Any"),
        (None, "None"),
    ],
)
def test_type_names_are_the_same_on_every_python(annotation: Any, name: str) -> None:
    assert type_name(annotation) == name


def test_json_kinds() -> None:
    node = analyze(int | str | None, "X.f", is_manifest_class)
    assert json_kinds(node) == {"integer", "string", "null"}
    assert json_kinds(analyze(Any, "X.f", is_manifest_class)) == {
        "string",
        "integer",
        "number",
        "boolean",
        "array",
        "object",
        "null",
    }
