"""Construction checks: an instance can never hold what its document could not."""

from __future__ import annotations

import math
import pathlib
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import manifestkit as mk
from manifestkit._detailed import DetailedStructurer
from models import Color, Inner, Level, Open, make_kitchen


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(mk.ValidationError) as info:
        make_kitchen(
            name=5,
            count=True,
            ratio="0.5",
            started="2026-01-01T00:00:00Z",
            day=datetime(2026, 1, 1),
            inners=[Inner(label="ok"), "not an inner"],
            table={"a": 3},
            free={"x": math.nan},
            provenance={"kind": "synthetic", "seed": 1},
        )
    assert str(info.value).splitlines() == (
        [
            "invalid Kitchen with 9 problems:",
            "  name: expected a string, found an integer (5)",
            "  count: expected an integer, found a boolean (true)",
            '  ratio: expected a number, found a string ("0.5")',
            '  started: expected a datetime, found a string ("2026-01-01T00:00:00Z")',
            "  day: expected a date, found a date-time (2026-01-01T00:00:00)",
            '  inners[1]: expected an instance of Inner, found a string ("not an inner")',
            "  table.a: expected an instance of Inner, found an integer (3)",
            "  free.x: expected a finite number, found a number (nan)",
            "  provenance: expected an instance of Synthetic or an instance of External, found an object",
        ]
    )


def test_conversions_a_reader_expects() -> None:
    k = make_kitchen(
        ratio=2, seq=[1, 2.5], pair=["x", 3], color="blue", level=2, path=pathlib.PurePath("p/q")
    )
    assert (k.ratio, type(k.ratio)) == (2.0, float)
    assert k.seq == (1.0, 2.5)
    assert all(type(x) is float for x in k.seq)
    assert k.pair == ("x", 3)
    assert k.color is Color.BLUE
    assert k.level is Level.HIGH
    assert type(k.path) is pathlib.PurePosixPath


def test_free_form_data_must_be_json_values() -> None:
    with pytest.raises(mk.ValidationError) as info:
        make_kitchen(free={"when": datetime(2026, 1, 1), "n": {1: 2}, "s": "\udc80"})
    assert info.value.errors == [
        (
            "free.when",
            "expected a JSON value, found a date-time (2026-01-01T00:00:00); write it as a quoted string",
        ),
        ("free.n", "object keys must be strings, found a key that is an integer (1)"),
        ("free.s", "string contains a lone surrogate (\\udc80), which UTF-8 cannot encode"),
    ]


def test_offsets_that_rfc3339_cannot_write_are_refused() -> None:
    odd = datetime(2026, 1, 1, tzinfo=timezone(timedelta(minutes=90, seconds=7)))
    with pytest.raises(mk.ValidationError) as info:
        make_kitchen(started=odd)
    assert info.value.errors == [
        ("started", "date-time has a UTC offset of 1:30:07, which is not a whole number of minutes")
    ]


def test_preserved_fields_cannot_shadow_declared_ones() -> None:
    with pytest.raises(mk.ValidationError) as info:
        Open(name="x", _mk_unknown={"name": "y"})  # type: ignore[call-arg] # the hidden slot
    assert info.value.errors == [
        ("name", "is a declared field, so it cannot also be preserved as unknown")
    ]


# When the checked path of reading builds an instance, its hooks have checked every
# value: the constructor runs only the class check. User code run meanwhile (field
# and class checks) builds instances that are checked as any other.

_built_by_user_code: list[Any] = []


def _build_a_bad_inner(value: str) -> None:
    try:
        Inner(label=5)  # type: ignore[arg-type]
    except mk.ValidationError as exc:
        _built_by_user_code.append(exc.errors)
    else:
        _built_by_user_code.append("built unchecked")


@mk.block
class _Probed:
    label: str = mk.field(check=_build_a_bad_inner)
    count: int = 0

    def __manifest_check__(self) -> list[tuple[str, str]]:
        _build_a_bad_inner("")
        return []


def test_user_code_run_while_reading_builds_checked_instances() -> None:
    refused = [("label", "expected a string, found an integer (5)")]
    _built_by_user_code.clear()
    read = DetailedStructurer(mk.Limits(), lenient=False).structure(
        {"label": "x", "count": 1}, _Probed, None
    )
    assert _built_by_user_code == [refused, refused]  # the field check, then the class check
    assert (read.label, read.count) == ("x", 1)
    _built_by_user_code.clear()
    with pytest.raises(mk.ValidationError):  # count is wrong: the checked path reports it
        mk.from_dict({"label": "x", "count": "1"}, _Probed)
    assert _built_by_user_code == [refused, refused]  # the field check, on each path


def test_constructors_check_again_after_the_checked_path_fails() -> None:
    with pytest.raises(mk.ValidationError):
        mk.from_dict({"label": 1}, Inner)
    with pytest.raises(mk.ValidationError) as info:
        Inner(label=1)  # type: ignore[arg-type]
    assert info.value.errors == [("label", "expected a string, found an integer (1)")]
