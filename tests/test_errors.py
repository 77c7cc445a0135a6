"""Paths and descriptions used by every error message."""

from __future__ import annotations

import datetime as dt
import enum

import pytest

from manifestkit._errors import (
    ValidationError,
    check_str,
    describe,
    index_segment,
    join_path,
    key_problems,
    key_segment,
)


@pytest.mark.parametrize(
    ("key", "segment"),
    [
        ("clock_source", ".clock_source"),
        ("a b", '["a b"]'),
        ("1x", '["1x"]'),
        ("é", '["é"]'),
        ("", '[""]'),
    ],
)
def test_key_segments(key: str, segment: str) -> None:
    assert key_segment(key) == segment


def test_join_path_writes_one_syntax() -> None:
    path = join_path(join_path(join_path("", ".producers"), index_segment(2)), ".time_basis")
    assert join_path(path, "clock_source") == "producers[2].time_basis.clock_source"
    assert join_path("", "") == ""
    assert join_path("extra", '["a b"]') == 'extra["a b"]'
    assert join_path("a", "") == "a"


def test_validation_error_strips_leading_dots() -> None:
    assert ValidationError([(".a.b", "m")]).errors == [("a.b", "m")]


class _Text(str):
    __slots__ = ()


class _Ratio(float):
    __slots__ = ()


class _Level(enum.IntEnum):
    HIGH = 2


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "a boolean (true)"),
        (12345, "an integer (12345)"),
        (1.5, "a number (1.5)"),
        ("yes", 'a string ("yes")'),
        ("x" * 60, 'a string ("' + "x" * 36 + "...)"),
        ([1], "an array"),
        ({}, "an object"),
        (dt.date(2026, 1, 2), "a date (2026-01-02)"),
        (dt.datetime(2026, 1, 2, 3, 4), "a date-time (2026-01-02T03:04:00)"),
        (dt.time(3, 4), "a time of day (03:04:00)"),
        ({1, 2}, "a Python set object"),
        ((1, 2), "a tuple"),  # not "an array": where a list is plain data, a tuple is not
        (_Text("yes"), "a Python _Text object ('yes')"),  # a subclass is named by its class
        (_Level.HIGH, "a Python _Level object (<_Level.HIGH: 2>)"),
        (_Ratio(0.5), "a Python _Ratio object (0.5)"),
    ],
)
def test_describe(value: object, text: str) -> None:
    assert describe(value) == text


def test_single_error_renders_on_one_line() -> None:
    assert str(ValidationError([("", "expected an object, found null")], title="invalid X")) == (
        "invalid X: (document): expected an object, found null"
    )


class _Key(str):  # noqa: SLOT000 - as a user's str subclass would be
    pass


def test_key_problems_name_each_key_json_cannot_hold() -> None:
    assert key_problems({"a": 1, "é": 2, "\U0001f600": 3}) == []
    assert key_problems({1: 0, "ok": 0, "x\udc80": 0, None: 0, _Key("k"): 0}) == [
        ("", "object keys must be strings, found a key that is an integer (1)"),
        ('["x\\udc80"]', "key contains a lone surrogate (\\udc80), which UTF-8 cannot encode"),
        ("", "object keys must be strings, found a key that is null"),
        ("", "object keys must be strings, found a key that is a Python _Key object ('k')"),
    ]
    assert key_problems([("t",)]) == [
        ("", "object keys must be strings, found a key that is a tuple")
    ]


def test_check_str_names_the_first_lone_surrogate() -> None:
    assert check_str("plain") is None
    assert check_str("é\U0001f600") is None
    assert check_str("a\ud800b\udfff") == (
        "contains a lone surrogate (\\ud800), which UTF-8 cannot encode"
    )
