"""The mesokit pipeline's contract: acquisition -> processing -> dataset -> analysis.

A drop-in for the pydantic package mesokit-schema (0.4 and 1.1): the same
classes, field names, types and defaults, reading and writing the same JSON,
so a pipeline can switch without rewriting a file on disk.

- `AcquisitionManifest` (schema ``mesokit.acquisition``): what mesofield
  writes when a session ends;
- `ProcessingManifest` (``mesokit.processing``): what a processing stage read,
  ran and wrote;
- `DatasetManifest` (``mesokit.dataset``): what datakit writes beside a
  dataset table;
- `AnalysisDeclaration` (``mesokit.analysis``): what an analysis needs.

Versions: documents of mesokit-schema 1.x read as they are (keeping their
version); 0.4.x documents are migrated to 1.0.0 in memory (their fields did
not change); 2.x documents are refused with `manifestkit.SchemaVersionError`.

Hashes: `manifestkit.content_hash` is the library's RFC 8785 hash;
`mesokit_content_hash` reproduces mesokit-schema's own ``content_hash()``, and
`check_chain` / `verify_chain` accept either in provenance chains.

Beside the manifests: `check_signals` / `verify_signals` (does a dataset have
the columns an analysis needs?), BIDS path helpers (`bids_session_dir`,
`bids_datatype_dir`, `bids_stream_filename`, `parse_entities`) and discovery
across a tree of sessions (`iter_sessions`, `find_files`, `glob_files`).
"""

from ._bids import (
    DEFAULT_ROOT_DIRS,
    ENTITY_PATTERN,
    BidsEntities,
    bids_datatype_dir,
    bids_session_dir,
    bids_stream_filename,
    parse_entities,
)
from ._chain import ChainLink, ChainReport, LinkStatus, check_chain, verify_chain
from ._discovery import FileRef, MissingManifestError, find_files, glob_files, iter_sessions
from ._legacy import mesokit_content_hash
from ._legacy import stored_hash as mesokit_stored_hash
from ._models import (
    MANIFEST_PATTERNS,
    SCHEMA_VERSION,
    AcquisitionManifest,
    AnalysisDeclaration,
    ClockSource,
    ColumnSpec,
    DataqueuePayloadSchema,
    DatasetManifest,
    InputRef,
    ParamSpec,
    ProcessingManifest,
    ProducerEntry,
    SessionIdentity,
    SidecarEntry,
    SourceVersion,
    TimeBasis,
)
from ._signals import SignalReport, check_signals, verify_signals

__all__ = [
    "DEFAULT_ROOT_DIRS",
    "ENTITY_PATTERN",
    "MANIFEST_PATTERNS",
    "SCHEMA_VERSION",
    "AcquisitionManifest",
    "AnalysisDeclaration",
    "BidsEntities",
    "ChainLink",
    "ChainReport",
    "ClockSource",
    "ColumnSpec",
    "DataqueuePayloadSchema",
    "DatasetManifest",
    "FileRef",
    "InputRef",
    "LinkStatus",
    "MissingManifestError",
    "ParamSpec",
    "ProcessingManifest",
    "ProducerEntry",
    "SessionIdentity",
    "SidecarEntry",
    "SignalReport",
    "SourceVersion",
    "TimeBasis",
    "bids_datatype_dir",
    "bids_session_dir",
    "bids_stream_filename",
    "check_chain",
    "check_signals",
    "find_files",
    "glob_files",
    "iter_sessions",
    "mesokit_content_hash",
    "mesokit_stored_hash",
    "parse_entities",
    "verify_chain",
    "verify_signals",
]
