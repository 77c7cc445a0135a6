"""The table of readers every fuzzing suite runs over: one `Target` per document class.

`TARGETS` holds the core's test schemas and every schema pack's document
classes (mesokit, bundle, experiment, study, labcache, the demo). Each target
has sample manifests (golden files under tests/data/ where there are some) and
a strategy for more. The Hypothesis suite (tests/test_fuzz.py), the atheris
harness (tests/fuzz/) and the no-execution probe all read this table, so a
class added here is fuzzed, replayed and probed everywhere. A schema pack adds
its readers with one line each, for example::

    Target(AcquisitionManifest, read_samples(AcquisitionManifest, "mesokit/acq.json"),
           acquisitions()),

``weight`` scales a target's share of the examples in a run: the core's
test schemas, which exercise every kind of field, get the most; a pack's
classes, whose fields are of the same kinds, fewer, so the default profile
stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import manifestkit as mk
from manifestkit._demo import DemoSession
from manifestkit._demo import sample as demo_sample
from manifestkit.schemas import bundle, study
from manifestkit.schemas import experiment as ex
from manifestkit.schemas import labcache as lc
from manifestkit.schemas import mesokit as mks
from models import Cache, Inner, Kitchen, Open, Small

from . import caches, kitchens, smalls
from .bundle import bundle_manifests
from .experiment import manifests as experiment_manifests
from .labcache import creations, equipments, ingests, readme_fields, run_markers
from .mesokit import (
    acquisition_documents,
    analysis_documents,
    dataset_documents,
    processing_documents,
)
from .study import observations, provenance_metadata, run_budgets, seed_policies

DATA = Path(__file__).parent.parent / "data"


@dataclass(frozen=True, repr=False)
class Target:
    """One reader to fuzz: a manifest class and the manifests mutations start from."""

    cls: type
    samples: Sequence[Any]
    more: st.SearchStrategy[Any] | None = None
    formats: tuple[str, ...] = ("json", "toml")
    weight: float = 1.0

    @property
    def name(self) -> str:
        return mk.schema_info(self.cls).name or self.cls.__name__

    def __repr__(self) -> str:
        return f"Target({self.name})"

    def manifests(self) -> st.SearchStrategy[Any]:
        base: st.SearchStrategy[Any] = st.sampled_from(list(self.samples))
        return base | self.more if self.more is not None else base


def read_samples(cls: type, *paths: str) -> list[Any]:
    """Sample manifests read from golden files under tests/data/ (``"core/kitchen.json"``)."""
    return [mk.read(DATA / p, cls) for p in paths]


def _built(cls: type, documents: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    return documents.map(lambda doc: mk.from_dict(doc, cls))


WHEN = datetime(2026, 5, 14, 10, 30, tzinfo=timezone.utc)
HASH = "0123456789abcdef" * 4
PACK = 1 / 6
"""The weight of a schema pack's class: a sixth of a core test schema's examples."""

_TIME_BASIS = {"clock_source": "hardware_ttl", "epoch_unix_s": 1.5, "description": "TTL"}
_PRODUCER = {
    "device_id": "cam0",
    "device_type": "camera",
    "data_type": "frames",
    "file_type": "ome.tiff",
    "output_path": "func/cam0.ome.tiff",
    "metadata_path": "func/cam0.json",
    "sidecars": [{"path": "func/cam0.csv", "role": "timestamps"}],
    "time_basis": _TIME_BASIS,
}
_PROCESSING = [
    {"tool_name": "t", "tool_version": "1", "tool_invocation": "t run", "built_at": WHEN},
    {
        "schema_version": "1.1.0",
        "tool_name": "suite2p",
        "tool_version": "0.14",
        "tool_invocation": "suite2p --ops ops.npy",
        "built_at": WHEN,
        "upstream_acquisition_hash": HASH,
        "inputs": [{"path": "func/cam0.ome.tiff", "content_hash": HASH, "description": "raw"}],
        "parameters": {"tau": 1.25, "planes": [0, 1]},
        "outputs": [_PRODUCER],
    },
]
_DATASET = [
    {
        "datakit_version": "0.9",
        "built_at": WHEN,
        "data_file": "dataset.h5",
        "data_content_hash": HASH,
        "time_basis": _TIME_BASIS,
        "source_versions": [{"tag": "wheel", "version": "2", "parser_class": "Wheel"}],
        "index_levels": ["subject", "session"],
        "columns": [["wheel", "speed"], ["meso", "dff"]],
        "extra": {"rig": "B2"},
    },
]
_ANALYSIS = [
    {"name": "a", "version": "1"},
    {
        "name": "speed-tuning",
        "version": "2.1",
        "description": "tuning to running speed",
        "required_signals": [{"source": "wheel", "signal": "speed", "unit": "cm/s"}],
        "optional_signals": [{"source": "meso", "signal": "dff", "required": False}],
        "params": [{"name": "bins", "type": "int", "default": 10}],
    },
]
_STUDY_PROVENANCE = study.ProvenanceMetadata(
    captured_at=WHEN,
    host="rig-b2",
    platform="Linux-6.1-x86_64",
    python_version="3.12.4",
    package_versions={"numpy": "2.0.1", "scipy": "not-installed"},
    git_sha="a" * 40,
    extra={"study": "study-a", "runs": [1, 2]},
)
_OBSERVATION = study.Observation(
    timestamp="2026-05-14T10:00:00+00:00",
    record_id="r1",
    text="called the tool",
    session_id="s1",
    actor_id="agent",
    event_type="tool",
    meta_json={"args": ["a", 1], "ok": True},
    level=study.ObservationLevel.TOOL_CALL,
    run_id="run-1",
    tool_name="grep",
)

TARGETS: list[Target] = [
    # The core's test schemas: every kind of field, unions, preserved unknown fields.
    Target(Kitchen, read_samples(Kitchen, "core/kitchen.json"), kitchens()),
    Target(Small, [Small(title="t"), Small(title="T\u00e9\u00df", size=2**40)], smalls()),
    Target(
        Cache,
        [
            Cache(owner="o"),
            mk.from_dict(
                {
                    "owner": "o",
                    "future": {"deep": [1, {"x": None}]},
                    "entries": [{"name": "e", "items": [{"label": "l"}], "later": True}],
                    "meta": {"name": "m", "items": []},
                },
                Cache,
            ),
            Cache(owner="p", entries=[Open(name="n", items=[Inner(label="i", weight=0.5)])]),
        ],
        caches(),
    ),
    # mesokit: the four documents of a session's chain.
    Target(
        mks.AcquisitionManifest,
        read_samples(
            mks.AcquisitionManifest,
            "mesokit/acquisition.toml",
            "mesokit/tree/data/sub-001/ses-1/manifest.json",
            "mesokit/tree/data/sub-002/ses-1/manifest_task-runB.json",
        ),
        _built(mks.AcquisitionManifest, acquisition_documents()),
        weight=PACK,
    ),
    Target(
        mks.ProcessingManifest,
        [mk.from_dict(d, mks.ProcessingManifest) for d in _PROCESSING],
        _built(mks.ProcessingManifest, processing_documents()),
        weight=PACK,
    ),
    Target(
        mks.DatasetManifest,
        [mk.from_dict(d, mks.DatasetManifest) for d in _DATASET],
        _built(mks.DatasetManifest, dataset_documents()),
        weight=PACK,
    ),
    Target(
        mks.AnalysisDeclaration,
        [mk.from_dict(d, mks.AnalysisDeclaration) for d in _ANALYSIS],
        _built(mks.AnalysisDeclaration, analysis_documents()),
        weight=PACK,
    ),
    # bundle: a version 2 manifest and a version 1 one (migrated when read).
    Target(
        bundle.BundleManifest,
        read_samples(bundle.BundleManifest, "bundle/v2_full.json", "bundle/v1.json"),
        bundle_manifests(),
        weight=PACK,
    ),
    Target(
        ex.ExperimentManifest,
        read_samples(
            ex.ExperimentManifest,
            "experiment/synthetic.json",
            "experiment/external_with_extensions.json",
            "experiment/detached_head.json",
        ),
        experiment_manifests(),
        weight=PACK,
    ),
    # study: its one registered document and the blocks a study tool writes on their own.
    Target(study.ProvenanceMetadata, [_STUDY_PROVENANCE], provenance_metadata(), weight=PACK),
    Target(
        study.SeedPolicy,
        [study.SeedPolicy(), study.SeedPolicy(base_seed=-7, strategy="flat", per_run_offset=0)],
        seed_policies(),
        weight=PACK,
    ),
    Target(
        study.RunBudget,
        [study.RunBudget(), study.RunBudget(replicates=3, max_runs=10, fail_fast=True)],
        run_budgets(),
        weight=PACK,
    ),
    Target(study.Observation, [_OBSERVATION], observations(), weight=PACK),
    # labcache: the five cache files, older versions and a newer writer's fields among them.
    Target(
        lc.CreationJson,
        read_samples(
            lc.CreationJson,
            "labcache/creation.json",
            "labcache/creation_1_5.json",
            "labcache/creation_1_7.json",
            "labcache/creation_newer.json",
        ),
        creations(),
        weight=PACK,
    ),
    Target(
        lc.ReadmeFieldsJson,
        read_samples(lc.ReadmeFieldsJson, "labcache/readme_fields.json"),
        readme_fields(),
        weight=PACK,
    ),
    Target(
        lc.EquipmentJson,
        read_samples(lc.EquipmentJson, "labcache/equipment.json"),
        equipments(),
        weight=PACK,
    ),
    Target(
        lc.TestRunsJson,
        read_samples(lc.TestRunsJson, "labcache/test_runs.json"),
        run_markers(),
        weight=PACK,
    ),
    Target(
        lc.IngestJson, read_samples(lc.IngestJson, "labcache/ingest.json"), ingests(), weight=PACK
    ),
    Target(DemoSession, [demo_sample()], weight=PACK),
]
"""Every reader the fuzzing suites run over. Schema packs add one line each."""
