"""Hashing the bytes of data files (as opposed to the canonical hash of a manifest)."""

from __future__ import annotations

import hashlib
import os

from ._errors import ManifestIOError

__all__ = ["CHUNK", "hash_file"]

CHUNK = 1024 * 1024
"""Files are read in 1 MiB chunks; hashlib releases the GIL while it hashes them."""


def hash_file(path: str | os.PathLike[str]) -> str:
    """Return the sha256 hex digest of a file's bytes, read in 1 MiB chunks."""
    name = os.fspath(path)
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
