"""One fuzzing input, read the way atheris drives it and the corpus replay checks it.

An input is one control byte followed by the document:

- bits 0-3 and 7: which reader of `TARGETS` (bit 7 is the high bit of five;
  the number is taken modulo the number of readers);
- bit 4: the format, JSON (0) or TOML (1);
- bit 5: the default limits (0) or tight ones, so small inputs reach every limit;
- bit 6: `mk.loads` with the class (0), or `mk.read` of a file without it (1).

`one_input` returns normally when the document was read as a valid manifest or
refused with a `ManifestError`; anything else (another exception, a manifest
that does not write back equal) propagates, and the fuzzer reports it.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # tests/: models and strategies

import manifestkit as mk  # noqa: E402
from strategies.hostile import TARGETS  # noqa: E402

TIGHT = mk.Limits(
    max_bytes=1 << 16, max_toml_bytes=1 << 15, max_depth=4, max_string=40, max_items=3
)
FORMATS = ("json", "toml")


@functools.cache
def _folder() -> Path:
    """Where `mk.read` inputs are written: one folder per process, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="mk-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def control(target: int, fmt: str, *, tight: bool = False, detect: bool = False) -> int:
    """The control byte for a reader index and format (for writing seed inputs)."""
    low, high = target & 0x0F, target >> 4 & 1
    return low | FORMATS.index(fmt) << 4 | int(tight) << 5 | int(detect) << 6 | high << 7


def reader(flags: int) -> int:
    """The index in `TARGETS` of the reader a control byte names."""
    return (flags & 0x0F | flags >> 7 << 4) % len(TARGETS)


def one_input(data: bytes) -> None:
    """Read one input; raise only if the library misbehaved."""
    if not data:
        return
    flags, doc = data[0], data[1:]
    target = TARGETS[reader(flags)]
    fmt = FORMATS[flags >> 4 & 1]
    limits = TIGHT if flags >> 5 & 1 else None
    try:
        if flags >> 6 & 1:
            path = _folder() / f"input.{fmt}"
            path.write_bytes(doc)
            result: Any = mk.read(path, limits=limits)
            cls = type(result)
            assert cls in mk.registered_schemas().values()
        else:
            cls = target.cls
            result = mk.loads(doc, cls, fmt, limits=limits)
    except mk.ManifestError as exc:
        if not str(exc):
            raise AssertionError("an error without a message") from exc
        return
    # A valid manifest: it writes back equal in its own format, and hashes.
    assert type(result) is cls
    again = mk.loads(mk.dumps(result, fmt), cls, fmt)
    assert again == result, (result, again)
    assert len(mk.content_hash(result)) == 64


def seeds() -> dict[str, bytes]:
    """A seed input per reader, format and sample manifest, named for the corpus."""
    found = {}
    for i, target in enumerate(TARGETS):
        for fmt in FORMATS:
            for n, sample in enumerate(target.samples):
                try:
                    doc = mk.dumps(sample, fmt)
                except mk.ValidationError:
                    continue  # TOML cannot hold this sample (a null)
                for tight in (False, True):
                    flags = control(i, fmt, tight=tight, detect=tight)
                    found[f"seed-{target.name}-{fmt}-{n}-{flags:02x}"] = bytes([flags]) + doc
    return found
