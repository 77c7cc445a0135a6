"""Working with ``validation_overrides``: append, revoke, and list the active ones.

The list is append-only. An override is never edited or removed: revoking it
appends a tombstone whose ``revokes`` names it. These helpers return a new
`CreationJson` (instances are frozen) and refuse what would make the list
ambiguous: a second entry with an id already used, a tombstone for an id that
is not an override in the list, or for one already revoked.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timezone

import manifestkit as mk

from ._creation import CreationJson, OverrideEntry, TombstoneEntry
from ._time import format_timestamp, parse_timestamp

__all__ = ["active_overrides", "append_override", "revoke_override"]


def _refuse(message: str, title: str) -> mk.ValidationError:
    return mk.ValidationError([("validation_overrides", message)], title=title)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def append_override(creation: CreationJson, entry: OverrideEntry) -> CreationJson:
    """Return ``creation`` with one more override at the end of its list.

    Raises:
        ValidationError: An entry with the same id is already in the list.
    """
    if any(e.id == entry.id for e in creation.validation_overrides):
        raise _refuse(
            f"an entry with the id {_quote(entry.id)} is already in the list",
            "cannot append the override",
        )
    return mk.replace(creation, validation_overrides=(*creation.validation_overrides, entry))


def revoke_override(
    creation: CreationJson,
    override_id: str,
    *,
    operator: str,
    reason: str,
    recorded_at: str | None = None,
    id: str | None = None,  # noqa: A002 - the entry's own field name
) -> CreationJson:
    """Return ``creation`` with a tombstone that revokes the override ``override_id``.

    Args:
        creation: The document.
        override_id: The id of an override (not a tombstone) in the list.
        operator: Who revokes it.
        reason: Why.
        recorded_at: When, as ISO 8601 text; now (UTC) if omitted.
        id: The tombstone's own id; a new UUID if omitted.

    Raises:
        ValidationError: No override has that id, it is already revoked, or
            the tombstone's id is already used.
    """
    entries = creation.validation_overrides
    title = "cannot revoke the override"
    if not any(isinstance(e, OverrideEntry) and e.id == override_id for e in entries):
        raise _refuse(f"no override has the id {_quote(override_id)}", title)
    for e in entries:
        if isinstance(e, TombstoneEntry) and e.revokes == override_id:
            raise _refuse(
                f"the override {_quote(override_id)} is already revoked "
                f"by the tombstone {_quote(e.id)}",
                title,
            )
    tombstone = TombstoneEntry(
        id=id if id is not None else str(uuid.uuid4()),
        revokes=override_id,
        operator=operator,
        recorded_at=recorded_at if recorded_at is not None else format_timestamp(),
        reason=reason,
    )
    if any(e.id == tombstone.id for e in entries):
        raise _refuse(f"an entry with the id {_quote(tombstone.id)} is already in the list", title)
    return mk.replace(creation, validation_overrides=(*entries, tombstone))


def active_overrides(
    entries: CreationJson | Iterable[OverrideEntry | TombstoneEntry],
    at: datetime | None = None,
) -> tuple[OverrideEntry, ...]:
    """The overrides in force at a moment: not revoked, and not expired.

    An override is revoked when a tombstone in the list names it (a
    tombstone naming an id that is not in the list changes nothing). It has
    expired when its ``expires_at`` is at or before ``at``.

    Args:
        entries: A `CreationJson`, or its ``validation_overrides``.
        at: The moment; now if omitted. A naive datetime is taken as UTC, as
            are timestamps without an offset in the file.
    """
    given: object = entries  # a direct caller may pass anything
    if isinstance(given, CreationJson):
        items: tuple[object, ...] = tuple(given.validation_overrides)
    elif isinstance(given, Iterable) and not isinstance(given, (str, bytes, dict)):
        items = tuple(given)
    else:
        items = (given,)  # reported below as the one wrong entry
    wrong = [
        (
            f"entries[{i}]",
            f"expected an override or a tombstone, found a value of type {type(e).__name__}",
        )
        for i, e in enumerate(items)
        if not isinstance(e, (OverrideEntry, TombstoneEntry))
    ]
    when: object = at
    if when is not None and not isinstance(when, datetime):
        wrong.append(("at", f"expected a datetime, found a value of type {type(when).__name__}"))
    if wrong:
        raise mk.ValidationError(wrong, title="cannot list the active overrides")
    moment = at if at is not None else datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    revoked = {e.revokes for e in items if isinstance(e, TombstoneEntry)}
    return tuple(
        e
        for e in items
        if isinstance(e, OverrideEntry)
        and e.id not in revoked
        and (e.expires_at is None or parse_timestamp(e.expires_at) > moment)
    )
