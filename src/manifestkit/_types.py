"""What a field's annotation means on the wire: a small tree of `TypeNode`.

Every part that needs to know a field's type (structuring, unstructuring, the
canonical form, construction checks, JSON Schema) reads these nodes instead of
re-inspecting `typing` objects. The set of supported annotations is closed:
anything else is refused when the class is first used, with a message that
names the class and field.
"""

from __future__ import annotations

import enum
import pathlib
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ._errors import ManifestDefinitionError

__all__ = ["Kind", "TypeNode", "UnionTag", "analyze", "json_kinds", "type_name"]


class Kind(enum.Enum):
    """The wire shapes manifestkit knows."""

    STR = "string"
    INT = "integer"
    FLOAT = "number"
    BOOL = "boolean"
    DATETIME = "date-time"
    DATE = "date"
    UUID = "uuid"
    PATH = "path"
    ENUM = "enum"
    LITERAL = "literal"
    LIST = "list"
    TUPLE = "tuple"
    VARTUPLE = "variadic tuple"
    DICT = "dict"
    ANY = "any JSON value"
    OPTIONAL = "optional"
    UNION = "union"
    CLASS = "class"


class UnionTag:
    """Annotated metadata naming the tag field of a union of manifest classes.

    Usually not needed: the tag is found by itself when every member has a
    field of the same name typed as a one-value ``Literal``. Use this to pick
    the field explicitly, or to say which tag a document without one has::

        Annotated[Override | Tombstone, UnionTag("revoked", missing=lambda d: "revokes" in d)]
    """

    __slots__ = ("field", "missing")

    def __init__(
        self, field: str, *, missing: Callable[[Mapping[str, Any]], Any] | None = None
    ) -> None:
        """``missing(document)`` returns the tag value to assume when the key is absent."""
        self.field = field
        self.missing = missing

    def __repr__(self) -> str:
        return f"UnionTag({self.field!r})"


class TypeNode:
    """One node of an analysed annotation.

    Attributes:
        kind: The wire shape.
        annotation: The annotation this node was made from.
        args: Child nodes: list/dict item, tuple items, optional/union members.
        target: The class (CLASS, ENUM, PATH), or the literal values (LITERAL).
        tag: For a union of classes, the name of the tag field.
        tags: For a union of classes, tag value -> member node.
        missing_tag: For a union of classes, how to pick a member without a tag.
    """

    __slots__ = ("annotation", "args", "kind", "missing_tag", "tag", "tags", "target")

    def __init__(
        self,
        kind: Kind,
        annotation: Any,
        args: tuple[TypeNode, ...] = (),
        target: Any = None,
        tag: str | None = None,
        tags: Mapping[Any, TypeNode] | None = None,
        missing_tag: Callable[[Mapping[str, Any]], Any] | None = None,
    ) -> None:
        """Build a node; use `analyze` rather than calling this."""
        self.kind = kind
        self.annotation = annotation
        self.args = args
        self.target = target
        self.tag = tag
        self.tags: Mapping[Any, TypeNode] = tags or {}
        self.missing_tag = missing_tag

    def __repr__(self) -> str:
        return f"TypeNode({self.kind.name}, {self.annotation!r})"


_SCALARS: dict[Any, Kind] = {
    str: Kind.STR,
    int: Kind.INT,
    float: Kind.FLOAT,
    bool: Kind.BOOL,
    datetime: Kind.DATETIME,
    date: Kind.DATE,
    uuid.UUID: Kind.UUID,
}
_PATHS = (pathlib.Path, pathlib.PurePath, pathlib.PurePosixPath, pathlib.PosixPath)
_NONE = type(None)


def type_name(t: Any) -> str:
    """A readable name for an annotation, the same on every Python version.

    >>> type_name(dict[str, list[int] | None])
    'dict[str, list[int] | None]'
    """
    if t is type(None) or t is None:
        return "None"
    if t is Any:
        return "Any"
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is typing.Literal:
        return "Literal[" + ", ".join(repr(a) for a in args) + "]"
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(type_name(a) for a in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        inner = ", ".join("..." if a is Ellipsis else type_name(a) for a in args)
        return f"{name}[{inner}]" if args else name
    return getattr(t, "__name__", repr(t))


def analyze(annotation: Any, where: str, is_class: Callable[[Any], bool]) -> TypeNode:
    """Turn an annotation into a `TypeNode`; ``where`` names the field for errors.

    ``is_class`` tells manifest classes (declared with manifestkit) apart.
    """
    try:
        return _analyze(annotation, where, is_class)
    except ManifestDefinitionError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise ManifestDefinitionError(
            f"{where}: cannot use {type_name(annotation)}: {exc}"
        ) from None


def _analyze(t: Any, where: str, is_class: Callable[[Any], bool]) -> TypeNode:
    origin = t if t in (list, dict, tuple) else typing.get_origin(t)
    if origin is typing.Annotated:
        inner, *extras = typing.get_args(t)
        node = _analyze(inner, where, is_class)
        for extra in extras:
            if isinstance(extra, UnionTag):
                node = _retag(node, extra, where)
        return node
    if t is Any or t is object:
        return TypeNode(Kind.ANY, t)
    kind = _SCALARS.get(t)
    if kind is not None:
        return TypeNode(kind, t)
    if t in _PATHS:
        return TypeNode(Kind.PATH, t, target=t)
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return _enum(t, where)
    if isinstance(t, type) and is_class(t):
        return TypeNode(Kind.CLASS, t, target=t)
    if origin is typing.Literal:
        return _literal(t, typing.get_args(t), where)
    if origin in (list, typing.List):  # noqa: UP006 - typing.List is still seen in user code
        (item,) = typing.get_args(t) or (Any,)
        return TypeNode(Kind.LIST, t, (_analyze(item, where + "[]", is_class),))
    if origin in (tuple, typing.Tuple):  # noqa: UP006
        args = typing.get_args(t)
        if len(args) == 2 and args[1] is Ellipsis:
            return TypeNode(Kind.VARTUPLE, t, (_analyze(args[0], where + "[]", is_class),))
        if not args:
            raise ManifestDefinitionError(f"{where}: a bare tuple needs item types")
        return TypeNode(
            Kind.TUPLE,
            t,
            tuple(_analyze(a, f"{where}[{i}]", is_class) for i, a in enumerate(args)),
        )
    if origin in (dict, typing.Dict):  # noqa: UP006
        key, value = typing.get_args(t) or (str, Any)
        if key is not str:
            raise ManifestDefinitionError(
                f"{where}: object keys on the wire are strings; use dict[str, ...], "
                f"not {type_name(t)}"
            )
        return TypeNode(Kind.DICT, t, (_analyze(value, where + "[]", is_class),))
    if origin is typing.Union or origin is types.UnionType:
        return _union(t, typing.get_args(t), where, is_class)
    raise ManifestDefinitionError(
        f"{where}: {type_name(t)} is not a type manifestkit can put on the wire"
    )


def _enum(t: type[enum.Enum], where: str) -> TypeNode:
    values = [m.value for m in t]
    if not values:
        raise ManifestDefinitionError(f"{where}: enum {t.__name__} has no members")
    kinds = {type(v) for v in values}
    if len(kinds) != 1 or kinds.pop() not in (str, int):
        raise ManifestDefinitionError(
            f"{where}: enum {t.__name__} must have all-string or all-integer values"
        )
    return TypeNode(Kind.ENUM, t, target=t)


def _literal(t: Any, values: tuple[Any, ...], where: str) -> TypeNode:
    for v in values:
        if v is not None and type(v) not in (str, int, bool):
            raise ManifestDefinitionError(
                f"{where}: Literal values must be strings, integers, booleans or None"
            )
    if None in values:
        rest = tuple(v for v in values if v is not None)
        inner = TypeNode(Kind.LITERAL, t, target=rest)
        return TypeNode(Kind.OPTIONAL, t, (inner,))
    return TypeNode(Kind.LITERAL, t, target=values)


def json_kinds(node: TypeNode) -> frozenset[str]:
    """The JSON types (``string``, ``integer``, ...) that a node accepts on the wire."""
    k = node.kind
    if k in (Kind.STR, Kind.DATETIME, Kind.DATE, Kind.UUID, Kind.PATH):
        return frozenset({"string"})
    if k is Kind.INT:
        return frozenset({"integer"})
    if k is Kind.FLOAT:
        return frozenset({"number"})
    if k is Kind.BOOL:
        return frozenset({"boolean"})
    if k is Kind.ENUM:
        first = next(iter(node.target)).value
        return frozenset({"string" if isinstance(first, str) else "integer"})
    if k is Kind.LITERAL:
        names = {bool: "boolean", int: "integer", str: "string"}
        return frozenset(names[type(v)] for v in node.target)
    if k in (Kind.LIST, Kind.TUPLE, Kind.VARTUPLE):
        return frozenset({"array"})
    if k in (Kind.DICT, Kind.CLASS):
        return frozenset({"object"})
    if k is Kind.OPTIONAL:
        return json_kinds(node.args[0]) | {"null"}
    if k is Kind.UNION:
        return frozenset().union(*(json_kinds(a) for a in node.args))
    return frozenset({"string", "integer", "number", "boolean", "array", "object", "null"})


def _union(
    t: Any, members: tuple[Any, ...], where: str, is_class: Callable[[Any], bool]
) -> TypeNode:
    optional = _NONE in members
    rest = [m for m in members if m is not _NONE]
    literal_values = [
        v for m in rest if typing.get_origin(m) is typing.Literal for v in typing.get_args(m)
    ]
    others = [m for m in rest if typing.get_origin(m) is not typing.Literal]
    nodes = [_analyze(m, where, is_class) for m in others]
    if literal_values:
        nodes.append(_literal(typing.Literal[tuple(literal_values)], tuple(literal_values), where))
    node = nodes[0] if len(nodes) == 1 else _dispatching_union(t, nodes, where)
    return TypeNode(Kind.OPTIONAL, t, (node,)) if optional else node


def _dispatching_union(t: Any, nodes: list[TypeNode], where: str) -> TypeNode:
    classes = [n for n in nodes if n.kind is Kind.CLASS]
    seen: dict[str, TypeNode] = {}
    for n in nodes:
        if n.kind is Kind.CLASS and len(classes) > 1:
            continue
        for kind in json_kinds(n):
            if kind in seen:
                raise ManifestDefinitionError(
                    f"{where}: {type_name(t)} has two members that both take a JSON {kind}; "
                    "manifestkit only reads unions whose members differ in JSON type "
                    "(or classes told apart by a tag field)"
                )
            seen[kind] = n
    if len(classes) > 1 and "object" in seen:
        raise ManifestDefinitionError(f"{where}: {type_name(t)} mixes a dict with tagged classes")
    node = TypeNode(Kind.UNION, t, tuple(nodes))
    if len(classes) > 1:
        _find_tag(node, classes, where, None)
    return node


def _retag(node: TypeNode, spec: UnionTag, where: str) -> TypeNode:
    target = node.args[0] if node.kind is Kind.OPTIONAL else node
    if target.kind is not Kind.UNION:
        raise ManifestDefinitionError(f"{where}: UnionTag applies to a union of classes")
    classes = [n for n in target.args if n.kind is Kind.CLASS]
    _find_tag(target, classes, where, spec)
    return node


def _find_tag(node: TypeNode, classes: list[TypeNode], where: str, spec: UnionTag | None) -> None:
    hints = [typing.get_type_hints(c.target, include_extras=True) for c in classes]
    names = [spec.field] if spec else sorted(set.intersection(*(set(h) for h in hints)))
    for name in names:
        tags: dict[Any, TypeNode] = {}
        for c, h in zip(classes, hints, strict=True):
            ann = h.get(name)
            while typing.get_origin(ann) is typing.Annotated:
                ann = typing.get_args(ann)[0]
            values = typing.get_args(ann) if typing.get_origin(ann) is typing.Literal else ()
            if len(values) != 1 or values[0] in tags:
                break
            tags[values[0]] = c
        else:
            node.tag = name
            node.tags = tags
            node.missing_tag = spec.missing if spec else None
            return
    raise ManifestDefinitionError(
        f"{where}: a union of classes needs a tag field: one field present in every member, "
        "typed as a one-value Literal (e.g. kind: Literal['synthetic'])"
    )
