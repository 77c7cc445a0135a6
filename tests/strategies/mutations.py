"""Strategies that break valid plain documents in one place: a value replaced, a key removed or added.

Used to compare two validators of one contract (manifestkit's reader and the
exported JSON Schema) on documents that are wrong in exactly one spot.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from strategies import KEYS, json_values

Path = tuple[str | int, ...]


def locations(doc: Any, path: Path = ()) -> list[Path]:
    """Every place in a plain document: the path of each value below the top."""
    found: list[Path] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.append((*path, key))
            found.extend(locations(value, (*path, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found.append((*path, i))
            found.extend(locations(value, (*path, i)))
    return found


def value_at(doc: Any, path: Path) -> Any:
    """The value at a path of a plain document."""
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw: st.DrawFn, doc: dict[str, Any], keep: frozenset[str] = frozenset()) -> Any:
    """A deep copy of ``doc`` changed in one place.

    ``keep`` names top-level keys whose value (and everything below) is left alone.
    """
    doc = copy.deepcopy(doc)
    places = [p for p in locations(doc) if p[0] not in keep]
    kind = draw(st.sampled_from(["replace", "remove", "add"] if places else ["add"]))
    if kind == "add":
        containers = [(), *(p for p in places if isinstance(value_at(doc, p), dict))]
        target = value_at(doc, draw(st.sampled_from(containers)))
        target[draw(KEYS.filter(lambda k: k not in target))] = draw(json_values(4))
        return doc
    path = draw(st.sampled_from(places))
    parent = value_at(doc, path[:-1])
    if kind == "remove":
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(json_values(4))
    return doc
