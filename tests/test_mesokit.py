"""The mesokit pack's manifests against the real mesokit-schema 1.1.0 (the oracle).

Files written by either library are read by the other, equal in every field;
versions 0.4, 1.x and 2.x are handled as the issue asks; every mistake is
reported with its path.
"""

from __future__ import annotations

import importlib.metadata
import json
import pathlib
from datetime import datetime, timezone
from typing import Any

import attrs
import mesokit_schema as ms
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit.schemas import mesokit as mks
from strategies import json_values
from strategies.mesokit import KINDS, documents, fewer

DATA = pathlib.Path(__file__).parent / "data" / "mesokit"

OURS: dict[str, type[Any]] = {
    "acquisition": mks.AcquisitionManifest,
    "processing": mks.ProcessingManifest,
    "dataset": mks.DatasetManifest,
    "analysis": mks.AnalysisDeclaration,
}
ORACLE: dict[str, Any] = {
    "acquisition": ms.AcquisitionManifest,
    "processing": ms.ProcessingManifest,
    "dataset": ms.DatasetManifest,
    "analysis": ms.AnalysisDeclaration,
}
PAIRS: list[tuple[type[Any], Any]] = [
    (getattr(mks, name), getattr(ms, name))
    for name in (
        "TimeBasis",
        "SessionIdentity",
        "DataqueuePayloadSchema",
        "SidecarEntry",
        "ProducerEntry",
        "AcquisitionManifest",
        "InputRef",
        "ProcessingManifest",
        "SourceVersion",
        "DatasetManifest",
        "ColumnSpec",
        "ParamSpec",
        "AnalysisDeclaration",
    )
]


def _same(a: Any, b: Any) -> None:
    """Equal in every field, date-time offsets included (== alone compares instants)."""
    assert a == b
    assert mk.canonical_json(a) == mk.canonical_json(b)


# ------------------------------------------------------------ the classes


@pytest.mark.parametrize(("ours", "oracle"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_fields_names_order_and_defaults_match_mesokit_schema(ours: type, oracle: Any) -> None:
    fields = [a for a in attrs.fields(ours) if not a.name.startswith("_")]
    assert [a.name for a in fields] == list(oracle.model_fields)
    for a in fields:
        info = oracle.model_fields[a.name]
        assert (a.default is attrs.NOTHING) == info.is_required(), a.name
        if info.is_required():
            continue
        theirs = info.default_factory() if info.default_factory else info.default
        factory = getattr(a.default, "factory", None)
        default = factory() if factory is not None else a.default
        assert (list(default) if isinstance(default, tuple) else default) == theirs, a.name


def test_the_documents_are_registered_under_their_schema_names() -> None:
    assert {name: mk.get_schema(f"mesokit.{name}") for name in OURS} == OURS
    eps = importlib.metadata.entry_points(group="manifestkit.schemas")
    assert [ep.value for ep in eps if ep.name == "mesokit"] == ["manifestkit.schemas.mesokit"]
    assert mks.SCHEMA_VERSION == ms.SCHEMA_VERSION == "1.1.0"


def test_the_public_names_are_exactly_all() -> None:
    public = {n for n in dir(mks) if not n.startswith("_")}
    assert public == set(mks.__all__)
    # Everything mesokit-schema exports has a counterpart of the same name.
    assert set(ms.__all__) <= set(mks.__all__)


def test_sequences_given_as_lists_are_stored_as_tuples() -> None:
    ds = mks.DatasetManifest(
        datakit_version="1",
        built_at=datetime(2026, 5, 14, 10, tzinfo=timezone.utc),
        data_file="data.parquet",
        data_content_hash="0" * 64,
        time_basis=mks.TimeBasis(clock_source="derived"),
        columns=[["wheel", "speed"]],  # type: ignore[arg-type]
        index_levels=["Subject"],  # type: ignore[arg-type]
    )
    assert ds.columns == (("wheel", "speed"),)
    assert ds.index_levels == ("Subject",)
    assert mk.to_dict(ds)["columns"] == [["wheel", "speed"]]


def test_free_form_bags_take_any_json_value_and_blocks_refuse_unknown_keys() -> None:
    free = {"nested": [1, 2.5, None, {"deep": True}], "": "empty key"}
    p = mks.ProducerEntry(
        device_id="a",
        device_type="b",
        data_type="c",
        file_type="csv",
        output_path="x.csv",
        time_basis=mks.TimeBasis(clock_source="derived"),
        calibration=free,
    )
    assert mk.to_dict(p)["calibration"] == free
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"clock_source": "derived", "note": 1}, mks.TimeBasis)
    assert str(info.value) == "invalid TimeBasis: note: unknown field"


# ------------------------------------------------- round trips with the oracle


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_files_written_by_mesokit_schema_read_equal_and_write_back_identical(
    kind: str, data: st.DataObject
) -> None:
    doc = data.draw(documents(kind))
    theirs = ORACLE[kind].model_validate(doc)
    written = theirs.model_dump_json(indent=2)
    ours = mk.loads(written, OURS[kind])
    _same(ours, mk.from_dict(doc, OURS[kind]))
    assert mk.dumps(ours) == mk.dumps(mk.from_dict(doc, OURS[kind]))
    back = ORACLE[kind].model_validate_json(mk.dumps(ours))
    assert back == theirs
    assert back.model_dump_json(indent=2) == written
    if hasattr(theirs, "content_hash"):
        assert mks.mesokit_content_hash(ours) == theirs.content_hash()


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_files_written_by_manifestkit_read_equal_in_mesokit_schema_and_back(
    kind: str, data: st.DataObject
) -> None:
    ours = mk.from_dict(data.draw(documents(kind)), OURS[kind])
    written = mk.dumps(ours)
    theirs = ORACLE[kind].model_validate_json(written)
    assert theirs == ORACLE[kind].model_validate(mk.to_dict(ours))
    again = mk.loads(theirs.model_dump_json(), OURS[kind])
    _same(again, ours)
    assert mk.dumps(again) == written


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_toml_round_trips_keep_both_hashes(kind: str, data: st.DataObject) -> None:
    ours = mk.from_dict(data.draw(documents(kind, nulls=False)), OURS[kind])
    again = mk.loads(mk.dumps(ours, "toml"), OURS[kind], "toml")
    _same(again, ours)
    assert mk.content_hash(again) == mk.content_hash(ours)
    theirs = ORACLE[kind].model_validate_json(mk.dumps(ours))
    if hasattr(theirs, "content_hash"):
        assert mks.mesokit_content_hash(again) == theirs.content_hash()


@pytest.mark.parametrize("kind", ["acquisition", "processing", "dataset"])
@fewer(0.25)
@given(data=st.data())
def test_a_file_written_by_either_library_is_detected_without_naming_the_schema(
    kind: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    doc = data.draw(documents(kind))
    folder = tmp_path_factory.mktemp("detect")
    theirs = ORACLE[kind].model_validate(doc)
    (folder / "a.json").write_text(theirs.model_dump_json(indent=2), encoding="utf-8")
    mk.write(mk.from_dict(doc, OURS[kind]), folder / "b.json")
    found: list[Any] = [mk.read(folder / "a.json"), mk.read(folder / "b.json")]
    assert [type(x) for x in found] == [OURS[kind], OURS[kind]]


# ------------------------------------------------------------------ versions


@pytest.mark.parametrize("kind", ["acquisition", "processing", "dataset"])
@fewer(0.5)
@given(data=st.data())
def test_a_0_4_document_reads_as_1_0_0_with_every_other_field_unchanged(
    kind: str, data: st.DataObject
) -> None:
    doc = ORACLE[kind].model_validate(data.draw(documents(kind))).model_dump(mode="json")
    old = {**doc, "schema_version": "0.4.0"}
    migrated = mk.from_dict(old, OURS[kind])
    assert migrated.schema_version == "1.0.0"
    _same(migrated, mk.from_dict({**doc, "schema_version": "1.0.0"}, OURS[kind]))
    assert old["schema_version"] == "0.4.0"  # the input is not changed


@pytest.mark.parametrize("version", ["1.0.0", "1.1.0", "1.1", "1.0.7"])
def test_a_1_x_document_keeps_its_own_version(version: str) -> None:
    path = DATA / "tree" / "data" / "sub-001" / "ses-1" / "manifest.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["schema_version"] = version
    m = mk.from_dict(doc, mks.AcquisitionManifest)
    assert m.schema_version == version
    assert mk.to_dict(m)["schema_version"] == version


def test_a_newer_minor_keeps_the_fields_it_added_and_writes_them_back() -> None:
    doc = {
        "schema_version": "1.4.0",
        "datakit_version": "1",
        "built_at": "2026-05-14T11:00:00Z",
        "data_file": "data.parquet",
        "data_content_hash": "0" * 64,
        "time_basis": {"clock_source": "derived", "drift_ppm": 3.5},
        "row_count": 10,
    }
    m = mk.from_dict(doc, mks.DatasetManifest)
    assert mk.unknown_fields(m) == {"row_count": 10}
    assert mk.unknown_fields(m.time_basis) == {"drift_ppm": 3.5}
    assert json.loads(mk.dumps(m)) == doc


def test_an_unknown_field_in_a_known_version_is_refused_naming_it() -> None:
    doc = {
        "schema_version": "1.1.0",
        "datakit_version": "1",
        "built_at": "2026-05-14T11:00:00Z",
        "data_file": "data.parquet",
        "data_content_hash": "0" * 64,
        "time_basis": {"clock_source": "derived"},
        "colums": [],
    }
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, mks.DatasetManifest)
    assert (
        str(info.value) == "invalid DatasetManifest: colums: unknown field; did you mean 'columns'?"
    )


# -------------------------------------------------------------- golden files

INVALID = json.loads((DATA / "invalid_documents.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", INVALID, ids=[c["about"] for c in INVALID])
def test_invalid_documents_report_every_problem_word_for_word(case: dict[str, Any]) -> None:
    cls = mk.get_schema(case["schema"])
    if "version_error" in case:
        with pytest.raises(mk.SchemaVersionError) as version_info:
            mk.from_dict(case["document"], cls)
        assert str(version_info.value) == case["version_error"]
        return
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(case["document"], cls)
    assert info.value.title == case["title"]
    assert info.value.errors == [tuple(e) for e in case["errors"]]


GOLDEN = json.loads((DATA / "golden_hashes.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", GOLDEN, ids=[c["file"] for c in GOLDEN])
def test_the_sample_manifests_hash_as_pinned(case: dict[str, Any]) -> None:
    path = DATA / "tree" / case["file"]
    m = mk.read(path, mks.AcquisitionManifest)
    assert m.schema_version == case["schema_version_read"]
    assert mk.content_hash(m) == case["manifestkit_hash"]
    assert ms.AcquisitionManifest.read(path).content_hash() == case["mesokit_schema_hash"]


def test_the_toml_sidecar_is_pinned_byte_for_byte() -> None:
    m: Any = mk.read(DATA / "tree" / "data" / "sub-001" / "ses-1" / "manifest.json")
    assert type(m) is mks.AcquisitionManifest
    assert mk.dumps(m, "toml") == (DATA / "acquisition.toml").read_bytes()
    from_toml: Any = mk.read(DATA / "acquisition.toml")
    _same(from_toml, m)
    assert mks.mesokit_content_hash(from_toml) == GOLDEN[0]["mesokit_schema_hash"]


# ------------------------------------------------------------------ hostile input


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _leaves(v, (*path, i))
    return found


@pytest.mark.parametrize("kind", KINDS)
@fewer(0.5)
@given(data=st.data())
def test_any_corrupted_document_fails_only_with_a_manifest_error(
    kind: str, data: st.DataObject
) -> None:
    doc: Any = ORACLE[kind].model_validate(data.draw(documents(kind))).model_dump(mode="json")
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_leaves(doc)))
        value = data.draw(json_values(4))
        if not where:
            doc = value
            continue
        parent = doc
        for step in where[:-1]:
            parent = parent[step]
        parent[where[-1]] = value
    result: Any = None
    try:
        result = mk.from_dict(doc, OURS[kind])
    except (mk.ValidationError, mk.SchemaVersionError) as exc:
        problem = str(exc)
    else:
        problem = ""
    if problem:
        assert problem.startswith(("invalid ", f"mesokit.{kind} version"))
        return
    assert type(result) is OURS[kind]
    assert mk.from_dict(mk.to_dict(result), OURS[kind]) == result
