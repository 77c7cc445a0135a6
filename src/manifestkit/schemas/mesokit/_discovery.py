"""Finding the files a tree of sessions declares, by reading its acquisition manifests.

`find_files` answers "every ome.tiff of datatype func for these subjects"
from the manifests mesofield wrote, so a reader never guesses file name
suffixes or folder names. `glob_files` is the explicit alternative for trees
without manifests; `find_files` never falls back to it on its own.

Every path a manifest declares is joined onto its session folder through
`manifestkit.resolve_inside`: Windows separators are accepted, and a path
that is absolute or climbs out of the session folder is refused, naming the
manifest and the field.
"""

from __future__ import annotations

import errno
import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import manifestkit as mk

from ._bids import parse_entities
from ._legacy import stored_hash
from ._models import MANIFEST_PATTERNS, AcquisitionManifest, ProducerEntry, TimeBasis

__all__ = ["FileRef", "MissingManifestError", "find_files", "glob_files", "iter_sessions"]

Filter = str | Sequence[str] | None
PathLike = str | os.PathLike[str]


@mk.block
class FileRef:
    """One declared (or globbed) file, with the session and producer it belongs to.

    Paths are absolute. Files found by `glob_files` have empty producer fields
    and no manifest (`from_manifest` is False).
    """

    path: Path
    subject: str
    session: str
    task: str | None = None
    device_id: str
    device_type: str
    data_type: str
    bids_type: str | None = None
    file_type: str
    metadata_path: Path | None = None
    sidecars: dict[str, Path] = mk.field(factory=dict, description="Sidecar role -> path.")
    time_basis: TimeBasis | None = None
    calibration: dict[str, Any] = mk.field(factory=dict)
    session_dir: Path
    manifest_path: Path | None = None
    manifest_hash: str | None = mk.field(
        default=None,
        description="The manifest's mesokit-schema content hash, as that package records it.",
    )

    @property
    def from_manifest(self) -> bool:
        """Whether the file was declared by a manifest (False for `glob_files` results)."""
        return self.manifest_path is not None


class MissingManifestError(mk.ManifestIOError, FileNotFoundError):
    """Some session folders hold no acquisition manifest; all of them are listed.

    Attributes:
        session_dirs: Every session folder without a manifest, in sorted order.
    """

    def __init__(self, session_dirs: Sequence[PathLike]) -> None:
        """List the session folders that lack a manifest."""
        self.session_dirs = [Path(p) for p in session_dirs]
        n = len(self.session_dirs)
        listed = "".join(f"\n  {p}" for p in self.session_dirs)
        super().__init__(
            errno.ENOENT,
            f"found no acquisition manifest in {n} session folder{'' if n == 1 else 's'}:{listed}\n"
            "Write their manifests, or match files by name with glob_files().",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.session_dirs,))


def _data_dir(root: PathLike) -> Path:
    data_dir = Path(root).resolve() / "data"
    if not data_dir.is_dir():
        raise mk.ManifestIOError.wrap(
            FileNotFoundError(errno.ENOENT, "there is no data folder"),
            "list sessions",
            str(data_dir),
        )
    return data_dir


def _manifest_paths(session_dir: Path) -> list[Path]:
    found: dict[Path, None] = {}
    for pattern in MANIFEST_PATTERNS:
        for p in sorted(session_dir.glob(pattern)):
            if p.is_file():
                found.setdefault(p)
    return list(found)


def iter_sessions(root: PathLike) -> Iterator[tuple[Path, AcquisitionManifest]]:
    """Yield ``(manifest_path, manifest)`` for every session under ``<root>/data``.

    Session folders are ``data/sub-*/ses-*``, in sorted order; a session may
    hold several manifests (one per task) and each is yielded. The session
    folder of a manifest is its parent.

    Raises:
        MissingManifestError: After the others were yielded, naming every
            session folder that holds no manifest.
        ManifestIOError: There is no ``data`` folder (also a FileNotFoundError).
        ValidationError: A manifest is not a valid acquisition manifest.
    """
    data_dir = _data_dir(root)
    missing: list[Path] = []
    for session_dir in sorted(data_dir.glob("sub-*/ses-*")):
        if not session_dir.is_dir():
            continue
        paths = _manifest_paths(session_dir)
        if not paths:
            missing.append(session_dir)
        for path in paths:
            yield path, mk.read(path, AcquisitionManifest)
    if missing:
        raise MissingManifestError(missing)


def _matches(value: str | None, wanted: Filter) -> bool:
    if wanted is None:
        return True
    allowed: Iterable[str] = (wanted,) if isinstance(wanted, str) else wanted
    return value in set(allowed)


def find_files(
    root: PathLike,
    *,
    subject: Filter = None,
    session: Filter = None,
    task: Filter = None,
    file_type: Filter = None,
    datatype: Filter = None,
    device_id: Filter = None,
    data_type: Filter = None,
    require_complete: bool = True,
) -> list[FileRef]:
    """Every file the manifests under ``root`` declare that passes all the filters.

    Each filter is a string or a sequence of strings (any of them matches);
    ``None`` does not filter. ``datatype`` is the BIDS datatype a producer
    declares as ``bids_type`` (``func``, ``beh``); ``file_type`` its declared
    extension (``ome.tiff``). Sessions whose acquisition did not complete are
    skipped unless ``require_complete`` is False. Results are sorted by
    subject, session, task and path.

    Raises:
        MissingManifestError: A session folder holds no manifest (all such
            folders are listed).
        ValidationError: A manifest is invalid, or declares a path that is
            absolute or leaves its session folder.
    """
    refs: list[FileRef] = []
    for manifest_path, manifest in iter_sessions(root):
        identity = manifest.session
        if (
            (require_complete and not manifest.acquisition_complete)
            or not _matches(identity.subject, subject)
            or not _matches(identity.session, session)
            or not _matches(identity.task, task)
        ):
            continue
        chosen = [
            (i, p)
            for i, p in enumerate(manifest.producers)
            if _matches(p.file_type, file_type)
            and _matches(p.bids_type, datatype)
            and _matches(p.device_id, device_id)
            and _matches(p.data_type, data_type)
        ]
        if chosen:
            digest = stored_hash(manifest, manifest_path)
            refs.extend(_declared_files(manifest, manifest_path, chosen, digest))
    refs.sort(key=lambda r: (r.subject, r.session, r.task or "", r.path))
    return refs


def _declared_files(
    manifest: AcquisitionManifest,
    manifest_path: Path,
    chosen: list[tuple[int, ProducerEntry]],
    digest: str,
) -> list[FileRef]:
    session_dir = manifest_path.parent
    errors: list[tuple[str, str]] = []

    def inside(relative: str, field: str) -> Path:
        try:
            return mk.resolve_inside(session_dir, relative, field=field)
        except mk.ValidationError as exc:
            errors.extend(exc.errors)
            return session_dir

    refs = []
    identity = manifest.session
    for i, producer in chosen:
        where = f"producers[{i}]"
        path = inside(producer.output_path, f"{where}.output_path")
        meta = producer.metadata_path
        metadata_path = inside(meta, f"{where}.metadata_path") if meta else None
        sidecars = {
            s.role: inside(s.path, f"{where}.sidecars[{j}].path")
            for j, s in enumerate(producer.sidecars)
        }
        refs.append(
            FileRef(
                path=path,
                subject=identity.subject,
                session=identity.session,
                task=identity.task,
                device_id=producer.device_id,
                device_type=producer.device_type,
                data_type=producer.data_type,
                bids_type=producer.bids_type,
                file_type=producer.file_type,
                metadata_path=metadata_path,
                sidecars=sidecars,
                time_basis=producer.time_basis,
                calibration=producer.calibration,
                session_dir=session_dir,
                manifest_path=manifest_path,
                manifest_hash=digest,
            )
        )
    if errors:
        raise mk.ValidationError(errors, title=f"{manifest_path}: unsafe path")
    return refs


def glob_files(
    root: PathLike,
    suffix: str,
    *,
    subject: Filter = None,
    session: Filter = None,
    task: Filter = None,
    datatype: Filter = None,
) -> list[FileRef]:
    """Every file under ``<root>/data`` whose name ends with ``suffix``, manifests ignored.

    For trees whose manifests are not written yet. The subject, session and
    task come from the path (see `parse_entities`), the datatype from the
    folder between the session folder and the file; the results carry no
    producer, time basis, calibration, sidecars or manifest hash. The suffix
    is matched literally (``*`` is not a wildcard).

    Raises:
        ValidationError: The suffix contains a path separator, or a matching
            file is not inside a ``sub-*/ses-*`` session folder.
    """
    given: object = suffix  # a direct caller may pass anything
    if not isinstance(given, str):
        raise mk.ValidationError(
            [("suffix", f"expected a name ending such as '.tif', found {given!r}")],
            title="invalid file name suffix",
        )
    if any(c in suffix for c in "/\\\x00"):
        raise mk.ValidationError(
            [("suffix", f"{suffix!r} contains a path separator or NUL; expected a name ending")],
            title="invalid file name suffix",
        )
    data_dir = _data_dir(root)
    refs: list[FileRef] = []
    for path in sorted(data_dir.glob("**/*" + glob.escape(suffix))):
        if not path.is_file():
            continue
        entities = parse_entities(path.relative_to(data_dir.parent))
        if not (
            _matches(entities.subject, subject)
            and _matches(entities.session, session)
            and _matches(entities.task, task)
        ):
            continue
        parts = path.relative_to(data_dir).parts
        if len(parts) < 3:
            raise mk.ValidationError(
                [("", f"{path} is not inside a sub-*/ses-* session folder")],
                title="cannot place a matching file",
            )
        session_dir = data_dir / parts[0] / parts[1]
        folder = parts[2] if len(parts) > 3 else None
        if not _matches(folder, datatype):
            continue
        refs.append(
            FileRef(
                path=path,
                subject=entities.subject,
                session=entities.session,
                task=entities.task,
                device_id="",
                device_type="",
                data_type="",
                bids_type=folder,
                file_type=suffix.lstrip("."),
                session_dir=session_dir,
            )
        )
    return refs
