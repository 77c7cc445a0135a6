"""The labcache pack's "for all" rules, over generated cache files.

- Unknown keys injected at random depths survive read -> change -> write, their
  values byte for byte, everything else changed exactly as asked.
- Histories and single moves are accepted exactly when the issue's table allows them.
- What manifestkit writes, the wizard (its msgspec types) reads back unchanged, and
  the other way round.
"""

from __future__ import annotations

import copy
import itertools
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from labcache_wizard import WIZARD_TYPES
from manifestkit.schemas import labcache as lc
from strategies import TEXT
from strategies.labcache import (
    Injection,
    at_path,
    creations,
    entry_fields,
    equipments,
    full_entry_fields,
    ingests,
    missing_fields,
    override_lists,
    overrides,
    readme_fields,
    run_markers,
    state_walks,
    timestamps,
    with_unknown_keys,
)

S = lc.IngestState
# The legal moves, written out from the text.
CHAIN = ["staged", "receiving", "complete", "syncing", "sync_verified"]
LEGAL = {*itertools.pairwise(CHAIN), ("failed", "receiving")}
LEGAL |= {(s, "failed") for s in [*CHAIN[:-1], "failed"]}


def _round_trip(name: str, doc: dict[str, Any], change: Any, cls: type | None = None) -> Any:
    """Write ``doc`` as the wizard would, read it, apply ``change``, write it back; return plain data."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(orjson.dumps(doc))  # compact, as msgspec writes
        detected: Any = mk.read(path)
        typed = mk.read(path, type(detected))
        assert typed == detected
        if cls is not None:
            assert type(detected) is cls
        mk.write(change(detected), path)
        return orjson.loads(path.read_bytes())


def _assert_kept(written: Any, injected: list[Injection]) -> None:
    for path, key, value in injected:
        assert orjson.dumps(at_path(written, path)[key]) == orjson.dumps(value)


@st.composite
def creation_cases(draw: st.DrawFn) -> tuple[dict[str, Any], list[Injection]]:
    version = draw(st.sampled_from(["1.7", "1.8", "1.9"]))
    doc = mk.to_dict(draw(creations(version="1.7" if version == "1.7" else "1.8")))
    doc["schema_version"] = version
    return draw(with_unknown_keys(doc, lc.CreationJson))


@given(
    creation_cases(),
    st.sampled_from(["sync", "append", "revoke", "plugin", "nothing"]),
    overrides(),
)
def test_unknown_keys_survive_a_change_to_a_creation_file(
    case: tuple[dict[str, Any], list[Injection]], change: str, new: lc.OverrideEntry
) -> None:
    doc, injected = case
    expected = copy.deepcopy(doc)
    overrides_now = expected.setdefault("validation_overrides", [])
    ids = {e["id"] for e in overrides_now}
    revoked = {e["revokes"] for e in overrides_now if e["revoked"]}
    open_ids = sorted(e["id"] for e in overrides_now if not e["revoked"] and e["id"] not in revoked)

    def apply(c: lc.CreationJson) -> lc.CreationJson:
        if change == "sync":
            return mk.replace(c, sync_status=lc.SyncStatus.SYNCED)
        if change == "append" and new.id not in ids:
            return lc.append_override(c, new)
        if change == "revoke" and open_ids and new.id not in ids:
            return lc.revoke_override(
                c, open_ids[0], operator=new.operator, reason=new.reason,
                recorded_at=new.recorded_at, id=new.id,
            )  # fmt: skip
        if change == "plugin" and c.plugins_applied:
            last = mk.replace(c.plugins_applied[-1], status=lc.PluginStatus.FAILED)
            return mk.replace(c, plugins_applied=(*c.plugins_applied[:-1], last))
        return c

    if change == "sync":
        expected["sync_status"] = "synced"
    elif change == "append" and new.id not in ids:
        overrides_now.append(mk.to_dict(new))
    elif change == "revoke" and open_ids and new.id not in ids:
        overrides_now.append(
            {"id": new.id, "revokes": open_ids[0], "operator": new.operator,
             "recorded_at": new.recorded_at, "reason": new.reason, "revoked": True}
        )  # fmt: skip
    elif change == "plugin" and expected.get("plugins_applied"):
        expected["plugins_applied"][-1]["status"] = "failed"
    if not overrides_now:
        del expected["validation_overrides"]
    written = _round_trip("creation.json", doc, apply, lc.CreationJson)
    assert written == expected
    _assert_kept(written, injected)


@st.composite
def ingest_cases(draw: st.DrawFn) -> tuple[dict[str, Any], list[Injection], dict[str, Any] | None]:
    rec = draw(ingests())
    doc, injected = draw(with_unknown_keys(mk.to_dict(rec), lc.IngestJson))
    after = sorted(lc.INGEST_TRANSITIONS[rec.current_state], key=lambda s: s.value)
    entry = draw(full_entry_fields(draw(st.sampled_from(after)))) if after else None
    return doc, injected, entry


@given(ingest_cases())
def test_unknown_keys_survive_a_move_of_an_ingest_record(
    case: tuple[dict[str, Any], list[Injection], dict[str, Any] | None],
) -> None:
    doc, injected, entry = case
    expected = copy.deepcopy(doc)

    def apply(rec: lc.IngestJson) -> lc.IngestJson:
        if entry is None:
            return rec
        return lc.advance_ingest(rec, **entry)

    if entry is not None:
        expected["history"].append(entry)
        expected["current_state"] = entry["state"]
    written = _round_trip("ingest.json", doc, apply, lc.IngestJson)
    assert written == expected
    _assert_kept(written, injected)


@given(
    st.one_of(
        readme_fields().map(lambda d: ("readme_fields.json", d, "generated_at")),
        equipments().map(lambda d: ("equipment.json", d, "last_modified_at")),
        run_markers().map(lambda d: ("test_runs.json", d, "created_at")),
    ),
    timestamps(),
    st.data(),
)
def test_unknown_keys_survive_a_change_to_the_smaller_files(
    case: tuple[str, Any, str], when: str, data: st.DataObject
) -> None:
    name, typed, field = case
    doc, injected = data.draw(with_unknown_keys(mk.to_dict(typed), type(typed)))
    written = _round_trip(name, doc, lambda d: mk.replace(d, **{field: when}), type(typed))
    assert written == {**doc, field: when}
    _assert_kept(written, injected)


# ------------------------------------------------------------ state machine


def _expected_problems(states: list[str], entries: list[dict[str, Any]], current: str) -> list[str]:
    paths: list[str] = []
    for i, state in enumerate(states):
        if (i == 0 and state != "staged") or (i > 0 and (states[i - 1], state) not in LEGAL):
            paths.append(f"history[{i}].state")
        paths += [f"history[{i}].{f}" for f in missing_fields(entries[i])]
    if current != states[-1]:
        paths.append("current_state")
    return paths


@given(state_walks(), st.data())
def test_a_history_is_accepted_exactly_when_every_move_is_legal(
    walk: list[lc.IngestState], data: st.DataObject
) -> None:
    states = [s.value for s in walk]
    entries = [data.draw(entry_fields(s)) for s in walk]
    current = data.draw(st.sampled_from([states[-1], states[-1], *CHAIN, "failed"]))
    doc = {
        "schema_version": "1.1",
        "project_name": "P",
        "equipment_id": "E",
        "run_kind": "test",
        "run_path": "r",
        "transport": "local",
        "current_state": current,
        "history": entries,
    }
    expected = _expected_problems(states, entries, current)
    if expected:
        with pytest.raises(mk.ValidationError) as info:
            mk.from_dict(doc, lc.IngestJson)
        assert [p for p, _ in info.value.errors] == expected
    else:
        rec = mk.from_dict(doc, lc.IngestJson)
        assert mk.loads(orjson.dumps(doc), lc.IngestJson) == rec


@given(state_walks(), st.data())
def test_a_move_is_accepted_exactly_when_it_is_legal(
    walk: list[lc.IngestState], data: st.DataObject
) -> None:
    rec = mk.from_dict(
        {
            "project_name": "P",
            "equipment_id": "E",
            "run_kind": "experiment",
            "run_path": "r",
            "transport": "smb",
            "current_state": "staged",
            "history": [{"state": "staged", "at": "2026-01-01T00:00:00Z"}],
        },
        lc.IngestJson,
    )
    for state in walk:
        fields = data.draw(full_entry_fields(state))
        before = rec.current_state
        if (before.value, state.value) not in LEGAL:
            with pytest.raises(mk.ValidationError) as info:
                lc.advance_ingest(rec, **fields)
            assert f'"{before.value}" to "{state.value}"' in str(info.value)
            continue
        moved = lc.advance_ingest(rec, **fields)
        assert moved.history[:-1] == rec.history
        assert moved.current_state is state
        lc.check_append_only(rec, moved)
        rec = moved


# ---------------------------------------------------------------- overrides


@given(override_lists(), st.data())
def test_a_single_entry_is_read_as_the_list_reads_it(
    entries: tuple[lc.OverrideEntry | lc.TombstoneEntry, ...], data: st.DataObject
) -> None:
    for entry in entries:
        plain = mk.to_dict(entry)
        if data.draw(st.booleans()):
            del plain["revoked"]  # as files from before it was always written
        assert lc.parse_validation_override_entry(plain) == entry


@given(override_lists(), timestamps(), timestamps())
def test_active_overrides_only_shrink_with_time_and_never_include_revoked_ones(
    entries: tuple[lc.OverrideEntry | lc.TombstoneEntry, ...], first: str, second: str
) -> None:
    early, late = sorted([lc.parse_timestamp(first), lc.parse_timestamp(second)])
    at_early = lc.active_overrides(entries, early)
    at_late = lc.active_overrides(entries, late)
    assert all(e in at_early for e in at_late)
    assert all(e in entries for e in at_early)
    revoked = {e.revokes for e in entries if isinstance(e, lc.TombstoneEntry)}
    for e in entries:
        if isinstance(e, lc.OverrideEntry) and e.id not in revoked and e.expires_at is None:
            assert e in at_late


@given(creations(), TEXT)
def test_a_revoked_override_is_no_longer_active(doc: lc.CreationJson, who: str) -> None:
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    ids = {e.id for e in doc.validation_overrides}
    for entry in lc.active_overrides(doc, now):
        if f"{entry.id}-t" in ids:
            continue
        revoked = lc.revoke_override(doc, entry.id, operator=who, reason="r", id=f"{entry.id}-t")
        assert entry not in lc.active_overrides(revoked, now)
        assert len(lc.active_overrides(revoked, now)) == len(lc.active_overrides(doc, now)) - 1


# ------------------------------------------------------------- the oracle


@given(
    st.one_of(
        creations(),
        creations(version="1.7"),
        readme_fields(),
        equipments(),
        run_markers(),
        ingests(),
    )
)
def test_the_wizard_and_manifestkit_read_each_others_files_unchanged(doc: Any) -> None:
    cls = type(doc)
    wizard = WIZARD_TYPES[mk.schema_info(cls).name or ""]
    ours = mk.dumps(doc)
    theirs = msgspec.json.encode(msgspec.json.decode(ours, type=wizard))
    assert orjson.loads(theirs) == mk.to_dict(doc)
    assert mk.loads(theirs, cls) == doc
