"""Checking an analysis's declared inputs against a dataset, before the analysis runs.

A column is a ``(source, signal)`` pair. A signal listed in
``required_signals`` is required unless its spec says ``required=False``;
one listed in ``optional_signals`` never is. A missing required column is an
error; an absent optional one is only reported.
"""

from __future__ import annotations

import json

import manifestkit as mk

from ._models import AnalysisDeclaration, ColumnSpec, DatasetManifest

__all__ = ["SignalReport", "check_signals", "verify_signals"]


@mk.block
class SignalReport:
    """Which of an analysis's declared columns a dataset has."""

    analysis: str = mk.field(description="The analysis's name.")
    present: tuple[ColumnSpec, ...] = mk.field(default=(), description="Declared and present.")
    missing: tuple[ColumnSpec, ...] = mk.field(
        default=(), description="Required but absent: the analysis cannot run."
    )
    absent_optional: tuple[ColumnSpec, ...] = mk.field(
        default=(), description="Optional and absent: the analysis runs without them."
    )

    @property
    def ok(self) -> bool:
        """Whether every required column is present."""
        return not self.missing


def _column(spec: ColumnSpec) -> str:
    source, signal = (json.dumps(x, ensure_ascii=False) for x in (spec.source, spec.signal))
    return f"({source}, {signal})"


def _walk(
    declaration: AnalysisDeclaration, dataset: DatasetManifest
) -> tuple[SignalReport, list[tuple[str, str]]]:
    wrong = [
        (arg, f"expected {cls.__name__}, found a value of type {type(value).__name__}")
        for arg, value, cls in (
            ("declaration", declaration, AnalysisDeclaration),
            ("dataset", dataset, DatasetManifest),
        )
        if type(value) is not cls
    ]
    if wrong:
        raise mk.ValidationError(wrong, title="cannot check signals")
    have = set(dataset.columns)
    present: list[ColumnSpec] = []
    missing: list[ColumnSpec] = []
    optional: list[ColumnSpec] = []
    errors: list[tuple[str, str]] = []
    for listing, specs in (
        ("required_signals", declaration.required_signals),
        ("optional_signals", declaration.optional_signals),
    ):
        for i, spec in enumerate(specs):
            if (spec.source, spec.signal) in have:
                present.append(spec)
            elif listing == "required_signals" and spec.required:
                missing.append(spec)
                errors.append((f"{listing}[{i}]", f"the dataset has no column {_column(spec)}"))
            else:
                optional.append(spec)
    report = SignalReport(
        analysis=declaration.name,
        present=tuple(present),
        missing=tuple(missing),
        absent_optional=tuple(optional),
    )
    return report, errors


def check_signals(declaration: AnalysisDeclaration, dataset: DatasetManifest) -> SignalReport:
    """Report which declared columns the dataset has, lacks, or lacks but can do without.

    Each declared spec lands in exactly one of ``present``, ``missing`` and
    ``absent_optional``, in declaration order (required ones first).
    """
    return _walk(declaration, dataset)[0]


def verify_signals(declaration: AnalysisDeclaration, dataset: DatasetManifest) -> SignalReport:
    """Like `check_signals`, but raise when a required column is missing.

    Raises:
        ValidationError: Lists every missing required column by name, with
            its place in the declaration (``required_signals[2]``).
    """
    report, errors = _walk(declaration, dataset)
    if errors:
        raise mk.ValidationError(
            errors,
            title=f"the dataset lacks columns the analysis {declaration.name!r} requires",
        )
    return report
