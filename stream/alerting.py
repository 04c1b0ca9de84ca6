"""Windowed alerting glue: scored tweets -> per-scope window deltas -> closed windows -> alerts.

Pure functions over JSON-able state (no Faust). Windows are in event time (`created_at`):
tumbling windows of `window_size_s` feed the bad-buzz rule; hopping windows of
`window_hopping_size_s`, advanced every tumbling window, are merged from the last tumbling
windows and feed the drift rules (global scope only). A window closes when the scope's
watermark (latest event time minus the allowed lateness) passes its end; data for a window
that has already closed is rejected as late and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stream.drift import DriftConfig, DriftReading, DriftReference, DriftState, evaluate_drift
from stream.records import Alert, ScoredTweet
from stream.rules import BuzzConfig, BuzzState, evaluate_buzz
from stream.scopes import GLOBAL
from stream.settings import Settings
from stream.windows import EventClock, WindowStats, tumbling_start

OOV_SCALE = 1000  # a tweet's OOV rate is counted as oov_tokens per OOV_SCALE tokens


@dataclass(frozen=True)
class WindowConfig:
    size_s: float
    hops: int  # tumbling windows per hopping window
    lateness_s: float
    max_future_s: float
    bins: int
    buzz: BuzzConfig
    drift: DriftConfig

    @classmethod
    def from_settings(cls, settings: Settings) -> WindowConfig:
        hops = round(settings.window_hopping_size_s / settings.window_size_s)
        return cls(
            size_s=settings.window_size_s,
            hops=max(1, hops),
            lateness_s=settings.window_allowed_lateness_s,
            max_future_s=settings.window_max_future_s,
            bins=settings.window_histogram_bins,
            buzz=BuzzConfig.from_settings(settings),
            drift=DriftConfig.from_settings(settings),
        )


@dataclass
class Delta:
    """What one micro-batch adds to one scope's tumbling window."""

    scope: str
    start: float
    stats: WindowStats
    max_ts: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "start": self.start,
            "stats": self.stats.to_dict(),
            "max_ts": self.max_ts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Delta:
        return cls(
            data["scope"], data["start"], WindowStats.from_dict(data["stats"]), data["max_ts"]
        )


def deltas_of(
    tweets: Sequence[ScoredTweet], scopes: Sequence[Sequence[str]], config: WindowConfig
) -> list[Delta]:
    """Aggregate a batch of scored tweets per (scope, tumbling window); `scopes[i]` are
    the scopes of `tweets[i]`."""
    grouped: dict[tuple[str, float], Delta] = {}
    for tweet, tweet_scopes in zip(tweets, scopes, strict=True):
        ts = tweet.created_at.timestamp()
        start = tumbling_start(ts, config.size_s)
        tokens = OOV_SCALE if tweet.oov_rate is not None else 0
        oov = round((tweet.oov_rate or 0.0) * tokens)
        for scope in tweet_scopes:
            empty = Delta(scope, start, WindowStats.empty(config.bins), ts)
            delta = grouped.setdefault((scope, start), empty)
            delta.stats.add(tweet.score, tweet.label, tokens, oov)
            delta.max_ts = max(delta.max_ts, ts)
    return list(grouped.values())


@dataclass
class ScopeState:
    """One scope: its event clock, open windows, recent closed windows and rule states."""

    clock: EventClock
    open: dict[float, WindowStats] = field(default_factory=dict)
    closed: list[tuple[float, WindowStats]] = field(default_factory=list)
    buzz: BuzzState = field(default_factory=BuzzState)
    drift: DriftState = field(default_factory=DriftState)

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
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScopeState:
        return cls(
            EventClock.from_dict(data["clock"]),
            {start: WindowStats.from_dict(s) for start, s in data["open"]},
            [(start, WindowStats.from_dict(s)) for start, s in data["closed"]],
            BuzzState.from_dict(data["buzz"]),
            DriftState.from_dict(data["drift"]),
        )


def admit(state: ScopeState, delta: Delta, config: WindowConfig, now: float) -> str | None:
    """Merge a delta into its open window; return the rejection reason if it is late/future."""
    end = delta.start + config.size_s
    if state.clock.is_final(end):
        return f"late: window [{delta.start:.0f}, {end:.0f}) already closed"
    clock, reason = state.clock.admit(delta.max_ts, now)
    if reason and reason.startswith("future"):
        return reason
    state.clock = clock
    current = state.open.get(delta.start, WindowStats.empty(config.bins))
    state.open[delta.start] = current.merge(delta.stats)
    return None


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
    """Close every window the watermark has passed, oldest first; evaluate the rules."""
    closed, alerts = [], []
    for start in sorted(s for s in state.open if state.clock.is_final(s + config.size_s)):
        stats, end = state.open.pop(start), start + config.size_s
        state.buzz, alert = evaluate_buzz(state.buzz, stats, scope, start, end, config.buzz)
        alerts += [alert] if alert else []
        state.closed = [*state.closed, (start, stats)][-config.hops :]
        reading = None
        if scope == GLOBAL and reference is not None:
            reading, drift_alerts = _drift(state, scope, end, config, reference)
            alerts += drift_alerts
        closed.append(ClosedWindow(scope, start, end, stats, reading))
    return closed, alerts


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
