"""Strategies for the `experiment` schema pack."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from manifestkit.schemas import experiment as ex
from strategies import INT64, KEYS, TEXT, json_objects, json_values
from strategies.provenance import HEX, UTC_TIMES, git_states

SHA256 = st.text(HEX, min_size=64, max_size=64)


def no_nulls(value: Any) -> bool:
    """Whether plain data holds no null (TOML cannot write one)."""
    if value is None:
        return False
    if isinstance(value, list):
        return all(no_nulls(x) for x in value)
    if isinstance(value, dict):
        return all(no_nulls(x) for x in value.values())
    return True


def data_provenances() -> st.SearchStrategy[ex.SyntheticData | ex.ExternalData]:
    return st.builds(ex.SyntheticData, seed=INT64) | st.builds(
        ex.ExternalData, hashes=st.dictionaries(KEYS, SHA256, min_size=1, max_size=3)
    )


def manifests(
    free: st.SearchStrategy[dict[str, Any]] | None = None,
) -> st.SearchStrategy[ex.ExperimentManifest]:
    """Experiment manifests; ``free`` overrides the strategy of params and extension content."""
    objects = free if free is not None else json_objects(8)
    return st.builds(
        ex.ExperimentManifest,
        experiment_id=TEXT.filter(bool),
        timestamp_utc=UTC_TIMES,
        git=git_states(),
        env=st.builds(ex.Environment, python=TEXT, platform=TEXT),
        params=objects,
        data_provenance=data_provenances(),
        pytyche=st.dictionaries(KEYS, objects | json_values(4), max_size=3)
        if free is None
        else st.dictionaries(KEYS, objects, max_size=3),
    )


# Top-level keys a document may not carry: anything but the declared ones.
FOREIGN_KEYS = KEYS.filter(
    lambda k: (
        k
        not in {
            "manifest_schema_version",
            "experiment_id",
            "timestamp_utc",
            "git",
            "env",
            "params",
            "data_provenance",
            ex.EXTENSION_KEY,
        }
    )
)
