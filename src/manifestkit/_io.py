"""The top-level verbs: to/from plain data, to/from bytes, to/from files.

Writes are atomic: the bytes go to a temporary file in the same folder, which
is flushed, fsynced and renamed over the target with `os.replace`, and the
folder is fsynced. A reader never sees half a file; a failed write leaves the
old file as it was and removes its temporary file. A temporary file left by a
writer that was killed is removed by the next write to the same path, but
only when it has manifestkit's own naming pattern, this host, and a process
id that is no longer running.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import gc
import os
import re
import secrets
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from ._convert import Converter
from ._errors import FormatError, ManifestIOError, ValidationError, describe
from ._formats import JsonFormat, format_dumps, format_for_path, format_loads, get_format
from ._model import (
    get_plan,
    is_manifest_class,
    load_schema_plugins,
    registered_schemas,
    schema_info,
)
from ._values import Limits, checked_limits
from ._versioning import classify, migrate, prepare

__all__ = [
    "atomic_write",
    "atomic_writer",
    "detect_schema",
    "dumps",
    "from_dict",
    "loads",
    "path_text",
    "read",
    "read_bytes",
    "to_dict",
    "write",
]

T = TypeVar("T")
PathLike = str | os.PathLike[str]
_DEFAULT = Converter()


def to_dict(obj: Any, *, include_defaults: bool = False) -> dict[str, Any]:
    """Return the wire form of a manifest: plain data, defaults left out.

    Args:
        obj: A manifest instance.
        include_defaults: Also write fields equal to their default.
    """
    return _DEFAULT.unstructure(obj, include_defaults=include_defaults)


def from_dict(data: Any, cls: type[T], *, limits: Limits | None = None) -> T:
    """Validate plain data and build a ``cls`` instance; migrations are applied first.

    Args:
        data: Plain data, as a format's ``loads`` returns it.
        cls: The manifest class.
        limits: Bounds on nesting, string length and items (the defaults if None).

    Raises:
        ValidationError: Every problem, each with its path.
        SchemaVersionError: The document's version cannot be read.
    """
    data, lenient = prepare(data, cls)
    return _converter(limits).structure(data, cls, lenient=lenient)


@functools.lru_cache(maxsize=8)
def _limited(limits: Limits) -> Converter:
    return Converter(limits=limits)


def _converter(limits: Limits | None) -> Converter:
    # A converter builds its functions per class on first use: keep one per limits.
    if limits is None:  # the common case: no comparison
        return _DEFAULT
    checked = checked_limits(limits)
    return _DEFAULT if checked == _DEFAULT.limits else _limited(checked)


def _check_size(size: int, fmt: Any, limits: Limits, what: str, source: str | None) -> None:
    """Refuse a document past ``max_bytes``, or a TOML one past ``max_toml_bytes``."""
    name = getattr(fmt, "name", None)
    if size > limits.max_bytes:
        message = f"{what} is {size} bytes; the limit is {limits.max_bytes}"
    elif name == "toml" and size > limits.max_toml_bytes:
        message = f"{what} is {size} bytes; the limit for TOML is {limits.max_toml_bytes}"
    else:
        return
    raise FormatError(message, format=name, source=source)


_GC_PAUSE_BYTES = 16 * 1024


def _from_bytes(raw: bytes, fmt: Any, cls: type[T], conv: Converter | None = None) -> T:
    conv = conv or _DEFAULT
    # The objects a document becomes hold no cycles, so the cycle collector
    # has nothing to find while a large one is built: pause it (10-20% faster).
    pause = len(raw) >= _GC_PAUSE_BYTES and gc.isenabled()
    if pause:
        gc.disable()
    try:
        plain = format_loads(fmt, raw)
        data, lenient = prepare(plain, cls)
        if type(fmt) is JsonFormat and data is plain and not lenient:
            # orjson's output is fresh and holds only JSON values: the trusted fast path
            # skips re-checking free-form values. Whatever it cannot take is checked in
            # full, from a second, exact parse if orjson may have read an integer
            # literal as a float.
            found = conv.structure_trusted(data, cls, len(raw))
            if found is not None:
                return found
            if not fmt.may_be_inexact(raw):
                # The untrusted fast path checks more, so it would refuse the same data:
                # go straight to the checked path, which reports why (or builds it).
                return conv.structure_checked(data, cls, size=len(raw))
            data, lenient = prepare(fmt.loads_exact(raw), cls)
        return conv.structure(data, cls, lenient=lenient)
    finally:
        if pause:
            gc.enable()


def _header(cls: type, prefix: str) -> bytes:
    info = schema_info(cls)
    if info.name is None:
        return b""
    version = f", version {info.version}" if info.version is not None else ""
    return f"{prefix} manifestkit schema {info.name}{version}\n".encode()


def dumps(obj: Any, format: str = "json") -> bytes:  # noqa: A002 - DESIGN.md's public name
    """Serialise a manifest to bytes in a registered format (``"json"``, ``"toml"``, ...).

    A format that has comments (TOML) starts with a line naming the schema and
    version.
    """
    fmt = get_format(format)
    if not is_manifest_class(type(obj)):
        to_dict(obj)  # raises the ValidationError that says what obj is
    # The formats only read the data, so it may share free-form values with obj;
    # TOML's writer and orjson check what they write (orjson cannot tell NaN from
    # null: a free-form value is checked as finite when the instance is built or
    # read, and `write`, which syncs to disk anyway, checks it again).
    # The wire form holds no cycles: pause the cycle collector while it is built
    # and written (its many small dicts would otherwise trigger collections).
    pause = gc.isenabled()
    if pause:
        gc.disable()
    try:
        body = _DEFAULT.encode(obj, fmt.dumps_deferred) if type(fmt) is JsonFormat else None
        if body is None:
            body = format_dumps(fmt, _DEFAULT.wire(obj))
    finally:
        if pause:
            gc.enable()
    prefix = getattr(fmt, "comment_prefix", None)
    return _header(type(obj), prefix) + body if prefix else body


def loads(
    data: bytes | str,
    cls: type[T],
    format: str = "json",  # noqa: A002
    *,
    limits: Limits | None = None,
) -> T:
    """Parse bytes in a registered format and build a ``cls`` instance.

    Args:
        data: The document; a str is encoded as UTF-8 first.
        cls: The manifest class.
        format: A registered format name.
        limits: Bounds on size, nesting, string length and items (the defaults if None).
    """
    raw = _document_bytes(data)
    conv = _converter(limits)
    fmt = get_format(format)
    _check_size(len(raw), fmt, conv.limits, "document", None)
    return _from_bytes(raw, fmt, cls, conv)


def path_text(path: object, field: str = "path") -> str:
    """A path argument as text: a str, a bytes path (decoded as the OS does) or an os.PathLike.

    Raises:
        ValidationError: ``path`` is none of those (the stdlib raises TypeError).
    """
    try:
        return os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
    except TypeError:
        raise ValidationError(
            [(field, f"expected a path, found {describe(path)}")], title="invalid path"
        ) from None


def _document_bytes(data: object, field: str = "data") -> bytes:
    # bytes(5) would be five NUL bytes, and bytes([123]) a "{": only text and bytes are documents.
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise ValidationError(
        [(field, f"expected bytes or str, found {describe(data)}")], title="cannot read"
    )


def read_bytes(path: PathLike, max_bytes: int) -> bytes:
    """Read a whole file, refusing one larger than ``max_bytes``."""
    name = path_text(path)
    try:
        with open(name, "rb") as f:
            info = os.fstat(f.fileno())
            if info.st_size > max_bytes:
                message = f"file is {info.st_size} bytes; the limit is {max_bytes}"
                raise FormatError(message, source=name)
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise ManifestIOError.wrap(exc, "read", name) from None
    if len(data) > max_bytes:
        # A regular file's size was known, so it changed; a pipe or a device has none.
        if stat.S_ISREG(info.st_mode):
            message = f"file grew past the limit of {max_bytes} bytes while being read"
        else:
            message = f"not a regular file, and longer than the limit of {max_bytes} bytes"
        raise FormatError(message, source=name)
    return data


def _sniff(data: bytes) -> str:
    stripped = data.lstrip(b" \t\r\n")
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:].lstrip()
    return "json" if stripped[:1] in (b"{", b"[") else "toml"


def read(
    path: PathLike,
    cls: type[T] | None = None,
    *,
    format: str | None = None,  # noqa: A002
    limits: Limits | None = None,
) -> T:
    """Read a manifest file; the file is never changed.

    Args:
        path: The file. Its format comes from ``format``, else its extension,
            else the first bytes (``{`` means JSON, anything else TOML).
        cls: The manifest class. ``None`` detects the schema among the
            registered ones (by its distinguishing keys and file name).
        format: A registered format name, to override the extension.
        limits: Bounds on size, nesting, string length and items; see `Limits`.
    """
    name = path_text(path)
    conv = _converter(limits)
    raw = read_bytes(name, conv.limits.max_bytes)
    fmt = get_format(format) if format else format_for_path(name) or get_format(_sniff(raw))
    _check_size(len(raw), fmt, conv.limits, "file", name)
    try:
        if cls is not None:
            return _from_bytes(raw, fmt, cls, conv)
        plain = format_loads(fmt, raw)
        return from_dict(plain, detect_schema(plain, name, raw), limits=conv.limits)
    except FormatError as exc:
        raise FormatError(
            exc.message, format=exc.format, line=exc.line, column=exc.column, source=name
        ) from None
    except ValidationError as exc:
        if exc.title and exc.title.startswith(name):
            raise
        raise ValidationError(exc.errors, title=f"{name}: {exc.title}") from None


def write(obj: Any, path: PathLike, format: str | None = None) -> Path:  # noqa: A002
    """Write a manifest atomically; the format comes from the extension unless given.

    Returns:
        The path written.
    """
    name = path_text(path)
    fmt = get_format(format) if format else format_for_path(name)
    if fmt is None:
        raise FormatError(f"cannot tell the format of {name!r} from its extension; pass format=")
    to_dict(obj)  # checks free-form values changed in place since the instance was built
    data = dumps(obj, fmt.name)
    atomic_write(name, data)
    return Path(name)


# --------------------------------------------------------------- atomic write

_TMP_SUFFIX = ".mk-tmp"
_TMP_MIDDLE = re.compile(r"([0-9a-f]{8})-(\d+)-[0-9a-f]{12}\Z")


def _host_tag() -> str:
    node = os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")
    return f"{zlib.crc32(node.encode()):08x}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists but belongs to someone else, or we cannot tell
    return True


def _stale_temp_files(directory: str, target: str) -> list[os.DirEntry[str]]:
    """The temporary files a killed writer of ``target`` left in ``directory``.

    Only names of exactly the pattern `write` uses, naming this host and a
    process that is no longer running.
    """
    prefix = f".{target}."
    host = _host_tag()
    try:
        entries = list(os.scandir(directory or "."))
    except OSError:
        return []
    stale = []
    for entry in entries:
        n = entry.name
        if not (n.startswith(prefix) and n.endswith(_TMP_SUFFIX)):
            continue
        m = _TMP_MIDDLE.match(n[len(prefix) : -len(_TMP_SUFFIX)])
        if m is None or m[1] != host or _alive(int(m[2])):
            continue
        stale.append(entry)
    return stale


def _remove_stale(directory: str, target: str) -> None:
    for entry in _stale_temp_files(directory, target):
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
        except OSError:
            pass  # another writer removed it first, or we may not: both are fine


def atomic_write(path: PathLike, data: bytes) -> None:
    """Write bytes to ``path`` atomically (temp file, fsync, rename, fsync of the folder)."""
    with atomic_writer(path) as f:
        f.write(data)


@contextlib.contextmanager
def atomic_writer(path: PathLike) -> Iterator[BinaryIO]:
    """Open a file to write in pieces; it replaces ``path`` only once it is complete.

    For output too large to hold in memory at once (a stream of rows, say).
    The bytes go to a temporary file beside ``path``, named as `write` names
    its own; when the ``with`` block ends normally the file is flushed,
    fsynced and renamed over ``path``, and the folder is fsynced. When the
    block raises, the temporary file is removed and ``path`` is left as it
    was. A reader never sees a partial file. An `OSError` from the writes
    (a full disk, say) comes out as a `ManifestIOError` naming ``path``.

    Use it as ``with mk.atomic_writer(path) as f: f.write(...)``; ``f`` is a
    binary file.

    Raises:
        ManifestIOError: The file cannot be created, written or renamed.
    """
    name = path_text(path)
    directory, target = os.path.split(name)
    _remove_stale(directory, target)
    tmp = os.path.join(
        directory, f".{target}.{_host_tag()}-{os.getpid()}-{secrets.token_hex(6)}{_TMP_SUFFIX}"
    )
    try:
        mode: int | None = os.stat(name).st_mode & 0o7777
    except OSError:
        mode = None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise ManifestIOError.wrap(exc, "write", name) from None
    try:
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, name)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, ManifestIOError):
            raise ManifestIOError.wrap(exc, "write", name) from None
        raise
    _fsync_dir(directory)


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return  # Windows cannot open folders; the rename is durable enough there
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ detection

_HEADER = re.compile(rb"#\s*manifestkit schema ([A-Za-z0-9_.-]+)")


def detect_schema(data: Any, path: str = "", raw: bytes = b"") -> type:
    """Find the registered schema a plain document follows.

    Uses, in order: a TOML header naming the schema; then every registered
    schema whose required keys the document has (once migrated, if it is of
    an older major version of that schema), that shares at least one of
    its identifying keys (a required field or the version field) and, for
    ``forbid`` schemas, no key it does not know (unless the document is of a
    newer version, which may add keys: a newer major is then refused by
    `from_dict` with the schema's `SchemaVersionError`, not left undetected);
    ties are broken by the schema's usual file names, then by how many of the
    document's keys it knows.

    Raises:
        ValidationError: No schema, or more than one, fits; the message lists
            the schemas considered.
    """
    load_schema_plugins()
    schemas = registered_schemas()
    m = _HEADER.match(_document_bytes(raw, "raw"))
    if m and m[1].decode() in schemas:
        return schemas[m[1].decode()]
    considered = ", ".join(sorted(schemas)) or "none are registered"
    if type(data) is not dict:
        raise ValidationError(
            [("", f"expected an object, found {describe(data)}")], title="cannot detect the schema"
        )
    own = set(data)
    base = os.path.basename(path)
    ranked = []
    for schema_name, cls in schemas.items():
        plan = get_plan(cls)
        keys = _keys_as_current(data, own, cls)
        if any(f.required and f.key not in keys for f in plan.fields):
            continue
        unknown = keys - plan.keys
        info = schema_info(cls)
        if unknown and info.unknown == "forbid" and not _newer(data, cls):
            continue
        if not _identifying_keys(plan, info) & keys:
            continue  # a schema that would take any object says nothing about this one
        by_name = any(fnmatch.fnmatch(base, pattern) for pattern in info.filenames)
        ranked.append(((by_name, len(keys & plan.keys), -len(unknown)), schema_name, cls))
    ranked.sort(key=lambda r: r[0], reverse=True)
    if not ranked:
        message = f"the document fits none of the registered schemas (considered: {considered})"
    elif len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        tied = ", ".join(r[1] for r in ranked if r[0] == ranked[0][0])
        message = (
            f"the document fits more than one schema equally well ({tied}); "
            "pass the schema explicitly"
        )
    else:
        return ranked[0][2]
    raise ValidationError(
        [("", message)],
        title=f"{path}: cannot detect the schema" if path else "cannot detect the schema",
    )


def _keys_as_current(data: dict[str, Any], own: set[str], cls: type) -> set[str]:
    """The document's keys once migrated to ``cls``'s current major version.

    Its own keys (``own``) when it is not of an older major of ``cls``, or when it cannot
    be migrated: `from_dict` then says why (no migration leads from its version).
    The document may be of another schema, whose version field has the same
    name: what ``cls``'s migrations raise on it says only that it does not fit.
    """
    info = schema_info(cls)
    if info.version_field is None or info.version_field not in data:
        return own
    try:
        if classify(data[info.version_field], cls) == "older-major":
            return set(migrate(data, cls))
    except Exception:  # noqa: BLE001, S110 - any failure: match the keys as they are
        pass
    return own


def _identifying_keys(plan: Any, info: Any) -> set[str]:
    """The keys that say a document may follow a schema.

    Its required fields and its version field; every key, for a schema with neither.
    """
    found = {f.key for f in plan.fields if f.required}
    if info.version_field is not None:
        found.add(plan.by_name[info.version_field].key)
    return found or set(plan.keys)


def _newer(data: dict[str, Any], cls: type) -> bool:
    info = schema_info(cls)
    if info.version_field is None or info.version_field not in data:
        return False
    try:
        return classify(data[info.version_field], cls) in ("newer-minor", "newer-major")
    except ValidationError:
        return False


def is_document(obj: Any) -> bool:
    """Whether ``obj`` is an instance of a registered document class."""
    return is_manifest_class(type(obj)) and schema_info(type(obj)).name is not None
