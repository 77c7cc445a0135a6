"""Time manifestkit against mesokit-schema (pydantic) and msgspec, in one process, on one document.

The peers, all fed the same bytes (see documents.py):

- manifestkit: the ``manifestkit.schemas.mesokit`` classes through
  ``mk.loads`` / ``mk.dumps`` / ``mk.content_hash`` (JSON and TOML);
- mesokit-schema 1.1.0, the pydantic package the pack is wire-compatible
  with: ``model_validate_json``, ``model_dump_json``, its ``content_hash()``;
- msgspec: an equivalent strict Struct model (msgspec_model.py), the C-speed
  floor; for TOML, ``msgspec.toml`` (tomli-w / tomllib underneath);
- the plain parsers alone, on the same plain data: ``orjson.loads`` (decode),
  ``tomli_w.dumps`` (TOML write), ``tomllib.loads`` (TOML read).

Each repeat runs every peer of an operation once, the starting peer rotating
from repeat to repeat, so machine drift hits all alike; the tables show
medians. Then ``import`` in fresh interpreters (minus a bare ``python -c
pass``), and the peak memory of decoding the largest document: tracemalloc's,
and the growth of a fresh process's resident peak. The
targets of issue 8 are checked as ratios from this one run.

    python benchmarks/compare.py               # 3, 100, 10,000 producers (several minutes)
    python benchmarks/compare.py --quick       # 3, 100, 2,000 producers, few repeats (< 1 min)
    python benchmarks/compare.py --markdown    # the tables as Markdown (docs/performance.md)
    python benchmarks/compare.py --check       # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import importlib.metadata
import itertools
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import msgspec.json
import msgspec.toml
import orjson
import tomli_w

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

import mesokit_schema

import manifestkit as mk
from manifestkit.schemas import mesokit as ours_pack

sys.path.insert(0, str(Path(__file__).resolve().parent))
import msgspec_model  # beside this script
from documents import acquisition_json

HERE = Path(__file__).resolve().parent

OURS = "manifestkit"
PYDANTIC = "pydantic"
MSGSPEC = "msgspec"
PLAIN = "plain"
PEERS = (OURS, PYDANTIC, MSGSPEC, PLAIN)
PEER_TITLES = {
    OURS: "manifestkit",
    PYDANTIC: "mesokit-schema",
    MSGSPEC: "msgspec",
    PLAIN: "plain parser",
}

OPS = ("decode", "encode", "encode_file", "content_hash", "toml_write", "toml_read")
OP_TITLES = {
    "decode": "decode + validate JSON",
    "encode": "encode JSON",
    "encode_file": "encode JSON, file layout",
    "content_hash": "content_hash",
    "toml_write": "TOML write",
    "toml_read": "TOML read + validate",
    "import": "import (fresh interpreter)",
}
# What the "plain parser" column times, per operation.
PLAIN_TITLES = {
    "decode": "orjson.loads",
    "toml_write": "tomli_w.dumps",
    "toml_read": "tomllib.loads",
}

IMPORTS = {
    "baseline": "pass",
    OURS: "import manifestkit",
    PYDANTIC: "import mesokit_schema",
    MSGSPEC: "import msgspec",
}

FULL_SIZES = (3, 100, 10_000)
QUICK_SIZES = (3, 100, 2_000)


# ------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """One of issue 8's targets: ours / ``against`` must be <= ``limit`` (< if ``strict``)."""

    name: str
    op: str
    against: str
    limit: float
    strict: bool = False


TARGETS = (
    Target("decode + validate <= 1.0x pydantic", "decode", PYDANTIC, 1.0),
    Target("encode <= 0.6x pydantic", "encode", PYDANTIC, 0.6),
    Target("content_hash <= 0.4x mesokit's", "content_hash", PYDANTIC, 0.4),
    Target("TOML write <= 1.15x tomli-w", "toml_write", PLAIN, 1.15),
    Target("TOML read <= 1.15x tomllib", "toml_read", PLAIN, 1.15),
    Target("import <= 0.6x mesokit-schema", "import", PYDANTIC, 0.6),
    Target("decode memory < 3x plain dict", "memory", PLAIN, 3.0, strict=True),
    Target("decode memory < 3x plain dict (resident)", "memory_resident", PLAIN, 3.0, strict=True),
)


def target_sizes(sizes: Sequence[int]) -> list[int]:
    """The sizes the per-document targets are checked at: 100 producers and every one >= 2,000."""
    return [n for n in sizes if n == 100 or n >= 2_000]


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """Ours over theirs (below 1: we are faster), or None when either is missing or not positive."""
    if ours is None or theirs is None or ours <= 0 or theirs <= 0:
        return None
    return ours / theirs


def met(value: float | None, target: Target) -> bool | None:
    """Whether a measured ratio meets the target (None when it was not measured)."""
    if value is None:
        return None
    return value < target.limit if target.strict else value <= target.limit


def ratios_of(
    medians: dict[str, dict[int, dict[str, float]]],
) -> dict[str, dict[int, dict[str, float | None]]]:
    """For each operation and size, ours over each other peer measured there."""
    return {
        op: {
            n: {peer: ratio(times.get(OURS), t) for peer, t in times.items() if peer != OURS}
            for n, times in by_size.items()
        }
        for op, by_size in medians.items()
    }


def evaluate(
    medians: dict[str, dict[int, dict[str, float]]],
    imports: dict[str, float] | None,
    memory: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """Check every target on the measured medians: one row per target and size."""
    rows: list[dict[str, Any]] = []
    for target in TARGETS:
        if target.op == "import":
            found = ratio(imports.get(OURS), imports.get(target.against)) if imports else None
            points: list[tuple[int | None, float | None]] = [(None, found)]
        elif target.op in ("memory", "memory_resident"):
            key = "ratio" if target.op == "memory" else "ratio_resident"
            points = [(memory["producers"], memory.get(key))] if memory else [(None, None)]
        else:
            by_size = medians.get(target.op, {})
            points = [
                (n, ratio(by_size[n].get(OURS), by_size[n].get(target.against)))
                for n in target_sizes(sorted(by_size))
            ] or [(None, None)]
        rows.extend(
            {
                "target": target.name,
                "producers": n,
                "ratio": value,
                "limit": target.limit,
                "met": met(value, target),
            }
            for n, value in points
        )
    return rows


# ------------------------------------------------------------------ the peers


def contenders(n: int) -> tuple[dict[str, dict[str, Callable[[], object]]], int]:
    """Every operation's peers on the n-producer document, and the document's size in bytes."""
    data = acquisition_json(n)
    mk_cls = ours_pack.AcquisitionManifest
    py_cls = mesokit_schema.AcquisitionManifest
    ms_cls = msgspec_model.AcquisitionManifest
    ours = mk.loads(data, mk_cls)
    theirs = py_cls.model_validate_json(data)
    floor = msgspec_model.DECODER.decode(data)
    toml = mk.dumps(ours, "toml")
    # The default limit on TOML documents (4 MiB) is below 10,000 producers: raise it to the
    # document's size for this read alone, as a user reading such a file would.
    default = mk.Limits().max_toml_bytes
    limits = mk.Limits(max_toml_bytes=len(toml)) if len(toml) > default else None
    plain = mk.to_dict(ours)  # the plain data our TOML writer gets
    decoder, encoder, sorted_encoder = (
        msgspec_model.DECODER,
        msgspec_model.ENCODER,
        msgspec_model.SORTED_ENCODER,
    )
    ops: dict[str, dict[str, Callable[[], object]]] = {
        "decode": {
            OURS: lambda: mk.loads(data, mk_cls),
            PYDANTIC: lambda: py_cls.model_validate_json(data),
            MSGSPEC: lambda: decoder.decode(data),
            PLAIN: lambda: orjson.loads(data),
        },
        "encode": {
            OURS: lambda: mk.dumps(ours),
            PYDANTIC: theirs.model_dump_json,
            MSGSPEC: lambda: encoder.encode(floor),
        },
        # The layout both write their files in (2-space indent): mesokit-schema's own
        # file writer, `to_json()`; the "encode" row's peers write compact JSON.
        "encode_file": {
            OURS: lambda: mk.dumps(ours),
            PYDANTIC: theirs.to_json,
            MSGSPEC: lambda: msgspec.json.format(encoder.encode(floor), indent=2),
        },
        "content_hash": {
            OURS: lambda: mk.content_hash(ours),
            PYDANTIC: theirs.content_hash,
            MSGSPEC: lambda: hashlib.sha256(sorted_encoder.encode(floor)).hexdigest(),
        },
        "toml_write": {
            OURS: lambda: mk.dumps(ours, "toml"),
            MSGSPEC: lambda: msgspec.toml.encode(floor),
            PLAIN: lambda: tomli_w.dumps(plain).encode(),
        },
        "toml_read": {
            OURS: lambda: mk.loads(toml, mk_cls, "toml", limits=limits),
            MSGSPEC: lambda: msgspec.toml.decode(toml, type=ms_cls),
            PLAIN: lambda: tomllib.loads(toml.decode()),
        },
    }
    return ops, len(data)


def one_sample(run: Callable[[], object], number: int) -> float:
    """Seconds per call, over ``number`` calls in a row."""
    loop = itertools.repeat(None, number)
    start = time.perf_counter()
    for _ in loop:
        run()
    return (time.perf_counter() - start) / number


def calibrate(run: Callable[[], object], min_sample: float) -> int:
    """How many calls make one sample last at least ``min_sample`` seconds (warms up too)."""
    run()
    once = one_sample(run, 1)
    return max(1, math.ceil(min_sample / max(once, 1e-9)))


def rotated(names: Sequence[str], shift: int) -> list[str]:
    """The peers in round-robin order for one repeat: each starts first in turn."""
    k = shift % len(names) if names else 0
    return [*names[k:], *names[:k]]


def time_size(n: int, repeats: int, min_sample: float) -> tuple[dict[str, dict[str, float]], int]:
    """Median seconds per call of every operation and peer on the n-producer document."""
    ops, size = contenders(n)
    numbers = {
        op: {p: calibrate(run, min_sample) for p, run in peers.items()} for op, peers in ops.items()
    }
    samples: dict[str, dict[str, list[float]]] = {
        op: {p: [] for p in peers} for op, peers in ops.items()
    }
    for r in range(repeats):
        for op, peers in ops.items():
            for peer in rotated(list(peers), r):
                samples[op][peer].append(one_sample(peers[peer], numbers[op][peer]))
    return {
        op: {p: statistics.median(ts) for p, ts in by_peer.items()}
        for op, by_peer in samples.items()
    }, size


def time_imports(runs: int) -> dict[str, float]:
    """Median wall time of each import in a fresh interpreter, minus that of ``python -c pass``."""
    samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for code in IMPORTS.values():  # compile the .pyc files first
        subprocess.run([sys.executable, "-I", "-c", code], check=True)
    for r in range(runs):
        for name in rotated(list(IMPORTS), r):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-I", "-c", IMPORTS[name]], check=True)
            samples[name].append(time.perf_counter() - start)
    base = statistics.median(samples.pop("baseline"))
    return {name: max(statistics.median(ts) - base, 0.0) for name, ts in samples.items()}


def packs_imported_by_core() -> list[str]:
    """Schema-pack modules that a bare ``import manifestkit`` loads (the target wants none)."""
    code = (
        "import sys, manifestkit; "
        "print(' '.join(m for m in sys.modules if m.startswith('manifestkit.schemas')))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return out.split()


def traced(run: Callable[[], object]) -> tuple[int, int]:
    """(bytes still held by the result, peak bytes) of one call, by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        result = run()
        held, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return held, peak


def peak_after_parse(run: Callable[[], object]) -> int | None:
    """Peak bytes of one call counted from when its ``orjson.loads`` returns, or None if none ran.

    orjson's parser takes a scratch buffer of about 15x the document's bytes
    (traced, though mostly never touched) and frees it before returning: it
    is the peak of any decoder built on ``orjson.loads``, so the total peak
    says nothing about the typed form. This one starts once the plain dict
    exists, and so counts the dict, the typed objects and what building them
    takes on top.
    """
    real = orjson.loads
    parses = []

    def loads(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        if tracemalloc.is_tracing():
            parses.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.reset_peak()
        return out

    orjson.loads = loads  # manifestkit calls orjson.loads through the module
    try:
        _, peak = traced(run)
    finally:
        orjson.loads = real
    return peak if parses else None


RESIDENT_CODE = """
import sys
sys.path.insert(0, {here!r})
import orjson
import mesokit_schema
import manifestkit as mk
from manifestkit.schemas import mesokit
import msgspec_model
decode = {{
    "plain": orjson.loads,
    "manifestkit": lambda d: mk.loads(d, mesokit.AcquisitionManifest),
    "pydantic": mesokit_schema.AcquisitionManifest.model_validate_json,
    "msgspec": msgspec_model.DECODER.decode,
}}[{peer!r}]

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

with open({small!r}, "rb") as f:
    decode(f.read())  # first-use costs (generated functions, schemas) are not the document's
with open({large!r}, "rb") as f:
    data = f.read()
before = status("VmRSS")
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # restart the high-water mark (VmHWM) from the current resident size
except OSError:  # a kernel or sandbox that does not allow it: no measurement
    print("-")
    raise SystemExit
result = decode(data)
print(status("VmHWM") - before)
"""


def resident_peaks(n: int, runs: int = 3) -> dict[str, float] | None:
    """How much each peer's decode of the n-producer document raises a fresh process's peak RSS.

    Bytes, median of ``runs`` fresh interpreters, each reading the document from a
    file and decoding the 3-producer one first; the kernel's high-water mark of the
    resident size is restarted just before the decode. This counts what the
    operating system really gave the process: orjson reserves a scratch buffer of
    about 15 times the document, which tracemalloc counts in full, but touches only
    part of it. Linux only (``/proc/self/clear_refs``); None elsewhere, and where
    the kernel or a sandbox does not let a process restart its high-water mark.
    """
    if not Path("/proc/self/clear_refs").exists():  # pragma: no cover - not Linux
        return None
    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder, "small.json"), Path(folder, "large.json")
        small.write_bytes(acquisition_json(3))
        large.write_bytes(acquisition_json(n))
        samples: dict[str, list[float]] = {peer: [] for peer in (PLAIN, OURS, PYDANTIC, MSGSPEC)}
        for r in range(runs):
            for peer in rotated(list(samples), r):
                code = RESIDENT_CODE.format(
                    here=str(HERE), peer=peer, small=str(small), large=str(large)
                )
                out = subprocess.run(
                    [sys.executable, "-I", "-c", code], check=True, capture_output=True, text=True
                ).stdout
                if out.strip() == "-":
                    return None
                samples[peer].append(float(out))
    return {peer: statistics.median(ts) for peer, ts in samples.items()}


def measure_memory(n: int) -> dict[str, Any]:
    """Peak memory of decoding the n-producer document, for each peer, against its plain dict."""
    data = acquisition_json(n)
    runs: dict[str, Callable[[], object]] = {
        PLAIN: lambda: orjson.loads(data),
        OURS: lambda: mk.loads(data, ours_pack.AcquisitionManifest),
        PYDANTIC: lambda: mesokit_schema.AcquisitionManifest.model_validate_json(data),
        MSGSPEC: lambda: msgspec_model.DECODER.decode(data),
    }
    for run in runs.values():
        run()  # warm: first-call caches (generated functions, schemas) are not the document's
    held, peak = {}, {}
    for name, run in runs.items():
        held[name], peak[name] = traced(run)
    after_parse = peak_after_parse(runs[OURS])
    resident = resident_peaks(n)
    return {
        "producers": n,
        "json_bytes": len(data),
        "plain_dict_bytes": held[PLAIN],
        "peak_bytes": peak,
        "held_bytes": held,
        "ours_peak_after_parse_bytes": after_parse,
        # The target: ours from the parsed dict on, over that dict (the whole peak if the
        # parse could not be told apart).
        "ratio": ratio(peak[OURS] if after_parse is None else after_parse, held[PLAIN]),
        "ratio_whole_peak": ratio(peak[OURS], held[PLAIN]),
        # The same target, from the process's resident peak: everything the decode took.
        "resident_bytes": resident,
        "ratio_resident": ratio(resident[OURS], held[PLAIN]) if resident else None,
    }


# ----------------------------------------------------------------- reporting


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return ""
    ms = seconds * 1e3
    return (
        f"{ms:.3f}"
        if ms < 1
        else f"{ms:.2f}"
        if ms < 10
        else f"{ms:.1f}"
        if ms < 100
        else f"{ms:.0f}"
    )


def _x(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def timing_rows(results: dict[str, Any]) -> list[list[str]]:
    """The main table: medians in milliseconds and our ratios, one row per operation and size."""
    head = [
        "operation",
        "producers",
        *(f"{PEER_TITLES[p]} ms" for p in PEERS),
        "ours/pydantic",
        "ours/msgspec",
        "ours/plain",
    ]
    rows = [head]
    medians = results["medians_s"]
    for op in OPS:
        for n, times in sorted(medians.get(op, {}).items()):
            title = OP_TITLES[op] + (f" ({PLAIN_TITLES[op]})" if op in PLAIN_TITLES else "")
            rows.append(
                [
                    title,
                    f"{n:,}",
                    *(_ms(times.get(p)) for p in PEERS),
                    *(_x(ratio(times.get(OURS), times.get(p))) for p in (PYDANTIC, MSGSPEC, PLAIN)),
                ]
            )
    imports = results.get("import_s")
    if imports:
        rows.append(
            [
                OP_TITLES["import"],
                "",
                *(_ms(imports.get(p)) for p in PEERS),
                *(_x(ratio(imports.get(OURS), imports.get(p))) for p in (PYDANTIC, MSGSPEC, PLAIN)),
            ]
        )
    return rows


def memory_rows(memory: dict[str, Any]) -> list[list[str]]:
    """Peak memory of one decode of the largest document, in MB and over the plain dict.

    Traced: tracemalloc's peak, which counts orjson's reserved scratch buffer in
    full. Resident: how much the decode raised a fresh process's peak RSS.
    """
    n = memory["producers"]
    rows = [
        [
            f"decoding {n:,} producers",
            "traced peak MB",
            "result MB",
            "traced peak / plain dict",
            "resident peak MB",
            "resident peak / plain dict",
        ]
    ]
    plain = memory["plain_dict_bytes"]
    resident = memory.get("resident_bytes") or {}
    for peer in (PLAIN, OURS, PYDANTIC, MSGSPEC):
        title = "orjson.loads (plain dict)" if peer == PLAIN else PEER_TITLES[peer]
        peak, held = memory["peak_bytes"][peer], memory["held_bytes"][peer]
        rss = resident.get(peer)
        rows.append(
            [
                title,
                f"{peak / 1e6:.1f}",
                f"{held / 1e6:.1f}",
                _x(ratio(peak, plain)),
                "" if rss is None else f"{rss / 1e6:.1f}",
                _x(ratio(rss, plain)),
            ]
        )
    after = memory.get("ours_peak_after_parse_bytes")
    if after is not None:
        rows.append(
            [
                f"{PEER_TITLES[OURS]}, traced after the parse",
                f"{after / 1e6:.1f}",
                "",
                _x(ratio(after, plain)),
                "",
                "",
            ]
        )
    return rows


def target_rows(targets: list[dict[str, Any]]) -> list[list[str]]:
    """The targets table: measured ratio, limit, met or missed."""
    rows = [["target", "producers", "measured", "target", "result"]]
    for t in targets:
        result = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        producers = "" if t["producers"] is None else f"{t['producers']:,}"
        rows.append([t["target"], producers, _x(t["ratio"]), _x(t["limit"]), result])
    return rows


def render(rows: list[list[str]], markdown: bool) -> str:
    """A table as aligned text, or as a Markdown table (text left, numbers right)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |"]
        lines.append("|" + "|".join(":---" if i == 0 else "---:" for i in range(len(widths))) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
        return "\n".join(lines)
    out = []
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def machine() -> dict[str, Any]:
    """Where and with what the run happened."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cores": cores,
        "commit": _git_commit(),
        "versions": {
            d: _version(d)
            for d in (
                "manifestkit",
                "mesokit-schema",
                "pydantic",
                "pydantic-core",
                "msgspec",
                "orjson",
                "tomli-w",
                "cattrs",
                "attrs",
            )
        },
    }


def summary(results: dict[str, Any]) -> str:
    """One line that says what was measured where."""
    m = results["machine"]
    sizes = ", ".join(f"{n:,} ({b / 1e3:,.0f} KB)" for n, b in results["json_bytes"].items())
    return (
        f"AcquisitionManifest with {sizes} producers; {results['repeats']} repeats, medians; "
        f"Python {m['python']}, {m['cores']} cores; commit {m['commit']}; "
        f"mesokit-schema {m['versions']['mesokit-schema']}, msgspec {m['versions']['msgspec']}"
    )


def report(results: dict[str, Any], markdown: bool) -> str:
    """Every table of the run, as text or Markdown."""
    parts = [summary(results), "", render(timing_rows(results), markdown)]
    if results.get("memory"):
        parts += ["", render(memory_rows(results["memory"]), markdown)]
    parts += ["", render(target_rows(results["targets"]), markdown)]
    return "\n".join(parts)


DOCS_START = "<!-- compare.py --markdown: start -->"
DOCS_END = "<!-- compare.py --markdown: end -->"


def splice(page: str, tables: str) -> str:
    """The page with the text between its two markers replaced by ``tables``."""
    start, end = page.find(DOCS_START), page.find(DOCS_END)
    if start < 0 or end < start:
        raise ValueError(f"the page has no {DOCS_START!r} ... {DOCS_END!r} markers")
    return f"{page[: start + len(DOCS_START)]}\n{tables}\n{page[end:]}"


def to_json(results: dict[str, Any]) -> bytes:
    """The results as JSON (sizes become string keys)."""
    return orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"


# ---------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="3, 100, 2,000 producers, 3 repeats")
    mode.add_argument("--full", action="store_true", help="3, 100, 10,000 producers (default)")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], help="e.g. 3,100")
    parser.add_argument("--repeats", type=int, help="samples per peer (median taken)")
    parser.add_argument("--import-runs", type=int, help="fresh interpreters per import")
    parser.add_argument(
        "--out", type=Path, help="JSON results (default benchmarks/results-<utc>.json)"
    )
    parser.add_argument(
        "--memory-producers", type=int, default=10_000, help="document for the memory peak"
    )
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument(
        "--docs",
        type=Path,
        metavar="PAGE",
        help="also put the Markdown tables between the markers of PAGE (docs/performance.md)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    repeats = args.repeats or (3 if args.quick else 11)
    import_runs = args.import_runs or (5 if args.quick else 25)
    min_sample = 0.002 if args.quick else 0.02

    started = dt.datetime.now(dt.timezone.utc)
    medians: dict[str, dict[int, dict[str, float]]] = {op: {} for op in OPS}
    json_bytes: dict[int, int] = {}
    for n in sizes:
        print(f"timing {n:,} producers ...", file=sys.stderr, flush=True)
        by_op, json_bytes[n] = time_size(n, repeats, min_sample)
        for op, times in by_op.items():
            medians[op][n] = times
    print("timing imports ...", file=sys.stderr, flush=True)
    imports = time_imports(import_runs)
    print("measuring memory ...", file=sys.stderr, flush=True)
    memory = measure_memory(args.memory_producers)
    results: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "custom" if args.sizes else "full",
        "repeats": repeats,
        "import_runs": import_runs,
        "machine": machine(),
        "json_bytes": json_bytes,
        "medians_s": medians,
        "ratios": ratios_of(medians),
        "import_s": imports,
        "packs_imported_by_core": packs_imported_by_core(),
        "memory": memory,
    }
    results["targets"] = evaluate(medians, imports, memory)

    out = args.out or HERE / f"results-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_bytes(to_json(results))
    print(report(results, args.markdown))
    if args.docs:
        page = args.docs.read_text(encoding="utf-8")
        args.docs.write_text(splice(page, report(results, markdown=True)), encoding="utf-8")
        print(f"tables written into {args.docs}", file=sys.stderr)
    if results["packs_imported_by_core"]:
        print(f"note: import manifestkit loaded {results['packs_imported_by_core']}")
    print(f"\nresults written to {out}", file=sys.stderr)
    missed = [t for t in results["targets"] if t["met"] is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
