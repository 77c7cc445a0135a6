"""Crash safety: a writer killed at any moment leaves the file whole, and its litter is cleared.

A real writer process (tests/writer_process.py) writes versions of a large
manifest to one path, in JSON and in TOML, and is killed with SIGKILL: at a
random moment, or just as its temporary file appears. Each time, the file must
read back whole as one of the versions, and the next write to the path must
remove the dead writer's temporary file and nothing else.

The same for a bundle's life cycle (tests/bundle_process.py): a process opens a
bundle of 300 files, writes them, finalizes, seals and verifies it, and is
killed during a chosen step (sealing first). Each time the manifest reads whole
in a state of the life cycle, verify says which one (a sealed bundle verifies;
any other is refused with a `ValidationError` naming its status), the life cycle
can be finished from there, and no temporary file is left or listed in the seal.

The default run is short (a few kills per format and for the bundle);
``MANIFESTKIT_CRASH_KILLS=N`` makes it N kills each (``tox -e fuzz`` runs 200).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import manifestkit as mk
from figures import record
from manifestkit import _io
from manifestkit.schemas import bundle
from models import Cache
from writer_process import version

WRITER = Path(__file__).parent / "writer_process.py"
KILLS = int(os.environ.get("MANIFESTKIT_CRASH_KILLS", "4"))
# Entries per version: a JSON file of about 1.2 MB, a TOML one of about 100 kB.
SIZES = {"json": 8_000, "toml": 1_000}


def _start(path: Path, size: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(path), "0", "3", "0", str(size)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    return proc


def _temp_files(folder: Path, pid: int) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".mk-tmp") and f"-{pid}-" in p.name]


def _kill_when_a_temp_file_appears(proc: subprocess.Popen[str], folder: Path) -> None:
    deadline = time.monotonic() + 30
    while not _temp_files(folder, proc.pid) and time.monotonic() < deadline:
        pass
    proc.send_signal(signal.SIGKILL)


def _look_alikes(folder: Path, name: str) -> dict[str, bytes]:
    """Files like a dead writer's temporary file, which cleaning must never touch."""
    host = _io._host_tag()
    other_host = f"{int(host, 16) ^ 1:08x}"
    alive = os.getpid()
    return {
        f".{name}.{host}-{alive}-0123456789ab.mk-tmp": b"a live writer's",
        f".{name}.{other_host}-999999-0123456789ab.mk-tmp": b"another host's",
        f".{name}.backup.mk-tmp": b"not our pattern",
        f".other.{name}.{host}-999999-0123456789ab.mk-tmp": b"another file's",
        f"{name}.mk-tmp": b"no leading dot",
    }


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_a_writer_killed_at_any_moment_leaves_a_whole_file(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"manifest.{fmt}"
    versions = [version(n, SIZES[fmt]) for n in range(3)]
    hashes = {mk.content_hash(v) for v in versions}
    mk.write(versions[0], path)
    keep = _look_alikes(tmp_path, path.name)
    for name, data in keep.items():
        (tmp_path / name).write_bytes(data)
    seed = int(os.environ.get("MANIFESTKIT_CRASH_SEED", str(random.randrange(2**32))))
    rng = random.Random(seed)
    stray = 0
    for kill in range(KILLS):
        proc = _start(path, SIZES[fmt])
        if kill % 2:
            _kill_when_a_temp_file_appears(proc, tmp_path)
        else:
            time.sleep(rng.uniform(0.0, 0.5))
            proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL, f"seed {seed}"
        assert proc.stdout is not None
        proc.stdout.close()
        # The file is whole: one of the versions, never a mix or a prefix of one.
        assert mk.content_hash(mk.read(path, Cache)) in hashes, f"seed {seed}, kill {kill}"
        left = _temp_files(tmp_path, proc.pid)
        stray += len(left)
        # The next write to the path clears the dead writer's temporary file, and only it.
        mk.write(versions[kill % 3], path)
        assert _temp_files(tmp_path, proc.pid) == []
        assert {n: (tmp_path / n).read_bytes() for n in keep} == keep
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {path.name, *keep}
    if KILLS >= 2:
        # Kills as a temporary file appears land before its rename nearly always.
        assert stray >= 1, f"seed {seed}: no kill left a temporary file behind"
    record(f"crash-{fmt}", kills=KILLS, stray_temp_files_removed=stray, seed=seed)


# ------------------------------------------------------------ the bundle life cycle

BUNDLE = Path(__file__).parent / "bundle_process.py"
BUNDLE_FILES, BUNDLE_SIZE = 300, 4096
# Where each kill lands, in turn: during seal first, the step the issue names.
MOMENTS = ["seal", "checksum written", "write", "any", "finalize", "begin_finalize", "verify"]
STATES = ("open", "finalizing", "finalized_unverified", "sealed")


def _kill_bundle_writer(folder: Path, moment: str, rng: random.Random) -> subprocess.Popen[str]:
    """Start a bundle's life cycle in a process and kill it at ``moment``."""
    proc = subprocess.Popen(
        [sys.executable, str(BUNDLE), str(folder), str(BUNDLE_FILES), str(BUNDLE_SIZE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    if moment == "any":
        time.sleep(rng.uniform(0.0, 0.4))
    else:
        step = "seal" if moment == "checksum written" else moment
        while proc.stdout.readline() not in (f"{step}\n", ""):
            pass
        if moment == "checksum written":
            # Between the checksum file and the sealed manifest, or just after.
            deadline = time.monotonic() + 30
            while not (folder / "manifest.sha256").exists() and time.monotonic() < deadline:
                pass
        else:
            time.sleep(rng.uniform(0.0, 0.06))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    return proc


def _no_temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.mk-tmp"))


def test_a_bundle_killed_at_any_step_reads_and_says_what_state_it_is_in(tmp_path: Path) -> None:
    seed = int(os.environ.get("MANIFESTKIT_CRASH_SEED", str(random.randrange(2**32))))
    rng = random.Random(seed)
    states: Counter[str] = Counter()
    stray = 0
    for kill in range(KILLS):
        folder = tmp_path / f"bundle-{kill}"
        moment = MOMENTS[kill % len(MOMENTS)]
        proc = _kill_bundle_writer(folder, moment, rng)
        where = f"seed {seed}, kill {kill} at {moment}"
        assert proc.returncode in (-signal.SIGKILL, 0), where
        manifest = folder / bundle.MANIFEST_FILE
        if not manifest.exists():  # killed before the first write: no bundle yet
            assert not bundle.is_bundle(folder), where
            states["none"] += 1
            continue
        # The manifest reads whole, in one of the states of the life cycle.
        writer = bundle.BundleWriter.attach(folder)
        state = writer.manifest.bundle_status
        assert state in STATES, where
        states[state] += 1
        stray += len(_no_temp_files(folder))
        if state == "sealed":
            # Sealed means whole: every file is there and hashes as the seal says.
            result = writer.verify(record=False)
            assert (result.ok, result.expected_files) == (True, BUNDLE_FILES + 2), where
        else:
            # Verify says what state the bundle is in, with the library's error.
            with pytest.raises(mk.ValidationError) as info:
                writer.verify()
            expected = f'expected "sealed" or "verification_failed" to verify, found "{state}"'
            assert info.value.errors == [("bundle_status", expected)], where
            if (folder / "manifest.sha256").exists():
                # Killed after the checksum file: it is whole and matches the files.
                done = mk.verify(folder, exclude=(bundle.MANIFEST_FILE,))
                assert done.ok, (where, done.problems)
            # Recovery: finish the life cycle where it stopped.
            if state in ("open", "finalizing"):
                writer.finalize("crashed" if state == "open" else None)
            writer.seal()
            assert writer.verify().ok, where
        # The next writes cleared the dead writer's temporary files, and the seal lists none.
        assert _no_temp_files(folder) == [], where
        listed = (folder / "manifest.sha256").read_text()
        assert ".mk-tmp" not in listed, where
        assert mk.read(manifest, bundle.BundleManifest).bundle_status == "sealed", where
    if len(MOMENTS) <= KILLS:
        assert states["finalized_unverified"] >= 1, f"seed {seed}: {states}"
    record("crash-bundle", kills=KILLS, states=dict(states), stray_temp_files_removed=stray)
