"""Realistic mesokit AcquisitionManifest documents of any size, the same for every peer.

A document is what mesofield writes when a session ends (as mesokit-schema
1.1.0 dumps it: every field present, ``null`` where a value is absent),
with ``n`` producers cycling through the devices of a mesoscope rig: a
widefield camera with frame-metadata and mask sidecars, a pupil camera, a
wheel encoder and a treadmill that push rows to the dataqueue (tagged-string
and dict payloads), a DAQ sampling TTL lines, and a stimulus program. Each
producer has its own time basis, a calibration bag of numbers, strings,
lists and nested tables, and 0-3 sidecars; the manifest has an ``extra``
bag with the rig's configuration. About 87 KB of JSON at 100 producers.

Everything is deterministic: the same ``n`` gives the same bytes, on every
Python. Values are chosen so that every peer (manifestkit, mesokit-schema's
pydantic models, the msgspec model, tomli-w) can hold them: no nulls inside
free-form bags, integers within 64 bits, finite floats.

    from documents import acquisition_document, acquisition_json
    doc = acquisition_document(100)     # plain dict
    data = acquisition_json(100)        # the same as compact JSON bytes
"""

from __future__ import annotations

from typing import Any

import orjson

STARTED_AT = "2026-05-14T10:00:00Z"
ENDED_AT = "2026-05-14T11:02:37.250000Z"
SUBJECT = "STREHAB07"
SESSION = "03"
TASK = "widefield"


def _prefix(i: int) -> str:
    return f"sub-{SUBJECT}_ses-{SESSION}_task-{TASK}_run-{i // 6 + 1:03d}"


def _folder(kind: str) -> str:
    return f"data/sub-{SUBJECT}/ses-{SESSION}/{kind}"


def _time_basis(
    clock: str, i: int, *, epoch: float | None = None, offset: float = 0.0, text: str | None = None
) -> dict[str, Any]:
    return {
        "clock_source": clock,
        "units": "seconds",
        "epoch_unix_s": None if epoch is None else epoch + i * 0.125,
        "known_offset_s": offset,
        "description": text,
    }


def _producer(
    i: int,
    *,
    device_id: str,
    device_type: str,
    data_type: str,
    bids_type: str | None,
    file_type: str,
    output_path: str,
    metadata_path: str | None = None,
    sampling_rate_hz: float | None = None,
    time_basis: dict[str, Any],
    calibration: dict[str, Any],
    sidecars: list[dict[str, Any]] | None = None,
    dataqueue_schema: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "device_id": f"{device_id}{i:05d}",
        "device_type": device_type,
        "data_type": data_type,
        "bids_type": bids_type,
        "file_type": file_type,
        "output_path": output_path,
        "metadata_path": metadata_path,
        "sampling_rate_hz": sampling_rate_hz,
        "time_basis": time_basis,
        "calibration": {
            **calibration,
            "serial": f"{device_type[:3].upper()}-{7919 * i % 100_000:05d}",
            "calibrated_on": "2026-04-30",
            "firmware": "2.4.1",
        },
        "sidecars": sidecars or [],
        "dataqueue_schema": dataqueue_schema,
    }


def _sidecar(
    path: str, role: str, version: str | None = None, text: str | None = None
) -> dict[str, Any]:
    return {"path": path, "role": role, "schema_version": version, "description": text}


def _widefield(i: int) -> dict[str, Any]:
    out = f"{_folder('func')}/{_prefix(i)}_meso.ome.tiff"
    return _producer(
        i,
        device_id="meso",
        device_type="MMCamera",
        data_type="meso_metadata",
        bids_type="func",
        file_type="ome.tiff",
        output_path=out,
        metadata_path=out + "_frame_metadata.json",
        sampling_rate_hz=49.8,
        time_basis=_time_basis(
            "micromanager_core", i, epoch=1778752800.031, text="Core timestamps of each frame."
        ),
        calibration={
            "pixel_size_um": 6.5,
            "binning": 4,
            "exposure_ms": 20.0,
            "roi": [0, 0, 512, 512],
            "objective": {"name": "Plan Apo 0.63x", "magnification": 0.63, "na": 0.125},
        },
        sidecars=[
            _sidecar(out + "_frame_metadata.json", "frame_metadata", "2.0", "Per-frame metadata."),
            _sidecar(f"{_folder('func')}/{_prefix(i)}_mask.png", "mask"),
        ],
    )


def _pupil(i: int) -> dict[str, Any]:
    out = f"{_folder('beh')}/{_prefix(i)}_pupil.mp4"
    return _producer(
        i,
        device_id="pupil",
        device_type="OpenCVCamera",
        data_type="pupil",
        bids_type="beh",
        file_type="mp4",
        output_path=out,
        sampling_rate_hz=30.0,
        time_basis=_time_basis("wall_unix_s", i, offset=-0.0125),
        calibration={"fourcc": "mp4v", "resolution": [640, 480], "gain_db": 3.5},
        sidecars=[_sidecar(f"{_folder('beh')}/{_prefix(i)}_pupil_timestamps.csv", "timestamps")],
    )


def _wheel(i: int) -> dict[str, Any]:
    return _producer(
        i,
        device_id="encoder",
        device_type="SerialWorker",
        data_type="wheel",
        bids_type="beh",
        file_type="csv",
        output_path=f"{_folder('beh')}/{_prefix(i)}_wheel.csv",
        sampling_rate_hz=1000.0,
        time_basis=_time_basis("monotonic_s", i, epoch=1778752799.8765),
        calibration={"cpr": 2400, "diameter_mm": 152.4, "port": "COM4", "baud": 57600},
        dataqueue_schema={
            "device_id": f"encoder{i:05d}",
            "payload_format": "tagged_string",
            "payload_fields": {"clicks": r"clicks=(-?\d+)", "timestamp": r"timestamp=(\d+)"},
            "description": "EncoderData lines from the Arduino.",
        },
    )


def _treadmill(i: int) -> dict[str, Any]:
    return _producer(
        i,
        device_id="treadmill",
        device_type="SerialWorker",
        data_type="treadmill",
        bids_type="beh",
        file_type="csv",
        output_path=f"{_folder('beh')}/{_prefix(i)}_treadmill.csv",
        time_basis=_time_basis("wall_unix_s", i),
        calibration={"belt_length_cm": 157.0, "smoothing": {"window": 5, "kind": "median"}},
        sidecars=[],
        dataqueue_schema={
            "device_id": f"treadmill{i:05d}",
            "payload_format": "dict",
            "payload_fields": {"distance": "float", "speed": "float", "device_us": "int"},
            "description": None,
        },
    )


def _daq(i: int) -> dict[str, Any]:
    return _producer(
        i,
        device_id="nidaq",
        device_type="NIDAQ",
        data_type="nidaq",
        bids_type=None,
        file_type="tdms",
        output_path=f"{_folder('beh')}/{_prefix(i)}_nidaq.tdms",
        sampling_rate_hz=5000.0,
        time_basis=_time_basis(
            "hardware_ttl", i, epoch=1778752800.0, text="Counter of the camera's exposure TTL."
        ),
        calibration={
            "channels": ["ai0", "ai1", "ctr0"],
            "voltage_range": [-10.0, 10.0],
            "terminal": "RSE",
        },
        sidecars=[
            _sidecar(f"{_folder('beh')}/{_prefix(i)}_nidaq_channels.json", "channels", "1"),
        ],
    )


def _stimulus(i: int) -> dict[str, Any]:
    return _producer(
        i,
        device_id="psychopy",
        device_type="PsychoPy",
        data_type="psychopy",
        bids_type="beh",
        file_type="csv",
        output_path=f"{_folder('beh')}/{_prefix(i)}_events.csv",
        time_basis=_time_basis("derived", i, text="Flip times, aligned to the camera's clock."),
        calibration={"monitor": "Dell U2415", "distance_cm": 25.0, "gamma": 2.2, "size_px": 1920},
        sidecars=[
            _sidecar(f"{_folder('beh')}/{_prefix(i)}_events.json", "events_sidecar", "1.3"),
            _sidecar(f"{_folder('beh')}/{_prefix(i)}_stimuli.zip", "stimuli", None, "Images."),
        ],
    )


_DEVICES = (_widefield, _pupil, _wheel, _treadmill, _daq, _stimulus)


def acquisition_document(n: int) -> dict[str, Any]:
    """An AcquisitionManifest with ``n`` producers, as plain JSON data (every field present)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return {
        "schema_version": "1.1.0",
        "mesofield_version": "0.9.3",
        "acquisition_complete": True,
        "started_at": STARTED_AT,
        "ended_at": ENDED_AT,
        "session": {
            "subject": SUBJECT,
            "session": SESSION,
            "task": TASK,
            "experimenter": "Jacob",
            "protocol": "wf-treadmill-v2",
        },
        "producers": [_DEVICES[i % len(_DEVICES)](i) for i in range(n)],
        "notes": "Widefield GCaMP6s, 470/405 nm interleaved; 6.5 µm pixels. Mouse ran well.",
        "extra": {
            "rig": "mesoscope-2",
            "config_path": "C:/mesofield/configs/wf-treadmill.yaml",
            "led": {"pattern": [470, 405], "power_mw": [4.2, 3.1], "interleaved": True},
            "git": {"commit": "3f2a9c1d5e7b8a604f1e2d3c4b5a69788796a5b4", "dirty": False},
            "duration_s": 3757.25,
            "frames_dropped": 0,
        },
    }


def acquisition_json(n: int) -> bytes:
    """The same document as compact JSON bytes (what every peer decodes)."""
    return orjson.dumps(acquisition_document(n))


if __name__ == "__main__":
    for size in (3, 100, 2_000, 10_000):
        print(f"{size:6d} producers: {len(acquisition_json(size)):10,d} bytes of JSON")
