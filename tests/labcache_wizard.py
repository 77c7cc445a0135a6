"""The lab wizard's cache files as the wizard itself declares them: msgspec structs.

An independent statement of the wire shapes (field names and order, defaults
left out of the output) used as an oracle: the wizard encodes its files with
``msgspec.json.encode``, so a file it writes is exactly what these structs
encode, and anything manifestkit writes must decode with them. Overrides and
history entries are plain objects on the wizard's side.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Level = Literal["project", "equipment", "run"]
Kind = Literal["experiment", "test"]


class Lims(msgspec.Struct, omit_defaults=True):
    uid: str
    short_id: str
    name_at_creation: str
    source: Literal["live", "cache"] = "live"
    cache_freshness_at_use: str | None = None


class Template(msgspec.Struct, omit_defaults=True):
    name: str
    version: str
    source_path: str
    run_scope: Literal["run", "session", "project"] | None = None


class Isolation(msgspec.Struct, omit_defaults=True):
    duration_ms: int
    exit_code: int
    peak_memory_mb: int


class Plugin(msgspec.Struct, omit_defaults=True):
    plugin: str
    version: str
    files_affected: list[str]
    status: Literal["applied", "skipped", "failed"]
    isolation: Isolation | None = None


class Paths(msgspec.Struct, omit_defaults=True):
    local: str
    nas: str


class Orchestrator(msgspec.Struct, omit_defaults=True):
    enabled: bool
    host: str
    label: str


class Creation(msgspec.Struct, omit_defaults=True):
    schema_version: str
    created_at: str
    created_by: str
    level: Level
    run_kind: Kind
    lims_project: Lims
    template: Template
    variables: dict[str, Any]
    paths: Paths
    plugins_applied: list[Plugin] = []
    orchestrator: Orchestrator | None = None
    sync_status: Literal["pending", "syncing", "synced", "failed"] = "pending"
    validation_overrides: list[dict[str, Any]] = []


class ReadmeFields(msgspec.Struct, omit_defaults=True):
    schema_version: str
    generated_at: str
    core_fields: dict[str, str]
    system_fields: dict[str, Any]
    template_fields: dict[str, Any] = {}
    config_fields: dict[str, Any] = {}
    custom_fields: list[dict[str, str]] = []


class Equipment(msgspec.Struct, omit_defaults=True):
    schema_version: str
    id: str
    label: str
    configured_local_root: str
    configured_nas_root: str
    first_seen_at: str
    last_modified_at: str


class TestRuns(msgspec.Struct, omit_defaults=True):
    __test__ = False

    schema_version: str
    created_at: str
    project: str
    equipment: str
    run_kind: Kind = "test"


class Ingest(msgspec.Struct, omit_defaults=True):
    schema_version: str
    project_name: str
    equipment_id: str
    run_kind: Kind
    run_path: str
    transport: Literal["local", "smb", "rsync"]
    current_state: Literal["staged", "receiving", "complete", "syncing", "sync_verified", "failed"]
    history: list[dict[str, Any]] = []


WIZARD_TYPES: dict[str, type[msgspec.Struct]] = {
    "labcache.creation": Creation,
    "labcache.readme_fields": ReadmeFields,
    "labcache.equipment": Equipment,
    "labcache.test_runs": TestRuns,
    "labcache.ingest": Ingest,
}


def wizard_rewrite(raw: bytes, schema: str) -> bytes:
    """What the wizard writes back after reading ``raw`` and changing nothing."""
    return msgspec.json.encode(msgspec.json.decode(raw, type=WIZARD_TYPES[schema]))


def wizard_encode(data: dict[str, Any], schema: str) -> bytes:
    """Plain data encoded the way the wizard writes a file (its field order, compact)."""
    return msgspec.json.encode(msgspec.convert(data, type=WIZARD_TYPES[schema]))
