"""Reads documents that name code, in a process that watches what reading does.

Run by tests/test_no_exec.py as ``python tests/no_exec_probe.py FOLDER``; prints
one JSON report. The documents are every reader's samples (the fuzzing table)
with each string, key, version and tag replaced by the name of a module or a
callable: a canary module on sys.path that leaves a file behind if it is ever
imported, and the usual suspects (``os.system``, ``subprocess:Popen``, pickle and
YAML object tags). They are read twice, from bytes and from files, with and
without their class. The first pass builds what reading builds once per class
(generated functions, lazily imported modules). During the second pass an audit
hook records every import, compile, exec and process or pickle event, and a
profiler every function called. Last, `study.load_callable` is asked for the
canary's ``boom``: the canary works, and is loaded when a caller asks.
"""

from __future__ import annotations

import copy
import json
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import manifestkit as mk
from manifestkit.schemas import study
from strategies.hostile import TARGETS, _places

CANARY = "mk_canary_module"
WATCHED = {
    "import",
    "exec",
    "compile",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "subprocess.Popen",
    "pickle.find_class",
    "marshal.loads",
    "ctypes.dlopen",
    "builtins.input",
    "socket.connect",
    "urllib.Request",
    "webbrowser.open",
}
NAMES = [
    CANARY,
    f"{CANARY}:boom",
    f"{CANARY}.boom",
    f"{CANARY}.Boom()",
    "os.system",
    "os:system",
    "subprocess:Popen",
    "builtins.eval",
    "__import__('os').system('touch pwned')",
    "!!python/object/apply:os.system",
    "py/object",
    "__reduce__",
    "__class__",
    "$type",
]


def _named(value: Any, i: int) -> Iterator[Any]:
    """Copies of plain data with every string (or every key) replaced by a name of code."""
    name = NAMES[i % len(NAMES)]

    def strings(v: Any) -> Any:
        if isinstance(v, str):
            return name
        if isinstance(v, list):
            return [strings(x) for x in v]
        if isinstance(v, dict):
            return {k: strings(x) for k, x in v.items()}
        return v

    def keys(v: Any) -> Any:
        if isinstance(v, list):
            return [keys(x) for x in v]
        if isinstance(v, dict):
            return {**{k: keys(x) for k, x in v.items()}, name: {"py/object": name}}
        return v

    yield strings(value)
    yield keys(value)
    # And one string at a time, so that a document is not refused at its first field.
    for n, (_, parent, key) in enumerate(_places(value)):
        if isinstance(parent[key], str):
            one = copy.deepcopy(value)
            _, p, k = _places(one)[n]
            p[k] = NAMES[(i + n) % len(NAMES)]
            yield one


def documents() -> list[tuple[Any, bytes, str]]:
    """(class, bytes, format) for every reader, sample, naming and format."""
    found = []
    i = 0
    for target in TARGETS:
        for sample in target.samples:
            for plain in _named(mk.to_dict(sample), i):
                i += 1
                for fmt in target.formats:
                    try:
                        body = mk.get_format(fmt).dumps(plain)
                    except mk.ValidationError:
                        continue  # TOML cannot hold a null in this sample
                    if fmt == "toml":
                        body = f"# manifestkit schema {NAMES[i % 4]}\n".encode() + body
                    found.append((target.cls, body, fmt))
    return found


def read_all(docs: list[tuple[Any, bytes, str]], folder: Path, read_as: Counter[str]) -> int:
    """Read each document from bytes, from a file, and from a file without its class.

    Counts in ``read_as`` the documents each class read as a manifest.
    """
    refused = 0
    for n, (cls, body, fmt) in enumerate(docs):
        path = folder / f"doc{n}.{fmt}"
        path.write_bytes(body)
        for read, args in (
            (mk.loads, (body, cls, fmt)),
            (mk.read, (path, cls)),
            (mk.read, (path,)),
        ):
            try:
                read_as[type(read(*args)).__name__] += 1
            except mk.ManifestError:
                refused += 1
    return refused


def main(folder: Path) -> dict[str, Any]:
    """Read every document twice, watching the second pass; return what was seen."""
    (folder / f"{CANARY}.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_suffix('.imported').touch()\n"
        "def boom():\n    pathlib.Path(__file__).with_suffix('.called').touch()\n"
        "Boom = boom\n"
    )
    sys.path.insert(0, str(folder))
    docs = documents()
    read_all(docs, folder, Counter())  # first pass: builds what is built once per class
    before = set(sys.modules)
    events: list[tuple[str, str]] = []
    watching = True

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if watching and event in WATCHED:
            events.append((event, repr(args)[:200]))

    sys.addaudithook(audit)
    called: set[str] = set()

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "c_call":
            called.add(f"{getattr(arg, '__module__', None) or ''}.{arg.__qualname__}")
        elif event == "call":
            called.add(f"{frame.f_globals.get('__name__', '?')}.{frame.f_code.co_name}")

    threading.setprofile(profile)
    sys.setprofile(profile)
    read_as: Counter[str] = Counter()
    try:
        refused = read_all(docs, folder, read_as)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        watching = False
    report = {
        "documents": len(docs),
        "reads": 3 * len(docs),
        "refused": refused,
        "events": events,
        "new_modules": sorted(set(sys.modules) - before),
        "canary_imported": (folder / f"{CANARY}.imported").exists(),
        "canary_called": (folder / f"{CANARY}.called").exists(),
        "canary_in_modules": CANARY in sys.modules,
        "called": sorted(called),
        "read_as": dict(read_as),
    }
    # The canary works, and a reference is loaded when, and only when, a caller asks.
    study.load_callable(f"{CANARY}:boom")()
    report["loaded_on_request"] = [
        (folder / f"{CANARY}.{what}").exists() for what in ("imported", "called")
    ]
    return report


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(Path(sys.argv[1]))))
