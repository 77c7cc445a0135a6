"""Provenance capture: git state in real repositories, interpreter, packages, time."""

from __future__ import annotations

import importlib.metadata
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from gitrepo import git, isolate_git, make_repo
from strategies.provenance import git_states, provenances

GIT = shutil.which("git")
SLEEP = shutil.which("sleep")
assert GIT is not None, "the provenance tests need git"
assert SLEEP is not None


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The user's git configuration must not change what the tests see, and no
    # folder above tmp_path may be taken for a repository.
    isolate_git(tmp_path, monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture
def fake_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Put a folder first on PATH in which a test writes its own `git` script."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))

    def install(script: str) -> None:
        path = bin_dir / "git"
        path.write_text("#!/bin/sh\n" + script + "\n")
        path.chmod(0o755)

    return install


# ------------------------------------------------------------------------- git


def test_a_clean_work_tree(repo: Path) -> None:
    state = mk.capture_git(repo)
    assert state == mk.GitState(sha=git(repo, "rev-parse", "HEAD"), dirty=False, branch="main")
    assert not state.detached
    assert state.short_sha == git(repo, "rev-parse", "--short=7", "HEAD")
    assert mk.capture_git_sha(repo) == state.sha


@pytest.mark.parametrize(
    "change",
    ["modified", "staged", "untracked", "deleted"],
)
def test_any_change_git_status_lists_makes_the_tree_dirty(repo: Path, change: str) -> None:
    if change == "modified":
        (repo / "data.txt").write_text("two\n")
    elif change == "staged":
        (repo / "new.txt").write_text("x")
        git(repo, "add", "new.txt")
    elif change == "untracked":
        (repo / "untracked.txt").write_text("x")
    else:
        (repo / "data.txt").unlink()
    assert git(repo, "status", "--porcelain") != ""
    assert mk.capture_git(repo).dirty is True


def test_a_clone_tracking_its_upstream_is_clean(repo: Path, tmp_path: Path) -> None:
    git(tmp_path, "clone", "-q", str(repo), "clone")
    clone = tmp_path / "clone"
    status = git(clone, "status", "--porcelain=v2", "--branch")
    assert "# branch.upstream origin/main" in status  # header lines that are not changes
    assert mk.capture_git(clone) == mk.GitState(
        sha=git(repo, "rev-parse", "HEAD"), dirty=False, branch="main"
    )


def test_ignored_files_do_not_make_the_tree_dirty(repo: Path) -> None:
    (repo / "run.log").write_text("noise")
    assert git(repo, "status", "--porcelain") == ""
    assert mk.capture_git(repo).dirty is False


def test_a_detached_head_reports_HEAD_as_its_branch(repo: Path) -> None:  # noqa: N802
    sha = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "--detach")
    state = mk.capture_git(repo)
    assert state == mk.GitState(sha=sha, dirty=False, branch="HEAD")
    assert state.detached
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "HEAD"  # what the old tool recorded


@pytest.mark.parametrize("branch", ["feature/new-rig", "vérsion-2", "release_1.0"])
def test_branch_names_come_through_as_git_shows_them(tmp_path: Path, branch: str) -> None:
    repo = make_repo(tmp_path / "r", branch=branch)
    assert mk.capture_git(repo).branch == branch == git(repo, "rev-parse", "--abbrev-ref", "HEAD")


def test_a_subfolder_reports_its_work_tree_and_the_default_is_the_current_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = repo / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert mk.capture_git() == mk.capture_git(repo) == mk.capture_git(str(sub))
    assert mk.capture_git_sha() == mk.capture_git(repo).sha


def test_outside_a_work_tree_is_a_manifest_error_never_a_called_process_error(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    for capture in (mk.capture_git, mk.capture_git_sha):
        with pytest.raises(mk.ManifestError) as info:
            capture(outside)
        assert not isinstance(info.value, subprocess.CalledProcessError)
        assert str(info.value) == f"cannot read git state: {outside} is not inside a git work tree"
        assert info.value.__cause__ is None
        assert info.value.__context__ is None
    assert mk.capture_git_or_none(outside) is None
    assert mk.capture_git_sha_or_none(outside) is None


def test_the_git_folder_itself_is_not_a_work_tree(repo: Path) -> None:
    with pytest.raises(mk.ManifestError) as info:
        mk.capture_git(repo / ".git")
    assert (
        str(info.value) == f"cannot read git state: {repo / '.git'} is not inside a git work tree"
    )
    # The commit is still known there, as `git rev-parse HEAD` knows it.
    assert mk.capture_git_sha(repo / ".git") == git(repo, "rev-parse", "HEAD")


def test_a_repository_without_commits(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    message = f"cannot read git state: the repository at {empty} has no commit yet"
    for capture in (mk.capture_git, mk.capture_git_sha):
        with pytest.raises(mk.ManifestError) as info:
            capture(empty)
        assert str(info.value) == message
    assert mk.capture_git_or_none(empty) is None


def test_a_missing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(mk.ManifestError) as info:
        mk.capture_git(missing)
    assert str(info.value) == f"cannot read git state: {missing} is not a folder"
    (tmp_path / "file").write_text("")
    assert mk.capture_git_sha_or_none(tmp_path / "file") is None


def test_without_git_on_path(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    for capture in (mk.capture_git, mk.capture_git_sha):
        with pytest.raises(mk.ManifestError) as info:
            capture(repo)
        assert str(info.value) == "cannot read git state: git is not installed (not found on PATH)"
        assert not isinstance(info.value, FileNotFoundError)
    assert mk.capture_git_or_none(repo) is None
    assert mk.capture_git_sha_or_none(repo) is None
    assert mk.capture_provenance(cwd=repo).git is None


def test_a_git_that_does_not_answer_is_given_up_on(repo: Path, fake_git) -> None:  # type: ignore[no-untyped-def]
    fake_git(f"exec {SLEEP} 30")
    with pytest.raises(mk.ManifestError) as info:
        mk.capture_git(repo, timeout=0.2)
    assert str(info.value) == f"cannot read git state at {repo}: git did not answer within 0.2 s"
    assert mk.capture_git_sha_or_none(repo, timeout=0.2) is None


def test_other_git_failures_quote_git(repo: Path, fake_git) -> None:  # type: ignore[no-untyped-def]
    fake_git("echo 'fatal: unable to read the index' >&2; exit 128")
    with pytest.raises(mk.ManifestError) as info:
        mk.capture_git(repo)
    assert (
        str(info.value) == f"cannot read git state at {repo}: git failed (unable to read the index)"
    )
    fake_git("exit 3")
    with pytest.raises(mk.ManifestError) as info:
        mk.capture_git_sha(repo)
    assert str(info.value) == f"cannot read git state at {repo}: git failed (exit status 3)"
    fake_git("exit 0")
    with pytest.raises(mk.ManifestError) as info:
        mk.capture_git(repo)
    assert str(info.value) == f"cannot read git state at {repo}: git did not report a commit"


def test_a_git_that_cannot_be_run(repo: Path, tmp_path: Path, fake_git) -> None:  # type: ignore[no-untyped-def]
    fake_git("exit 0")
    (tmp_path / "bin" / "git").chmod(0o644)  # found on PATH, but not executable
    with pytest.raises(mk.ManifestError) as info:
        mk.capture_git(repo)
    assert str(info.value).startswith(f"cannot read git state at {repo}: cannot run git (")


def test_git_is_run_in_the_folder_asked_about_and_told_not_to_lock(repo: Path, fake_git) -> None:  # type: ignore[no-untyped-def]
    fake_git(
        'pwd > "$0.cwd"; echo "$@" > "$0.args"; echo "# branch.oid '
        + "a" * 40
        + '"; echo "# branch.head x"'
    )
    assert mk.capture_git(repo) == mk.GitState(sha="a" * 40, dirty=False, branch="x")
    bin_git = Path(shutil.which("git") or "")
    assert Path(str(bin_git) + ".cwd").read_text().strip() == str(repo)
    assert (
        Path(str(bin_git) + ".args").read_text().strip()
        == "--no-optional-locks status --porcelain=v2 --branch"
    )


# ---------------------------------------------------------------- the blocks


def test_git_state_checks_its_fields() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.GitState(sha="ABC", dirty=False, branch="")
    assert info.value.errors == [
        ("sha", 'expected a commit id of 40 or 64 lower-case hex digits, found a string ("ABC")'),
        ("branch", "expected a branch name (or HEAD), found an empty string"),
    ]
    doc = {"sha": "0" * 40, "dirty": "yes", "branch": "main", "tag": "v1"}
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(doc, mk.GitState)
    assert info.value.errors == [
        ("dirty", 'expected a boolean, found a string ("yes")'),
        ("tag", "unknown field"),
    ]


@given(git_states())
def test_git_state_round_trips(state: mk.GitState) -> None:
    assert set(mk.to_dict(state)) == {"sha", "dirty", "branch"}  # all three, always
    assert mk.from_dict(mk.to_dict(state), mk.GitState) == state


@given(provenances())
def test_provenance_round_trips_through_json_and_toml(p: mk.Provenance) -> None:
    assert mk.from_dict(mk.to_dict(p), mk.Provenance) == p
    assert mk.loads(mk.dumps(p), mk.Provenance) == p
    assert mk.loads(mk.dumps(p, "toml"), mk.Provenance, "toml") == p
    assert mk.content_hash(mk.loads(mk.dumps(p, "toml"), mk.Provenance, "toml")) == mk.content_hash(
        p
    )


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        (datetime(2026, 5, 14, 10, 0), "2026-05-14T10:00:00"),
        (
            datetime(2026, 5, 14, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            "2026-05-14T12:00:00+02:00",
        ),
    ],
)
def test_provenance_times_must_be_utc(when: datetime, shown: str) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.Provenance(
            captured_at=when,
            host="h",
            platform="p",
            interpreter=mk.capture_interpreter(),
        )
    assert info.value.errors == [
        ("captured_at", f"expected a UTC date-time (ending in Z or +00:00), found {shown}")
    ]


def test_capture_provenance_in_a_repository(repo: Path) -> None:
    before = mk.utc_now()
    p = mk.capture_provenance(["attrs", "surely-not-a-distribution"], cwd=repo)
    after = mk.utc_now()
    assert before <= p.captured_at <= after
    assert p.captured_at.tzinfo is timezone.utc
    assert p.git == mk.capture_git(repo)
    assert p.packages == {
        "attrs": importlib.metadata.version("attrs"),
        "surely-not-a-distribution": "not-installed",
    }
    assert p.interpreter == mk.Interpreter(
        implementation=platform.python_implementation(),
        version=platform.python_version(),
        executable=sys.executable,
    )
    assert p.platform == platform.platform()
    assert p.host == __import__("socket").gethostname()
    assert mk.capture_provenance(cwd=repo, git=False).git is None


def test_capture_provenance_outside_a_repository(tmp_path: Path) -> None:
    assert mk.capture_provenance(cwd=tmp_path).git is None


def test_utc_now_is_timezone_aware_utc() -> None:
    now = mk.utc_now()
    assert now.tzinfo is timezone.utc
    whole = mk.utc_now(microseconds=False)
    assert whole.microsecond == 0
    assert whole.tzinfo is timezone.utc
    assert abs(whole - now) < timedelta(minutes=1)
    assert mk.check_utc(now) is None


@pytest.mark.parametrize(
    ("given", "found"),
    [("no", 'a string ("no")'), (0, "an integer (0)"), (1, "an integer (1)"), (None, "null")],
)
def test_utc_now_takes_only_true_or_false(given: object, found: str) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.utc_now(microseconds=given)  # type: ignore[arg-type]
    assert info.value.errors == [("microseconds", f"expected a boolean, found {found}")]


def test_package_versions() -> None:
    assert mk.capture_packages(["cattrs", "", "cattrs", "no-such-dist-xyz", "a b", "-x"]) == {
        "cattrs": importlib.metadata.version("cattrs"),
        "": mk.NOT_INSTALLED,  # Python 3.10's importlib.metadata finds some distribution for ""
        "no-such-dist-xyz": "not-installed",
        "a b": "not-installed",
        "-x": "not-installed",
    }
    assert mk.capture_packages(["Attrs", "ORJSON"]) == {
        "Attrs": importlib.metadata.version("attrs"),
        "ORJSON": importlib.metadata.version("orjson"),
    }
    assert list(mk.capture_packages(["orjson", "attrs"])) == ["orjson", "attrs"]
    with pytest.raises(mk.ValidationError) as info:
        mk.capture_packages("attrs")
    assert str(info.value) == (
        'invalid package names: (document): expected a list of distribution names, found a string ("attrs")'
    )
    with pytest.raises(mk.ValidationError) as info:
        mk.capture_packages(["attrs", 3, None])  # type: ignore[list-item]
    assert info.value.errors == [
        ("[1]", "expected a distribution name, found an integer (3)"),
        ("[2]", "expected a distribution name, found null"),
    ]


@given(st.lists(st.sampled_from(["attrs", "orjson", "nope-nope"]), max_size=5))
def test_package_versions_hold_each_name_once(names: list[str]) -> None:
    assert list(mk.capture_packages(names)) == list(dict.fromkeys(names))
