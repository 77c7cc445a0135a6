"""The labcache pack's own rules: override entries, the ingest state machine, append-only lists."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

import manifestkit as mk
from manifestkit.schemas import labcache as lc

DATA = Path(__file__).parent / "data" / "labcache"
S = lc.IngestState


def _creation() -> lc.CreationJson:
    return mk.read(DATA / "creation.json", lc.CreationJson)


def _override(id: str, expires_at: str | None = None) -> lc.OverrideEntry:  # noqa: A002
    return lc.OverrideEntry(
        id=id,
        problem_class="orphan",
        operator="ana",
        recorded_at="2026-05-01T09:00:00Z",
        reason="known",
        expires_at=expires_at,
    )


# ------------------------------------------------------------ override entries


ENTRY = {"id": "e1", "operator": "ana", "recorded_at": "2026-05-01T09:00:00Z", "reason": "r"}


@pytest.mark.parametrize(
    ("entry", "shape"),
    [
        ({**ENTRY, "problem_class": "orphan", "revoked": False}, lc.OverrideEntry),
        ({**ENTRY, "revokes": "o1", "revoked": True}, lc.TombstoneEntry),
        ({**ENTRY, "problem_class": "orphan"}, lc.OverrideEntry),
        ({**ENTRY, "revokes": "o1"}, lc.TombstoneEntry),
    ],
    ids=["revoked false", "revoked true", "old override", "old tombstone"],
)
def test_the_entry_shape_is_picked_by_revoked_then_by_revokes(
    entry: dict[str, Any], shape: type
) -> None:
    parsed = lc.parse_validation_override_entry(entry)
    assert type(parsed) is shape
    doc = {**orjson.loads((DATA / "creation.json").read_bytes()), "validation_overrides": [entry]}
    assert mk.from_dict(doc, lc.CreationJson).validation_overrides == (parsed,)
    # `revoked` is always written, even where it equals its default.
    assert mk.to_dict(parsed) == {**entry, "revoked": shape is lc.TombstoneEntry}


@pytest.mark.parametrize(
    ("entry", "errors"),
    [
        (
            {**ENTRY, "problem_class": "orphan", "revoked": False, "revokes": "o1"},
            [("revokes", "an override (revoked false) cannot revoke an entry; a tombstone can")],
        ),
        (
            {**ENTRY, "problem_class": "orphan", "revoked": 0},
            [("revoked", "expected one of false, true, found an integer (0)")],
        ),
        (
            {**ENTRY, "revoked": True},
            [("revokes", "required field is missing")],
        ),
        (
            {**ENTRY, "problem_class": "orphan", "expires_at": 5},
            [("expires_at", "expected a string, found an integer (5)")],
        ),
        (["not", "an", "entry"], [("", "expected an object, found an array")]),
    ],
    ids=["contradiction", "not a boolean", "tombstone without target", "bad expiry", "array"],
)
def test_entries_that_fit_neither_shape_are_refused_with_paths_inside_the_entry(
    entry: Any, errors: list[tuple[str, str]]
) -> None:
    with pytest.raises(mk.ValidationError) as info:
        lc.parse_validation_override_entry(entry)
    assert info.value.errors == errors
    assert str(info.value).startswith("invalid validation override entry: ")


def test_append_revoke_and_list_the_active_overrides() -> None:
    doc = _creation()
    at = datetime(2026, 4, 25, tzinfo=timezone.utc)
    # In the golden file the first override is revoked by the tombstone.
    assert [e.id for e in lc.active_overrides(doc, at)] == ["c41f7d09-2b6e-4a8c-b5d1-93e0f6a27c4b"]
    doc = lc.append_override(doc, _override("ov-new", expires_at="2026-05-01T00:00:00Z"))
    assert [e.id for e in lc.active_overrides(doc, at)][-1] == "ov-new"
    doc = lc.revoke_override(
        doc,
        "c41f7d09-2b6e-4a8c-b5d1-93e0f6a27c4b",
        operator="jlee",
        reason="fixed",
        recorded_at="2026-04-26T00:00:00Z",
        id="ts-2",
    )
    assert [e.id for e in lc.active_overrides(doc, at)] == ["ov-new"]
    assert mk.to_dict(doc)["validation_overrides"][-1] == {
        "id": "ts-2",
        "revokes": "c41f7d09-2b6e-4a8c-b5d1-93e0f6a27c4b",
        "operator": "jlee",
        "recorded_at": "2026-04-26T00:00:00Z",
        "reason": "fixed",
        "revoked": True,
    }
    assert len(doc.validation_overrides) == 5


def test_an_override_lapses_at_its_expiry_not_before() -> None:
    entries = [_override("a", "2026-05-01T12:00:00+02:00"), _override("b")]

    def active(at: datetime) -> list[str]:
        return [e.id for e in lc.active_overrides(entries, at)]

    assert active(datetime(2026, 5, 1, 9, 59, 59, tzinfo=timezone.utc)) == ["a", "b"]
    assert active(datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)) == ["b"]
    # A naive moment is UTC, like a timestamp without an offset.
    assert active(datetime(2026, 5, 1, 9, 59)) == ["a", "b"]
    assert active(datetime(2026, 5, 1, 10, 1)) == ["b"]
    # Without a moment: now.
    past, future = (
        _override("past", "2001-01-01T00:00:00Z"),
        _override("future", "2999-01-01T00:00:00Z"),
    )
    assert [e.id for e in lc.active_overrides([past, future, entries[1]])] == ["future", "b"]


def test_a_tombstone_for_an_id_not_in_the_list_changes_nothing() -> None:
    orphan = lc.TombstoneEntry(
        id="t", revokes="gone", operator="a", recorded_at="2026-05-01T09:00:00Z", reason="r"
    )
    assert lc.active_overrides([_override("a"), orphan]) == (_override("a"),)


def test_revoking_or_appending_what_would_make_the_list_ambiguous_is_refused() -> None:
    doc = _creation()
    revoked_id = "5b0e3c2a-8f1d-4e57-9a63-0c2d4b1e7f90"
    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: lc.revoke_override(doc, revoked_id, operator="a", reason="r"),
            (
                "cannot revoke the override: validation_overrides: the override "
                '"5b0e3c2a-8f1d-4e57-9a63-0c2d4b1e7f90" is already revoked by the tombstone '
                '"e7a2b913-6c40-4f15-8d2e-1a9b3c5d7e08"'
            ),
        ),
        (
            lambda: lc.revoke_override(doc, "nope", operator="a", reason="r"),
            'cannot revoke the override: validation_overrides: no override has the id "nope"',
        ),
        (
            # A tombstone is not an override: it cannot be revoked.
            lambda: lc.revoke_override(
                doc, "e7a2b913-6c40-4f15-8d2e-1a9b3c5d7e08", operator="a", reason="r"
            ),
            (
                "cannot revoke the override: validation_overrides: no override has the id "
                '"e7a2b913-6c40-4f15-8d2e-1a9b3c5d7e08"'
            ),
        ),
        (
            lambda: lc.revoke_override(
                doc,
                "c41f7d09-2b6e-4a8c-b5d1-93e0f6a27c4b",
                operator="a",
                reason="r",
                id=revoked_id,
            ),
            (
                "cannot revoke the override: validation_overrides: an entry with the id "
                '"5b0e3c2a-8f1d-4e57-9a63-0c2d4b1e7f90" is already in the list'
            ),
        ),
        (
            lambda: lc.append_override(doc, _override(revoked_id)),
            (
                "cannot append the override: validation_overrides: an entry with the id "
                '"5b0e3c2a-8f1d-4e57-9a63-0c2d4b1e7f90" is already in the list'
            ),
        ),
    ]
    for action, message in cases:
        with pytest.raises(mk.ValidationError) as info:
            action()
        assert str(info.value) == message


def test_a_revocation_gets_a_fresh_id_and_the_current_time_by_default() -> None:
    doc = lc.revoke_override(
        _creation(), "c41f7d09-2b6e-4a8c-b5d1-93e0f6a27c4b", operator="a", reason="r"
    )
    tombstone = doc.validation_overrides[-1]
    assert isinstance(tombstone, lc.TombstoneEntry)
    assert len(tombstone.id) == 36
    assert tombstone.id.count("-") == 4
    moment = lc.parse_timestamp(tombstone.recorded_at)
    assert abs((moment - datetime.now(timezone.utc)).total_seconds()) < 3600


# ------------------------------------------------------------------- ingest


def _ingest() -> lc.IngestJson:
    return lc.IngestJson(
        project_name="P412",
        equipment_id="EQ-2P-01",
        run_kind=lc.RunKind.EXPERIMENT,
        run_path="staging/P412/run-0004",
        transport=lc.OrchestratorTransportType.RSYNC,
        current_state=S.STAGED,
        history=(lc.IngestHistoryEntry(state=S.STAGED, at="2026-04-17T15:00:00Z"),),
    )


def test_the_transition_table_is_exactly_the_one_specified() -> None:
    chain = [S.STAGED, S.RECEIVING, S.COMPLETE, S.SYNCING, S.SYNC_VERIFIED]
    legal = set(itertools.pairwise(chain))
    legal |= {(s, S.FAILED) for s in S if s is not S.SYNC_VERIFIED}
    legal.add((S.FAILED, S.RECEIVING))
    assert {(a, b) for a in S for b in S if lc.is_legal_transition(a, b)} == legal
    assert {(a, b) for a, after in lc.INGEST_TRANSITIONS.items() for b in after} == legal


def test_a_run_walks_from_staging_to_verified_with_a_retry() -> None:
    rec = _ingest()
    rec = lc.advance_ingest(rec, S.RECEIVING, at="2026-04-17T15:00:05Z", host="orch-01")
    rec = lc.advance_ingest(rec, "failed", at=datetime(2026, 4, 17, 15, 20, tzinfo=timezone.utc))
    rec = lc.advance_ingest(rec, S.RECEIVING)
    rec = lc.advance_ingest(rec, S.COMPLETE, files_received=12, bytes_received=4096)
    rec = lc.advance_ingest(rec, S.SYNCING)
    rec = lc.advance_ingest(rec, S.SYNC_VERIFIED, nas_path="//nas/run", checksum_file="sums")
    assert rec.current_state is S.SYNC_VERIFIED
    assert [e.state for e in rec.history] == [
        S.STAGED,
        S.RECEIVING,
        S.FAILED,
        S.RECEIVING,
        S.COMPLETE,
        S.SYNCING,
        S.SYNC_VERIFIED,
    ]
    assert rec.history[2].at == "2026-04-17T15:20:00Z"
    assert rec.history[1].host == "orch-01"
    assert mk.from_dict(mk.to_dict(rec), lc.IngestJson) == rec


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            [(S.COMPLETE, {"files_received": 1, "bytes_received": 1})],
            (
                'invalid IngestJson: history[1].state: cannot go from "staged" to "complete"; '
                'after "staged" comes "receiving" or "failed"'
            ),
        ),
        (
            [(S.RECEIVING, {}), (S.COMPLETE, {"files_received": 1})],
            (
                "invalid IngestJson: history[2].bytes_received: required when the state goes "
                'from "receiving" to "complete"'
            ),
        ),
        (
            [(S.RECEIVING, {}), (S.STAGED, {})],
            (
                'invalid IngestJson: history[2].state: cannot go from "receiving" to "staged"; '
                'after "receiving" comes "complete" or "failed"'
            ),
        ),
        (
            [
                (S.RECEIVING, {}),
                (S.COMPLETE, {"files_received": 1, "bytes_received": 1}),
                (S.SYNCING, {}),
                (S.SYNC_VERIFIED, {"nas_path": "n", "checksum_file": "c"}),
                (S.FAILED, {}),
            ],
            (
                'invalid IngestJson: history[5].state: cannot go from "sync_verified" to "failed"; '
                'nothing follows "sync_verified"'
            ),
        ),
    ],
    ids=["skipping", "missing field", "backwards", "after the end"],
)
def test_an_illegal_move_names_both_states_and_leaves_the_record_as_it_was(
    steps: list[tuple[lc.IngestState, dict[str, Any]]], message: str
) -> None:
    rec = _ingest()
    *legal, (last, fields) = steps
    for state, given in legal:
        rec = lc.advance_ingest(rec, state, **given)
    before = mk.to_dict(rec)
    with pytest.raises(mk.ValidationError) as info:
        lc.advance_ingest(rec, last, **fields)
    assert str(info.value) == message
    assert mk.to_dict(rec) == before


def test_a_history_that_starts_anywhere_but_staged_is_refused() -> None:
    plain = mk.to_dict(_ingest())
    plain["history"] = [{"state": "complete", "at": "2026-04-17T15:00:00Z"}]
    plain["current_state"] = "complete"
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict(plain, lc.IngestJson)
    assert info.value.errors == [
        ("history[0].state", 'the first entry must be "staged", found "complete"'),
        ("history[0].files_received", 'required in a "complete" entry'),
        ("history[0].bytes_received", 'required in a "complete" entry'),
    ]


def test_failed_may_be_recorded_again_before_a_retry() -> None:
    # "any state but sync_verified -> failed" includes failed itself.
    rec = lc.advance_ingest(lc.advance_ingest(_ingest(), S.FAILED), S.FAILED)
    assert [e.state for e in rec.history] == [S.STAGED, S.FAILED, S.FAILED]


def test_a_record_whose_state_disagrees_with_its_history_cannot_be_built() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.replace(_ingest(), current_state=S.RECEIVING)
    assert info.value.errors == [
        (
            "current_state",
            'expected "staged", the state of the last history entry, found "receiving"',
        )
    ]


# ------------------------------------------------------------- append-only


def test_append_only_lists_accept_appends_and_refuse_edits() -> None:
    before = _creation()
    after = lc.append_override(before, _override("x"))
    lc.check_append_only(before, after)
    lc.check_append_only(before, before)
    edited = mk.replace(
        after,
        validation_overrides=(_override("y"), *after.validation_overrides[1:3]),
    )
    with pytest.raises(mk.ValidationError) as info:
        lc.check_append_only(after, edited)
    assert str(info.value) == (
        "validation_overrides is append-only with 2 problems:\n"
        "  validation_overrides[0]: differs from the entry it replaces; entries are only ever appended\n"
        "  validation_overrides: has 3 entries, fewer than the 4 it had; entries are only ever appended"
    )
    rec = lc.advance_ingest(_ingest(), S.RECEIVING)
    lc.check_append_only(_ingest(), rec)
    with pytest.raises(mk.ValidationError) as info:
        lc.check_append_only(rec, _ingest())
    assert info.value.errors == [
        ("history", "has 1 entries, fewer than the 2 it had; entries are only ever appended")
    ]


def test_an_unknown_field_added_to_an_old_entry_is_an_edit() -> None:
    before = _creation()
    first = before.validation_overrides[0]
    plain = {**mk.to_dict(first), "note": "added later"}
    changed = mk.replace(
        before,
        validation_overrides=(
            lc.parse_validation_override_entry(plain),
            *before.validation_overrides[1:],
        ),
    )
    with pytest.raises(mk.ValidationError) as info:
        lc.check_append_only(before, changed)
    assert [p for p, _ in info.value.errors] == ["validation_overrides[0]"]


def test_append_only_compares_two_documents_of_one_kind() -> None:
    with pytest.raises(mk.ValidationError) as info:
        lc.check_append_only(_creation(), _ingest())
    assert str(info.value) == (
        "cannot compare the documents: (document): expected two CreationJson or two IngestJson documents"
    )


def test_active_overrides_names_what_is_not_an_entry() -> None:
    with pytest.raises(mk.ValidationError) as info:
        lc.active_overrides([1, "x"], at="2026-01-01")  # type: ignore[list-item,arg-type]
    assert info.value.errors == [
        ("entries[0]", "expected an override or a tombstone, found a value of type int"),
        ("entries[1]", "expected an override or a tombstone, found a value of type str"),
        ("at", "expected a datetime, found a value of type str"),
    ]
    with pytest.raises(mk.ValidationError) as info:
        lc.active_overrides(5)  # type: ignore[arg-type]
    assert info.value.errors == [
        ("entries[0]", "expected an override or a tombstone, found a value of type int")
    ]
    assert lc.active_overrides([]) == ()
