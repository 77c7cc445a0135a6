r"""BIDS-style paths: building a session's folders and file names, and reading entities back.

The layout is ``<root>/data/sub-<subject>/ses-<session>/<datatype>/`` with
files named ``[<timestamp>_]sub-<subject>_ses-<session>[_task-<task>]_<suffix>.<ext>``.
The ``sub``/``ses``/``task`` key-value pairs are BIDS *entities*; ``func`` and
``beh`` are *datatypes*. A label that holds a path separator would change the
folder structure instead of naming one folder, so it is refused.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePath, PurePosixPath

import manifestkit as mk

__all__ = [
    "DEFAULT_ROOT_DIRS",
    "ENTITY_PATTERN",
    "BidsEntities",
    "bids_datatype_dir",
    "bids_session_dir",
    "bids_stream_filename",
    "parse_entities",
]

ENTITY_PATTERN = re.compile(r"(sub|ses|task)-([A-Za-z0-9]+)", re.IGNORECASE)
"""An entity anywhere in a path: its key and its alphanumeric value."""

DEFAULT_ROOT_DIRS: tuple[str, ...] = ("data", "processed")
"""Top folders skipped before the subject is taken from a path's first folder."""


@mk.block
class BidsEntities:
    """The subject, session and (optional) task a path names, without their prefixes."""

    subject: str
    session: str
    task: str | None = None


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _check_labels(title: str, **labels: str | None) -> None:
    errors = [
        (name, f"{_quoted(value)} contains a path separator or NUL; expected one name")
        for name, value in labels.items()
        if value is not None and any(c in value for c in "/\\\x00")
    ]
    if errors:
        raise mk.ValidationError(errors, title=title)


_DRIVE = re.compile(r"[A-Za-z]:")


def _check_folder_name(name: str, value: str) -> None:
    """Refuse a label used whole as a folder that would name another folder, or none."""
    why = None
    if value in ("", ".", ".."):
        why = "is not a folder name"
    elif _DRIVE.match(value):
        why = "names a Windows drive"
    if why is not None:
        raise mk.ValidationError(
            [(name, f"{_quoted(value)} {why}; expected one name")], title="invalid BIDS label"
        )


def bids_session_dir(root: str | os.PathLike[str], subject: str, session: str) -> Path:
    """The session folder: ``<root>/data/sub-<subject>/ses-<session>``.

    Raises:
        ValidationError: A label contains a path separator.
    """
    _check_labels("invalid BIDS label", subject=subject, session=session)
    return Path(root) / "data" / f"sub-{subject}" / f"ses-{session}"


def bids_datatype_dir(
    root: str | os.PathLike[str], subject: str, session: str, datatype: str
) -> Path:
    """The folder data files of one datatype live in: the session folder / ``datatype``.

    ``datatype`` is what producers declare as ``ProducerEntry.bids_type``
    (``func``, ``beh``).

    Raises:
        ValidationError: A label contains a path separator, or the datatype is
            not one folder name (empty, ``.``, ``..``, a Windows drive).
    """
    _check_labels("invalid BIDS label", datatype=datatype)
    _check_folder_name("datatype", datatype)
    return bids_session_dir(root, subject, session) / datatype


def bids_stream_filename(
    *,
    subject: str,
    session: str,
    task: str | None,
    suffix: str,
    extension: str,
    timestamp: str | None = None,
) -> str:
    """The file name of one stream.

    For example ``251114_103045_sub-001_ses-1_task-runA_meso.ome.tiff``. An
    empty or missing ``task`` or ``timestamp`` is left out; a leading dot
    on ``extension`` is ignored.

    Raises:
        ValidationError: A part contains a path separator.
    """
    _check_labels(
        "invalid BIDS file name part",
        subject=subject,
        session=session,
        task=task,
        suffix=suffix,
        extension=extension,
        timestamp=timestamp,
    )
    parts = [timestamp] if timestamp else []
    parts += [f"sub-{subject}", f"ses-{session}"]
    if task:
        parts.append(f"task-{task}")
    parts.append(suffix)
    return "_".join(parts) + "." + extension.lstrip(".")


def parse_entities(
    relative_path: str | os.PathLike[str],
    *,
    root_dirs: Sequence[str] = DEFAULT_ROOT_DIRS,
    allow_positional: bool = True,
) -> BidsEntities:
    r"""Read the subject, session and task back from a path relative to the dataset.

    Entities are found anywhere in the path, in folder names
    (``sub-JG03/ses-03``) or in the file name (``..._sub-JG03_ses-03_...``);
    the first of each kind wins, and an entity's value is its letters and
    digits (``ses-01_retry`` gives ``01``). Without a ``sub-`` entity, the
    first folder (after one of ``root_dirs``) is the subject; without a
    ``ses-`` entity, the first folder whose name starts with ``ses-`` gives
    the rest of its name. Pass ``allow_positional=False`` to require explicit
    entities, for example for absolute paths. Windows separators (``\``) are
    accepted on every platform.

    Raises:
        ValidationError: No subject or no session can be found, or an
            argument has the wrong type (``root_dirs`` is a collection of
            folder names, not one string).
    """
    errors = []
    given: object = relative_path  # a direct caller may pass anything
    if not isinstance(given, (str, os.PathLike)):
        found = f"found a value of type {type(given).__name__}"
        errors.append(("relative_path", f"expected a path, {found}"))
    if isinstance(root_dirs, str) or not all(isinstance(d, str) for d in root_dirs):
        errors.append(
            ("root_dirs", f"expected folder names such as ('data',), found {root_dirs!r}")
        )
    if errors:
        raise mk.ValidationError(errors, title="cannot parse BIDS entities")
    text = PurePath(relative_path).as_posix().replace("\\", "/")
    captured: dict[str, str] = {}
    for key, value in ENTITY_PATTERN.findall(text):
        captured.setdefault(key.lower(), value)
    parts = list(PurePosixPath(text).parts)
    if parts and parts[0] in root_dirs:
        parts = parts[1:]
    subject = captured.get("sub")
    if subject is None and allow_positional and parts:
        subject = parts[0].removeprefix("sub-")
    session = captured.get("ses")
    if session is None and allow_positional:
        session = next((p[len("ses-") :] for p in parts if p.startswith("ses-")), None)
    missing = [name for name, value in (("subject", subject), ("session", session)) if not value]
    if missing or subject is None or session is None:
        raise mk.ValidationError(
            [("", f"found no BIDS {' or '.join(missing)} in the path {_quoted(text)}")],
            title="cannot parse BIDS entities",
        )
    return BidsEntities(subject=subject, session=session, task=captured.get("task"))
