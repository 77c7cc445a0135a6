"""Schema pack ``labcache``: the lab wizard's cache files, read and rewritten without loss.

The wizard keeps small JSON files in a hidden folder beside each project,
equipment and run folder; older and newer releases of the wizard edit the
same files. Every class here keeps the keys it does not know, at every depth
(top level, nested blocks, list items), so a rewrite by this library never
drops what a newer writer added.

Documents (schema name, usual file name):

- `CreationJson` (``labcache.creation``, ``creation.json``), version 1.8;
- `ReadmeFieldsJson` (``labcache.readme_fields``, ``readme_fields.json``), 1.1;
- `EquipmentJson` (``labcache.equipment``, ``equipment.json``), 1.0;
- `TestRunsJson` (``labcache.test_runs``, ``test_runs.json``), 1.0;
- `IngestJson` (``labcache.ingest``, ``ingest.json``), 1.1.

Rules beyond the field types: validation overrides are an append-only list
of overrides and tombstones (`append_override`, `revoke_override`,
`active_overrides`); the ingest record is a state machine
(`advance_ingest`, `INGEST_TRANSITIONS`); `check_append_only` compares two
versions of a document. Timestamps stay the text the file holds.
"""

from __future__ import annotations

from ._append import check_append_only
from ._creation import (
    CreationJson,
    LimsProjectBlock,
    OrchestratorBlock,
    OverrideEntry,
    PathsBlock,
    PluginApplied,
    PluginIsolation,
    TemplateBlock,
    TombstoneEntry,
    ValidationOverride,
    parse_validation_override_entry,
)
from ._enums import (
    CreationLevel,
    IngestState,
    LIMSProjectSource,
    OrchestratorTransportType,
    PluginStatus,
    RunKind,
    RunScope,
    SyncStatus,
)
from ._files import EquipmentJson, ReadmeFieldsJson, TestRunsJson
from ._ingest import (
    INGEST_TRANSITIONS,
    IngestHistoryEntry,
    IngestJson,
    advance_ingest,
    is_legal_transition,
)
from ._overrides import active_overrides, append_override, revoke_override
from ._time import format_timestamp, parse_timestamp

__all__ = [
    "INGEST_TRANSITIONS",
    "CreationJson",
    "CreationLevel",
    "EquipmentJson",
    "IngestHistoryEntry",
    "IngestJson",
    "IngestState",
    "LIMSProjectSource",
    "LimsProjectBlock",
    "OrchestratorBlock",
    "OrchestratorTransportType",
    "OverrideEntry",
    "PathsBlock",
    "PluginApplied",
    "PluginIsolation",
    "PluginStatus",
    "ReadmeFieldsJson",
    "RunKind",
    "RunScope",
    "SyncStatus",
    "TemplateBlock",
    "TestRunsJson",
    "TombstoneEntry",
    "ValidationOverride",
    "active_overrides",
    "advance_ingest",
    "append_override",
    "check_append_only",
    "format_timestamp",
    "is_legal_transition",
    "parse_timestamp",
    "parse_validation_override_entry",
    "revoke_override",
]
