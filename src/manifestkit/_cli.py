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


def _folder(value: str) -> str:
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is not a folder")
    return value


def _cmd_seal(args: argparse.Namespace) -> int:
    # A bundle (manifest.json with a bundle version) is sealed through its life
    # cycle, which records the seal in its manifest; any other folder just gets
    # its manifest.sha256.
    from ._checksums import show_name  # noqa: PLC0415 - seal and verify only
    from ._errors import IntegrityError  # noqa: PLC0415
    from ._integrity import seal  # noqa: PLC0415
    from .schemas.bundle import BundleWriter, is_bundle  # noqa: PLC0415

    try:
        if is_bundle(args.folder):
            integrity = BundleWriter.attach(args.folder).seal(progress=True).integrity
            count, size = integrity.file_count, integrity.total_bytes
        else:
            done = seal(args.folder, progress=True)
            count, size = done.file_count, done.total_bytes
    except IntegrityError as exc:
        for name, why in exc.problems:
            print(f"manifestkit: {show_name(name)}: {why}", file=sys.stderr)
        return 1
    files = f"{count} file{'s' if count != 1 else ''}"
    print(f"sealed {args.folder}: {files}, {size} bytes, listed in manifest.sha256")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from ._integrity import verify  # noqa: PLC0415 - seal and verify only
    from .schemas.bundle import BundleWriter, is_bundle  # noqa: PLC0415

    if is_bundle(args.folder):
        result = BundleWriter.attach(args.folder).verify(progress=True, record=args.record)
    elif args.record:
        print(f"manifestkit: --record needs a bundle; {args.folder} has none", file=sys.stderr)
        return 2
    else:
        result = verify(args.folder, progress=True)
    if not result.ok:
        for line in result.lines():
            print(line)
        return 1
    files = f"{result.found_files} file{'s' if result.found_files != 1 else ''}"
    print(f"verified {args.folder}: {files}, {result.found_bytes} bytes match manifest.sha256")
    return 0


def _add_integrity_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seal = sub.add_parser(
        "seal",
        help="hash every file of a folder into its manifest.sha256 (sha256sum format)",
        description="Write DIR/manifest.sha256 listing every regular file under DIR; "
        "for a run bundle, also record the seal in its manifest.json.",
    )
    seal.add_argument("folder", metavar="DIR", type=_folder, help="the folder to seal")
    seal.set_defaults(func=_cmd_seal)
    verify = sub.add_parser(
        "verify",
        help="check a folder against its manifest.sha256; one line per problem",
        description="Exit 0 when every file matches DIR/manifest.sha256, 1 with one line "
        "per corrupted, missing or extra file otherwise.",
    )
    verify.add_argument("folder", metavar="DIR", type=_folder, help="the folder to check")
    verify.add_argument(
        "--record",
        action="store_true",
        help="write the outcome into the bundle's manifest.json (bundles only)",
    )
    verify.set_defaults(func=_cmd_verify)


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
    _add_integrity_commands(sub)
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
