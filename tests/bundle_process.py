"""A real process that drives a bundle through its life cycle, for the crash tests.

Run as a script (pytest does not collect it)::

    python tests/bundle_process.py FOLDER FILES SIZE

It prints ``ready``, then opens a bundle in FOLDER, writes FILES data files of
SIZE bytes each (rewriting the manifest every tenth file, as an acquisition
program records its progress), begins finalizing, finalizes, seals and
verifies it. Before each step it prints the step's name (``open``, ``write``,
``begin_finalize``, ``finalize``, ``seal``, ``verify``) and ``done`` at the end,
so a test can kill it during a chosen step.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from manifestkit.schemas.bundle import BundleWriter, Camera

STARTED = datetime(2026, 5, 14, 9, 0, tzinfo=timezone.utc)


def data_name(i: int) -> str:
    """The name of data file ``i`` inside the bundle."""
    return f"data/chunk-{i:04d}.bin"


def data_bytes(i: int, size: int) -> bytes:
    """The content of data file ``i``: ``size`` bytes, different for every file."""
    return (i.to_bytes(4, "big") * (size // 4 + 1))[:size]


def _step(name: str) -> None:
    sys.stdout.write(name + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    """Drive one bundle from open to verified; see the module docstring."""
    folder, files, size = Path(argv[0]), int(argv[1]), int(argv[2])
    _step("ready")
    _step("open")
    camera = Camera(
        name="cam0",
        adapter="sim",
        kind="mono",
        output_path="data/cam0.mkv",
        frames_path="data/frames.csv",
    )
    writer = BundleWriter.open(
        folder, run_id="crash", started_utc=STARTED, started_mono_ns_anchor=0, cameras=(camera,)
    )
    _step("write")
    (folder / "data").mkdir()
    (folder / "data" / "frames.csv").write_text("frame,t\n")
    (folder / "data" / "cam0.mkv").write_bytes(b"\x1aE\xdf\xa3")
    for i in range(files):
        (folder / data_name(i)).write_bytes(data_bytes(i, size))
        if i % 10 == 9:
            writer.update(dropped_samples={"cam0": i})
    _step("begin_finalize")
    writer.begin_finalize("completed", exit_reason="completed")
    _step("finalize")
    writer.finalize(dropped_samples={"cam0": files})
    _step("seal")
    writer.seal(workers=2)
    _step("verify")
    writer.verify().raise_if_failed()
    _step("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
