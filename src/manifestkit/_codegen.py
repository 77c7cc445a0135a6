"""Helpers for the generated fast paths: compiling source, building frozen instances.

The fast paths (structuring, the wire form, the canonical form) are Python
functions generated once per class, as cattrs and attrs generate theirs: the
source is built as text, compiled, and registered with `linecache` so
tracebacks show it.

Building a frozen slotted instance is the largest single cost of decoding.
`build_lines` emits the fastest construction that is correct on the running
interpreter, inline in the generated function: on CPython, a plain slotted
"twin" class with the same slot layout is instantiated, its slots stored
directly and its ``__class__`` switched to the frozen class (no frozen
``__setattr__`` per field, no ``__init__`` frame); where that is not allowed,
the portable path sets each slot through its descriptor.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from typing import Any

__all__ = ["SLOW", "Slow", "build_lines", "compile_function"]

_COUNTER = itertools.count()


class Slow(Exception):
    """Raised by a fast path that met something it does not handle."""


SLOW = Slow()
"""The one instance fast paths raise: no message, no traceback work."""


def compile_function(name: str, lines: list[str], namespace: dict[str, Any]) -> Callable[..., Any]:
    """Compile ``lines`` (the source of one function called ``name``) in ``namespace``."""
    source = "\n".join(lines) + "\n"
    filename = f"<manifestkit generated {name} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own generated source
    fn: Callable[..., Any] = namespace[name]
    return fn


def _twin(cls: type, names: list[str]) -> type | None:
    """A plain slotted class with ``cls``'s slot layout, if instances may switch to ``cls``."""
    slots = cls.__dict__.get("__slots__")
    if cls.__bases__ != (object,) or slots is None or list(slots) != names:
        return None
    twin = type(f"{cls.__name__}Twin", (), {"__slots__": tuple(names)})
    probe = twin()
    for i, n in enumerate(names):
        setattr(probe, n, i)
    try:
        probe.__class__ = cls
    except TypeError:  # the interpreter refuses the __class__ switch
        return None
    if type(probe) is not cls or [getattr(probe, n) for n in names] != list(range(len(names))):
        return None  # pragma: no cover - a layout this code does not understand
    return twin


def build_lines(
    cls: type,
    names: list[str],
    values: list[str],
    const: Callable[[Any], str],
    *,
    pad: str = "    ",
    target: str = "o",
    portable: bool = False,
) -> list[str]:
    """Source lines that build a ``cls`` instance in ``target`` without ``__init__``.

    ``values`` are the expressions of the slots' values, in ``names`` order; the
    caller has already checked every one. ``const`` puts a value in the generated
    function's namespace and returns its name. On CPython a plain slotted twin is
    built, its slots stored directly, and its ``__class__`` switched to ``cls``
    (no frozen ``__setattr__`` per field); elsewhere, or with ``portable`` (tests
    run both), each slot is set through its descriptor.
    """
    twin = None if portable else _twin(cls, names)
    if twin is not None:
        lines = [f"{pad}{target} = {const(twin)}()"]
        lines += [f"{pad}{target}.{n} = {v}" for n, v in zip(names, values, strict=True)]
        return [*lines, f"{pad}{target}.__class__ = {const(cls)}"]
    lines = [f"{pad}{target} = {const(object.__new__)}({const(cls)})"]
    return lines + [
        f"{pad}{const(getattr(cls, n).__set__)}({target}, {v})"
        for n, v in zip(names, values, strict=True)
    ]
