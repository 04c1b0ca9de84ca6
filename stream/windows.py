"""Event-time window statistics and the clock that decides when a window is final.

Times are epoch seconds (floats). `WindowStats` is JSON-able so it can live in a Faust
table; `EventClock` tracks the watermark (max event time seen minus allowed lateness):
events older than the watermark are rejected with a reason, and a window is final once
the watermark reaches its end, so an accepted event never lands in a final window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

DEFAULT_BINS = 50
LABELS = ("negative", "positive")


def _empty_histogram(bins: int) -> list[int]:
    if bins < 2:
        raise ValueError(f"histogram bins: need at least 2, got {bins}")
    return [0] * bins


@dataclass
class WindowStats:
    """Counts for one window and scope; `add` updates in place, `merge` returns a new one."""

    count: int = 0
    negative: int = 0
    positive: int = 0
    score_sum: float = 0.0
    histogram: list[int] = field(default_factory=lambda: _empty_histogram(DEFAULT_BINS))
    oov_tokens: int = 0
    tokens: int = 0

    @classmethod
    def empty(cls, bins: int = DEFAULT_BINS) -> WindowStats:
        return cls(histogram=_empty_histogram(bins))

    def add(self, score: float, label: str, tokens: int = 0, oov_tokens: int = 0) -> None:
        """Count one scored tweet; `tokens`/`oov_tokens` feed the OOV drift rate."""
        _check_tweet(score, label, tokens, oov_tokens)
        self.count += 1
        self.negative += label == "negative"
        self.positive += label == "positive"
        self.score_sum += score
        self.histogram[score_bin(score, len(self.histogram))] += 1
        self.tokens += tokens
        self.oov_tokens += oov_tokens

    def merge(self, other: WindowStats) -> WindowStats:
        if len(self.histogram) != len(other.histogram):
            raise ValueError(
                f"histogram: cannot merge {len(self.histogram)} bins with {len(other.histogram)}"
            )
        return WindowStats(
            count=self.count + other.count,
            negative=self.negative + other.negative,
            positive=self.positive + other.positive,
            score_sum=self.score_sum + other.score_sum,
            histogram=[a + b for a, b in zip(self.histogram, other.histogram, strict=True)],
            oov_tokens=self.oov_tokens + other.oov_tokens,
            tokens=self.tokens + other.tokens,
        )

    @property
    def negative_ratio(self) -> float:
        return self.negative / self.count if self.count else 0.0

    @property
    def positive_rate(self) -> float:
        return self.positive / self.count if self.count else 0.0

    @property
    def mean_score(self) -> float:
        return self.score_sum / self.count if self.count else 0.0

    @property
    def oov_rate(self) -> float | None:
        """OOV tokens over tokens; None when no token counts were given."""
        return self.oov_tokens / self.tokens if self.tokens else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "negative": self.negative,
            "positive": self.positive,
            "score_sum": self.score_sum,
            "histogram": list(self.histogram),
            "oov_tokens": self.oov_tokens,
            "tokens": self.tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WindowStats:
        missing = {"count", "negative", "positive", "score_sum", "histogram"} - data.keys()
        unknown = data.keys() - {"count", "negative", "positive", "score_sum", "histogram",
                                 "oov_tokens", "tokens"}  # fmt: skip
        if missing or unknown:
            raise ValueError(f"WindowStats: missing {sorted(missing)}, unknown {sorted(unknown)}")
        stats = cls(**{**data, "histogram": list(data["histogram"])})
        if sum(stats.histogram) != stats.count:
            raise ValueError(f"WindowStats: histogram total {sum(stats.histogram)} != count")
        return stats


def _check_tweet(score: float, label: str, tokens: int, oov_tokens: int) -> None:
    if not 0.0 <= score <= 1.0:  # also rejects NaN
        raise ValueError(f"score: must be within [0, 1], got {score!r}")
    if label not in LABELS:
        raise ValueError(f"label: must be one of {LABELS}, got {label!r}")
    if tokens < 0 or not 0 <= oov_tokens <= tokens:
        raise ValueError(f"oov_tokens: need 0 <= oov_tokens <= tokens, got {oov_tokens}/{tokens}")


def score_bin(score: float, bins: int) -> int:
    """Index of the fixed-width bin of [0, 1] holding `score` (1.0 goes in the last bin)."""
    return min(int(score * bins), bins - 1)


def tumbling_start(ts: float, size: float) -> float:
    """Start of the tumbling window of width `size` holding event time `ts`."""
    if size <= 0:
        raise ValueError(f"window size: must be positive, got {size}")
    return math.floor(ts / size) * size


def hopping_starts(ts: float, size: float, step: float) -> list[float]:
    """Starts (ascending) of every hopping window [start, start + size) holding `ts`."""
    if step <= 0 or size < step:
        raise ValueError(f"hopping window: need 0 < step <= size, got step={step} size={size}")
    latest = math.floor(ts / step) * step
    count = math.ceil(size / step)
    starts = (latest - k * step for k in range(count))
    return sorted(start for start in starts if start + size > ts)


@dataclass(frozen=True)
class EventClock:
    """Watermark of one stream: the latest event time seen minus the allowed lateness."""

    allowed_lateness_s: float
    max_future_s: float | None = None  # None: no check against the wall clock
    max_event_time: float | None = None  # None until the first event

    @property
    def watermark(self) -> float:
        if self.max_event_time is None:
            return -math.inf
        return self.max_event_time - self.allowed_lateness_s

    def admit(self, ts: float, now: float | None = None) -> tuple[EventClock, str | None]:
        """(new clock, None) for an accepted event; (same clock, reason) for a rejected one."""
        reason = self.rejection(ts, now)
        if reason:
            return self, reason
        latest = ts if self.max_event_time is None else max(self.max_event_time, ts)
        return replace(self, max_event_time=latest), None

    def rejection(
        self, ts: float, now: float | None = None, latest: float | None = None
    ) -> str | None:
        """Why `admit` would reject `ts` (None: accepted); `latest` overrides the clock's
        latest event time, so a caller can check many events before building a new clock."""
        latest = self.max_event_time if latest is None else latest
        if not math.isfinite(ts):
            return f"event_time: not a finite timestamp ({ts!r})"
        if latest is not None and ts < latest - self.allowed_lateness_s:
            return (
                f"late: event time {ts:.3f} is {latest - ts:.1f}s behind the latest event, "
                f"over the allowed lateness of {self.allowed_lateness_s:g}s"
            )
        if now is not None and self.max_future_s is not None and ts > now + self.max_future_s:
            return f"future: event time {ts:.3f} is {ts - now:.1f}s ahead of the clock"
        return None

    def is_final(self, window_end: float) -> bool:
        """True once no event for a window ending at `window_end` can still be accepted."""
        return self.watermark >= window_end

    def to_dict(self) -> dict[str, Any]:
        return {
            "allowed_lateness_s": self.allowed_lateness_s,
            "max_future_s": self.max_future_s,
            "max_event_time": self.max_event_time,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventClock:
        return cls(**data)
