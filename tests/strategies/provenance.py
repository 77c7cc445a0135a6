"""Strategies for the core's provenance blocks (`mk.GitState`, `mk.Interpreter`, `mk.Provenance`)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import strategies as st

import manifestkit as mk
from strategies import TEXT

HEX = "0123456789abcdef"
SHAS = st.text(HEX, min_size=40, max_size=40) | st.text(HEX, min_size=64, max_size=64)
BRANCHES = st.just("HEAD") | st.text(st.characters(codec="utf-8"), min_size=1, max_size=16)

# Whole-second and fractional UTC times; utc_now never gives anything else.
UTC_TIMES = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc)
)


def git_states() -> st.SearchStrategy[mk.GitState]:
    return st.builds(mk.GitState, sha=SHAS, dirty=st.booleans(), branch=BRANCHES)


def interpreters() -> st.SearchStrategy[mk.Interpreter]:
    return st.builds(mk.Interpreter, implementation=TEXT, version=TEXT, executable=TEXT)


def provenances() -> st.SearchStrategy[mk.Provenance]:
    return st.builds(
        mk.Provenance,
        captured_at=UTC_TIMES,
        host=TEXT,
        platform=TEXT,
        interpreter=interpreters(),
        packages=st.dictionaries(TEXT, st.just(mk.NOT_INSTALLED) | TEXT, max_size=3),
        git=st.none() | git_states(),
    )
