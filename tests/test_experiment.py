"""The `experiment` schema pack: the versioned experiment manifest and its extensions."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from gitrepo import git, isolate_git, make_repo
from manifestkit.schemas import experiment as ex
from strategies import json_objects, json_values
from strategies.experiment import FOREIGN_KEYS, manifests, no_nulls

DATA = Path(__file__).parent / "data" / "experiment"
VALID = ["synthetic.json", "external_with_extensions.json", "detached_head.json"]
HINT = "unknown field (extension content belongs under the reserved key 'pytyche')"


@pytest.fixture(autouse=True)
def _own_extension_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    # Registrations made by a test (or by the docs' examples) stay with it.
    monkeypatch.setattr(ex, "_EXTENSIONS", {})


@mk.block
class Calibration:
    method: str
    bins: int = 10
    ece: float | None = None


@mk.block
class OtherCalibration:
    method: str


# ------------------------------------------------- the existing tool's checks


REQUIRED = {
    "manifest_schema_version",
    "experiment_id",
    "timestamp_utc",
    "git",
    "env",
    "params",
    "data_provenance",
}


def legacy_problem(doc: Any) -> str | None:
    """The existing tool's validator, restated from its specification (None: valid)."""
    if not isinstance(doc, dict):
        return "not a dict"
    if REQUIRED - doc.keys():
        return "missing: " + ", ".join(sorted(REQUIRED - doc.keys()))
    if set(doc) - REQUIRED - {"pytyche"}:
        return "foreign keys"
    prov = doc["data_provenance"]
    if not isinstance(prov, dict) or prov.get("kind") not in ("synthetic", "external"):
        return "bad kind"
    if prov["kind"] == "synthetic" and (
        not isinstance(prov.get("seed"), int) or isinstance(prov.get("seed"), bool)
    ):
        return "bad seed"
    if prov["kind"] == "external" and (
        not isinstance(prov.get("hashes"), dict) or not prov["hashes"]
    ):
        return "bad hashes"
    return None


def legacy_text(doc: dict[str, Any]) -> str:
    """A document as the existing tool writes it."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def as_legacy(m: ex.ExperimentManifest) -> dict[str, Any]:
    """The plain document the existing tool would have written for ``m``."""
    doc = mk.to_dict(m)
    doc["timestamp_utc"] = m.timestamp_utc.isoformat()  # +00:00, as datetime.isoformat writes it
    return doc


# ------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", VALID)
def test_documents_the_existing_tool_wrote_read_and_validate(name: str) -> None:
    path = DATA / name
    text = path.read_text(encoding="utf-8")
    original = json.loads(text)
    assert text == legacy_text(original)  # the files really are in the tool's layout
    m = mk.read(path, ex.ExperimentManifest)
    assert mk.detect_schema(original, str(path)) is ex.ExperimentManifest  # by its keys
    assert m.timestamp_utc.tzinfo is timezone.utc
    assert mk.to_dict(m) | {"timestamp_utc": original["timestamp_utc"]} == original
    assert as_legacy(m) == original


@pytest.mark.parametrize("name", VALID)
def test_golden_content_hashes(name: str) -> None:
    golden = json.loads((DATA / "golden_hashes.json").read_text())
    m = mk.read(DATA / name, ex.ExperimentManifest)
    assert mk.content_hash(m) == golden[name]
    # Recomputed by hand: these documents hold no number whose RFC 8785 form
    # differs from Python's, so sorted compact JSON is their canonical form.
    doc = json.loads((DATA / name).read_text())
    doc["timestamp_utc"] = doc["timestamp_utc"].replace("+00:00", "Z")
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == golden[name]


@pytest.mark.parametrize("name", VALID)
def test_files_we_write_pass_the_existing_tools_checks(name: str, tmp_path: Path) -> None:
    m = mk.read(DATA / name, ex.ExperimentManifest)
    written = json.loads(mk.write(m, tmp_path / "manifest.json").read_bytes())
    assert legacy_problem(written) is None
    original = json.loads((DATA / name).read_text())
    # The one difference: a UTC time is written with Z, which reads as the same instant.
    assert written == original | {"timestamp_utc": original["timestamp_utc"][:-6] + "Z"}
    assert mk.read(tmp_path / "manifest.json") == m


def test_the_wire_form_we_write(tmp_path: Path) -> None:
    m = mk.read(DATA / "detached_head.json", ex.ExperimentManifest)
    assert mk.dumps(m).decode() == (
        "{\n"
        '  "manifest_schema_version": 1,\n'
        '  "experiment_id": "2026-01-05T00:00:00+00:00_HEAD",\n'
        '  "timestamp_utc": "2026-01-05T00:00:00Z",\n'
        '  "git": {\n'
        '    "sha": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",\n'
        '    "dirty": true,\n'
        '    "branch": "HEAD"\n'
        "  },\n"
        '  "env": {\n'
        '    "python": "3.12.3 (main, Apr 10 2024, 05:33:47) [GCC 13.2.0]",\n'
        '    "platform": "Linux-6.8.0-31-generic-x86_64-with-glibc2.39"\n'
        "  },\n"
        '  "params": {},\n'
        '  "data_provenance": {\n'
        '    "kind": "synthetic",\n'
        '    "seed": -9223372036854775808\n'
        "  },\n"
        '  "pytyche": {}\n'
        "}\n"
    )
    assert m.git.detached


def _invalid() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((DATA / "invalid_documents.json").read_text())
    return entries


@pytest.mark.parametrize("entry", _invalid(), ids=lambda e: e["about"])
def test_invalid_documents_report_pinned_errors(entry: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(entry["document"], ex.ExperimentManifest)
    assert info.value.errors == [tuple(e) for e in entry["errors"]]
    # The same from a file written the way the existing tool writes.
    path = tmp_path / "manifest.json"
    path.write_text(legacy_text(entry["document"]))
    with pytest.raises(mk.ValidationError) as again:
        mk.read(path, ex.ExperimentManifest)
    assert again.value.errors == info.value.errors


def test_error_texts_in_full() -> None:
    doc = json.loads((DATA / "synthetic.json").read_text())
    doc["calibration"] = {}
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, ex.ExperimentManifest)
    assert str(info.value) == (
        "invalid ExperimentManifest: calibration: unknown field "
        "(extension content belongs under the reserved key 'pytyche')"
    )
    doc = json.loads((DATA / "synthetic.json").read_text())
    doc["data_provenance"] = {"kind": "simulated"}
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, ex.ExperimentManifest)
    assert str(info.value) == (
        'invalid ExperimentManifest: data_provenance.kind: expected one of "synthetic", '
        '"external", found a string ("simulated")'
    )


def test_many_bad_hashes_are_summed_up() -> None:
    hashes = {f"f{i}": "x" for i in range(5)} | {"good": "0" * 64}
    with pytest.raises(mk.ValidationError) as info:
        ex.ExternalData(hashes=hashes)
    assert info.value.errors == [
        (
            "hashes",
            (
                "expected each hash to be a sha256 hex digest (64 lower-case hex digits); "
                '"f0", "f1", "f2" and 2 more are not'
            ),
        )
    ]


def test_a_newer_schema_version_is_refused() -> None:
    doc = json.loads((DATA / "synthetic.json").read_text())
    doc["manifest_schema_version"] = 2
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.from_dict(doc, ex.ExperimentManifest)
    assert str(info.value) == (
        "experiment.manifest version 2 is newer than this library reads (supported: 1)"
    )


def test_a_document_that_is_not_an_object() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict([1], ex.ExperimentManifest)
    assert info.value.errors == [("", "expected an object, found an array")]


# ---------------------------------------------------------------- properties


@given(manifests())
def test_round_trips_through_plain_data_and_json(m: ex.ExperimentManifest) -> None:
    assert mk.from_dict(mk.to_dict(m), ex.ExperimentManifest) == m
    assert mk.loads(mk.dumps(m), ex.ExperimentManifest) == m


@given(manifests(free=json_objects(8).filter(no_nulls)))
def test_round_trips_through_toml_with_the_same_hash(m: ex.ExperimentManifest) -> None:
    again = mk.loads(mk.dumps(m, "toml"), ex.ExperimentManifest, "toml")
    assert again == m
    assert mk.content_hash(again) == mk.content_hash(m)


@given(manifests())
def test_every_manifest_we_write_passes_the_existing_tools_checks(m: ex.ExperimentManifest) -> None:
    written = json.loads(mk.dumps(m))
    assert legacy_problem(written) is None
    assert "pytyche" in written  # always written, even when empty
    assert list(written) == [
        "manifest_schema_version",
        "experiment_id",
        "timestamp_utc",
        "git",
        "env",
        "params",
        "data_provenance",
        "pytyche",
    ]


@given(manifests())
def test_every_document_the_existing_tool_writes_reads_back(m: ex.ExperimentManifest) -> None:
    text = legacy_text(as_legacy(m))
    again = mk.loads(text, ex.ExperimentManifest)
    assert again == m
    assert mk.content_hash(again) == mk.content_hash(m)


@given(manifests(), FOREIGN_KEYS, json_values(4))
def test_any_other_top_level_key_is_refused(m: ex.ExperimentManifest, key: str, value: Any) -> None:
    doc = mk.to_dict(m) | {key: value}
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, ex.ExperimentManifest)
    assert len(info.value.errors) == 1
    path, message = info.value.errors[0]
    assert message.startswith("unknown field")
    assert message.endswith("(extension content belongs under the reserved key 'pytyche')")
    assert key in path or path.startswith("[")


@given(manifests(), json_values(3).filter(lambda k: k not in ("synthetic", "external")))
def test_an_unknown_kind_names_data_provenance_and_lists_the_kinds(
    m: ex.ExperimentManifest, kind: Any
) -> None:
    doc = mk.to_dict(m)
    doc["data_provenance"] = {"kind": kind, "seed": 1}
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, ex.ExperimentManifest)
    ((path, message),) = info.value.errors
    assert path == "data_provenance.kind"
    assert message.startswith('expected one of "synthetic", "external", found ')


@given(st.booleans() | st.floats(allow_nan=False) | st.text() | st.none())
def test_a_synthetic_seed_is_only_ever_an_integer(seed: Any) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"kind": "synthetic", "seed": seed}, ex.SyntheticData)
    assert info.value.errors[0][0] == "seed"
    with pytest.raises(mk.ValidationError):
        ex.SyntheticData(seed=seed)


# ---------------------------------------------------------------- building


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(tmp_path, monkeypatch)
    return make_repo(tmp_path / "code", branch="trunk", files={"train.py": "print('hi')\n"})


def test_build_manifest_fills_git_env_and_time(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    before = mk.utc_now()
    m = ex.build_manifest(
        experiment_id="run-1",
        params={"lr": 0.1},
        data_provenance={"kind": "synthetic", "seed": 7},
    )
    after = mk.utc_now()
    assert m.git == mk.GitState(sha=git(repo, "rev-parse", "HEAD"), dirty=False, branch="trunk")
    assert m.env == ex.Environment(python=sys.version, platform=mk.capture_platform())
    assert before <= m.timestamp_utc <= after
    assert m.timestamp_utc.tzinfo is timezone.utc
    assert m.data_provenance == ex.SyntheticData(seed=7)
    assert m.pytyche == {}
    assert json.loads(mk.dumps(m))["pytyche"] == {}
    (repo / "scratch.txt").write_text("x")
    dirty = ex.build_manifest(
        experiment_id="run-2",
        params={},
        data_provenance=ex.ExternalData(hashes={"a": "0" * 64}),
        extensions={"notes": {"free": ["form"]}},
        cwd=repo,
    )
    assert dirty.git.dirty is True
    assert dirty.pytyche == {"notes": {"free": ["form"]}}


def test_build_manifest_outside_a_work_tree_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(mk.ManifestError) as info:
        ex.build_manifest(
            experiment_id="x", params={}, data_provenance=ex.SyntheticData(seed=1), cwd=tmp_path
        )
    assert str(info.value) == f"cannot read git state: {tmp_path} is not inside a git work tree"


def test_build_manifest_reports_every_bad_argument(repo: Path) -> None:
    with pytest.raises(mk.ValidationError) as info:
        ex.build_manifest(
            experiment_id="",
            params=[1],  # type: ignore[arg-type]
            data_provenance={"kind": "external", "hashes": {}},
            extensions=["calibration"],  # type: ignore[arg-type]
            cwd=repo,
        )
    # Every problem at once: the empty experiment_id's check runs beside the type errors.
    assert info.value.errors == [
        ("experiment_id", "expected an experiment id, found an empty string"),
        ("params", "expected an object, found an array"),
        (
            "data_provenance.hashes",
            "expected at least one name -> sha256 hash, found an empty object",
        ),
        ("pytyche", "expected an object, found an array"),
    ]


# -------------------------------------------------------------- extensions


def _doc(**pytyche: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "synthetic.json").read_text())
    doc["pytyche"] = pytyche
    return doc


def test_unregistered_capabilities_stay_free_form_and_are_kept() -> None:
    m = mk.read(DATA / "external_with_extensions.json", ex.ExperimentManifest)
    assert m.extension("calibration") == {"method": "isotonic", "bins": 15, "ece": 0.031}
    assert m.extension("notes") == {"author": "Zoë", "text": "température ✓"}
    assert (
        mk.to_dict(m)["pytyche"]
        == json.loads((DATA / "external_with_extensions.json").read_text())["pytyche"]
    )
    m = mk.from_dict(_doc(anything=[1, "two", None]), ex.ExperimentManifest)
    assert m.extension("anything") == [1, "two", None]


def test_a_registered_capability_is_validated_and_typed() -> None:
    ex.register_extension("calibration", Calibration)
    ex.register_extension("calibration", Calibration)  # again: harmless
    assert ex.registered_extensions() == {"calibration": Calibration}
    m = mk.read(DATA / "external_with_extensions.json", ex.ExperimentManifest)
    assert m.extension("calibration") == Calibration(method="isotonic", bins=15, ece=0.031)
    assert m.extension("notes") == {"author": "Zoë", "text": "température ✓"}  # still free-form
    assert (
        mk.content_hash(m)
        == json.loads((DATA / "golden_hashes.json").read_text())["external_with_extensions.json"]
    )
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(_doc(calibration={"bins": "15", "extra": 1}), ex.ExperimentManifest)
    assert info.value.errors == [
        ("pytyche.calibration.method", "required field is missing"),
        ("pytyche.calibration.bins", 'expected an integer, found a string ("15")'),
        ("pytyche.calibration.extra", "unknown field"),
    ]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(_doc(calibration=[1]), ex.ExperimentManifest)
    assert info.value.errors == [("pytyche.calibration", "expected an object, found an array")]


def test_build_manifest_takes_typed_extension_content(repo: Path) -> None:
    ex.register_extension("calibration", Calibration)
    m = ex.build_manifest(
        experiment_id="x",
        params={},
        data_provenance=ex.SyntheticData(seed=3),
        extensions={"calibration": Calibration(method="platt"), "notes": {"a": 1}},
        cwd=repo,
    )
    assert m.pytyche == {"calibration": {"method": "platt"}, "notes": {"a": 1}}
    assert m.extension("calibration") == Calibration(method="platt")
    with pytest.raises(mk.ValidationError) as info:
        ex.build_manifest(
            experiment_id="x",
            params={},
            data_provenance=ex.SyntheticData(seed=3),
            extensions={"calibration": {"method": 5}},
            cwd=repo,
        )
    assert info.value.errors == [
        ("pytyche.calibration.method", "expected a string, found an integer (5)")
    ]


def test_asking_for_an_absent_capability() -> None:
    m = mk.from_dict(_doc(), ex.ExperimentManifest)
    with pytest.raises(mk.ValidationError) as info:
        m.extension("calibration")
    assert (
        str(info.value) == "no such extension: pytyche.calibration: no content for this capability"
    )
    with pytest.raises(mk.ValidationError) as info:
        m.extension("two words")
    assert info.value.errors == [('pytyche["two words"]', "no content for this capability")]


def test_registration_rules() -> None:
    ex.register_extension("calibration", Calibration)
    with pytest.raises(mk.ManifestDefinitionError) as info:
        ex.register_extension("calibration", OtherCalibration)
    assert str(info.value) == (
        "extension 'calibration' is already registered to test_experiment.Calibration"
    )
    with pytest.raises(mk.ManifestDefinitionError) as info:
        ex.register_extension("two words", Calibration)
    assert str(info.value) == "an extension capability is named like an identifier, not 'two words'"
    with pytest.raises(mk.ManifestDefinitionError) as info:
        ex.register_extension("doc", ex.ExperimentManifest)
    assert str(info.value) == (
        "extension 'doc': register a @block class, not the document class ExperimentManifest"
    )
    with pytest.raises(mk.ManifestDefinitionError):
        ex.register_extension("plain", dict)


def test_the_schema_is_registered_through_its_entry_point() -> None:
    assert mk.get_schema("experiment.manifest") is ex.ExperimentManifest
    info = mk.schema_info(ex.ExperimentManifest)
    assert (info.version, info.version_field) == (1, "manifest_schema_version")
