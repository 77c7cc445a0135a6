"""Declaring manifests: `manifest`, `block`, `field`, and the per-class plan.

A manifest class is an attrs class (frozen, slotted, keyword-only) with a
little extra knowledge attached: its schema name and version (for documents),
its unknown-field policy, and per-field metadata. The plan of a class (its
fields with their analysed types, wire keys and defaults) is built once, on
first use, so forward references resolve after the module has loaded.
"""

from __future__ import annotations

import re
import threading
import typing
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import attrs

from ._errors import ManifestDefinitionError, ManifestError, ValidationError
from ._types import TypeNode, analyze

__all__ = [
    "NO_UNKNOWN",
    "ClassPlan",
    "FieldMeta",
    "FieldPlan",
    "Policy",
    "SchemaInfo",
    "block",
    "field",
    "get_plan",
    "is_manifest_class",
    "load_schema_plugins",
    "manifest",
    "registered_schemas",
    "replace",
    "schema_class",
    "schema_info",
    "unknown_fields",
]

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[T], T]:
        # PEP 681 only matters to type checkers: tell them a decorated class
        # takes its fields as keyword arguments, with `field` declaring them.
        return lambda f: f


T = TypeVar("T")
Policy = Literal["forbid", "preserve"]
Check = Callable[[Any], "str | None"]

_META = "manifestkit"
_FACTORY: Any = type(attrs.Factory(list))
_UNKNOWN = "_mk_unknown"
NO_UNKNOWN: Mapping[str, Any] = MappingProxyType({})
"""The shared, read-only mapping of an instance that preserved nothing."""


@attrs.frozen
class FieldMeta:
    """What `field` records about a field beyond attrs' own settings."""

    description: str | None = None
    unit: str | None = None
    always: bool = False
    check: Check | None = None
    key: str | None = None
    examples: tuple[Any, ...] = ()


def field(
    *,
    default: Any = attrs.NOTHING,
    factory: Callable[[], Any] | None = None,
    description: str | None = None,
    unit: str | None = None,
    always: bool = False,
    check: Check | None = None,
    key: str | None = None,
    examples: Iterable[Any] = (),
    repr: bool = True,  # noqa: A002 - attrs' own name for it
) -> Any:
    """Declare a manifest field with documentation and wire settings.

    Args:
        default: The default value; a field equal to it is omitted on the wire.
        factory: A zero-argument callable making a fresh default (for lists, dicts).
        description: What the field means; shown in docs and JSON Schema.
        unit: The physical unit of the value (``"s"``, ``"Hz"``), if any.
        always: Write the field even when it equals its default.
        check: A callable ``value -> message | None`` run after the type check,
            both when an instance is built and when a document is read.
        key: The wire key, when it differs from the attribute name.
        examples: Example values for JSON Schema.
        repr: Whether attrs' repr shows the field.

    Raises:
        ManifestDefinitionError: Both ``default`` and ``factory`` are given,
            or an argument is of the wrong kind; each one is named.
    """
    calls = {"factory": factory, "check": check}
    texts = {"key": key, "description": description, "unit": unit}
    wrong = [f"{n} must be a callable, not {v!r}" for n, v in calls.items() if not _callable(v)]
    wrong += [f"{n} must be a string, not {v!r}" for n, v in texts.items() if not _text(v)]
    if isinstance(examples, str):
        wrong.append(f"examples must be a collection of values, not {examples!r}")
    if factory is not None and default is not attrs.NOTHING:
        wrong.insert(0, "give default= or factory=, not both")
    if wrong:
        raise ManifestDefinitionError("field(): " + "; ".join(wrong))
    meta = FieldMeta(description, unit, always, check, key, tuple(examples))
    if factory is not None:
        return attrs.field(factory=factory, metadata={_META: meta}, repr=repr)
    return attrs.field(default=default, metadata={_META: meta}, repr=repr)


def _callable(value: object) -> bool:
    return value is None or callable(value)


def _text(value: object) -> bool:
    return value is None or type(value) is str


@attrs.frozen
class SchemaInfo:
    """What `manifest` and `block` attach to a class as ``__manifestkit__``."""

    name: str | None
    version: str | int | None
    version_field: str | None
    unknown: Policy
    filenames: tuple[str, ...] = ()
    unknown_hint: str | None = None


_SCHEMAS: dict[str, type] = {}


# At most 18 digits a part: no real version has more, and a document's version of
# thousands of digits would otherwise reach int()'s digit limit (a ValueError).
SEMVER = re.compile(r"(0|[1-9]\d{0,17})\.(0|[1-9]\d{0,17})(?:\.(0|[1-9]\d{0,17}))?\Z")
"""A ``MAJOR.MINOR[.PATCH]`` version string; groups are the three parts."""


def _check_version(schema: str, version: object) -> None:
    if version is None or (type(version) is int and version >= 0):
        return
    if type(version) is str and SEMVER.match(version):
        return
    raise ManifestDefinitionError(
        f'{schema}: version {version!r} is neither a "MAJOR.MINOR[.PATCH]" string'
        " nor a non-negative integer"
    )


@overload
def manifest(
    schema: str,
    *,
    version: str | int,
    version_field: str = ...,
    unknown: Policy = ...,
    filenames: Iterable[str] = ...,
    unknown_hint: str | None = ...,
) -> Callable[[type[T]], type[T]]: ...
@overload
def manifest(
    schema: str,
    *,
    version: None = ...,
    version_field: None = ...,
    unknown: Policy = ...,
    filenames: Iterable[str] = ...,
    unknown_hint: str | None = ...,
) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field, field)
)
def manifest(
    schema: str,
    *,
    version: str | int | None = None,
    version_field: str | None = "schema_version",
    unknown: Policy = "forbid",
    filenames: Iterable[str] = (),
    unknown_hint: str | None = None,
) -> Callable[[type[T]], type[T]]:
    """Declare a top-level document class (frozen, slotted, keyword-only attrs).

    Args:
        schema: The schema's registered name, e.g. ``"mesokit.acquisition"``.
        version: The current version: a ``"MAJOR.MINOR[.PATCH]"`` string or an
            integer. ``None`` for an unversioned document.
        version_field: The field holding the version; added (as always-written,
            defaulting to ``version``) if the class does not declare it.
        unknown: ``"forbid"`` refuses unknown keys, naming them; ``"preserve"``
            keeps them and writes them back where they were.
        filenames: Glob patterns of file names this schema is usually stored
            under (``"manifest.json"``), to tell schemas apart when reading.
        unknown_hint: A sentence added to unknown-field errors.
    """
    if type(schema) is not str or not schema:
        raise ManifestDefinitionError(f"a schema name is a non-empty string, not {schema!r}")
    _check_version(schema, version)
    if type(version_field) is not str or not version_field.isidentifier():
        raise ManifestDefinitionError(
            f"{schema}: version_field names an attribute, so it is an identifier, "
            f"not {version_field!r}"
        )
    if unknown_hint is not None and type(unknown_hint) is not str:
        raise ManifestDefinitionError(f"{schema}: unknown_hint is a sentence, not {unknown_hint!r}")
    patterns = tuple(filenames)
    if isinstance(filenames, str) or not all(type(p) is str for p in patterns):
        # A bare string would be its letters: "x.json" matching files named "x" and "j".
        raise ManifestDefinitionError(
            f"schema {schema!r}: filenames must be a collection of glob patterns such as "
            f"('manifest.json',), not {filenames!r}"
        )

    def wrap(cls: type[T]) -> type[T]:
        vfield = version_field if version is not None else None
        info = SchemaInfo(schema, version, vfield, unknown, patterns, unknown_hint)
        new = _define(cls, info)
        existing = _SCHEMAS.get(schema)
        if existing is not None and _qualname(existing) != _qualname(new):
            raise ManifestDefinitionError(
                f"schema {schema!r} is already declared by {_qualname(existing)}"
            )
        _SCHEMAS[schema] = new
        return new

    return wrap


@overload
def block(cls: type[T], /) -> type[T]: ...
@overload
def block(*, unknown: Policy = ...) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(attrs.field, field)
)
def block(cls: type[T] | None = None, /, *, unknown: Policy = "forbid") -> Any:
    """Declare a nested block: a manifest class that is not a document by itself.

    Use bare (``@block``) or with a policy (``@block(unknown="preserve")``).
    """

    def wrap(c: type[T]) -> type[T]:
        return _define(c, SchemaInfo(None, None, None, unknown))

    return wrap(cls) if cls is not None else wrap


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _define(cls: type[T], info: SchemaInfo) -> type[T]:
    given: object = cls  # a decorator may be put on anything
    if not isinstance(given, type):
        decorator = "@manifest" if info.name is not None else "@block"
        raise ManifestDefinitionError(f"{decorator} declares a class, not {given!r}")
    if info.unknown not in ("forbid", "preserve"):
        raise ManifestDefinitionError(
            f"unknown= must be 'forbid' or 'preserve', not {info.unknown!r}"
        )
    if "__attrs_attrs__" in cls.__dict__:
        raise ManifestDefinitionError(f"{cls.__name__} is already an attrs class; declare it once")
    ns = cls.__dict__
    annotations: dict[str, Any] = dict(ns.get("__annotations__", {}))
    if _UNKNOWN in annotations:
        raise ManifestDefinitionError(f"{cls.__name__}: the name {_UNKNOWN} is reserved")
    if info.version_field is not None:
        _version_field(cls, info, annotations)
    annotations[_UNKNOWN] = Any
    cls.__annotations__ = annotations
    # Preserved unknown fields count for equality but not for hash(): a dict cannot be hashed.
    hidden = attrs.field(default=NO_UNKNOWN, repr=False, alias=_UNKNOWN, hash=False)
    type.__setattr__(cls, _UNKNOWN, hidden)
    type.__setattr__(cls, "__manifestkit__", info)
    type.__setattr__(cls, "__attrs_post_init__", _post_init)
    return attrs.define(cls, frozen=True, slots=True, kw_only=True, weakref_slot=False)


def _version_field(cls: type, info: SchemaInfo, annotations: dict[str, Any]) -> None:
    name = info.version_field
    assert name is not None
    if name not in annotations:
        # The version goes first, where a person reading the file looks for it.
        wire = int if isinstance(info.version, int) else str
        items = list(annotations.items())
        annotations.clear()
        annotations.update({name: wire, **dict(items)})
        type.__setattr__(cls, name, field(default=info.version, always=True))
        return
    declared = cls.__dict__.get(name, attrs.NOTHING)
    counting = type(attrs.field())
    default = declared._default if isinstance(declared, counting) else declared
    if default != info.version or type(default) is not type(info.version):
        raise ManifestDefinitionError(
            f"{cls.__name__}.{name} must default to the current version {info.version!r}"
        )
    if not isinstance(declared, counting):
        type.__setattr__(cls, name, field(default=info.version, always=True))
        return
    meta = declared.metadata.get(_META) or FieldMeta()
    declared.metadata[_META] = attrs.evolve(meta, always=True)


def is_manifest_class(t: object) -> bool:
    """Tell whether ``t`` was declared with `manifest` or `block`."""
    return isinstance(t, type) and "__manifestkit__" in t.__dict__


def schema_info(cls: type) -> SchemaInfo:
    """Return the `SchemaInfo` of a manifest class."""
    given: object = cls  # a caller may pass anything: an instance, None
    info = given.__dict__.get("__manifestkit__") if isinstance(given, type) else None
    if info is None:
        raise ManifestDefinitionError(f"{cls!r} is not a manifest class (use @manifest or @block)")
    return typing.cast("SchemaInfo", info)


def registered_schemas() -> Mapping[str, type]:
    """Every schema declared so far, by name (a read-only view)."""
    return MappingProxyType(_SCHEMAS)


def schema_class(name: str) -> type | None:
    """The class registered under a schema name, or None (installed packs are loaded first)."""
    if name not in _SCHEMAS:
        load_schema_plugins()
    return _SCHEMAS.get(name)


_PACKS_LOADED = False
# Held while plug-ins load: a thread arriving meanwhile waits for the whole registry
# (re-entrant, so a plug-in that looks something up while it loads does not wait on itself).
_PACKS_LOCK = threading.RLock()
_packs_loading = False


def load_schema_plugins() -> None:
    """Import the schema packs named in the entry point group ``manifestkit.schemas``.

    The built-in packs are declared there too, so the core never imports a
    pack by name; this runs once, when a schema is looked up or detected.
    """
    if _PACKS_LOADED:
        return
    with _PACKS_LOCK:
        _load_schema_plugins_once()


def _load_schema_plugins_once() -> None:
    global _PACKS_LOADED, _packs_loading
    if _PACKS_LOADED or _packs_loading:
        return
    _packs_loading = True
    # importlib.metadata (with email, zipfile...) is a third of a bare `import manifestkit`.
    import importlib.metadata  # noqa: PLC0415

    try:
        for ep in importlib.metadata.entry_points(group="manifestkit.schemas"):
            try:
                ep.load()
            except Exception as exc:  # noqa: BLE001 - a broken pack must say which one
                raise ManifestError(
                    f"cannot load schema pack {ep.name!r} ({ep.value}): {exc}"
                ) from None
    finally:
        _PACKS_LOADED = True
        _packs_loading = False


def replace(obj: T, /, **changes: Any) -> T:
    """Return a copy of a manifest instance with some fields changed.

    The same as ``attrs.evolve`` (the copy is checked like any new instance,
    and preserved unknown fields are carried over), typed so that type
    checkers know the result has the instance's class.

    Raises:
        ValidationError: A change names no field of the class (each one is
            listed, by the name given), or a value is refused.
    """
    cls: type = type(obj)
    if not is_manifest_class(cls):
        raise ManifestDefinitionError(f"{cls.__name__} is not a manifest class")
    try:
        new: T = attrs.evolve(obj, **changes)  # type: ignore[misc]
    except TypeError:  # __init__'s, naming one unknown name: name each, as from_dict does
        names = {a.alias for a in attrs.fields(cls) if a.init}
        unknown = [(name, "unknown field") for name in changes if name not in names]
        if unknown:
            raise ValidationError(unknown, title=f"invalid {cls.__name__}") from None
        raise
    return new


def unknown_fields(obj: object) -> Mapping[str, Any]:
    """The fields an instance preserved because its class did not know them.

    Returns an empty mapping for instances that preserved nothing.
    """
    if not is_manifest_class(type(obj)):
        raise ManifestDefinitionError(f"{type(obj).__name__} is not a manifest class")
    return typing.cast("Mapping[str, Any]", getattr(obj, _UNKNOWN))


# --------------------------------------------------------------------- plans


class FieldPlan:
    """One field of a class plan: attribute name, wire key, type and default."""

    __slots__ = ("always", "check", "default", "factory", "key", "meta", "name", "node")

    def __init__(self, a: attrs.Attribute[Any], node: TypeNode) -> None:
        """Build from an attrs attribute and its analysed type."""
        meta = a.metadata.get(_META) or FieldMeta()
        self.name: str = a.name
        self.key: str = meta.key or a.name
        self.node = node
        self.meta: FieldMeta = meta
        self.always = meta.always
        self.check = meta.check
        self.factory: Callable[[], Any] | None = None
        self.default: Any = attrs.NOTHING
        default: Any = a.default
        if type(default) is _FACTORY:
            if default.takes_self:
                raise ManifestDefinitionError(f"{a.name}: factories taking self are not supported")
            self.factory = default.factory
            self.default = default.factory()
        else:
            self.default = a.default

    @property
    def required(self) -> bool:
        """Whether the field has no default and must be present."""
        return self.default is attrs.NOTHING

    def __repr__(self) -> str:
        return f"FieldPlan({self.name!r}, {self.node!r})"


class ClassPlan:
    """Everything the converter needs to know about one manifest class."""

    __slots__ = ("by_key", "by_name", "cls", "fields", "info", "keys", "sorted_fields")

    def __init__(self, cls: type, info: SchemaInfo, fields: tuple[FieldPlan, ...]) -> None:
        """Index the fields by wire key and by attribute name."""
        self.cls = cls
        self.info = info
        self.fields = fields
        self.by_key = {f.key: f for f in fields}
        self.by_name = {f.name: f for f in fields}
        self.keys = frozenset(self.by_key)
        # RFC 8785 orders object keys by their UTF-16 code units.
        self.sorted_fields = tuple(sorted(fields, key=lambda f: f.key.encode("utf-16-be")))


_PLANS: dict[type, ClassPlan] = {}


def get_plan(cls: type) -> ClassPlan:
    """Return the plan of a manifest class, building it on first use."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _build_plan(cls)
    return plan


def _build_plan(cls: type) -> ClassPlan:
    info = schema_info(cls)
    try:
        attrs.resolve_types(cls, include_extras=True)
    except Exception as exc:  # noqa: BLE001 - NameError, TypeError... from user annotations
        raise ManifestDefinitionError(
            f"{cls.__name__}: cannot resolve field annotations ({type(exc).__name__}: {exc})"
        ) from None
    plans = []
    for a in attrs.fields(cls):
        if a.name == _UNKNOWN:
            continue
        node = analyze(a.type, f"{cls.__name__}.{a.name}", is_manifest_class)
        if type(a.default) in _MUTABLE:  # one object, shared by every instance made without it
            kind = type(a.default).__name__
            raise ManifestDefinitionError(
                f"{cls.__name__}.{a.name}: a {kind} default would be shared by every instance; "
                f"use field(factory={kind})"
            )
        plans.append(FieldPlan(a, node))
    seen: set[str] = set()
    for p in plans:
        if p.key in seen:
            raise ManifestDefinitionError(f"{cls.__name__}: two fields use the wire key {p.key!r}")
        seen.add(p.key)
    return ClassPlan(cls, info, tuple(plans))


_MUTABLE = (list, dict, set, bytearray)
"""Defaults that a frozen instance would still share: each must come from a factory."""


def _post_init(self: Any) -> None:
    # Runs at the end of attrs' __init__ (so also after attrs.evolve): every
    # field is checked against its type, all problems reported at once.
    from ._check import check_instance  # noqa: PLC0415 - _check imports this module

    errors = check_instance(self)
    if errors:
        raise ValidationError(errors, title=f"invalid {type(self).__name__}")
