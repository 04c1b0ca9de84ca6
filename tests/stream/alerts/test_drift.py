import json

import numpy as np
import pytest
from scipy.stats import ks_2samp

from stream.alerts.drift import (
    DriftConfig,
    DriftReference,
    DriftState,
    evaluate_drift,
    histogram_of,
    ks_from_histograms,
)
from stream.alerts.incidents import IncidentPolicy
from stream.alerts.windows import WindowStats

RNG = np.random.default_rng(7)
REFERENCE_SCORES = RNG.beta(0.6, 0.6, 5000)  # a confident model: scores pile up near 0 and 1
CONFIG = DriftConfig(
    ks_threshold=0.3, positive_shift_threshold=0.3, oov_ratio_threshold=2.0,
    min_window_tweets=200, baseline_alpha=0.2, warmup_windows=3,
    policy=IncidentPolicy(cooldown_s=0, resolve_windows=1),
)  # fmt: skip


def window_of(scores: np.ndarray, tokens: int = 0, oov_tokens: int = 0) -> WindowStats:
    stats = WindowStats.empty()
    for score in scores:
        stats.add(float(score), "positive" if score >= 0.5 else "negative")
    stats.tokens, stats.oov_tokens = tokens, oov_tokens
    return stats


@pytest.mark.parametrize(
    ("window_params", "reference_params"),
    [((0.6, 0.6), (0.6, 0.6)), ((2, 5), (2, 2)), ((0.3, 1.5), (0.6, 0.6)), ((5, 1), (1, 5)),
     ((0.5, 0.5), (0.7, 0.4))],
)  # fmt: skip
def test_binned_ks_is_close_to_scipy_exact(
    window_params: tuple[float, float], reference_params: tuple[float, float]
) -> None:
    window = RNG.beta(*window_params, 400)
    reference = RNG.beta(*reference_params, 5000)
    exact = ks_2samp(window, reference).statistic
    binned = ks_from_histograms(histogram_of(window), np.asarray(
        DriftReference.from_scores(reference).cdf))  # fmt: skip
    assert binned <= exact + 1e-12  # edges are a subset of the points scipy checks
    assert exact - binned < 0.03


def evaluate(state, stats, reference, index):
    return evaluate_drift(state, stats, reference, "global", index * 300.0, (index + 1) * 300.0,
                          CONFIG)  # fmt: skip


def test_ks_alert_on_shifted_scores_and_resolve():
    reference = DriftReference.from_scores(REFERENCE_SCORES)
    state, reading, alerts = evaluate(DriftState(), window_of(RNG.beta(0.6, 0.6, 300)),
                                      reference, 0)  # fmt: skip
    assert reading is not None and reading.ks_statistic < 0.15 and alerts == []
    state, reading, alerts = evaluate(state, window_of(RNG.beta(0.3, 3.0, 300)), reference, 1)
    assert reading is not None and reading.ks_statistic > 0.3
    ks_alerts = [a for a in alerts if a.metric == "ks_statistic"]
    assert len(ks_alerts) == 1 and ks_alerts[0].status == "raised" and ks_alerts[0].kind == "drift"
    state, _, alerts = evaluate(state, window_of(RNG.beta(0.6, 0.6, 300)), reference, 2)
    assert [a.status for a in alerts if a.metric == "ks_statistic"] == ["resolved"]


def test_thin_windows_stay_quiet_and_change_nothing():
    reference = DriftReference.from_scores(REFERENCE_SCORES)
    state = DriftState()
    new_state, reading, alerts = evaluate(state, window_of(np.full(199, 0.01)), reference, 0)
    assert reading is None and alerts == [] and new_state == state


def test_positive_rate_shift_against_production_baseline_not_training_prior():
    reference = DriftReference.from_scores(REFERENCE_SCORES)
    production = np.r_[np.full(210, 0.1), np.full(90, 0.9)]  # 30% positive, steady
    state = DriftState()
    for index in range(4):  # warm-up windows: no positive-rate reading yet
        state, reading, alerts = evaluate(state, window_of(production), reference, index)
        assert not [a for a in alerts if a.metric == "positive_rate_shift"]
    assert reading is not None and reading.positive_rate_shift == pytest.approx(0.0)
    assert state.positive_baseline.mean == pytest.approx(0.3)
    shifted = np.r_[np.full(150, 0.1), np.full(150, 0.9)]  # 50% positive: +67% relative
    state, reading, alerts = evaluate(state, window_of(shifted), reference, 4)
    assert reading is not None and reading.positive_rate_shift == pytest.approx(2 / 3)
    shift_alerts = [a for a in alerts if a.metric == "positive_rate_shift"]
    assert [a.status for a in shift_alerts] == ["raised"]
    assert state.positive_baseline.mean == pytest.approx(0.3)  # frozen during the incident


def test_oov_rate_against_training_rate():
    reference = DriftReference.from_scores(REFERENCE_SCORES, training_oov_rate=0.05)
    scores = RNG.beta(0.6, 0.6, 300)
    state, reading, alerts = evaluate(DriftState(), window_of(scores, 3000, 180), reference, 0)
    assert reading is not None and reading.oov_rate_ratio == pytest.approx(1.2)
    assert not [a for a in alerts if a.metric == "oov_rate_ratio"]
    state, reading, alerts = evaluate(state, window_of(scores, 3000, 600), reference, 1)
    oov = [a for a in alerts if a.metric == "oov_rate_ratio"]
    assert len(oov) == 1 and oov[0].observed == pytest.approx(4.0) and oov[0].threshold == 2.0


def test_state_round_trips_and_bin_mismatch_is_an_error():
    reference = DriftReference.from_scores(REFERENCE_SCORES)
    state, _, _ = evaluate(DriftState(), window_of(RNG.beta(0.3, 3.0, 300)), reference, 0)
    assert DriftState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    coarse = WindowStats.empty(10)
    for _ in range(300):
        coarse.add(0.5, "positive")
    with pytest.raises(ValueError, match="10 bins but the reference has 50"):
        evaluate(state, coarse, reference, 1)


def test_reference_rejects_scores_outside_unit_interval():
    with pytest.raises(ValueError, match="reference scores"):
        DriftReference.from_scores(np.array([0.2, 1.7]))
    with pytest.raises(ValueError, match="reference scores"):
        DriftReference.from_scores(np.array([]))
