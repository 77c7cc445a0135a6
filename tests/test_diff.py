"""Field-level differences: empty exactly when the content hashes are equal."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit._diff import ABSENT, diff_documents, diff_plain, show_value
from models import Cache, Inner, Kitchen, Small
from strategies import caches, kitchens


@given(kitchens(), kitchens())
def test_no_differences_exactly_when_the_hashes_are_equal(a: Kitchen, b: Kitchen) -> None:
    assert (diff_documents(a, b) == []) == (mk.content_hash(a) == mk.content_hash(b))
    assert diff_documents(a, a) == []


@given(kitchens(), st.data())
def test_one_changed_field_is_one_difference_at_its_path(k: Kitchen, data: st.DataObject) -> None:
    name = data.draw(st.text(min_size=1, max_size=5).filter(lambda n: n != k.name))
    differences = diff_documents(k, mk.replace(k, name=name))
    assert differences == [("name", k.name, name)]


@given(caches())
def test_a_document_and_its_toml_copy_do_not_differ(c: Cache) -> None:
    try:
        again = mk.loads(mk.dumps(c, "toml"), Cache, "toml")
    except mk.ValidationError:
        return  # TOML cannot hold a null inside a preserved value
    assert diff_documents(c, again) == []


def test_a_default_left_out_and_written_is_no_difference() -> None:
    assert diff_documents(mk.from_dict({"title": "t"}, Small), Small(title="t", size=0)) == []


def test_differences_follow_the_canonical_form() -> None:
    utc = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    later = utc.astimezone(timezone(timedelta(hours=2)))  # the same instant, another offset
    assert utc == later
    assert diff_plain({"t": utc, "z": 0.0}, {"t": later, "z": -0.0}) == [("t", utc, later)]


def test_absent_items_and_keys() -> None:
    a = {"list": [1, 2, 3], "map": {"x": 1}, "odd key": True}
    b = {"list": [1, 5], "map": {"y": 2}}
    assert diff_plain(a, b) == [
        ("list[1]", 2, 5),
        ("list[2]", 3, ABSENT),
        ("map.x", 1, ABSENT),
        ("map.y", ABSENT, 2),
        ('["odd key"]', True, ABSENT),
    ]
    assert diff_plain([1], [1, {"a": None}]) == [("[1]", ABSENT, {"a": None})]
    assert diff_plain({"a": [1]}, {"a": {"b": 1}}) == [("a", [1], {"b": 1})]
    assert repr(ABSENT) == "ABSENT"


def test_nested_blocks_differ_by_their_full_path() -> None:
    a = mk.from_dict({"owner": "o", "entries": [{"name": "n", "items": [{"label": "x"}]}]}, Cache)
    b = mk.replace(a, entries=[mk.replace(a.entries[0], items=[Inner(label="y", weight=2)])])
    assert diff_documents(a, b) == [
        ("entries[0].items[0].label", "x", "y"),
        ("entries[0].items[0].weight", 1.0, 2.0),
    ]


def test_values_are_shown_as_clipped_json() -> None:
    assert show_value(ABSENT) == "(absent)"
    assert show_value("é\n") == '"é\\n"'
    assert show_value(datetime(2026, 1, 1, tzinfo=timezone.utc)) == '"2026-01-01T00:00:00Z"'
    assert (
        show_value(list(range(40)))
        == "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,..."
    )
    assert len(show_value("x" * 100, width=10)) == 10
