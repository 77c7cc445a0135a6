"""The public API: names, version, and the error hierarchy."""

from __future__ import annotations

import importlib
import importlib.metadata
import pickle
import subprocess
import sys

import pytest

import manifestkit as mk


def test_dir_matches_all() -> None:
    import manifestkit.schemas  # noqa: F401 - the subpackage is public too

    public = {name for name in dir(mk) if not name.startswith("_")}
    assert public - {"schemas"} == set(mk.__all__) - {"__version__"}


def test_every_public_name_resolves_to_its_module_object() -> None:
    for name in mk.__all__:
        value = getattr(mk, name)
        module = mk._LAZY.get(name)
        if module is not None:
            assert value is getattr(importlib.import_module(f"manifestkit.{module}"), name)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        mk.nothing  # noqa: B018 - the lookup is the test


def test_a_bare_import_loads_only_the_core() -> None:
    code = "import sys, manifestkit; print(' '.join(sorted(sys.modules)))"
    out = set(
        subprocess.run(
            [sys.executable, "-I", "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "manifestkit._io" in out
    later = {f"manifestkit.{m}" for m in mk._LAZY.values()}
    assert later == {
        f"manifestkit.{m}"
        for m in ("_integrity", "_jsonschema", "_paths", "_provenance", "_sidecar")
    }
    assert not later & out
    assert not {m for m in out if m.startswith("manifestkit.schemas")}
    # (Only our own imports are checked: under coverage the child process imports more.)
    assert "cattrs" not in out  # the slow path's converter is built on first need


def test_all_has_no_duplicates() -> None:
    assert len(mk.__all__) == len(set(mk.__all__))  # ruff's RUF022 keeps it sorted


def test_version_matches_metadata() -> None:
    assert mk.__version__ == importlib.metadata.version("manifestkit")


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (mk.ValidationError([("a", "b")]), ValueError),
        (mk.FormatError("bad"), ValueError),
        (mk.SchemaVersionError("s", 3, ["1", "2"], "is newer"), ValueError),
        (mk.ManifestDefinitionError("x"), TypeError),
        (mk.IntegrityError("x"), mk.ManifestError),
    ],
)
def test_every_error_is_a_manifest_error_and_its_builtin(error: Exception, builtin: type) -> None:
    assert isinstance(error, mk.ManifestError)
    assert isinstance(error, builtin)


def test_errors_pickle_with_their_attributes() -> None:
    v = pickle.loads(pickle.dumps(mk.ValidationError([("a[0]", "bad"), ("b", "worse")], title="t")))
    assert v.errors == [("a[0]", "bad"), ("b", "worse")]
    assert str(v) == "t with 2 problems:\n  a[0]: bad\n  b: worse"
    f = pickle.loads(
        pickle.dumps(mk.FormatError("oops", format="json", line=3, column=4, source="x.json"))
    )
    assert (f.message, f.format, f.line, f.column, f.source) == ("oops", "json", 3, 4, "x.json")
    assert str(f) == "invalid JSON (x.json; line 3, column 4): oops"
    s = pickle.loads(
        pickle.dumps(
            mk.SchemaVersionError(
                "bundle.manifest", 3, ["1", "2"], "is newer than this library reads"
            )
        )
    )
    assert (s.schema, s.found, s.supported) == ("bundle.manifest", 3, ("1", "2"))
    assert str(s) == "bundle.manifest version 3 is newer than this library reads (supported: 1, 2)"
    i = pickle.loads(pickle.dumps(mk.IntegrityError("2 files differ", [("a.bin", "hash differs")])))
    assert i.problems == [("a.bin", "hash differs")]
    assert str(i) == "2 files differ\n  a.bin: hash differs"


def test_io_errors_are_also_the_matching_oserror(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileNotFoundError) as info:
        mk.read(tmp_path / "missing.json")
    assert isinstance(info.value, mk.ManifestIOError)
    assert info.value.filename == str(tmp_path / "missing.json")
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, FileNotFoundError)
    assert isinstance(again, mk.ManifestError)
