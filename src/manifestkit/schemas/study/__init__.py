"""Schema pack ``study``: the primitives of studies made of many replicated runs.

Seed policies and deterministic identifiers, run budgets, provenance
metadata, observations and the enums that label them; wire-compatible with
the study tool whose seeds, identifiers and observation exports already exist.

Seeds and identifiers are hashes over this pack's *legacy* serialisation
(`legacy_json`): Python's ``json.dumps`` with sorted keys, no spaces and
ASCII escapes, after the old tool's conversion of Python values. It is kept
exactly, so every seed and identifier an existing study used comes out the
same; it is not manifestkit's RFC 8785 canonical form, which `content_hash`
uses.
"""

from ._callables import check_callable_reference, load_callable
from ._legacy import hash_identifier, legacy_json
from ._observations import OBSERVATION_COLUMNS, Observation, write_csv, write_jsonl
from ._records import (
    SEED_MODULUS,
    ConstraintSeverity,
    ObservationLevel,
    ProvenanceMetadata,
    RunBudget,
    RunStatus,
    SeedPolicy,
)

__all__ = [
    "OBSERVATION_COLUMNS",
    "SEED_MODULUS",
    "ConstraintSeverity",
    "Observation",
    "ObservationLevel",
    "ProvenanceMetadata",
    "RunBudget",
    "RunStatus",
    "SeedPolicy",
    "check_callable_reference",
    "hash_identifier",
    "legacy_json",
    "load_callable",
    "write_csv",
    "write_jsonl",
]
