"""The command line in real processes: the console script, ``python -m manifestkit``,
schema packs found through their entry point, a closed pipe, and every shell
session shown in the docs (run line by line, output compared).
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import manifestkit as mk
from models import Small

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
SCRIPT = BIN / ("manifestkit.exe" if os.name == "nt" else "manifestkit")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment in which the test schemas are an installed pack (entry point ``test``)."""
    site = tmp_path / "site"
    info = site / "manifestkit_test_pack-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: manifestkit-test-pack\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[manifestkit.schemas]\ntest = models\n")
    paths = [str(Path(__file__).parent), str(site)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PATH": _path()}


def _path() -> str:
    return os.pathsep.join([str(BIN), os.environ.get("PATH", "")])


@pytest.mark.parametrize("how", ["script", "module"])
def test_validate_in_a_real_process_with_a_pack_found_by_its_entry_point(
    tmp_path: Path, env: dict[str, str], how: str
) -> None:
    good = mk.write(Small(title="t"), tmp_path / "small.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 3, "title": 5}')
    command = [str(SCRIPT)] if how == "script" else [sys.executable, "-m", "manifestkit"]
    done = subprocess.run(
        [*command, "validate", str(good), str(bad)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout == (
        f"{good}: ok (test.small, version 3)\n"
        f"{bad}: title: expected a string, found an integer (5)\n"
    )
    listed = subprocess.run(
        [*command, "schemas"], capture_output=True, text=True, env=env, check=True
    )
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert ["test.small", "3", "models.Small"] in rows
    assert ["manifestkit.demo", "1.0", "manifestkit._demo.DemoSession"] in rows


def test_bad_usage_in_a_real_process_is_one_line_and_status_2(env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(SCRIPT), "hash", "x.json", "--flavour", "nope"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "manifestkit hash: error: unknown hash flavour 'nope' (known: manifestkit, mesokit)\n"
    )


def test_a_reader_that_goes_away_is_not_an_error_to_report(
    tmp_path: Path, env: dict[str, str]
) -> None:
    small = mk.write(Small(title="t"), tmp_path / "small.json")
    many = [str(small)] * 3000  # far more output than a pipe holds
    with subprocess.Popen(
        [str(SCRIPT), "hash", *many], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        assert proc.stdout.readline().endswith(b"small.json\n")
        proc.stdout.close()  # like `| head -1`
        err = proc.stderr.read()
    assert (proc.returncode, err) == (1, b"")


# ----------------------------------------------------- shell sessions in the docs

_SESSION = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _sessions() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        name = page.relative_to(ROOT).as_posix()
        found.extend((name, block) for block in _SESSION.findall(page.read_text(encoding="utf-8")))
    return found


def _pages_with_sessions() -> list[str]:
    return sorted({page for page, _ in _sessions()})


def test_the_cli_page_has_shell_sessions() -> None:
    assert "docs/cli.md" in _pages_with_sessions()


@pytest.mark.parametrize("page", _pages_with_sessions())
def test_every_shell_session_in_the_docs_prints_what_it_shows(tmp_path: Path, page: str) -> None:
    """Each ``$ command`` runs in bash in one fresh folder per page; its output must match.

    ``...`` in the shown output stands for any text, as in doctests (lists of
    installed schemas grow as packs are installed).
    """
    checker = doctest.OutputChecker()
    env = {**os.environ, "PATH": _path(), "COLUMNS": "100"}
    env.pop("PYTHONPATH", None)  # only what is installed: the docs show a user's machine
    for session in (block for p, block in _sessions() if p == page):
        command: str | None = None
        expected: list[str] = []
        for line in [*session.splitlines(), "$ "]:
            if not line.startswith("$ "):
                expected.append(line)
                continue
            if command is not None:
                done = subprocess.run(
                    ["bash", "-c", "exec 2>&1\n" + command],
                    capture_output=True,
                    text=True,
                    cwd=tmp_path,
                    env=env,
                    check=False,
                )
                want = "".join(line + "\n" for line in expected)
                assert checker.check_output(want, done.stdout, doctest.ELLIPSIS), (
                    f"{page}: $ {command}\n--- shown:\n{want}--- printed:\n{done.stdout}"
                )
            command, expected = line[2:], []
