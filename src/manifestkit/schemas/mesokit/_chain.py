"""Provenance chain checks: does each recorded hash still match what it points at?

A DatasetManifest or ProcessingManifest records the hash of the acquisition
manifest it started from (``upstream_acquisition_hash``) and the sha256 of
files (a dataset's ``data_file``, a stage's ``inputs``). `check_chain` checks
every such link and reports each one; `verify_chain` raises
`manifestkit.IntegrityError` naming every broken link.

An acquisition hash may be of either flavour: manifestkit's RFC 8785
`manifestkit.content_hash`, or mesokit-schema's own `content_hash()` (see
`mesokit_content_hash`), so chains written by either library verify.
"""

from __future__ import annotations

import json
import os
from typing import Literal

import manifestkit as mk

from ._legacy import mesokit_content_hash, stored_hash
from ._models import AcquisitionManifest, DatasetManifest, ProcessingManifest

__all__ = ["ChainLink", "ChainReport", "LinkStatus", "check_chain", "verify_chain"]

LinkStatus = Literal["ok", "mismatch", "missing", "unsafe", "unreadable", "skipped"]
"""What became of one link: ``ok``; ``mismatch`` (the hash differs); ``missing``
(no hash recorded, or no file); ``unsafe`` (the path leaves its root);
``unreadable`` (the file cannot be read); ``skipped`` (nothing given to check
it against)."""

PathLike = str | os.PathLike[str]


@mk.block
class ChainLink:
    """One recorded hash and what checking it found."""

    field: str = mk.field(description="Where the hash is recorded: inputs[1].content_hash...")
    status: LinkStatus
    recorded: str | None = mk.field(default=None, description="The hash the manifest records.")
    computed: tuple[str, ...] = mk.field(
        default=(), description="The hashes computed for what the link points at."
    )
    flavour: str | None = mk.field(
        default=None, description="Which hash matched: manifestkit, mesokit-schema or sha256."
    )
    message: str


@mk.block
class ChainReport:
    """Every link of one manifest's provenance chain, in the manifest's order."""

    links: tuple[ChainLink, ...] = ()

    @property
    def broken(self) -> tuple[ChainLink, ...]:
        """The links that were checked and failed (skipped links are not broken)."""
        return tuple(link for link in self.links if link.status not in ("ok", "skipped"))

    @property
    def ok(self) -> bool:
        """Whether no link is broken."""
        return not self.broken


def _short(digest: str) -> str:
    return digest[:12]


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _acquisition_link(
    recorded: str | None, acquisition: AcquisitionManifest | PathLike | None
) -> ChainLink:
    field = "upstream_acquisition_hash"
    if acquisition is None:
        return ChainLink(
            field=field,
            status="skipped",
            recorded=recorded,
            message="no acquisition manifest was given to check it against",
        )
    if isinstance(acquisition, AcquisitionManifest):
        legacy = {mesokit_content_hash(acquisition)}
        manifest = acquisition
    else:
        manifest = mk.read(acquisition, AcquisitionManifest)
        legacy = {mesokit_content_hash(manifest), stored_hash(manifest, acquisition)}
    if recorded is None:
        return ChainLink(
            field=field,
            status="missing",
            message="no hash is recorded, so the acquisition manifest cannot be linked",
        )
    ours = mk.content_hash(manifest)
    flavour = None
    if recorded == ours:
        flavour = "manifestkit"
    elif recorded in legacy:
        flavour = "mesokit-schema"
    shown = sorted(legacy)
    computed = (ours, *shown)
    if flavour is None:
        return ChainLink(
            field=field,
            status="mismatch",
            recorded=recorded,
            computed=computed,
            message=(
                f"records {_short(recorded)}..., but the acquisition manifest hashes to "
                f"{_short(ours)}... (manifestkit) and "
                + " or ".join(f"{_short(d)}..." for d in shown)
                + " (mesokit-schema)"
            ),
        )
    return ChainLink(
        field=field,
        status="ok",
        recorded=recorded,
        computed=computed,
        flavour=flavour,
        message=f"matches the acquisition manifest's {flavour} hash",
    )


def _file_link(
    root: PathLike | None, relative: str, recorded: str, field: str, path_field: str
) -> ChainLink:
    shown = _quoted(relative)
    if root is None:
        return ChainLink(
            field=field,
            status="skipped",
            recorded=recorded,
            message=f"no root folder was given to find {shown} in",
        )
    try:
        path = mk.resolve_inside(root, relative, field=path_field)
    except mk.ValidationError as exc:
        return ChainLink(
            field=field,
            status="unsafe",
            recorded=recorded,
            message=f"{path_field}: {exc.errors[0][1]}",
        )
    if not path.is_file():
        return ChainLink(
            field=field, status="missing", recorded=recorded, message=f"{shown} is not a file"
        )
    try:
        digest = mk.hash_file(path)
    except mk.ManifestIOError as exc:
        reason = str(exc.strerror).removeprefix("cannot hash: ")
        return ChainLink(
            field=field,
            status="unreadable",
            recorded=recorded,
            message=f"{shown} cannot be read ({reason})",
        )
    if digest != recorded.lower():
        return ChainLink(
            field=field,
            status="mismatch",
            recorded=recorded,
            computed=(digest,),
            message=f"records {_short(recorded)}..., but {shown} hashes to {_short(digest)}...",
        )
    return ChainLink(
        field=field,
        status="ok",
        recorded=recorded,
        computed=(digest,),
        flavour="sha256",
        message=f"matches the bytes of {shown}",
    )


def check_chain(
    manifest: DatasetManifest | ProcessingManifest,
    *,
    acquisition: AcquisitionManifest | PathLike | None = None,
    root: PathLike | None = None,
) -> ChainReport:
    """Check every hash a dataset or processing manifest records; report each link.

    Args:
        manifest: The downstream manifest.
        acquisition: The acquisition manifest it names as upstream, as an
            instance or a file. Give the file for chains mesokit-schema 0.4
            wrote: the hash is then also checked against the document as
            stored, before its migration to 1.0.
        root: The folder the manifest's file paths are relative to (the
            dataset folder for ``data_file``, the session folder for
            ``inputs``). Paths that leave it are reported as ``unsafe`` and
            never opened.

    Returns:
        One link per recorded hash; links with nothing to check against are
        ``skipped``.

    Raises:
        ValidationError: ``manifest`` is of another class, or the acquisition
            file is not a valid acquisition manifest.
    """
    if type(manifest) not in (DatasetManifest, ProcessingManifest):
        found = f"found a value of type {type(manifest).__name__}"
        raise mk.ValidationError(
            [("", f"expected a DatasetManifest or a ProcessingManifest, {found}")],
            title="cannot check a provenance chain",
        )
    links = [_acquisition_link(manifest.upstream_acquisition_hash, acquisition)]
    if isinstance(manifest, DatasetManifest):
        links.append(
            _file_link(
                root,
                manifest.data_file,
                manifest.data_content_hash,
                "data_content_hash",
                "data_file",
            )
        )
    else:
        links += [
            _file_link(
                root, ref.path, ref.content_hash, f"inputs[{i}].content_hash", f"inputs[{i}].path"
            )
            for i, ref in enumerate(manifest.inputs)
        ]
    return ChainReport(links=tuple(links))


def verify_chain(
    manifest: DatasetManifest | ProcessingManifest,
    *,
    acquisition: AcquisitionManifest | PathLike | None = None,
    root: PathLike | None = None,
) -> ChainReport:
    """Like `check_chain`, but raise when a link is broken.

    Raises:
        IntegrityError: One or more links are broken; its ``problems`` name
            each one, as ``(field, message)``.
        ValidationError: As for `check_chain`.
    """
    report = check_chain(manifest, acquisition=acquisition, root=root)
    broken = report.broken
    if broken:
        what = "dataset" if isinstance(manifest, DatasetManifest) else "processing"
        n = len(broken)
        raise mk.IntegrityError(
            f"the {what} manifest's provenance chain is broken at {n} link{'' if n == 1 else 's'}",
            [(link.field, link.message) for link in broken],
        )
    return report
