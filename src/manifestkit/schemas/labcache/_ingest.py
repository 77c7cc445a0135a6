"""``ingest.json``: the orchestrator's record of a run moving from staging to the NAS.

The record is a small state machine. ``history`` lists every state the run
has been in, oldest first, and only ever grows; ``current_state`` repeats the
last entry's state so a reader need not walk the list. The legal moves are::

    staged -> receiving -> complete -> syncing -> sync_verified
    any state but sync_verified -> failed
    failed -> receiving            (a retry)

The first entry is ``staged``. A ``complete`` entry records ``files_received``
and ``bytes_received``; a ``sync_verified`` entry records ``nas_path`` and
``checksum_file``. These rules are checked whenever a record is built or read,
so a file whose history breaks them, or whose ``current_state`` disagrees
with its history, is refused with a `ValidationError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType

import manifestkit as mk

from ._enums import IngestState, OrchestratorTransportType, RunKind
from ._time import check_timestamp, format_timestamp

__all__ = [
    "INGEST_TRANSITIONS",
    "IngestHistoryEntry",
    "IngestJson",
    "advance_ingest",
    "is_legal_transition",
]

_S = IngestState
INGEST_TRANSITIONS: Mapping[IngestState, frozenset[IngestState]] = MappingProxyType(
    {
        _S.STAGED: frozenset({_S.RECEIVING, _S.FAILED}),
        _S.RECEIVING: frozenset({_S.COMPLETE, _S.FAILED}),
        _S.COMPLETE: frozenset({_S.SYNCING, _S.FAILED}),
        _S.SYNCING: frozenset({_S.SYNC_VERIFIED, _S.FAILED}),
        _S.SYNC_VERIFIED: frozenset(),
        _S.FAILED: frozenset({_S.RECEIVING, _S.FAILED}),
    }
)
"""Each state, with the states that may follow it."""

_REQUIRED: Mapping[IngestState, tuple[str, ...]] = MappingProxyType(
    {
        _S.COMPLETE: ("files_received", "bytes_received"),
        _S.SYNC_VERIFIED: ("nas_path", "checksum_file"),
    }
)


def is_legal_transition(before: IngestState, after: IngestState) -> bool:
    """Whether an ingest record may go from ``before`` to ``after``."""
    return after in INGEST_TRANSITIONS[before]


def _not_negative(value: int | None) -> str | None:
    return "must not be negative" if value is not None and value < 0 else None


@mk.block(unknown="preserve")
class IngestHistoryEntry:
    """One state the run entered, and when."""

    state: IngestState
    at: str = mk.field(check=check_timestamp, description="When the state was entered.")
    host: str | None = mk.field(default=None, description="The host that recorded it.")
    files_received: int | None = mk.field(default=None, check=_not_negative)
    bytes_received: int | None = mk.field(default=None, unit="B", check=_not_negative)
    nas_path: str | None = None
    checksum_file: str | None = None


def _name(state: IngestState) -> str:
    return f'"{state.value}"'


def _next_states(state: IngestState) -> str:
    after = [s for s in IngestState if s in INGEST_TRANSITIONS[state]]
    if not after:
        return f"nothing follows {_name(state)}"
    return f"after {_name(state)} comes " + " or ".join(_name(s) for s in after)


def _history_problems(
    history: tuple[IngestHistoryEntry, ...], current: IngestState
) -> Iterator[tuple[str, str]]:
    """Every way a history and current state break the rules, as ``(path, message)``."""
    if not history:
        yield "history", f"expected at least one entry, the first being {_name(_S.STAGED)}"
        return
    previous: IngestState | None = None
    for i, entry in enumerate(history):
        state = entry.state
        if previous is None:
            if state is not _S.STAGED:
                yield (
                    f"history[{i}].state",
                    f"the first entry must be {_name(_S.STAGED)}, found {_name(state)}",
                )
        elif not is_legal_transition(previous, state):
            yield (
                f"history[{i}].state",
                f"cannot go from {_name(previous)} to {_name(state)}; {_next_states(previous)}",
            )
        for name in _REQUIRED.get(state, ()):
            if getattr(entry, name) is None:
                where = (
                    f"in a {_name(state)} entry"
                    if previous is None
                    else f"when the state goes from {_name(previous)} to {_name(state)}"
                )
                yield f"history[{i}].{name}", f"required {where}"
        previous = state
    last = history[-1].state
    if current is not last:
        yield (
            "current_state",
            f"expected {_name(last)}, the state of the last history entry, found {_name(current)}",
        )


@mk.manifest(
    "labcache.ingest",
    version="1.1",
    unknown="preserve",
    filenames=("ingest.json",),
)
class IngestJson:
    """``ingest.json`` (schema 1.1): a staged run's way to the NAS, written by the orchestrator."""

    schema_version: str = mk.field(default="1.1", always=True)
    project_name: str
    equipment_id: str
    run_kind: RunKind
    run_path: str
    transport: OrchestratorTransportType
    current_state: IngestState
    history: tuple[IngestHistoryEntry, ...] = mk.field(
        description="Every state entered, oldest first; only ever appended to."
    )

    def __manifest_check__(self) -> Iterator[tuple[str, str]]:
        return _history_problems(self.history, self.current_state)


def advance_ingest(
    ingest: IngestJson,
    state: IngestState | str,
    *,
    at: str | datetime | None = None,
    host: str | None = None,
    files_received: int | None = None,
    bytes_received: int | None = None,
    nas_path: str | None = None,
    checksum_file: str | None = None,
) -> IngestJson:
    """Return ``ingest`` moved to ``state``: one entry appended, ``current_state`` updated.

    Args:
        ingest: The record.
        state: The state entered.
        at: When; a datetime is written as ISO 8601 (``Z`` for UTC); now if omitted.
        host: The host recording the move.
        files_received: Required when entering ``complete``.
        bytes_received: Required when entering ``complete``.
        nas_path: Required when entering ``sync_verified``.
        checksum_file: Required when entering ``sync_verified``.

    Raises:
        ValidationError: The move is not legal from the current state, or an
            entry field it needs is missing; the message names both states.
    """
    when = at if isinstance(at, str) else format_timestamp(at)
    entry = IngestHistoryEntry(
        state=state,  # type: ignore[arg-type] # the constructor reads a value as its member
        at=when,
        host=host,
        files_received=files_received,
        bytes_received=bytes_received,
        nas_path=nas_path,
        checksum_file=checksum_file,
    )
    return mk.replace(ingest, history=(*ingest.history, entry), current_state=entry.state)
