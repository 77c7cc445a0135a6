"""Callable references ("package.module:name"): checked by form, loaded only on request."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from typing import Any

import manifestkit as mk

from ._legacy import found

__all__ = ["check_callable_reference", "load_callable"]

_IDENTS = r"[^\W\d]\w*(?:\.[^\W\d]\w*)*"
_REFERENCE = re.compile(rf"({_IDENTS}):({_IDENTS})\Z")
_FORM = '"package.module:name"'


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def check_callable_reference(value: str) -> str | None:
    """A ``check=`` for fields that name a callable: the form only, nothing is imported.

    >>> check_callable_reference("json:dumps") is None
    True
    >>> check_callable_reference("json.dumps")
    'expected a reference of the form "package.module:name", found "json.dumps" (no colon)'
    """
    given: object = value  # a direct caller may pass anything
    if not isinstance(given, str):
        return f"expected a reference of the form {_FORM}, found {found(given)}"
    if _REFERENCE.match(value):
        return None
    hint = "" if ":" in value else " (no colon)"
    return f"expected a reference of the form {_FORM}, found {_quoted(value)}{hint}"


def load_callable(reference: str, *, field: str = "reference") -> Callable[..., Any]:
    """Import ``"package.module:name"`` and return the callable it names.

    Only ever called explicitly: reading a manifest that holds a reference
    checks its form at most (see `check_callable_reference`) and never
    imports anything.

    Args:
        reference: ``"package.module:name"``; the name may be dotted
            (``"package.module:Class.method"``).
        field: The path reported in errors.

    Raises:
        ValidationError: The reference has no colon or is malformed, its
            module cannot be imported, it has no such attribute, or what it
            names is not callable; the message names the reference.
    """

    def fail(message: str) -> mk.ValidationError:
        return mk.ValidationError([(field, message)], title="cannot load callable")

    why = check_callable_reference(reference)
    if why:
        raise fail(why)
    module_name, _, attribute = reference.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        own = missing == module_name or module_name.startswith(missing + ".")
        inside = "" if own else f" (imported by {_quoted(module_name)})"
        raise fail(
            f"cannot import {_quoted(module_name)} for {_quoted(reference)}: "
            f"no module named {_quoted(missing)}{inside}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - whatever the module raises while it is imported
        raise fail(
            f"cannot import {_quoted(module_name)} for {_quoted(reference)}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except Exception:  # noqa: BLE001 - AttributeError, or a property that raised
            raise fail(
                f"{_quoted(reference)} names nothing: {_quoted(module_name)} has no "
                f"attribute {_quoted(attribute)}"
            ) from None
    if not callable(target):
        raise fail(f"{_quoted(reference)} names a {type(target).__name__} object, not a callable")
    result: Callable[..., Any] = target
    return result
