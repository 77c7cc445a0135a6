"""Concurrency: writers racing on one path, threads hashing and reading at once.

No torn file, no wrong hash, and no exception other than the library's: several
real processes write the same manifest path while this one reads it; threads
hash manifests (first use included, when the generated functions are being
built), read refused and valid documents, hash and read a file while it is
being replaced, and verify and hash
one sealed bundle at once (each verify hashing with its own workers), with the
same results as one thread.
"""

from __future__ import annotations

import hashlib
import importlib
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import manifestkit as mk
from figures import record
from manifestkit import _formats, _model
from manifestkit.schemas import bundle
from models import Cache
from writer_process import version

WRITER = Path(__file__).parent / "writer_process.py"
THREADS = 8


def _in_threads(work: Callable[[int], list[Any]], n: int = THREADS) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads started together; every exception is re-raised."""
    start = threading.Barrier(n)
    results: list[list[Any]] = [[] for _ in range(n)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below, whatever it is
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return [r for rs in results for r in rs]


@pytest.mark.parametrize(("fmt", "size", "rounds"), [("json", 2000, 4), ("toml", 300, 3)])
def test_processes_writing_one_path_never_tear_it(
    fmt: str, size: int, rounds: int, tmp_path: Path
) -> None:
    path = tmp_path / f"manifest.{fmt}"
    writers = 4
    hashes = {mk.content_hash(version(n, size)) for n in range(writers * 3)}
    mk.write(version(0, size), path)
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), str(path), str(k * 3), "3", str(rounds), str(size)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(writers)
    ]
    reads = 0
    while any(p.poll() is None for p in procs):
        # Every read sees one whole version, whoever wrote it last.
        assert mk.content_hash(mk.read(path, Cache)) in hashes
        reads += 1
    for p in procs:
        out, err = p.communicate()
        assert (p.returncode, out, err) == (0, "ready\n", "")
    assert mk.content_hash(mk.read(path, Cache)) in hashes
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left
    record(f"writers-{fmt}", writers=writers, writes=writers * 3 * rounds, reads=reads)


# Used by one test only, so that its threads race to build the generated functions too.
@mk.block
class Part:
    label: str
    value: float = 0.0
    extra: dict[str, Any] = mk.field(factory=dict)


@mk.manifest("test.threads", version="1.0")
class Whole:
    schema_version: str = mk.field(default="1.0", always=True)
    parts: list[Part] = mk.field(factory=list)
    table: dict[str, Part] = mk.field(factory=dict)


def test_threads_hashing_at_once_agree_with_one_thread() -> None:
    docs = [
        {
            "parts": [{"label": f"p{i}", "value": i / 3, "extra": {"k": [i, None]}}] * (i % 4),
            "table": {f"t{j}": {"label": "x", "value": j} for j in range(i % 3)},
        }
        for i in range(40)
    ]
    data = [mk.get_format("json").dumps({"schema_version": "1.0", **d}) for d in docs]

    def work(_: int) -> list[Any]:
        out = []
        for raw in data:
            obj = mk.loads(raw, Whole)
            out.append((mk.content_hash(obj), mk.content_hash(mk.to_dict(obj)), mk.dumps(obj)))
        return out

    got = _in_threads(work)
    expected = work(0)
    assert got == expected * THREADS
    record("hash-threads", threads=THREADS, hashes=2 * len(got))


def test_threads_reading_refused_and_valid_documents_agree_with_one_thread() -> None:
    # Inside a refused document each part is tried on the fast path first, up to a
    # number of failures counted per call: each thread must keep its own count.
    good = {"schema_version": "1.0", "parts": [{"label": "p", "value": 1.5}] * 30}
    docs: list[dict[str, Any]] = [good]
    for i in range(12):  # 3 to 30 bad parts: fewer than the count, and more
        parts = [{"label": j if j % 12 < i + 1 else "p"} for j in range(30)]
        docs.append({"schema_version": "1.0", "parts": parts, "table": {"t": {"value": "x"}}})
    data = [mk.get_format("json").dumps(d) for d in docs]

    def work(_: int) -> list[Any]:
        out: list[Any] = []
        for _round in range(5):
            for raw in data:
                try:
                    out.append(mk.content_hash(mk.loads(raw, Whole)))
                except mk.ValidationError as exc:
                    out.append(exc.errors)
        return out

    got = _in_threads(work)
    expected = work(0)
    assert got == expected * THREADS
    assert expected[1] == [
        ("parts[0].label", "expected a string, found an integer (0)"),
        ("parts[12].label", "expected a string, found an integer (12)"),
        ("parts[24].label", "expected a string, found an integer (24)"),
        ("table.t.label", "required field is missing"),
        ("table.t.value", 'expected a number, found a string ("x")'),
    ]


def test_threads_hashing_a_file_that_is_being_replaced(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    versions = [version(n, 500) for n in range(4)]
    digests = {hashlib.sha256(mk.dumps(v)).hexdigest() for v in versions}
    hashes = {mk.content_hash(v) for v in versions}
    mk.write(versions[0], path)
    writing = True

    def writer() -> None:
        n = 0
        while writing:
            mk.write(versions[n % 4], path)
            n += 1

    w = threading.Thread(target=writer)
    w.start()
    try:

        def work(i: int) -> list[Any]:
            if i % 2:
                return [mk.hash_file(path) in digests for _ in range(60)]
            return [mk.content_hash(mk.read(path, Cache)) in hashes for _ in range(15)]

        seen = _in_threads(work)
    finally:
        writing = False
        w.join()
    assert seen == [True] * len(seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    record("file-threads", threads=THREADS, hashes_and_reads=len(seen))


def test_threads_that_meet_the_schema_packs_loading_wait_for_all_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real distribution whose pack takes a while to import, as a large one would.
    (tmp_path / "mk_slow_pack.py").write_text(
        textwrap.dedent(
            """
            import time
            import manifestkit as mk

            time.sleep(0.3)

            @mk.manifest("test.slow-pack", version="1.0")
            class SlowDoc:
                schema_version: str = mk.field(default="1.0", always=True)
                slow_id: str
            """
        )
    )
    dist = tmp_path / "mk_slow_pack-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mk-slow-pack\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[manifestkit.schemas]\nslow = mk_slow_pack\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))
    monkeypatch.setattr(_model, "_PACKS_LOADED", False)
    monkeypatch.delitem(sys.modules, "mk_slow_pack", raising=False)
    try:
        found = _in_threads(lambda _: [mk.detect_schema({"slow_id": "x"}).__name__], n=4)
    finally:
        sys.modules.pop("mk_slow_pack", None)
    assert found == ["SlowDoc"] * 4


def test_threads_that_meet_the_format_plug_ins_loading_wait_for_all_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mk_slow_format.py").write_text(
        textwrap.dedent(
            """
            import json
            import time

            time.sleep(0.3)

            class Slow:
                name = "slowjson"
                extensions = (".slowjson",)
                def dumps(self, data):
                    return json.dumps(data).encode()
                def loads(self, data):
                    return json.loads(data)
            """
        )
    )
    dist = tmp_path / "mk_slow_format-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mk-slow-format\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[manifestkit.formats]\nslowjson = mk_slow_format:Slow\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    monkeypatch.setattr(_formats, "_FORMATS", dict(_formats._FORMATS))
    monkeypatch.setattr(_formats, "_PLUGINS_LOADED", False)
    try:
        found = _in_threads(lambda _: [mk.get_format("slowjson").name], n=4)
    finally:
        sys.modules.pop("mk_slow_format", None)
    assert found == ["slowjson"] * 4


def _sealed_bundle(folder: Path, files: int) -> None:
    writer = bundle.BundleWriter.open(folder, run_id="threads", started_mono_ns_anchor=0)
    for i in range(files):
        sub = folder / f"d{i % 5}"
        sub.mkdir(exist_ok=True)
        (sub / f"f{i:03d}.bin").write_bytes(bytes([i % 251]) * (i * 37 % 5000))
    writer.finalize("completed")
    writer.seal()


def test_threads_verifying_and_hashing_one_sealed_folder_agree_with_one_thread(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "bundle"
    _sealed_bundle(folder, 120)
    # Break it three ways, so every thread has problems to find and report alike.
    (folder / "d1" / "f001.bin").write_bytes(b"changed")
    (folder / "d2" / "f002.bin").unlink()
    (folder / "d3" / "added.bin").write_bytes(b"new")
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    def work(_: int) -> list[Any]:
        return [
            mk.verify(folder, exclude=[bundle.MANIFEST_FILE], workers=2),
            bundle.BundleWriter.attach(folder).verify(workers=2, record=False),
            [mk.hash_file(folder / name) for name in names],
        ]

    expected = work(0)
    for result in expected[:2]:
        assert (result.corrupted, result.missing, result.extra) == (
            ("d1/f001.bin",),
            ("d2/f002.bin",),
            ("d3/added.bin",),
        )
    assert expected[2][names.index("d3/added.bin")] == hashlib.sha256(b"new").hexdigest()
    got = _in_threads(work)
    assert got == expected * THREADS
    # Several threads recording the failure at once: one whole manifest, no temporary file.
    outcomes = _in_threads(lambda _: [bundle.BundleWriter.attach(folder).verify().status])
    assert outcomes == ["mismatch"] * THREADS
    on_disk = mk.read(folder / bundle.MANIFEST_FILE, bundle.BundleManifest)
    assert (on_disk.bundle_status, on_disk.integrity.status) == ("verification_failed", "mismatch")
    assert list(folder.glob("*.mk-tmp")) == []
    record("verify-threads", threads=THREADS, verifies=4 * THREADS, files=len(names))
