"""mesokit_content_hash reproduces mesokit-schema's own content_hash().

The round trips in test_mesokit.py check it for every generated document read
from JSON and from TOML; here: date-times, the classes without the method, and
0.4 documents hashed as stored.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from datetime import date, datetime
from typing import Any

import mesokit_schema as ms
import pytest
from hypothesis import given
from hypothesis import strategies as st

import manifestkit as mk
from manifestkit import _formats
from manifestkit.schemas import mesokit as mks
from manifestkit.schemas.mesokit._legacy import _digest, pydantic_datetime, stored_hash
from strategies import INT64, KEYS, rfc3339_datetimes
from strategies.mesokit import analysis_documents, documents, fewer, time_bases

HASHED: dict[str, tuple[type[Any], Any]] = {
    "acquisition": (mks.AcquisitionManifest, ms.AcquisitionManifest),
    "processing": (mks.ProcessingManifest, ms.ProcessingManifest),
    "dataset": (mks.DatasetManifest, ms.DatasetManifest),
}


def _definition(model: Any) -> str:
    """mesokit-schema's hash, as its documentation defines it, for models without the method."""
    text = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@given(rfc3339_datetimes())
def test_date_times_are_written_as_pydantic_writes_them(value: datetime) -> None:
    dumped = ms.ProcessingManifest(
        tool_name="t", tool_version="1", tool_invocation="t", built_at=value
    ).model_dump(mode="json")["built_at"]
    assert pydantic_datetime(value) == dumped


@given(analysis_documents(), time_bases())
def test_classes_without_the_method_hash_by_the_same_definition(
    analysis: dict[str, Any], basis: dict[str, Any]
) -> None:
    theirs = ms.AnalysisDeclaration.model_validate(analysis)
    assert mks.mesokit_content_hash(mk.from_dict(analysis, mks.AnalysisDeclaration)) == _definition(
        theirs
    )
    assert mks.mesokit_content_hash(mk.from_dict(basis, mks.TimeBasis)) == _definition(
        ms.TimeBasis.model_validate(basis)
    )


def test_the_two_flavours_differ_and_are_both_stable() -> None:
    path = pathlib.Path(__file__).parent / "data" / "mesokit" / "tree" / "data" / "sub-001"
    m = mk.read(path / "ses-1" / "manifest.json", mks.AcquisitionManifest)
    assert mks.mesokit_content_hash(m) != mk.content_hash(m)
    assert (
        mks.mesokit_content_hash(m)
        == ms.AcquisitionManifest.read(path / "ses-1" / "manifest.json").content_hash()
    )


def test_only_the_packs_classes_have_a_mesokit_hash() -> None:
    with pytest.raises(mk.ValidationError) as info:
        mks.mesokit_content_hash({"schema_version": "1.1.0"})
    assert str(info.value) == (
        "cannot compute the mesokit-schema hash: (document): "
        "expected a mesokit manifest or block, found a value of type dict"
    )


@pytest.mark.parametrize("kind", sorted(HASHED))
@fewer(0.25)
@given(data=st.data())
def test_a_0_4_file_hashes_as_stored_like_mesokit_schema_reads_it(
    kind: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ours_cls, theirs_cls = HASHED[kind]
    doc = theirs_cls.model_validate(data.draw(documents(kind))).model_dump(mode="json")
    doc["schema_version"] = "0.4.0"
    path = tmp_path_factory.mktemp("legacy") / "old.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    theirs = theirs_cls.model_validate_json(path.read_bytes())
    ours = mk.read(path, ours_cls)
    assert ours.schema_version == "1.0.0"
    assert stored_hash(ours, path) == theirs.content_hash()
    assert mks.mesokit_content_hash(ours) != theirs.content_hash()  # the migrated document


def test_a_0_4_document_in_toml_hashes_as_stored(tmp_path: pathlib.Path) -> None:
    source = pathlib.Path(__file__).parent / "data" / "mesokit" / "acquisition.toml"
    text = source.read_text(encoding="utf-8").replace('"1.1.0"', '"0.4.0"', 1)
    path = tmp_path / "old.toml"
    path.write_text(text, encoding="utf-8")
    m = mk.read(path, mks.AcquisitionManifest)
    assert m.schema_version == "1.0.0"
    expected = ms.AcquisitionManifest.model_validate_json(
        json.dumps({**json.loads(mk.dumps(m)), "schema_version": "0.4.0"})
    ).content_hash()
    assert stored_hash(m, path) == expected


def test_a_stored_version_that_cannot_be_read_leaves_the_migrated_hash(
    tmp_path: pathlib.Path,
) -> None:
    source = pathlib.Path(__file__).parent / "data" / "mesokit" / "tree" / "data" / "sub-002"
    m = mk.read(source / "ses-1" / "manifest.json", mks.AcquisitionManifest)
    assert m.schema_version == "1.0.0"
    assert stored_hash(m, tmp_path / "gone.json") == mks.mesokit_content_hash(m)
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    assert stored_hash(m, tmp_path / "list.json") == mks.mesokit_content_hash(m)


class _Unreadable:
    """A plug-in format whose reader raises its own exception."""

    name = "unreadable"
    extensions = (".unreadable",)

    def dumps(self, data: object) -> bytes:
        return json.dumps(data).encode()

    def loads(self, data: bytes) -> object:  # noqa: ARG002 - the protocol's signature
        raise KeyError("schema_version")


def test_a_plug_in_formats_own_error_leaves_the_migrated_hash(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_formats, "_FORMATS", dict(_formats._FORMATS))
    mk.register_format(_Unreadable())
    source = pathlib.Path(__file__).parent / "data" / "mesokit" / "tree" / "data" / "sub-002"
    m = mk.read(source / "ses-1" / "manifest.json", mks.AcquisitionManifest)
    path = tmp_path / "manifest.unreadable"
    path.write_bytes((source / "ses-1" / "manifest.json").read_bytes())
    assert m.schema_version == "1.0.0"
    assert stored_hash(m, path) == mks.mesokit_content_hash(m)


def test_a_date_a_newer_minor_added_in_toml_is_hashed_as_iso_text() -> None:
    toml = (
        b'schema_version = "1.3.0"\ndatakit_version = "1"\nbuilt_at = 2026-05-14T11:00:00Z\n'
        b'data_file = "data.parquet"\ndata_content_hash = "00"\ncalibrated_on = 2026-05-02\n'
        b'[time_basis]\nclock_source = "derived"\n'
    )
    m = mk.loads(toml, mks.DatasetManifest, "toml")
    assert mk.unknown_fields(m) == {"calibrated_on": date(2026, 5, 2)}
    known = json.loads(mk.dumps(m))
    del known["calibrated_on"]  # mesokit-schema 1.1 does not know it: hash it beside the rest
    doc = ms.DatasetManifest.model_validate(known).model_dump(mode="json")
    doc["calibrated_on"] = "2026-05-02"
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    assert mks.mesokit_content_hash(m) == hashlib.sha256(text.encode()).hexdigest()


PLAIN_FOR_HASH = st.recursive(
    st.none()
    | st.booleans()
    | INT64
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-5, -2.5e-7, 1e-4, 1e16, 1e21, 0.00012, 5e-324])
    | st.text(st.characters(codec="utf-8"), max_size=8)
    | st.sampled_from(["\x7f", "a:0.00001", ",1e-7", "\u00e9", "\U0001f600", '"\\'])
    | rfc3339_datetimes(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(KEYS, PLAIN_FOR_HASH, max_size=4))
def test_the_fast_digest_writes_what_the_standard_library_writes(data: dict[str, Any]) -> None:
    # The digest is taken over orjson's bytes when they equal json.dumps's, else json.dumps's.
    def text(v: Any) -> str:
        return pydantic_datetime(v) if isinstance(v, datetime) else v.isoformat()

    expected = json.dumps(data, sort_keys=True, separators=(",", ":"), default=text)
    assert _digest(data) == hashlib.sha256(expected.encode("utf-8")).hexdigest()


def test_numbers_the_two_serialisers_write_differently_take_the_standard_path() -> None:
    for value, written in ((1e-5, "1e-05"), (2.5e-7, "2.5e-07"), (0.00012, "0.00012")):
        expected = hashlib.sha256(f'{{"x":{written}}}'.encode()).hexdigest()
        assert _digest({"x": value}) == expected
