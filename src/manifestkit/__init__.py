"""manifestkit: typed, versioned, hashable manifests for experiment pipelines.

Manifests are attrs classes; one converter turns them into plain data;
formats turn plain data into bytes (JSON, TOML, plug-ins); every hash is
sha256 over RFC 8785 canonical JSON, so it is the same from JSON or TOML, on
every supported Python, and any language can recompute it.
"""

from ._canonical import canonical_json, content_hash
from ._convert import Converter
from ._errors import (
    FormatError,
    IntegrityError,
    ManifestDefinitionError,
    ManifestError,
    ManifestIOError,
    SchemaVersionError,
    ValidationError,
)
from ._formats import Format, formats, get_format, register_format
from ._integrity import SealResult, VerifyResult, hash_file, seal, verify
from ._io import atomic_writer, detect_schema, dumps, from_dict, loads, read, to_dict, write
from ._jsonschema import json_schema
from ._model import SchemaInfo, block, field, manifest, replace, schema_info, unknown_fields
from ._paths import resolve_inside
from ._provenance import (
    NOT_INSTALLED,
    GitState,
    Interpreter,
    Provenance,
    capture_git,
    capture_git_or_none,
    capture_git_sha,
    capture_git_sha_or_none,
    capture_host,
    capture_interpreter,
    capture_packages,
    capture_platform,
    capture_provenance,
    check_utc,
    utc_now,
)
from ._registry import get_schema, registered_schemas
from ._sidecar import SidecarCheck, check_sidecar, read_sidecar, sidecar_path, write_sidecar
from ._types import UnionTag
from ._values import Limits
from ._versioning import migrate, migration, register_migration

__version__ = "0.1.0"

__all__ = [
    "NOT_INSTALLED",
    "Converter",
    "Format",
    "FormatError",
    "GitState",
    "IntegrityError",
    "Interpreter",
    "Limits",
    "ManifestDefinitionError",
    "ManifestError",
    "ManifestIOError",
    "Provenance",
    "SchemaInfo",
    "SchemaVersionError",
    "SealResult",
    "SidecarCheck",
    "UnionTag",
    "ValidationError",
    "VerifyResult",
    "__version__",
    "atomic_writer",
    "block",
    "canonical_json",
    "capture_git",
    "capture_git_or_none",
    "capture_git_sha",
    "capture_git_sha_or_none",
    "capture_host",
    "capture_interpreter",
    "capture_packages",
    "capture_platform",
    "capture_provenance",
    "check_sidecar",
    "check_utc",
    "content_hash",
    "detect_schema",
    "dumps",
    "field",
    "formats",
    "from_dict",
    "get_format",
    "get_schema",
    "hash_file",
    "json_schema",
    "loads",
    "manifest",
    "migrate",
    "migration",
    "read",
    "read_sidecar",
    "register_format",
    "register_migration",
    "registered_schemas",
    "replace",
    "resolve_inside",
    "schema_info",
    "seal",
    "sidecar_path",
    "to_dict",
    "unknown_fields",
    "utc_now",
    "verify",
    "write",
    "write_sidecar",
]
