"""The bundle pack: its manifest, versions, status legality and life cycle."""

from __future__ import annotations

import importlib.metadata
import itertools
import json
import os
import pickle
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import manifestkit as mk
from manifestkit.schemas import bundle
from manifestkit.schemas.bundle import (
    BUNDLE_STATUSES,
    RUN_STATUSES,
    BundleManifest,
    BundleSchemaError,
    BundleWriter,
    Camera,
    DataShape,
    DeviceRecords,
    SinkHealth,
    is_legal_finalize_combination,
)
from strategies import json_objects
from strategies.bundle import bundle_manifests

DATA = Path(__file__).parent / "data" / "bundle"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _holds_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return any(_holds_null(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_null(v) for v in value.values())
    return False


def _sha256sum_check(folder: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["sha256sum", "-c", "--strict", "manifest.sha256"],
        cwd=folder,
        capture_output=True,
        check=False,
    )


# ------------------------------------------------------------- registration


def test_the_pack_is_registered_and_detected(tmp_path: Path) -> None:
    points = importlib.metadata.entry_points(group="manifestkit.schemas")
    assert {ep.name: ep.value for ep in points}["bundle"] == "manifestkit.schemas.bundle"
    assert mk.get_schema("bundle.manifest") is BundleManifest
    info = mk.schema_info(BundleManifest)
    assert (info.name, info.version, info.version_field, info.unknown, info.filenames) == (
        "bundle.manifest",
        2,
        "bundle_schema_version",
        "forbid",
        ("manifest.json",),
    )
    path = tmp_path / "manifest.json"
    path.write_bytes((DATA / "v2_full.json").read_bytes())
    assert type(mk.read(path)) is BundleManifest


# ------------------------------------------------------------ golden files


def test_a_full_version_2_document_reads_and_writes_as_pinned(tmp_path: Path) -> None:
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["v2_full.json"]
    m = mk.read(DATA / "v2_full.json", BundleManifest)
    assert mk.content_hash(m) == expected["content_hash"]
    assert mk.dumps(m) == (DATA / expected["written"]).read_bytes()
    assert mk.read(DATA / expected["written"], BundleManifest) == m
    # The blocks the acquisition software extends keep their extra keys.
    assert mk.unknown_fields(m.sample) == {
        "initial_mass_g": 4.812,
        "form": "disk",
        "holder": "ceramic-2",
        "conditioning": {"hours": 48, "rh_percent": 50},
    }
    assert mk.unknown_fields(m.queue_health["scalars"]) == {"batches": 1204}
    assert mk.unknown_fields(m.operator) == {"badge": "L-114"}
    assert m.software is not None
    assert (m.software.version, m.software.git_dirty) == ("0.4.2", True)
    assert mk.to_dict(m)["capa"]["engine_version"] == "engine-2026-02-20"
    assert [c.name for c in m.cameras if c.recorded] == ["top"]
    assert m.data_shape.channel_samples is not None
    assert m.data_shape.channel_samples.layout == "normalized_long"


def test_a_version_1_document_is_migrated_in_memory_only() -> None:
    path = DATA / "v1.json"
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["v1.json"]
    m = mk.read(path, BundleManifest)
    assert (m.bundle_schema_version, m.recording, m.cameras) == (2, None, ())
    assert mk.content_hash(m) == expected["content_hash"]
    assert mk.dumps(m) == (DATA / expected["written"]).read_bytes()
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    plain = json.loads(path.read_bytes())
    assert mk.migrate(plain, BundleManifest) == {**plain, "bundle_schema_version": 2}
    assert mk.read(path) == m  # detected by its keys too


def test_version_3_is_refused_with_the_pack_error() -> None:
    message = "bundle.manifest version 3 is newer than this library reads (supported: 1, 2)"
    readers: list[Callable[[], object]] = [
        lambda: mk.read(DATA / "v3.json"),  # detected even though it has keys v2 lacks
        lambda: mk.read(DATA / "v3.json", BundleManifest),
        lambda: mk.from_dict({"bundle_schema_version": 3}, BundleManifest),
    ]
    for read in readers:
        with pytest.raises(BundleSchemaError) as info:
            read()
        assert isinstance(info.value, mk.SchemaVersionError)
        assert str(info.value) == message
        assert (info.value.found, info.value.supported) == (3, ("1", "2"))
        again = pickle.loads(pickle.dumps(info.value))
        assert (type(again), str(again)) == (BundleSchemaError, message)
    with pytest.raises(BundleSchemaError) as info:
        mk.from_dict({"bundle_schema_version": 0}, BundleManifest)
    assert str(info.value) == (
        "bundle.manifest version 0 cannot be migrated: no migration is registered for it "
        "(supported: 1, 2)"
    )


CASES = json.loads((DATA / "invalid_documents.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["about"] for c in CASES])
def test_invalid_documents_report_every_problem_as_pinned(case: dict[str, Any]) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(case["document"], BundleManifest)
    assert [list(e) for e in info.value.errors] == case["errors"]


# ---------------------------------------------------------- "for all" rules


@given(bundle_manifests())
def test_json_round_trip_is_lossless(m: BundleManifest) -> None:
    again = mk.loads(mk.dumps(m), BundleManifest)
    assert again == m
    assert mk.content_hash(again) == mk.content_hash(m)


@given(bundle_manifests(free=json_objects().filter(lambda d: not _holds_null(d))))
def test_toml_round_trip_is_lossless_or_refused_naming_the_field(m: BundleManifest) -> None:
    if _holds_null(mk.to_dict(m)):
        with pytest.raises(mk.ValidationError) as info:
            mk.dumps(m, "toml")
        assert all(message.startswith("TOML cannot hold null") for _, message in info.value.errors)
        return
    again = mk.loads(mk.dumps(m, "toml"), BundleManifest, "toml")
    assert again == m
    assert mk.content_hash(again) == mk.content_hash(m)


@pytest.mark.parametrize(
    ("run_status", "bundle_status"), list(itertools.product(RUN_STATUSES, BUNDLE_STATUSES))
)
def test_status_legality_for_every_pair(run_status: Any, bundle_status: Any) -> None:
    legal = run_status != "running" or bundle_status == "open"
    assert is_legal_finalize_combination(run_status, bundle_status) is legal
    build = {
        "run_id": "r",
        "started_utc": T0,
        "started_mono_ns_anchor": 0,
        "run_status": run_status,
        "bundle_status": bundle_status,
    }
    if legal:
        assert BundleManifest(**build).bundle_status == bundle_status
        return
    with pytest.raises(mk.ValidationError) as info:
        BundleManifest(**build)
    assert info.value.errors == [
        ("bundle_status", f'must be "open" while run_status is "running", found "{bundle_status}"')
    ]
    with pytest.raises(mk.ValidationError):  # nor can it be read
        mk.from_dict({**build, "started_utc": "2026-03-02T09:00:00Z"}, BundleManifest)


def test_unknown_statuses_are_named() -> None:
    with pytest.raises(mk.ValidationError) as info:
        is_legal_finalize_combination("paused", "closed")
    assert info.value.errors == [
        (
            "run_status",
            'expected one of "running", "completed", "aborted", "crashed", found "paused"',
        ),
        (
            "bundle_status",
            (
                'expected one of "open", "finalizing", "finalized_unverified", "sealed", '
                '"verification_failed", found "closed"'
            ),
        ),
    ]


# -------------------------------------------------------------- life cycle


def _fill(folder: Path) -> None:
    (folder / "scalars.parquet").write_bytes(b"S" * 5000)
    (folder / "device_records").mkdir()
    (folder / "device_records" / "oven.parquet").write_bytes(b"O" * 300)
    (folder / "video").mkdir()
    (folder / "video" / "top 1%.mkv").write_bytes(b"V" * 7000)


def _on_disk(folder: Path) -> BundleManifest:
    return mk.read(folder / "manifest.json", BundleManifest)


def test_open_finalize_seal_verify(tmp_path: Path) -> None:
    folder = tmp_path / "run-0007"
    writer = BundleWriter.open(folder, started_utc=T0, started_mono_ns_anchor=42, tags=["ptfe"])
    opened = _on_disk(folder)
    assert (opened.run_id, opened.run_status, opened.bundle_status) == (
        "run-0007",
        "running",
        "open",
    )
    assert (opened.started_utc, opened.started_mono_ns_anchor, opened.tags) == (T0, 42, ("ptfe",))
    assert opened.python == bundle.PythonInfo.current()
    assert opened.integrity == bundle.Integrity()
    _fill(folder)
    camera = Camera(name="top", adapter="uvc", kind="visible", output_path="video/top 1%.mkv")
    record = DeviceRecords(adapter="oven", path="device_records/oven.parquet", layout="long_row")
    writer.update(cameras=[camera], data_shape=DataShape(device_records=(record,)))
    assert _on_disk(folder).cameras == (camera,)
    end = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    writer.finalize(
        "completed",
        exit_reason="completed",
        ended_utc=end,
        dropped_samples={"daq.ch3": 2},
        queue_health={
            "scalars": SinkHealth(
                depth_p50=1, depth_p99=2, depth_max=3, lag_s_max=0.1, write_bytes_total=5000
            )
        },
    )
    final = _on_disk(folder)
    assert (final.run_status, final.bundle_status, final.exit_reason, final.ended_utc) == (
        "completed",
        "finalized_unverified",
        "completed",
        end,
    )
    assert final.dropped_samples == {"daq.ch3": 2}
    sealed = writer.seal(workers=2)
    assert _on_disk(folder) == sealed == writer.manifest
    assert sealed.bundle_status == "sealed"
    assert (sealed.integrity.status, sealed.integrity.algorithm) == ("ok", "sha256")
    assert (sealed.integrity.file_count, sealed.integrity.total_bytes) == (3, 12300)
    assert sealed.integrity.sealed_utc is not None
    listing = (folder / "manifest.sha256").read_text(encoding="utf-8")
    assert [line.split("  ", 1)[1] for line in listing.splitlines()] == [
        "device_records/oven.parquet",
        "scalars.parquet",
        "video/top 1%.mkv",
    ]
    assert _sha256sum_check(folder).returncode == 0
    before = (folder / "manifest.json").read_bytes()
    result = writer.verify()
    assert (result.ok, result.status, result.complete) == (True, "ok", True)
    assert (folder / "manifest.json").read_bytes() == before  # a clean check writes nothing
    assert bundle.artifact_paths(sealed, folder) == {
        "data_shape.device_records[0].path": folder / "device_records" / "oven.parquet",
        "cameras[0].output_path": folder / "video" / "top 1%.mkv",
    }


def test_begin_finalize_records_the_end_before_the_sinks_flush(tmp_path: Path) -> None:
    writer = BundleWriter.open(tmp_path / "b")
    end = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    writer.begin_finalize("crashed", exit_reason="power_loss", ended_utc=end)
    on_disk = _on_disk(tmp_path / "b")
    assert (on_disk.run_status, on_disk.bundle_status, on_disk.ended_utc) == (
        "crashed",
        "finalizing",
        end,
    )
    writer.update(custom={"recovered": True})
    done = writer.finalize()
    assert (done.run_status, done.bundle_status, done.exit_reason, done.ended_utc) == (
        "crashed",
        "finalized_unverified",
        "power_loss",
        end,
    )
    assert writer.seal().bundle_status == "sealed"  # a crashed run can still seal


def _sealed(tmp_path: Path) -> BundleWriter:
    folder = tmp_path / "b"
    writer = BundleWriter.open(folder)
    _fill(folder)
    writer.finalize("completed")
    writer.seal()
    return writer


def test_a_failed_verification_is_recorded_and_names_every_file(tmp_path: Path) -> None:
    writer = _sealed(tmp_path)
    folder = writer.folder
    (folder / "scalars.parquet").write_bytes(b"S" * 4999 + b"X")  # same size, one byte flipped
    (folder / "device_records" / "oven.parquet").write_bytes(b"O" * 100)  # truncated
    (folder / "video" / "top 1%.mkv").unlink()
    (folder / "notes.txt").write_text("added later")
    before = (folder / "manifest.json").read_bytes()
    quiet = writer.verify(record=False)
    assert (folder / "manifest.json").read_bytes() == before
    result = writer.verify()
    assert quiet == result
    assert result.lines() == [
        ".: expected 3 files (12300 bytes), found 3 files (5111 bytes)",
        "device_records/oven.parquet: content differs from its checksum in manifest.sha256",
        "notes.txt: not listed in manifest.sha256",
        "scalars.parquet: content differs from its checksum in manifest.sha256",
        "video/top 1%.mkv: missing",
    ]
    failed = _on_disk(folder)
    assert (failed.bundle_status, failed.integrity.status) == ("verification_failed", "mismatch")
    assert failed.integrity.file_count == 3  # the seal's summary is kept


def test_missing_files_only_make_a_partial_bundle_and_a_repair_restores_the_seal(
    tmp_path: Path,
) -> None:
    writer = _sealed(tmp_path)
    kept = (writer.folder / "scalars.parquet").read_bytes()
    (writer.folder / "scalars.parquet").unlink()
    assert writer.verify().status == "partial"
    assert (_on_disk(writer.folder).bundle_status, _on_disk(writer.folder).integrity.status) == (
        "verification_failed",
        "partial",
    )
    (writer.folder / "scalars.parquet").write_bytes(kept)
    assert writer.verify().ok
    again = _on_disk(writer.folder)
    assert (again.bundle_status, again.integrity.status) == ("sealed", "ok")


def test_the_seal_refuses_links_naming_them(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    writer = BundleWriter.open(folder)
    (tmp_path / "outside.bin").write_bytes(b"secret")
    (folder / "data.bin").symlink_to(tmp_path / "outside.bin")
    writer.finalize("completed")
    with pytest.raises(mk.IntegrityError) as info:
        writer.seal()
    assert info.value.problems == [
        ("data.bin", "is a symbolic link; a sealed folder holds only regular files")
    ]
    assert _on_disk(folder).bundle_status == "finalized_unverified"
    assert not (folder / "manifest.sha256").exists()


@pytest.mark.parametrize(
    ("steps", "message", "title"),
    [
        (["seal"], 'expected "finalized_unverified" to seal, found "open"', "cannot seal"),
        (
            ["verify"],
            'expected "sealed" or "verification_failed" to verify, found "open"',
            "cannot verify",
        ),
        (
            ["finalize", "finalize"],
            'expected "open" or "finalizing" to finalize, found "finalized_unverified"',
            "cannot finalize",
        ),
        (
            ["finalize", "begin"],
            'expected "open" to begin finalizing, found "finalized_unverified"',
            "cannot begin finalizing",
        ),
        (
            ["finalize", "seal", "update"],
            'expected "open", "finalizing" or "finalized_unverified" to update, found "sealed"',
            "cannot update",
        ),
    ],
)
def test_steps_out_of_order_are_refused(
    tmp_path: Path, steps: list[str], message: str, title: str
) -> None:
    writer = BundleWriter.open(tmp_path / "b")
    actions: dict[str, Callable[[], object]] = {
        "seal": writer.seal,
        "verify": writer.verify,
        "finalize": lambda: writer.finalize("completed"),
        "begin": lambda: writer.begin_finalize("completed"),
        "update": lambda: writer.update(tags=["late"]),
    }
    for step in steps[:-1]:
        actions[step]()
    before = (writer.path).read_bytes()
    with pytest.raises(mk.ValidationError) as info:
        actions[steps[-1]]()
    assert info.value.errors == [("bundle_status", message)]
    assert info.value.title == f"{writer.path}: {title}"
    assert writer.path.read_bytes() == before


def test_a_running_run_cannot_be_finalized(tmp_path: Path) -> None:
    writer = BundleWriter.open(tmp_path / "b")
    before = writer.path.read_bytes()
    with pytest.raises(mk.ValidationError) as info:
        writer.finalize("running")
    assert info.value.errors == [
        (
            "bundle_status",
            'must be "open" while run_status is "running", found "finalized_unverified"',
        )
    ]
    assert writer.path.read_bytes() == before
    assert writer.manifest.bundle_status == "open"


def test_life_cycle_fields_and_unknown_names_are_refused(tmp_path: Path) -> None:
    writer = BundleWriter.open(tmp_path / "b")
    with pytest.raises(mk.ValidationError) as info:
        writer.update(bundle_status="sealed", cameras_=[], integrity=bundle.Integrity())
    assert info.value.errors == [
        ("cameras_", "unknown field"),
        ("bundle_status", "is set by the bundle's life cycle (open, finalize, seal, verify)"),
        ("integrity", "is set by the bundle's life cycle (open, finalize, seal, verify)"),
    ]
    with pytest.raises(mk.ValidationError) as info:
        BundleWriter.open(tmp_path / "c", run_status="completed")
    assert info.value.errors == [
        ("run_status", "is set by the bundle's life cycle (open, finalize, seal, verify)")
    ]
    assert not (tmp_path / "c" / "manifest.json").exists()


def test_a_bundle_is_opened_once(tmp_path: Path) -> None:
    BundleWriter.open(tmp_path / "b")
    with pytest.raises(FileExistsError) as info:
        BundleWriter.open(tmp_path / "b")
    assert isinstance(info.value, mk.ManifestIOError)
    assert str(info.value) == (
        f"[Errno 17] cannot open a bundle: a bundle manifest is already there: "
        f"'{tmp_path / 'b' / 'manifest.json'}'"
    )


def test_attach_takes_over_a_bundle_on_disk(tmp_path: Path) -> None:
    writer = BundleWriter.open(tmp_path / "b", run_id="custom-id")
    again = BundleWriter.attach(tmp_path / "b")
    assert again.manifest == writer.manifest
    assert again.manifest.run_id == "custom-id"
    assert repr(again) == f"BundleWriter({str(tmp_path / 'b')!r}, bundle_status='open')"
    with pytest.raises(FileNotFoundError):
        BundleWriter.attach(tmp_path / "none")


def test_is_bundle(tmp_path: Path) -> None:
    assert not bundle.is_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text("not json")
    assert not bundle.is_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text('{"schema_version": "1.0"}')
    assert not bundle.is_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text('{"bundle_schema_version": 2}')
    assert bundle.is_bundle(tmp_path)


def test_artifact_paths_refuse_paths_that_leave_the_bundle(tmp_path: Path) -> None:
    m = BundleManifest(
        run_id="r",
        started_utc=T0,
        started_mono_ns_anchor=0,
        data_shape=DataShape(
            channel_samples=bundle.ChannelSamples(path="../scalars.parquet", layout="block")
        ),
        cameras=(
            Camera(
                name="a",
                adapter="x",
                kind="visible",
                output_path="/abs.mkv",
                frames_path="ok.parquet",
            ),
            Camera(
                name="b",
                adapter="x",
                kind="visible",
                output_path="../not-recorded.mkv",  # never written: not a file of the bundle
                output_path_external="D:\\elsewhere\\b.mkv",
                recorded=False,
                suppressed_reason="recording_policy",
            ),
        ),
    )
    with pytest.raises(mk.ValidationError) as info:
        bundle.artifact_paths(m, tmp_path)
    assert info.value.errors == [
        ("data_shape.channel_samples.path", 'path "../scalars.parquet" climbs out of its root'),
        (
            "cameras[0].output_path",
            'path "/abs.mkv" is absolute; expected a path relative to its root',
        ),
    ]


# ------------------------------------------------------- crash at any point

_CRASHING_CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from manifestkit.schemas.bundle import BundleWriter

    folder, crash_at, after = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "after"
    real_replace, calls = os.replace, [0]

    def replace(src, dst):
        calls[0] += 1
        if calls[0] == crash_at and not after:
            os._exit(9)  # killed after the temp file was written, before the rename
        real_replace(src, dst)
        if calls[0] == crash_at:
            os._exit(9)  # killed right after the rename

    os.replace = replace
    writer = BundleWriter.open(folder)
    (folder / "data.bin").write_bytes(b"d" * 1000)
    writer.update(tags=["filled"])
    writer.finalize("completed")
    writer.seal()
    (folder / "data.bin").write_bytes(b"e" * 1000)
    writer.verify()
    print("finished")
    """
)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_crash_at_any_write_leaves_a_readable_manifest(tmp_path: Path, when: str) -> None:
    # Writes: open, update, finalize, manifest.sha256, seal, verify = 6 renames.
    for crash_at in range(1, 8):
        folder = tmp_path / f"{when}-{crash_at}"
        done = subprocess.run(
            [sys.executable, "-c", _CRASHING_CHILD, str(folder), str(crash_at), when],
            capture_output=True,
            text=True,
            check=False,
        )
        if crash_at == 7:
            assert (done.returncode, done.stdout) == (0, "finished\n")
            assert _on_disk(folder).bundle_status == "verification_failed"
            continue
        assert done.returncode == 9, done.stderr
        leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".mk-tmp")]
        assert len(leftovers) <= 1  # a killed writer may leave its temp file, never half a manifest
        if not (folder / "manifest.json").exists():
            assert (crash_at, when) == (1, "before")
            continue
        on_disk = _on_disk(folder)  # always a whole, valid manifest
        writer = BundleWriter.attach(folder)
        # The run can always be taken further from where it stopped.
        if on_disk.bundle_status == "open":
            writer.finalize("crashed", exit_reason="writer_killed")
        if writer.manifest.bundle_status == "finalized_unverified":
            writer.seal()
        writer.verify()
        assert writer.manifest.bundle_status in ("sealed", "verification_failed")
        assert [p.name for p in folder.iterdir() if p.name.endswith(".mk-tmp")] == []


# ------------------------------------------------------------ command line


def test_cli_seals_a_bundle_through_its_life_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from manifestkit._cli import main

    folder = tmp_path / "b"
    writer = BundleWriter.open(folder)
    _fill(folder)
    assert main(["seal", str(folder)]) == 1  # still open
    assert capsys.readouterr().err == (
        f"manifestkit: {folder / 'manifest.json'}: cannot seal: "
        'bundle_status: expected "finalized_unverified" to seal, found "open"\n'
    )
    writer.finalize("completed")
    assert main(["seal", str(folder)]) == 0
    assert (
        capsys.readouterr().out
        == f"sealed {folder}: 3 files, 12300 bytes, listed in manifest.sha256\n"
    )
    sealed = _on_disk(folder)
    assert (sealed.bundle_status, sealed.integrity.file_count) == ("sealed", 3)
    assert _sha256sum_check(folder).returncode == 0
    (folder / "scalars.parquet").write_bytes(b"changed")
    before = (folder / "manifest.json").read_bytes()
    assert main(["verify", str(folder)]) == 1
    assert capsys.readouterr().out == (
        ".: expected 3 files (12300 bytes), found 3 files (7307 bytes)\n"
        "scalars.parquet: content differs from its checksum in manifest.sha256\n"
    )
    assert (folder / "manifest.json").read_bytes() == before  # read-only by default
    assert main(["verify", "--record", str(folder)]) == 1
    capsys.readouterr()
    assert _on_disk(folder).bundle_status == "verification_failed"


def test_a_manifest_linked_from_outside_the_bundle_is_not_read(tmp_path: Path) -> None:
    BundleWriter.open(tmp_path / "elsewhere")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "manifest.json").symlink_to(tmp_path / "elsewhere" / "manifest.json")
    with pytest.raises(mk.ValidationError) as info:
        BundleWriter.attach(tmp_path / "b")
    assert info.value.errors == [
        ("manifest.json", 'path "manifest.json" leads through a symbolic link out of its root')
    ]


def test_a_writer_of_something_that_is_not_a_bundle_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(mk.ValidationError) as info:
        bundle.BundleWriter(tmp_path, {"bundle_status": "open"})  # type: ignore[arg-type]
    assert info.value.errors == [
        ("manifest", "expected a BundleManifest, found a value of type dict")
    ]
