"""The `study` schema pack: seeds, identifiers, budgets, provenance, observations, callables."""

from __future__ import annotations

import csv
import dataclasses
import enum
import hashlib
import importlib
import importlib.metadata
import io
import json
import sys
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from gitrepo import git, isolate_git, make_repo
from manifestkit.schemas import study
from manifestkit.schemas.study import _observations as study_observations
from strategies import INT64, json_objects, json_values
from strategies.study import (
    IDS,
    REPLICATES,
    observations,
    provenance_metadata,
    run_budgets,
    seed_policies,
)

DATA = Path(__file__).parent / "data" / "study"


# ------------------------------------------- the legacy algorithm, restated


def legacy_dumps(value: Any) -> str:
    """The study tool's serialisation of plain JSON data, as its specification states it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def expected_seed(
    policy: dict[str, Any], study_id: str, condition_id: str, replicate: int, salt: str
) -> int:
    payload = {
        **policy,
        "study_id": study_id,
        "condition_id": condition_id,
        "replicate": replicate,
        "salt": salt,
    }
    digest = hashlib.sha256(legacy_dumps(payload).encode("utf-8")).hexdigest()
    return int(digest[:16], 16) % (2**31 - 1)


def expected_identifier(prefix: str, payload: dict[str, Any], length: int) -> str:
    return f"{prefix}-{hashlib.sha256(legacy_dumps(payload).encode('utf-8')).hexdigest()[:length]}"


def _table(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return rows


# -------------------------------------------------------------------- seeds


@pytest.mark.parametrize(
    "row", _table("seeds.json"), ids=lambda r: f"{r['study_id']!r}-{r['replicate']}"
)
def test_golden_seeds(row: dict[str, Any]) -> None:
    policy = study.SeedPolicy(**row["policy"])
    args = (row["study_id"], row["condition_id"], row["replicate"], row["salt"])
    assert policy.derive_seed(*args) == row["seed"]
    assert expected_seed(row["policy"], *args) == row["seed"]  # the table holds the legacy values


def test_seed_defaults_and_the_first_golden_values() -> None:
    policy = study.SeedPolicy()
    assert (policy.base_seed, policy.strategy, policy.per_run_offset) == (
        0,
        "condition_replicate",
        9973,
    )
    assert policy.derive_seed("study-a", "baseline", 0) == 629980577
    assert policy.derive_seed("study-a", "baseline", 1) == 1053293103
    assert policy.derive_seed("study-a", "baseline", 0, salt="") == 629980577
    assert mk.to_dict(policy) == {}  # every field at its default


@given(seed_policies(), IDS, IDS, REPLICATES, IDS)
def test_seeds_follow_the_legacy_algorithm(
    policy: study.SeedPolicy, study_id: str, condition_id: str, replicate: int, salt: str
) -> None:
    seed = policy.derive_seed(study_id, condition_id, replicate, salt)
    fields = {
        "base_seed": policy.base_seed,
        "strategy": policy.strategy,
        "per_run_offset": policy.per_run_offset,
    }
    assert seed == expected_seed(fields, study_id, condition_id, replicate, salt)
    assert 0 <= seed < 2**31 - 1


def test_seed_arguments_are_checked() -> None:
    with pytest.raises(mk.ValidationError) as info:
        study.SeedPolicy().derive_seed(1, "c", True, salt=None)  # type: ignore[arg-type]
    assert str(info.value) == (
        "invalid seed arguments with 3 problems:\n"
        "  study_id: expected a string, found an integer (1)\n"
        "  replicate: expected an integer, found a boolean (True)\n"
        "  salt: expected a string, found None"
    )
    with pytest.raises(mk.ValidationError) as info:
        study.SeedPolicy().derive_seed("s", ["c"], 1.0)  # type: ignore[arg-type]
    assert info.value.errors == [
        ("condition_id", "expected a string, found a list"),
        ("replicate", "expected an integer, found a number (1.0)"),
    ]


def test_seed_policy_fields_are_checked() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"base_seed": "0", "per_run_offset": 1.5, "stratgy": "x"}, study.SeedPolicy)
    assert info.value.errors == [
        ("base_seed", 'expected an integer, found a string ("0")'),
        ("per_run_offset", "expected an integer, found a number (1.5)"),
        ("stratgy", "unknown field; did you mean 'strategy'?"),
    ]


# -------------------------------------------------------------- identifiers


@pytest.mark.parametrize("row", _table("identifiers.json"), ids=lambda r: r["identifier"])
def test_golden_identifiers(row: dict[str, Any]) -> None:
    made = study.hash_identifier(row["prefix"], row["payload"], length=row["length"])
    assert made == row["identifier"]
    assert expected_identifier(row["prefix"], row["payload"], row["length"]) == row["identifier"]


def test_identifier_defaults_to_twelve_digits() -> None:
    assert study.hash_identifier("run", {"study": "s1", "replicate": 0}) == "run-2e21c1a85ae7"


@given(IDS, json_objects(10), st.integers(min_value=1, max_value=80))
def test_identifiers_follow_the_legacy_algorithm(
    prefix: str, payload: dict[str, Any], length: int
) -> None:
    made = study.hash_identifier(prefix, payload, length=length)
    assert made == expected_identifier(prefix, payload, length)
    assert len(made) == len(prefix) + 1 + min(length, 64)


def test_identifier_arguments_are_checked() -> None:
    with pytest.raises(mk.ValidationError) as info:
        study.hash_identifier(3, [], length="12")  # type: ignore[arg-type]
    assert info.value.errors == [
        ("prefix", "expected a string, found an integer (3)"),
        ("payload", "expected a mapping, found a list"),
        ("length", 'expected an integer, found a string ("12")'),
    ]
    with pytest.raises(mk.ValidationError) as info:
        study.hash_identifier("x", {}, length=0)
    assert str(info.value) == "invalid identifier arguments: length: must be at least 1, found 0"


# ------------------------------------------------------- legacy serialisation


@given(json_values(20))
def test_legacy_json_of_plain_data_is_python_json_dumps(value: Any) -> None:
    assert study.legacy_json(value) == legacy_dumps(value)


class Color(enum.Enum):
    RED = "red"


class Shown:
    def __str__(self) -> str:
        return "shown as text"


@dataclasses.dataclass
class LegacyPolicy:
    """What the study tool's dataclass held."""

    base_seed: int = 0
    strategy: str = "condition_replicate"
    per_run_offset: int = 9973


def test_legacy_json_converts_python_values_the_old_way() -> None:
    value = {
        "enum": study.RunStatus.FAILED,
        "plain_enum": Color.RED,
        "tuple": (1, "a"),
        "set": frozenset({3}),
        "path": PurePosixPath("data/run.csv"),
        "dataclass": LegacyPolicy(),
        "when": datetime(2026, 5, 14, 10, 0, tzinfo=timezone.utc),
        "other": Shown(),
        7: None,
        study.ObservationLevel.TOOL_CALL: 1.0,
    }
    assert study.legacy_json(value) == (
        '{"7":null,"dataclass":{"base_seed":0,"per_run_offset":9973,"strategy":"condition_replicate"},'
        '"enum":"failed","other":"shown as text","path":"data/run.csv","plain_enum":"red","set":[3],'
        '"tool-call":1.0,"tuple":[1,"a"],"when":"2026-05-14 10:00:00+00:00"}'
    )


def test_manifest_instances_serialise_as_the_old_dataclasses_did() -> None:
    assert study.legacy_json(study.SeedPolicy()) == study.legacy_json(LegacyPolicy())
    policy = study.SeedPolicy(base_seed=3)
    assert study.hash_identifier("study", {"seed_policy": policy}) == study.hash_identifier(
        "study", {"seed_policy": dataclasses.asdict(LegacyPolicy(base_seed=3))}
    )
    budget = study.RunBudget(max_runs=5)
    assert study.legacy_json(budget) == (
        '{"fail_fast":false,"max_runs":5,"parallelism":1,"replicates":1}'
    )
    meta = study.ProvenanceMetadata(
        captured_at=datetime(2026, 5, 14, 10, 0, 1, tzinfo=timezone.utc),
        host="h",
        platform="p",
        python_version="3.12.4",
    )
    # The old dataclass held the time as the text datetime.isoformat() gave.
    assert study.legacy_json(meta) == (
        '{"captured_at":"2026-05-14T10:00:01+00:00","extra":{},"git_sha":null,"host":"h",'
        '"package_versions":{},"platform":"p","python_version":"3.12.4"}'
    )
    obs = study.Observation(
        timestamp="t", record_id="r", text="x", session_id="s", actor_id="a", event_type="e"
    )
    assert json.loads(study.legacy_json(obs))["level"] == "step"
    assert json.loads(study.legacy_json(obs))["meta_json"] == {}


def test_legacy_json_refuses_what_it_cannot_write() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(mk.ValidationError) as info:
        study.legacy_json(loop)
    assert str(info.value) == "cannot serialise: value: nested too deeply, or contains itself"

    class Odd(enum.Enum):
        THING = object()

    with pytest.raises(mk.ValidationError) as info:
        study.legacy_json({"odd": Odd.THING})
    assert str(info.value) == (
        "cannot serialise: value: cannot be written as JSON "
        "(Object of type object is not JSON serializable)"
    )


# ------------------------------------------------------------------- budget


def test_run_budget_defaults_and_checks() -> None:
    assert study.RunBudget() == study.RunBudget(
        replicates=1, max_runs=None, parallelism=1, fail_fast=False
    )
    with pytest.raises(mk.ValidationError) as info:
        study.RunBudget(replicates=0, max_runs=0, parallelism=-3)
    assert str(info.value) == (
        "invalid RunBudget with 3 problems:\n"
        "  replicates: must be at least 1, found 0\n"
        "  max_runs: must be at least 1, found 0\n"
        "  parallelism: must be at least 1, found -3"
    )
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"replicates": 2, "max_runs": -1}, study.RunBudget)
    assert info.value.errors == [("max_runs", "must be at least 1, found -1")]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"replicates": True, "fail_fast": 1}, study.RunBudget)
    assert info.value.errors == [
        ("replicates", "expected an integer, found a boolean (true)"),
        ("fail_fast", "expected a boolean, found an integer (1)"),
    ]


@given(INT64, st.none() | INT64, INT64)
def test_a_budget_is_valid_exactly_when_its_bounds_hold(
    replicates: int, max_runs: int | None, parallelism: int
) -> None:
    valid = replicates >= 1 and parallelism >= 1 and (max_runs is None or max_runs >= 1)
    doc = {"replicates": replicates, "max_runs": max_runs, "parallelism": parallelism}
    try:
        budget = mk.from_dict(doc, study.RunBudget)
    except mk.ValidationError as exc:
        assert not valid
        failed = {path for path, _ in exc.errors}
        assert failed == {
            name
            for name, ok in (
                ("replicates", replicates >= 1),
                ("max_runs", max_runs is None or max_runs >= 1),
                ("parallelism", parallelism >= 1),
            )
            if not ok
        }
    else:
        assert valid
        assert (budget.replicates, budget.max_runs, budget.parallelism) == (
            replicates,
            max_runs,
            parallelism,
        )


@given(run_budgets(), seed_policies())
def test_budgets_and_policies_round_trip(budget: study.RunBudget, policy: study.SeedPolicy) -> None:
    assert mk.from_dict(mk.to_dict(budget), study.RunBudget) == budget
    assert mk.from_dict(mk.to_dict(policy), study.SeedPolicy) == policy


# -------------------------------------------------------------- provenance


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(tmp_path, monkeypatch)
    return make_repo(tmp_path / "code", files={"a.txt": "a"})


def test_capture_records_the_machine_and_the_commit(repo: Path) -> None:
    before = mk.utc_now(microseconds=False)
    meta = study.ProvenanceMetadata.capture(
        ["attrs", "surely-not-installed"], cwd=repo, extra={"run": 3}
    )
    assert before <= meta.captured_at <= mk.utc_now()
    assert meta.captured_at.microsecond == 0
    assert meta.captured_at.tzinfo is timezone.utc
    assert meta.git_sha == git(repo, "rev-parse", "HEAD")
    assert meta.package_versions == {
        "attrs": importlib.metadata.version("attrs"),
        "surely-not-installed": "not-installed",
    }
    assert meta.python_version == sys.version.split()[0]
    assert meta.host == mk.capture_host()
    assert meta.platform == mk.capture_platform()
    assert meta.extra == {"run": 3}


def test_capture_outside_a_repository_has_no_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    meta = study.ProvenanceMetadata.capture(cwd=tmp_path)
    assert meta.git_sha is None
    assert meta.package_versions == {}
    assert meta.extra == {}
    assert "git_sha" not in mk.to_dict(meta)


def test_provenance_metadata_checks() -> None:
    with pytest.raises(mk.ValidationError) as info:
        study.ProvenanceMetadata(
            captured_at=datetime(2026, 5, 14, 10, 0, 0, 250000, tzinfo=timezone.utc),
            host="h",
            platform="p",
            python_version="3.12",
            git_sha="HEAD",
        )
    assert info.value.errors == [
        ("captured_at", "expected a time in whole seconds, found 2026-05-14T10:00:00.250000+00:00"),
        ("git_sha", "expected a commit id of 40 or 64 lower-case hex digits, found 'HEAD'"),
    ]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(
            {"captured_at": "2026-05-14T12:00:00+02:00", "host": "h", "platform": "p"},
            study.ProvenanceMetadata,
        )
    assert info.value.errors == [
        (
            "captured_at",
            "expected a UTC date-time (ending in Z or +00:00), found 2026-05-14T12:00:00+02:00",
        ),
        ("python_version", "required field is missing"),
    ]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(
            {
                "captured_at": "2026-05-14T12:00:00+02:00",
                "host": "h",
                "platform": "p",
                "python_version": "3.12",
            },
            study.ProvenanceMetadata,
        )
    assert info.value.errors == [
        (
            "captured_at",
            "expected a UTC date-time (ending in Z or +00:00), found 2026-05-14T12:00:00+02:00",
        )
    ]


@given(provenance_metadata())
def test_provenance_metadata_round_trips(meta: study.ProvenanceMetadata) -> None:
    assert mk.loads(mk.dumps(meta), study.ProvenanceMetadata) == meta
    assert mk.from_dict(mk.to_dict(meta), study.ProvenanceMetadata) == meta


def test_provenance_files_are_detected(tmp_path: Path) -> None:
    meta = study.ProvenanceMetadata(
        captured_at=datetime(2026, 5, 14, 10, 0, tzinfo=timezone.utc),
        host="h",
        platform="p",
        python_version="3.12.4",
        git_sha="a" * 40,
    )
    path = mk.write(meta, tmp_path / "provenance.json")
    assert json.loads(path.read_bytes()) == {
        "captured_at": "2026-05-14T10:00:00Z",
        "host": "h",
        "platform": "p",
        "python_version": "3.12.4",
        "git_sha": "a" * 40,
    }
    assert mk.detect_schema(json.loads(path.read_bytes())) is study.ProvenanceMetadata
    assert mk.read(path, study.ProvenanceMetadata) == meta
    assert mk.get_schema("study.provenance") is study.ProvenanceMetadata


# ------------------------------------------------------------- observations


def test_enum_values() -> None:
    assert [m.value for m in study.ConstraintSeverity] == ["error", "warning"]
    assert [m.value for m in study.RunStatus] == [
        "pending",
        "running",
        "success",
        "failed",
        "skipped",
    ]
    assert [m.value for m in study.ObservationLevel] == [
        "study",
        "run",
        "trial",
        "step",
        "tool-call",
        "evaluation",
    ]
    assert str(study.ObservationLevel.TOOL_CALL) == "tool-call"
    assert f"{study.RunStatus.FAILED}" == "failed"
    assert study.RunStatus("success") is study.RunStatus.SUCCESS


def observation(**changes: Any) -> study.Observation:
    fields: dict[str, Any] = {
        "timestamp": "2026-05-14T10:00:00+00:00",
        "record_id": "r1",
        "text": "hello",
        "session_id": "s1",
        "actor_id": "a1",
        "event_type": "step",
    }
    return study.Observation(**(fields | changes))


def test_to_row() -> None:
    row = observation(meta_json={"z": [1, 2], "a": "é"}, level="tool-call", run_id="run-1").to_row()
    assert row == {
        "timestamp": "2026-05-14T10:00:00+00:00",
        "record_id": "r1",
        "text": "hello",
        "session_id": "s1",
        "actor_id": "a1",
        "event_type": "step",
        "meta_json": '{"a":"\\u00e9","z":[1,2]}',
        "level": "tool-call",
        "study_id": None,
        "run_id": "run-1",
        "condition_id": None,
        "trial_id": None,
        "step_id": None,
        "tool_name": None,
        "evaluation_id": None,
    }
    assert tuple(row) == study.OBSERVATION_COLUMNS
    assert observation().to_row()["level"] == "step"
    assert observation().to_row()["meta_json"] == "{}"


def test_observation_fields_are_checked() -> None:
    with pytest.raises(mk.ValidationError) as info:
        observation(level="tool_call", meta_json=[], run_id=5)
    assert info.value.errors == [
        ("meta_json", "expected a dict, found an array"),
        (
            "level",
            (
                'expected one of "study", "run", "trial", "step", "tool-call", "evaluation", '
                'found a string ("tool_call")'
            ),
        ),
        ("run_id", "expected a string, found an integer (5)"),
    ]


@given(observations())
def test_every_row_is_the_legacy_row(obs: study.Observation) -> None:
    row = obs.to_row()
    assert row["meta_json"] == legacy_dumps(obs.meta_json)
    assert row["level"] == obs.level.value
    assert {k: v for k, v in row.items() if k not in ("meta_json", "level")} == {
        name: getattr(obs, name)
        for name in study.OBSERVATION_COLUMNS
        if name not in ("meta_json", "level")
    }
    assert mk.from_dict(mk.to_dict(obs), study.Observation) == obs


@given(st.lists(observations(), max_size=4))
def test_jsonl_and_csv_read_back_as_the_rows(rows: list[study.Observation]) -> None:
    out = io.BytesIO()
    assert study.write_jsonl(rows, out) == len(rows)
    lines = out.getvalue().decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert [json.loads(line) for line in lines[:-1]] == [o.to_row() for o in rows]
    out = io.BytesIO()
    assert study.write_csv(iter(rows), out) == len(rows)
    cells = [["" if v is None else v for v in o.to_row().values()] for o in rows]
    if sys.version_info < (3, 11) and any("\x00" in c for row in cells for c in row):
        return  # Python 3.10's csv module can neither write nor read a NUL (see below)
    expected = io.StringIO(newline="")
    csv.writer(expected).writerows([study.OBSERVATION_COLUMNS, *cells])
    assert out.getvalue() == expected.getvalue().encode("utf-8")  # the csv module's bytes
    table = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"), newline="")))
    assert table == [list(study.OBSERVATION_COLUMNS), *cells]


def test_csv_quoting_and_nul_are_the_same_on_every_python() -> None:
    out = io.BytesIO()
    study.write_csv([observation(text='a,b "c"\rd\ne', actor_id="nul\x00here", run_id="")], out)
    assert out.getvalue().split(b"\r\n")[1] == (
        b'2026-05-14T10:00:00+00:00,r1,"a,b ""c""\rd\ne",s1,nul\x00here,step,{},step,,,,,,,'
    )


def test_golden_exports(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (DATA / "observations.jsonl").read_text().splitlines()]
    obs = [
        study.Observation(
            **{k: v for k, v in row.items() if k != "meta_json"},
            meta_json=json.loads(row["meta_json"]),
        )
        for row in rows
    ]
    assert [o.to_row() for o in obs] == rows
    assert study.write_jsonl(obs, tmp_path / "o.jsonl") == 3
    assert (tmp_path / "o.jsonl").read_bytes() == (DATA / "observations.jsonl").read_bytes()
    assert study.write_csv(obs, tmp_path / "o.csv") == 3
    assert (tmp_path / "o.csv").read_bytes() == (DATA / "observations.csv").read_bytes()


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".mk-tmp"))


@pytest.mark.parametrize("write", [study.write_jsonl, study.write_csv])
def test_a_failed_export_leaves_the_old_file(write: Any, tmp_path: Path) -> None:
    path = tmp_path / "trace.out"
    path.write_bytes(b"old")

    def broken() -> Iterator[study.Observation]:
        yield observation()
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError, match="source went away"):
        write(broken(), path)
    assert path.read_bytes() == b"old"
    with pytest.raises(mk.ValidationError) as info:
        write([observation(), {"timestamp": "t"}], path)
    assert (
        str(info.value) == "cannot write observations: [1]: expected an Observation, found a dict"
    )
    assert path.read_bytes() == b"old"
    assert _temp_files(tmp_path) == []


@pytest.mark.parametrize("write", [study.write_jsonl, study.write_csv])
def test_a_stream_is_written_to_and_left_open(write: Any) -> None:
    out = io.BytesIO()
    write([observation()], out)
    assert not out.closed
    out.write(b"more")


class Sink(io.RawIOBase):
    """Counts what it is given and keeps none of it."""

    def __init__(self) -> None:
        self.size = 0
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        self.lines += chunk.count(b"\n")
        return len(chunk)


ROW = observation(run_id="run-0001", level="run")


def _feed(n: int, sink: Sink, header: int, ahead: list[int]) -> Iterator[study.Observation]:
    """Yield n observations, noting how far the writer ever got ahead of its output."""
    for i in range(n):
        ahead[0] = max(ahead[0], i - (sink.lines - header))
        yield ROW


# A writer gathers at most 256 rows (the CSV text layer fewer) before it writes them out.
BOUND = study_observations.BATCH_ROWS


@pytest.mark.parametrize(("write", "header"), [(study.write_jsonl, 0), (study.write_csv, 1)])
def test_a_million_rows_stream_through_and_never_pile_up(write: Any, header: int) -> None:
    sink = Sink()
    ahead = [0]
    assert write(_feed(1_000_000, sink, header, ahead), sink) == 1_000_000
    assert sink.lines == 1_000_000 + header
    assert sink.size > 50_000_000
    assert ahead[0] <= BOUND


def _peak(write: Any, n: int) -> tuple[int, int]:
    sink = Sink()
    rows = _feed(n, sink, 0, [0])
    tracemalloc.start()
    try:
        write(rows, sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, sink.size


@pytest.mark.parametrize("write", [study.write_jsonl, study.write_csv])
def test_memory_stays_flat_however_long_the_export(write: Any) -> None:
    write([ROW], Sink())  # first-use costs (imports, caches) are not the export's
    small, _ = _peak(write, 2_000)
    large, size = _peak(write, 20_000)
    assert large < small + 16_384  # ten times the rows, no more memory
    # and far less than the output: a batch (64 KiB) and its copy, whatever the length
    assert large < size // 8


# ---------------------------------------------------------------- callables


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for throwaway modules, forgotten again afterwards."""
    folder = tmp_path / "mods"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if name.startswith("mk_study_"):
            del sys.modules[name]


def _module(folder: Path, name: str, source: str) -> None:
    (folder / f"{name}.py").write_text(source)
    importlib.invalidate_caches()


HOOK = """\
from pathlib import Path
Path(__file__).with_suffix(".imported").write_text("yes")

def hook(x):
    Path(__file__).with_suffix(".called").write_text("yes")
    return x * 2

class Tools:
    @staticmethod
    def double(x):
        return 2 * x

NOT_CALLABLE = 3
"""


def test_load_callable(modules: Path) -> None:
    _module(modules, "mk_study_hooks", HOOK)
    fn = study.load_callable("mk_study_hooks:hook")
    assert fn(21) == 42
    assert study.load_callable("mk_study_hooks:Tools.double")(4) == 8
    assert study.load_callable("json:dumps") is json.dumps


def test_a_callable_reference_that_is_not_a_string_is_named_not_a_type_error() -> None:
    why = 'expected a reference of the form "package.module:name", found an integer (5)'
    assert study.check_callable_reference(5) == why  # type: ignore[arg-type]
    with pytest.raises(mk.ValidationError) as info:
        study.load_callable(5)  # type: ignore[arg-type]
    assert info.value.errors == [("reference", why)]


def test_reading_a_manifest_never_loads_the_callable_it_names(modules: Path) -> None:
    _module(modules, "mk_study_lazy", HOOK)

    @mk.block
    class Step:
        name: str
        hook: str = mk.field(check=study.check_callable_reference)

    step = mk.from_dict({"name": "s", "hook": "mk_study_lazy:hook"}, Step)
    assert mk.loads(mk.dumps(step), Step) == step
    assert "mk_study_lazy" not in sys.modules
    assert not (modules / "mk_study_lazy.imported").exists()
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"name": "s", "hook": "mk_study_lazy.hook"}, Step)
    assert info.value.errors == [
        (
            "hook",
            'expected a reference of the form "package.module:name", found "mk_study_lazy.hook" (no colon)',
        )
    ]
    fn = study.load_callable(step.hook, field="hook")
    assert (modules / "mk_study_lazy.imported").exists()
    assert not (modules / "mk_study_lazy.called").exists()  # loading is not calling
    assert fn(1) == 2


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "os.path",
            'expected a reference of the form "package.module:name", found "os.path" (no colon)',
        ),
        (
            "os:",
            'expected a reference of the form "package.module:name", found "os:"',
        ),
        (
            "mk_study_missing.sub:run",
            (
                'cannot import "mk_study_missing.sub" for "mk_study_missing.sub:run": '
                'no module named "mk_study_missing"'
            ),
        ),
        (
            "mk_study_needs_dep:run",
            (
                'cannot import "mk_study_needs_dep" for "mk_study_needs_dep:run": '
                'no module named "mk_study_no_such_dependency" (imported by "mk_study_needs_dep")'
            ),
        ),
        (
            "mk_study_broken:run",
            'cannot import "mk_study_broken" for "mk_study_broken:run": RuntimeError: boom',
        ),
        (
            "mk_study_hooks2:nothing",
            '"mk_study_hooks2:nothing" names nothing: "mk_study_hooks2" has no attribute "nothing"',
        ),
        (
            "mk_study_hooks2:Tools.missing",
            (
                '"mk_study_hooks2:Tools.missing" names nothing: "mk_study_hooks2" has no attribute '
                '"Tools.missing"'
            ),
        ),
        (
            "mk_study_hooks2:NOT_CALLABLE",
            '"mk_study_hooks2:NOT_CALLABLE" names a int object, not a callable',
        ),
    ],
)
def test_bad_references_name_themselves(modules: Path, reference: str, message: str) -> None:
    _module(modules, "mk_study_needs_dep", "import mk_study_no_such_dependency\n")
    _module(modules, "mk_study_broken", "raise RuntimeError('boom')\n")
    _module(modules, "mk_study_hooks2", HOOK)
    with pytest.raises(mk.ValidationError) as info:
        study.load_callable(reference)
    assert info.value.errors == [("reference", message)]
    assert str(info.value) == f"cannot load callable: reference: {message}"


def test_a_reference_that_is_not_text() -> None:
    with pytest.raises(mk.ValidationError) as info:
        study.load_callable(None, field="steps[2].hook")  # type: ignore[arg-type]
    assert info.value.errors == [
        ("steps[2].hook", 'expected a reference of the form "package.module:name", found None')
    ]


@given(
    st.from_regex(
        r"[a-z_][a-z0-9_]{0,5}(\.[a-z_][a-z0-9_]{0,5}){0,2}:[A-Za-z_]\w{0,5}", fullmatch=True
    )
)
def test_well_formed_references_pass_the_form_check(reference: str) -> None:
    assert study.check_callable_reference(reference) is None


@given(st.text(max_size=12).filter(lambda t: t.count(":") != 1))
def test_references_without_exactly_one_colon_fail_the_form_check(reference: str) -> None:
    message = study.check_callable_reference(reference)
    assert message is not None
    assert message.startswith('expected a reference of the form "package.module:name", found ')


def test_the_pack_is_registered_through_its_entry_point() -> None:
    assert "study.provenance" in mk.registered_schemas()
