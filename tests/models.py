"""Manifest classes used by the core's tests: together they use every supported field kind."""

from __future__ import annotations

import enum
import pathlib
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import Any, Literal

import manifestkit as mk


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@mk.block
class Inner:
    label: str
    weight: float = 1.0
    when: datetime | None = None


@mk.block
class Synthetic:
    kind: Literal["synthetic"]
    seed: int


@mk.block
class External:
    kind: Literal["external"]
    hashes: dict[str, str]


@mk.block(unknown="preserve")
class Open:
    name: str
    items: list[Inner] = mk.field(factory=list)


@mk.manifest("test.kitchen", version="2.3.0", filenames=("kitchen.json",))
class Kitchen:
    """A document with one field of every kind."""

    schema_version: str = mk.field(default="2.3.0", always=True)
    name: str = mk.field(description="A name.")
    count: int
    ratio: float = mk.field(unit="1")
    flag: bool
    started: datetime
    day: date
    ident: uuid.UUID
    path: pathlib.PurePosixPath
    color: Color
    level: Level
    mode: Literal["a", "b"]
    pair: tuple[str, int]
    seq: tuple[float, ...]
    inners: list[Inner]
    table: dict[str, Inner]
    free: dict[str, Any]
    provenance: Synthetic | External
    anything: Any = None
    maybe: Inner | None = None
    either: int | str = 0
    opened: Open | None = None
    notes: str | None = None
    tags: list[str] = mk.field(factory=list)
    marker: int = mk.field(default=0, always=True)


def make_kitchen(**changes: Any) -> Kitchen:
    """A small valid Kitchen, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "name": "k",
        "count": 1,
        "ratio": 0.5,
        "flag": True,
        "started": datetime(2026, 1, 1, tzinfo=timezone.utc),
        "day": date(2026, 1, 1),
        "ident": uuid.UUID(int=1),
        "path": pathlib.PurePosixPath("a/b"),
        "color": Color.RED,
        "level": Level.LOW,
        "mode": "a",
        "pair": ("x", 1),
        "seq": (1.0,),
        "inners": [],
        "table": {},
        "free": {},
        "provenance": Synthetic(kind="synthetic", seed=1),
    }
    fields.update(changes)
    return Kitchen(**fields)


@mk.manifest("test.small", version=3, version_field="version", filenames=("small.json",))
class Small:
    """An integer-versioned document."""

    version: int = mk.field(default=3, always=True)
    title: str
    size: int = 0


@mk.manifest("test.cache", version="1.4", unknown="preserve")
class Cache:
    """A forward-compatible document: unknown fields are kept at every depth."""

    schema_version: str = mk.field(default="1.4", always=True)
    owner: str
    entries: list[Open] = mk.field(factory=list)
    meta: Open | None = None


def _positive(value: int) -> str | None:
    return None if value >= 1 else "must be at least 1"


@mk.block
class Budget:
    """A block with a field check and a class-level check."""

    replicates: int = mk.field(default=1, check=_positive)
    max_runs: int | None = None

    def __manifest_check__(self) -> Iterator[tuple[str, str]]:
        if self.max_runs is not None and self.max_runs < self.replicates:
            yield "max_runs", "must be at least replicates"


# Migrations of the test schemas: test.small went 1 -> 2 -> 3, test.kitchen 1.x -> 2.0.0.


@mk.migration("test.small", from_version=1)
def _small_1_to_2(doc: dict[str, Any]) -> dict[str, Any]:
    doc = dict(doc)
    doc["title"] = doc.pop("name")
    doc["version"] = 2
    return doc


@mk.migration("test.small", from_version=2)
def _small_2_to_3(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "version": 3, "size": doc.get("size", 0) * 1024}


@mk.migration("test.kitchen", from_version="1")
def _kitchen_1_to_2(doc: dict[str, Any]) -> dict[str, Any]:
    doc = dict(doc)
    doc["schema_version"] = "2.0.0"
    doc["path"] = doc.pop("folder")
    return doc


# Two schemas a document can fit equally well: only the file name tells them apart.


@mk.manifest("test.tie-a", version="1.0", unknown="preserve", filenames=("a.json", "*.a.json"))
class TieA:
    schema_version: str = mk.field(default="1.0", always=True)
    id: str


@mk.manifest("test.tie-b", version="1.0", unknown="preserve", filenames=("b.json",))
class TieB:
    schema_version: str = mk.field(default="1.0", always=True)
    id: str
