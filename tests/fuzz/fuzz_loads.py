#!/usr/bin/env python
"""atheris: coverage-guided fuzzing of manifestkit's readers (`tox -e fuzz`).

Usage (libFuzzer options pass through)::

    python tests/fuzz/fuzz_loads.py -max_total_time=300 WORK_CORPUS tests/fuzz/corpus

New inputs go to the first corpus folder; tests/fuzz/corpus holds the seeds and
the inputs worth keeping (merge them in with ``-merge=1``). A crash is written
next to ``-artifact_prefix``: add it to tests/fuzz/corpus (the test suite replays
every file there) and fix it. The input format is in tests/fuzz/harness.py.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import atheris

# Instrument the library and the pure-Python parser it uses, so coverage guides
# the search through them (orjson is compiled and is fuzzed as a black box).
# The schema packs are imported here too, or they would be imported (uninstrumented)
# with the table of readers.
INSTRUMENTED = ["tomllib", "cattrs", "manifestkit"]
PACKS = [
    "manifestkit.schemas.bundle",
    "manifestkit.schemas.experiment",
    "manifestkit.schemas.labcache",
    "manifestkit.schemas.mesokit",
    "manifestkit.schemas.study",
    "manifestkit._demo",
]
with atheris.instrument_imports(include=INSTRUMENTED):
    for name in INSTRUMENTED + PACKS:
        importlib.import_module(name)

import harness  # noqa: E402


def main() -> None:
    """Fuzz until libFuzzer's limits (-max_total_time, -runs) stop it.

    The first corpus folder also gets a seed per reader of `TARGETS`, so a schema
    pack added to the table is fuzzed from its own samples.
    """
    folders = [Path(a) for a in sys.argv[1:] if not a.startswith("-")]
    if folders:
        folders[0].mkdir(parents=True, exist_ok=True)
        for name, data in harness.seeds().items():
            (folders[0] / name).write_bytes(data)
    atheris.Setup(sys.argv, harness.one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
