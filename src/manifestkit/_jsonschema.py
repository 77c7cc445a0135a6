"""JSON Schema (draft 2020-12) of a manifest class, for tools in other languages.

The schema is built from the same `TypeNode` trees the converter reads, so it
says what manifestkit's reader accepts, as far as JSON Schema can say it.
What it cannot say is listed in ``docs/json-schema.md``; in short: JSON Schema
does not tell ``1`` from ``1.0``, cannot run a field's ``check=`` or a class's
``__manifest_check__``, knows nothing of migrations (it describes the current
major version only), and does not know that a newer minor version's unknown
fields are preserved rather than refused.

Nested classes go under ``$defs`` (a class that contains itself refers back
with ``$ref``); field metadata becomes ``description``, ``default``,
``examples`` and the annotation keyword ``x-unit``.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import orjson

from ._model import ClassPlan, FieldPlan, get_plan, schema_info
from ._rfc3339 import ORJSON_DATETIME
from ._types import Kind, TypeNode
from ._values import INT_MAX, INT_MIN, Limits, Problems
from ._wire import wire_value

__all__ = ["DATETIME_PATTERN", "DATE_PATTERN", "DIALECT", "json_schema", "schema_id"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# The shapes manifestkit's own parsers accept (see _rfc3339.py), written with
# [0-9] rather than \d, which means any Unicode digit in some regex engines.
_YEAR = "(?!0000)[0-9]{4}"
_DAY = f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?"
_OFFSET = "([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?"
DATETIME_PATTERN = f"^{_DAY}[Tt ]{_TIME}{_OFFSET}$"
"""Date-times manifestkit reads: RFC 3339, or without an offset (a naive value)."""
DATE_PATTERN = f"^{_DAY}$"
"""Dates manifestkit reads: ``YYYY-MM-DD``."""
_UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_NO_NUL = "^[^\\u0000]*$"
_LIMITS = Limits()

# Keywords that constrain every JSON type, so "null" cannot simply join "type".
_NOT_TYPE_SPECIFIC = ("enum", "const", "$ref", "anyOf", "oneOf", "allOf", "not")


def schema_id(name: str, version: str | int | None) -> str:
    """The ``$id`` of a schema: ``urn:manifestkit:NAME:VERSION``."""
    return f"urn:manifestkit:{name}" + (f":{version}" if version is not None else "")


def json_schema(cls: type) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of a manifest or block class.

    The schema describes the JSON wire form of the class's current version:
    field types, required fields, defaults, enums and literals,
    ``additionalProperties`` false for ``forbid`` classes and true for
    ``preserve`` ones, tagged unions as ``oneOf`` with their discriminator,
    descriptions, units and examples. A document class gets an ``$id`` naming
    its schema and version.

    Raises:
        ManifestDefinitionError: ``cls`` is not a manifest class.
    """
    info = schema_info(cls)
    builder = _Builder(cls)
    body = builder.class_schema(cls)
    out: dict[str, Any] = {"$schema": DIALECT}
    if info.name is not None:
        out["$id"] = schema_id(info.name, info.version)
    out.update(body)
    if builder.defs:
        out["$defs"] = {name: builder.defs[name] for name in sorted(builder.defs)}
    return out


class _Builder:
    def __init__(self, root: type) -> None:
        self.root = root
        self.names: dict[type, str] = {}
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, cls: type) -> dict[str, Any]:
        if cls is self.root:
            return {"$ref": "#"}
        name = self.names.get(cls)
        if name is None:
            name = self._name_for(cls)
            self.names[cls] = name
            self.defs[name] = {}  # placed first: a class may contain itself
            self.defs[name] = self.class_schema(cls)
        return {"$ref": f"#/$defs/{name}"}

    def _name_for(self, cls: type) -> str:
        taken = set(self.names.values())
        base = cls.__qualname__.replace(".<locals>", "").replace(".", "_")
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        return name

    def class_schema(self, cls: type) -> dict[str, Any]:
        plan = get_plan(cls)
        out: dict[str, Any] = {"title": cls.__name__}
        if cls.__doc__:
            out["description"] = inspect.cleandoc(cls.__doc__)
        out["type"] = "object"
        out["properties"] = {f.key: self.field_schema(f, plan) for f in plan.fields}
        required = [f.key for f in plan.fields if f.required]
        if required:
            out["required"] = required
        out["additionalProperties"] = plan.info.unknown == "preserve"
        return out

    def field_schema(self, f: FieldPlan, plan: ClassPlan) -> dict[str, Any]:
        info = plan.info
        if f.name == info.version_field and info.version is not None:
            node_schema = _version_schema(info.version)
        else:
            node_schema = self.node(f.node)
        meta: dict[str, Any] = {}
        if f.meta.description:
            meta["description"] = f.meta.description
        if f.meta.unit:
            meta["x-unit"] = f.meta.unit
        if not f.required:
            default = _wire(f.default, f.node)
            if default is not _UNWRITABLE:
                meta["default"] = default
        examples = [_wire(x, f.node) for x in f.meta.examples]
        if examples and _UNWRITABLE not in examples:
            meta["examples"] = examples
        return {**node_schema, **meta}  # draft 2020-12 allows keywords beside $ref

    def node(self, node: TypeNode) -> dict[str, Any]:
        k = node.kind
        simple = _SIMPLE.get(k)
        if simple is not None:
            return dict(simple)
        if k is Kind.CLASS:
            return self.ref(node.target)
        if k is Kind.ENUM:
            values = [m.value for m in node.target]
            return {"type": "string" if isinstance(values[0], str) else "integer", "enum": values}
        if k is Kind.LITERAL:
            values = list(node.target)
            return {"const": values[0]} if len(values) == 1 else {"enum": values}
        if k in (Kind.LIST, Kind.VARTUPLE):
            return {"type": "array", "items": self.node(node.args[0])}
        if k is Kind.TUPLE:
            n = len(node.args)
            return {
                "type": "array",
                "prefixItems": [self.node(a) for a in node.args],
                "items": False,
                "minItems": n,
                "maxItems": n,
            }
        if k is Kind.DICT:
            return {"type": "object", "additionalProperties": self.node(node.args[0])}
        if k is Kind.ANY:
            return {}
        if k is Kind.OPTIONAL:
            return _nullable(self.node(node.args[0]))
        if k is Kind.UNION:
            return self._union(node)
        raise AssertionError(k)  # pragma: no cover - every Kind is handled above

    def _union(self, node: TypeNode) -> dict[str, Any]:
        if node.tag is None:
            # Members differ in JSON type, except that an integer is also a number:
            # anyOf, since int | float lets an integer match two members.
            return {"anyOf": [self.node(m) for m in node.args]}
        members: list[dict[str, Any]] = []
        tag_key = node.tag
        for m in node.args:
            if m.kind is not Kind.CLASS:
                members.append(self.node(m))
                continue
            tag_field = get_plan(m.target).by_name[node.tag]  # every member has it
            tag_key = tag_field.key
            branch = self.ref(m.target)
            if not tag_field.required and node.missing_tag is None:
                branch = {**branch, "required": [tag_field.key]}  # the reader needs the tag
            members.append(branch)
        return {"oneOf": members, "discriminator": {"propertyName": tag_key}}


_SIMPLE: dict[Kind, dict[str, Any]] = {
    Kind.STR: {"type": "string"},
    Kind.INT: {"type": "integer", "minimum": INT_MIN, "maximum": INT_MAX},
    Kind.FLOAT: {"type": "number"},
    Kind.BOOL: {"type": "boolean"},
    Kind.DATETIME: {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN},
    Kind.DATE: {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    Kind.UUID: {"type": "string", "format": "uuid", "pattern": _UUID_PATTERN},
    Kind.PATH: {"type": "string", "minLength": 1, "pattern": _NO_NUL},
}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    t = schema.get("type")
    if isinstance(t, str) and not any(k in schema for k in _NOT_TYPE_SPECIFIC):
        return {**schema, "type": [t, "null"]}
    if "const" in schema and len(schema) == 1:
        return {"enum": [schema["const"], None]}
    if "enum" in schema and set(schema) <= {"enum", "type"}:
        return {"enum": [*schema["enum"], None]}
    if set(schema) == {"anyOf"}:
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def _version_schema(version: str | int) -> dict[str, Any]:
    # Every version of the current major is read as is (a newer minor too);
    # older majors are migrated first, which JSON Schema cannot describe.
    if isinstance(version, int):
        return {"type": "integer", "const": version}
    major = re.escape(str(version).split(".", 1)[0])
    return {"type": "string", "pattern": f"^{major}\\.(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))?$"}


_UNWRITABLE: Any = object()


def _wire(value: Any, node: TypeNode) -> Any:
    """A default or example as JSON (``_UNWRITABLE`` if it is not a valid value)."""
    try:
        plain = wire_value(value, node, include_defaults=False, limits=_LIMITS)
        return orjson.loads(orjson.dumps(plain, option=ORJSON_DATETIME))
    except (Problems, TypeError, ValueError, AttributeError):
        return _UNWRITABLE
