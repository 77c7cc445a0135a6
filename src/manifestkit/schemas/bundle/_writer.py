"""The life cycle of a run bundle: open -> finalize -> seal -> verify.

One small object owns the bundle's ``manifest.json``. Every step writes the
whole manifest atomically (`manifestkit.write`), so a crash at any point
leaves the previous or the next manifest on disk, never half of one. Sealing
writes ``manifest.sha256`` first and the sealed manifest second: a crash in
between leaves a bundle that says it is unverified, and sealing it again
rewrites the checksum file.

The checksum file lists every regular file of the bundle except itself and
``manifest.json``: the manifest holds the seal's summary (and records a failed
verification later), so it cannot be one of the files the seal covers.
"""

from __future__ import annotations

import errno
import os
import time
import typing
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import attrs

import manifestkit as mk

from ._manifest import BundleManifest, Integrity, PlatformInfo, PythonInfo, RunStatus

__all__ = ["MANIFEST_FILE", "BundleWriter", "artifact_paths", "is_bundle"]

MANIFEST_FILE = "manifest.json"
_LIFE_CYCLE = ("bundle_schema_version", "run_status", "bundle_status", "integrity")
_FIELDS = frozenset(
    a.name for a in attrs.fields(typing.cast("Any", BundleManifest)) if not a.name.startswith("_")
)


def _state_error(
    action: str, expected: tuple[str, ...], found: str, path: Path
) -> mk.ValidationError:
    quoted = [f'"{s}"' for s in expected]
    wanted = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 2 else quoted)
    return mk.ValidationError(
        [("bundle_status", f'expected {wanted} to {action}, found "{found}"')],
        title=f"{path}: cannot {action}",
    )


def _check_names(changes: dict[str, Any], what: str) -> None:
    errors = [(name, "unknown field") for name in changes if name not in _FIELDS]
    errors += [
        (name, "is set by the bundle's life cycle (open, finalize, seal, verify)")
        for name in changes
        if name in _LIFE_CYCLE
    ]
    if errors:
        raise mk.ValidationError(errors, title=f"cannot {what}")


class BundleWriter:
    """Owns a bundle folder's ``manifest.json`` through its life cycle.

    Make one with `BundleWriter.open` (a new bundle) or `BundleWriter.attach`
    (a bundle already on disk, for instance after a restart).
    """

    def __init__(self, folder: str | os.PathLike[str], manifest: BundleManifest) -> None:
        """Wrap a folder and its current manifest; prefer `open` or `attach`."""
        given: object = manifest  # a direct caller may pass anything
        if not isinstance(given, BundleManifest):
            found = f"found a value of type {type(given).__name__}"
            raise mk.ValidationError(
                [("manifest", f"expected a BundleManifest, {found}")],
                title="cannot make a BundleWriter",
            )
        self._folder = Path(folder)
        self._manifest = manifest

    @property
    def folder(self) -> Path:
        """The bundle folder."""
        return self._folder

    @property
    def path(self) -> Path:
        """The bundle's ``manifest.json``."""
        return self._folder / MANIFEST_FILE

    @property
    def manifest(self) -> BundleManifest:
        """The manifest as last written."""
        return self._manifest

    def __repr__(self) -> str:
        return (
            f"BundleWriter({str(self._folder)!r}, bundle_status={self._manifest.bundle_status!r})"
        )

    # -------------------------------------------------------------- life cycle

    @classmethod
    def open(
        cls,
        folder: str | os.PathLike[str],
        *,
        run_id: str | None = None,
        started_utc: datetime | None = None,
        started_mono_ns_anchor: int | None = None,
        **fields: Any,
    ) -> BundleWriter:
        """Start a bundle: create the folder and write its manifest, open and running.

        Args:
            folder: The bundle folder; created if missing. It must not hold a
                ``manifest.json`` yet.
            run_id: Defaults to the folder's name.
            started_utc: Defaults to now (UTC).
            started_mono_ns_anchor: Defaults to ``time.monotonic_ns()`` now.
            **fields: Any other manifest field (``operator``, ``cameras``...).
                ``python`` and ``platform`` default to the running ones.

        Raises:
            ManifestIOError: The folder already holds a manifest, or cannot be written.
            ValidationError: A field is unknown, belongs to the life cycle, or is invalid.
        """
        _check_names(fields, "open a bundle")
        root = Path(folder)
        path = root / MANIFEST_FILE
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise mk.ManifestIOError.wrap(exc, "create the bundle folder", str(root)) from None
        if os.path.lexists(path):
            exists = FileExistsError(errno.EEXIST, "a bundle manifest is already there")
            raise mk.ManifestIOError.wrap(exists, "open a bundle", str(path))
        fields.setdefault("python", PythonInfo.current())
        fields.setdefault("platform", PlatformInfo.current())
        manifest = BundleManifest(
            run_id=root.resolve().name if run_id is None else run_id,
            started_utc=started_utc or datetime.now(timezone.utc),
            started_mono_ns_anchor=(
                time.monotonic_ns() if started_mono_ns_anchor is None else started_mono_ns_anchor
            ),
            **fields,
        )
        writer = cls(root, manifest)
        writer._write(manifest)
        return writer

    @classmethod
    def attach(cls, folder: str | os.PathLike[str]) -> BundleWriter:
        """Take over a bundle already on disk (its manifest is read, never changed).

        Raises:
            ManifestIOError: There is no manifest.
            ValidationError: The manifest is invalid, or a link leading out of the bundle.
            BundleSchemaError: Its version cannot be read.
        """
        root = Path(folder)
        # A manifest that is a link to a file outside the bundle is not read.
        path = mk.resolve_inside(root, MANIFEST_FILE, field=MANIFEST_FILE)
        return cls(root, mk.read(path, BundleManifest))

    def update(self, **changes: Any) -> BundleManifest:
        """Change fields of an unsealed bundle's manifest (cameras, data shape...).

        Raises:
            ValidationError: The bundle is sealed, or a change is invalid.
        """
        allowed = ("open", "finalizing", "finalized_unverified")
        self._expect("update", allowed)
        _check_names(changes, "update the bundle")
        return self._write(mk.replace(self._manifest, **changes))

    def begin_finalize(
        self,
        run_status: RunStatus,
        *,
        exit_reason: str | None = None,
        ended_utc: datetime | None = None,
    ) -> BundleManifest:
        """Record the run's end and mark the bundle ``finalizing`` (sinks still flushing).

        Optional: `finalize` may follow `open` directly. A crash after this
        leaves a manifest that says finalizing did not complete.
        """
        self._expect("begin finalizing", ("open",))
        return self._write(
            mk.replace(
                self._manifest,
                run_status=run_status,
                bundle_status="finalizing",
                exit_reason=exit_reason,
                ended_utc=ended_utc or datetime.now(timezone.utc),
            )
        )

    def finalize(
        self,
        run_status: RunStatus | None = None,
        *,
        exit_reason: str | None = None,
        ended_utc: datetime | None = None,
        **changes: Any,
    ) -> BundleManifest:
        """Record the run's final status; the bundle becomes ``finalized_unverified``.

        Args:
            run_status: ``completed``, ``aborted`` or ``crashed`` (a running run
                cannot be finalized). May be left out after `begin_finalize`.
            exit_reason: A short reason (``"completed"``, ``"operator_abort"``...).
            ended_utc: Defaults to now, or to what `begin_finalize` recorded.
            **changes: Fields known only at the end (``dropped_samples``,
                ``queue_health``, ``custom``...).

        Raises:
            ValidationError: The bundle is not open or finalizing, the status
                pair is illegal, or a change is invalid.
        """
        current = self._manifest
        self._expect("finalize", ("open", "finalizing"))
        _check_names(changes, "finalize the bundle")
        if current.bundle_status == "finalizing":  # begin_finalize recorded the end
            run_status = run_status or current.run_status
            exit_reason = current.exit_reason if exit_reason is None else exit_reason
            ended_utc = ended_utc or current.ended_utc
        return self._write(
            mk.replace(
                current,
                run_status=run_status or current.run_status,
                bundle_status="finalized_unverified",
                exit_reason=exit_reason,
                ended_utc=ended_utc or datetime.now(timezone.utc),
                **changes,
            )
        )

    def seal(
        self, *, workers: int | None = None, progress: bool | Callable[[int], None] = False
    ) -> BundleManifest:
        """Hash every file, write ``manifest.sha256``, record the seal; status ``sealed``.

        Raises:
            ValidationError: The bundle is not ``finalized_unverified``.
            IntegrityError: The bundle holds symbolic links or special files
                (each named), or files that cannot be read.
        """
        self._expect("seal", ("finalized_unverified",))
        done = mk.seal(self._folder, exclude=(MANIFEST_FILE,), workers=workers, progress=progress)
        integrity = Integrity(
            status="ok",
            file_count=done.file_count,
            total_bytes=done.total_bytes,
            sealed_utc=done.sealed_utc,
        )
        return self._write(mk.replace(self._manifest, bundle_status="sealed", integrity=integrity))

    def verify(
        self,
        *,
        workers: int | None = None,
        progress: bool | Callable[[int], None] = False,
        record: bool = True,
    ) -> mk.VerifyResult:
        """Check the bundle against its seal; record the outcome in the manifest.

        The count and total size the seal recorded are checked first; every
        file is hashed whatever that check finds. On failure the bundle becomes
        ``verification_failed`` with integrity status ``mismatch`` or
        ``partial``; a bundle that failed and verifies again becomes ``sealed``.

        Args:
            workers: Files hashed at once.
            progress: As for `manifestkit.seal`.
            record: Write the outcome to the manifest (a successful check of a
                sealed bundle writes nothing).

        Raises:
            ValidationError: The bundle is not sealed.
        """
        current = self._manifest
        self._expect("verify", ("sealed", "verification_failed"))
        result = mk.verify(
            self._folder,
            exclude=(MANIFEST_FILE,),
            expected_files=current.integrity.file_count,
            expected_bytes=current.integrity.total_bytes,
            workers=workers,
            progress=progress,
        )
        if record:
            status = "sealed" if result.ok else "verification_failed"
            if status != current.bundle_status or result.status != current.integrity.status:
                integrity = mk.replace(current.integrity, status=result.status)
                self._write(mk.replace(current, bundle_status=status, integrity=integrity))
        return result

    # ----------------------------------------------------------------- helpers

    def _expect(self, action: str, allowed: tuple[str, ...]) -> None:
        found = self._manifest.bundle_status
        if found not in allowed:
            raise _state_error(action, allowed, found, self.path)

    def _write(self, manifest: BundleManifest) -> BundleManifest:
        mk.write(manifest, self.path)
        self._manifest = manifest
        return manifest


def is_bundle(folder: str | os.PathLike[str]) -> bool:
    """Whether a folder holds a bundle manifest (a ``manifest.json`` with a bundle version).

    Only the document's keys are looked at; `BundleWriter.attach` validates it.
    """
    path = Path(folder) / MANIFEST_FILE
    try:
        if not path.is_file() or path.stat().st_size > mk.Limits().max_bytes:
            return False
        doc = mk.get_format("json").loads(path.read_bytes())
    except (OSError, mk.FormatError):
        return False
    return isinstance(doc, dict) and "bundle_schema_version" in doc


def artifact_paths(manifest: BundleManifest, folder: str | os.PathLike[str]) -> dict[str, Path]:
    """The files a manifest names inside its bundle, by field, resolved safely.

    Data shape paths and each recorded camera's output, frame index and meta
    sidecar (the external output path, outside the bundle by design, is left
    out). Every path goes through `manifestkit.resolve_inside`.

    Raises:
        ValidationError: Paths that are absolute or climb out of the bundle,
            every one named by its field (``cameras[0].frames_path``).
    """
    named: list[tuple[str, str]] = []
    shape = manifest.data_shape
    if shape.channel_samples is not None:
        named.append(("data_shape.channel_samples.path", shape.channel_samples.path))
    named += [
        (f"data_shape.device_records[{i}].path", r.path) for i, r in enumerate(shape.device_records)
    ]
    for i, cam in enumerate(manifest.cameras):
        for key in ("output_path", "frames_path", "meta_path"):
            value = getattr(cam, key)
            if value is not None and (cam.recorded or key != "output_path"):
                named.append((f"cameras[{i}].{key}", value))
    found: dict[str, Path] = {}
    errors: list[tuple[str, str]] = []
    for field, value in named:
        try:
            found[field] = mk.resolve_inside(folder, value, field=field)
        except mk.ValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise mk.ValidationError(errors, title="unsafe path in the bundle manifest")
    return found
