"""The mesokit manifests and their blocks, field for field as mesokit-schema 1.1.0 has them.

Names, wire keys, types and defaults follow the pydantic package exactly, so
a file written by either library reads in the other. Sequences are tuples
(the instances are frozen); free-form bags (``extra``, ``calibration``,
``parameters``, a parameter's ``default``) take any JSON value. Every class
refuses keys it does not know, naming them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import manifestkit as mk

__all__ = [
    "MANIFEST_PATTERNS",
    "MIGRATED_VERSION",
    "PACK_CLASSES",
    "SCHEMA_VERSION",
    "AcquisitionManifest",
    "AnalysisDeclaration",
    "ClockSource",
    "ColumnSpec",
    "DataqueuePayloadSchema",
    "DatasetManifest",
    "InputRef",
    "ParamSpec",
    "ProcessingManifest",
    "ProducerEntry",
    "SessionIdentity",
    "SidecarEntry",
    "SourceVersion",
    "TimeBasis",
]

SCHEMA_VERSION = "1.1.0"
"""The mesokit-schema release whose documents this pack writes."""

MIGRATED_VERSION = "1.0.0"
"""The version a 0.4.x document carries once migrated (its fields did not change)."""

MANIFEST_PATTERNS: tuple[str, ...] = ("manifest.json", "*_manifest.json", "manifest_task-*.json")
"""File names mesofield gives acquisition manifests, in the order discovery prefers them."""

ClockSource = Literal["wall_unix_s", "micromanager_core", "monotonic_s", "hardware_ttl", "derived"]
"""The clocks a stream's timestamps may come from."""


# ------------------------------------------------------------------- blocks


@mk.block
class TimeBasis:
    """How the timestamps of one stream map onto a real-world clock."""

    clock_source: ClockSource = mk.field(description="The clock the timestamps were read from.")
    units: Literal["seconds"] = mk.field(default="seconds", description="Timestamp units.")
    epoch_unix_s: float | None = mk.field(
        default=None, unit="s", description="Unix time of t = 0, for relative timestamps."
    )
    known_offset_s: float = mk.field(
        default=0.0, unit="s", description="Fixed offset that aligns the stream to the master."
    )
    description: str | None = None


@mk.block
class SessionIdentity:
    """Subject, session and task: the key a session is found by downstream."""

    subject: str
    session: str
    task: str | None = None
    experimenter: str | None = None
    protocol: str | None = None


@mk.block
class DataqueuePayloadSchema:
    """How a parser finds a producer's rows in the session dataqueue and decodes them."""

    device_id: str = mk.field(description="The device_id the producer writes in the dataqueue.")
    payload_format: Literal["scalar", "dict", "tagged_string"] = mk.field(
        default="scalar", description="Shape of the payload column."
    )
    payload_fields: dict[str, str] = mk.field(
        factory=dict,
        description="Field name -> type name (dict payloads) or regex (tagged strings).",
    )
    description: str | None = None


@mk.block
class SidecarEntry:
    """A helper file a producer wrote beside its main output, found by its role."""

    path: str = mk.field(description="Relative to the session folder.")
    role: str = mk.field(description="What the file is for: frame_metadata, mask, regions...")
    schema_version: str | None = mk.field(
        default=None, description="Version of the sidecar's own format, if it has one."
    )
    description: str | None = None


@mk.block
class ProducerEntry:
    """One device or stage that wrote a file during the session, and how to read it."""

    device_id: str
    device_type: str
    data_type: str = mk.field(description="The tag a reader is registered under.")
    bids_type: str | None = mk.field(default=None, description="BIDS datatype folder (func, beh).")
    file_type: str = mk.field(description="Extension without the dot: ome.tiff, csv, mp4...")
    output_path: str = mk.field(description="Relative to the session folder.")
    metadata_path: str | None = mk.field(
        default=None, description="Main metadata sidecar, relative to the session folder."
    )
    sampling_rate_hz: float | None = mk.field(default=None, unit="Hz")
    time_basis: TimeBasis
    calibration: dict[str, Any] = mk.field(
        factory=dict, description="Device constants: wheel diameter, pixel size..."
    )
    sidecars: tuple[SidecarEntry, ...] = mk.field(
        default=(), description="Further sidecars besides metadata_path."
    )
    dataqueue_schema: DataqueuePayloadSchema | None = mk.field(
        default=None, description="How to find this producer's dataqueue rows, if it has any."
    )


@mk.block
class InputRef:
    """A file a processing stage read, with the sha256 of its bytes."""

    path: str = mk.field(description="Relative to the session folder.")
    content_hash: str = mk.field(description="sha256 hex digest of the file's bytes.")
    description: str | None = None


@mk.block
class SourceVersion:
    """Which parser, at which version, produced one group of dataset columns."""

    tag: str
    version: str
    parser_class: str = mk.field(description="Dotted import path of the parser class.")


@mk.block
class ColumnSpec:
    """One (source, signal) column of a dataset, as an analysis names it."""

    source: str
    signal: str
    role: str | None = None
    unit: str | None = None
    required: bool = True


@mk.block
class ParamSpec:
    """A parameter an analysis can be tuned with."""

    name: str
    type: str = mk.field(description="Python type name: float, int, str...")
    default: Any = None
    description: str | None = None


# ---------------------------------------------------------------- documents


@mk.manifest(
    "mesokit.acquisition",
    version=SCHEMA_VERSION,
    filenames=MANIFEST_PATTERNS,
)
class AcquisitionManifest:
    """What mesofield writes when a session ends: who recorded what, where, on which clock."""

    schema_version: str = mk.field(default=SCHEMA_VERSION)
    mesofield_version: str
    acquisition_complete: bool
    started_at: datetime
    ended_at: datetime | None = None
    session: SessionIdentity
    producers: tuple[ProducerEntry, ...]
    notes: str | None = None
    extra: dict[str, Any] = mk.field(factory=dict)


@mk.manifest(
    "mesokit.processing",
    version=SCHEMA_VERSION,
    filenames=("*.process.json",),
)
class ProcessingManifest:
    """What a processing stage (pose tracking, atlas registration...) read, ran and wrote."""

    schema_version: str = mk.field(default=SCHEMA_VERSION)
    tool_name: str
    tool_version: str
    tool_invocation: str = mk.field(description="The command line or call that ran the tool.")
    built_at: datetime
    upstream_acquisition_hash: str | None = mk.field(
        default=None, description="Hash of the AcquisitionManifest this stage started from."
    )
    inputs: tuple[InputRef, ...] = ()
    parameters: dict[str, Any] = mk.field(factory=dict)
    outputs: tuple[ProducerEntry, ...] = mk.field(
        default=(), description="Each file written, described like an acquisition producer."
    )
    extra: dict[str, Any] = mk.field(factory=dict)


@mk.manifest(
    "mesokit.dataset",
    version=SCHEMA_VERSION,
    filenames=("manifest.json", "dataset_manifest.json"),
)
class DatasetManifest:
    """What datakit writes beside a dataset table: its inputs, timeline and columns."""

    schema_version: str = mk.field(default=SCHEMA_VERSION)
    datakit_version: str
    built_at: datetime
    upstream_acquisition_hash: str | None = mk.field(
        default=None, description="Hash of the AcquisitionManifest the dataset was built from."
    )
    data_file: str = mk.field(description="The table's file, relative to the dataset folder.")
    data_content_hash: str = mk.field(description="sha256 hex digest of data_file's bytes.")
    time_basis: TimeBasis
    source_versions: tuple[SourceVersion, ...] = ()
    index_levels: tuple[str, ...] = mk.field(
        default=("Subject", "Session", "Task"), description="Index level names of the table."
    )
    columns: tuple[tuple[str, str], ...] = mk.field(
        default=(), description="The table's (source, signal) column pairs."
    )
    extra: dict[str, Any] = mk.field(factory=dict)


@mk.manifest("mesokit.analysis")
class AnalysisDeclaration:
    """What an analysis needs from a dataset, what it can be tuned with, what it writes."""

    name: str
    version: str = mk.field(description="The analysis's own version (not a schema version).")
    description: str | None = None
    required_signals: tuple[ColumnSpec, ...] = ()
    optional_signals: tuple[ColumnSpec, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    outputs: tuple[str, ...] = mk.field(
        default=(), description="Names of the artifacts it writes (plots/bouts.svg...)."
    )


PACK_CLASSES: frozenset[type] = frozenset(
    {
        TimeBasis,
        SessionIdentity,
        DataqueuePayloadSchema,
        SidecarEntry,
        ProducerEntry,
        InputRef,
        SourceVersion,
        ColumnSpec,
        ParamSpec,
        AcquisitionManifest,
        ProcessingManifest,
        DatasetManifest,
        AnalysisDeclaration,
    }
)
"""Every class of the pack: the ones mesokit-schema has a pydantic twin of."""


# --------------------------------------------------------------- migrations


def _from_0_4(doc: dict[str, Any]) -> dict[str, Any]:
    # mesokit-schema 1.0 changed no field of the 0.4 documents (0.4.0 is the
    # only 0.x release): only the major version moved. Registered for all of
    # 0.x: the classes are strict, so an older document that differs fails
    # validation field by field rather than being misread. The version the
    # file carries still matters to its legacy hash (see _legacy.stored_hash).
    return {**doc, "schema_version": MIGRATED_VERSION}


for _schema in ("mesokit.acquisition", "mesokit.processing", "mesokit.dataset"):
    mk.register_migration(_schema, "0", _from_0_4)
