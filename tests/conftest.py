"""Shared pytest configuration: Hypothesis profiles sized for CI.

Profiles (choose with HYPOTHESIS_PROFILE):
- ``ci`` (default): enough examples to find the usual bugs, small enough that
  the whole matrix of four Pythons stays well inside CI's time budget, and
  derandomized, so a run on a clean clone does what the same run did here;
- ``dev``: fewer examples, random, for quick local runs;
- ``thorough``: many more examples, random, opt-in for long local runs (the
  ``fuzz`` tox env). Random runs are where new failing examples come from:
  pin each one with ``@example``.
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
    derandomize=True,
)
settings.register_profile(
    "dev", parent=settings.get_profile("ci"), max_examples=20, derandomize=False
)
settings.register_profile(
    "thorough", parent=settings.get_profile("ci"), max_examples=2000, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Load the installed schema packs once, up front. Tests that swap the schema
# registry for a copy (or an empty one) must never be where a pack first
# registers, or its schemas and migrations would vanish with the copy.
from manifestkit._model import load_schema_plugins  # noqa: E402

load_schema_plugins()


# Tests declare schemas, migrations, formats and extensions of their own. Each
# test gets the registries as they were after collection and leaves them that
# way, so no test can see (or depend on) what another one registered.
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from manifestkit import _formats, _model, _versioning  # noqa: E402
from manifestkit.schemas import experiment  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_registries() -> Iterator[None]:
    schemas, formats, extensions = _model._SCHEMAS, _formats._FORMATS, experiment._EXTENSIONS
    migrations = _versioning._MIGRATIONS
    saved = (dict(schemas), dict(formats), dict(extensions))
    saved_migrations = {name: dict(steps) for name, steps in migrations.items()}
    yield
    for registry, before in zip((schemas, formats, extensions), saved, strict=True):
        registry.clear()
        registry.update(before)
    migrations.clear()
    migrations.update(saved_migrations)
