"""A real writer process for the crash and concurrency tests.

Run as a script (pytest does not collect it)::

    python tests/writer_process.py PATH FIRST COUNT ROUNDS SIZE

It builds versions FIRST .. FIRST+COUNT-1 of a large manifest (`version`),
prints ``ready`` and writes them to PATH with `mk.write`, one after the other,
ROUNDS times over (0: until it is killed).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import manifestkit as mk
from models import Cache, Inner, Open


def version(n: int, size: int) -> Cache:
    """Version ``n`` of a manifest with ``size`` entries; no two versions are equal."""
    entries = [
        Open(name=f"v{n}-entry-{i}", items=[Inner(label=f"{n}.{i}", weight=i / 7)])
        for i in range(size)
    ]
    return Cache(owner=f"writer version {n}", entries=entries)


def main(argv: list[str]) -> int:
    """Write the versions in turn; see the module docstring for the arguments."""
    path, first, count, rounds, size = argv[0], *map(int, argv[1:5])
    versions = [version(n, size) for n in range(first, first + count)]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    done = 0
    while rounds == 0 or done < rounds:
        for v in versions:
            mk.write(v, path)
        done += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
