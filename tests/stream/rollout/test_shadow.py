import numpy as np
import pytest
from scipy.stats import ks_2samp

from stream.rollout.shadow import ShadowPair, ShadowWindow, compare, ks_distance


def test_ks_distance_is_scipys_two_sample_statistic():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.beta(2, 5, 300), rng.beta(3, 3, 250)
        assert ks_distance(a, b) == pytest.approx(ks_2samp(a, b).statistic)


def test_compare_counts_agreement_ratios_and_accuracy_on_labelled_tweets():
    pairs = [
        ShadowPair("a", 0.9, 0.8),  # both positive
        ShadowPair("b", 0.1, 0.7),  # disagree
        ShadowPair("c", 0.2, 0.3),  # both negative
        ShadowPair("d", 0.6, 0.4),  # disagree
    ]
    stats = compare(pairs, {"b": "negative", "d": "negative"})
    assert stats.tweets == 4 and stats.agreement == 0.5
    assert stats.champion_negative_ratio == 0.5 and stats.challenger_negative_ratio == 0.5
    assert stats.labelled == 2
    assert stats.champion_accuracy == 0.5 and stats.challenger_accuracy == 0.5
    assert compare(pairs, {}).champion_accuracy is None


def test_the_window_keeps_the_last_tweets_and_their_labels_only():
    window = ShadowWindow(size=3)
    for i in range(5):
        window.add(ShadowPair(str(i), 0.9, 0.1))
    assert len(window) == 3
    assert not window.label("0", "positive")
    assert window.label("4", "positive")
    stats = window.stats()
    assert stats.agreement == 0.0 and stats.ks_distance == 1.0
    assert (stats.labelled, stats.champion_accuracy, stats.challenger_accuracy) == (1, 1.0, 0.0)
