"""Helpers for the generated fast paths: compiling source, building frozen instances.

The fast paths (structuring, the wire form, the canonical form) are Python
functions generated once per class, as cattrs and attrs generate theirs: the
source is built as text, compiled, and registered with `linecache` so
tracebacks show it.

Building a frozen slotted instance is the largest single cost of decoding.
`instance_builder` returns the fastest constructor that is correct on the
running interpreter: on CPython, a plain slotted "twin" class with the same
slot layout is instantiated and its ``__class__`` switched to the frozen class
(no frozen ``__setattr__`` per field); where that is not allowed, the portable
path sets each slot through its descriptor.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from typing import Any

__all__ = ["SLOW", "Slow", "compile_function", "instance_builder"]

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


def _twin_builder(cls: type, names: list[str]) -> Callable[..., Any] | None:
    slots = cls.__dict__.get("__slots__")
    if cls.__bases__ != (object,) or slots is None or list(slots) != names:
        return None
    args = ", ".join(f"v{i}" for i in range(len(names)))
    body = [f"def __init__(self, {args}):"] + [f"    self.{n} = v{i}" for i, n in enumerate(names)]
    twin_ns: dict[str, Any] = {}
    init = compile_function("__init__", body, twin_ns)
    twin = type(f"{cls.__name__}Twin", (), {"__slots__": tuple(names), "__init__": init})
    lines = [
        f"def build({args}):",
        f"    o = TWIN({args})",
        "    o.__class__ = CLS",
        "    return o",
    ]
    build = compile_function("build", lines, {"TWIN": twin, "CLS": cls})
    try:
        probe = build(*range(len(names)))
    except TypeError:  # the interpreter refuses the __class__ switch
        return None
    if type(probe) is not cls or [getattr(probe, n) for n in names] != list(range(len(names))):
        return None  # pragma: no cover - a layout this code does not understand
    return build


def _descriptor_builder(cls: type, names: list[str]) -> Callable[..., Any]:
    args = ", ".join(f"v{i}" for i in range(len(names)))
    ns: dict[str, Any] = {"NEW": object.__new__, "CLS": cls}
    lines = [f"def build({args}):", "    o = NEW(CLS)"]
    for i, n in enumerate(names):
        ns[f"SET{i}"] = getattr(cls, n).__set__
        lines.append(f"    SET{i}(o, v{i})")
    lines.append("    return o")
    return compile_function("build", lines, ns)


def instance_builder(cls: type, names: list[str], *, portable: bool = False) -> Callable[..., Any]:
    """A function taking every slot's value, in ``names`` order, returning an instance.

    It bypasses ``__init__``: the caller has already checked every value.
    ``portable`` forces the descriptor path (tests run both).
    """
    builder = None if portable else _twin_builder(cls, names)
    return builder or _descriptor_builder(cls, names)
