"""Fuzzing every reader: a mutated document reads as a valid manifest or raises a ManifestError.

The readers and the manifests the mutations start from are the table in
tests/strategies/hostile.py (`TARGETS`; schema packs add one line each). For
every mutated document, in JSON and TOML, from bytes, text and files:

- the only outcomes are a manifest of the class asked for, or a `ManifestError`;
- a manifest read that way is valid: it writes and reads back equal, and hashes;
- a `ValidationError` lists its problems with paths in the one path syntax and,
  when only the structure was broken, every path is about a place that was.

Longer runs: ``HYPOTHESIS_PROFILE=thorough`` (or ``tox -e fuzz``, which also
runs atheris).
"""

from __future__ import annotations

import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import manifestkit as mk
from figures import record
from strategies.hostile import (
    TARGETS,
    Hostile,
    Target,
    hostile_documents,
    mutated_text,
    related,
)

IDS = [t.name for t in TARGETS]
# A sidecar holds a document (a class declared with @manifest), never a lone block.
DOCUMENTS = [t for t in TARGETS if mk.schema_info(t.cls).name is not None]


def examples(target: Target, scale: float = 1.0) -> settings:
    """The active profile's example count, scaled for a test and by the target's weight.

    Each example reads one small document: the main test runs many more of them
    (``scale=4``) than a round-trip test does.
    """
    return settings(max_examples=max(5, round(settings().max_examples * scale * target.weight)))


_SEGMENT = r'(?:[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])'
PATH = re.compile(rf'{_SEGMENT}(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*')
HEX64 = re.compile(r"[0-9a-f]{64}")
FUZZED: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _figures() -> Iterator[None]:
    yield
    record("fuzz", documents=sum(FUZZED.values()), **FUZZED)


def check_manifest(result: Any, cls: type, fmt: str) -> None:
    """What "a valid manifest" means: its class, lossless in its format, hashable."""
    assert type(result) is cls
    again = mk.loads(mk.dumps(result, fmt), cls, fmt)
    assert again == result
    assert HEX64.fullmatch(mk.content_hash(result))


def check_refusal(exc: mk.ManifestError, hostile: Hostile, *, where: bool = True) -> None:
    """What a refusal must carry: a message, and for a ValidationError, paths that fit."""
    assert str(exc)
    if not isinstance(exc, mk.ValidationError):
        return
    assert exc.errors
    for path, message in exc.errors:
        assert path == "" or PATH.fullmatch(path), path
        assert message
    assert pickle.loads(pickle.dumps(exc)).errors == exc.errors
    if where and hostile.broken and not hostile.text_mutated and not hostile.version_touched:
        stray = [p for p, _ in exc.errors if not any(related(p, b) for b in hostile.broken)]
        assert stray == [], f"errors at {stray}, but the document was broken at {hostile.broken}"


def read_hostile(hostile: Hostile, target: Target, limits: mk.Limits | None = None) -> Any:
    try:
        result: Any = mk.loads(hostile.data, target.cls, hostile.format, limits=limits)
    except mk.ManifestError as exc:
        # Under tight limits the sample itself may be past them: any path may be named.
        check_refusal(exc, hostile, where=limits is None)
        return exc
    check_manifest(result, target.cls, hostile.format)
    return result


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_a_mutated_document_reads_as_a_manifest_or_a_manifest_error(target: Target) -> None:
    @examples(target, 4)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        read_hostile(data.draw(hostile_documents(target)), target)
        FUZZED[f"loads {target.name}"] += 1

    run()


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_a_mutated_file_reads_as_a_manifest_or_a_manifest_error(
    target: Target, folder: Path
) -> None:
    @examples(target)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        hostile = data.draw(hostile_documents(target))
        FUZZED[f"read {target.name}"] += 1
        raw = (
            hostile.data.encode("utf-8", "surrogatepass")
            if isinstance(hostile.data, str)
            else hostile.data
        )
        path = folder / f"document.{hostile.format}"
        path.write_bytes(raw)
        try:
            result: Any = mk.read(path, target.cls)
        except mk.ManifestError as exc:
            check_refusal(exc, hostile)
        else:
            check_manifest(result, target.cls, hostile.format)
        # Without a class the schema is detected: any registered manifest, or a ManifestError.
        found: Any = _outcome(mk.read, path)
        assert (
            isinstance(found, mk.ManifestError) or type(found) in mk.registered_schemas().values()
        )
        assert str(found)
        assert path.read_bytes() == raw  # reading never changes the file

    run()


def _outcome(read: Any, *args: Any) -> Any:
    try:
        return read(*args)
    except mk.ManifestError as exc:
        return exc


# Strings up to 40 characters: every date-time, UUID and enum value is shorter.
TIGHT = mk.Limits(max_bytes=4096, max_toml_bytes=2048, max_depth=3, max_string=40, max_items=3)


def _within_limits(value: Any, limits: mk.Limits) -> bool:
    """Whether a read value keeps the string and item limits everywhere."""
    if attrs.has(type(value)):
        unknown = dict(mk.unknown_fields(value))
        fields = [getattr(value, a.name) for a in attrs.fields(type(value)) if a.init]
        return len(unknown) <= limits.max_items and all(
            _within_limits(v, limits) for v in [*fields, unknown]
        )
    if isinstance(value, PurePath):
        value = value.as_posix()
    if isinstance(value, str):
        return len(value) <= limits.max_string
    if isinstance(value, (list, tuple, dict)):
        if len(value) > limits.max_items:
            return False
        keys = list(value) if isinstance(value, dict) else []
        items = value.values() if isinstance(value, dict) else value
        return all(len(k) <= limits.max_string for k in keys) and all(
            _within_limits(v, limits) for v in items
        )
    return True


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_under_tight_limits_what_is_accepted_is_within_them(target: Target) -> None:
    @examples(target, 4)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        hostile = data.draw(hostile_documents(target))
        FUZZED[f"tight limits {target.name}"] += 1
        result = read_hostile(hostile, target, limits=TIGHT)
        if not isinstance(result, mk.ManifestError):
            assert _within_limits(result, TIGHT)

    run()


@pytest.mark.parametrize("target", DOCUMENTS, ids=[t.name for t in DOCUMENTS])
def test_a_mutated_sidecar_reads_as_a_manifest_or_a_manifest_error(
    target: Target, folder: Path
) -> None:
    @examples(target)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        sample = data.draw(st.sampled_from(list(target.samples)))
        fmt = data.draw(st.sampled_from(target.formats))
        with tempfile.TemporaryDirectory(dir=folder) as name:
            recording = Path(name) / "recording.bin"
            recording.write_bytes(b"frames")
            try:
                sidecar = mk.write_sidecar(sample, recording, fmt)
            except mk.ValidationError:  # TOML cannot hold a null in this sample
                sidecar = mk.write_sidecar(sample, recording, "json")
            mutated = data.draw(mutated_text(sidecar.read_bytes()))
            raw = mutated.encode("utf-8", "surrogatepass") if isinstance(mutated, str) else mutated
            sidecar.write_bytes(raw)
            FUZZED[f"sidecar {target.name}"] += 1
            for cls in (target.cls, None):
                found = _outcome(mk.read_sidecar, recording, cls)
                if not isinstance(found, mk.ManifestError):
                    check_manifest(found, type(found), "json")

    run()
