"""Strict wire values: no coercion a reader would not expect."""

from __future__ import annotations

import enum
import math
import pathlib
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manifestkit._values import (
    Limits,
    Problems,
    json_value,
    same,
    to_bool,
    to_enum,
    to_float,
    to_int,
    to_literal,
    to_path,
    to_str,
    to_uuid,
)
from strategies import json_values


def _message(fn: Any, *args: Any) -> str:
    with pytest.raises(Problems) as info:
        fn(*args)
    ((path, message),) = info.value.errors
    assert path == ""
    return str(message)


def test_a_str_field_refuses_a_number() -> None:
    assert _message(to_str, 12345) == "expected a string, found an integer (12345)"
    assert to_str("12345") == "12345"


def test_a_bool_field_refuses_yes() -> None:
    assert _message(to_bool, "yes") == 'expected a boolean, found a string ("yes")'
    assert _message(to_bool, 1) == "expected a boolean, found an integer (1)"
    assert to_bool(False) is False


def test_an_int_field_refuses_floats_and_bools() -> None:
    assert _message(to_int, 1.5) == "expected an integer, found a number (1.5)"
    assert _message(to_int, 1.0) == "expected an integer, found a number (1.0)"
    assert _message(to_int, True) == "expected an integer, found a boolean (true)"
    assert _message(to_int, 2**64) == (
        "expected an integer that fits in 64 bits, found an integer (18446744073709551616)"
    )
    assert _message(to_int, -(2**63) - 1) == (
        "expected an integer that fits in 64 bits, found an integer (-9223372036854775809)"
    )
    assert to_int(-(2**63)) == -(2**63)
    assert to_int(2**64 - 1) == 2**64 - 1


def test_a_float_field_takes_ints_it_can_hold_exactly() -> None:
    value = to_float(3)
    assert value == 3.0
    assert type(value) is float
    assert to_float(2**53) == 2.0**53
    assert _message(to_float, 2**53 + 1) == (
        "expected a number, found an integer (9007199254740993), which a float cannot hold exactly"
    )
    assert _message(to_float, 10**400).startswith("expected a number, found an integer (")
    assert _message(to_float, True) == "expected a number, found a boolean (true)"
    assert _message(to_float, math.nan) == "expected a finite number, found a number (nan)"
    assert _message(to_float, -math.inf) == "expected a finite number, found a number (-inf)"


def test_strings_with_lone_surrogates_are_refused() -> None:
    assert (
        _message(to_str, "a\ud800")
        == "string contains a lone surrogate (\\ud800), which UTF-8 cannot encode"
    )


class Mode(enum.Enum):
    ON = "on"
    OFF = "off"


class Size(enum.IntEnum):
    ONE = 1


def test_enums_by_value_with_exact_types() -> None:
    assert to_enum("on", Mode) is Mode.ON
    assert to_enum(Mode.OFF, Mode) is Mode.OFF
    assert to_enum(1, Size) is Size.ONE
    assert _message(to_enum, True, Size) == "expected one of 1, found a boolean (true)"
    assert _message(to_enum, "ON", Mode) == 'expected one of "on", "off", found a string ("ON")'


def test_literals_compare_types_too() -> None:
    assert to_literal(1, (1, "1")) == 1
    assert _message(to_literal, True, (1,)) == "expected 1, found a boolean (true)"
    assert _message(to_literal, "c", ("a", "b")) == 'expected one of "a", "b", found a string ("c")'


def test_uuid_and_path() -> None:
    u = "12345678-1234-5678-1234-567812345678"
    assert to_uuid(u) == uuid.UUID(u)
    assert _message(to_uuid, "{12345678-1234-5678-1234-567812345678}").startswith("expected a UUID")
    assert to_path("a/b.txt", pathlib.PurePosixPath) == pathlib.PurePosixPath("a/b.txt")
    assert _message(to_path, "a\x00b", pathlib.Path) == "path contains a NUL character"
    assert _message(to_path, "", pathlib.Path) == "expected a path, found an empty string"


@given(json_values())
def test_json_values_are_copied_equal(value: Any) -> None:
    copy = json_value(value, Limits())
    assert same(copy, value)
    if isinstance(value, (list, dict)):
        assert copy is not value


def test_json_value_reports_every_problem_with_its_path() -> None:
    bad = {"a": [1, math.nan, {"b": {1, 2}}], "c": math.inf, "d": {3: "x"}}
    with pytest.raises(Problems) as info:
        json_value(bad, Limits())
    assert info.value.errors == [
        ("a[1]", "expected a finite number, found a number (nan)"),
        ("a[2].b", "expected a JSON value, found a Python set object"),
        ("c", "expected a finite number, found a number (inf)"),
        ("d", "object keys must be strings, found a key that is an integer (3)"),
    ]


def test_json_value_depth_is_bounded() -> None:
    deep: Any = 1
    for _ in range(50):
        deep = [deep]
    with pytest.raises(Problems) as info:
        json_value(deep, Limits(max_depth=10))
    assert info.value.errors == [("[0][0][0][0][0][0][0][0][0][0]", "nested deeper than 10 levels")]
    assert json_value(deep, Limits(max_depth=50)) == deep


@given(
    st.sampled_from([0, 0.0, -0.0, False, None, "", [], {}, [0], [False], {"a": 0}, {"a": False}]),
    st.sampled_from([0, 0.0, -0.0, False, None, "", [], {}, [0], [False], {"a": 0}, {"a": False}]),
)
def test_same_needs_equal_types(a: Any, b: Any) -> None:
    expected = type(a) is type(b) and repr(a) == repr(b)
    assert same(a, b) is expected
