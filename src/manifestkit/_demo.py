"""A small sample manifest for ``manifestkit demo`` (imported only by the command line)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from ._model import block, field, manifest

__all__ = ["Channel", "DemoSession", "sample"]


@block
class Channel:
    """One recorded channel."""

    name: str = field(description="Channel name as the acquisition software calls it.")
    unit: str = field(description="Physical unit of the samples.")
    sampling_rate_hz: float = field(description="Samples per second.", unit="Hz")
    clock: Literal["wall", "monotonic", "hardware"] = field(
        default="wall", description="Clock that stamps the samples."
    )


@manifest("manifestkit.demo", version="1.0", filenames=("session.json", "session.toml"))
class DemoSession:
    """What an acquisition program might write at the end of a session."""

    subject: str = field(description="Subject identifier.")
    session: str = field(description="Session identifier.")
    started_at: datetime = field(description="When acquisition started.")
    channels: list[Channel] = field(factory=list, description="Channels recorded.")
    notes: str | None = field(default=None, description="Free text from the operator.")
    extra: dict[str, Any] = field(factory=dict, description="Anything else, as JSON values.")


def sample() -> DemoSession:
    """The sample session the quick start writes."""
    return DemoSession(
        subject="mouse-017",
        session="2026-11-21a",
        started_at=datetime(2026, 11, 21, 9, 30, 0, 250000, tzinfo=timezone.utc),
        channels=[
            Channel(name="wheel", unit="deg", sampling_rate_hz=1000),
            Channel(name="pupil", unit="px", sampling_rate_hz=30.0, clock="hardware"),
        ],
        extra={"rig": "B2", "temperature_c": 21.5},
    )
