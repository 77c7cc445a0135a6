"""Real git repositories in temporary folders, for the tests that capture git state."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


def isolate_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the machine's git configuration and any enclosing repository out of a test."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-such-gitconfig"))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed author; return its stripped output."""
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def make_repo(folder: Path, branch: str = "main", files: dict[str, str] | None = None) -> Path:
    """A new repository in ``folder`` with one commit of ``files``."""
    folder.mkdir()
    git(folder, "-c", f"init.defaultBranch={branch}", "init", "-q")
    files = files if files is not None else {"data.txt": "one\n", ".gitignore": "*.log\n"}
    for name, text in files.items():
        (folder / name).write_text(text)
    git(folder, "add", *files)
    git(folder, "commit", "-q", "-m", "first")
    return folder
