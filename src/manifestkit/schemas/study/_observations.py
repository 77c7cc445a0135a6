"""Observations: normalised trace events, and their streaming JSON Lines and CSV exports."""

from __future__ import annotations

import json
import os
import re
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


def _stream(
    observations: Iterable[Observation],
    out: BinaryIO,
    render: Callable[[dict[str, str | None]], bytes],
    header: bytes = b"",
) -> int:
    count = 0
    batch = bytearray(header)
    for row in _rows(observations):
        # Copied into the batch and freed at once: orjson's result holds a few
        # kilobytes of spare room, which a list of results would keep.
        batch += render(row)
        count += 1
        if count % BATCH_ROWS == 0 or len(batch) >= BATCH_BYTES:
            out.write(bytes(batch))
            batch.clear()
    if batch:
        out.write(bytes(batch))
    return count


def _json_line(row: dict[str, str | None]) -> bytes:
    return orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)


# The csv module's default dialect ("excel", minimal quoting), written here because
# Python 3.10's csv module cannot write a NUL character at all, while 3.11 and later
# write it as is: this way every Python writes the same bytes.
_QUOTE = re.compile(r'[,"\r\n]')
_BREAKS = re.compile(r'["\r\n]')
_SEPARATORS = len(OBSERVATION_COLUMNS) - 1


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if _QUOTE.search(value) else value


def _csv_line(row: dict[str, str | None]) -> bytes:
    cells = [v or "" for v in row.values()]
    line = ",".join(cells)
    # Most rows need no quoting: no cell holds a comma (the line has just its
    # separators) and none a quote or a line break.
    if line.count(",") != _SEPARATORS or _BREAKS.search(line):
        line = ",".join([_cell(v) for v in cells])
    return (line + "\r\n").encode("utf-8")


_CSV_HEADER = (",".join(OBSERVATION_COLUMNS) + "\r\n").encode("ascii")


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
    length, and at most a batch of rows (256, or 64 KiB) is held in memory. A path is written
    atomically (it appears complete or not at all); a binary stream is
    written to and left open.

    Returns:
        The number of rows written.

    Raises:
        ValidationError: An item is not an `Observation` (a path is then left as it was).
    """
    return _write(lambda rows, out: _stream(rows, out, _json_line), observations, to)


def write_csv(observations: Iterable[Observation], to: Target) -> int:
    r"""Write observations as CSV: a header of `OBSERVATION_COLUMNS`, then one line per row.

    UTF-8, as the csv module's default dialect writes it (``\r\n`` line
    ends; a cell holding a comma, a quote or a line break is quoted, its
    quotes doubled); None is an empty cell. The same bytes on every Python
    (3.10's csv module cannot write a NUL character; this writer can).
    Streaming and atomic as `write_jsonl`.

    Returns:
        The number of rows written (the header not counted).
    """
    return _write(lambda rows, out: _stream(rows, out, _csv_line, _CSV_HEADER), observations, to)
