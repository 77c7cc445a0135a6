"""The detailed path of structuring: cattrs, with every problem reported with its path.

`Converter` runs it when a generated fast path (`_fast`) refuses a document.
A cattrs converter with detailed validation generates each class's function
and collects per-attribute failures; every field's hook is built here from
its `TypeNode` (strict scalars, JSON values, tagged unions), so cattrs never
dispatches on a field's type. Inside a refused document, each nested instance
is tried on the fast path first (see `DetailedStructurer._class`): only the
part that holds a problem is walked by these hooks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from ._check import class_check, run_field_check, trusting
from ._codegen import Slow
from ._errors import describe, index_segment, join_path, key_problem, key_segment
from ._fast import FastStructurer, fast_structure
from ._model import _UNKNOWN, ClassPlan, FieldPlan, get_plan
from ._types import Kind, TypeNode, json_kinds
from ._values import (
    Limits,
    Problems,
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
)

__all__ = ["FAST_TRIES", "DetailedStructurer"]

FAST_TRIES = 8
"""Nested fast attempts that may fail in one structuring (see `DetailedStructurer._class`)."""

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]


def _unknown_message(key: str, plan: ClassPlan) -> str:
    import difflib  # noqa: PLC0415 - only a document with a mistake needs it

    message = "unknown field"
    close = difflib.get_close_matches(key, sorted(plan.keys), n=1, cutoff=0.75)
    if close:
        message += f"; did you mean {close[0]!r}?"
    hint = plan.info.unknown_hint
    return f"{message} ({hint})" if hint else message


class _Call(threading.local):
    """What one thread's call of `DetailedStructurer.structure` lets its nested hooks do."""

    fast: FastStructurer | None = None
    """The fast structurer nested instances are tried with; None for none."""
    left = 0
    """How many more nested fast attempts may fail."""


class DetailedStructurer:
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
                if type(key) is str and len(key) > longest:
                    errors.append(("", key_too_long(key, longest)))
                    continue
                problem = key_problem(key)
                if problem is not None:
                    errors.append(problem)
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
                if type(key) is str and len(key) > limits.max_string:
                    errors.append(("", key_too_long(key, limits.max_string)))
                elif type(key) is not str or keep:
                    # A kept key as the constructor and the fast path refuse it: no file
                    # could hold it.
                    problem = key_problem(key)
                    if problem is not None:
                        errors.append(problem)
                        continue
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
