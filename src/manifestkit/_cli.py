"""The ``manifestkit`` command line: ``main(argv) -> exit status``.

Exit status 0 means success, 1 means the files were read but something is
wrong with them (or they differ), 2 means the command was used wrongly. No
traceback reaches the user unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from ._canonical import content_hash
from ._errors import ManifestError, ValidationError
from ._io import read, write

__all__ = ["console_main", "main"]

Command = Callable[[argparse.Namespace], int]


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._demo import DemoSession, sample  # noqa: PLC0415 - only the demo needs it

    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = sample()
    json_path = write(manifest, folder / "session.json")
    toml_path = write(manifest, folder / "session.toml")
    digest = content_hash(manifest)
    for path in (json_path, toml_path):
        again = content_hash(read(path, DemoSession))
        if again != digest:  # pragma: no cover - would be a bug in manifestkit
            print(f"manifestkit: {path} hashes to {again}, not {digest}", file=sys.stderr)
            return 1
        print(f"wrote {path}")
    print(f"{digest}  content hash of both files (sha256 of RFC 8785 canonical JSON)")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="manifestkit",
        description="Typed, versioned, hashable manifests: validate, hash, convert.",
    )
    parser.add_argument("--version", action="version", version=f"manifestkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo = sub.add_parser(
        "demo", help="write a sample manifest as JSON and TOML and print its hash"
    )
    demo.add_argument(
        "folder",
        nargs="?",
        default="manifestkit-demo",
        help="where to write (default: %(default)s)",
    )
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except ManifestError as exc:
        if args.debug:
            raise
        lines = (
            [f"{p or '(document)'}: {m}" for p, m in exc.errors]
            if isinstance(exc, ValidationError)
            else [str(exc)]
        )
        for line in lines:
            print(f"manifestkit: {line}", file=sys.stderr)
        return 1


def console_main() -> None:
    """Entry point of the ``manifestkit`` console script."""
    sys.exit(main())
