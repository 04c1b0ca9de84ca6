"""Windowed alerting glue: scored tweets -> per-scope window deltas -> closed windows -> alerts.

Pure functions over JSON-able state (no Faust). Windows are in event time (`created_at`):
tumbling windows of `windows.size_s` feed the bad-buzz rule; hopping windows of
`windows.hopping_size_s`, advanced every tumbling window, are merged from the last tumbling
windows and feed the drift rules (global scope only). A window closes when the scope's
watermark (latest event time minus the allowed lateness) passes its end; data for a window
that has already closed is rejected as late and counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stream.alerts.buzz import BuzzConfig, BuzzState, evaluate_buzz
from stream.alerts.drift import (
    DriftConfig,
    DriftReading,
    DriftReference,
    DriftState,
    evaluate_drift,
)
from stream.alerts.scopes import GLOBAL
from stream.alerts.windows import EventClock, WindowStats, tumbling_start
from stream.records import Alert, ScoredTweet

OOV_SCALE = 1000  # a tweet's OOV rate is counted as oov_tokens per OOV_SCALE tokens


class WindowSettings(BaseModel):
    """`Settings.windows`, read from `AIRPARADIS_WINDOW_<FIELD>`; `WindowConfig.of` uses it."""

    model_config = ConfigDict(frozen=True)

    size_s: float = Field(60.0, gt=0)  # tumbling windows: bad buzz, gauges
    hopping_size_s: float = Field(900.0, gt=0)  # drift windows, advanced every tumbling one
    allowed_lateness_s: float = Field(60.0, ge=0)  # older events are rejected as late
    max_future_s: float = Field(300.0, ge=0)  # events this far past wall clock: rejected
    histogram_bins: int = Field(50, ge=2)  # score histogram bins (KS drift)
    idle_close_s: float = Field(60.0, gt=0)  # silent scope: event time runs with the clock
    tick_s: float = Field(5.0, gt=0)  # timer that closes windows of silent scopes


@dataclass(frozen=True)
class WindowConfig:
    size_s: float
    hops: int  # tumbling windows per hopping window
    lateness_s: float
    max_future_s: float
    bins: int
    buzz: BuzzConfig
    drift: DriftConfig
    idle_s: float  # silence after which a scope's event time runs with the clock

    @classmethod
    def of(cls, windows: WindowSettings, buzz: BuzzConfig, drift: DriftConfig) -> WindowConfig:
        return cls(
            size_s=windows.size_s,
            hops=max(1, round(windows.hopping_size_s / windows.size_s)),
            lateness_s=windows.allowed_lateness_s,
            max_future_s=windows.max_future_s,
            bins=windows.histogram_bins,
            buzz=buzz,
            drift=drift,
            idle_s=windows.idle_close_s,
        )


Entry = tuple[int, float, float, int, int]  # offset, event time, score, negative (0/1), OOV


@dataclass
class Delta:
    """What one batch adds to one scope from one source (raw-topic) partition.

    One entry per tweet, in offset order, so that a replayed or differently batched range
    applies only the offsets the scope has not applied yet (`ScopeState.applied`).
    `oov` is the tweet's OOV tokens per `OOV_SCALE` tokens, or -1 without token counts.
    """

    scope: str
    partition: int
    entries: list[Entry]

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "partition": self.partition, "entries": self.entries}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Delta:
        return cls(data["scope"], data["partition"], [tuple(e) for e in data["entries"]])


def event_time(tweet: ScoredTweet, broker_ts: float | None) -> float:
    """`created_at`, but never after the record's Kafka timestamp: a producer's bad clock
    (a tweet dated minutes ahead) cannot push a scope's watermark past real time."""
    ts = tweet.created_at.timestamp()
    return ts if broker_ts is None or broker_ts <= 0 else min(ts, broker_ts)


def deltas_of(
    tweets: Sequence[ScoredTweet],
    scopes: Sequence[Sequence[str]],
    sources: Sequence[tuple[int, int, float | None]],
) -> list[Delta]:
    """Group a batch per (scope, source partition); `scopes[i]` are the scopes of
    `tweets[i]` and `sources[i]` its (partition, offset, Kafka timestamp)."""
    grouped: dict[tuple[str, int], Delta] = {}
    for tweet, tweet_scopes, (partition, offset, broker_ts) in zip(
        tweets, scopes, sources, strict=True
    ):
        oov = -1 if tweet.oov_rate is None else round(tweet.oov_rate * OOV_SCALE)
        negative = int(tweet.label == "negative")
        ts, score = round(event_time(tweet, broker_ts), 3), round(tweet.score, 6)
        entry = (offset, ts, score, negative, oov)
        for scope in tweet_scopes:
            delta = grouped.setdefault((scope, partition), Delta(scope, partition, []))
            delta.entries.append(entry)
    return list(grouped.values())


@dataclass
class ScopeState:
    """One scope: its event clock, open windows, recent closed windows and rule states.

    `applied` is the last source offset applied per raw-topic partition (replays below it
    are skipped). `source_latest`/`source_seen` are each source partition's latest event time
    and the wall time of its last delta: the clock follows the slowest source heard from in
    the last `idle_s`, so a partition paused by a rebalance or read late after an outage
    holds windows open instead of seeing its tweets rejected as late. `arrived_at`/
    `event_at_arrival` (wall time of the last delta, latest event time then) let the clock
    run on while the scope is silent; `evaluated_end` is the end of the last window the
    rules saw; `partition` is the internal topic partition holding the scope.
    """

    clock: EventClock
    open: dict[float, WindowStats] = field(default_factory=dict)
    closed: list[tuple[float, WindowStats]] = field(default_factory=list)
    buzz: BuzzState = field(default_factory=BuzzState)
    drift: DriftState = field(default_factory=DriftState)
    applied: dict[int, int] = field(default_factory=dict)
    source_latest: dict[int, float] = field(default_factory=dict)
    source_seen: dict[int, float] = field(default_factory=dict)
    arrived_at: float | None = None
    event_at_arrival: float | None = None
    evaluated_end: float | None = None
    partition: int | None = None

    @classmethod
    def new(cls, config: WindowConfig) -> ScopeState:
        return cls(EventClock(config.lateness_s, config.max_future_s))

    def to_dict(self) -> dict[str, Any]:
        return {
            "clock": self.clock.to_dict(),
            "open": [[start, stats.to_dict()] for start, stats in self.open.items()],
            "closed": [[start, stats.to_dict()] for start, stats in self.closed],
            "buzz": self.buzz.to_dict(),
            "drift": self.drift.to_dict(),
            "applied": [[p, offset] for p, offset in self.applied.items()],
            "source_latest": [[p, ts] for p, ts in self.source_latest.items()],
            "source_seen": [[p, at] for p, at in self.source_seen.items()],
            "arrived_at": self.arrived_at,
            "event_at_arrival": self.event_at_arrival,
            "evaluated_end": self.evaluated_end,
            "partition": self.partition,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScopeState:
        return cls(
            EventClock.from_dict(data["clock"]),
            {start: WindowStats.from_dict(s) for start, s in data["open"]},
            [(start, WindowStats.from_dict(s)) for start, s in data["closed"]],
            BuzzState.from_dict(data["buzz"]),
            DriftState.from_dict(data["drift"]),
            {p: offset for p, offset in data.get("applied", [])},
            {p: ts for p, ts in data.get("source_latest", [])},
            {p: at for p, at in data.get("source_seen", [])},
            data.get("arrived_at"),
            data.get("event_at_arrival"),
            data.get("evaluated_end"),
            data.get("partition"),
        )


@dataclass
class Admitted:
    """What `admit` did with a delta's entries."""

    accepted: int = 0
    replayed: int = 0  # already applied (a replay after a crash or a rebalance): skipped
    rejected: list[str] = field(default_factory=list)  # reasons (late, future), one per tweet


def admit(
    state: ScopeState, delta: Delta, config: WindowConfig, now: float, sources: int = 1
) -> Admitted:
    """Merge the delta's not-yet-applied entries into their open windows; `sources` is
    the number of source (raw-topic) partitions."""
    done, applied = Admitted(), state.applied.get(delta.partition, -1)
    clock, latest = state.clock, state.clock.max_event_time
    source_latest = state.source_latest.get(delta.partition)
    for offset, ts, score, negative, oov in delta.entries:
        if offset <= applied:
            done.replayed += 1
            continue
        applied = offset
        start = tumbling_start(ts, config.size_s)
        reason = _closed(start, latest, config) or clock.rejection(ts, now, latest)
        if reason:
            done.rejected.append(reason)
            continue
        source_latest = ts if source_latest is None else max(source_latest, ts)
        if (stats := state.open.get(start)) is None:
            stats = state.open[start] = WindowStats.empty(config.bins)
        tokens = 0 if oov < 0 else OOV_SCALE
        stats.add(score, "negative" if negative else "positive", tokens, max(oov, 0))
        done.accepted += 1
    state.applied[delta.partition] = applied
    if source_latest is not None:
        state.source_latest[delta.partition] = source_latest
    state.source_seen[delta.partition] = now
    latest = _slowest_active(state, now, config.idle_s, sources)
    state.clock = replace(clock, max_event_time=latest)
    state.arrived_at = now
    state.event_at_arrival = max(state.source_latest.values(), default=state.clock.max_event_time)
    return done


def _slowest_active(state: ScopeState, now: float, idle_s: float, sources: int) -> float | None:
    """The scope's latest event time: that of its slowest source partition heard from in
    the last `idle_s` (a watermark never moves back). For `idle_s` after the scope's first
    delta, a partition not heard from yet holds it too (its tweets may be on their way)."""
    current = state.clock.max_event_time
    born = min(state.source_seen.values(), default=now)
    if now - born <= idle_s and any(p not in state.source_seen for p in range(sources)):
        return current
    active = [
        latest for p, latest in state.source_latest.items()
        if now - state.source_seen.get(p, -math.inf) <= idle_s
    ]  # fmt: skip
    if not active:
        return current
    return min(active) if current is None else max(current, min(active))


def _closed(start: float, latest: float | None, config: WindowConfig) -> str | None:
    """The late reason when the window at `start` is final (as `EventClock.is_final`)."""
    end = start + config.size_s
    if latest is not None and latest - config.lateness_s >= end:
        return f"late: window [{start:.0f}, {end:.0f}) already closed"
    return None


def advance_idle(
    state: ScopeState, now: float, idle_s: float, observed_since: float = -math.inf
) -> bool:
    """Let a silent scope's event time run with the wall clock (from `idle_s` of silence),
    so its windows close and its incidents resolve without new data. True if it moved.

    Silence counts from `observed_since` at the earliest (when this worker got the scope's
    partition, or when the stream flowed again after an outage): a worker restarted after
    a long stop, or a broker back after one, does not jump the clock by the downtime before
    the backlog written meanwhile has reached the scope.
    """
    if state.arrived_at is None or state.event_at_arrival is None:
        return False
    silent = now - max(state.arrived_at, observed_since)
    target = state.event_at_arrival + silent
    current = state.clock.max_event_time
    if silent < idle_s or (current is not None and target <= current):
        return False
    state.clock = replace(state.clock, max_event_time=target)
    return True


@dataclass(frozen=True)
class ClosedWindow:
    scope: str
    start: float
    end: float
    stats: WindowStats
    drift: DriftReading | None = None


def close_final(
    state: ScopeState, scope: str, config: WindowConfig, reference: DriftReference | None
) -> tuple[list[ClosedWindow], list[Alert]]:
    """Close every window the watermark has passed, oldest first; evaluate the rules.
    While a bad-buzz incident is open, windows without data count too (as quiet ones)."""
    closed, alerts = [], []
    while (start := _next_final(state, config)) is not None:
        end = start + config.size_s
        stats = state.open.pop(start, None) or WindowStats.empty(config.bins)
        state.buzz, alert = evaluate_buzz(state.buzz, stats, scope, start, end, config.buzz)
        alerts += [alert] if alert else []
        state.closed = [*state.closed, (start, stats)][-config.hops :]
        state.evaluated_end = end
        reading = None
        if scope == GLOBAL and reference is not None:
            reading, drift_alerts = _drift(state, scope, end, config, reference)
            alerts += drift_alerts
        closed.append(ClosedWindow(scope, start, end, stats, reading))
    return closed, alerts


def _next_final(state: ScopeState, config: WindowConfig) -> float | None:
    """Start of the oldest window to close now: one with data, or (incident open) the
    empty one after the last evaluated window."""
    starts = [s for s in state.open if state.clock.is_final(s + config.size_s)]
    gap = state.evaluated_end
    open_incident = state.buzz.incident.is_open and gap is not None
    if open_incident and gap is not None and state.clock.is_final(gap + config.size_s):
        starts.append(gap)
    return min(starts, default=None)


def _drift(
    state: ScopeState, scope: str, end: float, config: WindowConfig, reference: DriftReference
) -> tuple[DriftReading | None, list[Alert]]:
    """Drift rules on the hopping window ending at `end` (merged recent tumbling windows)."""
    start = end - config.hops * config.size_s
    hop = WindowStats.empty(config.bins)
    for window_start, stats in state.closed:
        if window_start >= start:
            hop = hop.merge(stats)
    state.drift, reading, alerts = evaluate_drift(
        state.drift, hop, reference, scope, start, end, config.drift
    )
    return reading, alerts
