"""Versions and migrations: same major reads as is, older majors migrate, newer majors are refused."""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import pytest

import manifestkit as mk
from manifestkit import _model, _versioning
from manifestkit._versioning import classify, supported_versions
from models import Kitchen, Small

DATA = pathlib.Path(__file__).parent / "data" / "core"


def _kitchen_doc(**changes: Any) -> dict[str, Any]:
    doc = json.loads((DATA / "golden_hashes.json").read_text(encoding="utf-8"))[0]["document"]
    assert isinstance(doc, dict)
    doc.update(changes)
    return doc


def test_an_older_integer_version_is_migrated_step_by_step() -> None:
    old = {"version": 1, "name": "t", "size": 2}
    before = copy.deepcopy(old)
    assert mk.migrate(old, Small) == {"version": 3, "title": "t", "size": 2048}
    assert old == before  # the input is never changed
    assert mk.from_dict(old, Small) == Small(title="t", size=2048)


def test_a_newer_integer_version_names_the_supported_ones() -> None:
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.from_dict({"version": 4, "title": "t"}, Small)
    assert (
        str(info.value)
        == "test.small version 4 is newer than this library reads (supported: 1, 2, 3)"
    )
    assert (info.value.schema, info.value.found, info.value.supported) == (
        "test.small",
        4,
        ("1", "2", "3"),
    )


def test_a_version_without_a_migration_is_refused() -> None:
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.from_dict({"version": 0, "title": "t"}, Small)
    assert str(info.value) == (
        "test.small version 0 cannot be migrated: no migration is registered for it (supported: 1, 2, 3)"
    )


def test_an_older_minor_is_read_as_is_and_keeps_its_version() -> None:
    k = mk.from_dict(_kitchen_doc(schema_version="2.1.0"), Kitchen)
    assert k.schema_version == "2.1.0"
    assert mk.to_dict(k)["schema_version"] == "2.1.0"


def test_a_newer_minor_keeps_the_fields_it_added_even_in_forbid_classes() -> None:
    doc = _kitchen_doc(schema_version="2.9.1", added_in_2_9={"a": 1})
    doc["inners"][0]["colour"] = "teal"
    k = mk.from_dict(doc, Kitchen)
    assert dict(mk.unknown_fields(k)) == {"added_in_2_9": {"a": 1}}
    assert dict(mk.unknown_fields(k.inners[0])) == {"colour": "teal"}
    assert mk.to_dict(k) == mk.to_dict(mk.from_dict(mk.to_dict(k), Kitchen))
    assert mk.to_dict(k)["added_in_2_9"] == {"a": 1}


def test_an_unknown_field_in_a_known_version_stays_an_error() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(_kitchen_doc(schema_version="2.3.0", colour="teal"), Kitchen)
    assert info.value.errors == [("colour", "unknown field; did you mean 'color'?")]


def test_an_older_semver_major_is_migrated() -> None:
    doc = _kitchen_doc(schema_version="1.7.0")
    doc["folder"] = doc.pop("path")
    k = mk.from_dict(doc, Kitchen)
    assert k.schema_version == "2.0.0"
    assert str(k.path) == "sub-001/ses-1/func/meso.ome.tiff"


def test_a_newer_semver_major_is_refused() -> None:
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.from_dict(_kitchen_doc(schema_version="3.0.0"), Kitchen)
    assert str(info.value) == (
        "test.kitchen version '3.0.0' is newer than this library reads (supported: 1.x, 2.x (up to 2.3.0))"
    )


def test_a_missing_version_with_a_default_reads_as_current() -> None:
    doc = _kitchen_doc()
    del doc["schema_version"]
    assert mk.from_dict(doc, Kitchen).schema_version == "2.3.0"


@pytest.mark.parametrize(
    ("found", "relation"),
    [
        ("2.3.0", "current"),
        ("2.3.9", "current"),
        ("2.0", "older-minor"),
        ("2.4.0", "newer-minor"),
        ("1.99.0", "older-major"),
        ("10.0.0", "newer-major"),
    ],
)
def test_classify(found: str, relation: str) -> None:
    assert classify(found, Kitchen) == relation


def test_supported_versions() -> None:
    assert supported_versions(Small) == ["1", "2", "3"]
    assert supported_versions(Kitchen) == ["1.x", "2.x (up to 2.3.0)"]


def test_a_migration_is_registered_once() -> None:
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.register_migration("test.small", 1, lambda d: d)
    assert str(info.value) == "a migration for test.small from 1 is already registered"


def test_a_migration_must_raise_the_version() -> None:
    @mk.manifest("test.stuck", version=2, version_field="v")
    class Stuck:
        v: int = mk.field(default=2, always=True)

    mk.register_migration("test.stuck", 1, dict)
    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.from_dict({"v": 1}, Stuck)
    assert str(info.value) == "migration of test.stuck from 1 did not raise the version"


def test_a_migration_that_fails_on_a_malformed_document_is_a_validation_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))
    monkeypatch.setattr(_versioning, "_MIGRATIONS", dict(_versioning._MIGRATIONS))
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({"version": 1, "title": "no name"}, Small)  # version 1 had "name"
    assert info.value.errors == [("", "cannot migrate from version 1: KeyError: 'name'")]
    assert info.value.title == "invalid test.small document"

    @mk.manifest("test.strict-migration", version=2)
    class Strict:
        x: int

    @mk.migration("test.strict-migration", from_version=1)
    def _refuse(doc: dict[str, Any]) -> dict[str, Any]:
        raise mk.ValidationError([("x", "cannot be guessed")])

    with pytest.raises(mk.ValidationError) as own:
        mk.from_dict({"schema_version": 1}, Strict)
    assert own.value.errors == [("x", "cannot be guessed")]


class _ProbeVersionError(mk.SchemaVersionError):
    pass


def test_a_class_may_name_its_own_version_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from manifestkit import _model, _versioning

    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))
    monkeypatch.setattr(_versioning, "_MIGRATIONS", dict(_versioning._MIGRATIONS))

    @mk.manifest("test.own-error", version=2, version_field="v")
    class Own:
        __manifest_version_error__ = _ProbeVersionError
        v: int = mk.field(default=2, always=True)

    for found, reason in [
        (3, "is newer than this library reads"),
        (1, "cannot be migrated: no migration is registered for it"),
    ]:
        with pytest.raises(_ProbeVersionError) as info:
            mk.from_dict({"v": found}, Own)
        assert str(info.value) == f"test.own-error version {found} {reason} (supported: 2)"
    assert mk.from_dict({"v": 2}, Own) == Own()


def test_a_version_error_must_be_a_schema_version_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from manifestkit import _model

    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))

    @mk.manifest("test.bad-error", version=2, version_field="v")
    class Bad:
        __manifest_version_error__ = ValueError
        v: int = mk.field(default=2, always=True)

    with pytest.raises(mk.ManifestDefinitionError) as info:
        mk.from_dict({"v": 3}, Bad)
    assert str(info.value) == (
        "Bad.__manifest_version_error__ must be a subclass of SchemaVersionError"
    )


@pytest.mark.parametrize(
    ("data", "found"), [([1], "an array"), (None, "null"), ("{}", 'a string ("{}")')]
)
def test_migrate_refuses_a_document_that_is_not_an_object(data: Any, found: str) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.migrate(data, Small)
    assert info.value.errors == [("", f"expected an object, found {found}")]
    assert str(info.value).startswith("invalid test.small document")
