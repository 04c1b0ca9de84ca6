"""Window glue in memory, with explicit event times: deltas, closing, lateness, alerts."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import numpy as np
import pytest

from stream.alerts.drift import DriftReference
from stream.alerts.state import (
    Delta,
    ScopeState,
    WindowConfig,
    admit,
    advance_idle,
    close_final,
    deltas_of,
)
from stream.records import ScoredTweet
from stream.settings import Settings

T0 = 1_800_000_000.0  # a minute boundary
# Source offsets of the tweets fed, in order; far above the offsets tests give explicitly,
# which a drawn one would otherwise repeat (a replay) depending on the tests run before.
OFFSETS = itertools.count(1_000_000)


@pytest.fixture
def config() -> WindowConfig:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        windows={"size_s": 60, "hopping_size_s": 120, "allowed_lateness_s": 10},
        buzz={"min_negative": 5, "warmup_windows": 2},
        drift={"min_window_tweets": 20},
    )
    return WindowConfig.of(settings.windows, settings.buzz, settings.drift)


def scored(ts: float, score: float, airline: str = "calmair") -> ScoredTweet:
    label = "positive" if score >= 0.5 else "negative"
    return ScoredTweet(
        id=f"{ts}-{score}",
        text=f"@{airline} flight",
        created_at=datetime.fromtimestamp(ts, UTC),
        tags=[f"@{airline}"],
        label=label,
        score=score,
        confidence=max(score, 1 - score),
        model_name="m",
        model_version="1",
        scored_at=datetime.fromtimestamp(ts, UTC),
        latency_s=0.0,
        oov_rate=0.1,
    )


def by_airline(tweets: list[ScoredTweet]) -> list[list[str]]:
    return [["global", f"airline:{tweet.tags[0][1:]}"] for tweet in tweets]


def sources(tweets, partition: int = 0, offsets=None, broker_ts=None):
    offsets = offsets if offsets is not None else [next(OFFSETS) for _ in tweets]
    return [(partition, offset, broker_ts) for offset in offsets]


def feed(
    state: ScopeState, scope: str, tweets, config, reference=None, now=T0 + 10_000, source=None
):
    rejected, closed, alerts = [], [], []
    for delta in deltas_of(tweets, by_airline(tweets), source or sources(tweets)):
        if delta.scope != scope:
            continue
        rejected += admit(state, delta, config, now).rejected
        windows, raised = close_final(state, scope, config, reference)
        closed += windows
        alerts += raised
    return rejected, closed, alerts


def test_deltas_group_a_batch_per_scope_and_source_partition(config: WindowConfig) -> None:
    tweets = [scored(T0 + 1, 0.9), scored(T0 + 59, 0.1), scored(T0 + 61, 0.2, "other")]
    source = [(0, 10, None), (1, 4, None), (0, 11, None)]
    deltas = {(d.scope, d.partition): d for d in deltas_of(tweets, by_airline(tweets), source)}
    assert set(deltas) == {
        ("global", 0), ("global", 1), ("airline:calmair", 0), ("airline:calmair", 1),
        ("airline:other", 0),
    }  # fmt: skip
    assert [e[0] for e in deltas[("global", 0)].entries] == [10, 11]
    assert deltas[("global", 0)].entries[0] == (10, T0 + 1, 0.9, 0, 100)
    assert (
        Delta.from_dict(json.loads(json.dumps(deltas[("global", 0)].to_dict())))
        == deltas[("global", 0)]
    )


def test_window_closes_when_watermark_passes_its_end_and_late_data_is_rejected(config) -> None:
    state = ScopeState.new(config)
    _, closed, _ = feed(state, "global", [scored(T0 + 5, 0.9), scored(T0 + 65, 0.9)], config)
    assert closed == []  # watermark T0+55 < T0+60
    _, closed, _ = feed(state, "global", [scored(T0 + 70, 0.9)], config)
    assert [(w.start, w.stats.count) for w in closed] == [(T0, 1)]
    rejected, _, _ = feed(state, "global", [scored(T0 + 30, 0.1)], config)
    assert rejected and rejected[0].startswith("late")
    accepted, _, _ = feed(state, "global", [scored(T0 + 62, 0.1)], config)
    assert accepted == [] and state.open[T0 + 60].count == 3  # within lateness, window open


def test_future_events_are_rejected(config) -> None:
    state = ScopeState.new(config)
    rejected, _, _ = feed(state, "global", [scored(T0 + 10**6, 0.5)], config, now=T0)
    assert rejected[0].startswith("future")


def test_one_burst_raises_one_alert_then_resolves(config) -> None:
    state, alerts = ScopeState.new(config), []
    calm = lambda t: [scored(t + i, 0.9 if i % 3 else 0.1, "badair") for i in range(9)]  # noqa: E731
    for minute in range(4):
        alerts += feed(state, "airline:badair", calm(T0 + 60 * minute), config)[2]
    burst = [scored(T0 + 240 + i, 0.05, "badair") for i in range(20)]
    alerts += feed(state, "airline:badair", burst, config)[2]
    for minute in range(5, 10):
        alerts += feed(state, "airline:badair", calm(T0 + 60 * minute), config)[2]
    assert [(a.kind, a.status, a.scope) for a in alerts] == [
        ("bad_buzz", "raised", "airline:badair"),
        ("bad_buzz", "resolved", "airline:badair"),
    ]
    assert (
        alerts[0].observed == pytest.approx(1.0) and alerts[0].window_start.timestamp() == T0 + 240
    )


def test_state_survives_a_json_round_trip(config) -> None:
    state = ScopeState.new(config)
    feed(state, "global", [scored(T0 + 5, 0.9), scored(T0 + 80, 0.2)], config)
    restored = ScopeState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state


def test_shifted_scores_raise_drift_with_the_ks_value(config) -> None:
    reference = DriftReference.from_scores(np.linspace(0.01, 0.99, 500), config.bins, 0.1)
    state = ScopeState.new(config)
    shifted = [scored(T0 + i * 2.0, 0.97) for i in range(100)]  # 200 s of near-certain positives
    alerts = feed(state, "global", shifted, config, reference)[2]
    drift = [a for a in alerts if a.kind == "drift" and a.metric == "ks_statistic"]
    assert len(drift) == 1 and drift[0].observed > 0.9 and drift[0].threshold == 0.3


def buzz_config(**windows) -> WindowConfig:
    values = {"size_s": 60, "hopping_size_s": 120, "allowed_lateness_s": 10, **windows}
    buzz = {"min_negative": 20, "warmup_windows": 2}
    settings = Settings(_env_file=None, windows=values, buzz=buzz)  # type: ignore[call-arg]
    return WindowConfig.of(settings.windows, settings.buzz, settings.drift)


def test_a_replayed_batch_is_not_counted_twice() -> None:
    """15 negatives of 16 (no alert) must not become 30 of 32 (a critical bad buzz)."""
    config, state = buzz_config(), ScopeState.new(buzz_config())
    tweets = [scored(T0 + i, 0.1) for i in range(15)] + [scored(T0 + 20, 0.9)]
    source = sources(tweets, offsets=list(range(100, 116)))
    feed(state, "global", tweets, config, source=source)
    feed(state, "global", tweets, config, source=source)  # the same batch, replayed
    # a replay batched differently: the first 8 again plus 2 new ones
    more = [*tweets[:8], scored(T0 + 30, 0.9), scored(T0 + 31, 0.9)]
    feed(state, "global", more, config, source=sources(more, offsets=[*range(100, 108), 116, 117]))
    _, closed, alerts = feed(state, "global", [scored(T0 + 100, 0.9)], config)
    assert [(w.stats.negative, w.stats.count) for w in closed] == [(15, 18)]
    assert alerts == []


def test_replays_are_tracked_per_source_partition() -> None:
    config, state = buzz_config(), ScopeState.new(buzz_config())
    one, two = [scored(T0 + 1, 0.1)], [scored(T0 + 2, 0.1)]
    feed(state, "global", one, config, source=sources(one, partition=0, offsets=[5]))
    feed(state, "global", two, config, source=sources(two, partition=1, offsets=[5]))
    feed(state, "global", one, config, source=sources(one, partition=0, offsets=[5]))
    assert state.open[T0].count == 2 and state.applied == {0: 5, 1: 5}
    restored = ScopeState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.applied == {0: 5, 1: 5}


def test_a_future_dated_tweet_does_not_get_later_ones_rejected_as_late() -> None:
    """Event time is clamped to the Kafka timestamp: a tweet dated +290 s (within the
    future limit) does not move the watermark, in its airline's scope or in `global`."""
    config = buzz_config(allowed_lateness_s=60)
    now = T0 + 30
    for scope in ("airline:calmair", "global"):
        state = ScopeState.new(config)
        ahead = [scored(now + 290, 0.5)]
        source = sources(ahead, broker_ts=now)
        rejected, _, _ = feed(state, scope, ahead, config, now=now, source=source)
        assert rejected == []
        later = [scored(now + 1 + i, 0.5) for i in range(5)]
        source = sources(later, broker_ts=now + 6)
        rejected, _, _ = feed(state, scope, later, config, now=now + 6, source=source)
        assert rejected == [] and state.open[T0].count == 6, scope


def test_a_burst_on_a_quiet_scope_alerts_once_it_goes_silent() -> None:
    config, state = buzz_config(), ScopeState.new(buzz_config())
    burst = [scored(T0 + i, 0.05) for i in range(25)]
    _, closed, alerts = feed(state, "airline:calmair", burst, config, now=T0 + 30)
    assert closed == [] and alerts == []  # nothing later in event time: the window is open
    assert not advance_idle(state, T0 + 60, config.idle_s)  # silent for 30 s only
    assert advance_idle(state, T0 + 120, config.idle_s)  # 90 s: event time is now T0 + 114
    closed, alerts = close_final(state, "airline:calmair", config, None)
    assert [w.start for w in closed] == [T0]
    assert [(a.kind, a.status) for a in alerts] == [("bad_buzz", "raised")]


def test_an_incident_on_a_scope_gone_silent_resolves() -> None:
    config, state = buzz_config(), ScopeState.new(buzz_config())
    burst = [scored(T0 + i, 0.05) for i in range(25)]
    feed(state, "airline:calmair", burst, config, now=T0 + 30)
    advance_idle(state, T0 + 120, config.idle_s)
    _, raised = close_final(state, "airline:calmair", config, None)
    assert [a.status for a in raised] == ["raised"]
    statuses = []
    for tick in range(1, 8):  # a timer every 30 s, nothing arrives
        advance_idle(state, T0 + 120 + 30 * tick, config.idle_s)
        statuses += [a.status for a in close_final(state, "airline:calmair", config, None)[1]]
    assert statuses == ["resolved"]  # two empty windows in a row (policy.resolve_windows=2)
    assert state.evaluated_end == T0 + 180


def test_a_scope_restored_after_a_long_stop_does_not_jump_by_the_downtime() -> None:
    config, state = buzz_config(), ScopeState.new(buzz_config())
    feed(state, "airline:calmair", [scored(T0 + 1, 0.1)], config, now=T0 + 2)
    back = T0 + 3600  # the worker was down for an hour; the backlog is still on its way
    assert not advance_idle(state, back + 30, config.idle_s, observed_since=back)
    backlog = [scored(T0 + 600, 0.1)]  # written during the stop
    rejected, _, _ = feed(state, "airline:calmair", backlog, config, now=back + 40)
    assert rejected == []


def test_a_paused_source_partition_holds_windows_open_instead_of_being_late() -> None:
    """A rebalance pauses partition 1 while partition 0 runs 5 minutes ahead: when partition
    1's backlog arrives its tweets are counted, not rejected as late (lateness is 10 s)."""
    config, state = buzz_config(), ScopeState.new(buzz_config())
    ahead = [scored(T0 + 1 + 10 * i, 0.9) for i in range(30)]
    behind = [scored(T0 + 2 + 10 * i, 0.1) for i in range(30)]
    feed(state, "global", behind[:1], config, now=T0 + 5, source=sources(behind[:1], partition=1))
    _, closed, _ = feed(state, "global", ahead, config, now=T0 + 6, source=sources(ahead, 0))
    assert closed == []  # partition 1 is still at T0 + 2
    rejected, closed, _ = feed(
        state, "global", behind[1:], config, now=T0 + 40, source=sources(behind[1:], partition=1)
    )
    assert rejected == []
    assert [(w.start, w.stats.count, w.stats.negative) for w in closed[:4]] == [
        (T0 + 60 * m, 12, 6) for m in range(4)
    ]


def test_a_source_partition_silent_for_the_idle_time_no_longer_holds_the_clock() -> None:
    config, state = buzz_config(), ScopeState.new(buzz_config())
    one = [scored(T0 + 1, 0.1)]
    feed(state, "global", one, config, now=T0 + 2, source=sources(one, partition=1))
    ahead = [scored(T0 + 1 + 10 * i, 0.9) for i in range(20)]
    _, closed, _ = feed(state, "global", ahead, config, now=T0 + 30, source=sources(ahead, 0))
    assert closed == []  # partition 1 was heard from 28 s ago
    later = [scored(T0 + 200, 0.9)]
    _, closed, _ = feed(
        state, "global", later, config, now=T0 + 2 + config.idle_s + 1, source=sources(later, 0)
    )
    assert [w.start for w in closed] == [T0, T0 + 60, T0 + 120]  # 1 is idle: 0 sets the clock


def test_a_source_partition_not_heard_from_yet_holds_a_new_scope_for_the_idle_time() -> None:
    """Partition 0's whole backlog arrives first; partition 1's tweets of the same minutes
    come next and must not be late: for `idle_s` a new scope waits for every partition."""
    config, state = buzz_config(), ScopeState.new(buzz_config())
    first = [scored(T0 + 10 * i, 0.9) for i in range(40)]
    second = [scored(T0 + 5 + 10 * i, 0.1) for i in range(40)]
    for tweets, partition, now in ((first, 0, T0 + 1000), (second, 1, T0 + 1001)):
        for delta in deltas_of(tweets, [["global"]] * 40, sources(tweets, partition)):
            assert admit(state, delta, config, now, sources=2).rejected == []
    closed, _ = close_final(state, "global", config, None)
    assert [w.stats.count for w in closed[:3]] == [12, 12, 12]
    late = ScopeState.new(config)  # the partition count unknown (1): partition 1 is late
    for tweets, partition in ((first, 0), (second, 1)):
        for delta in deltas_of(tweets, [["global"]] * 40, sources(tweets, partition)):
            rejected = admit(late, delta, config, T0 + 1001).rejected
    assert rejected
