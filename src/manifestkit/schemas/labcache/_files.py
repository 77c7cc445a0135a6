"""The smaller cache files: ``readme_fields.json``, ``equipment.json``, ``test_runs.json``."""

from __future__ import annotations

from typing import Any

import manifestkit as mk

from ._enums import RunKind
from ._time import check_timestamp

__all__ = ["EquipmentJson", "ReadmeFieldsJson", "TestRunsJson"]


@mk.manifest(
    "labcache.readme_fields",
    version="1.1",
    unknown="preserve",
    filenames=("readme_fields.json",),
)
class ReadmeFieldsJson:
    """``readme_fields.json`` (schema 1.1): the fields a folder's README was filled with."""

    schema_version: str = mk.field(default="1.1", always=True)
    generated_at: str = mk.field(check=check_timestamp)
    core_fields: dict[str, str]
    system_fields: dict[str, Any]
    template_fields: dict[str, Any] = mk.field(factory=dict)
    config_fields: dict[str, Any] = mk.field(factory=dict)
    custom_fields: tuple[dict[str, str], ...] = ()


@mk.manifest(
    "labcache.equipment",
    version="1.0",
    unknown="preserve",
    filenames=("equipment.json",),
)
class EquipmentJson:
    """``equipment.json`` (schema 1.0): one piece of equipment's identity and roots."""

    schema_version: str = mk.field(default="1.0", always=True)
    id: str
    label: str
    configured_local_root: str
    configured_nas_root: str
    first_seen_at: str = mk.field(check=check_timestamp)
    last_modified_at: str = mk.field(check=check_timestamp)


@mk.manifest(
    "labcache.test_runs",
    version="1.0",
    unknown="preserve",
    filenames=("test_runs.json",),
)
class TestRunsJson:
    """``test_runs.json`` (schema 1.0): marks a folder as holding test runs."""

    __test__ = False  # not a pytest test class, despite its name

    schema_version: str = mk.field(default="1.0", always=True)
    created_at: str = mk.field(check=check_timestamp)
    project: str
    equipment: str
    run_kind: RunKind = RunKind.TEST
