"""The examples in README.md and in every page under docs/ run, as doctests.

Each file runs in a fresh temporary folder (examples may write files), with
its own namespace; a file's examples share state from top to bottom.
"""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pytest

from manifestkit import _model, _versioning

ROOT = Path(__file__).parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_examples_in_docs_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # The examples declare schemas and migrations; keep them out of the other tests' registries.
    # The installed packs are loaded first, so a page that happens to load them cannot take
    # their schemas and migrations away with its copies.
    _model.load_schema_plugins()
    monkeypatch.setattr(_model, "_SCHEMAS", dict(_model._SCHEMAS))
    monkeypatch.setattr(_versioning, "_MIGRATIONS", dict(_versioning._MIGRATIONS))
    result = doctest.testfile(
        os.fspath(path),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        globs={"__name__": f"docs_{path.stem.replace('-', '_')}"},
    )
    assert result.failed == 0


def test_every_docs_page_is_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    missing = sorted(p for p in pages if p not in nav)
    assert missing == []
