"""Observations: normalised trace events, and their streaming JSON Lines and CSV exports."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import orjson

import manifestkit as mk

from ._legacy import found
from ._records import ObservationLevel

__all__ = ["OBSERVATION_COLUMNS", "Observation", "write_csv", "write_jsonl"]

OBSERVATION_COLUMNS = (
    "timestamp",
    "record_id",
    "text",
    "session_id",
    "actor_id",
    "event_type",
    "meta_json",
    "level",
    "study_id",
    "run_id",
    "condition_id",
    "trial_id",
    "step_id",
    "tool_name",
    "evaluation_id",
)
"""The columns of an observation row, in order."""


@mk.block
class Observation:
    """One normalised event of a process trace.

    ``timestamp`` is kept as the text it was given, so rows reproduce it exactly.
    """

    timestamp: str
    record_id: str
    text: str
    session_id: str
    actor_id: str
    event_type: str
    meta_json: dict[str, Any] = mk.field(factory=dict)
    level: ObservationLevel = ObservationLevel.STEP
    study_id: str | None = None
    run_id: str | None = None
    condition_id: str | None = None
    trial_id: str | None = None
    step_id: str | None = None
    tool_name: str | None = None
    evaluation_id: str | None = None

    def to_row(self) -> dict[str, str | None]:
        """Return the export row: ``meta_json`` as legacy JSON text, ``level`` as its value."""
        meta = self.meta_json
        return {
            "timestamp": self.timestamp,
            "record_id": self.record_id,
            "text": self.text,
            "session_id": self.session_id,
            "actor_id": self.actor_id,
            "event_type": self.event_type,
            # meta_json holds plain JSON values already, which the legacy conversion leaves alone.
            "meta_json": (
                json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
                if meta
                else "{}"
            ),
            "level": self.level.value,
            "study_id": self.study_id,
            "run_id": self.run_id,
            "condition_id": self.condition_id,
            "trial_id": self.trial_id,
            "step_id": self.step_id,
            "tool_name": self.tool_name,
            "evaluation_id": self.evaluation_id,
        }


Target = str | os.PathLike[str] | BinaryIO


def _rows(observations: Iterable[Observation]) -> Iterable[dict[str, str | None]]:
    for i, obs in enumerate(observations):
        if not isinstance(obs, Observation):
            raise mk.ValidationError(
                [(f"[{i}]", f"expected an Observation, found {found(obs)}")],
                title="cannot write observations",
            )
        yield obs.to_row()


BATCH_ROWS = 256
BATCH_BYTES = 64 * 1024
"""Rows are gathered into one write of at most this many rows or bytes (whichever comes
first): enough to make writes cheap, little enough that memory stays flat however long
the export."""


def _jsonl(observations: Iterable[Observation], out: BinaryIO) -> int:
    count = 0
    batch = bytearray()
    dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    for row in _rows(observations):
        # Appended at once: orjson's result holds a few kilobytes of spare room.
        batch += dumps(row, option=option)
        count += 1
        if count % BATCH_ROWS == 0 or len(batch) >= BATCH_BYTES:
            out.write(bytes(batch))
            batch.clear()
    if batch:
        out.write(bytes(batch))
    return count


def _csv(observations: Iterable[Observation], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(OBSERVATION_COLUMNS)
        count = 0
        for row in _rows(observations):
            writer.writerow(row.values())
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller's stream stays open
    return count


def _write(
    writer: Callable[[Iterable[Observation], BinaryIO], int], observations: Any, to: Target
) -> int:
    if isinstance(to, (str, os.PathLike)):
        with mk.atomic_writer(to) as out:
            return writer(observations, out)
    return writer(observations, to)


def write_jsonl(observations: Iterable[Observation], to: Target) -> int:
    """Write observations as JSON Lines, one row object per line, in column order.

    Rows are written as they come: ``observations`` may be a generator of any
    length, and only one row is held in memory at a time. A path is written
    atomically (it appears complete or not at all); a binary stream is
    written to and left open.

    Returns:
        The number of rows written.

    Raises:
        ValidationError: An item is not an `Observation` (a path is then left as it was).
    """
    return _write(_jsonl, observations, to)


def write_csv(observations: Iterable[Observation], to: Target) -> int:
    r"""Write observations as CSV: a header of `OBSERVATION_COLUMNS`, then one line per row.

    UTF-8, the csv module's default dialect (``\r\n`` line ends, quoting
    where needed); None is an empty cell. Streaming and atomic as
    `write_jsonl`.

    Returns:
        The number of rows written (the header not counted).
    """
    return _write(_csv, observations, to)
