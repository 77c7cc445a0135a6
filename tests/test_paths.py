"""Path safety: stored relative paths never lead outside their root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit._paths import relative_path_problem


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    (r / "raw").mkdir(parents=True)
    (r / "raw" / "cam0.tif").write_bytes(b"x")
    (tmp_path / "outside.txt").write_text("secret")
    return r


def test_plain_and_windows_separators_resolve_to_the_same_file(root: Path) -> None:
    assert mk.resolve_inside(root, "raw/cam0.tif") == root / "raw" / "cam0.tif"
    assert mk.resolve_inside(root, "raw\\cam0.tif") == root / "raw" / "cam0.tif"
    assert mk.resolve_inside(root, "./raw//x/../cam0.tif") == root / "raw" / "cam0.tif"
    assert mk.resolve_inside(root, ".") == root


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("", "path is empty"),
        ("../outside.txt", 'path "../outside.txt" climbs out of its root'),
        ("raw/../../outside.txt", 'path "raw/../../outside.txt" climbs out of its root'),
        ("..\\outside.txt", 'path "..\\outside.txt" climbs out of its root'),
        ("/etc/passwd", 'path "/etc/passwd" is absolute; expected a path relative to its root'),
        ("\\etc\\passwd", 'path "\\etc\\passwd" is absolute; expected a path relative to its root'),
        (
            "\\\\host\\share\\x",
            'path "\\\\host\\share\\x" is absolute; expected a path relative to its root',
        ),
        (
            "C:\\data\\x.tif",
            'path "C:\\data\\x.tif" names a Windows drive; expected a path relative to its root',
        ),
        ("c:x.tif", 'path "c:x.tif" names a Windows drive; expected a path relative to its root'),
        ("raw/cam\x000.tif", 'path "raw/cam\\u00000.tif" contains a NUL byte'),
    ],
)
def test_unsafe_paths_are_refused_naming_the_field_and_path(
    root: Path, relative: str, message: str
) -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.resolve_inside(root, relative, field="producers[2].path")
    assert info.value.errors == [("producers[2].path", message)]
    assert isinstance(info.value, mk.ManifestError)


def test_a_non_string_path_is_refused() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mk.resolve_inside(".", 12, field="x")  # type: ignore[arg-type]
    assert info.value.errors == [("x", "expected a relative path, found an integer (12)")]


def test_a_symbolic_link_out_of_the_root_is_refused(root: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path / "outside.txt", root / "raw" / "link.txt")
    os.symlink(tmp_path, root / "up")
    for relative in ("raw/link.txt", "up/outside.txt", "up"):
        with pytest.raises(mk.ValidationError) as info:
            mk.resolve_inside(root, relative)
        assert info.value.errors == [
            ("", f'path "{relative}" leads through a symbolic link out of its root')
        ]


def test_a_symbolic_link_inside_the_root_is_followed(root: Path) -> None:
    os.symlink(root / "raw", root / "alias")
    assert mk.resolve_inside(root, "alias/cam0.tif") == root / "alias" / "cam0.tif"


SEGMENTS = st.sampled_from(["a", "b", "..", ".", "", "c.d"])


@given(st.lists(SEGMENTS, min_size=1, max_size=8), st.sampled_from(["/", "\\"]))
def test_whatever_the_segments_the_result_is_inside_the_root_or_refused(
    parts: list[str], sep: str
) -> None:
    root = Path("/srv/data/root")
    relative = sep.join(parts)
    problem = relative_path_problem(relative)
    if problem is not None:
        with pytest.raises(mk.ValidationError) as info:
            mk.resolve_inside(root, relative)
        assert info.value.errors == [("", problem)]
        return
    resolved = mk.resolve_inside(root, relative)
    assert resolved == root or root in resolved.parents
    # and it is where a plain POSIX join of the normalised text would land
    assert resolved == Path(os.path.normpath(root / relative.replace("\\", "/")))
