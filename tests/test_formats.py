"""Format adapters: JSON, TOML, and plug-ins registered through entry points."""

from __future__ import annotations

import importlib
import json
import signal
import sys
import textwrap
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _formats
from models import Kitchen, Small
from strategies import json_objects

JSON = mk.get_format("json")
TOML = mk.get_format("toml")


def test_json_files_are_pretty_with_a_trailing_newline() -> None:
    assert mk.dumps(Small(title="t")) == b'{\n  "version": 3,\n  "title": "t"\n}\n'


def test_toml_files_start_with_a_line_naming_schema_and_version() -> None:
    assert mk.dumps(Small(title="t"), "toml") == (
        b'# manifestkit schema test.small, version 3\nversion = 3\ntitle = "t"\n'
    )


@pytest.mark.parametrize(
    ("raw", "message", "line", "column"),
    [
        (b"\xef\xbb\xbf{}", "a byte order mark (BOM) is not allowed", 1, 1),
        (b'{"a": NaN}', "unexpected character, expected a JSON value", 1, 7),
        (b'{"a": Infinity}', "unexpected character, expected a JSON value", 1, 7),
        (b'{"a": 1,}', "trailing comma is not allowed", 1, 8),
        (b'{\n  "a": "\xff"\n}', "invalid UTF-8 (byte 0xff)", 2, 9),
        (b'{"a": "\\ud800"}', "no low surrogate in string", 1, 8),
        (b'{"a": 1', "unexpected end of data", 1, 8),
        (b"[" * 2000 + b"]" * 2000, "depth limit exceeded", 1, 1026),
    ],
)
def test_bad_json_is_a_format_error_with_its_position(
    raw: bytes, message: str, line: int, column: int
) -> None:
    with pytest.raises(mk.FormatError) as info:
        JSON.loads(raw)
    assert (info.value.message, info.value.line, info.value.column, info.value.format) == (
        message,
        line,
        column,
        "json",
    )


def test_json_integers_beyond_64_bits_are_read_exactly_then_refused_with_their_path() -> None:
    # The format alone reads the literal as orjson does: as the nearest float.
    raw = b'{"title": "12345678901234567890123", "size": 123456789012345678901234567890}'
    assert JSON.loads(raw) == {"title": "12345678901234567890123", "size": 1.2345678901234568e29}
    exact = JSON.loads_exact(raw)
    assert exact == {"title": "12345678901234567890123", "size": 123456789012345678901234567890}
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(raw, Small)
    assert info.value.errors == [
        (
            "size",
            "expected an integer that fits in 64 bits, found an integer (123456789012345678901234567890)",
        )
    ]
    assert mk.loads(
        b'{"title": "12345678901234567890123", "size": -9223372036854775808}', Small
    ).size == -(2**63)


def test_a_big_integer_in_free_form_data_is_read_exactly_and_refused() -> None:
    doc = mk.to_dict(_kitchen())
    raw = mk.dumps(_kitchen()).replace(
        b'"free": {', b'"free": {"n": 123456789012345678901234567890, ', 1
    )
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(raw, Kitchen)
    assert info.value.errors == [
        (
            "free.n",
            "expected an integer that fits in 64 bits, found an integer (123456789012345678901234567890)",
        )
    ]
    big_float = mk.dumps(_kitchen()).replace(b'"free": {', b'"free": {"n": 1e300, ', 1)
    assert mk.loads(big_float, Kitchen).free == {**doc["free"], "n": 1e300}


def test_duplicate_json_keys_keep_the_last_value() -> None:
    assert JSON.loads(b'{"a": 1, "a": 2}') == {"a": 2}


def test_toml_cannot_hold_null_so_the_path_is_named() -> None:
    with pytest.raises(mk.ValidationError) as info:
        TOML.dumps({"free": {"a": [1, None]}, "b": None})
    assert info.value.errors == [
        ("b", "TOML cannot hold null; leave the field out or give it a value"),
        ("free.a[1]", "TOML cannot hold null; leave the field out or give it a value"),
    ]


def test_toml_writes_datetimes_natively() -> None:
    text = TOML.dumps({"at": datetime(2026, 5, 14, 10, 0, 0, 5, tzinfo=timezone.utc)}).decode()
    assert text == "at = 2026-05-14 10:00:00.000005+00:00\n"


@pytest.mark.parametrize(
    ("raw", "message", "line", "column"),
    [
        (b"\xef\xbb\xbfa = 1", "a byte order mark (BOM) is not allowed", 1, 1),
        (b"a = 1\nb = \xff\n", "invalid UTF-8 (byte 0xff)", 2, 5),
        (b"a = 1\nb = [\n1,\n2 3]", "Unclosed array", 4, 3),
        (b"a = 1\na = 2", "Cannot overwrite a value", 2, 6),
        (b"a = ", "Invalid value", 1, 5),
    ],
)
def test_bad_toml_is_a_format_error_with_its_position(
    raw: bytes, message: str, line: int | None, column: int | None
) -> None:
    with pytest.raises(mk.FormatError) as info:
        TOML.loads(raw)
    assert (info.value.message, info.value.line, info.value.column) == (message, line, column)


def test_deeply_nested_toml_is_a_format_error_not_a_crash() -> None:
    raw = b"a = " + b"[" * 100000 + b"]" * 100000
    with pytest.raises(mk.FormatError) as info:
        TOML.loads(raw)
    assert info.value.format == "toml"


def _nested(levels: int) -> dict[str, Any]:
    """A document of exactly ``levels`` levels of objects and arrays, its own included."""
    inner: Any = 1
    for i in range(levels - 1):
        inner = [inner] if i % 2 else {"k": inner}
    return {"a": inner}


def _path_at_depth(doc: dict[str, Any], depth: int) -> str:
    # The path of the container ``depth`` steps below the document, down `_nested`'s spine.
    path, value = "a", doc["a"]
    for _ in range(depth - 1):
        path, value = (path + "[0]", value[0]) if type(value) is list else (path + ".k", value["k"])
    return path


@pytest.mark.parametrize("fmt", [JSON, TOML], ids=["json", "toml"])
def test_data_nested_past_what_a_format_writes_is_refused_at_its_path(fmt: Any) -> None:
    most = fmt.max_nesting
    assert fmt.loads(fmt.dumps(_nested(most))) == _nested(most)
    with pytest.raises(mk.ValidationError) as info:
        fmt.dumps(_nested(most + 1))
    deepest = _path_at_depth(_nested(most + 1), most)
    assert info.value.errors == [(deepest, f"nested deeper than {most} levels")]


@pytest.mark.parametrize("fmt", [JSON, TOML], ids=["json", "toml"])
def test_data_that_holds_itself_is_refused_not_walked_forever(fmt: Any) -> None:
    loop: list[Any] = []
    loop.append(loop)

    def stop(signum: int, frame: object) -> None:
        raise AssertionError("still walking after 10 s")

    previous = signal.signal(signal.SIGALRM, stop)  # a regression must fail, not hang CI
    signal.alarm(10)
    try:
        with pytest.raises(mk.ValidationError) as info:
            fmt.dumps({"loop": loop})
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    path = "loop" + "[0]" * (fmt.max_nesting - 1)
    assert info.value.errors == [(path, f"nested deeper than {fmt.max_nesting} levels")]


def test_a_toml_local_time_is_refused_where_a_json_value_is_expected() -> None:
    data = TOML.loads(b"title = 't'\n[free]\nat = 07:32:00\n")
    assert data["free"]["at"] == time(7, 32)
    with pytest.raises(mk.ValidationError) as info:
        mk.from_dict({**mk.to_dict(_kitchen()), "free": data["free"]}, Kitchen)
    assert info.value.errors == [
        ("free.at", "expected a JSON value, found a time of day (07:32:00)")
    ]


def _kitchen() -> Kitchen:
    doc = json.loads(
        (Path(__file__).parent / "data" / "core" / "golden_hashes.json").read_text(encoding="utf-8")
    )[0]["document"]
    return mk.from_dict(doc, Kitchen)


@given(json_objects())
def test_json_round_trips_any_json_object(value: dict[str, Any]) -> None:
    assert JSON.loads(JSON.dumps(value)) == value


def test_format_for_path_picks_the_longest_extension() -> None:
    assert _formats.format_for_path("a/b.JSON") is JSON
    assert _formats.format_for_path("a/b.toml") is TOML
    assert _formats.format_for_path("a/b.yaml") is None


class Reversed:
    """A plug-in format for tests: JSON with the bytes reversed."""

    name = "reversed"
    extensions = (".nosj",)

    def dumps(self, data: Any) -> bytes:
        return json.dumps(data, default=str).encode()[::-1]

    def loads(self, data: bytes) -> Any:
        return json.loads(data[::-1])


@pytest.fixture
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_formats, "_FORMATS", dict(_formats._BUILTIN))
    monkeypatch.setattr(_formats, "_PLUGINS_LOADED", False)


class _Broken:
    """A plug-in format with bugs: its own exceptions, and str where bytes are due."""

    name = "broken"
    extensions = (".broken",)

    def __init__(self, dumped: Any = None) -> None:
        self.dumped = dumped

    def dumps(self, data: Any) -> Any:  # noqa: ARG002 - the protocol's signature
        if self.dumped is None:
            raise RuntimeError("boom")
        return self.dumped

    def loads(self, data: bytes) -> Any:  # noqa: ARG002 - the protocol's signature
        raise KeyError("title")


@pytest.mark.usefixtures("clean_registry")
def test_a_plug_in_formats_own_errors_come_out_as_manifest_errors(tmp_path: Path) -> None:
    mk.register_format(_Broken())
    small = Small(title="t")
    for write in (
        lambda: mk.dumps(small, "broken"),
        lambda: mk.write(small, tmp_path / "s.broken"),
    ):
        with pytest.raises(mk.ValidationError) as info:
            write()
        assert info.value.errors == [("", "RuntimeError: boom")]
        assert isinstance(info.value.__cause__, RuntimeError)  # the plug-in's traceback is kept
    (tmp_path / "s.broken").write_bytes(b"anything")
    reads: list[Callable[[], Small]] = [
        lambda: mk.loads(b"anything", Small, "broken"),
        lambda: mk.read(tmp_path / "s.broken", Small),
    ]
    for read in reads:
        with pytest.raises(mk.FormatError) as error:
            read()
        assert error.value.message == "KeyError: 'title'"
        assert error.value.format == "broken"
    mk.register_format(_Broken(dumped="text"), replace=True)
    with pytest.raises(mk.ValidationError) as info:
        mk.dumps(small, "broken")
    assert info.value.errors == [("", "the format returned str, not bytes")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.broken"]  # nothing else written


@pytest.mark.usefixtures("clean_registry")
def test_register_format_adds_and_protects_names() -> None:
    mk.register_format(Reversed())
    assert mk.get_format("reversed").name == "reversed"
    with pytest.raises(mk.ManifestError) as info:
        mk.register_format(Reversed())
    assert str(info.value) == "a format named 'reversed' is already registered"
    mk.register_format(Reversed(), replace=True)
    with pytest.raises(mk.ManifestError):
        mk.register_format(_formats.JsonFormat(), replace=True)
    with pytest.raises(mk.ManifestError) as info:
        mk.register_format(object())
    assert str(info.value).startswith("a format needs a 'name' attribute")


@pytest.mark.usefixtures("clean_registry")
def test_an_unknown_format_name_lists_the_known_ones() -> None:
    with pytest.raises(mk.FormatError) as info:
        mk.get_format("yaml")
    assert info.value.message == "no format named 'yaml' (known: json, toml)"


@pytest.mark.usefixtures("clean_registry")
def test_a_format_plug_in_is_found_through_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real distribution on sys.path, declaring the entry point as a package would.
    (tmp_path / "mk_upper_plugin.py").write_text(
        textwrap.dedent(
            """
            import json

            class Upper:
                name = "upper"
                extensions = (".ujson",)
                def dumps(self, data):
                    return json.dumps(data).upper().encode()
                def loads(self, data):
                    return json.loads(data.decode().lower())
            """
        )
    )
    dist = tmp_path / "mk_upper_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mk-upper-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[manifestkit.formats]\nupper = mk_upper_plugin:Upper\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert "upper" in mk.formats()
    small = Small(title="abc")
    path = mk.write(small, tmp_path / "small.ujson")
    assert path.read_bytes() == b'{"VERSION": 3, "TITLE": "ABC"}'
    assert mk.read(path, Small) == small
    sys.modules.pop("mk_upper_plugin", None)


# The quick checks before and after tomli-w / tomllib must say exactly what the full,
# path-tracking ones say: a value they pass is one the full check finds nothing in.
_ODD_VALUES = st.sampled_from(
    [
        float("nan"),
        float("inf"),
        2**63,
        -(2**63) - 1,
        2**63 - 1,
        None,
        "\ud800",
        object(),
        (1, 2),
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=30))),
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))),
        date(2026, 1, 1),
    ]
)
_ODD_KEYS = st.sampled_from(["\ud800", "a\udfff", _formats.__name__.__class__("s"), None])
_TOML_VALUES = st.recursive(
    st.booleans() | st.integers(-(2**64), 2**64) | st.floats() | st.text(max_size=5) | _ODD_VALUES,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=3) | st.integers(0, 2) | _ODD_KEYS, children, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=3), _TOML_VALUES, max_size=4))
def test_the_quick_toml_checks_agree_with_the_full_ones(data: dict[str, Any]) -> None:
    most = TOML.max_nesting
    assert _formats._toml_clean(data, most) == (not _formats._problems(data, "TOML", most))
    assert _formats._toml_clean(data, 2) == (not _formats._problems(data, "TOML", 2))
    ints = [v for v in _leaves(data) if type(v) is int]
    fit = all(-(2**63) <= v < 2**63 for v in ints)
    if all(type(v) in (int, str, bool, float) for v in _leaves(data)):
        assert _formats._toml_integers_fit(data) == fit


@given(st.dictionaries(st.text(max_size=3), _TOML_VALUES, max_size=4))
def test_json_refuses_only_what_the_full_check_names(data: dict[str, Any]) -> None:
    # orjson's own message at the document ("(document): Dict key must be str") is never
    # what the user sees: whatever it refuses, the full check says what and where.
    found = _formats._problems(data, "JSON", JSON.max_nesting)
    try:
        JSON.dumps(data)
    except mk.ValidationError as exc:
        errors = exc.errors
    else:
        errors = []
    # orjson writes NaN and infinities (as null), tuples (as arrays) and date-times with
    # an offset in seconds (rounded to a minute), which to_dict has refused already;
    # everything else it refuses, and the check then names it.
    written = ("expected a finite number", "expected a JSON value, found a tuple", "date-time")
    assert errors == (found if any(not m.startswith(written) for _, m in found) else [])


def _leaves(v: Any) -> list[Any]:
    if type(v) is dict:
        return [x for item in v.values() for x in _leaves(item)]
    if type(v) is list:
        return [x for item in v for x in _leaves(item)]
    return [v]


@given(st.lists(st.sampled_from(["a", ".", '"x.y"', " ", "\n", "[", "'q'", "=", "1"]), max_size=60))
def test_the_quick_dotted_key_test_never_hides_a_long_key(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    found = _formats._dotted_key(3).search(data)
    try:
        _formats._check_dotted_keys(data, 3)
    except mk.FormatError:
        assert found is not None
    else:
        assert found is None


@pytest.mark.parametrize(
    ("literal", "error"),
    [
        (b"-9223372036854775809", "found an integer (-9223372036854775809)"),
        (b"18446744073709551616", "found an integer (18446744073709551616)"),
        (b"-9223372036854775808", None),
        (b"18446744073709551615", None),
        (b"999999999999999999", None),  # 18 digits: orjson reads it exactly
    ],
)
def test_the_64_bit_bounds_are_exact_at_the_edges(literal: bytes, error: str | None) -> None:
    raw = b'{"version": 3, "title": "t", "size": ' + literal + b"}"
    if error is None:
        assert mk.loads(raw, Small).size == int(literal)
        return
    with pytest.raises(mk.ValidationError) as info:
        mk.loads(raw, Small)
    assert info.value.errors == [("size", f"expected an integer that fits in 64 bits, {error}")]


LITERALS = [b'"x"', b"1", b"1.5", b"null", b"[1]", b"12345678901234567890", b"-12"]


def _outcome(read: Any) -> Any:
    try:
        return read()
    except mk.ValidationError as exc:
        return exc.errors


@given(st.sampled_from(LITERALS), st.sampled_from(LITERALS), st.none() | st.sampled_from(LITERALS))
def test_a_refused_document_gets_the_same_errors_as_its_exactly_parsed_data(
    title: bytes, size: bytes, extra: bytes | None
) -> None:
    # A document the fast path refuses is checked from orjson's data unless it
    # holds 19 digits in a row; the report must be what the exact parse gives.
    raw = b'{"version": 3, "title": ' + title + b', "size": ' + size
    raw += (b', "extra": ' + extra if extra is not None else b"") + b"}"
    exact = _outcome(lambda: mk.from_dict(json.loads(raw), Small))
    assert _outcome(lambda: mk.loads(raw, Small)) == exact


def test_only_nineteen_digits_in_a_row_may_make_orjson_inexact() -> None:
    assert JSON.may_be_inexact(b'{"n": 1234567890123456789}')
    assert JSON.may_be_inexact(b'{"s": "x1234567890123456789"}')  # in a string too: harmless
    assert not JSON.may_be_inexact(b'{"n": 123456789012345678, "f": 1.5e300}')
    assert not JSON.may_be_inexact(b'{"n": [123456789, 123456789, 1234567890]}')
