"""The closed sets of values the lab wizard's cache files use.

Each enum's values are exactly what the files hold; a value outside the set
is refused when a file is read (unknown *fields* are preserved, unknown
*values* of a known field are not: they would change the field's meaning).
"""

from __future__ import annotations

import enum

__all__ = [
    "CreationLevel",
    "IngestState",
    "LIMSProjectSource",
    "OrchestratorTransportType",
    "PluginStatus",
    "RunKind",
    "RunScope",
    "SyncStatus",
]


class CreationLevel(enum.Enum):
    """Which folder a ``creation.json`` describes."""

    PROJECT = "project"
    EQUIPMENT = "equipment"
    RUN = "run"


class RunKind(enum.Enum):
    """A real experiment or a test run."""

    EXPERIMENT = "experiment"
    TEST = "test"


class RunScope(enum.Enum):
    """The scope a template declares it is meant for."""

    RUN = "run"
    SESSION = "session"
    PROJECT = "project"


class SyncStatus(enum.Enum):
    """Where a folder is in its copy to the NAS."""

    PENDING = "pending"
    SYNCING = "syncing"
    SYNCED = "synced"
    FAILED = "failed"


class PluginStatus(enum.Enum):
    """What happened when a plugin ran on a new folder."""

    APPLIED = "applied"
    SKIPPED = "skipped"
    FAILED = "failed"


class LIMSProjectSource(enum.Enum):
    """Where the LIMS project details came from when the folder was made."""

    LIVE = "live"
    CACHE = "cache"


class OrchestratorTransportType(enum.Enum):
    """How run data reached the orchestrator's staging area."""

    LOCAL = "local"
    SMB = "smb"
    RSYNC = "rsync"


class IngestState(enum.Enum):
    """The states of a run's ingest record on the orchestrator."""

    STAGED = "staged"
    RECEIVING = "receiving"
    COMPLETE = "complete"
    SYNCING = "syncing"
    SYNC_VERIFIED = "sync_verified"
    FAILED = "failed"
