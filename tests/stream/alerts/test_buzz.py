import json

import pytest

from stream.alerts.accuracy import AccuracyConfig, AccuracyState, record_feedback
from stream.alerts.buzz import BuzzConfig, BuzzState, evaluate_buzz
from stream.alerts.incidents import IncidentPolicy
from stream.alerts.windows import WindowStats
from stream.scoring import needs_review
from stream.settings import Settings

WINDOW = 300.0
CONFIG = BuzzConfig(
    min_negative=20, sigma=3.0, ratio_ceiling=0.8, warmup_windows=4, ewma_alpha=0.2,
    min_std=0.03, baseline_min_tweets=20, policy=IncidentPolicy(cooldown_s=1800, resolve_windows=2),
)  # fmt: skip


def window(negative: int, positive: int) -> WindowStats:
    stats = WindowStats.empty()
    for _ in range(negative):
        stats.add(0.2, "negative")
    for _ in range(positive):
        stats.add(0.8, "positive")
    return stats


def feed(windows: list[WindowStats], state: BuzzState | None = None, first: int = 0):
    """Evaluate consecutive windows; return the final state and the alerts per window."""
    state = state or BuzzState()
    alerts = []
    for index, stats in enumerate(windows, start=first):
        start = index * WINDOW
        state, alert = evaluate_buzz(state, stats, "airline:airparadis", start, start + WINDOW,
                                     CONFIG)  # fmt: skip
        alerts.append(alert)
    return state, alerts


def warm_state() -> BuzzState:
    state, alerts = feed([window(30, 70)] * 6)
    assert alerts == [None] * 6
    return state


def test_warm_up_uses_the_ceiling_only():
    # 70% negative is far above any baseline but under the 80% ceiling: quiet while warming up
    _, alerts = feed([window(70, 30), window(70, 30)])
    assert alerts == [None, None]
    _, alerts = feed([window(90, 10)])
    alert = alerts[0]
    assert alert is not None and alert.status == "raised" and alert.severity == "critical"
    assert alert.threshold == 0.8 and alert.observed == pytest.approx(0.9)
    assert "warm-up" in alert.message


def test_min_volume_keeps_thin_windows_quiet():
    _, alerts = feed([window(10, 0)])  # 100% negative but only 10 negatives
    assert alerts == [None]


def test_sigma_rule_after_warm_up():
    state = warm_state()
    assert state.baseline.windows == 6 and state.baseline.mean == pytest.approx(0.3)
    state, alerts = feed([window(50, 50)], state, first=6)
    alert = alerts[0]
    assert alert is not None and alert.kind == "bad_buzz" and alert.severity == "warning"
    assert alert.threshold == pytest.approx(0.3 + 3 * 0.03)
    assert alert.scope == "airline:airparadis" and alert.metric == "negative_ratio"
    assert alert.window_start is not None and alert.window_start.timestamp() == 6 * WINDOW


def test_one_incident_one_alert_then_resolve_then_cooldown():
    state = warm_state()
    # breach, breach (dedup), quiet, quiet (resolve), breach within cooldown, ... after cooldown
    sequence = [window(60, 40), window(70, 30), window(30, 70), window(30, 70), window(60, 40)]
    state, alerts = feed(sequence, state, first=6)
    assert [a and a.status for a in alerts] == ["raised", None, None, "resolved", None]
    assert alerts[0].alert_id != alerts[3].alert_id
    assert state.incident.suppressed == 1
    cooled = 6 + len(sequence) + int(CONFIG.policy.cooldown_s // WINDOW)
    _, alerts = feed([window(60, 40)], state, first=cooled)
    assert alerts[0] is not None and alerts[0].status == "raised"


def test_baseline_is_frozen_during_an_incident():
    state = warm_state()
    before = state.baseline
    state, _ = feed([window(60, 40), window(70, 30)], state, first=6)
    assert state.baseline == before


def test_buzz_state_round_trips_through_json():
    state, _ = feed([window(30, 70), window(90, 10)])
    restored = BuzzState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state and restored.incident.is_open


def test_configs_come_from_settings():
    policy = {"cooldown_s": 60}
    settings = Settings(buzz={"sigma": 2.5, "policy": policy}, accuracy={"threshold": 0.8})
    assert settings.buzz.sigma == 2.5 and settings.buzz.min_negative == 20
    assert settings.buzz.policy.cooldown_s == 60 and settings.accuracy.policy.cooldown_s == 1800
    assert settings.accuracy.threshold == 0.8


ACCURACY = AccuracyConfig(window=100, threshold=0.70, resolve_margin=0.02,
                          policy=IncidentPolicy(cooldown_s=0, resolve_windows=1))  # fmt: skip


def labelled(state: AccuracyState, outcomes: list[bool], start: float = 0.0):
    alerts = []
    for offset, correct in enumerate(outcomes):
        predicted = "positive" if correct else "negative"
        state, alert = record_feedback(state, predicted, "positive", start + offset, ACCURACY)
        if alert is not None:
            alerts.append(alert)
    return state, alerts


def test_accuracy_waits_for_a_full_window():
    state, alerts = labelled(AccuracyState(), [False] * 99)
    assert alerts == [] and state.accuracy == 0.0


def test_accuracy_alert_below_threshold_and_resolve_with_margin():
    state, alerts = labelled(AccuracyState(), [False] * 31 + [True] * 68)
    assert alerts == []  # 99 labels: not a full window yet
    state, alerts = labelled(state, [True], start=99)  # full: 69/100
    assert [a.status for a in alerts] == ["raised"]
    assert alerts[0].kind == "accuracy" and alerts[0].observed == pytest.approx(0.69)
    state, alerts = labelled(state, [True] * 2, start=100)  # 71/100: under the 72% resolve bar
    assert alerts == [] and state.incident.is_open
    state, alerts = labelled(state, [True], start=102)  # 72/100
    assert [a.status for a in alerts] == ["resolved"]
    assert len(state.outcomes) == 100 and state.accuracy == pytest.approx(0.72)


def test_accuracy_state_round_trips_and_rejects_bad_labels():
    state, _ = labelled(AccuracyState(), [True, False, True])
    assert AccuracyState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    with pytest.raises(ValueError, match="true_label"):
        record_feedback(state, "positive", "neutral", 0.0, ACCURACY)


def test_needs_review_band():
    assert needs_review(0.5) and needs_review(0.4) and needs_review(0.6)
    assert not needs_review(0.39) and not needs_review(0.61)
    assert needs_review(0.25, band=(0.2, 0.3))
    with pytest.raises(ValueError, match="score"):
        needs_review(1.2)
    with pytest.raises(ValueError, match="band"):
        needs_review(0.5, band=(0.6, 0.4))
