"""Strategies for the `study` schema pack."""

from __future__ import annotations

from hypothesis import strategies as st

from manifestkit.schemas import study
from strategies import INT64, TEXT, json_objects
from strategies.provenance import HEX, UTC_TIMES

# Identifiers as studies use them, and any text at all (the legacy form escapes it).
IDS = st.text(st.characters(codec="utf-8"), max_size=24)
REPLICATES = st.integers(min_value=-(2**70), max_value=2**70)


def seed_policies() -> st.SearchStrategy[study.SeedPolicy]:
    return st.builds(study.SeedPolicy, base_seed=INT64, strategy=TEXT, per_run_offset=INT64)


def run_budgets() -> st.SearchStrategy[study.RunBudget]:
    at_least_one = st.integers(min_value=1, max_value=2**63 - 1)
    return st.builds(
        study.RunBudget,
        replicates=at_least_one,
        max_runs=st.none() | at_least_one,
        parallelism=at_least_one,
        fail_fast=st.booleans(),
    )


def provenance_metadata() -> st.SearchStrategy[study.ProvenanceMetadata]:
    return st.builds(
        study.ProvenanceMetadata,
        captured_at=UTC_TIMES.map(lambda t: t.replace(microsecond=0)),
        host=TEXT,
        platform=TEXT,
        python_version=TEXT,
        package_versions=st.dictionaries(TEXT, TEXT, max_size=3),
        git_sha=st.none() | st.text(HEX, min_size=40, max_size=40),
        extra=json_objects(6),
    )


OPTIONAL_IDS = st.none() | IDS


def observations() -> st.SearchStrategy[study.Observation]:
    return st.builds(
        study.Observation,
        timestamp=UTC_TIMES.map(lambda t: t.isoformat()),
        record_id=IDS,
        text=TEXT,
        session_id=IDS,
        actor_id=IDS,
        event_type=IDS,
        meta_json=json_objects(6),
        level=st.sampled_from(study.ObservationLevel),
        study_id=OPTIONAL_IDS,
        run_id=OPTIONAL_IDS,
        condition_id=OPTIONAL_IDS,
        trial_id=OPTIONAL_IDS,
        step_id=OPTIONAL_IDS,
        tool_name=OPTIONAL_IDS,
        evaluation_id=OPTIONAL_IDS,
    )
