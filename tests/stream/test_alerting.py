"""Window glue in memory, with explicit event times: deltas, closing, lateness, alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from stream.alerting import Delta, ScopeState, WindowConfig, admit, close_final, deltas_of
from stream.drift import DriftReference
from stream.records import ScoredTweet
from stream.settings import Settings

T0 = 1_800_000_000.0  # a minute boundary


@pytest.fixture
def config() -> WindowConfig:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        window_size_s=60,
        window_hopping_size_s=120,
        window_allowed_lateness_s=10,
        buzz_min_negative=5,
        buzz_warmup_windows=2,
        drift_min_window_tweets=20,
    )
    return WindowConfig.from_settings(settings)


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


def feed(state: ScopeState, scope: str, tweets, config, reference=None, now=T0 + 10_000):
    rejected, closed, alerts = [], [], []
    for delta in deltas_of(tweets, by_airline(tweets), config):
        if delta.scope != scope:
            continue
        reason = admit(state, delta, config, now)
        rejected += [reason] if reason else []
        windows, raised = close_final(state, scope, config, reference)
        closed += windows
        alerts += raised
    return rejected, closed, alerts


def test_deltas_group_a_batch_per_scope_and_window(config: WindowConfig) -> None:
    tweets = [scored(T0 + 1, 0.9), scored(T0 + 59, 0.1), scored(T0 + 61, 0.2, "other")]
    deltas = {(d.scope, d.start): d for d in deltas_of(tweets, by_airline(tweets), config)}
    assert set(deltas) == {
        ("global", T0),
        ("airline:calmair", T0),
        ("global", T0 + 60),
        ("airline:other", T0 + 60),
    }
    assert deltas[("global", T0)].stats.count == 2 and deltas[("global", T0)].max_ts == T0 + 59
    assert deltas[("global", T0)].stats.oov_rate == pytest.approx(0.1)
    assert (
        Delta.from_dict(json.loads(json.dumps(deltas[("global", T0)].to_dict()))).stats.count == 2
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
