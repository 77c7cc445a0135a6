"""Provenance: capturing where, when and with what a manifest was made.

Small frozen blocks any manifest can embed (`GitState`, `Interpreter`,
`Provenance`), and the functions that fill them from the running process.
Git is asked through a real ``git`` subprocess, once per capture, with a
timeout; every way that can fail (no git on PATH, a folder outside any work
tree, a repository without commits, a git that does not answer) is a
`ManifestError` that says which, and the ``*_or_none`` functions turn those
into None for callers that want to carry on without git. Times are
timezone-aware UTC.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import re
import socket
import subprocess
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ._errors import ManifestError, ValidationError, describe
from ._io import path_text
from ._model import block, field

__all__ = [
    "GIT_TIMEOUT",
    "NOT_INSTALLED",
    "GitState",
    "Interpreter",
    "Provenance",
    "capture_git",
    "capture_git_or_none",
    "capture_git_sha",
    "capture_git_sha_or_none",
    "capture_host",
    "capture_interpreter",
    "capture_packages",
    "capture_platform",
    "capture_provenance",
    "check_utc",
    "utc_now",
]

NOT_INSTALLED = "not-installed"
"""The version recorded for a distribution that is not installed."""

GIT_TIMEOUT = 10.0
"""Seconds a git call may take before capture gives up."""

# A distribution name as PEP 508 allows it; nothing can be installed under another.
_DIST_NAME = re.compile(r"[A-Z0-9](?:[A-Z0-9._-]*[A-Z0-9])?\Z", re.IGNORECASE)
_SHA = re.compile(r"(?:[0-9a-f]{40}|[0-9a-f]{64})\Z")


def _check_sha(value: str) -> str | None:
    if _SHA.match(value):
        return None
    return f"expected a commit id of 40 or 64 lower-case hex digits, found {describe(value)}"


def _check_branch(value: str) -> str | None:
    return None if value else "expected a branch name (or HEAD), found an empty string"


def check_utc(value: datetime) -> str | None:
    """A ``check=`` for date-time fields that must be timezone-aware UTC."""
    given: object = value  # a direct caller may pass anything
    if not isinstance(given, datetime):
        return f"expected a UTC date-time, found a value of type {type(given).__name__}"
    if value.tzinfo is None or value.utcoffset() != timedelta(0):
        return f"expected a UTC date-time (ending in Z or +00:00), found {value.isoformat()}"
    return None


@block
class GitState:
    """The state of a git work tree: its commit, whether it has changes, its branch.

    Attributes:
        sha: The full id of the checked-out commit (40 hex digits; 64 in
            SHA-256 repositories).
        dirty: Whether ``git status --porcelain`` lists anything: a change to
            a tracked file, a staged change, or an untracked file.
        branch: The checked-out branch, or ``"HEAD"`` when the HEAD is
            detached (git's own way of saying so).
    """

    sha: str = field(check=_check_sha, description="The checked-out commit.")
    dirty: bool = field(description="Whether the work tree has changes or untracked files.")
    branch: str = field(check=_check_branch, description='The branch, or "HEAD" when detached.')

    @property
    def detached(self) -> bool:
        """Whether the HEAD is detached (no branch is checked out)."""
        return self.branch == "HEAD"

    @property
    def short_sha(self) -> str:
        """The first 7 hex digits of the commit id, as git shows it."""
        return self.sha[:7]


@block
class Interpreter:
    """The Python interpreter running the code.

    Attributes:
        implementation: ``"CPython"``, ``"PyPy"``, ...
        version: The version number, e.g. ``"3.12.4"``.
        executable: The interpreter's path (empty when Python cannot tell).
    """

    implementation: str
    version: str
    executable: str = field(default="", always=True)


@block
class Provenance:
    """Everything captured about the process that made a manifest.

    Attributes:
        captured_at: When it was captured (timezone-aware UTC).
        host: The host name.
        platform: A platform string such as ``"Linux-6.1.0-x86_64-with-glibc2.36"``.
        interpreter: The Python interpreter.
        packages: Versions by distribution name; ``"not-installed"`` for a missing one.
        git: The state of the git work tree, or None when there is none.
    """

    captured_at: datetime = field(check=check_utc)
    host: str
    platform: str
    interpreter: Interpreter
    packages: dict[str, str] = field(factory=dict)
    git: GitState | None = None


# ---------------------------------------------------------------- time, host


def utc_now(*, microseconds: bool = True) -> datetime:
    """Return the current time, timezone-aware UTC.

    Args:
        microseconds: Keep the fractional second; ``False`` truncates it to
            whole seconds.

    Raises:
        ValidationError: ``microseconds`` is not True or False.
    """
    if type(microseconds) is not bool:
        raise ValidationError(
            [("microseconds", f"expected a boolean, found {describe(microseconds)}")],
            title="invalid argument",
        )
    now = datetime.now(timezone.utc)
    return now if microseconds else now.replace(microsecond=0)


def capture_host() -> str:
    """Return this machine's host name."""
    return socket.gethostname()


@functools.lru_cache(maxsize=1)
def capture_platform() -> str:
    """Return the platform string (`platform.platform`), computed once per process."""
    return platform.platform()


@functools.lru_cache(maxsize=1)
def capture_interpreter() -> Interpreter:
    """Return the running Python interpreter as an `Interpreter` block."""
    return Interpreter(
        implementation=platform.python_implementation(),
        version=platform.python_version(),
        executable=sys.executable or "",
    )


def capture_packages(names: Iterable[str]) -> dict[str, str]:
    """Return the installed version of each distribution, by name.

    A distribution that is not installed, or whose name is not a valid
    distribution name, is recorded as ``"not-installed"``. The result keeps the order of
    ``names``; a name given twice is looked up once.

    Raises:
        ValidationError: A name is not a string.
    """
    from ._errors import ValidationError  # noqa: PLC0415 - only the error path needs it

    if isinstance(names, str):
        raise ValidationError(
            [("", f"expected a list of distribution names, found {describe(names)}")],
            title="invalid package names",
        )
    found: dict[str, str] = {}
    bad = []
    for i, name in enumerate(names):
        if type(name) is not str:
            bad.append((f"[{i}]", f"expected a distribution name, found {describe(name)}"))
            continue
        if name in found:
            continue
        if not _DIST_NAME.match(name):
            # Python 3.10's importlib.metadata answers "" with some other distribution.
            found[name] = NOT_INSTALLED
            continue
        try:
            found[name] = importlib.metadata.version(name)
        except (importlib.metadata.PackageNotFoundError, ValueError):
            found[name] = NOT_INSTALLED
    if bad:
        raise ValidationError(bad, title="invalid package names")
    return found


# ----------------------------------------------------------------------- git


def _folder(path: str | os.PathLike[str] | None) -> Path:
    folder = Path.cwd() if path is None else Path(path_text(path))
    if not folder.is_dir():
        raise ManifestError(f"cannot read git state: {folder} is not a folder")
    return folder


def _git(folder: Path, args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    # LC_ALL=C keeps git's messages in English, so they can be told apart;
    # --no-optional-locks keeps `git status` from taking the index lock, which
    # would make a git command running beside us fail.
    env = {**os.environ, "LC_ALL": "C"}
    try:
        return subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            ["git", "--no-optional-locks", *args],  # noqa: S607 - git is looked up on PATH
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ManifestError(
            f"cannot read git state at {folder}: git did not answer within {timeout:g} s"
        ) from None
    except FileNotFoundError as exc:
        if exc.filename not in (None, "git"):  # pragma: no cover - the folder vanished just now
            raise ManifestError(f"cannot read git state: {folder} is not a folder") from None
        raise ManifestError(
            "cannot read git state: git is not installed (not found on PATH)"
        ) from None
    except OSError as exc:
        raise ManifestError(f"cannot read git state at {folder}: cannot run git ({exc})") from None


def _failure(folder: Path, result: subprocess.CompletedProcess[bytes]) -> ManifestError:
    text = result.stderr.decode("utf-8", "replace").strip()
    if "not a git repository" in text or "must be run in a work tree" in text:
        return ManifestError(f"cannot read git state: {folder} is not inside a git work tree")
    first = text.splitlines()[0] if text else f"exit status {result.returncode}"
    first = first.removeprefix("fatal: ")
    return ManifestError(f"cannot read git state at {folder}: git failed ({first})")


def _no_commit(folder: Path) -> ManifestError:
    return ManifestError(f"cannot read git state: the repository at {folder} has no commit yet")


def capture_git(
    path: str | os.PathLike[str] | None = None, *, timeout: float = GIT_TIMEOUT
) -> GitState:
    """Return the state of the git work tree containing ``path`` (default: the current folder).

    One ``git status --porcelain=v2 --branch`` call gives the commit, the
    branch and whether anything changed.

    Raises:
        ManifestError: git is not installed, ``path`` is not inside a work
            tree, the repository has no commit yet, or git did not answer
            within ``timeout`` seconds.
    """
    folder = _folder(path)
    result = _git(folder, ["status", "--porcelain=v2", "--branch"], timeout)
    if result.returncode != 0:
        raise _failure(folder, result)
    sha = branch = ""
    dirty = False
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("# branch.oid "):
            sha = line[len("# branch.oid ") :]
        elif line.startswith("# branch.head "):
            branch = line[len("# branch.head ") :]
        elif line and not line.startswith("# "):
            dirty = True
    if sha == "(initial)":
        raise _no_commit(folder)
    if not sha or not branch:
        raise ManifestError(f"cannot read git state at {folder}: git did not report a commit")
    return GitState(sha=sha, dirty=dirty, branch="HEAD" if branch == "(detached)" else branch)


def capture_git_or_none(
    path: str | os.PathLike[str] | None = None, *, timeout: float = GIT_TIMEOUT
) -> GitState | None:
    """Like `capture_git`, but return None where it would raise."""
    try:
        return capture_git(path, timeout=timeout)
    except ManifestError:
        return None


def capture_git_sha(
    path: str | os.PathLike[str] | None = None, *, timeout: float = GIT_TIMEOUT
) -> str:
    """Return the id of the commit checked out at ``path``, without scanning for changes.

    Cheaper than `capture_git` in a large work tree: one ``git rev-parse``.

    Raises:
        ManifestError: As `capture_git`.
    """
    folder = _folder(path)
    result = _git(folder, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], timeout)
    if result.returncode == 1 and not result.stderr.strip():
        raise _no_commit(folder)
    if result.returncode != 0:
        raise _failure(folder, result)
    return result.stdout.decode("ascii", "replace").strip()


def capture_git_sha_or_none(
    path: str | os.PathLike[str] | None = None, *, timeout: float = GIT_TIMEOUT
) -> str | None:
    """Like `capture_git_sha`, but return None where it would raise."""
    try:
        return capture_git_sha(path, timeout=timeout)
    except ManifestError:
        return None


# -------------------------------------------------------------------- all of it


def capture_provenance(
    packages: Iterable[str] = (),
    *,
    cwd: str | os.PathLike[str] | None = None,
    git: bool = True,
    timeout: float = GIT_TIMEOUT,
) -> Provenance:
    """Capture a `Provenance` block for the running process.

    Args:
        packages: Distribution names whose versions to record.
        cwd: The folder whose git state is recorded (default: the current one).
        git: Record the git state; ``False`` skips the git call. Outside a work
            tree, or without git, the state is None.
        timeout: Seconds the git call may take.
    """
    return Provenance(
        captured_at=utc_now(),
        host=capture_host(),
        platform=capture_platform(),
        interpreter=capture_interpreter(),
        packages=capture_packages(packages),
        git=capture_git_or_none(cwd, timeout=timeout) if git else None,
    )
