"""Fast output: generated wire-form and canonical-form functions, one per class.

The wire form (what `to_dict` returns and what `dumps` serialises) leaves out
fields equal to their default; each class gets a function with that test
inlined per field (``is not None`` for a None default, a truth test for an
empty collection, a type-and-value test for scalars). The ``copy`` flavour,
used by `to_dict`, also copies and re-checks free-form values, so the caller
gets data it may change and nothing a user changed in place since
construction slips through; the non-copying flavour feeds orjson directly.
The ``include_defaults`` flavour writes every field.

The canonical form emits each class's fields already in RFC 8785 key order,
so only free-form dicts are sorted, and numbers go through `canonical_number`.

Building one small dict per instance is most of the cost, and a function call
per nested instance is the next largest: so a nested class (and a list of
them, as a plain loop) is written inline in its parent's function, and the
leading fields that are always written go into one dict display. A class
that (indirectly) contains itself is called, not inlined. On anything
unusual these functions raise, and the interpretive code (which tracks
paths) runs to report where.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, NoReturn

from ._codegen import SLOW, compile_function
from ._errors import check_str
from ._model import _UNKNOWN, NO_UNKNOWN, FieldPlan, get_plan
from ._numbers import canonical_number
from ._rfc3339 import check_datetime
from ._types import Kind, TypeNode
from ._values import Limits, Problems, json_value, same, union_member

__all__ = ["CanonicalWriter", "WireWriter"]

Fn = Callable[..., Any]
_SCALARS = (Kind.STR, Kind.INT, Kind.BOOL, Kind.DATETIME, Kind.DATE, Kind.LITERAL)
_EXACT = {str: Kind.STR, int: Kind.INT, bool: Kind.BOOL, float: Kind.FLOAT}
"""The field kind whose values are always of exactly this Python type."""
_INLINE_DEPTH = 4
"""Nested classes are inlined this many levels deep; deeper ones are called."""
DEFER_AT = 512
"""A deferred writer leaves lists of at least this many instances to ``default=``."""


def _bmp_keys(v: Any) -> Any:
    """``v`` itself, once its keys are known to be strings inside the BMP.

    For such keys, code point order (orjson's ``OPT_SORT_KEYS``) is RFC 8785's
    UTF-16 code unit order; a key past U+FFFF sends the value to the exact path.
    """
    joined = "".join(v)  # a key that is not a string raises here
    if not joined.isascii() and max(joined) > "\uffff":
        raise Problems.one("a key outside the BMP")
    return v


def _bad_key() -> NoReturn:
    """Raise `SLOW`, for a key JSON cannot hold: the exact path says which and where."""
    raise SLOW


_AS_IS_LOW = 1e-5
_AS_IS_HIGH = 1e21
"""A non-integral float whose magnitude is in [_AS_IS_LOW, _AS_IS_HIGH) is written
by orjson as ECMAScript writes it: `canonical_number` returns it unchanged, and
the generated code tests for that before calling it."""


def _plain_canonical(limits: Limits, *, check_keys: bool = True, preserved: bool = False) -> Fn:
    """The canonical form of a free-form value, as a function; ``v`` itself when it needs none.

    ``preserved`` (for preserved unknown fields) also lets the date-times and
    dates TOML holds natively through, as reading does; a declared free-form
    field holds JSON only.

    Only floats change (see `canonical_number`), so a container is copied only
    when something inside it changed: most free-form values are returned as
    they are, after one walk that checks every value's type. Integers and keys
    are not checked here: orjson refuses an integer outside 64 bits and a key
    that is not a string, and the exact path then says where. Keys past U+FFFF
    are looked for only with ``check_keys`` (see `CanonicalWriter`).
    """
    number = canonical_number
    low, high = _AS_IS_LOW, _AS_IS_HIGH

    def plain(v: Any, left: int = limits.max_depth) -> Any:
        c = v.__class__
        if c is str or c is int or c is bool or v is None:
            return v
        if c is float:
            return v if low <= abs(v) < high and not v.is_integer() else number(v)
        if c is dict or c is list:
            if left <= 0:
                raise Problems.one("too deep")
            out = None
            pairs = (_bmp_keys(v) if check_keys else v).items() if c is dict else enumerate(v)
            for k, x in pairs:  # leaves are checked here: no call each
                xc = x.__class__
                if xc is str or xc is int or xc is bool or x is None:
                    continue
                if xc is float:
                    if low <= abs(x) < high and not x.is_integer():
                        continue
                    y = number(x)  # x itself from 1e21 up, as orjson writes it too
                else:
                    y = plain(x, left - 1)
                if y is x:
                    continue
                if out is None:
                    out = c(v)  # a copy, made only once something in it changes
                out[k] = y
            return v if out is None else out
        if preserved and ((c is datetime and check_datetime(v) is None) or c is date):
            return v
        raise Problems.one("not plain data")

    return plain


class _Source:
    """The lines of one generated function, its namespace and fresh local names."""

    def __init__(self, ns: dict[str, Any], names: Iterator[int] | None = None) -> None:
        self.ns = ns
        self.lines: list[str] = []
        self._names = names or itertools.count(1)

    def child(self) -> _Source:
        """Lines to be placed inside this function's: same namespace, same local names."""
        return _Source(self.ns, self._names)

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    def const(self, value: Any, prefix: str = "C") -> str:
        name = self.name(f"_{prefix}")
        self.ns[name] = value
        return name


class _Writer:
    """Shared machinery: one function per class, nested classes inlined."""

    include_defaults = False
    copies_lists = False

    def __init__(self, limits: Limits, *, deferred: bool = False, defer_at: int = DEFER_AT) -> None:
        self.limits = limits
        self.deferred = deferred
        self.defer_at = defer_at
        self._classes: dict[type, Fn] = {}
        self._items: dict[type, Fn] = {}
        """The classes whose instances a deferred writer leaves to ``default=``."""

    def function(self, cls: type) -> Fn:
        """The generated writer of ``cls`` (built on first use): ``write(o, S=None)``."""
        fn = self._classes.get(cls)
        if fn is None:
            slot: list[Fn] = []
            self._classes[cls] = lambda o, s=None: slot[0](o, s)  # late binding
            src = _Source(self._namespace())
            src.ns["SLOW"] = SLOW
            src.lines.append("def write(o, S=None):")
            result = self._class(cls, "o", src, "    ", (cls,))
            src.lines.append(f"    return {result}")
            fn = compile_function("write", src.lines, src.ns)
            slot.append(fn)
            self._classes[cls] = fn
        return fn

    def encode(self, obj: Any, dump: Callable[[Any, Fn | None], bytes]) -> bytes:
        """``dump(data, default)`` of ``obj``'s form, long lists of instances left to ``default``.

        A deferred writer leaves a list of at least `DEFER_AT` instances of one
        class as it is, and ``dump`` (orjson with ``default=``) asks ``default``
        for each instance's dict as it reaches it: each dict is built, written
        and freed while its strings are still in the cache, instead of the
        whole document's dicts being built, then written, then freed. The
        instances in such a list are checked to be of their declared class,
        and every call of ``default`` is counted: anything else that reaches
        it (an instance put into a free-form value) makes the counts differ,
        and `Slow` is raised so that the caller's checked path reports it.
        """
        state = [0, 0]  # instances left to default, calls of default
        data = self.function(type(obj))(obj, state)
        if not state[0]:  # no list was long enough: nothing may reach default
            return dump(data, None)
        items = self._items

        def default(o: Any) -> Any:
            write = items.get(o.__class__)
            if write is None:
                raise TypeError
            state[1] += 1
            return write(o, state)

        out = dump(data, default)
        if state[0] != state[1]:
            raise SLOW
        return out

    # -- hooks for the flavours

    def _namespace(self) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _fields(self, cls: type) -> tuple[FieldPlan, ...]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _leaf(self, node: TypeNode, v: str) -> str:  # pragma: no cover
        """The expression writing a value that is not a class or a container."""
        raise NotImplementedError

    def _unknown(self, d: str, u: str, src: _Source, ind: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def _dict(self, node: TypeNode, v: str, src: _Source) -> str:  # pragma: no cover
        raise NotImplementedError

    # -- one class, inline

    def _class(self, cls: type, obj: str, src: _Source, ind: str, stack: tuple[type, ...]) -> str:
        """Emit the lines that build ``cls``'s dict from ``obj``; return the dict's name."""
        d = src.name("d")
        display: list[str] = []
        opened = False
        for f in self._fields(cls):
            test, node = self._write_test(f, src)
            attr = f"{obj}.{f.name}"
            if test is None and not opened:
                expr = self._value(node, attr, src, ind, stack, simple_only=True)
                if expr is None:
                    v = src.name("v")
                    src.lines.append(f"{ind}{v} = {attr}")
                    expr = self._value(node, v, src, ind, stack)
                display.append(f"{f.key!r}: {expr}")
                continue
            if not opened:
                src.lines.append(f"{ind}{d} = {{{', '.join(display)}}}")
                opened = True
            expr = None
            if test is None:
                expr = self._value(node, attr, src, ind, stack, simple_only=True)
            if expr is None:
                v = src.name("v")
                src.lines.append(f"{ind}{v} = {attr}")
                inner = ind
                if test is not None:
                    src.lines.append(f"{ind}if {test.format(v=v)}:")
                    inner = ind + "    "
                expr = self._value(node, v, src, inner, stack)
                src.lines.append(f"{inner}{d}[{f.key!r}] = {expr}")
            else:
                src.lines.append(f"{ind}{d}[{f.key!r}] = {expr}")
        if not opened:
            src.lines.append(f"{ind}{d} = {{{', '.join(display)}}}")
        u = src.name("u")
        src.lines += [f"{ind}{u} = {obj}.{_UNKNOWN}", f"{ind}if {u} is not NO_UNKNOWN:"]
        self._unknown(d, u, src, ind + "    ")
        return d

    def _write_test(self, f: FieldPlan, src: _Source) -> tuple[str | None, TypeNode]:
        """A condition on ``{v}`` that is true when the field must be written (None: always).

        Also returns the node to write the value with: a field left out when None
        is written without its ``| None``.
        """
        node = f.node
        if f.always or f.required or self.include_defaults:
            return None, node
        d = f.default
        if d is None:
            if node.kind is Kind.OPTIONAL:
                node = node.args[0]
            return "{v} is not None", node
        t = type(d)
        if t in (list, dict, tuple) and not d:
            return f"{{v}} or {{v}}.__class__ is not {src.const(t)}", node
        # A field of exactly the default's scalar kind (or None) holds exactly that
        # type (construction checks it), so `!=` alone tells it from the default;
        # other fields (a union, Any) may hold an equal value of another type.
        base = node.args[0] if node.kind is Kind.OPTIONAL else node
        other = "" if base.kind is _EXACT.get(t) else f"{{v}}.__class__ is not {src.const(t)} or "
        if t in (str, int, bool):
            return f"{other}{{v}} != {src.const(d)}", node
        if t is float and math.isfinite(d):
            test = f"{other}{{v}} != {src.const(d)}"
            if d == 0:
                sign = src.const(math.copysign(1.0, d))
                test += f" or {src.const(math.copysign)}(1.0, {{v}}) != {sign}"
            return test, node
        if isinstance(d, enum.Enum):
            return f"{{v}} is not {src.const(d)}", node
        return f"not {src.const(same)}({{v}}, {src.const(d)})", node

    def _value(
        self,
        node: TypeNode,
        v: str,
        src: _Source,
        ind: str,
        stack: tuple[type, ...],
        *,
        simple_only: bool = False,
    ) -> str | None:
        """The expression writing ``v``, after emitting any lines it needs at ``ind``.

        With ``simple_only``, return None instead of emitting lines or using ``v``
        more than once (``v`` is then an attribute access, not a local name).
        """
        k = node.kind
        if k is Kind.CLASS:
            target = node.target
            if target in stack or len(stack) >= _INLINE_DEPTH:
                return f"{src.const(self.function(target), 'F')}({v}, S)"
            if simple_only:
                return None
            return self._class(target, v, src, ind, (*stack, target))
        if k is Kind.OPTIONAL:
            sub = src.child()
            inner = self._value(node.args[0], v, sub, ind + "    ", stack)
            if inner == v:
                return v
            if simple_only:
                return None
            if not sub.lines:
                return f"(None if {v} is None else {inner})"
            r = src.name("r")
            src.lines += [f"{ind}if {v} is None:", f"{ind}    {r} = None", f"{ind}else:"]
            src.lines += sub.lines
            src.lines.append(f"{ind}    {r} = {inner}")
            return r
        if k in (Kind.LIST, Kind.VARTUPLE):
            if self.deferred and node.args[0].kind is Kind.CLASS and not simple_only:
                return self._deferred_list(node.args[0], v, src, ind, stack)
            x = src.name("x")
            sub = src.child()
            inner = self._value(node.args[0], x, sub, ind + "    ", stack)
            if inner is None:  # pragma: no cover - only simple_only gives None
                raise AssertionError(node)
            if not sub.lines:
                return self._sequence(k, inner, x, v)
            if simple_only:
                return None
            r = src.name("l")
            src.lines += [f"{ind}{r} = []", f"{ind}for {x} in {v}:"]
            src.lines += sub.lines
            src.lines.append(f"{ind}    {r}.append({inner})")
            return r
        if k is Kind.TUPLE:
            if simple_only:
                return None
            items = [self._flat(a, f"{v}[{i}]", src) for i, a in enumerate(node.args)]
            return "[" + ", ".join(items) + "]"
        if k is Kind.DICT:
            return None if simple_only else self._dict(node, v, src)
        if k is Kind.UNION:
            return f"{src.const(self._union(node), 'U')}({v})"
        return self._leaf(node, v)

    def _deferred_list(
        self, item: TypeNode, v: str, src: _Source, ind: str, stack: tuple[type, ...]
    ) -> str:
        """A list of instances of ``item``'s class: left to ``default=`` when long (`encode`)."""
        target = item.target
        self._items[target] = self.function(target)
        x, r = src.name("x"), src.name("l")
        c = src.const(target)
        sub = src.child()
        inner = self._value(item, x, sub, ind + "        ", stack)
        src.lines += [
            f"{ind}if S is not None and len({v}) >= {self.defer_at}:",
            f"{ind}    for {x} in {v}:",
            f"{ind}        if {x}.__class__ is not {c}:",
            f"{ind}            raise SLOW",
            f"{ind}    S[0] += len({v})",
            f"{ind}    {r} = {v}",
            f"{ind}else:",
            f"{ind}    {r} = []",
            f"{ind}    for {x} in {v}:",
            *sub.lines,
            f"{ind}        {r}.append({inner})",
        ]
        return r

    def _sequence(self, kind: Kind, inner: str, x: str, v: str) -> str:
        """A list or tuple's items, written: a copy of a tuple even when they need nothing."""
        if inner == x:
            return v if kind is Kind.LIST and not self.copies_lists else f"list({v})"
        return f"[{inner} for {x} in {v}]"

    def _flat(self, node: TypeNode, v: str, src: _Source) -> str:
        """An expression writing ``v`` that needs no lines of its own (classes are called)."""
        k = node.kind
        if k is Kind.CLASS:
            return f"{src.const(self.function(node.target), 'F')}({v})"
        if k is Kind.OPTIONAL:
            inner = self._flat(node.args[0], v, src)
            return v if inner == v else f"(None if {v} is None else {inner})"
        if k in (Kind.LIST, Kind.VARTUPLE):
            x = src.name("_x")
            return self._sequence(k, self._flat(node.args[0], x, src), x, v)
        if k is Kind.TUPLE:
            items = [self._flat(a, f"{v}[{i}]", src) for i, a in enumerate(node.args)]
            return "[" + ", ".join(items) + "]"
        if k is Kind.DICT:
            return self._dict(node, v, src)
        if k is Kind.UNION:
            return f"{src.const(self._union(node), 'U')}({v})"
        return self._leaf(node, v)

    def _union(self, node: TypeNode) -> Fn:
        """A function writing a value of a plain union: picks the member, then its writer."""
        members: dict[int, Fn] = {}
        for m in node.args:
            src = _Source(self._namespace())
            body = ["def item(v):", f"    return {self._flat(m, 'v', src)}"]
            members[id(m)] = compile_function("item", body, src.ns)

        def pick(v: Any) -> Any:
            return members[id(union_member(v, node))](v)

        return pick


class WireWriter(_Writer):
    """Generated wire-form functions; ``copy`` makes `to_dict`'s fresh, checked copies."""

    def __init__(
        self,
        limits: Limits,
        *,
        copy: bool,
        include_defaults: bool = False,
        deferred: bool = False,
        defer_at: int = DEFER_AT,
    ) -> None:
        """One writer per flavour; ``deferred`` ones only for `encode` (they never copy)."""
        super().__init__(limits, deferred=deferred and not copy, defer_at=defer_at)
        self.copy = self.copies_lists = copy
        self.include_defaults = include_defaults

    def _namespace(self) -> dict[str, Any]:
        limits = self.limits
        return {
            "NO_UNKNOWN": NO_UNKNOWN,
            "JSONCOPY": lambda v: json_value(v, limits),
            "KEEPCOPY": lambda v: json_value(v, limits, preserved=True),
            "OKSTR": lambda k: check_str(k) is None,
            "BADKEY": _bad_key,
        }

    def _fields(self, cls: type) -> tuple[FieldPlan, ...]:
        return get_plan(cls).fields

    def _unknown(self, d: str, u: str, src: _Source, ind: str) -> None:
        src.lines.append(f"{ind}{d}.update({'KEEPCOPY(' + u + ')' if self.copy else u})")

    def _leaf(self, node: TypeNode, v: str) -> str:
        k = node.kind
        if k in _SCALARS or k is Kind.FLOAT:
            return v
        if k is Kind.ENUM:
            return f"{v}._value_"
        if k is Kind.UUID:
            return f"str({v})"
        if k is Kind.PATH:
            return f"{v}.as_posix()"
        if k is Kind.ANY:
            return f"JSONCOPY({v})" if self.copy else v
        raise AssertionError(k)  # pragma: no cover

    def _dict(self, node: TypeNode, v: str, src: _Source) -> str:
        # A copy is checked: keys changed in place since construction take the exact path.
        # Without one, the format refuses such keys and says where (see `_formats`).
        k, x = src.name("_k"), src.name("_x")
        inner = self._flat(node.args[0], x, src)
        if not self.copy:
            return v if inner == x else f"{{{k}: {inner} for {k}, {x} in {v}.items()}}"
        # The test of each key, in the comprehension: a call per dict cost a tenth of to_dict.
        test = f"({k}.__class__ is str and ({k}.isascii() or OKSTR({k}))) or BADKEY()"
        return f"{{{k}: {inner} for {k}, {x} in {v}.items() if {test}}}"


class CanonicalWriter(_Writer):
    """Generated canonical-form functions: canonical numbers, keys checked for ``OPT_SORT_KEYS``.

    What they return must be written with ``orjson.OPT_SORT_KEYS``, whose code
    point order is RFC 8785's UTF-16 order for keys inside the BMP. With
    ``check_keys=False`` no key of a free-form value or dict field is looked at
    (a tenth of the time of a content hash): the caller must then look for a
    character past U+FFFF in the output (a 4-byte UTF-8 sequence), and write
    such a document again with a writer that checks its keys.
    """

    def __init__(
        self,
        limits: Limits,
        *,
        deferred: bool = False,
        defer_at: int = DEFER_AT,
        check_keys: bool = True,
    ) -> None:
        super().__init__(limits, deferred=deferred, defer_at=defer_at)
        self.check_keys = check_keys

    def _namespace(self) -> dict[str, Any]:
        return {
            "NO_UNKNOWN": NO_UNKNOWN,
            "NUM": canonical_number,
            "PLAIN": _plain_canonical(self.limits, check_keys=self.check_keys),
            "KEEP": _plain_canonical(self.limits, check_keys=self.check_keys, preserved=True),
            "BMPKEYS": _bmp_keys,
        }

    def _fields(self, cls: type) -> tuple[FieldPlan, ...]:
        # Declaration order, as the wire form: orjson's OPT_SORT_KEYS sorts every
        # object, which is RFC 8785's order for keys inside the BMP.
        fields = get_plan(cls).fields
        _bmp_keys([f.key for f in fields])  # no class can take this path otherwise
        return fields

    def _unknown(self, d: str, u: str, src: _Source, ind: str) -> None:
        src.lines.append(f"{ind}{d}.update(KEEP(dict({u})))")

    def _leaf(self, node: TypeNode, v: str) -> str:
        k = node.kind
        if k in _SCALARS:
            return v
        if k is Kind.FLOAT:  # the common case without a call; `canonical_number` otherwise
            return (
                f"({v} if {_AS_IS_LOW!r} <= abs({v}) < {_AS_IS_HIGH!r} "
                f"and not {v}.is_integer() else NUM({v}))"
            )
        if k is Kind.ENUM:
            return f"{v}._value_"
        if k is Kind.UUID:
            return f"str({v})"
        if k is Kind.PATH:
            return f"{v}.as_posix()"
        if k is Kind.ANY:
            return f"PLAIN({v})"
        raise AssertionError(k)  # pragma: no cover

    def _dict(self, node: TypeNode, v: str, src: _Source) -> str:
        # Each nesting level has its own names: an inner comprehension must not
        # see its own key where it means its parent's.
        if node.args[0].kind is Kind.ANY:
            return f"PLAIN({v})"  # its loop writes the leaves without a call each
        k, x = src.name("_k"), src.name("_x")
        inner = self._flat(node.args[0], x, src)
        keys = f"BMPKEYS({v})" if self.check_keys else v
        if inner == x:  # the values are written as they are: no copy
            return keys
        return f"{{{k}: {inner} for {k}, {x} in {keys}.items()}}"
