"""Checking that a rewrite only appended to the cache files' append-only lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import manifestkit as mk

from ._creation import CreationJson
from ._ingest import IngestJson

__all__ = ["check_append_only"]

_LISTS: dict[type, str] = {CreationJson: "validation_overrides", IngestJson: "history"}


def check_append_only(before: CreationJson | IngestJson, after: CreationJson | IngestJson) -> None:
    """Refuse a new version of a document whose append-only list was not only appended to.

    The lists are ``validation_overrides`` of `CreationJson` and ``history`` of
    `IngestJson`: every entry of ``before`` must still be in ``after``, equal
    (unknown fields included) and in the same place.

    Raises:
        ValidationError: An entry was changed, removed or reordered, each named
            by its path; or the two documents are not of the same kind.
    """
    field = _LISTS.get(type(before))
    if field is None or type(after) is not type(before):
        raise mk.ValidationError(
            [("", "expected two CreationJson or two IngestJson documents")],
            title="cannot compare the documents",
        )
    old: Sequence[Any] = getattr(before, field)
    new: Sequence[Any] = getattr(after, field)
    errors = [
        (f"{field}[{i}]", "differs from the entry it replaces; entries are only ever appended")
        for i, (a, b) in enumerate(zip(old, new, strict=False))
        if a != b
    ]
    if len(new) < len(old):
        lost = f"has {len(new)} entries, fewer than the {len(old)} it had"
        errors.append((field, f"{lost}; entries are only ever appended"))
    if errors:
        raise mk.ValidationError(errors, title=f"{field} is append-only")
