"""Figures from the reliability suites, for docs/reliability.md.

Set ``MANIFESTKIT_FIGURES=some/file.jsonl`` and each suite appends one JSON line
per test with what it did (documents fuzzed, kills survived, writers raced, ...).
Without it, nothing is written.
"""

from __future__ import annotations

import json
import os
from typing import Any


def record(test: str, **figures: Any) -> None:
    """Append one line of figures for ``test`` to the figures file, if one is set."""
    target = os.environ.get("MANIFESTKIT_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as f:
            f.write(json.dumps({"test": test, **figures}) + "\n")
