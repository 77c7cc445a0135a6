"""The mesokit AcquisitionManifest as msgspec Structs: the C-speed floor of the benchmark.

Field for field the classes of ``manifestkit.schemas.mesokit`` (and of
mesokit-schema 1.1.0): same names, types, defaults and literals. Strict like
ours: unknown fields are refused (``forbid_unknown_fields``) and decoding
with ``strict=True`` (msgspec's default) coerces nothing. Frozen, with
sequences as tuples, as ours are; defaults are omitted on encode, as our
wire form omits them, so both write the same fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

ClockSource = Literal["wall_unix_s", "micromanager_core", "monotonic_s", "hardware_ttl", "derived"]


class _Base(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


class TimeBasis(_Base):
    clock_source: ClockSource
    units: Literal["seconds"] = "seconds"
    epoch_unix_s: float | None = None
    known_offset_s: float = 0.0
    description: str | None = None


class SessionIdentity(_Base):
    subject: str
    session: str
    task: str | None = None
    experimenter: str | None = None
    protocol: str | None = None


class DataqueuePayloadSchema(_Base):
    device_id: str
    payload_format: Literal["scalar", "dict", "tagged_string"] = "scalar"
    payload_fields: dict[str, str] = msgspec.field(default_factory=dict)
    description: str | None = None


class SidecarEntry(_Base):
    path: str
    role: str
    schema_version: str | None = None
    description: str | None = None


class ProducerEntry(_Base):
    device_id: str
    device_type: str
    data_type: str
    file_type: str
    output_path: str
    time_basis: TimeBasis
    # msgspec wants required fields first; the wire form is keyed, so order is moot.
    bids_type: str | None = None
    metadata_path: str | None = None
    sampling_rate_hz: float | None = None
    calibration: dict[str, Any] = msgspec.field(default_factory=dict)
    sidecars: tuple[SidecarEntry, ...] = ()
    dataqueue_schema: DataqueuePayloadSchema | None = None


class AcquisitionManifest(_Base):
    mesofield_version: str
    acquisition_complete: bool
    started_at: datetime
    session: SessionIdentity
    producers: tuple[ProducerEntry, ...]
    schema_version: str = "1.1.0"
    ended_at: datetime | None = None
    notes: str | None = None
    extra: dict[str, Any] = msgspec.field(default_factory=dict)


DECODER = msgspec.json.Decoder(AcquisitionManifest, strict=True)
ENCODER = msgspec.json.Encoder()
SORTED_ENCODER = msgspec.json.Encoder(order="sorted")
