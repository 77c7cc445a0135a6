"""Schema pack ``bundle``: a run bundle's ``manifest.json`` and its life cycle.

A run bundle is a folder that acquisition software fills during a run
(scalars, device records, camera files), with a ``manifest.json`` as its index
card. This pack declares that manifest (schema ``bundle.manifest``, integer
version field ``bundle_schema_version``, currently 2; version 1 documents are
migrated in memory), the rule between run status and bundle status, and
`BundleWriter`, which takes a bundle through open -> finalize -> seal ->
verify with an atomic write at every step. Sealing and verifying use the
core's folder integrity (`manifestkit.seal`, `manifestkit.verify`): a
``manifest.sha256`` that ``sha256sum -c`` checks.
"""

from ._manifest import (
    BUNDLE_STATUSES,
    RUN_STATUSES,
    BundleManifest,
    BundleSchemaError,
    BundleStatus,
    Camera,
    ChannelSamples,
    DataShape,
    DeviceRecords,
    DomainProfile,
    Integrity,
    IntegrityStatus,
    Lockfile,
    Operator,
    PlatformInfo,
    Plugin,
    Procedure,
    PythonInfo,
    Recording,
    RunStatus,
    Sample,
    SinkHealth,
    SoftwareInfo,
    is_legal_finalize_combination,
)
from ._writer import MANIFEST_FILE, BundleWriter, artifact_paths, is_bundle

__all__ = [
    "BUNDLE_STATUSES",
    "MANIFEST_FILE",
    "RUN_STATUSES",
    "BundleManifest",
    "BundleSchemaError",
    "BundleStatus",
    "BundleWriter",
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
    "artifact_paths",
    "is_bundle",
    "is_legal_finalize_combination",
]
