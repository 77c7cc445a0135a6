"""Walking a folder and hashing its files, several at once.

The walk never follows a symbolic link: links, and anything else that is not
a regular file or a folder (a FIFO, a socket, a device), are reported by name
instead of being read. Hashing reads each file in 1 MiB chunks on a thread
pool: hashlib releases the GIL while it hashes a chunk and the OS while it
reads one, so several files are hashed at once on several cores. Large files
are started first, so that the last one to finish is a small one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import attrs

from ._errors import ManifestIOError

__all__ = ["CHUNK", "Hashed", "Walk", "default_workers", "hash_files", "walk"]

CHUNK = 1024 * 1024
"""Files are read in 1 MiB chunks; hashlib releases the GIL while it hashes them."""

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # a file swapped for a link after the walk is not followed
    | getattr(os, "O_NONBLOCK", 0)  # nor does a file swapped for a FIFO block the open
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


@attrs.frozen
class Walk:
    """What a walk found.

    Attributes:
        files: Regular files: relative POSIX name -> size in bytes.
        refused: Entries that are not regular files or folders: name -> why.
        unreadable: Folders that could not be listed: name -> why.
    """

    files: dict[str, int]
    refused: dict[str, str]
    unreadable: dict[str, str]


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def walk(root: str, skip: Iterable[str] = ()) -> Walk:
    """List every regular file under ``root``, without following links.

    Args:
        root: The folder.
        skip: Relative POSIX names to leave out (files only).

    Raises:
        ManifestIOError: ``root`` itself cannot be listed.
    """
    skipped = frozenset(skip)
    files: dict[str, int] = {}
    refused: dict[str, str] = {}
    unreadable: dict[str, str] = {}
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            if not prefix:
                raise ManifestIOError.wrap(exc, "list the folder", root) from None
            unreadable[prefix.rstrip("/")] = f"cannot list this folder: {exc.strerror or exc}"
            continue
        for entry in entries:
            name = prefix + entry.name
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:  # removed since the folder was listed
                unreadable[name] = f"cannot read: {exc.strerror or exc}"
                continue
            if stat.S_ISLNK(st.st_mode):
                refused[name] = "is a symbolic link; a sealed folder holds only regular files"
            elif stat.S_ISDIR(st.st_mode):
                stack.append((entry.path, name + "/"))
            elif stat.S_ISREG(st.st_mode):
                if name not in skipped:
                    files[name] = st.st_size
            else:
                refused[name] = f"is {_kind(st.st_mode)}; a sealed folder holds only regular files"
    return Walk(files, refused, unreadable)


@attrs.frozen
class Hashed:
    """A file's sha256 and the number of bytes that went into it."""

    digest: str
    size: int


class _NotRegularError(Exception):
    pass


def _hash_path(path: str, tick: Callable[[int], None]) -> Hashed:
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegularError
        h = hashlib.sha256()
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        size = 0
        with open(fd, "rb", buffering=0, closefd=False) as f:
            while n := f.readinto(buf):
                h.update(view[:n])
                size += n
                tick(n)
    finally:
        os.close(fd)
    return Hashed(h.hexdigest(), size)


def _hash_or_why(path: str, tick: Callable[[int], None]) -> Hashed | str:
    try:
        return _hash_path(path, tick)
    except _NotRegularError:
        return "is no longer a regular file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link; a sealed folder holds only regular files"
        return f"cannot read: {exc.strerror or exc}"


def default_workers() -> int:
    """How many files to hash at once: the usable cores, at least 2 (reads overlap hashing)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        cores = os.cpu_count() or 1
    return max(2, min(cores, 32))


def hash_files(
    jobs: dict[str, tuple[str, int]],
    *,
    workers: int | None,
    tick: Callable[[int], None],
) -> dict[str, Hashed | str]:
    """Hash files on a thread pool.

    Args:
        jobs: Name -> (path to open, expected size); the size orders the work.
        workers: Threads to use; None for `default_workers`.
        tick: Called with the bytes read after each chunk.

    Returns:
        Name -> `Hashed`, or the reason the file could not be read.
    """
    order = sorted(jobs, key=lambda name: jobs[name][1], reverse=True)
    count = default_workers() if workers is None else max(1, workers)
    count = min(count, len(order))
    if count <= 1:
        return {name: _hash_or_why(jobs[name][0], tick) for name in order}
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="manifestkit-hash") as pool:
        futures = {name: pool.submit(_hash_or_why, jobs[name][0], tick) for name in order}
        return {name: future.result() for name, future in futures.items()}
