"""Hypothesis strategies for the labcache pack: cache documents, unknown keys, ingest walks."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _model
from manifestkit._types import Kind, TypeNode
from manifestkit.schemas import labcache as lc
from strategies import KEYS, TEXT, json_objects, json_values

# ------------------------------------------------------------------ timestamps


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """Timestamps as the wizard and its users write them: Z, +00:00, other offsets, naive."""
    moment = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
    if draw(st.booleans()):
        moment = moment.replace(microsecond=0)
    form = draw(st.sampled_from(["Z", "+00:00", "offset", "naive"]))
    if form == "naive":
        return moment.isoformat()
    if form == "offset":
        minutes = draw(st.integers(-14 * 60, 14 * 60))
        return moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat()
    text = moment.replace(tzinfo=timezone.utc).isoformat()
    return text if form == "+00:00" else text.removesuffix("+00:00") + "Z"


COUNTS = st.integers(min_value=0, max_value=2**63 - 1)

# ------------------------------------------------------------------- creation


def lims_projects(*, v18: bool = True) -> st.SearchStrategy[lc.LimsProjectBlock]:
    """LIMS blocks; ``v18=False`` leaves out the two fields 1.8 added."""
    if not v18:
        return st.builds(lc.LimsProjectBlock, uid=TEXT, short_id=TEXT, name_at_creation=TEXT)
    return st.builds(
        lc.LimsProjectBlock,
        uid=TEXT,
        short_id=TEXT,
        name_at_creation=TEXT,
        source=st.sampled_from(lc.LIMSProjectSource),
        cache_freshness_at_use=st.none() | TEXT,
    )


def plugins() -> st.SearchStrategy[lc.PluginApplied]:
    isolation = st.builds(
        lc.PluginIsolation,
        duration_ms=COUNTS,
        exit_code=st.integers(-255, 255),
        peak_memory_mb=COUNTS,
    )
    return st.builds(
        lc.PluginApplied,
        plugin=TEXT,
        version=TEXT,
        files_affected=st.lists(TEXT, max_size=3).map(tuple),
        status=st.sampled_from(lc.PluginStatus),
        isolation=st.none() | isolation,
    )


def overrides() -> st.SearchStrategy[lc.OverrideEntry]:
    return st.builds(
        lc.OverrideEntry,
        id=TEXT,
        problem_class=TEXT,
        operator=TEXT,
        recorded_at=timestamps(),
        reason=TEXT,
        expires_at=st.none() | timestamps(),
    )


def tombstones(revokes: st.SearchStrategy[str] = TEXT) -> st.SearchStrategy[lc.TombstoneEntry]:
    return st.builds(
        lc.TombstoneEntry,
        id=TEXT,
        revokes=revokes,
        operator=TEXT,
        recorded_at=timestamps(),
        reason=TEXT,
    )


def override_lists() -> st.SearchStrategy[tuple[lc.OverrideEntry | lc.TombstoneEntry, ...]]:
    """Override lists: overrides and tombstones (most naming one of them), unique ids, any order."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[lc.OverrideEntry | lc.TombstoneEntry, ...]:
        ovs = draw(st.lists(overrides(), max_size=4, unique_by=lambda e: e.id))
        targets = st.sampled_from([o.id for o in ovs]) | TEXT if ovs else TEXT
        ts = draw(st.lists(tombstones(targets), max_size=3))
        by_id: dict[str, lc.OverrideEntry | lc.TombstoneEntry] = {}
        pool: list[lc.OverrideEntry | lc.TombstoneEntry] = [*ovs, *ts]
        for entry in pool:
            by_id.setdefault(entry.id, entry)  # ids are unique in a list
        return tuple(draw(st.permutations(list(by_id.values()))))

    return build()


def creations(*, version: str = "1.8") -> st.SearchStrategy[lc.CreationJson]:
    """Creation documents of a given version (1.7 documents have no 1.8 fields)."""
    return st.builds(
        lc.CreationJson,
        schema_version=st.just(version),
        created_at=timestamps(),
        created_by=TEXT,
        level=st.sampled_from(lc.CreationLevel),
        run_kind=st.sampled_from(lc.RunKind),
        lims_project=lims_projects(v18=version != "1.7"),
        template=st.builds(
            lc.TemplateBlock,
            name=TEXT,
            version=TEXT,
            source_path=TEXT,
            run_scope=st.none() | st.sampled_from(lc.RunScope),
        ),
        variables=json_objects(10),
        paths=st.builds(lc.PathsBlock, local=TEXT, nas=TEXT),
        plugins_applied=st.lists(plugins(), max_size=2).map(tuple),
        orchestrator=st.none()
        | st.builds(lc.OrchestratorBlock, enabled=st.booleans(), host=TEXT, label=TEXT),
        sync_status=st.sampled_from(lc.SyncStatus),
        validation_overrides=override_lists(),
    )


# ------------------------------------------------------------ the other files


def readme_fields() -> st.SearchStrategy[lc.ReadmeFieldsJson]:
    return st.builds(
        lc.ReadmeFieldsJson,
        generated_at=timestamps(),
        core_fields=st.dictionaries(KEYS, TEXT, max_size=3),
        system_fields=json_objects(6),
        template_fields=json_objects(6),
        config_fields=json_objects(6),
        custom_fields=st.lists(st.dictionaries(KEYS, TEXT, max_size=2), max_size=2).map(tuple),
    )


def equipments() -> st.SearchStrategy[lc.EquipmentJson]:
    return st.builds(
        lc.EquipmentJson,
        id=TEXT,
        label=TEXT,
        configured_local_root=TEXT,
        configured_nas_root=TEXT,
        first_seen_at=timestamps(),
        last_modified_at=timestamps(),
    )


def run_markers() -> st.SearchStrategy[lc.TestRunsJson]:
    return st.builds(
        lc.TestRunsJson,
        created_at=timestamps(),
        project=TEXT,
        equipment=TEXT,
        run_kind=st.sampled_from(lc.RunKind),
    )


# --------------------------------------------------------------------- ingest

STATES = st.sampled_from(lc.IngestState)


@st.composite
def state_walks(draw: st.DrawFn, max_size: int = 8) -> list[lc.IngestState]:
    """Sequences of states; most steps legal, some not, so both outcomes are common."""
    walk = [draw(st.sampled_from([lc.IngestState.STAGED, lc.IngestState.STAGED, *lc.IngestState]))]
    for _ in range(draw(st.integers(0, max_size - 1))):
        legal = sorted(lc.INGEST_TRANSITIONS[walk[-1]], key=lambda s: s.value)
        if legal and draw(st.integers(0, 9)) < 8:
            walk.append(draw(st.sampled_from(legal)))
        else:
            walk.append(draw(STATES))
    return walk


def entry_fields(state: lc.IngestState) -> st.SearchStrategy[dict[str, Any]]:
    """The fields a history entry for ``state`` carries as plain data; required ones may be missing."""
    base = st.fixed_dictionaries(
        {"state": st.just(state.value), "at": timestamps()},
        optional={"host": TEXT},
    )
    extra: dict[str, st.SearchStrategy[Any]] = {}
    if state is lc.IngestState.COMPLETE:
        extra = {"files_received": COUNTS, "bytes_received": COUNTS}
    elif state is lc.IngestState.SYNC_VERIFIED:
        extra = {"nas_path": TEXT, "checksum_file": TEXT}
    return st.tuples(base, st.fixed_dictionaries({}, optional=extra)).map(
        lambda p: {**p[0], **p[1]}
    )


def full_entry_fields(state: lc.IngestState) -> st.SearchStrategy[dict[str, Any]]:
    """Entry fields with every field the state requires present."""
    return entry_fields(state).filter(lambda d: not missing_fields(d))


def missing_fields(entry: dict[str, Any]) -> list[str]:
    required = {
        "complete": ["files_received", "bytes_received"],
        "sync_verified": ["nas_path", "checksum_file"],
    }
    return [f for f in required.get(entry["state"], []) if f not in entry]


def ingest_header() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "schema_version": st.just("1.1"),
            "project_name": TEXT,
            "equipment_id": TEXT,
            "run_kind": st.sampled_from([k.value for k in lc.RunKind]),
            "run_path": TEXT,
            "transport": st.sampled_from([t.value for t in lc.OrchestratorTransportType]),
        }
    )


@st.composite
def ingests(draw: st.DrawFn) -> lc.IngestJson:
    """Valid ingest records: a legal walk from staged, every required entry field present."""
    walk = [lc.IngestState.STAGED]
    for _ in range(draw(st.integers(0, 6))):
        legal = sorted(lc.INGEST_TRANSITIONS[walk[-1]], key=lambda s: s.value)
        if not legal:
            break
        walk.append(draw(st.sampled_from(legal)))
    doc = draw(ingest_header())
    doc["history"] = [draw(full_entry_fields(s)) for s in walk]
    doc["current_state"] = walk[-1].value
    return mk.from_dict(doc, lc.IngestJson)


# -------------------------------------------------------------- unknown keys

Path = tuple[str | int, ...]


def preserving_objects(data: Any, cls: type) -> Iterator[tuple[Path, frozenset[str]]]:
    """Every object in a document that a preserving class reads, with the keys it knows."""
    yield from _class_objects(data, cls, ())


def _class_objects(data: Any, cls: type, path: Path) -> Iterator[tuple[Path, frozenset[str]]]:
    plan = _model.get_plan(cls)
    if plan.info.unknown == "preserve":
        yield path, plan.keys
    for f in plan.fields:
        if f.key in data:
            yield from _node_objects(data[f.key], f.node, (*path, f.key))


def _node_objects(v: Any, node: TypeNode, path: Path) -> Iterator[tuple[Path, frozenset[str]]]:
    if node.kind is Kind.CLASS:
        yield from _class_objects(v, node.target, path)
    elif node.kind is Kind.OPTIONAL and v is not None:
        yield from _node_objects(v, node.args[0], path)
    elif node.kind in (Kind.LIST, Kind.VARTUPLE):
        for i, x in enumerate(v):
            yield from _node_objects(x, node.args[0], (*path, i))
    elif node.kind is Kind.UNION and node.tag is not None:
        tag = v[node.tag] if node.tag in v else node.missing_tag(v)  # type: ignore[misc]
        yield from _node_objects(v, node.tags[tag], path)


def at_path(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


Injection = tuple[Path, str, Any]

# Keys that would change how an entry is read rather than ride along with it.
_NOT_UNKNOWN = frozenset({"revoked", "revokes"})


def _not_in(taken: AbstractSet[str]) -> Callable[[str], bool]:
    return lambda k: k not in taken


@st.composite
def with_unknown_keys(
    draw: st.DrawFn, doc: dict[str, Any], cls: type
) -> tuple[dict[str, Any], list[Injection]]:
    """``doc`` with random unknown keys added to random preserving objects, at any depth."""
    doc = copy.deepcopy(doc)
    places = list(preserving_objects(doc, cls))
    injected: list[Injection] = []
    for _ in range(draw(st.integers(1, 6))):
        path, known = draw(st.sampled_from(places))
        target = at_path(doc, path)
        taken = known | _NOT_UNKNOWN | set(target)
        key = draw(KEYS.filter(_not_in(taken)))
        value = draw(json_values(8))
        target[key] = value
        injected.append((path, key, value))
    return doc, injected
