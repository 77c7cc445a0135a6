"""Sidecars: a manifest next to its data file, with the file's size and sha256 recorded."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _sidecar
from manifestkit._demo import DemoSession, sample
from models import Cache, Inner, Kitchen, Small
from strategies import kitchens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEMO_HASH = "47d1edd3b29d479b709e77cb9026674f849c1fddce934f25e4d8c99c4e4941aa"


def _data(folder: Path, name: str = "recording.ome.tiff", body: bytes = b"\x00pixels\xff") -> Path:
    path = folder / name
    path.write_bytes(body)
    return path


def _sha256sum(path: Path) -> str:
    done = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True)
    return done.stdout.split()[0]


# --------------------------------------------------------------------- naming


def test_the_sidecar_is_the_data_file_name_plus_the_format_extension(tmp_path: Path) -> None:
    data = tmp_path / "scans" / "recording.ome.tiff"
    assert mk.sidecar_path(data) == tmp_path / "scans" / "recording.ome.tiff.toml"
    assert mk.sidecar_path(data, "json") == tmp_path / "scans" / "recording.ome.tiff.json"
    assert mk.sidecar_path("data.toml") == Path("data.toml.toml")


def test_write_then_read_in_toml(tmp_path: Path) -> None:
    data = _data(tmp_path)
    path = mk.write_sidecar(sample(), data)
    assert path == tmp_path / "recording.ome.tiff.toml"
    assert mk.read_sidecar(data, DemoSession) == sample()
    assert mk.read_sidecar(data) == sample()  # the sidecar names its schema
    assert mk.content_hash(mk.read_sidecar(data)) == DEMO_HASH


def test_the_toml_sidecar_reads_as_a_person_would_want(tmp_path: Path) -> None:
    data = _data(tmp_path, "run.bin", b"abc")
    text = mk.write_sidecar(Small(title="first light", size=3), data).read_text()
    assert text == (
        "# manifestkit sidecar of run.bin: test.small, version 3\n"
        "# Edit the [manifest] table as you like: it is checked when the sidecar is read.\n"
        "# [sidecar] records the data file's size and sha256 when this file was written.\n"
        "[sidecar]\n"
        "version = 1\n"
        'schema = "test.small"\n'
        'file = "run.bin"\n'
        "size = 3\n"
        'sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"\n'
        "\n"
        "[manifest]\n"
        "version = 3\n"
        'title = "first light"\n'
        "size = 3\n"
    )


def test_the_recorded_hash_and_size_are_those_of_sha256sum_and_stat(tmp_path: Path) -> None:
    data = _data(tmp_path, body=os.urandom(3 * 1024 * 1024 + 5))
    plain = tomllib.loads(mk.write_sidecar(sample(), data).read_text())
    assert plain["sidecar"]["sha256"] == _sha256sum(data)
    assert plain["sidecar"]["size"] == data.stat().st_size


def test_the_manifest_table_is_the_manifest_file_unchanged(tmp_path: Path) -> None:
    data = _data(tmp_path)
    own = tomllib.loads(mk.dumps(sample(), "toml").decode())
    sidecar = tomllib.loads(mk.write_sidecar(sample(), data).read_text())
    assert sidecar["manifest"] == own
    as_json = orjson.loads(
        mk.write_sidecar(sample(), _data(tmp_path, "b.bin"), "json").read_bytes()
    )
    assert as_json["manifest"] == orjson.loads(mk.dumps(sample()))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kitchens(), st.sampled_from(["json", "toml"]))
def test_every_manifest_round_trips_through_a_sidecar(tmp_path: Path, k: Kitchen, fmt: str) -> None:
    data = _data(tmp_path, "k.dat")
    for old in (mk.sidecar_path(data, "json"), mk.sidecar_path(data, "toml")):
        old.unlink(missing_ok=True)
    try:
        path = mk.write_sidecar(k, data, fmt)
    except mk.ValidationError as exc:  # TOML cannot hold a null inside free-form data
        refused = exc.errors
    else:
        refused = []
    if refused:
        assert fmt == "toml"
        assert all(m.startswith("TOML cannot hold") for _, m in refused), refused
        assert all(p.startswith("manifest.") for p, _ in refused)
        assert not mk.sidecar_path(data).exists()
        return
    assert path.suffix == f".{fmt}"
    again = mk.read_sidecar(data, Kitchen, verify=True)
    assert again == k
    assert mk.content_hash(again) == mk.content_hash(k)


def test_a_sidecar_is_replaced_in_its_own_format_only(tmp_path: Path) -> None:
    data = _data(tmp_path)
    mk.write_sidecar(Small(title="a"), data)
    mk.write_sidecar(Small(title="b"), data)
    assert mk.read_sidecar(data, Small).title == "b"
    with pytest.raises(mk.ManifestError) as info:
        mk.write_sidecar(Small(title="c"), data, "json")
    assert str(info.value) == (
        f"{data}: recording.ome.tiff.toml already describes it; remove it or write that format"
    )
    assert not mk.sidecar_path(data, "json").exists()


def test_only_a_document_can_be_a_sidecar(tmp_path: Path) -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.write_sidecar(Inner(label="x"), _data(tmp_path))
    assert str(info.value) == "Inner is a block; a sidecar holds a document (use @manifest)"


def test_the_data_file_must_exist_to_write_a_sidecar(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        mk.write_sidecar(sample(), tmp_path / "missing.tiff")
    assert isinstance(info.value, mk.ManifestIOError)
    assert not (tmp_path / "missing.tiff.toml").exists()


def test_a_data_file_that_changes_while_hashed_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _data(tmp_path)
    real = mk.hash_file

    def hash_while_appending(path: Any) -> str:
        digest = real(path)
        with open(path, "ab") as f:
            f.write(b"more frames")
        return digest

    monkeypatch.setattr(_sidecar, "hash_file", hash_while_appending)
    with pytest.raises(mk.IntegrityError) as info:
        mk.write_sidecar(sample(), data)
    assert str(info.value) == f"{data} changed while it was being hashed; write the sidecar again"
    assert not mk.sidecar_path(data).exists()


# ------------------------------------------------------------ does it belong?


def test_check_sidecar_tells_whether_the_pair_still_belongs_together(tmp_path: Path) -> None:
    data = _data(tmp_path, body=b"12345")
    side = mk.write_sidecar(sample(), data)
    good = mk.check_sidecar(data)
    assert good.ok
    assert (good.data_path, good.sidecar_path, good.manifest) == (data, side, sample())
    digest = hashlib.sha256(b"12345").hexdigest()
    assert (good.recorded_size, good.recorded_sha256, good.size, good.sha256) == (
        5,
        digest,
        5,
        digest,
    )
    assert good.problems == ()

    data.write_bytes(b"12346")  # same size, other bytes
    changed = mk.check_sidecar(data)
    other = hashlib.sha256(b"12346").hexdigest()
    assert not changed.ok
    assert changed.problems == (f"the data file's sha256 is {other}; the sidecar records {digest}",)

    data.write_bytes(b"123456")  # the size differs: no need to hash
    grown = mk.check_sidecar(data)
    assert (grown.size, grown.sha256) == (6, None)
    assert grown.problems == ("the data file has 6 bytes; the sidecar records 5",)

    data.unlink()
    gone = mk.check_sidecar(data)
    assert (gone.size, gone.sha256, gone.problems) == (None, None, ("the data file is missing",))


def test_a_pair_renamed_together_still_belongs_together(tmp_path: Path) -> None:
    data = _data(tmp_path, "a.tiff")
    side = mk.write_sidecar(sample(), data)
    data.rename(tmp_path / "b.tiff")
    side.rename(tmp_path / "b.tiff.toml")
    assert mk.check_sidecar(tmp_path / "b.tiff").ok


def test_read_with_verify_raises_an_integrity_error(tmp_path: Path) -> None:
    data = _data(tmp_path, body=b"abc")
    mk.write_sidecar(sample(), data)
    assert mk.read_sidecar(data, verify=True) == sample()
    data.write_bytes(b"abcd")
    assert mk.read_sidecar(data) == sample()  # the data file is not read by default
    with pytest.raises(mk.IntegrityError) as info:
        mk.read_sidecar(data, verify=True)
    assert info.value.problems == [(str(data), "the data file has 4 bytes; the sidecar records 3")]
    assert info.value.message == f"{data} does not match its sidecar recording.ome.tiff.toml"


def test_a_data_path_that_is_a_folder_or_a_loop_is_an_io_error(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as info:
        mk.write_sidecar(sample(), folder)
    assert isinstance(info.value, mk.ManifestIOError)
    header = {**_GOOD, "schema": "test.small", "size": folder.stat().st_size}
    _envelope(tmp_path, header, {"version": 3, "title": "t"}, data=folder)
    with pytest.raises(IsADirectoryError):
        mk.check_sidecar(folder)  # same size as recorded, so it gets hashed
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    _envelope(tmp_path, _GOOD, {"version": 3, "title": "t"}, data=loop)
    with pytest.raises(mk.ManifestIOError) as looped:
        mk.check_sidecar(loop)
    assert looped.value.filename == str(loop)


def test_no_sidecar_or_two_sidecars(tmp_path: Path) -> None:
    data = _data(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        mk.read_sidecar(data)
    assert isinstance(info.value, mk.ManifestIOError)
    assert info.value.strerror == (
        "no sidecar (looked for recording.ome.tiff.json, recording.ome.tiff.toml)"
    )
    assert info.value.filename == str(data)
    mk.write_sidecar(sample(), data)
    mk.sidecar_path(data, "json").write_bytes(mk.sidecar_path(data).read_bytes())
    with pytest.raises(mk.ManifestError) as two:
        mk.check_sidecar(data)
    assert str(two.value) == (
        f"{data}: more than one sidecar describes it "
        "(recording.ome.tiff.json, recording.ome.tiff.toml); keep one"
    )


# ------------------------------------------------------------ a person's edit


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_good_edit_is_read_back(tmp_path: Path) -> None:
    data = _data(tmp_path)
    side = mk.write_sidecar(sample(), data)
    _edit(side, 'subject = "mouse-017"', 'subject = "mouse-018"\nnotes = "re-labelled"')
    again = mk.read_sidecar(data, DemoSession)
    assert (again.subject, again.notes) == ("mouse-018", "re-labelled")
    assert mk.check_sidecar(data).ok  # the data file did not change


def test_a_bad_edit_is_reported_with_the_path_a_person_sees(tmp_path: Path) -> None:
    data = _data(tmp_path)
    side = mk.write_sidecar(sample(), data)
    _edit(side, 'subject = "mouse-017"', "subject = 17\nsubjcet = 1")
    with pytest.raises(mk.ValidationError) as info:
        mk.read_sidecar(data)
    assert info.value.errors == [
        ("manifest.subject", "expected a string, found an integer (17)"),
        ("manifest.subjcet", "unknown field; did you mean 'subject'?"),
    ]
    assert info.value.title == f"{side}: invalid DemoSession"


def test_a_broken_edit_is_reported_with_its_toml_line(tmp_path: Path) -> None:
    data = _data(tmp_path)
    side = mk.write_sidecar(sample(), data)
    _edit(side, 'session = "2026-11-21a"', 'session = "2026-11-21a')
    with pytest.raises(mk.FormatError) as info:
        mk.read_sidecar(data)
    lines = side.read_text().splitlines()
    assert lines[info.value.line - 1] == 'session = "2026-11-21a'  # type: ignore[operator]
    assert (info.value.format, info.value.source) == ("toml", str(side))
    assert info.value.column is not None


def test_an_older_manifest_in_a_sidecar_is_migrated_in_memory(tmp_path: Path) -> None:
    data = _data(tmp_path)
    side = mk.write_sidecar(Small(title="x"), data)
    _edit(side, 'version = 3\ntitle = "x"', 'version = 1\nname = "old"\nsize = 2')
    assert mk.read_sidecar(data, Small) == Small(title="old", size=2048)
    assert "version = 1" in side.read_text()  # reading never changes the file


def _envelope(
    tmp_path: Path, sidecar: Any, manifest: Any = None, data: Path | None = None, **extra: Any
) -> Path:
    data = data or _data(tmp_path)
    plain: dict[str, Any] = {"sidecar": sidecar, **extra}
    if manifest is not None:
        plain["manifest"] = manifest
    mk.sidecar_path(data, "json").write_bytes(orjson.dumps(plain))
    return data


_GOOD = {"version": 1, "schema": "test.small", "file": "f", "size": 1, "sha256": "a" * 64}


@pytest.mark.parametrize(
    ("sidecar", "extra", "errors"),
    [
        (
            {**_GOOD, "size": -1, "sha256": "ABC"},
            {},
            [
                ("sidecar.size", "must not be negative"),
                ("sidecar.sha256", "expected 64 lower-case hex digits"),
            ],
        ),
        (
            {"version": 0, "schema": "test.small", "file": "f", "size": 1, "sha256": "a" * 64},
            {},
            [("sidecar.version", "expected 1, found 0")],
        ),
        (
            {"version": 1, "schema": 3},
            {"extra": 1},
            [
                ("extra", "unknown field"),
                ("sidecar.schema", "expected a string, found an integer (3)"),
                ("sidecar.file", "required field is missing"),
                ("sidecar.size", "required field is missing"),
                ("sidecar.sha256", "required field is missing"),
            ],
        ),
        ("nope", {}, [("sidecar", 'expected an object, found a string ("nope")')]),
    ],
)
def test_a_broken_sidecar_table_lists_every_problem(
    tmp_path: Path, sidecar: Any, extra: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    data = _envelope(tmp_path, sidecar, {"version": 3, "title": "t"}, **extra)
    with pytest.raises(mk.ValidationError) as info:
        mk.read_sidecar(data)
    assert sorted(info.value.errors) == sorted(errors)
    assert info.value.title == f"{mk.sidecar_path(data, 'json')}: invalid sidecar"


def test_a_sidecar_without_its_tables_or_not_a_table(tmp_path: Path) -> None:
    path = mk.sidecar_path(_data(tmp_path), "json")
    path.write_bytes(b"{}")
    with pytest.raises(mk.ValidationError) as info:
        mk.read_sidecar(tmp_path / "recording.ome.tiff")
    assert info.value.errors == [
        ("sidecar", "required field is missing"),
        ("manifest", "required field is missing"),
    ]
    path.write_bytes(b"[1]")
    with pytest.raises(mk.ValidationError) as info:
        mk.read_sidecar(tmp_path / "recording.ome.tiff")
    assert info.value.errors == [("", "expected a table, found an array")]


def test_a_newer_sidecar_layout_is_refused(tmp_path: Path) -> None:
    data = _envelope(tmp_path, {**_GOOD, "version": 2}, {"version": 3, "title": "t"})
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.read_sidecar(data)
    assert str(info.value) == (
        "manifestkit sidecar version 2 is newer than this library reads (supported: 1)"
    )


def test_the_schema_the_sidecar_names_must_be_known_and_match(tmp_path: Path) -> None:
    data = _envelope(tmp_path, {**_GOOD, "schema": "test.nope"}, {"version": 3, "title": "t"})
    with pytest.raises(mk.ValidationError) as info:
        mk.read_sidecar(data)
    assert info.value.errors[0][0] == "sidecar.schema"
    assert info.value.errors[0][1].startswith("no schema named 'test.nope' (known: ")
    with pytest.raises(mk.ValidationError) as wrong:
        mk.read_sidecar(data, Small)
    assert wrong.value.errors == [
        ("sidecar.schema", 'expected "test.small", found a string ("test.nope")')
    ]


def test_integers_past_64_bits_in_a_json_sidecar_are_named_by_path(tmp_path: Path) -> None:
    data = _data(tmp_path)
    mk.sidecar_path(data, "json").write_bytes(
        b'{"sidecar": {"version": 1, "schema": "test.cache", "file": "f", "size": 1,'
        b' "sha256": "' + b"a" * 64 + b'"}, "manifest": {"owner": "o", "n": 18446744073709551616}}'
    )
    with pytest.raises(mk.ValidationError) as info:
        mk.read_sidecar(data, Cache)
    assert info.value.errors == [
        (
            "manifest.n",
            "expected an integer that fits in 64 bits, found an integer (18446744073709551616)",
        )
    ]
