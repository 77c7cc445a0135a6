"""The converter: plain data to manifests and back.

`Converter` is the one object that structures and unstructures manifests.
Structuring is done by a cattrs converter with detailed validation, whose
hooks are built here from each field's `TypeNode` (strict scalars, JSON
values, tagged unions); cattrs generates the per-class functions and collects
per-attribute failures, which are turned into one `ValidationError` listing
every problem with its path. That detailed path runs only for what the
generated fast path (`_fast`) refuses: the document first, then, inside a
refused document, each nested instance the fast path cannot build alone.

Unstructuring writes the wire form: fields equal to their default omitted,
preserved unknown fields put back where they were; the generated writers
(`_fast_out`) do it, and `_wire` when they give up.

The top-level functions use a default instance that callers cannot change;
make your own `Converter` for other limits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from ._check import class_check, run_field_check, trusting
from ._codegen import Slow
from ._errors import ValidationError, check_str, describe, index_segment, join_path, key_segment
from ._fast import FastStructurer, fast_structure
from ._fast_out import WireWriter
from ._model import (
    _UNKNOWN,
    ClassPlan,
    FieldPlan,
    get_plan,
    is_manifest_class,
    schema_info,
)
from ._types import Kind, TypeNode, json_kinds
from ._values import (
    Limits,
    Problems,
    capped,
    checked_limits,
    errors_of,
    json_value,
    key_too_long,
    nested_errors,
    to_bool,
    to_date,
    to_datetime,
    to_enum,
    to_float,
    to_int,
    to_literal,
    to_path,
    to_str,
    to_uuid,
    too_many,
    writing_limits,
)
from ._wire import unstructure_exact

__all__ = ["Converter"]

FAST_TRIES = 8
"""Nested fast attempts that may fail in one checked structuring (see `_Structurer._class`)."""

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]


class Converter:
    """Turns manifests into plain data and back; see the module docstring.

    Args:
        limits: Bounds on what is structured (nesting depth, string length,
            items per array or object); unstructuring keeps only the depth bound.
    """

    def __init__(self, *, limits: Limits | None = None) -> None:
        """Make a converter; hooks are built lazily, per class, on first use."""
        self.limits = checked_limits(limits)
        self._write_limits = writing_limits(self.limits)
        self._paths: dict[bool, _Structurer] = {}
        self._fast = {
            trusted: FastStructurer(self.limits, trusted=trusted) for trusted in (False, True)
        }
        self._measured = FastStructurer(self.limits, trusted=True, measured=True)
        # The sharing writer also serves `encode`: called without its state, it defers nothing.
        self._wire = {
            copy: WireWriter(self._write_limits, copy=copy, deferred=not copy)
            for copy in (False, True)
        }
        self._full = WireWriter(self._write_limits, copy=True, include_defaults=True)

    def wire(self, obj: Any) -> dict[str, Any]:
        """Internal: the wire form for a serialiser, sharing free-form values with ``obj``."""
        try:
            result: dict[str, Any] = self._wire[False].function(type(obj))(obj)
        except Exception:  # noqa: BLE001 - the checked path reports it
            return self.unstructure(obj)
        return result

    def encode(
        self, obj: Any, dump: Callable[[Any, Callable[[Any], Any] | None], bytes]
    ) -> bytes | None:
        """Internal: ``dump(data, default)`` of the wire form, long lists one item at a time.

        See `WireWriter.encode`. None when the generated writer gives up:
        the caller then writes `wire`, whose checked path reports what is wrong.
        """
        try:
            return self._wire[False].encode(obj, dump)
        except Exception:  # noqa: BLE001 - the checked path reports it
            return None

    def structure_trusted(self, data: Any, cls: type[T], size: int) -> T | None:
        """Internal: the fast path for data orjson just parsed; None if it cannot take it.

        ``size`` is the length of the parsed bytes. No string orjson makes is longer
        than its input, so for a document of at most ``max_string`` bytes the trusted
        path does not measure strings; a longer one takes the path that does.
        """
        try:
            result: T = fast_structure(self._trusted(size), data, cls)
        except Slow:
            return None
        return result

    def _trusted(self, size: int) -> FastStructurer:
        """The trusted fast structurer for a document orjson parsed from ``size`` bytes."""
        return self._fast[True] if size <= self.limits.max_string else self._measured

    def structure(self, data: Any, cls: type[T], *, lenient: bool = False) -> T:
        """Build a ``cls`` instance from plain data, or raise `ValidationError`.

        Args:
            data: Plain data: dicts, lists, strings, numbers, booleans, None,
                and the date-times and dates TOML holds natively.
            cls: A manifest class.
            lenient: Preserve unknown fields even in ``forbid`` classes (used
                for documents of a newer minor version).
        """
        schema_info(cls)
        if not lenient:
            try:
                result: T = fast_structure(self._fast[False], data, cls)
            except Slow:
                pass
            else:
                return result
        return self.structure_checked(data, cls, lenient=lenient)

    def structure_checked(
        self, data: Any, cls: type[T], *, lenient: bool = False, size: int | None = None
    ) -> T:
        """Internal: `structure` on the checked path alone, for data a fast path refused.

        ``size``, for data orjson just parsed from that many bytes, lets the nested
        fast attempts (see `_Structurer`) trust it as `structure_trusted` does.
        """
        path = self._paths.get(lenient)
        if path is None:
            path = self._paths[lenient] = _Structurer(self.limits, lenient=lenient)
        # Lenient structuring preserves unknown fields, which only the detailed hooks do.
        fast = None if lenient else self._fast[False] if size is None else self._trusted(size)
        try:
            return path.structure(data, cls, fast)
        except Problems as p:
            errors = capped(p.errors, self.limits.max_errors)
            raise ValidationError(errors, title=f"invalid {cls.__name__}") from None
        except RecursionError:
            raise ValidationError(
                [("", "document is nested too deeply to read")], title=f"invalid {cls.__name__}"
            ) from None

    def unstructure(self, obj: Any, *, include_defaults: bool = False) -> dict[str, Any]:
        """Return the wire form of a manifest instance as a fresh dict.

        Fields equal to their declared default are left out unless
        ``include_defaults`` is set (the version field, and fields declared
        ``always=True``, are always written). Preserved unknown fields come
        after the declared ones, in the order they were read.
        """
        if not is_manifest_class(type(obj)):
            raise ValidationError(
                [("", f"expected a manifest instance, found {describe(obj)}")],
                title="cannot unstructure",
            )
        writer = self._full if include_defaults else self._wire[True]
        try:  # the generated fast path; anything unusual goes to the path-tracking code
            result: dict[str, Any] = writer.function(type(obj))(obj)
        except Exception:  # noqa: BLE001, S110 - reported below, with its path
            pass
        else:
            return result
        try:
            return unstructure_exact(obj, include_defaults, self._write_limits)
        except Problems as p:
            raise ValidationError(p.errors, title=f"invalid {type(obj).__name__}") from None


# ------------------------------------------------------------------ structure


def _unknown_message(key: str, plan: ClassPlan) -> str:
    import difflib  # noqa: PLC0415 - only a document with a mistake needs it

    message = "unknown field"
    close = difflib.get_close_matches(key, sorted(plan.keys), n=1, cutoff=0.75)
    if close:
        message += f"; did you mean {close[0]!r}?"
    hint = plan.info.unknown_hint
    return f"{message} ({hint})" if hint else message


class _Call(threading.local):
    """What one thread's call of `_Structurer.structure` lets its nested hooks do."""

    fast: FastStructurer | None = None
    """The fast structurer nested instances are tried with; None for none."""
    left = 0
    """How many more nested fast attempts may fail."""


class _Structurer:
    """Structuring on cattrs, with manifestkit's hooks for every field.

    cattrs generates each class's function, and its detailed validation
    collects per-attribute failures. Every field's hook is ours, handed to
    cattrs explicitly, so cattrs never dispatches on a field's type (its
    singledispatch would send an IntEnum to the int hook).
    """

    def __init__(self, limits: Limits, *, lenient: bool) -> None:
        import cattrs  # noqa: PLC0415 - cattrs is imported on the first structure

        self.limits = limits
        self.lenient = lenient
        self.cattrs = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
        self._classes: dict[type, Hook] = {}
        self._detailed: dict[type, Hook] = {}
        self._call = _Call()

    def structure(self, data: Any, cls: type[T], fast: FastStructurer | None) -> T:
        # The hooks check every value (field checks too) before cattrs builds an
        # instance: its constructor runs only the class check, not every check again.
        # The document itself goes straight to the detailed hook: the caller's fast
        # path has just refused it.
        call = self._call
        was = call.fast, call.left
        call.fast, call.left = fast, FAST_TRIES
        try:
            result: T = trusting(self._detailed_hook(cls), data, cls, on=True)
        finally:
            call.fast, call.left = was
        return result

    def _class(self, cls: type) -> Hook:
        """The hook of a nested ``cls``: its fast function first, then the detailed hook.

        Only the part of a refused document that holds a problem needs the
        detailed hooks; an instance the fast function accepts is one they would
        build too (tests hold the two paths to that). Each attempt that fails
        costs the walk of that instance, so after `FAST_TRIES` failures in one
        call the rest is left to the detailed hooks alone: a document refused
        at its 1,000th level of nesting is not walked again at every level.
        """
        hook = self._classes.get(cls)
        if hook is not None:
            return hook
        call = self._call
        detailed = self._detailed_hook(cls)

        def fast_first(v: Any, t: Any) -> Any:
            fast = call.fast
            if fast is not None and call.left > 0:
                try:  # field and class checks are user code: run with trust off, as usual
                    return trusting(fast_structure, fast, v, cls, on=False)
                except Slow:
                    call.left -= 1
            return detailed(v, t)

        self._classes[cls] = fast_first
        return fast_first

    def _detailed_hook(self, cls: type) -> Hook:
        hook = self._detailed.get(cls)
        if hook is None:
            hook = self._detailed[cls] = self._class_hook(cls)
        return hook

    def _field_hook(self, f: FieldPlan) -> Hook:
        # A field's own check runs here too, so its problem is reported with
        # every other one (the constructor, trusting these hooks, does not run it again).
        hook = self._node_hook(f.node)
        check = f.check
        if check is None:
            return hook

        def checked(v: Any, t: Any) -> Any:
            value = hook(v, t)
            message = trusting(run_field_check, check, value, on=False)  # user code
            if message:
                raise Problems.one(message)
            return value

        return checked

    def _node_hook(self, node: TypeNode) -> Hook:
        k = node.kind
        if k is Kind.CLASS:
            cls = node.target
            # Late binding: a class may (indirectly) contain itself.
            return lambda v, t: self._class(cls)(v, t)  # noqa: PLW0108 - late binding
        longest = self.limits.max_string
        if k is Kind.STR:
            return lambda v, _t: to_str(v, longest)
        scalar = _SCALARS.get(k)
        if scalar is not None:
            return scalar
        if k is Kind.PATH:
            target = node.target
            return lambda v, _t: to_path(v, target, longest)
        if k is Kind.ENUM:
            target = node.target
            return lambda v, _t: to_enum(v, target)
        if k is Kind.LITERAL:
            values = node.target
            return lambda v, _t: to_literal(v, values)
        if k is Kind.ANY:
            limits = self.limits
            return lambda v, _t: json_value(v, limits)
        if k is Kind.OPTIONAL:
            inner = self._node_hook(node.args[0])
            return lambda v, t: None if v is None else inner(v, t)
        if k is Kind.LIST:
            return self._list_hook(node.args[0], list)
        if k is Kind.VARTUPLE:
            return self._list_hook(node.args[0], tuple)
        if k is Kind.TUPLE:
            return self._tuple_hook(node)
        if k is Kind.DICT:
            return self._dict_hook(node.args[0])
        if k is Kind.UNION:
            return self._union_hook(node)
        raise AssertionError(k)  # pragma: no cover

    def _list_hook(self, item: TypeNode, make: type) -> Hook:
        item_hook = self._node_hook(item)
        noun = "a list" if make is list else "an array"
        most = self.limits.max_items

        cap = self.limits.max_errors

        def hook(v: Any, _t: Any) -> Any:
            if type(v) is not list and type(v) is not tuple:
                raise Problems.one(f"expected {noun}, found {describe(v)}")
            if len(v) > most:
                raise Problems.one(too_many(v, most))
            out = []
            errors: list[tuple[str, str]] = []
            for i, x in enumerate(v):
                try:
                    out.append(item_hook(x, None))
                except Exception as exc:  # noqa: BLE001 - every failure is reported with its path
                    errors.extend(nested_errors(index_segment(i), exc))
                    if len(errors) > cap:
                        break
            if errors:
                raise Problems(errors)
            return out if make is list else tuple(out)

        return hook

    def _tuple_hook(self, node: TypeNode) -> Hook:
        hooks = [self._node_hook(a) for a in node.args]
        n = len(hooks)

        def hook(v: Any, _t: Any) -> Any:
            if type(v) is not list and type(v) is not tuple:
                raise Problems.one(f"expected an array of {n} items, found {describe(v)}")
            if len(v) != n:
                raise Problems.one(f"expected an array of {n} items, found {len(v)}")
            out = []
            errors: list[tuple[str, str]] = []
            for i, (h, x) in enumerate(zip(hooks, v, strict=True)):
                try:
                    out.append(h(x, None))
                except Exception as exc:  # noqa: BLE001
                    errors.extend(nested_errors(index_segment(i), exc))
            if errors:
                raise Problems(errors)
            return tuple(out)

        return hook

    def _dict_hook(self, item: TypeNode) -> Hook:
        item_hook = self._node_hook(item)
        most = self.limits.max_items
        longest = self.limits.max_string
        cap = self.limits.max_errors

        def hook(v: Any, _t: Any) -> Any:
            if type(v) is not dict:
                raise Problems.one(f"expected an object, found {describe(v)}")
            if len(v) > most:
                raise Problems.one(too_many(v, most))
            out = {}
            errors: list[tuple[str, str]] = []
            for key, x in v.items():
                if len(errors) > cap:
                    break
                if type(key) is not str:
                    errors.append(
                        ("", f"object keys must be strings, found a key that is {describe(key)}")
                    )
                    continue
                if len(key) > longest:
                    errors.append(("", key_too_long(key, longest)))
                    continue
                why = check_str(key)
                if why:
                    errors.append((key_segment(key), f"key {why}"))
                    continue
                try:
                    out[key] = item_hook(x, None)
                except Exception as exc:  # noqa: BLE001
                    errors.extend(nested_errors(key_segment(key), exc))
            if errors:
                raise Problems(errors)
            return out

        return hook

    def _union_hook(self, node: TypeNode) -> Hook:
        members = [(m, self._node_hook(m)) for m in node.args]
        by_tag = {value: self._node_hook(m) for value, m in node.tags.items()}
        tag = node.tag
        names = [_json_name(k) for m in node.args for k in sorted(json_kinds(m))]
        expected = " or ".join(dict.fromkeys(names))

        def hook(v: Any, _t: Any) -> Any:
            if tag is not None and type(v) is dict:
                return _tagged(v, tag, by_tag, node)
            kind = _plain_kind(v)
            for m, h in members:
                if kind in _wire_kinds(m):
                    return h(v, None)
            if kind == "integer":
                for m, h in members:
                    if m.kind is Kind.FLOAT:
                        return h(v, None)
            raise Problems.one(f"expected {expected}, found {describe(v)}")

        return hook

    def _class_hook(self, cls: type) -> Hook:
        from cattrs.errors import ClassValidationError  # noqa: PLC0415
        from cattrs.gen import make_dict_structure_fn, override  # noqa: PLC0415

        plan = get_plan(cls)
        overrides: dict[str, Any] = {
            f.name: override(
                rename=f.key if f.key != f.name else None, struct_hook=self._field_hook(f)
            )
            for f in plan.fields
        }
        overrides[_UNKNOWN] = override(omit=True)
        generated: Hook = make_dict_structure_fn(
            cls,
            self.cattrs,
            _cattrs_forbid_extra_keys=False,
            _cattrs_detailed_validation=True,
            **overrides,
        )
        known = plan.keys
        keep = plan.info.unknown == "preserve" or self.lenient
        names = {f.name: f.key for f in plan.fields}
        limits = self.limits
        whole = getattr(cls, "__manifest_check__", None)

        def hook(v: Any, _t: Any) -> Any:
            if type(v) is not dict:
                raise Problems.one(f"expected an object, found {describe(v)}")
            if len(v) > limits.max_items:
                # The declared fields are bounded by the class; the others by max_items.
                extra = len(v.keys() - known)
                if extra > limits.max_items:
                    raise Problems.one(
                        f"object has {extra} undeclared fields; the limit is {limits.max_items}"
                    )
            errors: list[tuple[str, str]] = []
            instance = None
            try:
                instance = generated(v, cls)
            except ClassValidationError as exc:
                errors.extend(_class_errors(exc, names))
            kept = {}
            for key in v:
                if key in known:
                    continue
                if len(errors) > limits.max_errors:
                    break
                if type(key) is not str:
                    errors.append(
                        ("", f"object keys must be strings, found a key that is {describe(key)}")
                    )
                elif len(key) > limits.max_string:
                    errors.append(("", key_too_long(key, limits.max_string)))
                elif keep and not key.isascii() and (why := check_str(key)):
                    # As the constructor and the fast path refuse it: no file could hold it.
                    errors.append((join_path("", key_segment(key)), f"key {why}"))
                elif keep:
                    try:
                        kept[key] = json_value(v[key], limits, preserved=True)
                    except Problems as p:
                        errors.extend(nested_errors(key_segment(key), p))
                else:
                    errors.append((join_path("", key_segment(key)), _unknown_message(key, plan)))
            if errors:
                raise Problems(errors)
            if kept:
                object.__setattr__(instance, _UNKNOWN, kept)
                if whole is not None:
                    # The instance was checked before it held its unknown fields;
                    # a class-level rule may be about them (as it is when the
                    # fast path or a constructor builds the same instance).
                    problems = class_check(instance)
                    if problems:
                        raise Problems(problems)
            return instance

        return hook


def _scalar(fn: Callable[[Any], Any]) -> Hook:
    return lambda v, _t: fn(v)


_SCALARS: dict[Kind, Hook] = {
    Kind.INT: _scalar(to_int),
    Kind.FLOAT: _scalar(to_float),
    Kind.BOOL: _scalar(to_bool),
    Kind.DATETIME: _scalar(to_datetime),
    Kind.DATE: _scalar(to_date),
    Kind.UUID: _scalar(to_uuid),
}


def _tagged(v: dict[str, Any], tag: str, by_tag: dict[Any, Hook], node: TypeNode) -> Any:
    from ._values import _choices  # noqa: PLC0415

    choices = _choices(node.tags)
    if tag in v:
        value = v[tag]
    elif node.missing_tag is not None:
        value = node.missing_tag(v)
    else:
        raise Problems.one(f"required tag field is missing; expected one of {choices}", tag)
    for known, h in by_tag.items():
        if type(known) is type(value) and known == value:
            return h(v, None)
    raise Problems.one(f"expected one of {choices}, found {describe(value)}", tag)


def _plain_kind(v: Any) -> str:
    t = type(v)
    return {
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        list: "array",
        tuple: "array",
        dict: "object",
        datetime: "date-time",
        date: "date",
        type(None): "null",
    }.get(t, "other")


def _wire_kinds(node: TypeNode) -> frozenset[str]:
    kinds = json_kinds(node)
    if node.kind is Kind.DATETIME:
        kinds |= {"date-time"}
    if node.kind is Kind.DATE:
        kinds |= {"date"}
    return kinds


def _json_name(kind: str) -> str:
    return {
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "a boolean",
        "array": "an array",
        "object": "an object",
        "null": "null",
    }.get(kind, kind)


def _class_errors(exc: BaseException, names: dict[str, str]) -> list[tuple[str, str]]:
    from cattrs.errors import AttributeValidationNote  # noqa: PLC0415

    out: list[tuple[str, str]] = []
    for sub in getattr(exc, "exceptions", ()):
        notes = [n for n in getattr(sub, "__notes__", ()) if isinstance(n, AttributeValidationNote)]
        if not notes:  # the class's own checks, run by its __init__
            out.extend(errors_of(sub))
            continue
        seg = key_segment(names.get(notes[-1].name, notes[-1].name))
        if isinstance(sub, KeyError):
            out.append((join_path("", seg), "required field is missing"))
        else:
            out.extend(nested_errors(seg, sub))
    return out
