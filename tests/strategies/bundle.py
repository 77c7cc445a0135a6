"""Strategies for the bundle pack: legal manifests, file trees with awkward names."""

from __future__ import annotations

import os
from typing import Any, get_args

from hypothesis import strategies as st

from manifestkit.schemas.bundle import (
    BUNDLE_STATUSES,
    RUN_STATUSES,
    BundleManifest,
    BundleStatus,
    Camera,
    ChannelSamples,
    DataShape,
    DeviceRecords,
    DomainProfile,
    Integrity,
    IntegrityStatus,
    Lockfile,
    Operator,
    PlatformInfo,
    Plugin,
    Procedure,
    PythonInfo,
    Recording,
    RunStatus,
    Sample,
    SinkHealth,
    SoftwareInfo,
)
from strategies import FLOATS_FOR_FIELDS, TEXT, json_objects, rfc3339_datetimes

NAMES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12)
COUNTS = st.integers(min_value=0, max_value=2**63 - 1)
OPTIONAL_TEXT = st.none() | TEXT
REL_PATHS = st.from_regex(r"[a-z0-9_]{1,8}(/[a-z0-9_.]{1,8}){0,2}", fullmatch=True)


def status_pairs() -> st.SearchStrategy[tuple[RunStatus, BundleStatus]]:
    """Legal (run_status, bundle_status) pairs: a running run only has an open bundle."""
    return st.sampled_from(RUN_STATUSES).flatmap(
        lambda run: st.tuples(
            st.just(run), st.just("open") if run == "running" else st.sampled_from(BUNDLE_STATUSES)
        )
    )


def cameras() -> st.SearchStrategy[Camera]:
    return st.builds(
        Camera,
        name=NAMES,
        adapter=NAMES,
        kind=st.sampled_from(["visible", "infrared"]),
        model=OPTIONAL_TEXT,
        serial=OPTIONAL_TEXT,
        output_path=REL_PATHS,
        output_path_external=OPTIONAL_TEXT,
        frames_path=st.none() | REL_PATHS,
        meta_path=st.none() | REL_PATHS,
        frame_count=COUNTS,
        started_mono_ns_offset=st.none() | st.integers(-(2**63), 2**63 - 1),
        on_failure=st.sampled_from(["warn", "abort_run", "safe_shutdown"]),
        healthy=st.booleans(),
        error=OPTIONAL_TEXT,
        recorded=st.just(True),
    ) | st.builds(
        Camera,
        name=NAMES,
        adapter=NAMES,
        kind=st.just("visible"),
        output_path=REL_PATHS,
        recorded=st.just(False),
        suppressed_reason=st.just("recording_policy"),
    )


def recordings() -> st.SearchStrategy[Recording]:
    return st.builds(
        Recording,
        policy=st.sampled_from(["procedure_default", "record_all"]),
        source=st.sampled_from(["procedure_default", "operator_override"]),
        channel_mode=st.just("all"),
        camera_mode=st.sampled_from(["all", "none"]),
        recorded_cameras=st.lists(NAMES, max_size=2).map(tuple),
    ) | st.builds(
        Recording,
        channel_mode=st.just("only"),
        recorded_channels=st.lists(NAMES, max_size=3).map(tuple),
    )


def integrities() -> st.SearchStrategy[Integrity]:
    return st.builds(
        Integrity,
        status=st.sampled_from(get_args(IntegrityStatus)),
        file_count=st.none() | COUNTS,
        total_bytes=st.none() | COUNTS,
        sealed_utc=st.none() | rfc3339_datetimes(),
    )


def sink_health() -> st.SearchStrategy[SinkHealth]:
    return st.builds(
        SinkHealth,
        depth_p50=FLOATS_FOR_FIELDS,
        depth_p99=FLOATS_FOR_FIELDS,
        depth_max=FLOATS_FOR_FIELDS,
        lag_s_max=FLOATS_FOR_FIELDS,
        write_bytes_total=COUNTS,
    )


@st.composite
def bundle_manifests(
    draw: st.DrawFn, free: st.SearchStrategy[dict[str, Any]] | None = None
) -> BundleManifest:
    """Legal bundle manifests with every block; ``free`` overrides the free-form values."""
    run_status, bundle_status = draw(status_pairs())
    free_form = free if free is not None else json_objects()
    return BundleManifest(
        run_id=draw(NAMES),
        started_utc=draw(rfc3339_datetimes()),
        ended_utc=draw(st.none() | rfc3339_datetimes()),
        started_mono_ns_anchor=draw(st.integers(-(2**63), 2**63 - 1)),
        run_status=run_status,
        bundle_status=bundle_status,
        exit_reason=draw(OPTIONAL_TEXT),
        operator=draw(st.builds(Operator, name=OPTIONAL_TEXT)),
        sample=draw(st.builds(Sample, id=OPTIONAL_TEXT)),
        procedure=draw(st.none() | st.builds(Procedure, id=NAMES, version=NAMES)),
        domain_profile=draw(
            st.none()
            | st.builds(DomainProfile, id=NAMES, version=OPTIONAL_TEXT, short_id=OPTIONAL_TEXT)
        ),
        tags=tuple(draw(st.lists(TEXT, max_size=3))),
        software=draw(
            st.none()
            | st.builds(
                SoftwareInfo,
                version=NAMES,
                git_sha=OPTIONAL_TEXT,
                git_dirty=st.none() | st.booleans(),
                build_time=st.none() | rfc3339_datetimes(),
                engine_version=OPTIONAL_TEXT,
            )
        ),
        python=draw(
            st.none() | st.builds(PythonInfo, version=NAMES, implementation=NAMES, executable=TEXT)
        ),
        platform=draw(
            st.builds(
                PlatformInfo, system=OPTIONAL_TEXT, release=OPTIONAL_TEXT, machine=OPTIONAL_TEXT
            )
        ),
        lockfile=draw(st.builds(Lockfile, path=OPTIONAL_TEXT, sha256=OPTIONAL_TEXT)),
        plugins=tuple(
            draw(
                st.lists(
                    st.builds(
                        Plugin,
                        id=NAMES,
                        version=NAMES,
                        package=NAMES,
                        entry_point=NAMES,
                        distribution_hash=OPTIONAL_TEXT,
                    ),
                    max_size=2,
                )
            )
        ),
        data_shape=draw(
            st.builds(
                DataShape,
                channel_samples=st.none()
                | st.builds(
                    ChannelSamples,
                    path=REL_PATHS,
                    layout=st.sampled_from(["normalized_long", "block"]),
                ),
                device_records=st.lists(
                    st.builds(
                        DeviceRecords,
                        adapter=NAMES,
                        path=REL_PATHS,
                        layout=st.sampled_from(
                            ["wide_row", "long_row", "single_value_row", "block"]
                        ),
                    ),
                    max_size=3,
                ).map(tuple),
            )
        ),
        queue_health=draw(st.dictionaries(NAMES, sink_health(), max_size=2)),
        dropped_samples=draw(st.dictionaries(NAMES, COUNTS, max_size=3)),
        integrity=draw(integrities()),
        cameras=tuple(draw(st.lists(cameras(), max_size=2))),
        recording=draw(st.none() | recordings()),
        custom=draw(free_form),
    )


# ------------------------------------------------------------------ file trees

# Names a folder may hold on POSIX: the awkward ones sha256sum escapes
# (backslash, line feed, carriage return) and those that are easy to misread
# (spaces, percent signs, a leading '*' or '#', non-ASCII).
_NAME_CHARS = st.characters(
    codec="utf-8", exclude_characters="/\x00", exclude_categories=["Cs"]
) | st.sampled_from(list(" %\\\n\r\t*#é日"))
FILE_NAMES = st.text(_NAME_CHARS, min_size=1, max_size=10).filter(
    lambda n: n not in (".", "..") and not n.startswith("..") and "\\.." not in n
)


def _safe(name: str) -> bool:
    # A name resolve_inside would read as climbing out (on Windows, a backslash
    # separates) is refused when sealing; keep the trees sealable here.
    from manifestkit._paths import relative_path_problem

    return relative_path_problem(name) is None


@st.composite
def file_trees(draw: st.DrawFn) -> dict[str, bytes]:
    """Relative POSIX file name -> content, up to two folders deep; no name is
    both a file and a folder, and no name is the checksum file."""
    tree: dict[str, bytes] = {}
    folders = draw(st.lists(FILE_NAMES, max_size=2, unique=True))
    for _ in range(draw(st.integers(1, 6))):
        prefix = draw(st.sampled_from(["", *(f + "/" for f in folders)]))
        name = prefix + draw(FILE_NAMES)
        if (
            name in folders
            or name == "manifest.sha256"
            or any(other.startswith(name + "/") for other in tree)
            or not _safe(name)
        ):
            continue
        tree[name] = draw(st.binary(max_size=64))
    if not tree:  # sha256sum -c calls a file without lines improperly formatted
        tree["plain"] = b""
    return tree


def write_tree(root: str, tree: dict[str, bytes]) -> None:
    """Create the files of a tree under ``root``."""
    for name, content in tree.items():
        path = os.path.join(root, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
