"""Looking schemas up by name, with installed schema packs loaded on demand."""

from __future__ import annotations

from collections.abc import Mapping

from ._errors import ValidationError
from ._model import load_schema_plugins
from ._model import registered_schemas as _declared

__all__ = ["get_schema", "registered_schemas"]


def registered_schemas() -> Mapping[str, type]:
    """Every registered schema by name, after loading the installed schema packs.

    (Not named ``schemas``: that is the subpackage holding the packs.)
    """
    load_schema_plugins()
    return _declared()


def get_schema(name: str) -> type:
    """Return the manifest class registered under a schema name.

    Raises:
        ValidationError: No schema has that name; the message lists the known ones.
    """
    known = registered_schemas()
    cls = known.get(name)
    if cls is None:
        names = ", ".join(sorted(known)) or "none"
        raise ValidationError(
            [("", f"no schema named {name!r} (known: {names})")], title="unknown schema"
        )
    return cls
