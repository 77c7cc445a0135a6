"""Hostile documents that once crashed a reader: each one the fuzzers found is pinned here.

Every test names how the input used to fail. They must now be refused with a
`ManifestError` that says what is wrong, and where when it can.
"""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path
from typing import Any

import pytest

import manifestkit as mk
from manifestkit import _model, _versioning
from manifestkit._codegen import SLOW
from manifestkit._versioning import _copy
from models import Cache, Kitchen, Small

KITCHEN = json.loads((Path(__file__).parent / "data" / "core" / "kitchen.json").read_text())


def test_a_toml_integer_past_python_s_digit_limit() -> None:
    # Was: ValueError "Exceeds the limit (4300 digits) for integer string conversion",
    # raised by int() inside tomllib.
    text = b'owner = "o"\nx = 1\ny = ' + b"1" * 5000 + b"\n"
    with pytest.raises(mk.FormatError) as info:
        mk.loads(text, Cache, "toml")
    assert (
        str(info.value) == "invalid TOML (line 3, column 5): an integer literal has too many digits"
    )


def test_a_toml_integer_outside_signed_64_bits() -> None:
    # Was: read (tomllib takes any integer), then impossible to write back as TOML.
    text = b'owner = "o"\n[meta]\nname = "m"\nitems = []\nsize = [1, 9223372036854775808]\n'
    with pytest.raises(mk.FormatError) as info:
        mk.loads(text, Cache, "toml")
    assert str(info.value) == (
        "invalid TOML: meta.size[1]: expected an integer in TOML's signed 64-bit range, "
        "found an integer (9223372036854775808)"
    )
    low = b'owner = "o"\nx = -9223372036854775809\n'
    with pytest.raises(mk.FormatError):
        mk.loads(low, Cache, "toml")
    edge = b'owner = "o"\nx = [-9223372036854775808, 9223372036854775807]\n'
    assert mk.unknown_fields(mk.loads(edge, Cache, "toml")) == {"x": [-(2**63), 2**63 - 1]}


@pytest.mark.parametrize("version", ["1" * 5000 + ".0", "1." + "4" * 5000, "1.4." + "0" * 5000])
def test_a_version_with_thousands_of_digits(version: str) -> None:
    # Was: ValueError from int() on the version's parts.
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"schema_version": version, "owner": "o"}, Cache)
    ((path, message),) = info.value.errors
    assert path == "schema_version"
    assert message.startswith('expected a version such as "1.4", found a string ("')


def test_migrating_a_deeply_nested_document() -> None:
    # Was: RecursionError from copy.deepcopy, which copies the document for the migrations.
    deep: Any = "leaf"
    for _ in range(900):
        deep = [deep]
    old = {**KITCHEN, "schema_version": "1.9", "folder": KITCHEN["path"], "free": {"deep": deep}}
    del old["path"]
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(json.dumps(old), Kitchen)
    assert info.value.errors == [("free.deep" + "[0]" * 100, "nested deeper than 100 levels")]


@pytest.mark.parametrize(
    ("doc", "cls", "expected"),
    [
        (
            {"version": 1, "title": "t"},
            Small,
            "cannot migrate from version 1: KeyError: 'name'",
        ),
        (
            {**KITCHEN, "schema_version": "1.0"},
            Kitchen,
            "cannot migrate from version '1.0': KeyError: 'folder'",
        ),
    ],
)
def test_a_migration_meeting_a_broken_old_document(doc: Any, cls: type, expected: str) -> None:
    # Was: the KeyError of the migration step, which expects a well-formed old document
    # (fixed on main at the same time, for the command line's fuzz test).
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(json.dumps(doc), cls)
    assert info.value.errors == [("", expected)]


def test_the_migration_copy_keeps_sharing_and_cycles_like_deepcopy() -> None:
    shared = [1, {"a": 2}]
    doc: dict[str, Any] = {"x": shared, "y": shared, "t": (1, [2])}
    doc["self"] = doc
    copied = _copy(doc)
    assert copied is not doc
    assert copied["x"] is copied["y"]
    assert copied["x"] == shared
    assert copied["x"] is not shared
    assert copied["self"] is copied
    assert copied["t"] == (1, [2])
    assert copied["t"][1] is not doc["t"][1]


class _Marker:
    """A value whose lifetime a test can watch (dicts cannot be weakly referenced)."""


def _refused_once(wrap: Any) -> tuple[weakref.ref[_Marker], list[tuple[str, str]]]:
    marker = _Marker()
    try:
        mk.from_dict({"title": wrap(marker)}, Small)
    except mk.ValidationError as exc:
        return weakref.ref(marker), exc.errors
    raise AssertionError("the document was accepted")  # pragma: no cover


@pytest.mark.parametrize("wrap", [lambda m: m, lambda m: [1, m]], ids=["value", "nested"])
def test_a_document_that_left_the_fast_path_is_not_kept_alive(wrap: Any) -> None:
    # Was: the fast path's shared Slow exception gathered a traceback entry for every frame
    # it passed, each keeping its frame (and the document in it) alive: memory grew with
    # every document that left the fast path (seen as atheris's memory climbing).
    ref, errors = _refused_once(wrap)
    assert errors[0][0] == "title"
    gc.collect()
    assert ref() is None
    assert SLOW.__traceback__ is None


def test_a_migration_step_recursing_through_a_deeply_nested_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A step that walks the document recursively overflows on one nested deep enough.
    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))
    monkeypatch.setattr(_versioning, "_MIGRATIONS", dict(_versioning._MIGRATIONS))

    @mk.manifest("test.recursive-step", version=2, version_field="version")
    class Walked:
        version: int = mk.field(default=2, always=True)
        data: Any = None

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    mk.register_migration("test.recursive-step", 1, lambda d: {**strip(d), "version": 2})
    deep: Any = 0
    for _ in range(5_000):
        deep = [deep]
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"version": 1, "data": deep}, Walked)
    ((path, message),) = info.value.errors
    assert path == ""
    assert message.startswith("cannot migrate from version 1: RecursionError: ")
