"""Files: atomic writes, stale temp files, size limits, format sniffing, schema detection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import manifestkit as mk
from manifestkit import _io
from manifestkit._errors import describe
from models import Cache, Kitchen, Small, TieA, TieB


def test_write_then_read_each_format(tmp_path: Path) -> None:
    small = Small(title="t", size=3)
    for name in ("small.json", "small.toml"):
        path = mk.write(small, tmp_path / name)
        assert path == tmp_path / name
        assert mk.read(path, Small) == small
        assert mk.read(str(path)) == small  # detected from its keys


def test_the_format_comes_from_the_extension_or_is_given(tmp_path: Path) -> None:
    with pytest.raises(mk.FormatError) as info:
        mk.write(Small(title="t"), tmp_path / "small.yaml")
    assert (
        info.value.message
        == f"cannot tell the format of {str(tmp_path / 'small.yaml')!r} from its extension; pass format="
    )
    path = mk.write(Small(title="t"), tmp_path / "small.manifest", format="toml")
    assert path.read_bytes().startswith(b"# manifestkit schema test.small")
    assert mk.read(path, Small) == Small(title="t")  # sniffed: not JSON, so TOML


def test_reading_never_changes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_bytes(b'{"version": 1, "name": "t"}')
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    assert mk.read(path, Small) == Small(title="t")
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".mk-tmp"))


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = mk.write(Small(title="old"), tmp_path / "small.toml")
    old = path.read_bytes()
    k = mk.from_dict({"owner": "x", "meta": {"name": "m", "new": None}}, Cache)
    with pytest.raises(mk.ValidationError):
        mk.write(k, path)  # TOML cannot hold the preserved null
    assert path.read_bytes() == old
    assert _temp_files(tmp_path) == []


def test_an_os_failure_mid_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = mk.write(Small(title="old"), tmp_path / "small.json")
    old = path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(mk.ManifestIOError) as info:
        mk.write(Small(title="new"), path)
    assert str(info.value) == f"[Errno 28] cannot write: No space left on device: '{path}'"
    assert path.read_bytes() == old
    assert _temp_files(tmp_path) == []


def test_writing_into_a_missing_folder_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        mk.write(Small(title="t"), tmp_path / "nope" / "small.json")
    assert isinstance(info.value, mk.ManifestError)


def test_write_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = mk.write(Small(title="t"), tmp_path / "small.json")
    path.chmod(0o640)
    mk.write(Small(title="u"), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_stale_temp_files_of_dead_writers_are_removed_and_nothing_else(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    host = _io._host_tag()
    names = {
        "stale": f".small.json.{host}-{dead_pid}-0123456789ab.mk-tmp",
        "alive": f".small.json.{host}-{os.getpid()}-0123456789ab.mk-tmp",
        "other_host": f".small.json.{int(host, 16) ^ 1:08x}-{dead_pid}-0123456789ab.mk-tmp",
        "other_file": f".other.json.{host}-{dead_pid}-0123456789ab.mk-tmp",
        "not_ours": ".small.json.backup",
        "odd_pattern": f".small.json.{host}-{dead_pid}-xyz.mk-tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"partial")
    mk.write(Small(title="t"), tmp_path / "small.json")
    left = {p.name for p in tmp_path.iterdir()}
    assert names["stale"] not in left
    assert left == {"small.json", *(n for k, n in names.items() if k != "stale")}


def test_reads_are_bounded_in_size(tmp_path: Path) -> None:
    path = mk.write(Small(title="t" * 100), tmp_path / "small.json")
    with pytest.raises(mk.FormatError) as info:
        mk.read(path, Small, limits=mk.Limits(max_bytes=64))
    assert (
        str(info.value)
        == f"invalid document ({path}): file is {path.stat().st_size} bytes; the limit is 64"
    )
    with pytest.raises(mk.FormatError) as info:
        mk.loads(b"{}" * 40, Small, limits=mk.Limits(max_bytes=64))
    assert info.value.message == "document is 80 bytes; the limit is 64"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_longer_than_the_limit_is_refused_as_not_a_regular_file(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)

    def feed() -> None:
        with open(pipe, "wb") as f:
            f.write(b"{" + b" " * 98 + b"}")

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with pytest.raises(mk.FormatError) as info:
            mk.read(pipe, Small, limits=mk.Limits(max_bytes=64))
    finally:
        writer.join(timeout=10)
    assert info.value.message == "not a regular file, and longer than the limit of 64 bytes"
    assert info.value.source == str(pipe)


def test_a_file_that_grows_past_the_limit_while_being_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = mk.write(Small(title="t" * 100), tmp_path / "small.json")
    real = os.fstat

    def size_before_it_grew(fd: int) -> os.stat_result:
        found = list(real(fd))
        found[6] = 10  # st_size, as it was when the file was opened
        return os.stat_result(found)

    monkeypatch.setattr(os, "fstat", size_before_it_grew)
    with pytest.raises(mk.FormatError) as info:
        mk.read(path, Small, limits=mk.Limits(max_bytes=64))
    assert info.value.message == "file grew past the limit of 64 bytes while being read"


def test_read_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    path.write_bytes(b'{"version": 3, "title": 5}')
    with pytest.raises(mk.ValidationError) as info:
        mk.read(path, Small)
    assert (
        str(info.value) == f"{path}: invalid Small: title: expected a string, found an integer (5)"
    )
    path.write_bytes(b'{"version": 3,\n "title": }')
    with pytest.raises(mk.FormatError) as bad:
        mk.read(path, Small)
    assert (bad.value.source, bad.value.line, bad.value.column) == (str(path), 2, 11)


def test_detection_uses_the_toml_header_first(tmp_path: Path) -> None:
    path = tmp_path / "any.toml"
    path.write_bytes(b"# manifestkit schema test.small, version 3\ntitle = 't'\n")
    assert mk.read(path) == Small(title="t")


def test_detection_by_keys_and_file_name() -> None:
    assert mk.detect_schema({"version": 3, "title": "t"}) is Small
    assert mk.detect_schema({"owner": "o", "anything": 1}) is Cache
    # A document two schemas fit equally well: the usual file name decides.
    assert mk.detect_schema({"id": "x"}, "run/a.json") is TieA
    assert mk.detect_schema({"id": "x"}, "run/3.a.json") is TieA
    assert mk.detect_schema({"id": "x"}, "b.json") is TieB
    with pytest.raises(mk.ValidationError) as info:
        mk.detect_schema({"id": "x"}, "c.json")
    assert info.value.errors == [
        (
            "",
            "the document fits more than one schema equally well (test.tie-a, test.tie-b); pass the schema explicitly",
        )
    ]


def test_detection_says_what_it_considered() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.detect_schema({"nothing": "known"}, "x.json")
    ((path, message),) = info.value.errors
    assert path == ""
    assert message.startswith("the document fits none of the registered schemas (considered: ")
    assert "test.kitchen" in message
    assert "test.small" in message
    with pytest.raises(mk.ValidationError) as info:
        mk.detect_schema([1])
    assert info.value.errors == [("", "expected an object, found an array")]


def test_a_newer_minor_document_is_still_detected() -> None:
    doc = mk.to_dict(mk.read(Path(__file__).parent / "data" / "core" / "kitchen.json", Kitchen))
    assert mk.detect_schema({**doc, "schema_version": "2.7.0", "new_field": 1}) is Kitchen


def test_a_newer_major_document_with_new_keys_is_detected_then_refused(tmp_path: Path) -> None:
    doc = {"version": 4, "title": "t", "added_in_4": True}
    assert mk.detect_schema(doc) is Small
    path = tmp_path / "future.json"
    path.write_text('{"version": 4, "title": "t", "added_in_4": true}')
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.read(path)
    assert (
        str(info.value)
        == "test.small version 4 is newer than this library reads (supported: 1, 2, 3)"
    )


def test_an_older_major_document_is_detected_by_its_keys_once_migrated(tmp_path: Path) -> None:
    # test.small 1 called its title "name". By its own keys, the document also
    # fits mesokit's AnalysisDeclaration (name, version), which detection picked.
    old = {"version": 1, "name": "t", "size": 2}
    assert mk.detect_schema(old) is Small
    path = tmp_path / "old.json"
    path.write_text('{"version": 1, "name": "t", "size": 2}')
    assert mk.read(path) == Small(title="t", size=2048)
    doc = mk.to_dict(mk.read(Path(__file__).parent / "data" / "core" / "kitchen.json", Kitchen))
    kitchen_1 = {**doc, "schema_version": "1.4.0", "folder": doc["path"]}
    del kitchen_1["path"]  # 2.0.0 renamed it
    assert mk.detect_schema(kitchen_1) is Kitchen


def test_an_older_major_document_that_cannot_be_migrated_is_detected_then_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.json"
    path.write_text('{"version": 0, "title": "t"}')  # no migration leads from 0
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.read(path)
    assert str(info.value) == (
        "test.small version 0 cannot be migrated: no migration is registered for it"
        " (supported: 1, 2, 3)"
    )
    assert mk.detect_schema({"version": 1, "title": "t"}) is Small  # its step needs "name"


def test_a_migration_that_fails_on_another_schemas_document_does_not_stop_detection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from manifestkit import _model, _versioning

    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))
    monkeypatch.setattr(
        _versioning, "_MIGRATIONS", {k: dict(v) for k, v in _versioning._MIGRATIONS.items()}
    )

    @mk.manifest("test.fragile", version=2, version_field="version")
    class Fragile:
        version: int = mk.field(default=2, always=True)
        label: str

    @mk.migration("test.fragile", from_version=1)
    def _fragile_1_to_2(doc: dict[str, Any]) -> dict[str, Any]:
        raise ZeroDivisionError  # a bug in a step, met on a test.small document

    assert mk.detect_schema({"version": 1, "name": "t", "size": 2}) is Small
    assert mk.detect_schema({"version": 2, "label": "x"}) is Fragile


def test_only_the_built_in_json_format_is_trusted_to_give_what_orjson_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Data from orjson holds no NaN and no lone surrogate, so reading skips looking
    # for them; a plug-in built on the JSON format may parse with something laxer.
    from manifestkit import _formats

    class LaxJson(_formats.JsonFormat):
        name = "json-lax"
        extensions = (".lax-json",)

        def loads(self, data: bytes) -> Any:
            return json.loads(data)  # takes NaN and "\ud800"

    monkeypatch.setattr(_formats, "_FORMATS", dict(_formats._FORMATS))
    mk.register_format(LaxJson())
    for doc, error in (
        (
            b'{"owner": "o", "meta": {"name": "n", "x": NaN}}',
            ("meta.x", "expected a finite number, found a number (nan)"),
        ),
        (
            b'{"owner": "o", "x\\ud800": 1}',
            ('["x\\ud800"]', "key contains a lone surrogate (\\ud800), which UTF-8 cannot encode"),
        ),
    ):
        with pytest.raises(mk.ValidationError) as info:
            mk.loads(doc, Cache, "json-lax")
        assert info.value.errors == [error]


def test_a_schema_that_takes_any_object_is_not_detected_without_its_identifying_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from manifestkit import _model

    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))

    @mk.manifest("test.anything", version="1.0", unknown="preserve")
    class Anything:
        note: str | None = None

    with pytest.raises(mk.ValidationError) as info:
        mk.detect_schema({"nothing": "known"})
    assert info.value.errors[0][1].startswith("the document fits none of the registered schemas")
    assert mk.detect_schema({"schema_version": "1.0", "other": 1}) is Anything


# -------------------------------------------------------------- atomic_writer


def test_atomic_writer_streams_into_place(tmp_path: Path) -> None:
    path = tmp_path / "rows.txt"
    path.write_bytes(b"old")
    path.chmod(0o640)
    with mk.atomic_writer(path) as f:
        for i in range(3):
            f.write(b"row %d\n" % i)
            assert path.read_bytes() == b"old"  # nothing shows before the block ends
    assert path.read_bytes() == b"row 0\nrow 1\nrow 2\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert _temp_files(tmp_path) == []
    with mk.atomic_writer(str(tmp_path / "new.txt")) as f:
        f.write(b"x")
    assert (tmp_path / "new.txt").read_bytes() == b"x"


def test_atomic_writer_keeps_the_old_file_when_the_block_fails(tmp_path: Path) -> None:
    path = tmp_path / "rows.txt"
    path.write_bytes(b"old")

    class Stop(Exception):
        pass

    def fail_midway() -> None:
        with mk.atomic_writer(path) as f:
            f.write(b"partial")
            raise Stop

    with pytest.raises(Stop):
        fail_midway()
    assert path.read_bytes() == b"old"
    assert _temp_files(tmp_path) == []


def test_atomic_writer_reports_os_failures_as_manifest_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(FileNotFoundError) as missing:
        mk.atomic_writer(tmp_path / "nope" / "rows.txt").__enter__()
    assert isinstance(missing.value, mk.ManifestIOError)
    path = tmp_path / "rows.txt"
    path.write_bytes(b"old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(mk.ManifestIOError) as info, mk.atomic_writer(path) as f:
        f.write(b"new")
    assert str(info.value) == f"[Errno 28] cannot write: No space left on device: '{path}'"
    assert path.read_bytes() == b"old"
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize("path", [5, None, ["k.json"]])
def test_a_path_that_is_not_a_path_is_named(tmp_path: Path, path: Any) -> None:
    expected = [("path", f"expected a path, found {describe(path)}")]
    uses: list[Callable[[], object]] = [
        lambda: mk.read(path),
        lambda: mk.write(Small(title="t"), path),
        lambda: mk.hash_file(path),
    ]
    if path is not None:  # capture_git(None) looks at the current folder
        uses.append(lambda: mk.capture_git(path))
    for use in uses:
        with pytest.raises(mk.ValidationError) as info:
            use()
        assert info.value.errors == expected
    with pytest.raises(mk.ValidationError) as info:
        mk.seal(path)
    assert info.value.errors == [("folder", f"expected a path, found {describe(path)}")]


def test_a_bytes_path_reads_and_writes_like_its_text(tmp_path: Path) -> None:
    target = os.fsencode(tmp_path / "small.json")
    written = mk.write(Small(title="t"), target)  # type: ignore[arg-type]
    assert written == tmp_path / "small.json"
    assert mk.read(target, Small) == Small(title="t")  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [5, None, [123, 125], {"title": "t"}])
def test_loads_takes_bytes_or_text_only(data: Any) -> None:
    # bytes(5) is five NUL bytes and bytes([123, 125]) is "{}": neither is what was meant.
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(data, Small)
    assert info.value.errors == [("data", f"expected bytes or str, found {describe(data)}")]
    assert mk.loads(bytearray(b'{"title": "t"}'), Small) == Small(title="t")  # type: ignore[arg-type]
