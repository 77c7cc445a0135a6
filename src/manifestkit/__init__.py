"""manifestkit: typed, versioned, hashable manifests for experiment pipelines.

Manifests are attrs classes; one converter turns them into plain data;
formats turn plain data into bytes (JSON, TOML, plug-ins); every hash is
sha256 over RFC 8785 canonical JSON, so it is the same from JSON or TOML, on
every supported Python, and any language can recompute it.
"""

import typing as _typing

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
from ._io import atomic_writer, detect_schema, dumps, from_dict, loads, read, to_dict, write
from ._model import SchemaInfo, block, field, manifest, replace, schema_info, unknown_fields
from ._registry import get_schema, registered_schemas
from ._types import UnionTag
from ._values import Limits
from ._versioning import migrate, migration, register_migration

if _typing.TYPE_CHECKING:
    from ._integrity import SealResult, VerifyResult, hash_file, seal, verify
    from ._jsonschema import json_schema
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
    from ._sidecar import SidecarCheck, check_sidecar, read_sidecar, sidecar_path, write_sidecar

# The parts a program that only reads and writes manifests never needs are imported
# on first use (PEP 562): folder integrity (concurrent.futures, the checksum files),
# provenance capture (subprocess, platform), sidecars and JSON Schema.
_LAZY = {
    **dict.fromkeys(["SealResult", "VerifyResult", "hash_file", "seal", "verify"], "_integrity"),
    "json_schema": "_jsonschema",
    "resolve_inside": "_paths",
    **dict.fromkeys(
        [
            "NOT_INSTALLED",
            "GitState",
            "Interpreter",
            "Provenance",
            "capture_git",
            "capture_git_or_none",
            "capture_git_sha",
            "capture_git_sha_or_none",
            "capture_host",
            "capture_interpreter",
            "capture_packages",
            "capture_platform",
            "capture_provenance",
            "check_utc",
            "utc_now",
        ],
        "_provenance",
    ),
    **dict.fromkeys(
        ["SidecarCheck", "check_sidecar", "read_sidecar", "sidecar_path", "write_sidecar"],
        "_sidecar",
    ),
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # noqa: PLC0415 - only for the lazily imported parts

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
