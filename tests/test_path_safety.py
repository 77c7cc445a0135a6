"""Path safety at every place a manifest names a file, for every kind of unsafe path.

Each place the library follows a path from a document is tried with each kind
of path that would lead out of its root: ``..`` segments (with either
separator), absolute and UNC paths, Windows drive letters (``C:\\x``, ``C:/x``,
``c:x``), NUL bytes, and symbolic links to a folder or a file outside. Every
one is refused with a `ManifestError` that names the field (or the checksum
line) and the path, and the file outside is never opened:

- mesokit discovery: a producer's ``output_path``, ``metadata_path`` and
  ``sidecars[].path``;
- mesokit provenance chains: a processing stage's ``inputs[].path``, a
  dataset's ``data_file``;
- bundles: the files the manifest names (cameras, data shape) and the names a
  hand-edited ``manifest.sha256`` lists, on verify;
- BIDS folders built from a manifest's labels.

A sidecar's ``[sidecar] file`` is for people and never followed: checking a
sidecar hashes the data file the caller names, whatever the header says.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import manifestkit as mk
from manifestkit.schemas import bundle
from manifestkit.schemas import mesokit as mks

SECRET = b"outside the root"
WHEN = datetime(2026, 5, 14, 10, 0, tzinfo=timezone.utc)
HASH = "0" * 64
CHECKSUMS = "manifest.sha256"


def _climbs(path: str) -> str:
    return f"path {path} climbs out of its root"


def _absolute(path: str) -> str:
    return f"path {path} is absolute; expected a path relative to its root"


def _drive(path: str) -> str:
    return f"path {path} names a Windows drive; expected a path relative to its root"


def _link(path: str) -> str:
    return f"path {path} leads through a symbolic link out of its root"


# (stored path, the problem the library must report), the path shown as in messages.
UNSAFE: list[tuple[str, str]] = [
    ("../secret.bin", _climbs('"../secret.bin"')),
    ("a/../../secret.bin", _climbs('"a/../../secret.bin"')),
    ("..\\secret.bin", _climbs('"..\\secret.bin"')),
    ("/etc/passwd", _absolute('"/etc/passwd"')),
    ("\\\\host\\share\\x", _absolute('"\\\\host\\share\\x"')),
    ("C:\\x", _drive('"C:\\x"')),
    ("C:/x", _drive('"C:/x"')),
    ("c:x", _drive('"c:x"')),
    ("a\x00b", 'path "a\\u0000b" contains a NUL byte'),
    ("out/secret.bin", _link('"out/secret.bin"')),  # through a link to a folder outside
    ("secret-link.bin", _link('"secret-link.bin"')),  # a link to a file outside
]
IDS = ["climbs", "climbs-inside", "climbs-backslash", "absolute", "unc", "drive-backslash"]
IDS += ["drive-slash", "drive-relative", "nul", "link-to-folder", "link-to-file"]
LINKS = {"out/secret.bin", "secret-link.bin"}


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.bin").write_bytes(SECRET)
    return outside


def _links(root: Path, outside: Path) -> None:
    """Symbolic links in ``root`` to a folder and a file outside it."""
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "secret-link.bin").symlink_to(outside / "secret.bin")


# ------------------------------------------------------------------ mesokit


def _acquisition_tree(tmp_path: Path, producer: dict[str, Any]) -> tuple[Path, Path]:
    """A tree with one complete session whose one producer is ``producer``."""
    session = tmp_path / "lab" / "data" / "sub-01" / "ses-1"
    session.mkdir(parents=True)
    doc = {
        "schema_version": "1.1.0",
        "mesofield_version": "0.9",
        "acquisition_complete": True,
        "started_at": "2026-05-14T10:00:00Z",
        "session": {"subject": "01", "session": "1"},
        "producers": [
            {
                "device_id": "cam0",
                "device_type": "camera",
                "data_type": "frames",
                "file_type": "tiff",
                "output_path": "func/cam0.tiff",
                "time_basis": {"clock_source": "hardware_ttl"},
                **producer,
            }
        ],
    }
    (session / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    return tmp_path / "lab", session


DISCOVERY: dict[str, Callable[[str], dict[str, Any]]] = {
    "producers[0].output_path": lambda p: {"output_path": p},
    "producers[0].metadata_path": lambda p: {"metadata_path": p},
    "producers[0].sidecars[0].path": lambda p: {"sidecars": [{"path": p, "role": "mask"}]},
}


@pytest.mark.parametrize("field", list(DISCOVERY))
@pytest.mark.parametrize(("unsafe", "problem"), UNSAFE, ids=IDS)
def test_discovery_refuses_a_declared_path_that_leaves_its_session(
    tmp_path: Path, field: str, unsafe: str, problem: str
) -> None:
    root, session = _acquisition_tree(tmp_path, DISCOVERY[field](unsafe))
    _links(session, _outside(tmp_path))
    with pytest.raises(mk.ValidationError) as info:
        mks.find_files(root)
    assert info.value.errors == [(field, problem)]
    assert info.value.title == f"{session.resolve() / 'manifest.json'}: unsafe path"


def _processing(unsafe: str) -> tuple[mks.ProcessingManifest, str, str]:
    doc = {
        "tool_name": "t",
        "tool_version": "1",
        "tool_invocation": "t",
        "built_at": "2026-05-14T10:00:00Z",
        "inputs": [{"path": unsafe, "content_hash": HASH}],
    }
    return mk.from_dict(doc, mks.ProcessingManifest), "inputs[0].content_hash", "inputs[0].path"


def _dataset(unsafe: str) -> tuple[mks.DatasetManifest, str, str]:
    doc = {
        "datakit_version": "1",
        "built_at": "2026-05-14T10:00:00Z",
        "data_file": unsafe,
        "data_content_hash": HASH,
        "time_basis": {"clock_source": "derived"},
    }
    return mk.from_dict(doc, mks.DatasetManifest), "data_content_hash", "data_file"


CHAINS: dict[str, Callable[[str], tuple[Any, str, str]]] = {
    "processing": _processing,
    "dataset": _dataset,
}


@pytest.mark.parametrize("kind", list(CHAINS))
@pytest.mark.parametrize(("unsafe", "problem"), UNSAFE, ids=IDS)
def test_chain_verification_refuses_a_recorded_path_that_leaves_its_root(
    tmp_path: Path, kind: str, unsafe: str, problem: str
) -> None:
    root = tmp_path / "session"
    root.mkdir()
    _links(root, _outside(tmp_path))
    manifest, link_field, path_field = CHAINS[kind](unsafe)
    link = mks.check_chain(manifest, root=root).links[1]
    assert (link.field, link.status, link.message) == (
        link_field,
        "unsafe",
        f"{path_field}: {problem}",
    )
    assert link.computed == ()  # never hashed
    with pytest.raises(mk.IntegrityError) as info:
        mks.verify_chain(manifest, root=root)
    assert info.value.problems == [(link_field, f"{path_field}: {problem}")]


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("..", '".." is not a folder name; expected one name'),
        (".", '"." is not a folder name; expected one name'),
        ("", '"" is not a folder name; expected one name'),
        ("C:", '"C:" names a Windows drive; expected one name'),
        ("c:x", '"c:x" names a Windows drive; expected one name'),
        ("a/b", '"a/b" contains a path separator or NUL; expected one name'),
        ("a\\b", '"a\\\\b" contains a path separator or NUL; expected one name'),
        ("a\x00b", '"a\\u0000b" contains a path separator or NUL; expected one name'),
    ],
)
def test_a_bids_datatype_that_is_not_one_folder_name_is_refused(label: str, problem: str) -> None:
    # A producer's bids_type names the folder its files live in, below the session's.
    with pytest.raises(mk.ValidationError) as info:
        mks.bids_datatype_dir("/lab", "01", "1", label)
    assert info.value.errors == [("datatype", problem)]
    assert mks.bids_datatype_dir("/lab", "01", "1", "func") == Path("/lab/data/sub-01/ses-1/func")


# ------------------------------------------------------------------ bundles


def _camera(**paths: str) -> bundle.Camera:
    fields: dict[str, Any] = {"output_path": "video/cam0.mkv", **paths}
    return bundle.Camera(name="cam0", adapter="sim", kind="mono", **fields)


ARTIFACTS: dict[str, Callable[[str], dict[str, Any]]] = {
    "cameras[0].output_path": lambda p: {"cameras": (_camera(output_path=p),)},
    "cameras[0].frames_path": lambda p: {"cameras": (_camera(frames_path=p),)},
    "cameras[0].meta_path": lambda p: {"cameras": (_camera(meta_path=p),)},
    "data_shape.channel_samples.path": lambda p: {
        "data_shape": bundle.DataShape(
            channel_samples=bundle.ChannelSamples(path=p, layout="block")
        )
    },
    "data_shape.device_records[0].path": lambda p: {
        "data_shape": bundle.DataShape(
            device_records=(bundle.DeviceRecords(adapter="scale", path=p, layout="block"),)
        )
    },
}


@pytest.mark.parametrize("field", list(ARTIFACTS))
@pytest.mark.parametrize(("unsafe", "problem"), UNSAFE, ids=IDS)
def test_a_bundle_refuses_an_artifact_path_that_leaves_it(
    tmp_path: Path, field: str, unsafe: str, problem: str
) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    _links(folder, _outside(tmp_path))
    manifest = bundle.BundleManifest(
        run_id="r", started_utc=WHEN, started_mono_ns_anchor=0, **ARTIFACTS[field](unsafe)
    )
    with pytest.raises(mk.ValidationError) as info:
        bundle.artifact_paths(manifest, folder)
    assert info.value.errors == [(field, problem)]
    # Written and read back, the manifest names the same path: reading is not refusing.
    mk.write(manifest, folder / bundle.MANIFEST_FILE)
    with pytest.raises(mk.ValidationError) as again:
        bundle.artifact_paths(bundle.BundleWriter.attach(folder).manifest, folder)
    assert again.value.errors == info.value.errors


def _sealed(tmp_path: Path) -> bundle.BundleWriter:
    writer = bundle.BundleWriter.open(tmp_path / "bundle", run_id="r", started_mono_ns_anchor=0)
    (writer.folder / "a.bin").write_bytes(b"a")
    writer.finalize("completed")
    writer.seal()
    return writer


@pytest.mark.parametrize(("unsafe", "problem"), UNSAFE, ids=IDS)
def test_verify_refuses_a_hand_edited_checksum_line_that_leaves_the_bundle(
    tmp_path: Path, unsafe: str, problem: str
) -> None:
    writer = _sealed(tmp_path)
    checksums = writer.folder / CHECKSUMS
    line = f"{mk.hash_file(_outside(tmp_path) / 'secret.bin')}  {unsafe}\n"
    with checksums.open("ab") as f:
        f.write(line.encode("utf-8"))
    _links(writer.folder, tmp_path / "outside")
    if unsafe in LINKS:
        # A link is refused by name where it stands, and nothing is read through it.
        result = writer.verify()
        assert dict(result.refused) == {
            "out": "is a symbolic link; a sealed folder holds only regular files",
            "secret-link.bin": "is a symbolic link; a sealed folder holds only regular files",
        }
        assert unsafe not in result.corrupted
        assert writer.manifest.bundle_status == "verification_failed"
        with pytest.raises(mk.IntegrityError) as failed:
            result.raise_if_failed()
        assert ("secret-link.bin", dict(result.refused)["secret-link.bin"]) in (
            failed.value.problems
        )
        return
    with pytest.raises(mk.FormatError) as info:
        writer.verify()
    assert str(info.value) == f"invalid SHA256SUM ({checksums}; line 2): {problem}"
    # The bundle is left as it was: still sealed, and sealing again is refused by status.
    assert bundle.BundleWriter.attach(writer.folder).manifest.bundle_status == "sealed"


def test_sealing_refuses_links_and_never_writes_through_them(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    writer = bundle.BundleWriter.open(tmp_path / "bundle", run_id="r", started_mono_ns_anchor=0)
    _links(writer.folder, outside)
    writer.finalize("completed")
    with pytest.raises(mk.IntegrityError) as info:
        writer.seal()
    assert info.value.problems == [
        ("out", "is a symbolic link; a sealed folder holds only regular files"),
        ("secret-link.bin", "is a symbolic link; a sealed folder holds only regular files"),
    ]
    # A checksum file that is a link to a file outside is refused too, never written through.
    for link in ("out", "secret-link.bin"):
        (writer.folder / link).unlink()
    (writer.folder / CHECKSUMS).symlink_to(outside / "secret.bin")
    with pytest.raises(mk.IntegrityError) as info:
        writer.seal()
    assert info.value.problems == [
        (CHECKSUMS, "is a symbolic link; a sealed folder holds only regular files")
    ]
    assert (outside / "secret.bin").read_bytes() == SECRET
    assert writer.manifest.bundle_status == "finalized_unverified"


# ------------------------------------------------------------------ sidecars


@pytest.mark.parametrize(("unsafe", "problem"), UNSAFE, ids=IDS)
def test_a_sidecars_file_name_is_never_followed(tmp_path: Path, unsafe: str, problem: str) -> None:
    del problem  # nothing is refused: the name is not a path the library opens
    outside = _outside(tmp_path)
    folder = tmp_path / "session"
    folder.mkdir()
    _links(folder, outside)
    data = folder / "recording.bin"
    data.write_bytes(b"frames")
    sidecar = mk.write_sidecar(mks.AnalysisDeclaration(name="a", version="1"), data, "json")
    doc = json.loads(sidecar.read_text(encoding="utf-8"))
    doc["sidecar"]["file"] = unsafe
    sidecar.write_text(json.dumps(doc), encoding="utf-8")
    check = mk.check_sidecar(data)
    assert (check.ok, check.sha256) == (True, mk.hash_file(data))
    assert check.data_path == data
    assert os.path.samefile(check.sidecar_path, sidecar)
