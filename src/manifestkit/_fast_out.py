"""Fast output: generated wire-form and canonical-form functions, one per class.

The wire form (what `to_dict` returns and what `dumps` serialises) leaves out
fields equal to their default; each class gets a function with that test
inlined per field (``is not None`` for a None default, ``if v:`` for an empty
list or dict, a type-and-value test for scalars). The ``copy`` flavour, used
by `to_dict`, also copies and re-checks free-form values, so the caller gets
data it may change and nothing a user changed in place since construction
slips through; the non-copying flavour feeds orjson directly.

The canonical form emits each class's fields already in RFC 8785 key order,
so only free-form dicts are sorted, and numbers go through `canonical_number`.
On anything unusual these functions raise, and the interpretive code (which
tracks paths) runs to report where.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ._codegen import compile_function
from ._model import _UNKNOWN, NO_UNKNOWN, FieldPlan, get_plan
from ._numbers import canonical_number
from ._rfc3339 import check_datetime
from ._types import Kind, TypeNode
from ._values import INT_MAX, INT_MIN, Limits, Problems, json_value, same, union_member

__all__ = ["CanonicalWriter", "WireWriter"]

Fn = Callable[[Any], Any]


def _sorted_keys(keys: list[str]) -> list[str]:
    joined = "".join(keys)
    if joined.isascii() or max(joined) <= "\uffff":
        return sorted(keys)
    return sorted(keys, key=lambda k: k.encode("utf-16-be"))


def _plain_canonical(limits: Limits) -> Fn:
    def plain(v: Any, left: int = limits.max_depth) -> Any:
        c = v.__class__
        if c is str or c is bool or v is None:
            return v
        if c is int:
            if INT_MIN <= v <= INT_MAX:
                return v
            raise Problems.one("integer out of range")
        if c is float:
            return canonical_number(v)
        if c is dict:
            if left <= 0:
                raise Problems.one("too deep")
            return {k: plain(v[k], left - 1) for k in _sorted_keys(list(v))}
        if c is list:
            if left <= 0:
                raise Problems.one("too deep")
            return [plain(x, left - 1) for x in v]
        if (c is datetime and check_datetime(v) is None) or c is date:
            return v
        raise Problems.one("not plain data")

    return plain


class _Writer:
    """Shared machinery: namespaces, constants, one function per class."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._classes: dict[type, Fn] = {}
        self._names = 0

    def function(self, cls: type) -> Fn:
        fn = self._classes.get(cls)
        if fn is None:
            slot: list[Fn] = []
            self._classes[cls] = lambda o: slot[0](o)  # noqa: PLW0108 - late binding
            fn = self._generate(cls)
            slot.append(fn)
            self._classes[cls] = fn
        return fn

    def _const(self, ns: dict[str, Any], value: Any, prefix: str = "C") -> str:
        self._names += 1
        name = f"{prefix}{self._names}"
        ns[name] = value
        return name

    def _generate(self, cls: type) -> Fn:  # pragma: no cover - overridden
        raise NotImplementedError

    def _omit_test(self, f: FieldPlan, v: str, ns: dict[str, Any]) -> str | None:
        """A condition that is true when the field must be written, or None (always)."""
        if f.always or f.required:
            return None
        d = f.default
        if d is None:
            return f"{v} is not None"
        if f.factory is not None and not d and type(d) in (list, dict):
            return f"{v}"
        if type(d) in (str, int, bool):
            return f"{v}.__class__ is not {self._const(ns, type(d))} or {v} != {self._const(ns, d)}"
        if isinstance(d, enum.Enum):
            return f"{v} is not {self._const(ns, d)}"
        return f"not SAME({v}, {self._const(ns, d)})"

    def _body(self, fields: tuple[FieldPlan, ...], ns: dict[str, Any]) -> list[str]:
        lines = ["def write(o):", "    out = {}"]
        for f in fields:
            test = self._omit_test(f, "v", ns)
            expr = self._expr(f.node, "v", ns)
            lines.append(f"    v = o.{f.name}")
            if test is None:
                lines.append(f"    out[{f.key!r}] = {expr}")
            else:
                lines += [f"    if {test}:", f"        out[{f.key!r}] = {expr}"]
        return lines

    def _expr(self, node: TypeNode, v: str, ns: dict[str, Any]) -> str:  # pragma: no cover
        raise NotImplementedError

    def _union(self, node: TypeNode) -> Fn:
        """A function writing a value of a plain union: picks the member, then its writer."""
        members: dict[int, Fn] = {}
        for m in node.args:
            ns = self._namespace()
            body = ["def item(v):", f"    return {self._expr(m, 'v', ns)}"]
            members[id(m)] = compile_function("item", body, ns)

        def pick(v: Any) -> Any:
            return members[id(union_member(v, node))](v)

        return pick

    def _namespace(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError


class WireWriter(_Writer):
    """Generated wire-form functions; ``copy`` makes `to_dict`'s fresh, checked copies."""

    def __init__(self, limits: Limits, *, copy: bool) -> None:
        """One writer per flavour."""
        super().__init__(limits)
        self.copy = copy

    def _namespace(self) -> dict[str, Any]:
        limits = self.limits
        return {
            "NO_UNKNOWN": NO_UNKNOWN,
            "SAME": same,
            "JSONCOPY": lambda v: json_value(v, limits),
            "KEEPCOPY": lambda v: json_value(v, limits, preserved=True),
        }

    def _generate(self, cls: type) -> Fn:
        plan = get_plan(cls)
        ns = self._namespace()
        lines = self._body(plan.fields, ns)
        keep = "KEEPCOPY(u)" if self.copy else "u"
        lines += [
            f"    u = o.{_UNKNOWN}",
            "    if u is not NO_UNKNOWN:",
            f"        out.update({keep})",
            "    return out",
        ]
        return compile_function("write", lines, ns)

    def _expr(self, node: TypeNode, v: str, ns: dict[str, Any]) -> str:
        k = node.kind
        if k in (Kind.STR, Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.DATETIME, Kind.DATE, Kind.LITERAL):
            return v
        if k is Kind.CLASS:
            return f"{self._const(ns, self.function(node.target), 'F')}({v})"
        if k is Kind.ENUM:
            return f"{v}._value_"
        if k is Kind.UUID:
            return f"str({v})"
        if k is Kind.PATH:
            return f"{v}.as_posix()"
        if k is Kind.ANY:
            return f"JSONCOPY({v})" if self.copy else v
        if k is Kind.OPTIONAL:
            inner = self._expr(node.args[0], v, ns)
            return v if inner == v else f"(None if {v} is None else {inner})"
        if k in (Kind.LIST, Kind.VARTUPLE):
            inner = self._expr(node.args[0], "_x", ns)
            if inner == "_x":
                return f"list({v})" if self.copy or k is Kind.VARTUPLE else v
            return f"[{inner} for _x in {v}]"
        if k is Kind.TUPLE:
            items = [self._expr(a, f"{v}[{i}]", ns) for i, a in enumerate(node.args)]
            return "[" + ", ".join(items) + "]"
        if k is Kind.DICT:
            inner = self._expr(node.args[0], "_x", ns)
            if inner == "_x":
                return f"dict({v})" if self.copy else v
            return f"{{_k: {inner} for _k, _x in {v}.items()}}"
        if k is Kind.UNION:
            return f"{self._const(ns, self._union(node), 'U')}({v})"
        raise AssertionError(k)  # pragma: no cover


class CanonicalWriter(_Writer):
    """Generated canonical-form functions: RFC 8785 key order, canonical numbers."""

    def _namespace(self) -> dict[str, Any]:
        return {
            "NO_UNKNOWN": NO_UNKNOWN,
            "SAME": same,
            "NUM": canonical_number,
            "PLAIN": _plain_canonical(self.limits),
            "SORTKEYS": _sorted_keys,
        }

    def _generate(self, cls: type) -> Fn:
        plan = get_plan(cls)
        ns = self._namespace()
        lines = self._body(plan.sorted_fields, ns)
        lines += [
            f"    u = o.{_UNKNOWN}",
            "    if u is not NO_UNKNOWN:",
            "        for _k, _x in u.items():",
            "            out[_k] = PLAIN(_x)",
            "        out = {_k: out[_k] for _k in SORTKEYS(list(out))}",
            "    return out",
        ]
        return compile_function("write", lines, ns)

    def _expr(self, node: TypeNode, v: str, ns: dict[str, Any]) -> str:
        k = node.kind
        if k in (Kind.STR, Kind.INT, Kind.BOOL, Kind.DATETIME, Kind.DATE, Kind.LITERAL):
            return v
        if k is Kind.FLOAT:
            return f"NUM({v})"
        if k is Kind.CLASS:
            return f"{self._const(ns, self.function(node.target), 'F')}({v})"
        if k is Kind.ENUM:
            return f"{v}._value_"
        if k is Kind.UUID:
            return f"str({v})"
        if k is Kind.PATH:
            return f"{v}.as_posix()"
        if k is Kind.ANY:
            return f"PLAIN({v})"
        if k is Kind.OPTIONAL:
            inner = self._expr(node.args[0], v, ns)
            return v if inner == v else f"(None if {v} is None else {inner})"
        if k in (Kind.LIST, Kind.VARTUPLE):
            inner = self._expr(node.args[0], "_x", ns)
            return v if inner == "_x" and k is Kind.LIST else f"[{inner} for _x in {v}]"
        if k is Kind.TUPLE:
            items = [self._expr(a, f"{v}[{i}]", ns) for i, a in enumerate(node.args)]
            return "[" + ", ".join(items) + "]"
        if k is Kind.DICT:
            inner = self._expr(node.args[0], f"{v}[_k]", ns)
            return f"{{_k: {inner} for _k in SORTKEYS(list({v}))}}"
        if k is Kind.UNION:
            return f"{self._const(ns, self._union(node), 'U')}({v})"
        raise AssertionError(k)  # pragma: no cover
