"""Shared pytest configuration: Hypothesis profiles sized for CI.

Profiles (choose with HYPOTHESIS_PROFILE):
- ``ci`` (default): enough examples to find the usual bugs, small enough that
  the whole matrix of four Pythons stays well inside CI's time budget;
- ``dev``: fewer examples, for quick local runs;
- ``thorough``: many more examples, opt-in for long local runs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("dev", parent=settings.get_profile("ci"), max_examples=20)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Load the installed schema packs once, up front. Tests that swap the schema
# registry for a copy (or an empty one) must never be where a pack first
# registers, or its schemas and migrations would vanish with the copy.
from manifestkit._model import load_schema_plugins  # noqa: E402

load_schema_plugins()
