"""Seed policies, run budgets, provenance metadata, and the enums that label runs."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import manifestkit as mk

from ._legacy import argument_problems, sha256_hex

__all__ = [
    "SEED_MODULUS",
    "ConstraintSeverity",
    "ObservationLevel",
    "ProvenanceMetadata",
    "RunBudget",
    "RunStatus",
    "SeedPolicy",
]

SEED_MODULUS = 2**31 - 1
"""Derived seeds are taken modulo this prime, so they fit a signed 32-bit integer."""


class _TextEnum(str, enum.Enum):
    """An enum whose members are their text, in `str()` and f-strings too."""

    def __str__(self) -> str:
        return str(self.value)


class ConstraintSeverity(_TextEnum):
    """How much an admissibility constraint matters."""

    ERROR = "error"
    WARNING = "warning"


class RunStatus(_TextEnum):
    """Where one run is in its life."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"


class ObservationLevel(_TextEnum):
    """How coarse an observation is: a whole study down to one tool call."""

    STUDY = "study"
    RUN = "run"
    TRIAL = "trial"
    STEP = "step"
    TOOL_CALL = "tool-call"
    EVALUATION = "evaluation"


# ------------------------------------------------------------------ run plans


@mk.block
class SeedPolicy:
    """How each run's seed is derived from the study's.

    Attributes:
        base_seed: The study-wide base seed.
        strategy: The derivation strategy's name.
        per_run_offset: An offset mixed into every run's seed.
    """

    base_seed: int = 0
    strategy: str = "condition_replicate"
    per_run_offset: int = 9973

    def derive_seed(self, study_id: str, condition_id: str, replicate: int, salt: str = "") -> int:
        """Return the seed of one run, the same one the study tool derived.

        The sha256 of `legacy_json` over {base_seed, strategy,
        per_run_offset, study_id, condition_id, replicate, salt}, its first
        16 hex digits read as an integer, modulo 2**31 - 1.

        >>> SeedPolicy().derive_seed("study-a", "baseline", 0)
        629980577

        Raises:
            ValidationError: An argument has the wrong type (a bool is not a
                replicate number).
        """
        errors = argument_problems(
            [
                ("study_id", study_id, str),
                ("condition_id", condition_id, str),
                ("replicate", replicate, int),
                ("salt", salt, str),
            ]
        )
        if errors:
            raise mk.ValidationError(errors, title="invalid seed arguments")
        payload = {
            "base_seed": self.base_seed,
            "strategy": self.strategy,
            "per_run_offset": self.per_run_offset,
            "study_id": study_id,
            "condition_id": condition_id,
            "replicate": replicate,
            "salt": salt,
        }
        return int(sha256_hex(payload)[:16], 16) % SEED_MODULUS


def _at_least_one(value: int) -> str | None:
    return None if value >= 1 else f"must be at least 1, found {value}"


def _none_or_at_least_one(value: int | None) -> str | None:
    return None if value is None else _at_least_one(value)


@mk.block
class RunBudget:
    """How many runs a study may make, and how.

    Attributes:
        replicates: Runs per condition; at least 1.
        max_runs: An upper bound on the number of runs, or None for no bound;
            at least 1 when given.
        parallelism: Runs at once on this machine; at least 1.
        fail_fast: Stop at the first failed run.
    """

    replicates: int = mk.field(default=1, check=_at_least_one)
    max_runs: int | None = mk.field(default=None, check=_none_or_at_least_one)
    parallelism: int = mk.field(default=1, check=_at_least_one)
    fail_fast: bool = False


# ----------------------------------------------------------------- provenance

_GIT_SHA = re.compile(r"(?:[0-9a-f]{40}|[0-9a-f]{64})\Z")


def _check_captured_at(value: datetime) -> str | None:
    why = mk.check_utc(value)
    if why is None and value.microsecond:
        why = f"expected a time in whole seconds, found {value.isoformat()}"
    return why


def _check_git_sha(value: str | None) -> str | None:
    if value is None or _GIT_SHA.match(value):
        return None
    return f"expected a commit id of 40 or 64 lower-case hex digits, found {value!r}"


@mk.manifest("study.provenance")
class ProvenanceMetadata:
    """What a study records about the machine and code that ran it.

    Attributes:
        captured_at: When it was captured: UTC, whole seconds.
        host: The host name.
        platform: The platform string.
        python_version: The Python version number, e.g. ``"3.12.4"``.
        package_versions: Versions by distribution name (``"not-installed"``
            for a missing one).
        git_sha: The checked-out commit, or None outside a git repository.
        extra: Anything else the caller records (free-form).
    """

    captured_at: datetime = mk.field(check=_check_captured_at)
    host: str
    platform: str
    python_version: str
    package_versions: dict[str, str] = mk.field(factory=dict)
    git_sha: str | None = mk.field(default=None, check=_check_git_sha)
    extra: dict[str, Any] = mk.field(factory=dict)

    @classmethod
    def capture(
        cls,
        package_names: Iterable[str] = (),
        *,
        cwd: str | os.PathLike[str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ProvenanceMetadata:
        """Capture the running process's provenance.

        Args:
            package_names: Distributions whose versions to record.
            cwd: The folder whose git commit is recorded (default: the current one).
            extra: Anything else to record.
        """
        return cls(
            captured_at=mk.utc_now(microseconds=False),
            host=mk.capture_host(),
            platform=mk.capture_platform(),
            python_version=mk.capture_interpreter().version,
            package_versions=mk.capture_packages(package_names),
            git_sha=mk.capture_git_sha_or_none(cwd),
            extra=dict(extra or {}),
        )
