"""Provenance chains (check_chain / verify_chain) and analysis inputs (check_signals / verify_signals)."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from datetime import datetime, timezone
from typing import Any

import mesokit_schema as ms
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit.schemas import mesokit as mks
from strategies.mesokit import acquisition_documents, column_specs

TREE = pathlib.Path(__file__).parent / "data" / "mesokit" / "tree" / "data"
BUILT = datetime(2026, 5, 14, 11, 0, tzinfo=timezone.utc)


def _sha256sum(path: pathlib.Path) -> str:
    """The digest as coreutils' sha256sum prints it (an independent implementation)."""
    out = subprocess.run(["sha256sum", str(path)], capture_output=True, check=True, text=True)
    return out.stdout.split()[0]


def _dataset(folder: pathlib.Path, upstream: str | None) -> Any:
    """A dataset folder written by mesokit-schema: data.parquet and its manifest."""
    (folder / "data.parquet").write_bytes(b"PAR1 table bytes PAR1")
    theirs = ms.DatasetManifest(
        datakit_version="2025.11.22",
        built_at=BUILT,
        upstream_acquisition_hash=upstream,
        data_file="data.parquet",
        data_content_hash=_sha256sum(folder / "data.parquet"),
        time_basis=ms.TimeBasis(clock_source="derived"),
        columns=[("wheel", "speed_mm")],
    )
    theirs.write(folder / "dataset_manifest.json")
    return mk.read(folder / "dataset_manifest.json", mks.DatasetManifest)


def _statuses(report: mks.ChainReport) -> list[tuple[str, str, str | None]]:
    return [(link.field, link.status, link.flavour) for link in report.links]


# ----------------------------------------------------------------- datasets


def test_a_chain_written_by_mesokit_schema_verifies(tmp_path: pathlib.Path) -> None:
    acquisition = TREE / "sub-001" / "ses-1" / "manifest.json"
    upstream = ms.AcquisitionManifest.read(acquisition).content_hash()
    ds = _dataset(tmp_path, upstream)
    report = mks.verify_chain(ds, acquisition=acquisition, root=tmp_path)
    assert report.ok
    assert _statuses(report) == [
        ("upstream_acquisition_hash", "ok", "mesokit-schema"),
        ("data_content_hash", "ok", "sha256"),
    ]
    assert [link.message for link in report.links] == [
        "matches the acquisition manifest's mesokit-schema hash",
        'matches the bytes of "data.parquet"',
    ]
    # The same with the acquisition already read.
    again = mks.check_chain(ds, acquisition=mk.read(acquisition), root=tmp_path)
    assert _statuses(again) == _statuses(report)


def test_a_chain_written_by_manifestkit_verifies_with_its_own_hash(tmp_path: pathlib.Path) -> None:
    acquisition = mk.read(TREE / "sub-001" / "ses-1" / "manifest.json", mks.AcquisitionManifest)
    ds = mk.replace(
        _dataset(tmp_path, None), upstream_acquisition_hash=mk.content_hash(acquisition)
    )
    report = mks.verify_chain(ds, acquisition=acquisition, root=tmp_path)
    assert _statuses(report)[0] == ("upstream_acquisition_hash", "ok", "manifestkit")
    assert report.links[0].computed[0] == mk.content_hash(acquisition)


def test_a_chain_mesokit_schema_0_4_wrote_verifies_against_the_file_as_stored(
    tmp_path: pathlib.Path,
) -> None:
    acquisition = TREE / "sub-002" / "ses-1" / "manifest.json"  # a 0.4.0 file
    upstream = ms.AcquisitionManifest.read(acquisition).content_hash()
    ds = _dataset(tmp_path, upstream)
    assert mks.verify_chain(ds, acquisition=acquisition, root=tmp_path).ok
    # Read (and so migrated to 1.0.0), the document is no longer the one that was hashed.
    migrated = mk.read(acquisition, mks.AcquisitionManifest)
    link = mks.check_chain(ds, acquisition=migrated).links[0]
    assert link.status == "mismatch"
    assert link.computed == (mk.content_hash(migrated), mks.mesokit_content_hash(migrated))


def test_a_changed_acquisition_breaks_the_link_and_says_which(tmp_path: pathlib.Path) -> None:
    source = TREE / "sub-001" / "ses-1" / "manifest.json"
    upstream = ms.AcquisitionManifest.read(source).content_hash()
    ds = _dataset(tmp_path, upstream)
    changed = mk.replace(mk.read(source, mks.AcquisitionManifest), notes="edited later")
    mk.write(changed, tmp_path / "manifest.json")
    ours, legacy = mk.content_hash(changed), mks.mesokit_content_hash(changed)
    with pytest.raises(mk.IntegrityError) as info:
        mks.verify_chain(ds, acquisition=tmp_path / "manifest.json", root=tmp_path)
    assert info.value.message == "the dataset manifest's provenance chain is broken at 1 link"
    assert info.value.problems == [
        (
            "upstream_acquisition_hash",
            (
                f"records {upstream[:12]}..., but the acquisition manifest hashes to "
                f"{ours[:12]}... (manifestkit) and {legacy[:12]}... (mesokit-schema)"
            ),
        )
    ]


def test_a_changed_data_file_breaks_its_link(tmp_path: pathlib.Path) -> None:
    ds = _dataset(tmp_path, None)
    (tmp_path / "data.parquet").write_bytes(b"rewritten")
    digest = _sha256sum(tmp_path / "data.parquet")
    report = mks.check_chain(ds, root=tmp_path)
    assert _statuses(report) == [
        ("upstream_acquisition_hash", "skipped", None),
        ("data_content_hash", "mismatch", None),
    ]
    assert report.links[1].message == (
        f'records {ds.data_content_hash[:12]}..., but "data.parquet" hashes to {digest[:12]}...'
    )
    assert report.links[1].computed == (digest,)
    assert report.broken == (report.links[1],)


def test_links_with_nothing_to_check_against_are_skipped_not_broken(
    tmp_path: pathlib.Path,
) -> None:
    ds = _dataset(tmp_path, "0" * 64)
    report = mks.verify_chain(ds)
    assert report.ok
    assert [(link.status, link.message) for link in report.links] == [
        ("skipped", "no acquisition manifest was given to check it against"),
        ("skipped", 'no root folder was given to find "data.parquet" in'),
    ]


def test_a_dataset_that_records_no_upstream_cannot_be_linked(tmp_path: pathlib.Path) -> None:
    ds = _dataset(tmp_path, None)
    link = mks.check_chain(ds, acquisition=TREE / "sub-001" / "ses-1" / "manifest.json").links[0]
    assert (link.status, link.message) == (
        "missing",
        "no hash is recorded, so the acquisition manifest cannot be linked",
    )


def test_only_datasets_and_processing_manifests_have_chains() -> None:
    acquisition = mk.read(TREE / "sub-001" / "ses-1" / "manifest.json", mks.AcquisitionManifest)
    with pytest.raises(mk.ValidationError) as info:
        mks.check_chain(acquisition)  # type: ignore[arg-type]
    assert str(info.value) == (
        "cannot check a provenance chain: (document): "
        "expected a DatasetManifest or a ProcessingManifest, found a value of type AcquisitionManifest"
    )


@given(acquisition_documents(), st.integers(0, 63))
def test_any_acquisition_links_by_either_hash_and_any_changed_digit_breaks_it(
    doc: dict[str, Any], position: int
) -> None:
    theirs = ms.AcquisitionManifest.model_validate(doc)
    acquisition = mk.loads(theirs.model_dump_json(), mks.AcquisitionManifest)
    for recorded, flavour in (
        (theirs.content_hash(), "mesokit-schema"),
        (mk.content_hash(acquisition), "manifestkit"),
    ):
        ds = mks.DatasetManifest(
            datakit_version="1",
            built_at=BUILT,
            upstream_acquisition_hash=recorded,
            data_file="data.parquet",
            data_content_hash="0" * 64,
            time_basis=mks.TimeBasis(clock_source="derived"),
        )
        link = mks.check_chain(ds, acquisition=acquisition).links[0]
        assert (link.status, link.flavour) == ("ok", flavour)
        digit = "1" if recorded[position] == "0" else "0"
        wrong = recorded[:position] + digit + recorded[position + 1 :]
        bad = mks.check_chain(
            mk.replace(ds, upstream_acquisition_hash=wrong), acquisition=acquisition
        )
        assert [(x.field, x.status) for x in bad.broken] == [
            ("upstream_acquisition_hash", "mismatch")
        ]


# ---------------------------------------------------------- processing stages


def _processing(session: pathlib.Path, inputs: list[tuple[str, str]]) -> mks.ProcessingManifest:
    theirs = ms.ProcessingManifest(
        tool_name="mesomap",
        tool_version="0.3.0",
        tool_invocation="mesomap register func/a.tif",
        built_at=BUILT,
        inputs=[ms.InputRef(path=p, content_hash=h) for p, h in inputs],
    )
    theirs.write(session / "mesomap.process.json")
    return mk.read(session / "mesomap.process.json", mks.ProcessingManifest)


def test_processing_inputs_are_checked_against_the_files_on_disk(tmp_path: pathlib.Path) -> None:
    (tmp_path / "func").mkdir()
    (tmp_path / "func" / "a.tif").write_bytes(b"frames")
    (tmp_path / "func" / "b.tif").write_bytes(b"more frames")
    good = _sha256sum(tmp_path / "func" / "a.tif")
    pm = _processing(
        tmp_path,
        [
            ("func\\a.tif", good.upper()),  # Windows separators; an upper-case digest
            ("func/b.tif", good),
            ("func/c.tif", good),
            ("../../etc/passwd", good),
            ("/etc/passwd", good),
        ],
    )
    report = mks.check_chain(pm, root=tmp_path)
    assert [(x.field, x.status) for x in report.links] == [
        ("upstream_acquisition_hash", "skipped"),
        ("inputs[0].content_hash", "ok"),
        ("inputs[1].content_hash", "mismatch"),
        ("inputs[2].content_hash", "missing"),
        ("inputs[3].content_hash", "unsafe"),
        ("inputs[4].content_hash", "unsafe"),
    ]
    with pytest.raises(mk.IntegrityError) as info:
        mks.verify_chain(pm, root=tmp_path)
    assert info.value.message == "the processing manifest's provenance chain is broken at 4 links"
    digest_b = _sha256sum(tmp_path / "func" / "b.tif")
    assert info.value.problems == [
        (
            "inputs[1].content_hash",
            f'records {good[:12]}..., but "func/b.tif" hashes to {digest_b[:12]}...',
        ),
        ("inputs[2].content_hash", '"func/c.tif" is not a file'),
        (
            "inputs[3].content_hash",
            'inputs[3].path: path "../../etc/passwd" climbs out of its root',
        ),
        (
            "inputs[4].content_hash",
            'inputs[4].path: path "/etc/passwd" is absolute; expected a path relative to its root',
        ),
    ]


def test_an_input_reached_through_a_symlink_out_of_the_root_is_never_opened(
    tmp_path: pathlib.Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.bin").write_bytes(b"secret")
    session = tmp_path / "session"
    session.mkdir()
    os.symlink(outside, session / "func")
    pm = _processing(session, [("func/secret.bin", _sha256sum(outside / "secret.bin"))])
    link = mks.check_chain(pm, root=session).links[1]
    assert (link.status, link.message) == (
        "unsafe",
        'inputs[0].path: path "func/secret.bin" leads through a symbolic link out of its root',
    )


def test_an_input_that_cannot_be_read_is_reported_as_such(tmp_path: pathlib.Path) -> None:
    # /proc/self/mem is a regular file whose first bytes cannot be read (EIO).
    pm = _processing(tmp_path, [("mem", "0" * 64)])
    link = mks.check_chain(pm, root="/proc/self").links[1]
    assert (link.status, link.message) == (
        "unreadable",
        '"mem" cannot be read (Input/output error)',
    )


def test_a_processing_stage_links_to_its_acquisition_too(tmp_path: pathlib.Path) -> None:
    acquisition = TREE / "sub-002" / "ses-1" / "manifest_task-runB.json"
    upstream = ms.AcquisitionManifest.read(acquisition).content_hash()
    pm = mk.replace(_processing(tmp_path, []), upstream_acquisition_hash=upstream)
    report = mks.verify_chain(pm, acquisition=acquisition, root=tmp_path)
    assert _statuses(report) == [("upstream_acquisition_hash", "ok", "mesokit-schema")]
    assert json.loads(mk.dumps(report))["links"][0]["status"] == "ok"


# ------------------------------------------------------------------ signals


def _signals_dataset(columns: list[tuple[str, str]]) -> mks.DatasetManifest:
    return mks.DatasetManifest(
        datakit_version="1",
        built_at=BUILT,
        data_file="data.parquet",
        data_content_hash="0" * 64,
        time_basis=mks.TimeBasis(clock_source="derived"),
        columns=tuple(columns),
    )


def test_missing_required_columns_are_errors_and_absent_optional_ones_are_not() -> None:
    decl = mks.AnalysisDeclaration(
        name="locomotion_bouts",
        version="0.1.0",
        required_signals=(
            mks.ColumnSpec(source="wheel", signal="speed_mm", unit="mm/s"),
            mks.ColumnSpec(source="mesomap", signal="L_VISp"),
            mks.ColumnSpec(source="pupil", signal="diameter", required=False),
            mks.ColumnSpec(source="treadmill", signal="distance"),
        ),
        optional_signals=(
            mks.ColumnSpec(source="face", signal="motion"),
            mks.ColumnSpec(source="wheel", signal="position"),
        ),
    )
    ds = _signals_dataset([("wheel", "speed_mm"), ("wheel", "position")])
    report = mks.check_signals(decl, ds)
    assert not report.ok
    assert [(c.source, c.signal) for c in report.present] == [
        ("wheel", "speed_mm"),
        ("wheel", "position"),
    ]
    assert [(c.source, c.signal) for c in report.missing] == [
        ("mesomap", "L_VISp"),
        ("treadmill", "distance"),
    ]
    assert [(c.source, c.signal) for c in report.absent_optional] == [
        ("pupil", "diameter"),
        ("face", "motion"),
    ]
    with pytest.raises(mk.ValidationError) as info:
        mks.verify_signals(decl, ds)
    assert str(info.value) == (
        "the dataset lacks columns the analysis 'locomotion_bouts' requires with 2 problems:\n"
        '  required_signals[1]: the dataset has no column ("mesomap", "L_VISp")\n'
        '  required_signals[3]: the dataset has no column ("treadmill", "distance")'
    )
    enough = _signals_dataset([("mesomap", "L_VISp"), ("treadmill", "distance"), *ds.columns])
    assert mks.verify_signals(decl, enough).ok


@given(
    st.lists(column_specs(), max_size=5),
    st.lists(column_specs(), max_size=5),
    st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("xy")), max_size=4),
)
def test_every_declared_column_lands_in_exactly_one_place(
    required: list[dict[str, Any]], optional: list[dict[str, Any]], columns: list[tuple[str, str]]
) -> None:
    decl = mk.from_dict(
        {"name": "a", "version": "1", "required_signals": required, "optional_signals": optional},
        mks.AnalysisDeclaration,
    )
    report = mks.check_signals(decl, _signals_dataset(columns))
    have = set(columns)
    specs = [*decl.required_signals, *decl.optional_signals]
    assert len(report.present) + len(report.missing) + len(report.absent_optional) == len(specs)
    assert all((c.source, c.signal) in have for c in report.present)
    expected_missing = [
        c for c in decl.required_signals if c.required and (c.source, c.signal) not in have
    ]
    assert list(report.missing) == expected_missing
    assert report.ok == (not expected_missing)


def test_checking_signals_of_the_wrong_documents_names_them() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mks.check_signals({"name": "a"}, [])  # type: ignore[arg-type]
    assert info.value.errors == [
        ("declaration", "expected AnalysisDeclaration, found a value of type dict"),
        ("dataset", "expected DatasetManifest, found a value of type list"),
    ]
    with pytest.raises(mk.ValidationError):
        mks.verify_signals(1, 2)  # type: ignore[arg-type]
