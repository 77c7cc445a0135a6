"""The quick start: `manifestkit demo`, and the command line's basic flags, in real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import manifestkit as mk
from manifestkit._demo import DemoSession, sample

DEMO_HASH = "47d1edd3b29d479b709e77cb9026674f849c1fddce934f25e4d8c99c4e4941aa"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "manifestkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_demo_writes_json_and_toml_with_one_hash(tmp_path: Path) -> None:
    done = _run("demo", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"wrote {tmp_path / 'out' / 'session.json'}",
        f"wrote {tmp_path / 'out' / 'session.toml'}",
        f"{DEMO_HASH}  content hash of both files (sha256 of RFC 8785 canonical JSON)",
    ]
    assert mk.read(tmp_path / "out" / "session.json", DemoSession) == sample()
    assert mk.read(tmp_path / "out" / "session.toml", DemoSession) == sample()
    assert mk.content_hash(sample()) == DEMO_HASH


def test_version_and_help() -> None:
    done = _run("--version")
    assert (done.returncode, done.stdout) == (0, f"manifestkit {mk.__version__}\n")
    done = _run("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: manifestkit")
    assert "demo" in done.stdout


def test_bad_usage_exits_2() -> None:
    done = _run("no-such-command")
    assert done.returncode == 2
    assert "invalid choice: 'no-such-command'" in done.stderr
