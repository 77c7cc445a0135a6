"""Time sealing and verifying a folder against GNU sha256sum and single-threaded hashlib.

Generates a folder of a few large files and many small ones in a temporary
directory, reads it once so every contender starts from the page cache, then
times, round after round (contenders interleaved, so machine drift hits all
alike):

- ``sha256sum`` writing a checksum file, and ``sha256sum -c`` checking it;
- hashlib, one file after another on one thread, 1 MiB chunks (the
  single-core rate every Python tool starts from);
- ``manifestkit.seal`` and ``manifestkit.verify`` (thread pool).

It prints the median of each, its rate, and the ratios. ``--quick`` uses a
small folder so CI can run it to keep it from rotting; its numbers mean little.

    python benchmarks/integrity.py             # about 384 MiB
    python benchmarks/integrity.py --quick     # 12 MiB, one round
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import manifestkit as mk

CHUNK = 1024 * 1024


def make_folder(root: Path, large: int, large_mib: int, small: int) -> int:
    """Write ``large`` files of ``large_mib`` MiB and ``small`` files of 4-64 KiB."""
    total = 0
    block = os.urandom(CHUNK)
    for i in range(large):
        path = root / "video" / f"camera{i}.mkv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            for j in range(large_mib):
                # Vary each MiB a little so no two blocks are alike.
                f.write(j.to_bytes(8, "little") + block[8:])
        total += large_mib * CHUNK
    for i in range(small):
        path = root / "device_records" / f"record {i:04d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        size = 4096 + (i * 7919) % (60 * 1024)
        path.write_bytes(os.urandom(size))
        total += size
    return total


def warm(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                while f.read(CHUNK):
                    pass


def files_of(root: Path) -> list[str]:
    names = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    return sorted(n for n in names if n != "manifest.sha256")


def hashlib_one_thread(root: Path, names: list[str]) -> None:
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    for name in names:
        h = hashlib.sha256()
        with (root / name).open("rb", buffering=0) as f:
            while n := f.readinto(buf):
                h.update(view[:n])
        h.hexdigest()


def sha256sum_write(root: Path, names: list[str]) -> None:
    with (root / "theirs.sha256").open("wb") as out:
        subprocess.run(["sha256sum", "--", *names], cwd=root, stdout=out, check=True)


def sha256sum_check(root: Path) -> None:
    subprocess.run(
        ["sha256sum", "-c", "--quiet", "--strict", "manifest.sha256"], cwd=root, check=True
    )


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (sha256sum)."""
    children = os.times()
    return time.process_time() + children.children_user + children.children_system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, one round (for CI)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--large", type=int, default=6, help="number of large files")
    parser.add_argument("--large-mib", type=int, default=60, help="size of each large file")
    parser.add_argument("--small", type=int, default=400, help="number of small files")
    parser.add_argument("--workers", type=int, default=None, help="threads (default: cores)")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.large, args.large_mib, args.small = 1, 3, 4, 20
    if shutil.which("sha256sum") is None:
        print("sha256sum (GNU coreutils) is needed", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="mk-bench-") as tmp:
        root = Path(tmp)
        total = make_folder(root, args.large, args.large_mib, args.small)
        mk.seal(root)  # the checksum file the verifiers check
        names = files_of(root)
        warm(root)
        theirs = "theirs.sha256"  # sha256sum's own listing, not part of the folder
        contenders: dict[str, Callable[[], object]] = {
            "sha256sum (write)": lambda: sha256sum_write(root, names),
            "sha256sum -c": lambda: sha256sum_check(root),
            "hashlib, 1 thread": lambda: hashlib_one_thread(root, names),
            "manifestkit seal": lambda: mk.seal(
                root, exclude=["theirs.sha256"], workers=args.workers
            ),
            "manifestkit verify": lambda: mk.verify(
                root, exclude=[theirs], workers=args.workers
            ).raise_if_failed(),
        }
        times: dict[str, list[float]] = {name: [] for name in contenders}
        busy: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, run in contenders.items():
                cpu = _cpu_seconds()
                start = time.perf_counter()
                run()
                wall = time.perf_counter() - start
                times[name].append(wall)
                busy[name].append((_cpu_seconds() - cpu) / wall)

    median = {name: statistics.median(ts) for name, ts in times.items()}
    mib = total / CHUNK
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{len(names)} files, {mib:.0f} MiB "
        f"({args.large} x {args.large_mib} MiB + {args.small} small), "
        f"{cores} cores, {args.rounds} rounds, page cache warm, Python {sys.version.split()[0]}"
    )
    # "cores" is CPU time over wall time: on a machine others are using, a
    # contender cannot run faster than the cores it got.
    print(f"{'':22} {'median s':>9} {'MiB/s':>8} {'cores':>6}")
    for name, t in median.items():
        print(f"{name:22} {t:9.3f} {mib / t:8.0f} {statistics.median(busy[name]):6.2f}")
    ratios = {
        "verify vs sha256sum -c": median["sha256sum -c"] / median["manifestkit verify"],
        "verify vs hashlib, 1 thread": median["hashlib, 1 thread"] / median["manifestkit verify"],
        "seal vs sha256sum (write)": median["sha256sum (write)"] / median["manifestkit seal"],
        "seal vs hashlib, 1 thread": median["hashlib, 1 thread"] / median["manifestkit seal"],
    }
    print("speed-ups (how many times faster manifestkit is):")
    for name, r in ratios.items():
        print(f"  {name:30} {r:5.2f}x")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"files": len(names), "bytes": total, "median_s": median, "ratios": ratios},
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
