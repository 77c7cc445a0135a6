"""The labcache pack against the files the lab wizard writes: golden files, versions, errors."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

import manifestkit as mk
from labcache_wizard import Creation, wizard_rewrite
from manifestkit import _versioning
from manifestkit.schemas import labcache as lc

DATA = Path(__file__).parent / "data" / "labcache"
EXPECTED: dict[str, dict[str, str]] = json.loads((DATA / "expected.json").read_text("utf-8"))
INVALID: list[dict[str, Any]] = json.loads((DATA / "invalid_documents.json").read_text("utf-8"))
# Files exactly as the wizard of that version writes them (the newer one carries
# fields this wizard's types do not have, so it cannot rewrite it unchanged).
WIZARD_WRITTEN = sorted(set(EXPECTED) - {"creation_newer.json"})
# Files whose plain data survives read -> write unchanged (older entries gain `revoked`).
UNCHANGED = sorted(set(EXPECTED) - {"creation_1_5.json"})


def _plain(name: str) -> Any:
    return orjson.loads((DATA / name).read_bytes())


def _independent_hash(plain: Any) -> str:
    # The golden files hold ASCII keys, strings, integers and short decimals, for
    # which sorted compact json.dumps is RFC 8785: a second, independent route to the hash.
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("name", WIZARD_WRITTEN)
def test_golden_files_are_byte_for_byte_what_the_wizard_writes(name: str) -> None:
    raw = (DATA / name).read_bytes()
    assert wizard_rewrite(raw, EXPECTED[name]["schema"]) == raw


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_files_are_detected_and_hash_as_pinned(name: str) -> None:
    doc: Any = mk.read(DATA / name)
    assert mk.schema_info(type(doc)).name == EXPECTED[name]["schema"]
    assert mk.content_hash(doc) == EXPECTED[name]["content_hash"]
    assert mk.content_hash(mk.loads(mk.dumps(doc), type(doc))) == EXPECTED[name]["content_hash"]


@pytest.mark.parametrize("name", UNCHANGED)
def test_golden_files_round_trip_to_the_same_plain_data(name: str) -> None:
    doc: Any = mk.read(DATA / name)
    assert mk.to_dict(doc) == _plain(name)
    assert EXPECTED[name]["content_hash"] == _independent_hash(_plain(name))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_golden_files_are_detected_under_any_file_name(name: str, tmp_path: Path) -> None:
    # The usual file name breaks ties; the keys alone already tell the five schemas apart.
    target = tmp_path / "copy.json"
    shutil.copyfile(DATA / name, target)
    assert mk.schema_info(type(mk.read(target))).name == EXPECTED[name]["schema"]


def test_each_schema_has_its_usual_file_name() -> None:
    names = {n: mk.schema_info(mk.get_schema(n)).filenames for n in mk.registered_schemas()}
    assert {n: f for n, f in names.items() if n.startswith("labcache.")} == {
        "labcache.creation": ("creation.json",),
        "labcache.readme_fields": ("readme_fields.json",),
        "labcache.equipment": ("equipment.json",),
        "labcache.test_runs": ("test_runs.json",),
        "labcache.ingest": ("ingest.json",),
    }
    for cls in (lc.CreationJson, lc.ReadmeFieldsJson, lc.EquipmentJson, lc.TestRunsJson):
        assert mk.schema_info(cls).unknown == "preserve"


def test_the_golden_creation_file_reads_as_typed_values() -> None:
    doc = mk.read(DATA / "creation.json", lc.CreationJson)
    assert doc.level is lc.CreationLevel.RUN
    assert doc.lims_project.source is lc.LIMSProjectSource.CACHE
    assert doc.lims_project.cache_freshness_at_use == "2026-04-17T06:00:00Z"
    assert doc.template.run_scope is lc.RunScope.RUN
    assert doc.plugins_applied[0].isolation == lc.PluginIsolation(
        duration_ms=412, exit_code=0, peak_memory_mb=48
    )
    assert doc.plugins_applied[1].isolation is None
    assert doc.orchestrator is not None
    assert doc.orchestrator.host == "orch-01.lab.local"
    assert doc.sync_status is lc.SyncStatus.SYNCING
    assert [type(e).__name__ for e in doc.validation_overrides] == [
        "OverrideEntry",
        "OverrideEntry",
        "TombstoneEntry",
    ]
    # Timestamps stay the text the wizard wrote, offset form included.
    assert doc.created_at == "2026-04-17T14:30:02.481516+00:00"


# ------------------------------------------------------------------ versions


def test_a_1_7_creation_file_reads_as_live_without_freshness_and_keeps_its_version(
    tmp_path: Path,
) -> None:
    raw = (DATA / "creation_1_7.json").read_bytes()
    doc = mk.read(DATA / "creation_1_7.json", lc.CreationJson)
    assert doc.schema_version == "1.7"
    assert doc.lims_project.source is lc.LIMSProjectSource.LIVE
    assert doc.lims_project.cache_freshness_at_use is None
    # Rule 7: same major, so no migration runs (none is registered) and the
    # document is rewritten as it was, its version and hash unmoved.
    assert "labcache.creation" not in _versioning._MIGRATIONS
    assert mk.migrate(orjson.loads(raw), lc.CreationJson) == orjson.loads(raw)
    changed = mk.replace(doc, sync_status=lc.SyncStatus.FAILED)
    mk.write(changed, tmp_path / "creation.json")
    written = orjson.loads((tmp_path / "creation.json").read_bytes())
    assert written == {**orjson.loads(raw), "sync_status": "failed"}
    assert "source" not in written["lims_project"]
    assert "cache_freshness_at_use" not in written["lims_project"]
    # The wizard reads the rewrite as it read the original: live, no freshness.
    seen = msgspec.json.decode((tmp_path / "creation.json").read_bytes(), type=Creation)
    assert (seen.schema_version, seen.lims_project.source) == ("1.7", "live")
    assert seen.lims_project.cache_freshness_at_use is None


def test_a_1_7_file_and_the_same_file_at_1_8_differ_only_in_version() -> None:
    old = mk.read(DATA / "creation_1_7.json", lc.CreationJson)
    plain = {**_plain("creation_1_7.json"), "schema_version": "1.8"}
    plain["lims_project"] = {**plain["lims_project"], "source": "live"}
    assert mk.replace(old, schema_version="1.8") == mk.from_dict(plain, lc.CreationJson)


def test_override_entries_from_before_revoked_was_written_are_told_apart_by_revokes() -> None:
    doc = mk.read(DATA / "creation_1_5.json", lc.CreationJson)
    first, second = doc.validation_overrides
    assert isinstance(first, lc.OverrideEntry)
    assert isinstance(second, lc.TombstoneEntry)
    assert second.revokes == first.id
    # Written back, every entry says what it is.
    entries = mk.to_dict(doc)["validation_overrides"]
    assert [e["revoked"] for e in entries] == [False, True]
    assert [{k: v for k, v in e.items() if k != "revoked"} for e in entries] == _plain(
        "creation_1_5.json"
    )["validation_overrides"]


def test_a_newer_minor_keeps_its_version_and_every_unknown_field() -> None:
    doc = mk.read(DATA / "creation_newer.json", lc.CreationJson)
    assert doc.schema_version == "1.9"
    assert set(mk.unknown_fields(doc)) == {"retention", "checksums_file"}
    assert set(mk.unknown_fields(doc.lims_project)) == {"lims_site", "name_history"}
    assert set(mk.unknown_fields(doc.template)) == {"checksum", "inherits"}
    assert dict(mk.unknown_fields(doc.paths)) == {"archive": None}
    assert dict(mk.unknown_fields(doc.plugins_applied[0])) == {"signature": "ed25519:AbCd"}
    isolation = doc.plugins_applied[0].isolation
    assert isolation is not None
    assert set(mk.unknown_fields(isolation)) == {"cpu_ms", "sandbox"}
    assert doc.orchestrator is not None
    assert dict(mk.unknown_fields(doc.orchestrator)) == {"queue_position": 3}
    assert set(mk.unknown_fields(doc.validation_overrides[0])) == {"approved_by", "scope"}


def test_a_newer_major_is_refused() -> None:
    with pytest.raises(mk.SchemaVersionError) as info:
        mk.from_dict({**_plain("creation.json"), "schema_version": "2.0"}, lc.CreationJson)
    assert str(info.value) == (
        "labcache.creation version '2.0' is newer than this library reads (supported: 1.x (up to 1.8))"
    )


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize("case", INVALID, ids=[c["about"] for c in INVALID])
def test_golden_error_texts(case: dict[str, Any]) -> None:
    cls = mk.get_schema(case["schema"])
    with pytest.raises(mk.ValidationError) as from_dict:
        mk.from_dict(case["document"], cls)
    with pytest.raises(mk.ValidationError) as from_json:
        mk.loads(orjson.dumps(case["document"]), cls)
    assert [list(e) for e in from_dict.value.errors] == case["errors"]
    assert from_json.value.errors == from_dict.value.errors


def test_a_bad_file_names_itself_and_every_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _plain("ingest.json")
    plain["history"][4].pop("bytes_received")
    plain["current_state"] = "syncing"
    monkeypatch.chdir(tmp_path)
    os.mkdir(".exlab-wizard")
    Path(".exlab-wizard/ingest.json").write_bytes(orjson.dumps(plain))
    with pytest.raises(mk.ValidationError) as info:
        mk.read(".exlab-wizard/ingest.json")
    assert str(info.value) == (
        ".exlab-wizard/ingest.json: invalid IngestJson with 2 problems:\n"
        '  history[4].bytes_received: required when the state goes from "receiving" to "complete"\n'
        '  current_state: expected "sync_verified", the state of the last history entry, '
        'found "syncing"'
    )


def test_timestamps_are_checked_but_kept_verbatim() -> None:
    kept = [
        "2026-04-17T14:32:00Z",
        "2026-04-17T14:32:00.123+00:00",
        "2026-04-17t14:32:00.1234567-05:30",
        "2026-04-17 14:32:00",
    ]
    for text in kept:
        doc = lc.TestRunsJson(created_at=text, project="P", equipment="E")
        assert mk.to_dict(mk.loads(mk.dumps(doc), lc.TestRunsJson))["created_at"] == text
    with pytest.raises(mk.ValidationError) as info:
        lc.TestRunsJson(created_at="2026-04-17T14:32:00+24:00", project="P", equipment="E")
    assert info.value.errors == [
        (
            "created_at",
            (
                'expected an ISO 8601 date-time such as "2026-05-14T10:00:00Z", '
                'found "2026-04-17T14:32:00+24:00"'
            ),
        )
    ]
    with pytest.raises(mk.ValidationError) as info:
        lc.TestRunsJson(created_at="x" * 50, project="P", equipment="E")
    assert info.value.errors[0][1].endswith(f'found "{"x" * 37}..."')


def test_timestamps_parse_to_aware_times_and_format_like_the_wizard() -> None:
    from datetime import datetime, timedelta, timezone

    utc = timezone.utc
    assert lc.parse_timestamp("2026-04-17T14:32:00Z") == datetime(2026, 4, 17, 14, 32, tzinfo=utc)
    assert lc.parse_timestamp("2026-04-17T14:32:00") == datetime(2026, 4, 17, 14, 32, tzinfo=utc)
    assert lc.parse_timestamp("2026-04-17T16:32:00.5+02:00") == datetime(
        2026, 4, 17, 14, 32, 0, 500000, tzinfo=utc
    )
    assert lc.parse_timestamp("2026-04-17T14:32:00.1234569Z").microsecond == 123456
    with pytest.raises(ValueError, match="is not an ISO 8601 date-time"):
        lc.parse_timestamp("2026-04-17")
    plus_two = timezone(timedelta(hours=2))
    assert lc.format_timestamp(datetime(2026, 4, 17, 14, 32, tzinfo=utc)) == "2026-04-17T14:32:00Z"
    assert (
        lc.format_timestamp(datetime(2026, 4, 17, 14, 32, 0, 7, tzinfo=plus_two))
        == "2026-04-17T14:32:00.000007+02:00"
    )
    assert lc.format_timestamp(datetime(2026, 4, 17, 14, 32)) == "2026-04-17T14:32:00"
    now = lc.format_timestamp()
    assert now.endswith("Z")
    assert abs(lc.parse_timestamp(now) - datetime.now(utc)) < timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-04-17", '"2026-04-17" is not an ISO 8601 date-time'),
        ("2026-02-30T00:00:00Z", '"2026-02-30T00:00:00Z" is not a date-time: day is out of range'),
        ("2026-04-17T24:00:00Z", '"2026-04-17T24:00:00Z" is not a date-time: hour must be in'),
        ("2026-04-17T14:32:00+24:00", '"2026-04-17T14:32:00+24:00" has an out-of-range offset'),
        (1713364320, "a value of type int is not an ISO 8601 date-time"),
    ],
)
def test_a_bad_timestamp_is_a_validation_error_saying_why(text: Any, why: str) -> None:
    # A ValidationError is a ValueError too, so callers catching ValueError keep working.
    with pytest.raises(mk.ValidationError) as info:
        lc.parse_timestamp(text)
    assert isinstance(info.value, ValueError)
    [(path, message)] = info.value.errors
    assert (path, message[: len(why)]) == ("", why)
    with pytest.raises(mk.ValidationError) as info:
        lc.format_timestamp("2026-04-17T14:32:00Z")  # type: ignore[arg-type]
    assert info.value.errors == [("", "expected a datetime, found a value of type str")]


def test_the_pack_is_registered_as_an_entry_point() -> None:
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="manifestkit.schemas") if e.name == "labcache"]
    assert ep.value == "manifestkit.schemas.labcache"
    assert ep.load() is lc
