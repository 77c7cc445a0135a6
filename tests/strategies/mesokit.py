"""Hypothesis strategies for the mesokit pack: plain documents both libraries accept.

Documents are plain dicts (date-times as datetime objects), so the same draw
builds a mesokit-schema (pydantic) model and a manifestkit instance. Fields
with a default are sometimes left out and sometimes written, as
mesokit-schema writes them, with their default value or null.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from strategies import FINITE_FLOATS, INT64, KEYS, TEXT, json_objects, rfc3339_datetimes

CLOCKS = ("wall_unix_s", "micromanager_core", "monotonic_s", "hardware_ttl", "derived")
VERSIONS = st.sampled_from(["1.1.0", "1.0.0", "1.1.3", "1.0"])
FLOATS = FINITE_FLOATS | st.integers(-(2**53), 2**53).map(float)
HEX = st.text("0123456789abcdef", min_size=64, max_size=64)


def fewer(fraction: float) -> settings:
    """The active profile's example count scaled down, for tests that write files."""
    return settings(max_examples=max(5, int(settings().max_examples * fraction)))


def _json_values_without_null(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    scalars = st.booleans() | INT64 | FINITE_FLOATS | TEXT
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def free_form(*, nulls: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """The free-form bags (extra, calibration, parameters); ``nulls=False`` suits TOML."""
    if nulls:
        return json_objects(max_leaves=8)
    return st.dictionaries(KEYS, _json_values_without_null(), max_size=4)


@st.composite
def _document(
    draw: st.DrawFn,
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
) -> dict[str, Any]:
    doc = {key: draw(s) for key, s in required.items()}
    for key, s in optional.items():
        if draw(st.booleans()):
            doc[key] = draw(s)
    order = draw(st.permutations(list(doc)))
    return {key: doc[key] for key in order}


def _maybe(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | s


def time_bases() -> st.SearchStrategy[dict[str, Any]]:
    return _document(
        {"clock_source": st.sampled_from(CLOCKS)},
        {
            "units": st.just("seconds"),
            "epoch_unix_s": _maybe(FLOATS),
            "known_offset_s": FLOATS,
            "description": _maybe(TEXT),
        },
    )


def producers(*, nulls: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    sidecar = _document(
        {"path": TEXT, "role": TEXT},
        {"schema_version": _maybe(TEXT), "description": _maybe(TEXT)},
    )
    dataqueue = _document(
        {"device_id": TEXT},
        {
            "payload_format": st.sampled_from(["scalar", "dict", "tagged_string"]),
            "payload_fields": st.dictionaries(KEYS, TEXT, max_size=3),
            "description": _maybe(TEXT),
        },
    )
    return _document(
        {
            "device_id": TEXT,
            "device_type": TEXT,
            "data_type": TEXT,
            "file_type": TEXT,
            "output_path": TEXT,
            "time_basis": time_bases(),
        },
        {
            "bids_type": _maybe(TEXT),
            "metadata_path": _maybe(TEXT),
            "sampling_rate_hz": _maybe(FLOATS),
            "calibration": free_form(nulls=nulls),
            "sidecars": st.lists(sidecar, max_size=2),
            "dataqueue_schema": _maybe(dataqueue),
        },
    )


def acquisition_documents(*, nulls: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """AcquisitionManifest documents of mesokit-schema 1.x."""
    session = _document(
        {"subject": TEXT, "session": TEXT},
        {"task": _maybe(TEXT), "experimenter": _maybe(TEXT), "protocol": _maybe(TEXT)},
    )
    return _document(
        {
            "mesofield_version": TEXT,
            "acquisition_complete": st.booleans(),
            "started_at": rfc3339_datetimes(),
            "session": session,
            "producers": st.lists(producers(nulls=nulls), max_size=3),
        },
        {
            "schema_version": VERSIONS,
            "ended_at": _maybe(rfc3339_datetimes()),
            "notes": _maybe(TEXT),
            "extra": free_form(nulls=nulls),
        },
    )


def processing_documents(*, nulls: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """ProcessingManifest documents of mesokit-schema 1.x."""
    input_ref = _document({"path": TEXT, "content_hash": HEX}, {"description": _maybe(TEXT)})
    return _document(
        {
            "tool_name": TEXT,
            "tool_version": TEXT,
            "tool_invocation": TEXT,
            "built_at": rfc3339_datetimes(),
        },
        {
            "schema_version": VERSIONS,
            "upstream_acquisition_hash": _maybe(HEX),
            "inputs": st.lists(input_ref, max_size=3),
            "parameters": free_form(nulls=nulls),
            "outputs": st.lists(producers(nulls=nulls), max_size=2),
            "extra": free_form(nulls=nulls),
        },
    )


def dataset_documents(*, nulls: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """DatasetManifest documents of mesokit-schema 1.x."""
    source_version = _document({"tag": TEXT, "version": TEXT, "parser_class": TEXT}, {})
    return _document(
        {
            "datakit_version": TEXT,
            "built_at": rfc3339_datetimes(),
            "data_file": TEXT,
            "data_content_hash": HEX,
            "time_basis": time_bases(),
        },
        {
            "schema_version": VERSIONS,
            "upstream_acquisition_hash": _maybe(HEX),
            "source_versions": st.lists(source_version, max_size=2),
            "index_levels": st.lists(TEXT, max_size=3),
            "columns": st.lists(st.lists(TEXT, min_size=2, max_size=2), max_size=4),
            "extra": free_form(nulls=nulls),
        },
    )


def column_specs() -> st.SearchStrategy[dict[str, Any]]:
    return _document(
        {"source": TEXT, "signal": TEXT},
        {"role": _maybe(TEXT), "unit": _maybe(TEXT), "required": st.booleans()},
    )


def analysis_documents(*, nulls: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """AnalysisDeclaration documents."""
    scalars = st.booleans() | INT64 | FINITE_FLOATS | TEXT
    param = _document(
        {"name": TEXT, "type": st.sampled_from(["float", "int", "str"])},
        {
            "default": (st.none() | scalars | free_form())
            if nulls
            else (scalars | free_form(nulls=False)),
            "description": _maybe(TEXT),
        },
    )
    return _document(
        {"name": TEXT, "version": TEXT},
        {
            "description": _maybe(TEXT),
            "required_signals": st.lists(column_specs(), max_size=3),
            "optional_signals": st.lists(column_specs(), max_size=3),
            "params": st.lists(param, max_size=2),
            "outputs": st.lists(TEXT, max_size=2),
        },
    )


KINDS = ("acquisition", "processing", "dataset", "analysis")


def documents(kind: str, *, nulls: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Documents of one kind: ``acquisition``, ``processing``, ``dataset`` or ``analysis``."""
    return {
        "acquisition": acquisition_documents,
        "processing": processing_documents,
        "dataset": dataset_documents,
        "analysis": analysis_documents,
    }[kind](nulls=nulls)
