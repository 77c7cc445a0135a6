"""Discovery over the sample session tree, against mesokit-schema 1.1.0's own.

The tree (tests/data/mesokit/tree, written by mesokit-schema): sub-001/ses-1
is complete; sub-001/ses-2 has files but no manifest; sub-002/ses-1 holds a
0.4.0 manifest and a per-task one, both with Windows separators; sub-003/ses-1
did not complete.
"""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import shutil
from typing import Any

import mesokit_schema as ms
import pytest

import manifestkit as mk
from manifestkit.schemas import mesokit as mks

SAMPLE = pathlib.Path(__file__).parent / "data" / "mesokit" / "tree"


@pytest.fixture
def tree(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the sample tree (tests change it)."""
    shutil.copytree(SAMPLE, tmp_path / "lab")
    return (tmp_path / "lab").resolve()


@pytest.fixture
def complete(tree: pathlib.Path) -> pathlib.Path:
    """The sample tree without its session that has no manifest."""
    shutil.rmtree(tree / "data" / "sub-001" / "ses-2")
    return tree


def _ours(ref: mks.FileRef) -> dict[str, Any]:
    fields = mk.to_dict(ref, include_defaults=True)
    fields["time_basis"] = (
        None if ref.time_basis is None else mk.to_dict(ref.time_basis, include_defaults=True)
    )
    for key in ("path", "metadata_path", "session_dir", "manifest_path"):
        value = getattr(ref, key)
        fields[key] = None if value is None else pathlib.Path(value)
    fields["sidecars"] = {k: pathlib.Path(v) for k, v in ref.sidecars.items()}
    fields["from_manifest"] = ref.from_manifest
    return fields


def _theirs(ref: Any) -> dict[str, Any]:
    fields: dict[str, Any] = ref.model_dump()
    fields["time_basis"] = (
        None if ref.time_basis is None else ref.time_basis.model_dump(mode="json")
    )
    fields["from_manifest"] = ref.from_manifest
    return fields


FILTERS: list[dict[str, Any]] = [
    {},
    {"subject": "001"},
    {"subject": ["001", "002"], "datatype": "func"},
    {"file_type": "csv"},
    {"task": "runB"},
    {"device_id": "meso", "require_complete": False},
    {"data_type": ["wheel"], "session": "1"},
    {"session": "2"},
    {"datatype": "anat"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[json.dumps(f) for f in FILTERS])
def test_find_files_returns_what_mesokit_schema_returns(
    complete: pathlib.Path, filters: dict[str, Any]
) -> None:
    # Oddities both skip or read once: a file named like a session folder, and a
    # manifest whose name fits two of the patterns.
    (complete / "data" / "sub-001" / "ses-3").write_bytes(b"not a folder")
    shutil.copy(
        complete / "data" / "sub-003" / "ses-1" / "manifest.json",
        complete / "data" / "sub-003" / "ses-1" / "manifest_task-runA_manifest.json",
    )
    ours = mks.find_files(complete, **filters)
    theirs = ms.find_files(complete, **filters)
    assert [_ours(r) for r in ours] == [_theirs(r) for r in theirs]


def test_declared_paths_resolve_with_either_separator(complete: pathlib.Path) -> None:
    refs = mks.find_files(complete, subject="002")
    assert [(r.task, r.path.relative_to(complete).as_posix()) for r in refs] == [
        ("runA", "data/sub-002/ses-1/func/251116_090000_sub-002_ses-1_task-runA_meso.ome.tiff"),
        ("runB", "data/sub-002/ses-1/beh/251116_090000_sub-002_ses-1_task-runB_wheel.csv"),
    ]
    assert all(r.path.is_file() for r in refs)
    assert refs[0].sidecars == {"mask": complete / "data/sub-002/ses-1/func/mask.npy"}
    assert refs[0].metadata_path is not None
    assert refs[0].metadata_path.is_file()
    # The 0.4.0 manifest's hash is the one mesokit-schema records for the file as stored.
    assert (
        refs[0].manifest_hash == ms.AcquisitionManifest.read(refs[0].manifest_path).content_hash()
    )


def test_every_session_without_a_manifest_is_named_in_one_error(tree: pathlib.Path) -> None:
    (tree / "data" / "sub-004" / "ses-9").mkdir(parents=True)
    with pytest.raises(mks.MissingManifestError) as info:
        mks.find_files(tree)
    with pytest.raises(ms.MissingManifestError) as oracle:
        ms.find_files(tree)
    missing = [tree / "data/sub-001/ses-2", tree / "data/sub-004/ses-9"]
    assert info.value.session_dirs == oracle.value.session_dirs == missing
    assert str(info.value) == (
        "[Errno 2] found no acquisition manifest in 2 session folders:\n"
        f"  {missing[0]}\n  {missing[1]}\n"
        "Write their manifests, or match files by name with glob_files()."
    )
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, mk.ManifestError)
    again = pickle.loads(pickle.dumps(info.value))
    assert (type(again), again.session_dirs, str(again)) == (
        mks.MissingManifestError,
        missing,
        str(info.value),
    )


def test_iter_sessions_yields_every_manifest_before_naming_the_missing(tree: pathlib.Path) -> None:
    seen: list[tuple[pathlib.Path, str]] = []
    sessions = mks.iter_sessions(tree)
    with pytest.raises(mks.MissingManifestError) as info:
        seen.extend((path, manifest.schema_version) for path, manifest in sessions)
    theirs: list[pathlib.Path] = []
    oracle = ms.iter_sessions(tree)
    with pytest.raises(ms.MissingManifestError):
        theirs.extend(path for path, _ in oracle)
    assert [p for p, _ in seen] == theirs
    assert [(p.relative_to(tree).as_posix(), v) for p, v in seen] == [
        ("data/sub-001/ses-1/manifest.json", "1.1.0"),
        ("data/sub-002/ses-1/manifest.json", "1.0.0"),
        ("data/sub-002/ses-1/manifest_task-runB.json", "1.1.0"),
        ("data/sub-003/ses-1/manifest.json", "1.1.0"),
    ]
    assert str(info.value).startswith(
        "[Errno 2] found no acquisition manifest in 1 session folder:"
    )


def test_a_tree_without_a_data_folder_is_a_file_not_found_error(tmp_path: pathlib.Path) -> None:
    for call in (lambda: list(mks.iter_sessions(tmp_path)), lambda: mks.glob_files(tmp_path, "x")):
        with pytest.raises(mk.ManifestIOError) as info:
            call()
        assert isinstance(info.value, FileNotFoundError)
        assert str(info.value) == (
            f"[Errno 2] cannot list sessions: there is no data folder: '{tmp_path / 'data'}'"
        )


def _tamper(tree: pathlib.Path, change: dict[str, Any], sidecar: str | None = None) -> pathlib.Path:
    path = tree / "data" / "sub-001" / "ses-1" / "manifest.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["producers"][1].update(change)
    if sidecar is not None:
        doc["producers"][1]["sidecars"] = [{"path": sidecar, "role": "mask"}]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_declared_path_that_leaves_its_session_is_refused(complete: pathlib.Path) -> None:
    manifest = _tamper(
        complete, {"output_path": "..\\..\\..\\secrets.csv", "metadata_path": "C:\\x"}, "/etc/x"
    )
    with pytest.raises(mk.ValidationError) as info:
        mks.find_files(complete)
    assert info.value.title == f"{manifest}: unsafe path"
    assert info.value.errors == [
        ("producers[1].output_path", 'path "..\\..\\..\\secrets.csv" climbs out of its root'),
        (
            "producers[1].metadata_path",
            'path "C:\\x" names a Windows drive; expected a path relative to its root',
        ),
        (
            "producers[1].sidecars[0].path",
            'path "/etc/x" is absolute; expected a path relative to its root',
        ),
    ]
    # Filters that do not select the producer never resolve its paths.
    assert [r.device_id for r in mks.find_files(complete, device_id="meso", subject="001")] == [
        "meso"
    ]


def test_a_declared_path_through_a_symlink_out_of_the_session_is_refused(
    complete: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, complete / "data" / "sub-001" / "ses-1" / "escape")
    _tamper(complete, {"output_path": "escape/wheel.csv"})
    with pytest.raises(mk.ValidationError) as info:
        mks.find_files(complete, device_id="wheel")
    assert info.value.errors == [
        (
            "producers[1].output_path",
            'path "escape/wheel.csv" leads through a symbolic link out of its root',
        )
    ]


GLOBS: list[tuple[str, dict[str, Any]]] = [
    ("_wheel.csv", {}),
    ("_meso.ome.tiff", {"subject": "002"}),
    (".csv", {"datatype": "beh", "session": "2"}),
    ("_wheel.csv", {"task": "runB"}),
    ("mask.npy", {}),
    ("_meso.ome.tiff", {"datatype": ["func"], "subject": ["001", "003"]}),
    ("_wheel.csv", {"datatype": "func"}),
]


@pytest.mark.parametrize(("suffix", "filters"), GLOBS, ids=[f"{s} {f}" for s, f in GLOBS])
def test_glob_files_returns_what_mesokit_schema_returns(
    tree: pathlib.Path, suffix: str, filters: dict[str, Any]
) -> None:
    (tree / "data" / "sub-001" / "ses-1" / "func" / "old_wheel.csv").mkdir()  # a folder: skipped
    ours = mks.glob_files(tree, suffix, **filters)
    theirs = ms.glob_files(tree, suffix, **filters)
    assert [_ours(r) for r in ours] == [_theirs(r) for r in theirs]
    assert all(not r.from_manifest for r in ours)


def test_glob_files_matches_the_suffix_literally_and_refuses_separators(tree: pathlib.Path) -> None:
    assert mks.glob_files(tree, "*.csv") == []
    with pytest.raises(mk.ValidationError) as info:
        mks.glob_files(tree, "../x.csv")
    assert str(info.value) == (
        "invalid file name suffix: suffix: '../x.csv' contains a path separator or NUL; "
        "expected a name ending"
    )


def test_a_matching_file_outside_any_session_folder_is_an_error(tree: pathlib.Path) -> None:
    stray = tree / "data" / "sub-001" / "sub-001_ses-1_extra_wheel.csv"
    stray.write_bytes(b"x")
    with pytest.raises(mk.ValidationError) as info:
        mks.glob_files(tree, "_extra_wheel.csv")
    assert str(info.value) == (
        f"cannot place a matching file: (document): {stray} is not inside a sub-*/ses-* "
        "session folder"
    )
    assert mks.glob_files(tree, "_extra_wheel.csv", subject="002") == []


def test_a_suffix_that_is_not_a_string_is_refused(tmp_path: pathlib.Path) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mks.glob_files(tmp_path, 5)  # type: ignore[arg-type]
    assert info.value.errors == [("suffix", "expected a name ending such as '.tif', found 5")]
