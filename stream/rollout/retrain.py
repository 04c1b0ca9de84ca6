"""Retraining that starts itself: the debounce of requests from alerts and the schedule.

Pure: `request` takes the debounce state, a cause and the time, and returns the new state
with a `RetrainEvent` (`requested`, or `skipped` with the reason). At most one request is
in flight; two requests are at least `min_interval_s` apart; a request with no outcome
after `max_duration_s` is treated as lost. Every request, skip and outcome is an event
(the `retrain` topic), so an operator can see why a model changed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Literal

from pydantic import Field

from stream.records import Alert, Record
from stream.settings import RetrainConfig

TRIGGER_KINDS = ("accuracy", "drift")
EventKind = Literal["requested", "skipped", "succeeded", "failed"]


class RetrainEvent(Record):
    """`retrain` topic: a request to retrain, a skipped one, or the outcome of one."""

    event: EventKind
    request_id: str = Field(min_length=1)
    cause: str  # schedule, operator, alert:<kind>
    alert_id: str | None = None
    at: datetime
    detail: str = ""
    version: str | None = None  # the challenger a successful retrain registered


@dataclass(frozen=True)
class DebounceState:
    in_flight: str | None = None  # request id
    in_flight_since: datetime | None = None
    last_requested_at: datetime | None = None

    def to_json(self) -> str:
        return json.dumps({k: v.isoformat() if isinstance(v, datetime) else v
                           for k, v in asdict(self).items()})  # fmt: skip

    @classmethod
    def from_json(cls, raw: str) -> DebounceState:
        data = json.loads(raw)

        def when(key: str) -> datetime | None:
            return datetime.fromisoformat(data[key]) if data.get(key) else None

        return cls(data.get("in_flight"), when("in_flight_since"), when("last_requested_at"))


def cause_of(alert: Alert) -> str | None:
    """`alert:<kind>` for a raised accuracy or drift alert, else None (not a trigger)."""
    if alert.status == "raised" and alert.kind in TRIGGER_KINDS:
        return f"alert:{alert.kind}"
    return None


def request(
    state: DebounceState,
    cause: str,
    now: datetime,
    config: RetrainConfig,
    alert_id: str | None = None,
) -> tuple[DebounceState, RetrainEvent]:
    """A retrain request, or a skip saying why (one in flight, or too soon after the last)."""
    request_id = uuid.uuid4().hex
    reason = _why_not(state, now, config)
    if reason:
        skipped = RetrainEvent(
            event="skipped",
            request_id=request_id,
            cause=cause,
            alert_id=alert_id,
            at=now,
            detail=reason,
        )
        return state, skipped
    new = DebounceState(in_flight=request_id, in_flight_since=now, last_requested_at=now)
    event = RetrainEvent(
        event="requested", request_id=request_id, cause=cause, alert_id=alert_id, at=now
    )
    return new, event


def finish(
    state: DebounceState,
    request_id: str,
    ok: bool,
    now: datetime,
    detail: str = "",
    version: str | None = None,
) -> tuple[DebounceState, RetrainEvent]:
    """The outcome of a request; frees the slot when it is the one in flight."""
    cause = "outcome"
    new = (
        replace(state, in_flight=None, in_flight_since=None)
        if state.in_flight == request_id
        else state
    )
    event = RetrainEvent(
        event="succeeded" if ok else "failed",
        request_id=request_id,
        cause=cause,
        at=now,
        detail=detail,
        version=version,
    )
    return new, event


def _why_not(state: DebounceState, now: datetime, config: RetrainConfig) -> str:
    if state.in_flight and state.in_flight_since:
        running = (now - state.in_flight_since).total_seconds()
        if running < config.max_duration_s:
            return f"request {state.in_flight} in flight for {running:.0f}s"
    if state.last_requested_at:
        since = (now - state.last_requested_at).total_seconds()
        if since < config.min_interval_s and not _lost(state, now, config):
            return f"last request {since:.0f}s ago (< {config.min_interval_s:.0f}s)"
    return ""


def _lost(state: DebounceState, now: datetime, config: RetrainConfig) -> bool:
    """An in-flight request past its max duration: the slot is free again."""
    if state.in_flight is None or state.in_flight_since is None:
        return False
    return (now - state.in_flight_since).total_seconds() >= config.max_duration_s
