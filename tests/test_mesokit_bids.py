"""BIDS path helpers and entity parsing, against mesokit-schema 1.1.0's own."""

from __future__ import annotations

import pathlib
from typing import Any

import mesokit_schema as ms
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit.schemas import mesokit as mks

LABELS = st.text("abcXYZ019-_.", min_size=1, max_size=6)
SEGMENTS = st.sampled_from(
    ["data", "processed", "sub-01", "ses-2", "task-runA", "sub-JG03", "ses-01_retry", "func", "x"]
) | st.builds(
    "_".join,
    st.lists(
        st.sampled_from(["251114", "sub-7", "SES-3", "task-b", "meso", "wheel.csv", "a"]),
        min_size=1,
        max_size=4,
    ),
)


@given(LABELS, LABELS, LABELS)
def test_session_and_datatype_folders_match_mesokit_schema(
    subject: str, session: str, datatype: str
) -> None:
    assert mks.bids_session_dir("/lab", subject, session) == ms.bids_session_dir(
        "/lab", subject, session
    )
    if datatype in (".", ".."):
        # mesokit-schema builds <session>/.. here, a folder outside the session's: refused.
        with pytest.raises(mk.ValidationError):
            mks.bids_datatype_dir("/lab", subject, session, datatype)
        return
    assert mks.bids_datatype_dir("/lab", subject, session, datatype) == ms.bids_datatype_dir(
        "/lab", subject, session, datatype
    )


@given(LABELS, LABELS, st.none() | st.just("") | LABELS, LABELS, LABELS, st.none() | LABELS)
def test_stream_file_names_match_mesokit_schema(
    subject: str, session: str, task: str | None, suffix: str, extension: str, stamp: str | None
) -> None:
    kwargs: dict[str, Any] = {
        "subject": subject,
        "session": session,
        "task": task,
        "suffix": suffix,
        "extension": extension,
        "timestamp": stamp,
    }
    assert mks.bids_stream_filename(**kwargs) == ms.bids_stream_filename(**kwargs)


def test_the_documented_example() -> None:
    name = mks.bids_stream_filename(
        subject="001",
        session="1",
        task="runA",
        suffix="meso",
        extension=".ome.tiff",
        timestamp="251114_103045",
    )
    assert name == "251114_103045_sub-001_ses-1_task-runA_meso.ome.tiff"
    assert mks.bids_session_dir("/x", "001", "1") == pathlib.Path("/x/data/sub-001/ses-1")


def test_a_label_that_would_change_the_folder_structure_is_refused() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mks.bids_session_dir("/lab", "../..", "1\\2")
    assert str(info.value) == (
        "invalid BIDS label with 2 problems:\n"
        '  subject: "../.." contains a path separator or NUL; expected one name\n'
        '  session: "1\\\\2" contains a path separator or NUL; expected one name'
    )
    with pytest.raises(mk.ValidationError) as info:
        mks.bids_datatype_dir("/lab", "1", "2", "func/../..")
    assert info.value.errors == [
        ("datatype", '"func/../.." contains a path separator or NUL; expected one name')
    ]
    with pytest.raises(mk.ValidationError) as info:
        mks.bids_stream_filename(subject="1", session="2", task=None, suffix="a/b", extension="csv")
    assert info.value.title == "invalid BIDS file name part"
    assert [path for path, _ in info.value.errors] == ["suffix"]


@given(st.lists(SEGMENTS, min_size=1, max_size=5), st.booleans())
def test_entities_are_parsed_as_mesokit_schema_parses_them(
    segments: list[str], positional: bool
) -> None:
    path = "/".join(segments)
    try:
        theirs = ms.parse_entities(path, allow_positional=positional)
    except ValueError:
        with pytest.raises(mk.ValidationError) as info:
            mks.parse_entities(path, allow_positional=positional)
        assert info.value.title == "cannot parse BIDS entities"
        return
    ours = mks.parse_entities(path, allow_positional=positional)
    assert (ours.subject, ours.session, ours.task) == (theirs.subject, theirs.session, theirs.task)
    # Windows separators mean the same path on every platform.
    assert mks.parse_entities(path.replace("/", "\\"), allow_positional=positional) == ours
    assert mks.parse_entities(pathlib.PurePosixPath(path), allow_positional=positional) == ours


def test_parse_entities_refuses_arguments_of_the_wrong_kind() -> None:
    # root_dirs="data" would test `in` against the string: "a" is in "data".
    with pytest.raises(mk.ValidationError) as info:
        mks.parse_entities(5, root_dirs="data")  # type: ignore[arg-type]
    assert info.value.errors == [
        ("relative_path", "expected a path, found a value of type int"),
        ("root_dirs", "expected folder names such as ('data',), found 'data'"),
    ]
    assert mks.parse_entities("a/ses-1/x.tif", root_dirs=("data",)).subject == "a"


def test_entity_parsing_examples() -> None:
    assert mks.parse_entities("data/sub-JG03/ses-03/func/x.tif") == mks.BidsEntities(
        subject="JG03", session="03"
    )
    assert mks.parse_entities("JG03/ses-01_retry/beh/251114_task-runA_wheel.csv") == (
        mks.BidsEntities(subject="JG03", session="01", task="runA")
    )
    assert mks.parse_entities(
        "processed/x/251114_sub-7_ses-2_task-b_meso.ome.tiff", root_dirs=()
    ) == mks.BidsEntities(subject="7", session="2", task="b")
    assert mks.parse_entities("JG03/ses-_late/x.tif").session == "_late"  # by position
    with pytest.raises(mk.ValidationError) as info:
        mks.parse_entities("/mnt/lab/JG03/1/x.tif", allow_positional=False)
    assert str(info.value) == (
        "cannot parse BIDS entities: (document): "
        'found no BIDS subject or session in the path "/mnt/lab/JG03/1/x.tif"'
    )
    with pytest.raises(mk.ValidationError) as info:
        mks.parse_entities("data/sub-01/x.tif")
    assert info.value.errors == [("", 'found no BIDS session in the path "data/sub-01/x.tif"')]
