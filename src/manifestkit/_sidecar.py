"""Sidecars: a manifest kept next to the data file it describes.

The one naming rule: the sidecar of ``DATA`` is ``DATA`` followed by its
format's extension (``recording.ome.tiff`` -> ``recording.ome.tiff.toml``).

A sidecar holds two tables. ``[sidecar]`` records what manifestkit knows
about the data file when the sidecar was written (its name, size and sha256)
and which schema the manifest follows; ``[manifest]`` is the manifest's wire
form, exactly what `write` would put in a file of its own. So the manifest's
schema is untouched (no extra field in it, nothing for ``forbid`` to refuse,
nothing that moves its hash), and an error in a person's edit carries a path
that is also the TOML key: ``manifest.channels[0].rate_hz``.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Any, TypeVar

import attrs

from ._errors import (
    FormatError,
    IntegrityError,
    ManifestDefinitionError,
    ManifestError,
    ManifestFileNotFoundError,
    ManifestIOError,
    SchemaVersionError,
    ValidationError,
    describe,
)
from ._formats import format_dumps, format_for_path, format_loads, formats, get_format
from ._integrity import hash_file
from ._io import _DEFAULT, _sniff, atomic_write, from_dict, path_text, read_bytes, to_dict
from ._model import block, field, schema_info
from ._registry import get_schema

__all__ = [
    "SIDECAR_VERSION",
    "SidecarCheck",
    "check_sidecar",
    "envelope_bytes",
    "is_envelope",
    "load_sidecar_bytes",
    "load_sidecar_file",
    "parse_envelope",
    "read_sidecar",
    "sidecar_path",
    "write_sidecar",
]

T = TypeVar("T")
PathLike = str | os.PathLike[str]
SIDECAR_VERSION = 1
"""The version of the sidecar layout (the ``[sidecar]`` table), written as ``version``."""

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")


def _non_negative(value: int) -> str | None:
    return None if value >= 0 else "must not be negative"


def _sha256_hex(value: str) -> str | None:
    return None if _HEX64.match(value) else "expected 64 lower-case hex digits"


@block
class Header:
    """The ``[sidecar]`` table."""

    version: int = field(description="Version of the sidecar layout.")
    schema: str = field(description="Schema name of the manifest in [manifest].")
    file: str = field(description="Name of the data file, for people; not compared.")
    size: int = field(description="Size of the data file in bytes.", check=_non_negative)
    sha256: str = field(description="sha256 of the data file's bytes.", check=_sha256_hex)


@attrs.frozen
class SidecarCheck:
    """What `check_sidecar` found.

    Attributes:
        data_path: The data file.
        sidecar_path: Its sidecar.
        manifest: The manifest the sidecar holds (validated).
        recorded_size: The data file's size recorded in the sidecar.
        recorded_sha256: The data file's sha256 recorded in the sidecar.
        size: The data file's size now (None if it is missing).
        sha256: Its sha256 now (None if it was not computed: the file is
            missing, or its size already differs).
        problems: Why the pair no longer belongs together, one sentence each.
    """

    data_path: Path
    sidecar_path: Path
    manifest: Any
    recorded_size: int
    recorded_sha256: str
    size: int | None
    sha256: str | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the data file still has the recorded size and sha256."""
        return not self.problems


def sidecar_path(data_path: PathLike, format: str = "toml") -> Path:  # noqa: A002
    """The sidecar of a data file: its full name followed by the format's extension.

    >>> sidecar_path("scans/recording.ome.tiff").as_posix()
    'scans/recording.ome.tiff.toml'
    """
    fmt = get_format(format)
    data = Path(path_text(data_path, "data_path"))
    return data.with_name(data.name + fmt.extensions[0])


def _candidates(data: Path) -> list[Path]:
    seen: dict[Path, None] = {}
    for fmt in formats().values():
        for ext in fmt.extensions:
            seen.setdefault(data.with_name(data.name + ext), None)
    return list(seen)


def _find(data_path: PathLike) -> Path:
    data = Path(data_path)
    candidates = _candidates(data)
    found = [p for p in candidates if p.is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ManifestError(f"{data}: more than one sidecar describes it ({names}); keep one")
    if not found:
        names = ", ".join(p.name for p in candidates)
        raise ManifestFileNotFoundError(errno.ENOENT, f"no sidecar (looked for {names})", str(data))
    return found[0]


def _measure(data: Path) -> tuple[int, str]:
    try:
        before = data.stat()
        digest = hash_file(data)
        after = data.stat()
    except OSError as exc:  # hash_file's own errors are ManifestIOErrors already
        if isinstance(exc, ManifestError):
            raise
        raise ManifestIOError.wrap(exc, "read", str(data)) from None
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise IntegrityError(f"{data} changed while it was being hashed; write the sidecar again")
    return before.st_size, digest


def write_sidecar(manifest: Any, data_path: PathLike, format: str = "toml") -> Path:  # noqa: A002
    """Write a manifest as the sidecar of a data file, recording the file's size and sha256.

    The sidecar is named by `sidecar_path` and written atomically; an existing
    sidecar in the same format is replaced.

    Args:
        manifest: A document instance (declared with `manifest`).
        data_path: The data file the manifest describes; it must exist.
        format: The sidecar's format: ``"toml"`` (for people) or any registered one.

    Returns:
        The sidecar's path.

    Raises:
        ManifestError: A sidecar in another format already describes the file.
        ManifestIOError: The data file cannot be read.
        ValidationError: The format cannot hold a value of the manifest.
    """
    info = schema_info(type(manifest))
    if info.name is None:
        raise ManifestDefinitionError(
            f"{type(manifest).__name__} is a block; a sidecar holds a document (use @manifest)"
        )
    data = Path(data_path)
    target = sidecar_path(data, format)
    others = [p for p in _candidates(data) if p != target and p.is_file()]
    if others:
        raise ManifestError(
            f"{data}: {others[0].name} already describes it; remove it or write that format"
        )
    size, digest = _measure(data)
    header = {
        "version": SIDECAR_VERSION,
        "schema": info.name,
        "file": data.name,
        "size": size,
        "sha256": digest,
    }
    atomic_write(target, envelope_bytes(manifest, header, format))
    return target


def envelope_bytes(manifest: Any, header: dict[str, Any], format: str) -> bytes:  # noqa: A002
    """Serialise a sidecar: the ``sidecar`` header table and the manifest's wire form."""
    fmt = get_format(format)
    body = {"sidecar": header, "manifest": to_dict(manifest)}
    data = format_dumps(fmt, body)
    prefix = getattr(fmt, "comment_prefix", None)
    if not prefix:
        return data
    info = schema_info(type(manifest))
    lines = [
        f"manifestkit sidecar of {header['file']}: {info.name}, version {info.version}",
        "Edit the [manifest] table as you like: it is checked when the sidecar is read.",
        "[sidecar] records the data file's size and sha256 when this file was written.",
    ]
    return "".join(f"{prefix} {line}\n" for line in lines).encode() + data


def is_envelope(plain: Any) -> bool:
    """Whether parsed data is meant as a sidecar: a ``sidecar`` table naming a schema.

    Such a document is then checked as a sidecar, so a broken one is reported
    as one (a missing ``manifest`` table, an unknown top-level key).
    """
    return (
        type(plain) is dict and type(plain.get("sidecar")) is dict and "schema" in plain["sidecar"]
    )


def parse_envelope(plain: Any, cls: type[T] | None, source: str) -> tuple[T, Header]:
    """Validate a parsed sidecar; return its manifest and its header.

    Raises:
        ValidationError: Every problem, with paths such as ``manifest.subject``.
        SchemaVersionError: The sidecar layout or the manifest is too new.
    """
    title = f"{source}: invalid sidecar" if source else "invalid sidecar"
    if type(plain) is not dict:
        raise ValidationError([("", f"expected a table, found {describe(plain)}")], title=title)
    errors = [
        (key, "required field is missing") for key in ("sidecar", "manifest") if key not in plain
    ]
    errors += [
        (k if type(k) is str else repr(k), "unknown field")
        for k in plain
        if k not in ("sidecar", "manifest")
    ]
    header = _header(plain.get("sidecar"), errors)
    if errors or header is None:
        raise ValidationError(errors, title=title)
    if cls is not None:
        wanted = schema_info(cls).name
        if header.schema != wanted:
            raise ValidationError(
                [("sidecar.schema", f'expected "{wanted}", found {describe(header.schema)}')],
                title=title,
            )
        target: type[Any] = cls
    else:
        try:
            target = get_schema(header.schema)
        except ValidationError as exc:
            raise exc.prefixed("sidecar.schema") from None
    try:
        manifest: T = from_dict(plain["manifest"], target)
    except ValidationError as exc:
        raise ValidationError(
            exc.prefixed("manifest").errors, title=f"{source}: invalid {target.__name__}"
        ) from None
    return manifest, header


def _header(value: Any, errors: list[tuple[str, str]]) -> Header | None:
    if value is None:
        return None
    if type(value) is dict:
        version = value.get("version")
        if type(version) is int and version > SIDECAR_VERSION:
            raise SchemaVersionError(
                "manifestkit sidecar",
                version,
                [str(SIDECAR_VERSION)],
                "is newer than this library reads",
            )
    try:
        header = from_dict(value, Header)
    except ValidationError as exc:
        errors.extend(exc.prefixed("sidecar").errors)
        return None
    if header.version != SIDECAR_VERSION:
        errors.append(("sidecar.version", f"expected {SIDECAR_VERSION}, found {header.version}"))
    return header


def load_sidecar_file(path: PathLike, cls: type[T] | None = None) -> tuple[T, Header]:
    """Read and validate a sidecar file itself (not named by its data file)."""
    name = path_text(path)
    raw = read_bytes(name, _DEFAULT.limits.max_bytes)
    return load_sidecar_bytes(raw, format_for_path(name), name, cls)


def load_sidecar_bytes(
    raw: bytes, fmt: Any | None, source: str, cls: type[T] | None = None
) -> tuple[T, Header]:
    """Parse and validate the bytes of a sidecar (format sniffed when ``fmt`` is None)."""
    fmt = fmt or get_format(_sniff(raw))
    try:
        plain = format_loads(fmt, raw)
        inexact = getattr(fmt, "may_be_inexact", None)
        if inexact is not None and inexact(raw):  # integers past 64 bits, reported by path
            plain = fmt.loads_exact(raw)
    except FormatError as exc:
        raise FormatError(
            exc.message, format=exc.format, line=exc.line, column=exc.column, source=source
        ) from None
    return parse_envelope(plain, cls, source)


def read_sidecar(data_path: PathLike, cls: type[T] | None = None, *, verify: bool = False) -> T:
    """Read the manifest kept in the sidecar of a data file.

    A person's edit is validated like any document: every problem is reported
    with its path (``manifest.subject``), and a TOML syntax error with its line
    and column. The data file is not read unless ``verify`` is set.

    Args:
        data_path: The data file (not the sidecar).
        cls: The manifest class; ``None`` uses the schema the sidecar names.
        verify: Also check that the data file still has the recorded size and
            sha256 (reads the whole data file).

    Raises:
        ManifestIOError: There is no sidecar (a `FileNotFoundError` too).
        ValidationError: The sidecar or the manifest in it is invalid.
        FormatError: The sidecar is not well-formed TOML (or JSON).
        IntegrityError: ``verify`` is set and the data file does not match.
    """
    path = _find(data_path)
    manifest, header = load_sidecar_file(path, cls)
    if verify:
        _size, _digest, problems = _compare(Path(data_path), header)
        if problems:
            raise IntegrityError(
                f"{data_path} does not match its sidecar {path.name}",
                [(str(data_path), p) for p in problems],
            )
    return manifest


def check_sidecar(data_path: PathLike) -> SidecarCheck:
    """Tell whether a data file and its sidecar still belong together.

    The sidecar is read and validated, then the data file's size is compared
    with the recorded one and, if it is the same, its sha256 is computed and
    compared. The recorded file name is for people and is not compared, so a
    pair renamed together still belongs together.

    Raises:
        ManifestIOError: There is no sidecar.
        ValidationError: The sidecar or its manifest is invalid.
        FormatError: The sidecar is not well-formed.
    """
    data = Path(data_path)
    path = _find(data)
    manifest: Any
    manifest, header = load_sidecar_file(path)
    size, digest, problems = _compare(data, header)
    return SidecarCheck(
        data_path=data,
        sidecar_path=path,
        manifest=manifest,
        recorded_size=header.size,
        recorded_sha256=header.sha256,
        size=size,
        sha256=digest,
        problems=tuple(problems),
    )


def _compare(data: Path, header: Header) -> tuple[int | None, str | None, list[str]]:
    try:
        st = data.stat()
    except FileNotFoundError:
        return None, None, ["the data file is missing"]
    except OSError as exc:
        raise ManifestIOError.wrap(exc, "read", str(data)) from None
    if st.st_size != header.size:
        return (
            st.st_size,
            None,
            [f"the data file has {st.st_size} bytes; the sidecar records {header.size}"],
        )
    digest = hash_file(data)
    if digest != header.sha256:
        return (
            st.st_size,
            digest,
            [f"the data file's sha256 is {digest}; the sidecar records {header.sha256}"],
        )
    return st.st_size, digest, []
