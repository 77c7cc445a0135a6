"""The classes of a run bundle's ``manifest.json`` and the rules between their fields.

Top level strict; the blocks whose keys the acquisition software may extend
(sample, operator, platform, domain profile, per-sink queue health) keep
unknown keys instead of refusing them, and ``custom`` is free-form.
"""

from __future__ import annotations

import platform as _platform
import sys
import typing
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

import manifestkit as mk

__all__ = [
    "BUNDLE_STATUSES",
    "RUN_STATUSES",
    "BundleManifest",
    "BundleSchemaError",
    "BundleStatus",
    "Camera",
    "ChannelSamples",
    "DataShape",
    "DeviceRecords",
    "DomainProfile",
    "Integrity",
    "IntegrityStatus",
    "Lockfile",
    "Operator",
    "PlatformInfo",
    "Plugin",
    "Procedure",
    "PythonInfo",
    "Recording",
    "RunStatus",
    "Sample",
    "SinkHealth",
    "SoftwareInfo",
    "is_legal_finalize_combination",
]

SCHEMA = "bundle.manifest"
VERSION = 2

RunStatus = Literal["running", "completed", "aborted", "crashed"]
BundleStatus = Literal[
    "open", "finalizing", "finalized_unverified", "sealed", "verification_failed"
]
IntegrityStatus = Literal["unknown", "ok", "mismatch", "partial"]
RecordLayout = Literal["wide_row", "long_row", "single_value_row", "block"]
ChannelLayout = Literal["normalized_long", "wide_row", "long_row", "single_value_row", "block"]
OnFailure = Literal["warn", "abort_run", "safe_shutdown"]

RUN_STATUSES: tuple[RunStatus, ...] = typing.get_args(RunStatus)
BUNDLE_STATUSES: tuple[BundleStatus, ...] = typing.get_args(BundleStatus)


class BundleSchemaError(mk.SchemaVersionError):
    """A bundle manifest whose ``bundle_schema_version`` this library cannot read."""


def _not_negative(value: int | None) -> str | None:
    return "must not be negative" if value is not None and value < 0 else None


def _counts_not_negative(value: dict[str, int]) -> str | None:
    bad = sorted(k for k, v in value.items() if v < 0)
    return f"counts must not be negative ({', '.join(bad)})" if bad else None


# ----------------------------------------------------------------- who and what


@mk.block(unknown="preserve")
class Operator:
    """Who ran the experiment; keys the acquisition software adds are kept."""

    name: str | None = mk.field(default=None, description="The operator's name.")


@mk.block(unknown="preserve")
class Sample:
    """The specimen; profile-specific keys (``initial_mass_g``, ``form``...) are kept."""

    id: str | None = mk.field(default=None, description="The sample's identifier.")


@mk.block
class Procedure:
    """The procedure plug-in that actually ran."""

    id: str
    version: str


@mk.block(unknown="preserve")
class DomainProfile:
    """The domain profile attached to the run; its metadata lives in ``profiles/``."""

    id: str
    version: str | None = None
    short_id: str | None = mk.field(
        default=None, description="Names the profile's file, profiles/<short_id>.toml."
    )


# ------------------------------------------------------------------- provenance


@mk.block
class SoftwareInfo:
    """The acquisition software that wrote the bundle (the wire key is ``capa``)."""

    version: str
    git_sha: str | None = None
    git_dirty: bool | None = None
    build_time: datetime | None = None
    engine_version: str | None = mk.field(
        default=None, description="Revision marker of the engine code, stamped at run start."
    )


@mk.block
class PythonInfo:
    """The interpreter that ran the acquisition."""

    version: str
    implementation: str
    executable: str

    @classmethod
    def current(cls) -> PythonInfo:
        """Describe the running interpreter."""
        return cls(
            version=_platform.python_version(),
            implementation=_platform.python_implementation(),
            executable=sys.executable or "",
        )


@mk.block(unknown="preserve")
class PlatformInfo:
    """The operating system and machine; further keys are kept."""

    system: str | None = None
    release: str | None = None
    machine: str | None = None

    @classmethod
    def current(cls) -> PlatformInfo:
        """Describe the running platform."""
        return cls(
            system=_platform.system() or None,
            release=_platform.release() or None,
            machine=_platform.machine() or None,
        )


@mk.block
class Lockfile:
    """The dependency lock file snapshotted with the run; both null when there was none."""

    path: str | None = None
    sha256: str | None = None


@mk.block
class Plugin:
    """One entry of the plug-in trust set handed to the run."""

    id: str
    version: str
    package: str
    entry_point: str
    distribution_hash: str | None = None


# ------------------------------------------------------------------- the data


@mk.block
class ChannelSamples:
    """Where the channel samples are, and their table layout."""

    path: str = mk.field(description="Bundle-relative POSIX path.")
    layout: ChannelLayout


@mk.block
class DeviceRecords:
    """One adapter's device records, and their table layout."""

    adapter: str
    path: str = mk.field(description="Bundle-relative POSIX path.")
    layout: RecordLayout


@mk.block
class DataShape:
    """What the data files look like, so a reader knows before opening them."""

    channel_samples: ChannelSamples | None = None
    device_records: tuple[DeviceRecords, ...] = ()


@mk.block(unknown="preserve")
class SinkHealth:
    """Queue health of one sink over the run; collectors may add keys."""

    depth_p50: float
    depth_p99: float
    depth_max: float
    lag_s_max: float = mk.field(unit="s")
    write_bytes_total: int = mk.field(unit="B", check=_not_negative)


@mk.block
class Integrity:
    """The seal: a summary of ``manifest.sha256``, not the per-file list."""

    status: IntegrityStatus = mk.field(default="unknown", always=True)
    algorithm: Literal["sha256"] = mk.field(default="sha256", always=True)
    file_count: int | None = mk.field(default=None, check=_not_negative)
    total_bytes: int | None = mk.field(default=None, unit="B", check=_not_negative)
    sealed_utc: datetime | None = None


@mk.block
class Camera:
    """One declared camera and what became of its recording."""

    name: str
    adapter: str
    kind: str
    model: str | None = None
    serial: str | None = None
    output_path: str = mk.field(
        description="Bundle-relative POSIX path; present even when the container is external."
    )
    output_path_external: str | None = None
    frames_path: str | None = None
    meta_path: str | None = None
    frame_count: int = mk.field(default=0, check=_not_negative)
    started_mono_ns_offset: int | None = mk.field(default=None, unit="ns")
    on_failure: OnFailure = "warn"
    healthy: bool = True
    error: str | None = None
    recorded: bool = True
    suppressed_reason: str | None = None

    def __manifest_check__(self) -> Iterator[tuple[str, str]]:
        if self.recorded and self.suppressed_reason is not None:
            yield "suppressed_reason", "must be null when recorded is true"


@mk.block
class Recording:
    """The resolved recording plan, written when the run is armed."""

    policy: Literal["procedure_default", "record_all"] = "procedure_default"
    source: Literal["procedure_default", "operator_override"] = "procedure_default"
    channel_mode: Literal["all", "only"] = "all"
    recorded_channels: tuple[str, ...] = ()
    camera_mode: Literal["all", "none"] = "all"
    recorded_cameras: tuple[str, ...] = ()
    native_device_records: Literal["all"] = "all"

    def __manifest_check__(self) -> Iterator[tuple[str, str]]:
        if self.channel_mode == "all" and self.recorded_channels:
            yield "recorded_channels", 'must be empty when channel_mode is "all"'


# ------------------------------------------------------------------ the manifest


def is_legal_finalize_combination(run_status: str, bundle_status: str) -> bool:
    """Whether a run status and a bundle status may stand together in a manifest.

    A running run allows only an open bundle; every other run status allows
    any bundle status (an aborted or crashed run can still be sealed).

    >>> is_legal_finalize_combination("running", "sealed")
    False
    >>> is_legal_finalize_combination("crashed", "sealed")
    True

    Raises:
        ValidationError: A status that is not one of the known values.
    """
    errors = [
        (name, f"expected one of {', '.join(map(_quote, known))}, found {_quote(value)}")
        for name, value, known in (
            ("run_status", run_status, RUN_STATUSES),
            ("bundle_status", bundle_status, BUNDLE_STATUSES),
        )
        if value not in known
    ]
    if errors:
        raise mk.ValidationError(errors, title="unknown status")
    return run_status != "running" or bundle_status == "open"


def _quote(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


@mk.manifest(
    SCHEMA, version=VERSION, version_field="bundle_schema_version", filenames=("manifest.json",)
)
class BundleManifest:
    """A run bundle's ``manifest.json``: its index card."""

    __manifest_version_error__ = BundleSchemaError

    run_id: str = mk.field(description="Stable run identifier; the bundle folder's name.")
    bundle_schema_version: int = mk.field(default=VERSION, always=True)
    started_utc: datetime = mk.field(description="Wall-clock time at open.")
    ended_utc: datetime | None = mk.field(default=None, description="Null while running.")
    started_mono_ns_anchor: int = mk.field(
        unit="ns", description="Monotonic clock at open; the anchor of every t_mono_ns column."
    )
    run_status: RunStatus = mk.field(default="running", always=True)
    bundle_status: BundleStatus = mk.field(default="open", always=True)
    exit_reason: str | None = None
    operator: Operator = mk.field(factory=Operator)
    sample: Sample = mk.field(factory=Sample)
    procedure: Procedure | None = None
    domain_profile: DomainProfile | None = None
    tags: tuple[str, ...] = ()
    software: SoftwareInfo | None = mk.field(default=None, key="capa")
    python: PythonInfo | None = None
    platform: PlatformInfo = mk.field(factory=PlatformInfo)
    lockfile: Lockfile = mk.field(factory=Lockfile)
    plugins: tuple[Plugin, ...] = ()
    data_shape: DataShape = mk.field(factory=DataShape)
    queue_health: dict[str, SinkHealth] = mk.field(factory=dict)
    dropped_samples: dict[str, int] = mk.field(factory=dict, check=_counts_not_negative)
    integrity: Integrity = mk.field(factory=Integrity, always=True)
    cameras: tuple[Camera, ...] = ()
    recording: Recording | None = None
    custom: dict[str, Any] = mk.field(factory=dict)

    def __manifest_check__(self) -> Iterator[tuple[str, str]]:
        if not is_legal_finalize_combination(self.run_status, self.bundle_status):
            yield (
                "bundle_status",
                f'must be "open" while run_status is "running", found "{self.bundle_status}"',
            )


@mk.migration(SCHEMA, from_version=1)
def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    # Version 2 added the cameras and the recording plan; a version 1 document
    # has neither, and reads as no cameras and no recording plan.
    added = [key for key in ("cameras", "recording") if key in doc]
    if added:
        raise mk.ValidationError(
            [(key, "unknown field in a version 1 document (added in version 2)") for key in added],
            title=f"invalid {SCHEMA} document",
        )
    return {**doc, "bundle_schema_version": 2}
