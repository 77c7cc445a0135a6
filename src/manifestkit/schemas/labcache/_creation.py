"""``creation.json``: what the wizard recorded when it made a project, equipment or run folder.

Every class keeps the keys it does not know (``unknown="preserve"``), in
nested blocks and list items too, so a tool that predates a field never drops
it when it rewrites the file. Fields equal to their default are left out of
the file, as the wizard itself writes them.

Version 1.8 added ``lims_project.source`` and
``lims_project.cache_freshness_at_use``. A 1.7 file is the same major, so it
is read as is and keeps its version (DESIGN rule 7): the two fields are
absent and take their defaults (``"live"``, None), which are also what they
mean in a 1.7 file. No migration is registered; none could run, since the
core migrates only between majors, and one would move the file's hash.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

import manifestkit as mk

from ._enums import (
    CreationLevel,
    LIMSProjectSource,
    PluginStatus,
    RunKind,
    RunScope,
    SyncStatus,
)
from ._time import check_timestamp

__all__ = [
    "CreationJson",
    "LimsProjectBlock",
    "OrchestratorBlock",
    "OverrideEntry",
    "PathsBlock",
    "PluginApplied",
    "PluginIsolation",
    "TemplateBlock",
    "TombstoneEntry",
    "ValidationOverride",
    "parse_validation_override_entry",
]


def _not_negative(value: int | None) -> str | None:
    return "must not be negative" if value is not None and value < 0 else None


@mk.block(unknown="preserve")
class LimsProjectBlock:
    """The LIMS project a folder belongs to, as it was when the folder was made."""

    uid: str = mk.field(description="The project's identifier in the LIMS.")
    short_id: str = mk.field(description="The project's short identifier.")
    name_at_creation: str = mk.field(description="The project's name when the folder was made.")
    source: LIMSProjectSource = mk.field(
        default=LIMSProjectSource.LIVE,
        description="Whether the details came from the LIMS itself or from its local cache "
        "(added in 1.8; a 1.7 file has no such field and means live).",
    )
    cache_freshness_at_use: str | None = mk.field(
        default=None,
        description="How fresh the local LIMS cache was when it was used (added in 1.8).",
    )


@mk.block(unknown="preserve")
class TemplateBlock:
    """The template a folder was made from."""

    name: str
    version: str
    source_path: str
    run_scope: RunScope | None = mk.field(
        default=None, description="Absent when the template declares no run scope."
    )


@mk.block(unknown="preserve")
class PluginIsolation:
    """How a plugin's isolated worker fared."""

    duration_ms: int = mk.field(unit="ms", check=_not_negative)
    exit_code: int
    peak_memory_mb: int = mk.field(unit="MB", check=_not_negative)


@mk.block(unknown="preserve")
class PluginApplied:
    """One plugin run on the new folder."""

    plugin: str
    version: str
    files_affected: tuple[str, ...]
    status: PluginStatus
    isolation: PluginIsolation | None = None


@mk.block(unknown="preserve")
class PathsBlock:
    """Where the folder lives, locally and on the NAS."""

    local: str
    nas: str


@mk.block(unknown="preserve")
class OrchestratorBlock:
    """The orchestrator the folder was made under; absent in single-equipment mode."""

    enabled: bool
    host: str
    label: str


@mk.block(unknown="preserve")
class OverrideEntry:
    """An operator's decision to let one class of validation problem pass.

    ``revoked`` is always false on an override and always written.
    """

    id: str
    problem_class: str
    operator: str
    recorded_at: str = mk.field(check=check_timestamp)
    reason: str
    revoked: Literal[False] = mk.field(default=False, always=True)
    expires_at: str | None = mk.field(
        default=None, check=check_timestamp, description="After this time the override lapses."
    )

    def __manifest_check__(self) -> Iterator[tuple[str, str]]:
        if "revokes" in mk.unknown_fields(self):
            yield "revokes", "an override (revoked false) cannot revoke an entry; a tombstone can"


@mk.block(unknown="preserve")
class TombstoneEntry:
    """An entry that revokes an earlier override, named by its id.

    ``revoked`` is always true on a tombstone and always written.
    """

    id: str
    revokes: str
    operator: str
    recorded_at: str = mk.field(check=check_timestamp)
    reason: str
    revoked: Literal[True] = mk.field(default=True, always=True)


def _assumed_revoked(entry: Mapping[str, Any]) -> bool:
    # Files from before ``revoked`` was always written: an entry that names
    # the override it revokes is a tombstone.
    return "revokes" in entry


ValidationOverride = Annotated[
    OverrideEntry | TombstoneEntry, mk.UnionTag("revoked", missing=_assumed_revoked)
]
"""One entry of ``validation_overrides``: picked by ``revoked``, or by ``revokes`` when absent."""


@mk.block
class _OneEntry:
    # Lets `parse_validation_override_entry` use the very rule the list uses.
    entry: ValidationOverride


def parse_validation_override_entry(entry: Any) -> OverrideEntry | TombstoneEntry:
    """Read one ``validation_overrides`` entry from plain data.

    The shape is picked by ``revoked`` (false: an override, true: a
    tombstone); an entry without ``revoked``, from an older file, is a
    tombstone when it has ``revokes``.

    Raises:
        ValidationError: The entry fits neither shape; paths are relative to it.
    """
    try:
        return mk.from_dict({"entry": entry}, _OneEntry).entry
    except mk.ValidationError as exc:
        errors = [(_strip_entry(path), message) for path, message in exc.errors]
        raise mk.ValidationError(errors, title="invalid validation override entry") from None


def _strip_entry(path: str) -> str:
    return path[len("entry") :].removeprefix(".")


@mk.manifest(
    "labcache.creation",
    version="1.8",
    unknown="preserve",
    filenames=("creation.json",),
)
class CreationJson:
    """``creation.json`` (schema 1.8), written when the wizard makes a folder.

    ``sync_status`` and ``validation_overrides`` are the fields that change
    after the folder is made; the overrides list only ever grows (see
    `append_override` and `revoke_override`).
    """

    schema_version: str = mk.field(default="1.8", always=True)
    created_at: str = mk.field(check=check_timestamp)
    created_by: str
    level: CreationLevel
    run_kind: RunKind
    lims_project: LimsProjectBlock
    template: TemplateBlock
    variables: dict[str, Any] = mk.field(description="The answers the template was filled with.")
    paths: PathsBlock
    plugins_applied: tuple[PluginApplied, ...] = ()
    orchestrator: OrchestratorBlock | None = None
    sync_status: SyncStatus = SyncStatus.PENDING
    validation_overrides: tuple[ValidationOverride, ...] = ()
