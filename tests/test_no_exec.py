"""No code execution from data: reading never imports or calls what a document names.

tests/no_exec_probe.py reads, in a fresh process with an audit hook and a
profiler, the samples of every class in the fuzzing table (the core's test
schemas and every schema pack's, plugin entry points and callable references
included) with each string, key, version, tag and TOML schema header replaced
by the name of a module or a callable (see its docstring). Nothing may be
imported, compiled or executed, no process started and nothing unpickled; the
only parsers that run are orjson (and json, for exact integers) and tomllib
(tomli on 3.10). `study.load_callable` loads a reference only when asked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from figures import record
from strategies.hostile import TARGETS

PROBE = Path(__file__).parent / "no_exec_probe.py"
# Modules that parse or run things a document could name: none of them may run.
NEVER = {
    "pickle",
    "_pickle",
    "marshal",
    "yaml",
    "ast",
    "runpy",
    "code",
    "codeop",
    "ctypes",
    "subprocess",
    "shelve",
    "xml",
    "configparser",
    "csv",
    "pydoc",
    "eval",
}
NEVER_CALLED = {
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.__import__",
    "importlib.import_module",
    "posix.system",
}


def test_reading_never_imports_or_calls_what_a_document_names(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(PROBE), str(tmp_path)], capture_output=True, text=True, check=True
    )
    report = json.loads(out.stdout)
    assert report["documents"] >= 50
    assert 0 < report["refused"] < report["reads"]  # some read as manifests, some refused
    assert report["events"] == []  # no import, compile, exec, process, pickle, socket
    assert report["new_modules"] == []
    assert (report["canary_imported"], report["canary_called"], report["canary_in_modules"]) == (
        False,
        False,
        False,
    )
    # Every document class of the fuzzing table, schema packs included, read some of them.
    assert set(report["read_as"]) >= {t.cls.__name__ for t in TARGETS}
    # Only a caller's explicit request imports and calls the reference.
    assert report["loaded_on_request"] == [True, True]
    called = set(report["called"])
    assert called & NEVER_CALLED == set()
    assert sorted(c for c in called if c.split(".")[0] in NEVER) == []
    parsers = {c.split(".")[0] for c in called} & {"orjson", "json", "tomllib", "tomli", "_json"}
    toml = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    assert parsers <= {"orjson", "json", "_json", toml}
    assert {"orjson.loads", f"{toml}._parser.loads"} <= called
    record("no-exec", documents=report["documents"], reads=report["reads"])
