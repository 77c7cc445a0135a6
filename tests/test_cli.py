"""The command line through `main(argv)`: every command, its output, its exit status.

Exit status: 0 success, 1 problems found (or differences), 2 bad usage.
Real processes (the console script, ``python -m``) are in test_cli_processes.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _cli, _cli_support, _model
from manifestkit._cli import main
from manifestkit._demo import sample
from models import Kitchen, Small

DEMO_HASH = "47d1edd3b29d479b709e77cb9026674f849c1fddce934f25e4d8c99c4e4941aa"
KITCHEN = Path(__file__).parent / "data" / "core" / "kitchen.json"


class Run:
    """Runs `main` and keeps what it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys

    def __call__(self, *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
        code = main([os.fspath(a) for a in argv])
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(capsys)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a temporary folder, so file names in the output are short."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _small(name: str = "small.json", **fields: Any) -> Path:
    return mk.write(Small(**{"title": "t", **fields}), name)


# ---------------------------------------------------------- usage and help


def test_bad_usage_exits_2_with_one_line(run: Run) -> None:
    code, out, err = run("validate")
    assert (code, out) == (2, "")
    assert err == (
        "manifestkit validate: error: the following arguments are required: FILE "
        "(see 'manifestkit validate --help')\n"
    )
    code, _, err = run("frobnicate")
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "invalid choice: 'frobnicate'" in err


@pytest.mark.parametrize(
    "command",
    [
        "demo",
        "schemas",
        "validate",
        "hash",
        "convert",
        "show",
        "diff",
        "migrate",
        "schema",
        "check-sidecar",
    ],
)
def test_every_command_has_help_and_version(run: Run, command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert out.startswith(f"usage: manifestkit {command}")
    code, out, _ = run(command, "--version")
    assert (code, out) == (0, f"manifestkit {mk.__version__}\n")


def test_the_top_level_help_lists_every_command_and_the_exit_status(run: Run) -> None:
    code, out, _ = run("--help")
    assert code == 0
    for command in (
        "schemas",
        "validate",
        "hash",
        "convert",
        "show",
        "diff",
        "migrate",
        "schema",
        "check-sidecar",
    ):
        assert f"    {command}" in out
    assert "Exit status: 0 success, 1 problems found (or differences), 2 bad usage." in out


def test_an_unknown_schema_is_bad_usage(run: Run, here: Path) -> None:
    _small()
    code, out, err = run("validate", "small.json", "--schema", "test.nope")
    assert (code, out) == (2, "")
    assert err.startswith("manifestkit validate: error: no schema named 'test.nope' (known: ")
    assert len(err.splitlines()) == 1


# ------------------------------------------------------------------ schemas


def test_schemas_lists_names_versions_and_classes(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_model, "_SCHEMAS", {"test.small": Small, "test.kitchen": Kitchen})
    code, out, _ = run("schemas")
    assert code == 0
    assert out == ("test.kitchen  2.3.0  models.Kitchen\ntest.small    3      models.Small\n")
    code, out, _ = run("schemas", "--json")
    assert json.loads(out) == [
        {"schema": "test.kitchen", "version": "2.3.0", "class": "models.Kitchen"},
        {"schema": "test.small", "version": 3, "class": "models.Small"},
    ]


def test_schemas_lists_what_is_registered_even_nothing(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_model, "_SCHEMAS", {})

    @mk.manifest("test.unversioned")
    class Unversioned:
        x: int

    assert run("schemas")[1] == (
        "test.unversioned  -  "
        "test_cli.test_schemas_lists_what_is_registered_even_nothing.<locals>.Unversioned\n"
    )
    monkeypatch.setattr(_model, "_SCHEMAS", {})
    assert run("schemas") == (
        0,
        "",
        "manifestkit: no schemas are registered (install a schema pack)\n",
    )


def test_the_demo_schema_is_registered_through_the_entry_point() -> None:
    assert mk.get_schema("manifestkit.demo").__name__ == "DemoSession"


# ----------------------------------------------------------------- validate


def test_validate_reports_ok_and_every_problem_as_file_path_message(run: Run, here: Path) -> None:
    _small()
    mk.write(sample(), "session.toml")
    Path("bad.json").write_text('{"version": 3, "title": 7, "size": "big"}')
    Path("broken.toml").write_text("version = 3\ntitle = \n")
    Path("other.json").write_text('{"what": 1}')
    code, out, err = run(
        "validate",
        "small.json",
        "session.toml",
        "bad.json",
        "broken.toml",
        "missing.json",
        "other.json",
    )
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "small.json: ok (test.small, version 3)",
        "session.toml: ok (manifestkit.demo, version 1.0)",
        "bad.json: title: expected a string, found an integer (7)",
        'bad.json: size: expected an integer, found a string ("big")',
        "broken.toml: (document): invalid TOML (line 2, column 9): Invalid value",
        "missing.json: (document): cannot read: No such file or directory",
        out.splitlines()[-1],
    ]
    assert out.splitlines()[-1].startswith(
        "other.json: (document): the document fits none of the registered schemas (considered: "
    )


def test_validate_with_a_schema_and_all_valid_exits_0(run: Run, here: Path) -> None:
    _small("a.json")
    _small("b.toml", size=2)
    code, out, _ = run("validate", "--schema", "test.small", "a.json", "b.toml")
    assert code == 0
    assert out == "a.json: ok (test.small, version 3)\nb.toml: ok (test.small, version 3)\n"
    code, out, _ = run("validate", "--schema", "manifestkit.demo", "a.json")
    assert code == 1
    assert out == (
        "a.json: subject: required field is missing\n"
        "a.json: session: required field is missing\n"
        "a.json: started_at: required field is missing\n"
        "a.json: version: unknown field\n"
        "a.json: title: unknown field\n"
    )


def test_validate_json_for_ci(run: Run, here: Path) -> None:
    _small()
    Path("broken.toml").write_text("version = \n")
    code, out, _ = run("validate", "--json", "small.json", "broken.toml")
    assert code == 1
    assert json.loads(out) == {
        "valid": False,
        "files": [
            {
                "file": "small.json",
                "valid": True,
                "schema": "test.small",
                "version": 3,
                "problems": [],
            },
            {
                "file": "broken.toml",
                "valid": False,
                "schema": None,
                "version": None,
                "problems": [
                    {
                        "path": "",
                        "message": "invalid TOML (line 1, column 11): Invalid value",
                        "line": 1,
                        "column": 11,
                    }
                ],
            },
        ],
    }
    code, out, _ = run("validate", "--json", "small.json")
    assert (code, json.loads(out)["valid"]) == (0, True)
    code, out, _ = run("validate", "--json", "--schema", "test.small", "broken.toml")
    assert (code, json.loads(out)["files"][0]["schema"]) == (1, "test.small")


def test_validate_reads_the_manifest_inside_a_sidecar(run: Run, here: Path) -> None:
    Path("rec.tiff").write_bytes(b"frames")
    side = mk.write_sidecar(sample(), "rec.tiff")
    assert run("validate", side)[:2] == (0, "rec.tiff.toml: ok (manifestkit.demo, version 1.0)\n")
    text = side.read_text()
    side.write_text(text.replace('subject = "mouse-017"', "subject = 17"))
    code, out, _ = run("validate", side)
    assert (code, out) == (
        1,
        "rec.tiff.toml: manifest.subject: expected a string, found an integer (17)\n",
    )
    side.write_text("comment = 'a person added this'\n" + text)
    assert run("validate", side)[1] == "rec.tiff.toml: comment: unknown field\n"


# --------------------------------------------------------------------- hash


def test_hash_prints_the_content_hash_like_sha256sum(run: Run, here: Path) -> None:
    mk.write(sample(), "s.json")
    mk.write(sample(), "s.toml")
    code, out, err = run("hash", "s.json", "s.toml")
    assert (code, err) == (0, "")
    assert out == f"{DEMO_HASH}  s.json\n{DEMO_HASH}  s.toml\n"


def test_hash_goes_on_after_a_bad_file_and_exits_1(run: Run, here: Path) -> None:
    _small()
    code, out, err = run("hash", "missing.json", "small.json")
    assert code == 1
    assert out == f"{mk.content_hash(Small(title='t'))}  small.json\n"
    assert err == "manifestkit: missing.json: (document): cannot read: No such file or directory\n"


def test_hash_flavours_come_from_a_table_of_lazy_imports(
    run: Run, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _cli_support.FLAVOURS["mesokit"] == "manifestkit.schemas.mesokit:mesokit_stored_hash"
    _small()
    assert run("hash", "--flavour", "manifestkit", "small.json")[1] == run("hash", "small.json")[1]
    monkeypatch.setitem(_cli_support.FLAVOURS, "repr", f"{__name__}:_repr_flavour")
    assert run("hash", "--flavour", "repr", "small.json")[1] == (
        "Small(version=3, title='t', size=0) from small.json  small.json\n"
    )


def _repr_flavour(manifest: object, path: str) -> str:
    return f"{manifest!r} from {path}"


def test_an_unknown_or_missing_flavour_is_bad_usage(
    run: Run, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small()
    code, _, err = run("hash", "--flavour", "blake3", "small.json")
    assert code == 2
    assert err == (
        "manifestkit hash: error: unknown hash flavour 'blake3' (known: manifestkit, mesokit)\n"
    )
    monkeypatch.setitem(_cli_support.FLAVOURS, "gone", "manifestkit.schemas.gone:pack_hash")
    code, _, err = run("hash", "--flavour", "gone", "small.json")
    assert code == 2
    assert err == (
        "manifestkit hash: error: hash flavour 'gone' needs manifestkit.schemas.gone, "
        "which is not installed\n"
    )


def test_a_broken_flavour_is_an_error_that_names_it(
    run: Run, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small()
    Path("brokenpack.py").write_text("import not_a_module_anywhere\n")
    Path("emptypack.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(here))
    monkeypatch.setitem(_cli_support.FLAVOURS, "broken", "brokenpack:h")
    monkeypatch.setitem(_cli_support.FLAVOURS, "empty", "emptypack:h")
    code, _, err = run("hash", "--flavour", "broken", "small.json")
    assert (code, err) == (
        1,
        (
            "manifestkit: cannot load hash flavour 'broken' (brokenpack:h): "
            "No module named 'not_a_module_anywhere'\n"
        ),
    )
    code, _, err = run("hash", "--flavour", "empty", "small.json")
    assert (code, err) == (1, "manifestkit: hash flavour 'empty': emptypack has no function 'h'\n")
    Path("raisingpack.py").write_text("raise RuntimeError('half installed')\n")
    monkeypatch.setitem(_cli_support.FLAVOURS, "raising", "raisingpack:h")
    code, _, err = run("hash", "--flavour", "raising", "small.json")
    assert (code, err) == (
        1,
        "manifestkit: cannot load hash flavour 'raising' (raisingpack:h): half installed\n",
    )


# ------------------------------------------------------------------ convert


def test_convert_json_to_toml_and_back_keeps_the_hash(run: Run, here: Path) -> None:
    mk.write(sample(), "s.json")
    code, out, err = run("convert", "s.json", "s.toml")
    assert (code, out, err) == (0, f"{DEMO_HASH}  s.toml\n", "")
    assert Path("s.toml").read_bytes() == mk.dumps(sample(), "toml")
    assert run("convert", "s.toml", "again.json")[:2] == (0, f"{DEMO_HASH}  again.json\n")
    assert Path("again.json").read_bytes() == Path("s.json").read_bytes()


def test_convert_refuses_to_overwrite_unless_forced(run: Run, here: Path) -> None:
    mk.write(sample(), "s.json")
    Path("s.toml").write_text("keep me")
    code, out, err = run("convert", "s.json", "s.toml")
    assert (code, out, err) == (1, "", "manifestkit: s.toml exists; pass --force to replace it\n")
    assert Path("s.toml").read_text() == "keep me"
    assert run("convert", "s.json", "s.toml", "--force")[0] == 0
    assert mk.read("s.toml") == sample()


def test_convert_needs_a_known_extension(run: Run, here: Path) -> None:
    code, _, err = run("convert", "s.json", "s.yaml")
    assert code == 2
    assert err == (
        "manifestkit convert: error: cannot tell the format of 's.yaml' from its extension "
        "(.json, .toml)\n"
    )


def test_convert_reports_what_toml_cannot_hold_and_writes_nothing(run: Run, here: Path) -> None:
    Path("c.json").write_text('{"schema_version": "1.4", "owner": "o", "later": null}')
    code, _, err = run("convert", "c.json", "c.toml")
    assert code == 1
    assert err == (
        "manifestkit: c.json: later: TOML cannot hold null; leave the field out or give it a value\n"
    )
    assert not Path("c.toml").exists()
    code, _, err = run("convert", "missing.json", "c.toml")
    assert (code, err) == (
        1,
        "manifestkit: missing.json: (document): cannot read: No such file or directory\n",
    )


def test_convert_says_when_it_migrated_the_source(run: Run, here: Path) -> None:
    Path("old.json").write_text('{"version": 1, "name": "n", "size": 2}')
    # An older major has the keys of its own version, so name its schema.
    code, out, err = run("convert", "old.json", "new.toml", "--schema", "test.small")
    assert code == 0
    assert err == "manifestkit: note: old.json is version 1; it was migrated to 3\n"
    assert mk.read("new.toml") == Small(title="n", size=2048)
    assert out == f"{mk.content_hash(Small(title='n', size=2048))}  new.toml\n"


# --------------------------------------------------------------------- show


def test_show_summarises_a_manifest(run: Run, here: Path) -> None:
    mk.write(sample(), "session.toml")
    code, out, _ = run("show", "session.toml")
    assert code == 0
    assert out == (
        "file     session.toml (toml)\n"
        "schema   manifestkit.demo (DemoSession)\n"
        "version  1.0\n"
        f"hash     {DEMO_HASH}\n"
        "fields\n"
        '  subject     "mouse-017"\n'
        '  session     "2026-11-21a"\n'
        '  started_at  "2026-11-21T09:30:00.250000Z"\n'
        "  channels    [2 items]\n"
        "  extra       {2 keys}\n"
    )


def test_show_notes_migrations_newer_minors_preserved_fields_and_sidecars(
    run: Run, here: Path
) -> None:
    Path("old.json").write_text('{"version": 2, "title": "t", "size": 1}')
    out = run("show", "old.json")[1]
    assert "version  3 (migrated in memory from 2)\n" in out
    Path("c.json").write_text(
        '{"schema_version": "1.9", "owner": "o", "entries": [], "new": {"a": 1}, "odd key": []}'
    )
    out = run("show", "c.json")[1]
    assert "version  1.9 (this library's current version is 1.4)\n" in out
    assert out.endswith(
        "fields\n"
        '  owner        "o"\n'
        "  new          {1 key}  (preserved: unknown to this version)\n"
        '  ["odd key"]  []  (preserved: unknown to this version)\n'
    )
    Path("rec.bin").write_bytes(b"abc")
    mk.write_sidecar(Small(title="x" * 70), "rec.bin")
    out = run("show", "rec.bin.toml")[1]
    assert out.splitlines()[0] == "file     rec.bin.toml (toml, sidecar)"
    assert (
        "data     rec.bin: 3 bytes, sha256 "
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
    ) in out
    assert f'  title  "{"x" * 56}...\n' in out


def test_show_of_documents_without_a_version_or_fields(
    run: Run, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))

    @mk.manifest("test.plain")
    class Plain:
        size: int = 0

    Path("plain.json").write_text("{}")
    assert run("show", "plain.json", "--schema", "test.plain")[1] == (
        "file     plain.json (json)\n"
        "schema   test.plain (Plain)\n"
        f"hash     {mk.content_hash(Plain())}\n"
    )
    assert run("validate", "plain.json", "--schema", "test.plain")[1] == (
        "plain.json: ok (test.plain)\n"
    )
    code, _, err = run("migrate", "plain.json", "--schema", "test.plain")
    assert (code, err) == (
        0,
        "manifestkit: note: plain.json needs no migration (its schema has no version)\n",
    )
    Path("small.json").write_text('{"title": "t"}')  # the version field may be left out
    assert "version  3\n" in run("show", "small.json")[1]


def test_show_of_a_bad_file_exits_1(run: Run, here: Path) -> None:
    assert run("show", "nope.json") == (
        1,
        "",
        "manifestkit: nope.json: (document): cannot read: No such file or directory\n",
    )


# --------------------------------------------------------------------- diff


def test_diff_of_equal_manifests_in_two_formats_is_empty(run: Run, here: Path) -> None:
    mk.write(sample(), "a.json")
    mk.write(sample(), "b.toml")
    assert run("diff", "a.json", "b.toml") == (0, "", "")


def test_diff_lists_differences_by_path(run: Run, here: Path) -> None:
    a = sample()
    channels = [mk.replace(a.channels[0], sampling_rate_hz=500)]
    b = mk.replace(a, channels=channels, notes="late", extra={"rig": "B3", "new": [1]})
    mk.write(a, "a.json")
    mk.write(b, "b.toml")
    code, out, _ = run("diff", "a.json", "b.toml")
    assert code == 1
    assert out == (
        "channels[0].sampling_rate_hz: 1000.0 -> 500.0\n"
        'channels[1]: {"name":"pupil","unit":"px","sampling_rate_hz":30.0,"cloc... -> (absent)\n'
        'notes: null -> "late"\n'
        'extra.rig: "B2" -> "B3"\n'
        "extra.temperature_c: 21.5 -> (absent)\n"
        "extra.new: (absent) -> [1]\n"
    )


def test_diff_needs_two_readable_documents_of_one_schema(run: Run, here: Path) -> None:
    mk.write(sample(), "a.json")
    _small("b.json")
    code, out, err = run("diff", "a.json", "b.json")
    assert (code, out) == (2, "")
    assert err == (
        "manifestkit diff: error: a.json is a manifestkit.demo document and b.json a test.small "
        "one; diff compares documents of one schema\n"
    )
    code, _, err = run("diff", "a.json", "missing.json")
    assert (code, err) == (
        1,
        "manifestkit: missing.json: (document): cannot read: No such file or directory\n",
    )


# ------------------------------------------------------------------ migrate


def test_migrate_prints_the_upgraded_document(run: Run, here: Path) -> None:
    Path("old.json").write_text('{"version": 1, "name": "n", "size": 2}')
    code, out, err = run("migrate", "old.json", "--schema", "test.small")
    assert (code, err) == (0, "")
    assert out == '{\n  "version": 3,\n  "title": "n",\n  "size": 2048\n}\n'
    assert Path("old.json").read_text() == '{"version": 1, "name": "n", "size": 2}'


def test_migrate_in_place_keeps_a_backup(run: Run, here: Path) -> None:
    original = b'version = 1\nname = "n"\n'
    Path("old.toml").write_bytes(original)
    code, out, _ = run("migrate", "old.toml", "--in-place", "--schema", "test.small")
    assert code == 0
    assert out == "migrated old.toml from version 1 to 3 (original: old.toml.bak)\n"
    assert Path("old.toml.bak").read_bytes() == original
    assert mk.read("old.toml", Small) == Small(title="n")
    assert Path("old.toml").read_bytes() == mk.dumps(Small(title="n"), "toml")
    code, out, err = run("migrate", "old.toml", "--in-place")
    assert (code, out) == (0, "")
    assert err == "manifestkit: old.toml needs no migration (version 3); left as it is\n"


def test_migrate_will_not_overwrite_an_earlier_backup(run: Run, here: Path) -> None:
    Path("old.json").write_text('{"version": 2, "title": "n"}')
    Path("old.json.bak").write_text("an earlier original")
    code, _, err = run("migrate", "old.json", "--in-place")
    assert code == 1
    assert err == (
        "manifestkit: old.json.bak exists; move it away first (it may hold an earlier original)\n"
    )
    assert Path("old.json").read_text() == '{"version": 2, "title": "n"}'


def test_migrate_of_a_current_document_prints_it_with_a_note(run: Run, here: Path) -> None:
    mk.write(sample(), "s.toml")
    code, out, err = run("migrate", "s.toml")
    assert (code, out) == (0, mk.dumps(sample(), "toml").decode())
    assert err == 'manifestkit: note: s.toml needs no migration (version "1.0")\n'
    assert run("migrate", "nope.toml")[0] == 1


def test_migrate_of_a_sidecar_keeps_the_sidecar_table(run: Run, here: Path) -> None:
    Path("rec.bin").write_bytes(b"abc")
    side = mk.write_sidecar(Small(title="x"), "rec.bin")
    side.write_text(side.read_text().replace('version = 3\ntitle = "x"', 'version = 1\nname = "x"'))
    assert run("migrate", side, "--in-place")[0] == 0
    assert mk.read_sidecar("rec.bin", verify=True) == Small(title="x")
    assert "version = 3" in side.read_text()


# ------------------------------------------------------------------- schema


def test_schema_prints_the_json_schema(run: Run, here: Path) -> None:
    code, out, _ = run("schema", "test.kitchen")
    assert code == 0
    assert json.loads(out) == mk.json_schema(Kitchen)
    assert run("schema", "test.kitchen", "-o", "k.schema.json")[:2] == (0, "wrote k.schema.json\n")
    assert orjson.loads(Path("k.schema.json").read_bytes()) == mk.json_schema(Kitchen)
    code, _, err = run("schema", "test.nope")
    assert code == 2
    assert err.startswith("manifestkit schema: error: no schema named 'test.nope'")


# ------------------------------------------------------------ check-sidecar


def test_check_sidecar(run: Run, here: Path) -> None:
    Path("a.tiff").write_bytes(b"abc")
    Path("b.tiff").write_bytes(b"abc")
    mk.write_sidecar(sample(), "a.tiff")
    mk.write_sidecar(sample(), "b.tiff")
    assert run("check-sidecar", "a.tiff", "b.tiff") == (
        0,
        "a.tiff: ok (a.tiff.toml, manifestkit.demo)\nb.tiff: ok (b.tiff.toml, manifestkit.demo)\n",
        "",
    )
    Path("b.tiff").write_bytes(b"abd")
    code, out, _ = run("check-sidecar", "a.tiff", "b.tiff", "c.tiff")
    assert code == 1
    assert out.splitlines() == [
        "a.tiff: ok (a.tiff.toml, manifestkit.demo)",
        (
            f"b.tiff: the data file's sha256 is {mk.hash_file('b.tiff')}; the sidecar records "
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ),
        "c.tiff: (document): no sidecar (looked for c.tiff.json, c.tiff.toml)",
    ]


# ------------------------------------------------ errors never show a traceback


def test_debug_shows_the_traceback(run: Run, here: Path) -> None:
    code, _, err = run("show", "missing.json")
    assert code == 1
    assert "Traceback" not in err
    code, _, err = run("--debug", "show", "missing.json")
    assert code == 1
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith(
        "manifestkit: missing.json: (document): cannot read: No such file or directory\n"
    )
    assert run("show", "missing.json", "--debug")[2].startswith("Traceback")
    assert "Traceback" in run("validate", "--debug", "missing.json")[2]


def test_an_unexpected_error_is_reported_without_a_traceback(
    run: Run, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(obj: Any) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(_cli, "content_hash", broken)
    mk.write(sample(), "s.json")
    code, _, err = run("convert", "s.json", "s.toml")
    assert code == 1
    assert err == (
        "manifestkit: internal error: RuntimeError: a bug\n"
        "manifestkit: run again with --debug to see the traceback\n"
    )
    code, _, err = run("--debug", "convert", "s.json", "t.toml")
    assert code == 1
    assert "Traceback" in err
    assert err.endswith("manifestkit: internal error: RuntimeError: a bug\n")


def test_an_error_outside_any_file_is_reported_in_full(
    run: Run, here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mk.write(sample(), "s.json")
    code, _, err = run("schema", "manifestkit.demo", "-o", "no/such/folder/x.json")
    assert code == 1
    assert err.startswith("manifestkit: [Errno 2] cannot write: No such file or directory")

    def interrupted(args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli, "_cmd_schemas", interrupted)
    assert run("schemas") == (130, "", "manifestkit: interrupted\n")

    def failed(args: Any) -> int:
        raise mk.IntegrityError("2 files changed", [("a", "size"), ("b", "sha256")])

    monkeypatch.setattr(_cli, "_cmd_schemas", failed)
    assert run("schemas") == (
        1,
        "",
        "manifestkit: 2 files changed\nmanifestkit:   a: size\nmanifestkit:   b: sha256\n",
    )


def test_problems_of_an_integrity_error_list_each_file() -> None:
    exc = mk.IntegrityError("2 files changed", [("a.bin", "sha256 differs"), ("b.bin", "missing")])
    assert _cli_support.problem_lines("bundle", exc) == [
        "bundle: (document): 2 files changed",
        "bundle: (document): a.bin: sha256 differs",
        "bundle: (document): b.bin: missing",
    ]
    assert _cli_support.problem_lines("x", mk.ManifestError("plain")) == ["x: (document): plain"]
    version = mk.SchemaVersionError(
        "test.small", 9, ["1", "2", "3"], "is newer than this library reads"
    )
    assert _cli_support.problem_lines("x", version) == [
        "x: (document): test.small version 9 is newer than this library reads (supported: 1, 2, 3)"
    ]


_FILE_NAMES = st.sampled_from(["f.json", "f.toml", "f", "small.json", "f.tiff.toml"])


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=_FILE_NAMES,
    body=st.binary(max_size=60)
    | st.text(max_size=60).map(str.encode)
    | st.sampled_from(
        [
            b'{"version": 3, "title": 1e400}',
            b'{"version": "3", "title": "t"}',
            b'{"version": 99, "title": "t"}',
            b'{"version": 1, "title": "t"}',
            b'{"schema_version": "1.4", "owner": [[[[[[[[[[[[]]]]]]]]]]]]}',
            b'{"sidecar": {"schema": "x"}, "manifest": {}}',
            b'{"sidecar": {"schema": "test.small", "version": 7}, "manifest": {}}',
            b'{"version": 3, "title": "t", "size": 18446744073709551616}',
            b"[" * 5000,
            b'version = 3\ntitle = "\xff"',
        ]
    ),
    command=st.sampled_from(["validate", "hash", "show", "migrate", "convert", "diff"]),
)
def test_no_input_file_ever_causes_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, body: bytes, command: str
) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    args = {
        "convert": [command, str(path), str(tmp_path / "out.toml"), "--force"],
        "diff": [command, str(path), str(path)],
    }.get(command, [command, str(path)])
    code = main(args)
    out, err = capsys.readouterr()
    assert code in (0, 1), (out, err)
    assert "internal error" not in err
    assert "Traceback" not in err + out


def test_hash_in_the_mesokit_flavour_reproduces_mesokit_schemas_own_hashes(run: Run) -> None:
    # Golden values computed by mesokit-schema 1.1.0 itself (tests/data/mesokit/README.md).
    data = Path(__file__).parent / "data" / "mesokit"
    golden = json.loads((data / "golden_hashes.json").read_text())
    files = [str(data / "tree" / g["file"]) for g in golden]
    code, out, err = run("hash", "--flavour", "mesokit", *files)
    assert (code, err) == (0, "")
    assert out == "".join(
        f"{g['mesokit_schema_hash']}  {f}\n" for g, f in zip(golden, files, strict=True)
    )
    code, out, err = run("hash", *files)
    assert (code, err) == (0, "")
    assert out == "".join(
        f"{g['manifestkit_hash']}  {f}\n" for g, f in zip(golden, files, strict=True)
    )
