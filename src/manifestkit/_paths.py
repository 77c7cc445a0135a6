r"""Path safety: a relative path named in a manifest must stay inside its root.

Manifests name files: a session's sidecars, a processing stage's inputs, a
bundle's contents. Whatever a document says, resolving one of those names
must never reach outside the folder it belongs to. `resolve_inside` is the one
place that rule is kept; every part of the library that follows a path from a
document goes through it.

A stored relative path may use Windows separators (``raw\cam0.tif``): it
means the same file on every platform. Refused, with a `ValidationError` that
names the path: an empty path, a NUL byte, an absolute path (``/x``, ``\x``),
a Windows drive or UNC path (``C:x``, ``C:\x``, ``\\host\share``), a path
whose ``..`` segments climb above the root, and a path that leads through a
symbolic link to a place outside the root.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from ._errors import ValidationError, describe
from ._io import path_text

__all__ = ["relative_path_problem", "resolve_inside"]

_DRIVE = re.compile(r"[A-Za-z]:")


def relative_path_problem(relative: str) -> str | None:
    r"""Why ``relative`` cannot name a place inside a root, or None if it can.

    Only the text is looked at; `resolve_inside` also checks symbolic links.

    >>> relative_path_problem("raw\\cam0.tif") is None
    True
    >>> relative_path_problem("../secrets.txt")
    'path "../secrets.txt" climbs out of its root'
    """
    shown = _show(relative)
    if relative == "":
        return "path is empty"
    if "\x00" in relative:
        return f"path {shown} contains a NUL byte"
    text = relative.replace("\\", "/")
    if text.startswith("/"):
        return f"path {shown} is absolute; expected a path relative to its root"
    if _DRIVE.match(text):
        return f"path {shown} names a Windows drive; expected a path relative to its root"
    depth = 0
    for part in text.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return f"path {shown} climbs out of its root"
        elif part not in ("", "."):
            depth += 1
    return None


def resolve_inside(root: str | os.PathLike[str], relative: str, *, field: str = "") -> Path:
    r"""Join a stored relative path onto ``root``, refusing anything that leaves it.

    Args:
        root: The folder the path is relative to.
        relative: The path as a document stores it (``/`` or ``\`` separators).
        field: Where the path sits in its document (``producers[2].path``), for
            the error.

    Returns:
        ``root`` joined with the normalised path (not resolved through links).

    Raises:
        ValidationError: The path is empty, absolute, names a drive, contains
            a NUL byte, climbs out of the root, or leads through a symbolic
            link to a place outside it.
    """
    if type(relative) is not str:
        raise ValidationError(
            [(field, f"expected a relative path, found {describe(relative)}")],
            title="unsafe path",
        )
    problem = relative_path_problem(relative)
    if problem is not None:
        raise ValidationError([(field, problem)], title="unsafe path")
    parts = [p for p in PurePosixPath(relative.replace("\\", "/")).parts if p != "."]
    base = Path(path_text(root, "root"))
    joined = base.joinpath(*parts) if parts else base
    real_root = os.path.realpath(base)
    real = os.path.realpath(joined)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise ValidationError(
            [(field, f"path {_show(relative)} leads through a symbolic link out of its root")],
            title="unsafe path",
        )
    return Path(os.path.normpath(joined))


def _show(path: str) -> str:
    import json  # noqa: PLC0415 - only the error path needs it

    return json.dumps(path, ensure_ascii=False).replace("\\\\", "\\")
