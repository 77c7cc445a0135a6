"""The benchmark compares like with like, and its ratios and targets are computed right.

benchmarks/ holds plain scripts, not a package: they are loaded by path. The
timing itself is never asserted (CI's tox ``bench`` env runs the script).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import mesokit_schema
import msgspec
import orjson
import pytest
import tomli_w

import manifestkit as mk
from manifestkit.schemas import mesokit

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))  # compare.py imports its neighbours by name
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered first: msgspec resolves annotations through sys.modules, and compare.py
    # then imports these very modules rather than second copies.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


documents = _load("documents")
msgspec_model = _load("msgspec_model")
compare = _load("compare")
encode_floor = _load("encode_floor")


def _struct_plain(value: Any) -> Any:
    """Every field of a msgspec Struct, defaults included (to_builtins would omit them)."""
    if isinstance(value, msgspec.Struct):
        return {f: _struct_plain(getattr(value, f)) for f in value.__struct_fields__}
    if isinstance(value, (list, tuple)):
        return [_struct_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _struct_plain(v) for k, v in value.items()}
    return value


def _exact(plain: Any) -> bytes:
    # Bytes, so that 4 and 4.0 or True and 1 (equal in Python) still differ.
    return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)


@pytest.mark.parametrize("n", [0, 1, 7])
def test_every_peer_decodes_the_document_to_the_same_data(n: int) -> None:
    data = documents.acquisition_json(n)
    ours = mk.loads(data, mesokit.AcquisitionManifest)
    theirs = mesokit_schema.AcquisitionManifest.model_validate_json(data)
    floor = msgspec_model.DECODER.decode(data)

    ours_plain = _exact(mk.to_dict(ours, include_defaults=True))
    assert ours_plain == _exact(theirs.model_dump())
    assert ours_plain == _exact(_struct_plain(floor))
    # The document is what mesokit-schema writes: every field, none dropped or added.
    assert theirs.model_dump(mode="json") == documents.acquisition_document(n)
    assert len(theirs.producers) == n


def test_the_document_is_deterministic_and_about_the_issues_size() -> None:
    data = documents.acquisition_json(100)
    assert data == documents.acquisition_json(100)
    assert 80_000 < len(data) < 95_000  # the issue's reference: 87 KB at 100 producers
    devices = {p["device_type"] for p in documents.acquisition_document(6)["producers"]}
    assert devices == {"MMCamera", "OpenCVCamera", "SerialWorker", "NIDAQ", "PsychoPy"}


def test_every_contender_runs_on_a_small_document() -> None:
    ops, size = compare.contenders(3)
    assert size == len(documents.acquisition_json(3))
    assert sorted(ops) == sorted(compare.OPS)
    results = {op: {peer: run() for peer, run in peers.items()} for op, peers in ops.items()}
    ours = mk.loads(documents.acquisition_json(3), mesokit.AcquisitionManifest)
    assert results["decode"][compare.OURS] == ours
    assert results["content_hash"][compare.OURS] == mk.content_hash(ours)
    # The TOML baselines work on the very plain data our TOML writer gets.
    toml = results["toml_write"][compare.OURS]
    assert toml.split(b"\n", 1)[1] == results["toml_write"][compare.PLAIN]
    assert results["toml_read"][compare.PLAIN] == mk.to_dict(ours)
    assert results["toml_read"][compare.OURS] == ours
    assert tomli_w.dumps(mk.to_dict(ours)).encode() == results["toml_write"][compare.PLAIN]
    # The file-layout row: all three write 2-space-indented JSON of the same data.
    file_layout = results["encode_file"]
    assert file_layout[compare.OURS] == mk.dumps(ours)
    for peer in (compare.PYDANTIC, compare.MSGSPEC):
        text = file_layout[peer]
        text = text if isinstance(text, str) else text.decode()
        assert text.startswith(
            (
                '{\n  "mesofield_version": "0.9.3",\n',
                '{\n  "schema_version": "1.1.0",\n  "mesofield_version": "0.9.3",\n',
            )
        )
        assert _exact(orjson.loads(text)) == _exact(orjson.loads(results["encode"][peer]))


def test_ratio_is_ours_over_theirs_and_none_when_missing() -> None:
    assert compare.ratio(0.44, 0.29) == pytest.approx(1.5172, abs=1e-4)
    assert compare.ratio(1.0, 4.0) == 0.25
    assert compare.ratio(None, 1.0) is None
    assert compare.ratio(1.0, None) is None
    assert compare.ratio(1.0, 0.0) is None


def _medians() -> dict[str, dict[int, dict[str, float]]]:
    ms = 1e-3  # medians are in seconds
    return {
        "decode": {
            3: {"manifestkit": 9 * ms, "pydantic": 1 * ms},  # not a target size: never checked
            100: {"manifestkit": 0.44 * ms, "pydantic": 0.29 * ms, "msgspec": 0.11 * ms},
            2000: {"manifestkit": 8 * ms, "pydantic": 8 * ms},
        },
        "encode": {100: {"manifestkit": 0.13 * ms, "pydantic": 0.12 * ms}},
        "content_hash": {100: {"manifestkit": 0.3 * ms, "pydantic": 0.75 * ms}},
        "toml_write": {100: {"manifestkit": 11.5 * ms, "plain": 10 * ms}},
        "toml_read": {100: {"manifestkit": 1234.4 * ms, "plain": 1000 * ms}},
    }


def test_targets_are_checked_at_100_and_at_2000_producers_and_up() -> None:
    rows = compare.evaluate(
        _medians(),
        {"manifestkit": 0.06, "pydantic": 0.1, "msgspec": 0.02},
        {"producers": 10_000, "ratio": 3.0, "ratio_resident": 2.5},
    )
    found = {(r["target"], r["producers"]): (r["ratio"], r["met"]) for r in rows}
    assert found == {
        ("decode + validate <= 1.0x pydantic", 100): (pytest.approx(0.44 / 0.29), False),
        ("decode + validate <= 1.0x pydantic", 2000): (1.0, True),  # on the limit: met
        ("encode <= 0.6x pydantic", 100): (pytest.approx(0.13 / 0.12), False),
        ("content_hash <= 0.4x mesokit's", 100): (pytest.approx(0.4), True),
        ("TOML write <= 1.15x tomli-w", 100): (pytest.approx(1.15), True),
        ("TOML read <= 1.15x tomllib", 100): (pytest.approx(1.2344), False),
        ("import <= 0.6x mesokit-schema", None): (pytest.approx(0.6), True),
        ("decode memory < 3x plain dict", 10_000): (3.0, False),  # strictly below: missed
        ("decode memory < 3x plain dict (resident)", 10_000): (2.5, True),
    }
    assert [r["limit"] for r in rows] == [1.0, 1.0, 0.6, 0.4, 1.15, 1.15, 0.6, 3.0, 3.0]


def test_a_target_without_a_measurement_is_reported_as_not_measured() -> None:
    rows = compare.evaluate({"decode": {3: {"manifestkit": 1.0, "pydantic": 2.0}}}, None, None)
    assert len(rows) == len(compare.TARGETS)
    assert all(r["ratio"] is None and r["met"] is None for r in rows)
    table = compare.render(compare.target_rows(rows), markdown=False)
    assert table.count("not measured") == len(compare.TARGETS)


def test_ratios_and_the_markdown_tables() -> None:
    medians = _medians()
    assert compare.ratios_of(medians)["decode"][100] == {
        "pydantic": pytest.approx(0.44 / 0.29),
        "msgspec": pytest.approx(4.0),
    }
    results = {"medians_s": medians, "import_s": {"manifestkit": 0.06, "pydantic": 0.1}}
    rows = compare.timing_rows(results)
    assert rows[2] == [
        "decode + validate JSON (orjson.loads)",
        "100",
        "0.440",
        "0.290",
        "0.110",
        "",
        "1.52x",
        "4.00x",
        "",
    ]
    assert [rows[-3][2], rows[-2][2]] == ["11.5", "1234"]  # fewer decimals for bigger numbers
    assert rows[-1][0] == "import (fresh interpreter)"
    assert rows[-1][-3] == "0.60x"
    markdown = compare.render(rows, markdown=True).splitlines()
    assert markdown[0].startswith("| operation | producers | manifestkit ms |")
    assert markdown[1] == "|:---|---:|---:|---:|---:|---:|---:|---:|---:|"
    assert markdown[3] == (
        "| decode + validate JSON (orjson.loads) | 100 | 0.440 | 0.290 | 0.110 |  | 1.52x | 4.00x |  |"
    )


def test_the_memory_table_shows_traced_and_resident_peaks() -> None:
    mb = 1_000_000
    memory = {
        "producers": 10_000,
        "plain_dict_bytes": 30 * mb,
        "peak_bytes": {
            "plain": 130 * mb,
            "manifestkit": 131 * mb,
            "pydantic": 42 * mb,
            "msgspec": 21 * mb,
        },
        "held_bytes": {
            "plain": 30 * mb,
            "manifestkit": 21 * mb,
            "pydantic": 42 * mb,
            "msgspec": 21 * mb,
        },
        "ours_peak_after_parse_bytes": 33 * mb,
        "resident_bytes": {
            "plain": 51 * mb,
            "manifestkit": 49.5 * mb,
            "pydantic": 66 * mb,
            "msgspec": 22.5 * mb,
        },
    }
    rows = compare.memory_rows(memory)
    assert rows[0][0] == "decoding 10,000 producers"
    assert rows[2] == ["manifestkit", "131.0", "21.0", "4.37x", "49.5", "1.65x"]
    assert rows[-1] == ["manifestkit, traced after the parse", "33.0", "", "1.10x", "", ""]
    no_resident = compare.memory_rows({**memory, "resident_bytes": None})
    assert no_resident[2] == ["manifestkit", "131.0", "21.0", "4.37x", "", ""]


def test_no_resident_peak_where_the_kernel_does_not_allow_measuring_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[str] = []

    def run(args: list[str], **_kwargs: Any) -> subprocess.CompletedProcess[str]:
        ran.append(args[-1])
        return subprocess.CompletedProcess(args, 0, stdout="-\n")

    monkeypatch.setattr(compare.subprocess, "run", run)
    assert compare.resident_peaks(3, runs=2) is None
    assert len(ran) == 1  # the first refusal ends the measurement
    assert "/proc/self/clear_refs" in ran[0]


def test_the_tables_go_between_the_docs_pages_markers() -> None:
    page = f"# Performance\n\n{compare.DOCS_START}\nold\n{compare.DOCS_END}\n\nafter\n"
    assert compare.splice(page, "| new |") == (
        f"# Performance\n\n{compare.DOCS_START}\n| new |\n{compare.DOCS_END}\n\nafter\n"
    )
    with pytest.raises(ValueError, match="markers"):
        compare.splice("# no markers\n", "| new |")
    performance = (BENCHMARKS.parent / "docs" / "performance.md").read_text(encoding="utf-8")
    assert compare.splice(performance, "x").count(compare.DOCS_START) == 1


def test_the_encode_floor_builds_what_the_writer_builds_and_shares_what_it_shares() -> None:
    ours = mk.loads(documents.acquisition_json(6), mesokit.AcquisitionManifest)
    write = mk._io._DEFAULT._wire[False].function(mesokit.AcquisitionManifest)
    wire = write(ours)
    built = encode_floor.floor_function(wire, write(ours))()
    assert _exact(built) == _exact(wire)
    first, theirs = built["producers"][0], wire["producers"][0]
    assert first is not theirs  # a dict per instance, built anew
    assert first["time_basis"] is not theirs["time_basis"]
    assert first["calibration"] is theirs["calibration"]  # a free-form value, shared
    reads, count = encode_floor.reads_function(ours)
    assert reads() is None  # it builds nothing
    # Every attrs field of every instance (its unknown fields are one): 1 manifest, 1 session,
    # and for each producer itself, its time basis, its sidecars and its dataqueue schema.
    instances: list[Any] = [ours, ours.session]
    for p in ours.producers:
        instances += [p, p.time_basis, *p.sidecars]
        instances += [p.dataqueue_schema] if p.dataqueue_schema is not None else []
    assert count == sum(len(attrs.fields(type(i))) for i in instances)
