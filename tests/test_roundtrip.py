"""The contract's "for all" rules (DESIGN.md rules 1, 2, 6, 8), over generated manifests."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from models import Cache, Kitchen, Small
from strategies import caches, json_objects, kitchens, smalls


def _holds_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return any(_holds_null(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_null(v) for v in value.values())
    return False


@given(kitchens())
def test_json_round_trip_is_lossless(k: Kitchen) -> None:
    again = mk.loads(mk.dumps(k, "json"), Kitchen, "json")
    assert again == k
    assert mk.content_hash(again) == mk.content_hash(k)


@given(kitchens())
def test_toml_round_trip_is_lossless_or_refused_naming_the_field(k: Kitchen) -> None:
    if _holds_null(mk.to_dict(k)):
        with pytest.raises(mk.ValidationError) as info:
            mk.dumps(k, "toml")
        assert all(message.startswith("TOML cannot hold null") for _, message in info.value.errors)
        assert all(path for path, _ in info.value.errors)
        return
    again = mk.loads(mk.dumps(k, "toml"), Kitchen, "toml")
    assert again == k
    assert mk.content_hash(again) == mk.content_hash(k)


@given(kitchens(free=json_objects().filter(lambda d: not _holds_null(d))))
def test_the_hash_is_the_same_from_json_and_from_toml(k: Kitchen) -> None:
    if _holds_null(mk.to_dict(k)):
        return
    from_json = mk.loads(mk.dumps(k, "json"), Kitchen, "json")
    from_toml = mk.loads(mk.dumps(k, "toml"), Kitchen, "toml")
    assert mk.content_hash(from_json) == mk.content_hash(from_toml) == mk.content_hash(k)


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@given(kitchens(), st.randoms())
def test_key_order_of_the_document_never_moves_the_hash(k: Kitchen, rng: random.Random) -> None:
    doc = json.loads(mk.dumps(k))
    again = mk.from_dict(_shuffled(doc, rng), Kitchen)
    assert again == k
    assert mk.content_hash(again) == mk.content_hash(k)
    assert mk.canonical_json(_shuffled(doc, rng)) == mk.canonical_json(doc)


@given(smalls())
def test_integer_versioned_documents_round_trip(s: Small) -> None:
    for fmt in ("json", "toml"):
        assert mk.loads(mk.dumps(s, fmt), Small, fmt) == s


@given(caches(), json_objects().filter(lambda d: not _holds_null(d)))
def test_preserved_fields_survive_both_formats(cache: Cache, extra: dict[str, Any]) -> None:
    extra = {f"x_{k}": v for k, v in extra.items()}
    doc = {**mk.to_dict(cache), **extra}
    c = mk.from_dict(doc, Cache)
    for fmt in ("json", "toml"):
        again = mk.loads(mk.dumps(c, fmt), Cache, fmt)
        assert again == c
        assert mk.to_dict(again) == doc
