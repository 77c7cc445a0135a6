"""Fast structuring: one generated function per class, all-or-nothing.

Profiling cattrs' own generated hooks showed the cost is one hook call per
field; so for each class a single function is generated that inlines the
checks of every field (``type(v) is str``, ``key in d`` for optional fields,
unknown keys found by counting) and builds the instance without ``__init__``
(see `_codegen.build_lines`). The builtins and limits it reads most are bound
as default arguments (local loads), and a bag's first two levels are checked inline.

A fast function never reports errors: on anything unusual it raises `Slow`,
and the converter runs the detailed cattrs path, which is the authority and
reports every problem with its path. The two must agree: whatever the fast
path accepts, the slow path accepts with an equal result (tests check this).

*Trusted* input is what orjson just parsed: only JSON values, strings without
lone surrogates, integers within 64 bits, finite floats, string keys. For it,
free-form values need no validating walk, only a depth check, and are not
copied (the parser made them fresh). Everything else (TOML, dicts from users)
is untrusted and fully checked.

The limits cost one ``len()`` per array, object and (untrusted) string, never
a second walk: an array or object with more than ``max_items`` entries, or a
string longer than ``max_string``, goes to the slow path, which reports it.
Trusted strings are not measured in documents of at most ``max_string`` bytes:
a string orjson makes is never longer than the bytes it was parsed from. For
longer documents the converter uses a *measured* trusted structurer, which adds
one ``len()`` per string and key.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import attrs

from ._codegen import SLOW, Slow, build_lines, compile_function
from ._errors import check_str
from ._freeform import trusted_checks, trusted_walk, untrusted_copies
from ._model import _UNKNOWN, NO_UNKNOWN, get_plan
from ._types import Kind, TypeNode
from ._values import (
    INT_MAX,
    INT_MIN,
    Limits,
    Problems,
    python_fits,
    to_date,
    to_datetime,
    to_literal,
    to_path,
    to_uuid,
)

__all__ = ["FastStructurer"]

Fn = Callable[[Any], Any]
_MISSING = object()


def _slow_on_problems(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any) -> Any:
        try:
            return fn(*args)
        except Problems:
            raise SLOW from None

    return wrapped


def _int_float(v: int) -> float:
    f = float(v) if -(2**1023) < v < 2**1023 else math.inf
    if f != v:
        raise SLOW
    return f


def _bad_str(v: str) -> bool:
    return check_str(v) is not None


def _run_check(check: Callable[[Any], Any], value: Any) -> bool:
    from ._check import run_field_check  # noqa: PLC0415 - _check imports _model, which is fine here

    return run_field_check(check, value) is not None


class FastStructurer:
    """Generates and caches the fast structure functions for one kind of input."""

    def __init__(
        self, limits: Limits, *, trusted: bool, measured: bool = False, portable: bool = False
    ) -> None:
        """Make the structurer of one kind of input; functions are generated on first use.

        ``measured`` bounds the length of trusted strings too (for documents of more
        than ``max_string`` bytes); ``portable`` forces the descriptor instance builder
        (for tests).
        """
        self.limits = limits
        self.trusted = trusted
        self.measured = measured or not trusted
        self.portable = portable
        self._classes: dict[type, Fn] = {}
        self._items: dict[int, Fn] = {}
        # next() on a count is atomic: threads generating functions at once never
        # hand one function the same name twice (``+= 1`` could).
        self._names = itertools.count(1)

    # ------------------------------------------------------------ public

    def function(self, cls: type) -> Fn:
        """The fast function of a class (generated on first use)."""
        fn = self._classes.get(cls)
        if fn is None:
            # A trampoline first, so a class that contains itself can refer to its own function.
            slot: list[Fn] = []
            self._classes[cls] = lambda d: slot[0](d)  # noqa: PLW0108 - late binding
            fn = self._generate(cls)
            slot.append(fn)
            self._classes[cls] = fn
        return fn

    # ------------------------------------------------------- generation

    def _const(self, ns: dict[str, Any], value: Any, prefix: str = "C") -> str:
        name = f"{prefix}{next(self._names)}"
        ns[name] = value
        return name

    def _namespace(self) -> dict[str, Any]:
        deep, bag = trusted_checks(self.limits, measured=self.measured)
        copy, copy_bag = untrusted_copies(self.limits, preserved=False)
        _, keep_bag = untrusted_copies(self.limits, preserved=True)
        return {
            "SLOW": SLOW,
            "MISSING": _MISSING,
            "NO_UNKNOWN": NO_UNKNOWN,
            "INTFLOAT": _int_float,
            "BADSTR": _bad_str,
            "INT_MIN": INT_MIN,
            "INT_MAX": INT_MAX,
            "DT": _slow_on_problems(to_datetime),
            "DATE": _slow_on_problems(to_date),
            "UUID": _slow_on_problems(to_uuid),
            "PATH": _slow_on_problems(lambda v, c: to_path(v, c, self.limits.max_string)),
            "LIT": _slow_on_problems(to_literal),
            "DEEP": deep,
            "BAG": bag,
            "WALK": trusted_walk(self.limits),
            "COPY": copy,
            "COPYBAG": copy_bag,
            "KEEPBAG": keep_bag,
            "MAXITEMS": self.limits.max_items,
            "MAXSTR": self.limits.max_string,
            "BIG": _BIG,
            "NBIG": -_BIG,
            "CHECK": _run_check,
        }

    def _generate(self, cls: type) -> Fn:
        ns = self._namespace()
        shared = set(ns)
        body = self._body(cls, "d", "o", 4, ns, (cls,))
        # This class's own constants (twin classes, defaults, allowed values) are
        # read per instance too: local as well (4% more on 3.10).
        own = "".join(f", {name}={name}" for name in ns if name not in shared)
        head = f"def structure(d, {_LOCALS}{own}):"
        return compile_function("structure", [head, *body, "    return o"], ns)

    def _body(
        self, cls: type, d: str, o: str, ind: int, ns: dict[str, Any], stack: tuple[type, ...]
    ) -> list[str]:
        """Lines that structure the dict in variable ``d`` into a ``cls`` instance in ``o``.

        A nested class's body is inlined into its parent's (no call per instance), up
        to `_INLINE_DEPTH` levels; a class that contains itself calls its own function.
        The value being checked is always in ``v``: a nested body may reuse it, since
        its parent has finished with ``v`` by the time the nested value is built.
        """
        p = " " * ind
        plan = get_plan(cls)
        number = next(self._names)
        tag = f"_{number}" if len(stack) > 1 else ""
        lines = [f"{p}if type({d}) is not dict: raise SLOW"]
        # Unknown keys are counted, not looked for: every required key was found (or
        # KeyError), and ``m`` counts the optional ones that were not, so the document
        # has ``len(d) + m - len(KNOWN)`` keys that are not declared. Documents that
        # write every field (as pydantic does) never touch ``m``.
        m = f"m{tag}"
        optional = any(not f.required for f in plan.fields)
        # In a class that refuses unknown keys, a dict with as many keys as the class
        # has fields holds every one of them, or is refused anyway (a missing key means
        # an unknown one): then ``d[key]`` (KeyError: the slow path) needs no ``in``.
        full = f"full{tag}" if optional and plan.info.unknown == "forbid" else None
        if optional:
            lines.append(f"{p}{m} = 0")
        if full is not None:
            lines.append(f"{p}{full} = len({d}) == {len(plan.keys)}")
        values: dict[str, str] = {}
        for i, f in enumerate(plan.fields):
            var = f"a{tag}_{i}"
            values[f.name] = var
            if f.required:
                lines.append(f"{p}v = {d}[{f.key!r}]")
                lines += self._emit(f.node, "v", var, ind, ns, stack)
            else:
                # ``in`` then ``[]`` is two lookups of a constant (interned, hashed) key,
                # but no method call: faster than ``.get(key, MISSING)`` on every Python,
                # by a third on 3.10.
                default = (
                    f"{self._const(ns, f.factory, 'FAC')}()"
                    if f.factory is not None
                    else self._const(ns, f.default, "DEF")
                )
                found = f"{full} or {f.key!r} in {d}" if full else f"{f.key!r} in {d}"
                lines += [f"{p}if {found}:", f"{p}    v = {d}[{f.key!r}]"]
                lines += self._emit(f.node, "v", var, ind + 4, ns, stack)
                lines += [f"{p}else:", f"{p}    {m} += 1", f"{p}    {var} = {default}"]
            if f.check is not None:
                check = self._const(ns, f.check, "CHK")
                lines.append(f"{p}if CHECK({check}, {var}): raise SLOW")
        count = len(plan.keys)
        found = f"len({d}) + {m} != {count}" if optional else f"len({d}) != {count}"
        if plan.info.unknown == "forbid":
            lines.append(f"{p}if {found}: raise SLOW")
            values[_UNKNOWN] = "NO_UNKNOWN"
        else:
            # Unknown fields are a bag: each value may nest as deep as any free-form value.
            known = self._const(ns, plan.keys, "KNOWN")
            unk = f"unk{tag}"
            pick = f"{{k: {d}[k] for k in {d} if k not in {known}}}"
            lines += [
                f"{p}if {found}:",
                *(
                    [f"{p}    {unk} = {pick}", f"{p}    BAG({unk})"]
                    if self.trusted
                    else [f"{p}    {unk} = KEEPBAG({pick})"]
                ),
                f"{p}else:",
                f"{p}    {unk} = NO_UNKNOWN",
            ]
            values[_UNKNOWN] = unk
        order = [a.name for a in attrs.fields(cls)]
        lines += build_lines(
            cls,
            order,
            [values[n] for n in order],
            lambda value: self._const(ns, value, "B"),
            pad=p,
            target=o,
            portable=self.portable,
        )
        if getattr(cls, "__manifest_check__", None) is not None:
            lines.append(f"{p}for _ in {o}.__manifest_check__(): raise SLOW")
        return lines

    def _inline(self, cls: type, stack: tuple[type, ...]) -> bool:
        return cls not in stack and len(stack) < _INLINE_DEPTH

    def _item(self, node: TypeNode) -> Fn:
        fn = self._items.get(id(node))
        if fn is None:
            ns = self._namespace()
            lines = ["def item(v):", *self._emit(node, "v", "t", 4, ns, ()), "    return t"]
            fn = self._items[id(node)] = compile_function("item", lines, ns)
        return fn

    def _emit(
        self,
        node: TypeNode,
        v: str,
        t: str,
        ind: int,
        ns: dict[str, Any],
        stack: tuple[type, ...],
    ) -> list[str]:
        p = " " * ind
        k = node.kind
        trusted = self.trusted
        if k is Kind.STR:
            lines = [f"{p}if type({v}) is not str: raise SLOW"]
            if not trusted:
                lines.append(
                    f"{p}if len({v}) > MAXSTR or not {v}.isascii() and BADSTR({v}): raise SLOW"
                )
            elif self.measured:
                lines.append(f"{p}if len({v}) > MAXSTR: raise SLOW")
            return [*lines, f"{p}{t} = {v}"]
        if k is Kind.INT:
            lines = [f"{p}if type({v}) is not int: raise SLOW"]
            if not trusted:
                lines.append(f"{p}if {v} < INT_MIN or {v} > INT_MAX: raise SLOW")
            return [*lines, f"{p}{t} = {v}"]
        if k is Kind.FLOAT:
            # Trusted floats are finite, but one of 2**63 or more may be an integer
            # literal orjson could not hold: let the exact path decide.
            finite = (
                [f"{p}    if {v} >= BIG or {v} <= NBIG: raise SLOW"]
                if trusted
                else [f"{p}    if {v} - {v} != 0.0: raise SLOW"]
            )
            return [
                f"{p}if type({v}) is float:",
                *finite,
                f"{p}    {t} = {v}",
                f"{p}elif type({v}) is int:",
                f"{p}    {t} = INTFLOAT({v})",
                f"{p}else:",
                f"{p}    raise SLOW",
            ]
        if k is Kind.BOOL:
            return [f"{p}if type({v}) is not bool: raise SLOW", f"{p}{t} = {v}"]
        if k is Kind.CLASS:
            if self._inline(node.target, stack):
                x = f"_d_{next(self._names)}"
                body = self._body(node.target, x, t, ind, ns, (*stack, node.target))
                return [f"{p}{x} = {v}", *body]
            return [f"{p}{t} = {self._const(ns, self.function(node.target), 'F')}({v})"]
        if k is Kind.OPTIONAL:
            return [
                f"{p}if {v} is None:",
                f"{p}    {t} = None",
                f"{p}else:",
                *self._emit(node.args[0], v, t, ind + 4, ns, stack),
            ]
        if k in (Kind.LIST, Kind.VARTUPLE):
            return self._emit_list(node, v, t, ind, ns, stack)
        if k is Kind.DICT:
            return self._emit_dict(node, v, t, p, ns)
        if k is Kind.ANY:
            if trusted:
                return [f"{p}DEEP({v})", f"{p}{t} = {v}"]
            return [f"{p}{t} = COPY({v})"]
        if k is Kind.DATETIME:
            return [f"{p}{t} = DT({v})"]
        if k is Kind.DATE:
            return [f"{p}{t} = DATE({v})"]
        if k is Kind.UUID:
            return [f"{p}{t} = UUID({v})"]
        if k is Kind.PATH:
            return [f"{p}{t} = PATH({v}, {self._const(ns, node.target)})"]
        if k is Kind.ENUM:
            members = {m.value: m for m in node.target}
            vtype = type(next(iter(members)))
            return [
                f"{p}if type({v}) is not {self._const(ns, vtype)}: raise SLOW",
                f"{p}{t} = {self._const(ns, members, 'ENUM')}.get({v})",
                f"{p}if {t} is None: raise SLOW",
            ]
        if k is Kind.LITERAL:
            values = node.target
            if all(type(x) is str for x in values):
                allowed = self._const(ns, frozenset(values))
                return [
                    f"{p}if type({v}) is not str or {v} not in {allowed}: raise SLOW",
                    f"{p}{t} = {v}",
                ]
            return [f"{p}{t} = LIT({v}, {self._const(ns, values)})"]
        if k is Kind.TUPLE:
            n = len(node.args)
            lines = [f"{p}if type({v}) is not list or len({v}) != {n}: raise SLOW"]
            parts = []
            for i, child in enumerate(node.args):
                lines += self._emit(child, f"{v}[{i}]", f"{t}_{i}", ind, ns, stack)
                parts.append(f"{t}_{i}")
            return [*lines, f"{p}{t} = ({', '.join(parts)},)"]
        if k is Kind.UNION:
            return self._emit_union(node, v, t, p, ns)
        raise AssertionError(k)  # pragma: no cover

    def _emit_dict(self, node: TypeNode, v: str, t: str, p: str, ns: dict[str, Any]) -> list[str]:
        trusted = self.trusted
        if node.args[0].kind is Kind.ANY:
            if not trusted:
                return [f"{p}{t} = COPYBAG({v})"]
            # A free-form bag the parser made: one walk checks it, and it is kept.
            return [*self._bag_lines(v, p), f"{p}{t} = {v}"]
        if trusted and node.args[0].kind is Kind.STR:
            measure = (
                [
                    f"{p}for _x in {v}:",
                    f"{p}    if len(_x) > MAXSTR: raise SLOW",
                    f"{p}for _x in {v}.values():",
                    f"{p}    if type(_x) is not str or len(_x) > MAXSTR: raise SLOW",
                ]
                if self.measured
                else [f"{p}for _x in {v}.values():", f"{p}    if type(_x) is not str: raise SLOW"]
            )
            return [
                f"{p}if type({v}) is not dict or len({v}) > MAXITEMS: raise SLOW",
                *measure,
                f"{p}{t} = {v}",
            ]
        item = self._const(ns, self._item(node.args[0]), "IT")
        keys = (
            (
                [f"{p}for _k in {v}:", f"{p}    if len(_k) > MAXSTR: raise SLOW"]
                if self.measured
                else []
            )
            if trusted
            else [
                f"{p}for _k in {v}:",
                f"{p}    if type(_k) is not str or len(_k) > MAXSTR: raise SLOW",
                f"{p}    if not _k.isascii() and BADSTR(_k): raise SLOW",
            ]
        )
        return [
            f"{p}if type({v}) is not dict or len({v}) > MAXITEMS: raise SLOW",
            *keys,
            f"{p}{t} = {{_k: {item}(_x) for _k, _x in {v}.items()}}",
        ]

    def _bag_lines(self, v: str, p: str) -> list[str]:
        """Lines that check the trusted bag in ``v``, its first two levels inline.

        A bag is walked for every instance that has one (a producer's calibration):
        checking its first two levels inline saves the calls to the walk, which
        were a fifth of the structuring time of the mesokit document. Deeper
        containers go to the walk, with the depth left that `_freeform.trusted_checks`'s
        bag would give them.
        """
        depth = self.limits.max_depth
        if self.measured or depth < 0:
            return [f"{p}if type({v}) is not dict: raise SLOW", f"{p}BAG({v})"]
        inner = (
            [
                f"{p}        if len(_x) > MAXITEMS: raise SLOW",
                f"{p}        for _y in _x.values() if _c is dict else _x:",
                f"{p}            _e = type(_y)",
                f"{p}            if _e is str: continue",
                f"{p}            if _e is float:",
                f"{p}                if _y >= BIG or _y <= NBIG: raise SLOW",
                f"{p}            elif _e is dict or _e is list: WALK(_y, {depth - 1})",
            ]
            if depth > 0
            else [f"{p}        raise SLOW"]
        )
        return [
            f"{p}if type({v}) is not dict or len({v}) > MAXITEMS: raise SLOW",
            f"{p}for _x in {v}.values():",
            f"{p}    _c = type(_x)",
            f"{p}    if _c is str: continue",
            f"{p}    if _c is float:",
            f"{p}        if _x >= BIG or _x <= NBIG: raise SLOW",
            f"{p}    elif _c is dict or _c is list:",
            *inner,
        ]

    def _emit_list(
        self,
        node: TypeNode,
        v: str,
        t: str,
        ind: int,
        ns: dict[str, Any],
        stack: tuple[type, ...],
    ) -> list[str]:
        p = " " * ind
        item = node.args[0]
        wrap = "tuple" if node.kind is Kind.VARTUPLE else ""
        lines = [f"{p}if type({v}) is not list or len({v}) > MAXITEMS: raise SLOW"]
        if item.kind is Kind.CLASS and self._inline(item.target, stack):
            number = next(self._names)
            out, x, o = (f"{name}_{number}" for name in ("_out", "_d", "_o"))
            body = self._body(item.target, x, o, ind + 4, ns, (*stack, item.target))
            return [
                *lines,
                f"{p}{out} = []",
                f"{p}for {x} in {v}:",
                *body,
                f"{p}    {out}.append({o})",
                f"{p}{t} = {wrap}({out})" if wrap else f"{p}{t} = {out}",
            ]
        if item.kind is Kind.CLASS:
            fn = self._const(ns, self.function(item.target), "F")
            return [*lines, f"{p}{t} = {wrap}([{fn}(_x) for _x in {v}])"]
        if item.kind is Kind.STR and self.trusted:
            # The parser made this list: check it and keep it.
            measure = " or len(_x) > MAXSTR" if self.measured else ""
            return [
                *lines,
                f"{p}for _x in {v}:",
                f"{p}    if type(_x) is not str{measure}: raise SLOW",
                f"{p}{t} = {wrap}({v})" if wrap else f"{p}{t} = {v}",
            ]
        fn = self._const(ns, self._item(item), "IT")
        return [*lines, f"{p}{t} = {wrap}([{fn}(_x) for _x in {v}])"]

    def _emit_union(self, node: TypeNode, v: str, t: str, p: str, ns: dict[str, Any]) -> list[str]:
        if node.tag is not None:
            table = {
                (type(value), value): self.function(m.target) for value, m in node.tags.items()
            }
            tags = self._const(ns, table, "TAGS")
            return [
                f"{p}if type({v}) is not dict: raise SLOW",
                f"{p}_tag = {v}.get({node.tag!r}, MISSING)",
                f"{p}_fn = {tags}.get((type(_tag), _tag))",
                f"{p}if _fn is None: raise SLOW",
                f"{p}{t} = _fn({v})",
            ]
        members = [(m, self._item(m)) for m in node.args if m.kind is not Kind.CLASS]

        def pick(value: Any) -> Any:
            for m, fn in members:
                if python_fits(value, m):
                    return fn(value)
            raise SLOW

        return [f"{p}{t} = {self._const(ns, pick, 'U')}({v})"]


_LOCALS = ", ".join(
    f"{name}={name}"
    for name in (
        *("type", "str", "dict", "list", "len", "float", "int", "bool", "tuple"),
        *("BIG", "NBIG", "MAXITEMS", "MAXSTR", "WALK", "NO_UNKNOWN", "DT", "INTFLOAT"),
    )
)
"""The names a class's function reads most, bound as default arguments: local loads
instead of global ones. A quarter of the structuring time on Python 3.10 (whose
global-load cache is per code object and warms late), a few percent on 3.13."""

_INLINE_DEPTH = 4
"""Classes nested deeper than this call their own function."""
_BIG = 2.0**63


def fast_structure(structurer: FastStructurer, data: Any, cls: type) -> Any:
    """Run the fast path; return the instance, or raise `Slow` if it cannot."""
    try:
        return structurer.function(cls)(data)
    except Exception:  # noqa: BLE001, S110 - Slow, KeyError, TypeError...: the slow path decides
        pass
    # The shared SLOW gathers a traceback entry for every frame it is raised through, and
    # each entry keeps its frame, and the document in it, alive: without this, a process
    # would hold on to every document that ever left the fast path. Drop them, and raise
    # a fresh Slow that dies with the handler catching it.
    SLOW.__traceback__ = None
    SLOW.__context__ = None
    raise Slow
