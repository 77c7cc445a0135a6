"""The fuzzing corpus, replayed: every input reads as a valid manifest or a ManifestError.

tests/fuzz/corpus holds the seeds and the inputs atheris found worth keeping,
crashes included once fixed, so each one is a regression test on every run.
"""

from __future__ import annotations

from pathlib import Path

import harness

from strategies.hostile import TARGETS

CORPUS = Path(__file__).parent / "corpus"


def test_every_input_of_the_corpus_is_read_or_refused_cleanly() -> None:
    names = sorted(p.name for p in CORPUS.iterdir())
    assert len(names) >= 10
    failed = []
    for name in names:
        try:
            harness.one_input((CORPUS / name).read_bytes())
        except Exception as exc:  # noqa: BLE001 - every failure is listed below, with its file
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    assert failed == []


def test_each_reader_has_seeds_for_both_formats() -> None:
    seeds = harness.seeds()
    for i, target in enumerate(TARGETS):
        for fmt in target.formats:
            flags = harness.control(i, fmt)
            assert harness.reader(flags) == i
            mine = [d for d in seeds.values() if d[0] == flags]
            # A reader whose samples TOML cannot hold still gets JSON seeds.
            assert mine or fmt == "toml"
            for data in mine:
                harness.one_input(data)
