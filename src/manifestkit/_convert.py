"""The converter: plain data to manifests and back.

`Converter` is the one object that structures and unstructures manifests.
Structuring runs the generated fast path (`_fast`) first; what it refuses goes
to the detailed path (`_detailed`: cattrs with manifestkit's hooks), which
reports every problem with its path in one `ValidationError`.

Unstructuring writes the wire form: fields equal to their default omitted,
preserved unknown fields put back where they were; the generated writers
(`_fast_out`) do it, and `_wire` when they give up.

The top-level functions use a default instance that callers cannot change;
make your own `Converter` for other limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ._codegen import Slow
from ._detailed import DetailedStructurer
from ._errors import ValidationError, describe
from ._fast import FastStructurer, fast_structure
from ._fast_out import WireWriter
from ._model import is_manifest_class, schema_info
from ._values import Limits, Problems, capped, checked_limits, writing_limits
from ._wire import unstructure_exact

__all__ = ["Converter"]

T = TypeVar("T")


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
        self._paths: dict[bool, DetailedStructurer] = {}
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
        fast attempts (see `DetailedStructurer`) trust it as `structure_trusted` does.
        """
        path = self._paths.get(lenient)
        if path is None:
            path = self._paths[lenient] = DetailedStructurer(self.limits, lenient=lenient)
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
