"""The ``manifestkit`` command line: ``main(argv) -> exit status``.

One ``_cmd_<name>`` function per command, registered with its subparser in
`_parser`. Exit status 0 means success, 1 means the files were read but
something is wrong with them (or they differ), 2 means the command was used
wrongly (with a one-line reason). No traceback reaches the user unless
``--debug`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import orjson

from . import __version__
from ._canonical import content_hash
from ._cli_support import (
    Document,
    UsageError,
    document_version,
    flavour_function,
    load,
    problem_lines,
    problems_of,
    schema_arg,
    summary_lines,
    version_of,
)
from ._diff import diff_documents, show_value
from ._errors import IntegrityError, ManifestError
from ._formats import format_for_path, formats
from ._integrity import seal, verify
from ._io import atomic_write, dumps, read, to_dict, write
from ._jsonschema import json_schema
from ._model import schema_info
from ._registry import registered_schemas
from ._sidecar import check_sidecar, envelope_bytes

__all__ = ["console_main", "main"]

Command = Callable[[argparse.Namespace], int]


def _say(text: str) -> None:
    print(text)


def _warn(args: argparse.Namespace, text: str, exc: BaseException | None = None) -> None:
    if exc is not None and args.debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    print(f"manifestkit: {text}", file=sys.stderr)


def _report(args: argparse.Namespace, file: str, exc: ManifestError) -> None:
    """Tell the user, on stderr, what is wrong with a file."""
    lines = problem_lines(file, exc)
    for i, line in enumerate(lines):
        _warn(args, line, exc if i == 0 else None)


# ------------------------------------------------------------------ commands


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
            _warn(args, f"{path} hashes to {again}, not {digest}")
            return 1
        _say(f"wrote {path}")
    _say(f"{digest}  content hash of both files (sha256 of RFC 8785 canonical JSON)")
    return 0


def _cmd_schemas(args: argparse.Namespace) -> int:
    rows = []
    for name, cls in sorted(registered_schemas().items()):
        info = schema_info(cls)
        rows.append((name, info.version, f"{cls.__module__}.{cls.__qualname__}"))
    if args.json:
        listing = [{"schema": n, "version": v, "class": c} for n, v, c in rows]
        _say(orjson.dumps(listing, option=orjson.OPT_INDENT_2).decode())
        return 0
    if not rows:
        _warn(args, "no schemas are registered (install a schema pack)")
        return 0
    width = max(len(n) for n, _, _ in rows)
    vwidth = max(len(str(v if v is not None else "-")) for _, v, _ in rows)
    for name, version, where in rows:
        shown = str(version if version is not None else "-")
        _say(f"{name.ljust(width)}  {shown.ljust(vwidth)}  {where}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    cls = schema_arg(args.schema)
    named = schema_info(cls).name if cls is not None else None
    results: list[dict[str, Any]] = []
    for file in args.files:
        try:
            doc = load(file, cls)
        except ManifestError as exc:
            if args.debug:
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            problems = [p.as_json() for p in problems_of(exc)]
            results.append(_result(file, named, None, problems))
        else:
            results.append(_result(file, schema_info(doc.cls).name, version_of(doc.obj), []))
    valid = all(r["valid"] for r in results)
    if args.json:
        _say(orjson.dumps({"valid": valid, "files": results}, option=orjson.OPT_INDENT_2).decode())
        return 0 if valid else 1
    for r in results:
        if r["valid"]:
            version = f", version {r['version']}" if r["version"] is not None else ""
            _say(f"{r['file']}: ok ({r['schema']}{version})")
        for p in r["problems"]:
            _say(f"{r['file']}: {p['path'] or '(document)'}: {p['message']}")
    return 0 if valid else 1


def _result(
    file: str, schema: str | None, version: str | int | None, problems: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "file": file,
        "valid": not problems,
        "schema": schema,
        "version": version,
        "problems": problems,
    }


def _cmd_hash(args: argparse.Namespace) -> int:
    cls = schema_arg(args.schema)
    function = flavour_function(args.flavour)
    status = 0
    for file in args.files:
        try:
            digest = function(load(file, cls).obj, file)
        except ManifestError as exc:
            _report(args, file, exc)
            status = 1
            continue
        _say(f"{digest}  {file}")
    return status


def _cmd_convert(args: argparse.Namespace) -> int:
    fmt = format_for_path(args.dst)
    if fmt is None:
        known = ", ".join(ext for f in formats().values() for ext in f.extensions)
        raise UsageError(f"cannot tell the format of {args.dst!r} from its extension ({known})")
    cls = schema_arg(args.schema)
    if os.path.lexists(args.dst) and not args.force:
        _warn(args, f"{args.dst} exists; pass --force to replace it")
        return 1
    try:
        doc = load(args.src, cls)
        data = dumps(doc.obj, fmt.name)
    except ManifestError as exc:
        _report(args, args.src, exc)
        return 1
    atomic_write(args.dst, data)
    digest = content_hash(doc.obj)
    again = content_hash(load(args.dst, doc.cls).obj)
    if again != digest:  # pragma: no cover - would be a bug in manifestkit
        _warn(args, f"{args.dst} hashes to {again}, not {digest} like {args.src}")
        return 1
    _note_migration(args, doc)
    _say(f"{digest}  {args.dst}")
    return 0


def _note_migration(args: argparse.Namespace, doc: Document) -> None:
    found, now = document_version(doc), version_of(doc.obj)
    if found != now:
        _warn(args, f"note: {doc.path} is version {show_value(found)}; it was migrated to {now}")


def _cmd_show(args: argparse.Namespace) -> int:
    cls = schema_arg(args.schema)
    try:
        doc = load(args.file, cls)
    except ManifestError as exc:
        _report(args, args.file, exc)
        return 1
    for line in summary_lines(doc):
        _say(line)
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    cls = schema_arg(args.schema)
    docs = []
    for file in (args.a, args.b):
        try:
            docs.append(load(file, cls))
        except ManifestError as exc:
            _report(args, file, exc)
    if len(docs) < 2:
        return 1
    a, b = docs
    if a.cls is not b.cls:
        raise UsageError(
            f"{a.path} is a {schema_info(a.cls).name} document and {b.path} "
            f"a {schema_info(b.cls).name} one; diff compares documents of one schema"
        )
    differences = diff_documents(a.obj, b.obj)
    for path, x, y in differences:
        _say(f"{path}: {show_value(x)} -> {show_value(y)}")
    return 1 if differences else 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    cls = schema_arg(args.schema)
    try:
        doc = load(args.file, cls)
        if doc.header is not None:
            data = envelope_bytes(doc.obj, to_dict(doc.header), doc.format)
        else:
            data = dumps(doc.obj, doc.format)
    except ManifestError as exc:
        _report(args, args.file, exc)
        return 1
    found, now = document_version(doc), version_of(doc.obj)
    same = "its schema has no version" if now is None else f"version {show_value(found)}"
    if not args.in_place:
        sys.stdout.write(data.decode("utf-8"))
        if found == now:
            _warn(args, f"note: {args.file} needs no migration ({same})")
        return 0
    if found == now:
        _warn(args, f"{args.file} needs no migration ({same}); left as it is")
        return 0
    backup = args.file + ".bak"
    if os.path.lexists(backup):
        _warn(args, f"{backup} exists; move it away first (it may hold an earlier original)")
        return 1
    atomic_write(backup, doc.raw)
    atomic_write(args.file, data)
    _say(f"migrated {args.file} from version {show_value(found)} to {now} (original: {backup})")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    cls = schema_arg(args.name)
    assert cls is not None
    data = orjson.dumps(json_schema(cls), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    if args.output is None:
        sys.stdout.write(data.decode("utf-8"))
        return 0
    atomic_write(args.output, data)
    _say(f"wrote {args.output}")
    return 0


def _cmd_check_sidecar(args: argparse.Namespace) -> int:
    status = 0
    for file in args.files:
        try:
            result = check_sidecar(file)
        except ManifestError as exc:
            for line in problem_lines(file, exc):
                _say(line)
            status = 1
            continue
        if result.ok:
            name = schema_info(type(result.manifest)).name
            _say(f"{file}: ok ({result.sidecar_path.name}, {name})")
        for problem in result.problems:
            _say(f"{file}: {problem}")
            status = 1
    return status


# -------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: the reason and where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of every error",
    )
    common.add_argument("--version", action="version", version=f"manifestkit {__version__}")
    return common


def _schema_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schema", metavar="NAME", help="the schema to read with (default: detected)"
    )


def _folder(value: str) -> str:
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is not a folder")
    return value


def _cmd_seal(args: argparse.Namespace) -> int:
    # A bundle (manifest.json with a bundle version) is sealed through its life
    # cycle, which records the seal in its manifest; any other folder just gets
    # its manifest.sha256.
    from ._checksums import show_name  # noqa: PLC0415 - seal and verify only
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
            _warn(args, f"{show_name(name)}: {why}", exc)
        return 1
    files = f"{count} file{'s' if count != 1 else ''}"
    _say(f"sealed {args.folder}: {files}, {size} bytes, listed in manifest.sha256")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from .schemas.bundle import BundleWriter, is_bundle  # noqa: PLC0415 - verify only

    if is_bundle(args.folder):
        result = BundleWriter.attach(args.folder).verify(progress=True, record=args.record)
    elif args.record:
        raise UsageError(f"--record needs a bundle; {args.folder} has none")
    else:
        result = verify(args.folder, progress=True)
    if not result.ok:
        for line in result.lines():
            _say(line)
        return 1
    files = f"{result.found_files} file{'s' if result.found_files != 1 else ''}"
    _say(f"verified {args.folder}: {files}, {result.found_bytes} bytes match manifest.sha256")
    return 0


def _add_integrity_commands(
    command: Callable[[str, Command, str], argparse.ArgumentParser],
) -> None:
    p = command(
        "seal",
        _cmd_seal,
        "hash every file of a folder into its manifest.sha256 (sha256sum format); "
        "for a run bundle, also record the seal in its manifest.json",
    )
    p.add_argument("folder", metavar="DIR", type=_folder, help="the folder to seal")
    p = command(
        "verify",
        _cmd_verify,
        "check a folder against its manifest.sha256: exit 0 when every file matches, "
        "1 with one line per corrupted, missing or extra file",
    )
    p.add_argument("folder", metavar="DIR", type=_folder, help="the folder to check")
    p.add_argument(
        "--record",
        action="store_true",
        help="write the outcome into the bundle's manifest.json (bundles only)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="manifestkit",
        description="Typed, versioned, hashable manifests: validate, hash, convert, compare.",
        epilog="Exit status: 0 success, 1 problems found (or differences), 2 bad usage.",
    )
    parser.add_argument("--version", action="version", version=f"manifestkit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of every error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    common = [_common()]

    def command(name: str, func: Command, summary: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=summary, description=summary, parents=common)
        p.set_defaults(func=func)
        return p

    p = command("demo", _cmd_demo, "write a sample manifest as JSON and TOML and print its hash")
    p.add_argument("folder", nargs="?", default="manifestkit-demo", help="default: %(default)s")

    p = command("schemas", _cmd_schemas, "list the registered schemas and their versions")
    p.add_argument("--json", action="store_true", help="print the list as JSON")

    p = command("validate", _cmd_validate, "check manifest files against their schema")
    p.add_argument("files", nargs="+", metavar="FILE")
    _schema_option(p)
    p.add_argument("--json", action="store_true", help="print the results as JSON (for CI)")

    p = command("hash", _cmd_hash, "print the content hash of manifest files, like sha256sum")
    p.add_argument("files", nargs="+", metavar="FILE")
    _schema_option(p)
    p.add_argument(
        "--flavour",
        default="manifestkit",
        metavar="NAME",
        help="manifestkit (sha256 of RFC 8785 canonical JSON, the default) or mesokit",
    )

    p = command("convert", _cmd_convert, "convert a manifest between formats (by extension)")
    p.add_argument("src", metavar="SRC")
    p.add_argument("dst", metavar="DST")
    _schema_option(p)
    p.add_argument("--force", action="store_true", help="replace DST if it exists")

    p = command("show", _cmd_show, "print a readable summary of a manifest")
    p.add_argument("file", metavar="FILE")
    _schema_option(p)

    p = command("diff", _cmd_diff, "list the fields that differ between two manifests")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    _schema_option(p)

    p = command("migrate", _cmd_migrate, "upgrade a manifest to the current major version")
    p.add_argument("file", metavar="FILE")
    _schema_option(p)
    p.add_argument(
        "--in-place",
        action="store_true",
        help="rewrite FILE atomically, keeping the original as FILE.bak",
    )

    p = command("schema", _cmd_schema, "print the JSON Schema (draft 2020-12) of a schema")
    p.add_argument("name", metavar="NAME")
    p.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead")

    p = command(
        "check-sidecar", _cmd_check_sidecar, "check that data files still match their sidecars"
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="the data files (not the sidecars)")
    _add_integrity_commands(command)
    return parser


# ---------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    func: Command = args.func
    try:
        status = func(args)
        sys.stdout.flush()
    except UsageError as exc:
        print(f"manifestkit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ManifestError as exc:
        lines = str(exc).splitlines()
        _warn(args, lines[0], exc)
        for line in lines[1:]:
            print(f"manifestkit: {line}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (as in `manifestkit schema X | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("manifestkit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug must still not show a traceback
        _warn(args, f"internal error: {type(exc).__name__}: {exc}", exc)
        if not args.debug:
            print("manifestkit: run again with --debug to see the traceback", file=sys.stderr)
        return 1
    return status


def console_main() -> None:
    """Entry point of the ``manifestkit`` console script."""
    sys.exit(main())
