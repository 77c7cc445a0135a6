"""Folder integrity: seal and verify, checked against the real GNU sha256sum."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _io
from manifestkit._checksums import format_checksums, parse_checksums, show_name
from manifestkit._errors import describe
from manifestkit._folders import CHUNK, Hashed, hash_files
from strategies.bundle import file_trees, write_tree

AWKWARD = [
    "plain.bin",
    "sp ace.dat",
    "percent %20 %s %%.txt",
    "üñí/日本語.tif",
    "back\\slash.txt",
    "new\nline.txt",
    "carriage\rreturn",
    " leading space",
    "trailing space ",
    "*star",
    "#hash",
    "tab\tname",
    "-dash",
    "deep/er/still/file",
]


def _sha256sum(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["sha256sum", *args], cwd=cwd, capture_output=True, check=False)


def _tree(root: Path, names: list[str]) -> dict[str, bytes]:
    tree = {name: f"content of {name!r}".encode() for name in names}
    write_tree(os.fspath(root), tree)
    return tree


# ------------------------------------------------------------------ hashing


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5])
def test_files_hash_like_hashlib_across_chunk_boundaries(tmp_path: Path, size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / "f"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert mk.hash_file(path) == expected
    seen: list[int] = []
    found = hash_files({"f": (os.fspath(path), size)}, workers=None, tick=seen.append)
    assert found == {"f": Hashed(expected, size)}
    assert sum(seen) == size
    assert all(n <= CHUNK for n in seen)


def test_hashing_a_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        mk.hash_file(tmp_path / "nope")
    assert isinstance(info.value, mk.ManifestIOError)


# ----------------------------------------------- the sha256sum file format


def test_the_checksum_file_is_byte_for_byte_what_sha256sum_writes(tmp_path: Path) -> None:
    tree = _tree(tmp_path, AWKWARD)
    (tmp_path / os.fsdecode(b"latin1-\xe9")).write_bytes(b"not utf-8 name")
    sealed = mk.seal(tmp_path)
    names = sorted([*tree, os.fsdecode(b"latin1-\xe9")], key=os.fsencode)
    assert list(sealed.digests) == names
    ours = (tmp_path / "manifest.sha256").read_bytes()
    theirs = _sha256sum("--", *(os.fsencode(n) for n in names), cwd=tmp_path)
    assert theirs.returncode == 0
    assert ours == theirs.stdout
    check = _sha256sum("-c", "--strict", "manifest.sha256", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(b": OK\n") == len(names)


def test_a_file_named_dash_is_checked_as_a_file_not_as_standard_input(tmp_path: Path) -> None:
    _tree(tmp_path, ["-", "sub/-"])
    assert list(mk.seal(tmp_path).digests) == ["-", "sub/-"]
    listing = (tmp_path / "manifest.sha256").read_bytes()
    assert [line.split(b"  ", 1)[1] for line in listing.splitlines()] == [b"./-", b"sub/-"]
    check = subprocess.run(
        ["sha256sum", "-c", "--strict", "manifest.sha256"],
        cwd=tmp_path,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert (check.returncode, check.stdout) == (0, b"./-: OK\nsub/-: OK\n")
    assert mk.verify(tmp_path).ok


@pytest.mark.parametrize("flags", [(), ("--binary",), ("--tag",)])
def test_checksum_files_written_by_sha256sum_are_read(
    tmp_path: Path, flags: tuple[str, ...]
) -> None:
    tree = _tree(tmp_path, AWKWARD)
    names = sorted(tree, key=os.fsencode)
    listing = _sha256sum(*flags, "--", *names, cwd=tmp_path).stdout
    (tmp_path / "manifest.sha256").write_bytes(listing)
    entries = parse_checksums(listing)
    assert [e.name for e in entries] == names
    assert [e.digest for e in entries] == [hashlib.sha256(tree[n]).hexdigest() for n in names]
    assert mk.verify(tmp_path).ok


def test_sha256sum_conventions_are_accepted(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    text = (
        f"# a comment\r\n\r\n  {digest.upper()}  ./sub//a.txt\r\n"
        f"\\{digest}  odd\\\\name\n{digest} *bin.dat"
    )
    entries = parse_checksums(text.encode())
    assert [(e.name, e.digest, e.line) for e in entries] == [
        ("sub/a.txt", digest, 3),
        ("odd\\name", digest, 4),
        ("bin.dat", digest, 5),
    ]
    # Once a file uses the single-space form, a blank after the digest starts the name.
    single = parse_checksums(f"{digest} one space.txt\n{digest}\t tab then space\n".encode())
    assert [e.name for e in single] == ["one space.txt", " tab then space"]
    usual = parse_checksums(f"{digest}\t tab then space\n".encode())
    assert [e.name for e in usual] == ["tab then space"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("abc  x.txt", 1, "expected a 64-digit hex sha256 digest, a space and a file name"),
        ("{d}", 1, "expected a 64-digit hex sha256 digest, a space and a file name"),
        ("{d}x  x.txt", 1, "expected a 64-digit hex sha256 digest, a space and a file name"),
        ("   ", 1, "expected a 64-digit hex sha256 digest, a space and a file name"),
        ("\\{d}  bad\\tescape", 1, "a backslash in an escaped name must be followed by \\, n or r"),
        ("\\{d}  trailing\\", 1, "a backslash in an escaped name must be followed by \\, n or r"),
        ("{d}  a\n{d} b", 2, "a single space after the digest, in a file that uses two"),
        ("SHA256 (x.txt) {d}", 1, "expected SHA256 (NAME) = DIGEST"),
        ("SHA256 (x.txt) = abc", 1, "expected a 64-digit hex sha256 digest"),
        ("{d} ", 1, "path is empty"),
        ("\n{d}  ../outside.txt", 2, 'path "../outside.txt" climbs out of its root'),
        (
            "{d}  /etc/passwd",
            1,
            'path "/etc/passwd" is absolute; expected a path relative to its root',
        ),
        ("{d}  a/../../x", 1, 'path "a/../../x" climbs out of its root'),
        (
            "{d}  C:\\x",
            1,
            'path "C:\\x" names a Windows drive; expected a path relative to its root',
        ),
        ("{d}  a.txt\n{d}  ./a.txt", 2, 'path "a.txt" is listed twice (first on line 1)'),
    ],
)
def test_malformed_checksum_files_are_refused_with_the_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    digest = "ab" * 32
    path = tmp_path / "manifest.sha256"
    path.write_bytes(text.replace("{d}", digest).encode())
    (tmp_path.parent / "outside.txt").write_text("never read")
    with pytest.raises(mk.FormatError) as info:
        mk.verify(tmp_path)
    assert (info.value.message, info.value.line, info.value.format) == (message, line, "sha256sum")
    assert info.value.source == str(path)
    assert str(info.value) == f"invalid SHA256SUM ({path}; line {line}): {message}"


@given(st.lists(st.tuples(st.text(min_size=1), st.binary(min_size=32, max_size=32)), max_size=6))
def test_names_survive_the_checksum_format(entries: list[tuple[str, bytes]]) -> None:
    from manifestkit._paths import relative_path_problem

    unique = {
        os.fsdecode(os.fsencode(n)): d.hex()
        for n, d in entries
        if relative_path_problem(n) is None
        and "/" not in n
        and n not in (".", "")
        and not n.startswith("#")
        and n.strip(" \t") == n
    }
    parsed = parse_checksums(format_checksums(unique.items()))
    assert {e.name: e.digest for e in parsed} == unique
    assert [e.name for e in parsed] == sorted(unique, key=os.fsencode)


def test_names_are_shown_unambiguously() -> None:
    assert show_name("a b/c.txt") == "a b/c.txt"
    assert show_name("new\nline") == '"new\\nline"'
    assert show_name("back\\slash") == '"back\\\\slash"'
    assert show_name(" x") == '" x"'
    assert show_name(os.fsdecode(b"\xff")) == '"\\udcff"'


# ------------------------------------------------------------- seal / verify


@settings(max_examples=25)
@given(file_trees())
def test_for_all_trees_seal_then_verify_passes_here_and_in_sha256sum(
    tree: dict[str, bytes],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(tmp, tree)
        sealed = mk.seal(tmp, workers=3)
        assert sealed.digests == {
            n: hashlib.sha256(tree[n]).hexdigest() for n in sorted(tree, key=os.fsencode)
        }
        assert (sealed.file_count, sealed.total_bytes) == (len(tree), sum(map(len, tree.values())))
        result = mk.verify(tmp, expected_bytes=sealed.total_bytes, workers=1)
        assert (result.ok, result.status, result.problems, result.complete) == (
            True,
            "ok",
            (),
            True,
        )
        check = _sha256sum("-c", "--strict", "manifest.sha256", cwd=Path(tmp))
        assert check.returncode == 0, check.stdout + check.stderr


def test_the_listing_is_sorted_and_leaves_out_itself_and_excluded_names(tmp_path: Path) -> None:
    _tree(tmp_path, ["b", "a/z", "a-b", "B", "manifest.json", "sub/manifest.sha256"])
    sealed = mk.seal(tmp_path, exclude=["manifest.json"])
    assert list(sealed.digests) == ["B", "a-b", "a/z", "b", "sub/manifest.sha256"]
    again = mk.seal(tmp_path, exclude=["manifest.json"])  # the old checksum file is not listed
    assert again.digests == sealed.digests
    (tmp_path / "manifest.json").write_text("changed after the seal")
    assert mk.verify(tmp_path, exclude=["manifest.json"]).ok
    assert mk.verify(tmp_path).extra == ("manifest.json",)
    mk.seal(tmp_path)  # listed now: excluding it when verifying still checks it
    (tmp_path / "manifest.json").write_text("changed again")
    assert mk.verify(tmp_path, exclude=["manifest.json"]).corrupted == ("manifest.json",)


@pytest.mark.parametrize(
    ("exclude", "errors"),
    [
        (
            "manifest.json",  # iterated, it would exclude its letters and list the file
            [("exclude", 'expected a collection of file names, found a string ("manifest.json")')],
        ),
        (
            ["ok.json", "../up.json", "", 7, "/abs"],
            [
                ("exclude[1]", 'path "../up.json" climbs out of its root'),
                ("exclude[2]", "path is empty"),
                ("exclude[3]", "expected a relative path, found an integer (7)"),
                ("exclude[4]", 'path "/abs" is absolute; expected a path relative to its root'),
            ],
        ),
    ],
)
def test_exclude_names_files_inside_the_folder_or_is_refused(
    tmp_path: Path, exclude: Any, errors: list[tuple[str, str]]
) -> None:
    _tree(tmp_path, ["manifest.json", "data.bin"])
    for run in (mk.seal, mk.verify):
        with pytest.raises(mk.ValidationError) as info:
            run(tmp_path, exclude=exclude)
        assert info.value.errors == errors
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin", "manifest.json"]


@pytest.mark.parametrize("workers", [0, -2, 1.5, "4", True])
def test_workers_must_be_at_least_one(tmp_path: Path, workers: Any) -> None:
    _tree(tmp_path, ["data.bin"])
    for run in (mk.seal, mk.verify):
        with pytest.raises(mk.ValidationError) as info:
            run(tmp_path, workers=workers)
        assert info.value.errors == [
            ("workers", f"expected None or an integer of at least 1, found {describe(workers)}")
        ]
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]
    assert mk.verify(tmp_path, checksum_file=mk.seal(tmp_path, workers=1).checksum_file.name).ok


def test_verify_refuses_an_expected_count_below_zero(tmp_path: Path) -> None:
    _tree(tmp_path, ["data.bin"])
    mk.seal(tmp_path)
    with pytest.raises(mk.ValidationError) as info:
        mk.verify(tmp_path, expected_files=-1, expected_bytes=1.5)  # type: ignore[arg-type]
    assert info.value.errors == [
        ("expected_files", "expected None or an integer of at least 0, found an integer (-1)"),
        ("expected_bytes", "expected None or an integer of at least 0, found a number (1.5)"),
    ]
    assert mk.verify(tmp_path, expected_files=1, expected_bytes=0).ok is False  # it has bytes


def _damaged(tmp_path: Path) -> Path:
    _tree(tmp_path, ["flip.bin", "short.bin", "gone.bin", "same.bin", "sub/gone too.txt"])
    (tmp_path / "flip.bin").write_bytes(b"A" * 100)
    mk.seal(tmp_path)
    data = bytearray((tmp_path / "flip.bin").read_bytes())
    data[50] ^= 0x01
    (tmp_path / "flip.bin").write_bytes(bytes(data))
    (tmp_path / "short.bin").write_bytes((tmp_path / "short.bin").read_bytes()[:-1])
    (tmp_path / "gone.bin").unlink()
    (tmp_path / "sub" / "gone too.txt").unlink()
    (tmp_path / "new\nfile").write_bytes(b"added")
    return tmp_path


def test_verify_names_every_corrupted_missing_and_extra_file(tmp_path: Path) -> None:
    result = mk.verify(_damaged(tmp_path))
    assert result.corrupted == ("flip.bin", "short.bin")
    assert result.missing == ("gone.bin", "sub/gone too.txt")
    assert result.extra == ("new\nfile",)
    assert (result.ok, result.complete, result.status) == (False, False, "mismatch")
    assert result.lines() == [
        ".: expected 5 files, found 4 files (147 bytes)",
        "flip.bin: content differs from its checksum in manifest.sha256",
        "gone.bin: missing",
        '"new\\nfile": not listed in manifest.sha256',
        "short.bin: content differs from its checksum in manifest.sha256",
        "sub/gone too.txt: missing",
    ]
    with pytest.raises(mk.IntegrityError) as info:
        result.raise_if_failed()
    assert info.value.problems == list(result.problems)
    assert (
        str(info.value).splitlines()[0] == f"{tmp_path} does not match manifest.sha256 (6 problems)"
    )


def test_the_completeness_check_never_hides_which_files_differ(tmp_path: Path) -> None:
    _tree(tmp_path, ["a", "b"])
    sealed = mk.seal(tmp_path)
    (tmp_path / "a").write_bytes(b"same size, new content!!")  # count and bytes may still match
    (tmp_path / "b").write_bytes(b"x" * (len(b"same size, new content!!")))
    result = mk.verify(tmp_path, expected_files=2, expected_bytes=sealed.total_bytes)
    assert result.complete is False
    assert result.problems == (
        (".", f"expected 2 files ({sealed.total_bytes} bytes), found 2 files (48 bytes)"),
        ("a", "content differs from its checksum in manifest.sha256"),
        ("b", "content differs from its checksum in manifest.sha256"),
    )
    (tmp_path / "a").write_bytes(b"content of 'a'")
    (tmp_path / "b").write_bytes(b"content of 'c'")  # the same size: only hashing can tell
    result = mk.verify(tmp_path, expected_bytes=sealed.total_bytes)
    assert result.complete is True
    assert result.corrupted == ("b",)
    assert result.status == "mismatch"


def test_a_recorded_count_that_disagrees_with_the_listing_is_a_problem(tmp_path: Path) -> None:
    _tree(tmp_path, ["a"])
    mk.seal(tmp_path)
    result = mk.verify(tmp_path, expected_files=2)
    assert result.problems == (
        (".", "manifest.sha256 lists 1 file; expected 2 files"),
        (".", "expected 2 files, found 1 file (14 bytes)"),
    )
    assert result.status == "mismatch"


def test_only_missing_files_make_a_partial_result(tmp_path: Path) -> None:
    _tree(tmp_path, ["a", "b"])
    mk.seal(tmp_path)
    (tmp_path / "a").unlink()
    result = mk.verify(tmp_path)
    assert (result.missing, result.status) == (("a",), "partial")


def test_a_file_that_vanishes_while_verifying_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * (3 * CHUNK))
    (tmp_path / "small").write_bytes(b"y")
    mk.seal(tmp_path)

    def remove_small(_: int) -> None:  # the big file goes first; the small one then vanishes
        (tmp_path / "small").unlink(missing_ok=True)

    result = mk.verify(tmp_path, workers=1, progress=remove_small)
    assert result.unreadable == (("small", "cannot read: No such file or directory"),)
    assert result.status == "partial"


def test_progress_functions_get_every_byte(tmp_path: Path) -> None:
    _tree(tmp_path, [f"f{i}" for i in range(8)])
    (tmp_path / "big").write_bytes(b"z" * (CHUNK + 7))
    seen: list[int] = []
    sealed = mk.seal(tmp_path, progress=seen.append, workers=4)
    assert sum(seen) == sealed.total_bytes
    seen.clear()
    mk.verify(tmp_path, progress=seen.append, workers=4)
    assert sum(seen) == sealed.total_bytes


# ------------------------------------------------------ links and outside


def test_sealing_refuses_links_and_special_files_naming_each(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _tree(root, ["data/a.bin"])
    (tmp_path / "secret.txt").write_text("outside")
    (root / "to-outside").symlink_to(tmp_path / "secret.txt")
    (root / "data" / "to-a").symlink_to("a.bin")
    (root / "dangling").symlink_to("nowhere")
    (root / "folder-link").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(root / "fifo")
    with pytest.raises(mk.IntegrityError) as info:
        mk.seal(root)
    link = "is a symbolic link; a sealed folder holds only regular files"
    assert info.value.problems == [
        ("dangling", link),
        ("data/to-a", link),
        ("fifo", "is a FIFO; a sealed folder holds only regular files"),
        ("folder-link", link),
        ("to-outside", link),
    ]
    assert str(info.value).splitlines()[0] == f"cannot seal {root}: 5 entries cannot be sealed"
    assert not (root / "manifest.sha256").exists()


def test_verify_reports_links_without_following_them(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _tree(root, ["a.txt", "sub/b.txt"])
    mk.seal(root)
    outside = tmp_path / "elsewhere"
    _tree(outside, ["a.txt", "b.txt"])  # the same content, outside the folder
    (root / "a.txt").unlink()
    (root / "a.txt").symlink_to(outside / "a.txt")
    (root / "sub" / "b.txt").unlink()
    (root / "sub").rmdir()
    (root / "sub").symlink_to(outside, target_is_directory=True)
    result = mk.verify(root)
    link = "is a symbolic link; a sealed folder holds only regular files"
    assert result.problems == (
        (".", "expected 2 files, found 0 files (0 bytes)"),
        ("a.txt", link),
        ("sub", link),
        ("sub/b.txt", "not checked: it is inside sub, which is refused"),
    )
    assert result.missing == ()  # not looked for through the link, so not "missing"
    assert result.refused == (("a.txt", link), ("sub", link))
    assert result.status == "mismatch"


def test_only_files_under_a_linked_folder_are_not_checked(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _tree(root, ["sub/b.txt", "subway/c.txt"])
    mk.seal(root)
    shutil.rmtree(root / "sub")
    shutil.rmtree(root / "subway")
    (root / "sub").symlink_to(tmp_path, target_is_directory=True)
    result = mk.verify(root)
    assert result.problems[1:] == (
        ("sub", "is a symbolic link; a sealed folder holds only regular files"),
        ("sub/b.txt", "not checked: it is inside sub, which is refused"),
        ("subway/c.txt", "missing"),  # a name that only starts like the link's
    )
    assert result.missing == ("subway/c.txt",)


def test_a_stale_temp_file_of_an_interrupted_seal_is_not_listed(tmp_path: Path) -> None:
    _tree(tmp_path, ["a"])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = (
        tmp_path / f".manifest.sha256.{_io._host_tag()}-{dead.stdout.strip()}-0123456789ab.mk-tmp"
    )
    stale.write_bytes(b"half a checksum file")
    assert list(mk.seal(tmp_path).digests) == ["a"]
    assert not stale.exists()


def test_verify_passes_over_a_killed_writers_temp_files_of_excluded_names(
    tmp_path: Path,
) -> None:
    # A writer killed while rewriting a manifest that records the seal leaves its
    # temporary file; verifying (which writes nothing) must not call it an added file.
    _tree(tmp_path, ["a", "sub/b"])
    mk.seal(tmp_path, exclude=["manifest.json"])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    host = _io._host_tag()
    stale = [
        f".manifest.json.{host}-{dead}-0123456789ab.mk-tmp",
        f".manifest.sha256.{host}-{dead}-0123456789ab.mk-tmp",
    ]
    content = [
        f".manifest.json.{host}-{os.getpid()}-0123456789ab.mk-tmp",  # a live writer's
        f".manifest.json.{int(host, 16) ^ 1:08x}-{dead}-0123456789ab.mk-tmp",  # another host's
        f".a.{host}-{dead}-0123456789ab.mk-tmp",  # of a file the seal covers
        f"sub/.manifest.json.{host}-{dead}-0123456789ab.mk-tmp",  # another folder's
    ]
    for name in stale + content:
        (tmp_path / name).write_bytes(b"half a file")
    result = mk.verify(tmp_path, exclude=["manifest.json"])
    assert result.extra == tuple(sorted(content, key=os.fsencode))
    assert all((tmp_path / name).exists() for name in stale)  # verifying writes nothing
    for name in content:
        (tmp_path / name).unlink()
    assert mk.verify(tmp_path, exclude=["manifest.json"]).ok


def test_the_checksum_file_must_be_a_name_in_the_folder(tmp_path: Path) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.seal(tmp_path, checksum_file="../x.sha256")
    assert info.value.errors == [
        ("checksum_file", 'expected a file name in the folder, found "../x.sha256"')
    ]
    _tree(tmp_path, ["a"])
    mk.seal(tmp_path, checksum_file="SHA256SUMS")
    assert mk.verify(tmp_path, checksum_file="SHA256SUMS").ok
    assert mk.verify(tmp_path, checksum_file="SHA256SUMS", exclude=()).extra == ()


def test_missing_folders_and_checksum_files_are_io_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        mk.seal(tmp_path / "nope")
    with pytest.raises(FileNotFoundError) as info:
        mk.verify(tmp_path)
    assert info.value.filename == str(tmp_path / "manifest.sha256")


def test_an_empty_folder_seals_to_an_empty_listing(tmp_path: Path) -> None:
    sealed = mk.seal(tmp_path)
    assert (sealed.file_count, sealed.total_bytes) == (0, 0)
    assert (tmp_path / "manifest.sha256").read_bytes() == b""
    assert mk.verify(tmp_path).ok


# ---------------------------------------------------------- command line


def test_cli_seal_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from manifestkit._cli import main

    _tree(tmp_path, ["a b.txt", "new\nline"])
    assert main(["seal", str(tmp_path)]) == 0
    assert capsys.readouterr() == (
        f"sealed {tmp_path}: 2 files, 42 bytes, listed in manifest.sha256\n",
        "",
    )
    assert main(["verify", str(tmp_path)]) == 0
    assert (
        capsys.readouterr().out == f"verified {tmp_path}: 2 files, 42 bytes match manifest.sha256\n"
    )
    (tmp_path / "a b.txt").write_text("changed")
    (tmp_path / "new\nline").unlink()
    (tmp_path / "extra").write_text("new")
    assert main(["verify", str(tmp_path)]) == 1
    assert capsys.readouterr().out == (  # the same count: no completeness line
        "a b.txt: content differs from its checksum in manifest.sha256\n"
        "extra: not listed in manifest.sha256\n"
        '"new\\nline": missing\n'
    )


def test_cli_seal_names_every_link_it_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from manifestkit._cli import main

    _tree(tmp_path, ["a"])
    (tmp_path / "l1").symlink_to("a")
    (tmp_path / "l\n2").symlink_to("/etc/passwd")
    assert main(["seal", str(tmp_path)]) == 1
    link = "is a symbolic link; a sealed folder holds only regular files"
    assert capsys.readouterr() == ("", f'manifestkit: "l\\n2": {link}\nmanifestkit: l1: {link}\n')


def test_cli_bad_usage_exits_2(tmp_path: Path) -> None:
    _tree(tmp_path, ["a"])
    for args, message in [
        (
            ["seal", str(tmp_path / "nope")],
            f"argument DIR: {str(tmp_path / 'nope')!r} is not a folder",
        ),
        (["verify"], "the following arguments are required: DIR"),
        (["verify", "--record", str(tmp_path)], None),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "manifestkit", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2
        assert done.stdout == ""
        if message is None:
            assert done.stderr == (
                f"manifestkit verify: error: --record needs a bundle; {tmp_path} has none\n"
            )
        else:
            assert message in done.stderr.splitlines()[-1]


def test_cli_without_a_checksum_file_exits_1(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "manifestkit", "verify", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"manifestkit: [Errno 2] cannot read: No such file or directory: "
        f"'{tmp_path / 'manifest.sha256'}'\n"
    )


def _on_a_terminal(args: list[str], *, without_tqdm: bool = False) -> tuple[int, str, bytes]:
    """Run the command line with standard error on a real pseudo-terminal."""
    import fcntl
    import pty
    import struct
    import termios

    primary, secondary = pty.openpty()
    # A terminal has a size (a fresh pseudo-terminal's is 0 columns: nothing fits).
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    code = "import sys\nfrom manifestkit._cli import main\nsys.exit(main(sys.argv[1:]))"
    if without_tqdm:  # as if the progress extra were not installed
        code = "import sys\nsys.modules['tqdm'] = None\n" + code
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=secondary,
    )
    os.close(secondary)
    screen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(primary)
    out, _ = child.communicate()
    return child.returncode, out.decode(), screen


def test_a_progress_bar_is_drawn_on_a_terminal_only(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"x" * (3 * CHUNK))
    status, out, screen = _on_a_terminal(["seal", str(tmp_path)])
    assert (status, out) == (
        0,
        f"sealed {tmp_path}: 1 file, 3145728 bytes, listed in manifest.sha256\n",
    )
    assert screen.startswith(b"\rseal:   0%|")
    assert b"| 0.00/3.00M [" in screen
    status, out, screen = _on_a_terminal(["verify", str(tmp_path)])
    assert status == 0
    assert screen.startswith(b"\rverify:   0%|")
    piped = subprocess.run(
        [sys.executable, "-m", "manifestkit", "verify", str(tmp_path)],
        capture_output=True,
        check=False,
    )
    assert (piped.returncode, piped.stderr) == (0, b"")


def test_without_the_progress_extra_the_terminal_stays_quiet(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"x" * 1000)
    status, out, screen = _on_a_terminal(["seal", str(tmp_path)], without_tqdm=True)
    assert (status, out, screen) == (
        0,
        f"sealed {tmp_path}: 1 file, 1000 bytes, listed in manifest.sha256\n",
        b"",
    )


def test_the_library_draws_no_bar_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data.bin").write_bytes(b"x" * 1000)
    mk.seal(tmp_path, progress=True)  # standard error is not a terminal here
    mk.verify(tmp_path)
    assert capsys.readouterr() == ("", "")


def test_sockets_and_windows_climbing_names_are_refused_too(tmp_path: Path) -> None:
    import socket

    _tree(tmp_path, ["ok.txt", "..\\up.txt"])  # one file on POSIX; climbs out on Windows
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(os.fspath(tmp_path / "sock"))
        with pytest.raises(mk.IntegrityError) as info:
            mk.seal(tmp_path)
    finally:
        server.close()
    assert info.value.problems == [
        ("..\\up.txt", 'path "..\\up.txt" climbs out of its root'),
        ("sock", "is a socket; a sealed folder holds only regular files"),
    ]


def test_hashing_never_follows_a_link_or_blocks_on_a_fifo(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    os.mkfifo(tmp_path / "fifo")
    jobs = {name: (os.fspath(tmp_path / name), 1) for name in ("link", "fifo", "real", "gone")}
    assert hash_files(jobs, workers=2, tick=lambda _: None) == {
        "link": "is a symbolic link; a sealed folder holds only regular files",
        "fifo": "is no longer a regular file",
        "real": Hashed(hashlib.sha256(b"x").hexdigest(), 1),
        "gone": "cannot read: No such file or directory",
    }


def test_a_checksum_file_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "root"
    _tree(root, ["a"])
    mk.seal(root)
    (root / "manifest.sha256").rename(tmp_path / "outside.sha256")
    (root / "manifest.sha256").symlink_to(tmp_path / "outside.sha256")
    with pytest.raises(mk.ValidationError) as info:
        mk.verify(root)
    assert info.value.errors == [
        ("manifest.sha256", 'path "manifest.sha256" leads through a symbolic link out of its root')
    ]


def test_stale_temp_files_of_excluded_names_in_subfolders_are_removed(tmp_path: Path) -> None:
    _tree(tmp_path, ["sub/index.json", "a"])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = (
        tmp_path
        / "sub"
        / f".index.json.{_io._host_tag()}-{dead.stdout.strip()}-0123456789ab.mk-tmp"
    )
    stale.write_bytes(b"half an index")
    assert list(mk.seal(tmp_path, exclude=["sub/index.json"]).digests) == ["a"]
    assert not stale.exists()
