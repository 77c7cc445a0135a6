"""Integrity of data files: hashing, sealing a folder, verifying it later.

Sealing a folder writes ``manifest.sha256`` in it: one line per regular file
under the folder (except the checksum file itself and any names the caller
excludes), sorted, in the format of GNU ``sha256sum``, so that
``sha256sum -c manifest.sha256`` run in the folder checks it with standard
tools. Verifying reads that file back and reports every file whose content
changed, that is missing, or that was added, not only the first.

A sealed folder is self-contained: a symbolic link in it (or a FIFO, socket or
device) is refused by name rather than followed, and every name read from a
checksum file passes `resolve_inside` before a file is opened, so nothing
outside the folder is ever read or written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import attrs

from ._checksums import format_checksums, parse_checksums, quote_name, show_name
from ._errors import IntegrityError, ManifestIOError, ValidationError, describe
from ._folders import CHUNK, Hashed, Walk, hash_files, walk
from ._io import _remove_stale, _stale_temp_files, atomic_write, path_text, read_bytes
from ._paths import relative_path_problem, resolve_inside
from ._progress import Progress, reporting

__all__ = [
    "CHECKSUM_FILE",
    "CHUNK",
    "SealResult",
    "VerifyResult",
    "hash_file",
    "seal",
    "verify",
]

CHECKSUM_FILE = "manifest.sha256"
_MAX_CHECKSUM_BYTES = 256 * 1024 * 1024
IntegrityStatus = Literal["ok", "mismatch", "partial"]


def hash_file(path: str | os.PathLike[str]) -> str:
    """Return the sha256 hex digest of a file's bytes, read in 1 MiB chunks."""
    name = path_text(path)
    h = hashlib.sha256()
    try:
        with open(name, "rb", buffering=0) as f:
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            while n := f.readinto(buf):
                h.update(view[:n])
    except OSError as exc:
        raise ManifestIOError.wrap(exc, "hash", name) from None
    return h.hexdigest()


@attrs.frozen
class SealResult:
    """What `seal` wrote.

    Attributes:
        folder: The sealed folder.
        checksum_file: The checksum file written in it.
        digests: Relative POSIX name -> sha256 hex digest, sorted by name.
        file_count: How many files are listed.
        total_bytes: Their sizes added up.
        sealed_utc: When the checksum file was written (UTC).
    """

    folder: Path
    checksum_file: Path
    digests: Mapping[str, str]
    file_count: int
    total_bytes: int
    sealed_utc: datetime


@attrs.frozen
class VerifyResult:
    """Everything `verify` found; every problem is kept, not only the first.

    Attributes:
        folder: The verified folder.
        checksum_file: The checksum file it was checked against.
        expected_files: How many files the checksum file lists (or the caller expected).
        expected_bytes: Their total size, when the caller knew it (a manifest records it).
        found_files: How many regular files the folder holds (listed or not).
        found_bytes: Their total size.
        corrupted: Listed files whose content differs from their checksum.
        missing: Listed files that are not in the folder.
        extra: Files in the folder that are not listed.
        refused: Symbolic links and special files, with why they are refused.
        unreadable: Files or folders that could not be read, with the reason.
        problems: One ``(name, message)`` pair per problem, the count-and-size
            check first (named ``"."``, the folder), then by file name.
    """

    folder: Path
    checksum_file: Path
    expected_files: int
    expected_bytes: int | None
    found_files: int
    found_bytes: int
    corrupted: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()
    problems: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every listed file is present, unchanged, and nothing was added."""
        return not self.problems

    @property
    def complete(self) -> bool:
        """Whether the count (and, when known, total size) of files is as expected.

        The cheap check, done before any file is hashed; files can differ even when
        it holds.
        """
        return self.found_files == self.expected_files and self.expected_bytes in (
            None,
            self.found_bytes,
        )

    @property
    def status(self) -> IntegrityStatus:
        """The verdict as a manifest's integrity block records it.

        ``"ok"``; ``"partial"`` when the only problems are files that could not
        be reached (missing or unreadable); ``"mismatch"`` when content differs,
        files were added, or links or special files appeared.
        """
        if self.ok:
            return "ok"
        if self.corrupted or self.extra or self.refused:
            return "mismatch"
        if self.missing or self.unreadable:
            return "partial"
        return "mismatch"  # only the count or size differs: a listed file changed size

    def lines(self) -> list[str]:
        """One line per problem, ``name: message``, names shown unambiguously."""
        return [f"{show_name(name)}: {message}" for name, message in self.problems]

    def raise_if_failed(self) -> None:
        """Raise `IntegrityError` listing every problem, unless the folder verified.

        Raises:
            IntegrityError: At least one problem was found.
        """
        if self.problems:
            count = len(self.problems)
            raise IntegrityError(
                f"{self.folder} does not match {self.checksum_file.name} "
                f"({count} problem{'s' if count != 1 else ''})",
                self.problems,
            )


def _checksum_name(checksum_file: str) -> str:
    if not checksum_file or "/" in checksum_file or "\\" in checksum_file:
        raise ValidationError(
            [
                (
                    "checksum_file",
                    f"expected a file name in the folder, found {quote_name(checksum_file)}",
                )
            ],
            title="invalid checksum file name",
        )
    return checksum_file


def _arguments(
    checksum_file: str, exclude: Iterable[str], workers: int | None, **counts: int | None
) -> tuple[str, set[str]]:
    """The checksum file's name and the excluded names, once the arguments are checked.

    ``workers`` must be None or at least 1; each of ``counts`` None or at least 0.
    """
    least = {"workers": 1, **dict.fromkeys(counts, 0)}
    errors = [
        (arg, f"expected None or an integer of at least {least[arg]}, found {describe(v)}")
        for arg, v in {"workers": workers, **counts}.items()
        if v is not None and (type(v) is not int or v < least[arg])
    ]
    if errors:
        raise ValidationError(errors, title="invalid arguments")
    return _checksum_name(checksum_file), _excluded(exclude)


def _excluded(exclude: Iterable[str]) -> set[str]:
    """The names to leave out, once each is known to be a relative name in the folder.

    A bare string is refused: iterated, it would exclude its letters.
    """
    if isinstance(exclude, str):
        raise ValidationError(
            [("exclude", f"expected a collection of file names, found {describe(exclude)}")],
            title="invalid exclude",
        )
    names, errors = set(), []
    for i, name in enumerate(exclude):
        if type(name) is not str:
            problem: str | None = f"expected a relative path, found {describe(name)}"
        else:
            problem = relative_path_problem(name)
        if problem is None:
            names.add(name)
        else:
            errors.append((f"exclude[{i}]", problem))
    if errors:
        raise ValidationError(errors, title="invalid exclude")
    return names


def _open_path(root: str, name: str) -> str:
    """The path of a stored name, after `resolve_inside` has accepted it.

    A backslash is a Windows separator to `resolve_inside` (so a stored name
    cannot climb out on Windows either), but on POSIX it is an ordinary
    character of a file name: the file opened is the one the name denotes here.
    """
    resolve_inside(root, name, field=name)
    return os.path.join(root, *name.split("/"))


def seal(
    folder: str | os.PathLike[str],
    *,
    checksum_file: str = CHECKSUM_FILE,
    exclude: Iterable[str] = (),
    workers: int | None = None,
    progress: Progress = False,
) -> SealResult:
    """Hash every regular file under a folder and write ``manifest.sha256`` in it.

    The checksum file is in GNU ``sha256sum`` format: ``sha256sum -c
    manifest.sha256`` run in the folder checks it. It is written atomically.

    Args:
        folder: The folder to seal.
        checksum_file: The checksum file's name, in the folder.
        exclude: Relative POSIX names of files to leave out (a manifest that
            records the seal, for instance, and changes after it); a
            collection, not one string.
        workers: Files hashed at once (default: the usable cores, at least 2).
        progress: ``True`` draws a bar on standard error when it is a terminal
            and tqdm is installed; a callable is called with byte counts.

    Raises:
        IntegrityError: The folder holds symbolic links, special files, files
            or folders that cannot be read, or names that are not safe
            relative paths; every one is named.
        ValidationError: ``checksum_file`` or a name in ``exclude`` is not a
            name inside the folder, or ``workers`` is below 1.
        ManifestIOError: The folder cannot be listed or the file written.
    """
    root = path_text(folder, "folder")
    name, excluded = _arguments(checksum_file, exclude, workers)
    skip = {name, *excluded}
    for skipped in skip:  # temp files of interrupted writes to these are not content
        folder_of, file_name = os.path.split(os.path.join(root, *skipped.split("/")))
        _remove_stale(folder_of, file_name)
    found = walk(root, skip)
    problems = dict(found.refused) | found.unreadable
    jobs: dict[str, tuple[str, int]] = {}
    for file, size in found.files.items():
        try:
            jobs[file] = (_open_path(root, file), size)
        except ValidationError as exc:
            problems[file] = exc.errors[0][1]
    if not problems:
        total = sum(found.files.values())
        with reporting(progress, total, "seal") as tick:
            hashed = hash_files(jobs, workers=workers, tick=tick)
        problems = {file: why for file, why in hashed.items() if isinstance(why, str)}
    if problems:
        count = len(problems)
        raise IntegrityError(
            f"cannot seal {root}: {count} entr{'ies' if count != 1 else 'y'} cannot be sealed",
            sorted(problems.items(), key=lambda p: os.fsencode(p[0])),
        )
    digests = {file: h.digest for file, h in hashed.items() if isinstance(h, Hashed)}
    target = os.path.join(root, name)
    atomic_write(target, format_checksums(digests.items()))
    ordered = dict(sorted(digests.items(), key=lambda d: os.fsencode(d[0])))
    return SealResult(
        folder=Path(root),
        checksum_file=Path(target),
        digests=ordered,
        file_count=len(ordered),
        total_bytes=sum(h.size for h in hashed.values() if isinstance(h, Hashed)),
        sealed_utc=datetime.now(timezone.utc),
    )


def verify(
    folder: str | os.PathLike[str],
    *,
    checksum_file: str = CHECKSUM_FILE,
    exclude: Iterable[str] = (),
    expected_files: int | None = None,
    expected_bytes: int | None = None,
    workers: int | None = None,
    progress: Progress = False,
) -> VerifyResult:
    """Check a folder against its ``manifest.sha256``; report every difference.

    First a cheap completeness check (how many files, how many bytes, from the
    folder listing alone); then every listed file that is present is hashed,
    whatever that check said, so the result names each file that differs.
    Nothing is written.

    Args:
        folder: The folder to check.
        checksum_file: The checksum file's name, in the folder.
        exclude: Relative POSIX names of files not to count or report as extra
            (files the checksum file lists are checked all the same); a
            collection, not one string. The
            temporary files a killed writer of one of them (or of the checksum
            file) left behind are passed over too, as `seal` removes them.
        expected_files: The number of files a manifest recorded, when it
            differs from the checksum file's count that is a problem too.
        expected_bytes: The total size a manifest recorded, if any.
        workers: Files hashed at once (default: the usable cores, at least 2).
        progress: As for `seal`.

    Returns:
        A `VerifyResult`; call its ``raise_if_failed()`` to raise instead.

    Raises:
        FormatError: The checksum file is malformed or names an unsafe path.
        ManifestIOError: The folder or its checksum file cannot be read.
        ValidationError: ``checksum_file`` or a name in ``exclude`` is not a
            name inside the folder, ``workers`` is below 1, or an expected count
            is below 0.
    """
    root = path_text(folder, "folder")
    name, excluded = _arguments(
        checksum_file,
        exclude,
        workers,
        expected_files=expected_files,
        expected_bytes=expected_bytes,
    )
    target = os.path.join(root, name)
    resolve_inside(root, name, field=name)  # a link to a file outside is not read
    listed = parse_checksums(read_bytes(target, _MAX_CHECKSUM_BYTES), target)
    listed_names = {entry.name for entry in listed}
    found = walk(root, {name})
    # An excluded name is left out of the count and never extra; if the
    # checksum file lists it anyway, it is checked like any listed file. Nor
    # are a killed writer's temporary files of these names content: `seal`
    # removes them, and verifying, which writes nothing, passes over them.
    ignored = (excluded | _stale_names(root, {name, *excluded})) - listed_names
    files = {file: size for file, size in found.files.items() if file not in ignored}
    problems: dict[str, str] = {}
    lead: list[tuple[str, str]] = []
    expected = len(listed) if expected_files is None else expected_files
    found_bytes = sum(files.values())
    if expected_files is not None and expected_files != len(listed):
        lead.append((".", f"{name} lists {_files(len(listed))}; expected {_files(expected_files)}"))
    if len(files) != expected or expected_bytes not in (None, found_bytes):
        lead.append((".", _completeness(expected, expected_bytes, len(files), found_bytes)))
    missing: list[str] = []
    jobs: dict[str, tuple[str, int]] = {}
    digests: dict[str, str] = {}
    for entry in listed:
        if entry.name not in files:
            why = _absent(entry.name, found)
            if why is not None:
                problems[entry.name] = why
                if why == "missing":
                    missing.append(entry.name)
            continue
        try:
            path = _open_path(root, entry.name)
        except ValidationError as exc:
            problems[entry.name] = exc.errors[0][1]
            continue
        jobs[entry.name] = (path, files[entry.name])
        digests[entry.name] = entry.digest
    extra = [file for file in files if file not in listed_names]
    problems.update((file, f"not listed in {name}") for file in extra)
    problems.update(found.refused)
    problems.update(found.unreadable)
    total = sum(size for _, size in jobs.values())
    with reporting(progress, total, "verify") as tick:
        hashed = hash_files(jobs, workers=workers, tick=tick)
    corrupted: list[str] = []
    unreadable = dict(found.unreadable)
    for file, result in hashed.items():
        if isinstance(result, str):
            problems[file] = result
            unreadable[file] = result
        elif result.digest != digests[file]:
            corrupted.append(file)
            problems[file] = f"content differs from its checksum in {name}"
    return VerifyResult(
        folder=Path(root),
        checksum_file=Path(target),
        expected_files=expected,
        expected_bytes=expected_bytes,
        found_files=len(files),
        found_bytes=found_bytes,
        corrupted=_sorted(corrupted),
        missing=_sorted(missing),
        extra=_sorted(extra),
        refused=tuple(sorted(found.refused.items(), key=_by_name)),
        unreadable=tuple(sorted(unreadable.items(), key=_by_name)),
        problems=(*lead, *sorted(problems.items(), key=_by_name)),
    )


def _stale_names(root: str, names: Iterable[str]) -> set[str]:
    """Relative names of the temporary files killed writers of ``names`` left behind."""
    stale = set()
    for name in names:
        folder, _, file_name = name.rpartition("/")
        directory = os.path.join(root, *folder.split("/")) if folder else root
        for entry in _stale_temp_files(directory, file_name):
            stale.add(f"{folder}/{entry.name}" if folder else entry.name)
    return stale


def _absent(name: str, found: Walk) -> str | None:
    """Why a listed file is not among the files found; None if another problem says it.

    The listed name itself refused (a link), or under a folder that could not be
    listed, is already a problem of its own. Under a refused entry (a linked
    folder), it was not looked for through the link: "missing" would mislead.
    """
    if name in found.refused or any(name.startswith(f + "/") for f in found.unreadable):
        return None
    link = next((e for e in found.refused if name.startswith(e + "/")), None)
    if link is not None:
        return f"not checked: it is inside {link}, which is refused"
    return "missing"


def _by_name(item: tuple[str, str]) -> bytes:
    return os.fsencode(item[0])


def _sorted(names: list[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=os.fsencode))


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


def _completeness(files: int, size: int | None, found_files: int, found_bytes: int) -> str:
    want = _files(files) if size is None else f"{_files(files)} ({size} bytes)"
    return f"expected {want}, found {_files(found_files)} ({found_bytes} bytes)"
