"""Time-weighting and class-balancing maths (models.weighting), against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from models import weighting


def test_time_weights_halve_every_half_life() -> None:
    weights = weighting.time_weights(np.array([0.0, 2.0, 4.0, 1.0, -3.0]), half_life_days=2.0)
    np.testing.assert_allclose(weights, [1.0, 0.5, 0.25, 2**-0.5, 1.0])


def test_no_half_life_means_equal_weights_and_bad_half_life_fails() -> None:
    np.testing.assert_array_equal(weighting.time_weights(np.array([0.0, 30.0]), None), [1, 1])
    np.testing.assert_array_equal(weighting.time_weights(np.array([5.0]), float("inf")), [1])
    with pytest.raises(ValueError, match="half_life_days"):
        weighting.time_weights(np.array([1.0]), 0.0)


def test_class_weights_hand_computed() -> None:
    labels, weights = np.array([0, 0, 1]), np.array([1.0, 3.0, 2.0])
    # total 6 over 2 classes: class 0 holds 4 -> 6/(2*4); class 1 holds 2 -> 6/(2*2)
    assert weighting.class_weights(labels, weights) == {0: 0.75, 1: 1.5}
    balanced = weighting.balanced_weights(labels, weights)
    np.testing.assert_allclose(balanced, [0.75, 2.25, 3.0])
    assert weighting.weighted_counts(labels, balanced) == {0: 3.0, 1: 3.0}


def test_unweighted_balance_is_sklearns_balanced_rule() -> None:
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.array([0] * 7 + [1] * 3)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    assert list(weighting.class_weights(labels).values()) == pytest.approx(list(expected))


def test_a_class_without_weight_cannot_be_balanced() -> None:
    with pytest.raises(ValueError, match="class 1 has no weight"):
        weighting.class_weights(np.array([0, 1]), np.array([1.0, 0.0]))


def test_balanced_resample_draws_classes_equally_and_follows_weights() -> None:
    labels = np.array([0] * 900 + [1] * 100)
    weights = np.ones(1000)
    weights[900:950] = 0.0  # half the positives never drawn
    rows = weighting.balanced_resample(labels, weights, seed=1)
    assert len(rows) == 1000
    assert abs(labels[rows].mean() - 0.5) < 0.05
    assert not np.isin(rows, np.arange(900, 950)).any()
    np.testing.assert_array_equal(rows, weighting.balanced_resample(labels, weights, seed=1))


def test_source_blocks_carry_their_share_with_classes_balanced() -> None:
    labels = np.array([0, 0, 0, 1, 1, 0, 1, 1, 1, 1])  # block A: 5 rows, block B: 5 rows
    weights = weighting.source_balanced_weights(labels, [(5, 0.75), (5, 0.25)])
    a, b = weights[:5], weights[5:]
    assert weights.mean() == pytest.approx(1.0)
    assert a.sum() == pytest.approx(3 * b.sum())
    for block, y in ((a, labels[:5]), (b, labels[5:])):
        assert block[y == 0].sum() == pytest.approx(block[y == 1].sum())


def test_an_unbalanced_source_keeps_its_prior_and_its_share() -> None:
    labels = np.array([0, 1, 1, 1, 0, 0, 0, 1])
    weights = weighting.source_balanced_weights(labels, [(4, 0.5), (4, 0.5)], [True, False])
    a, b = weights[:4], weights[4:]
    assert a.sum() == pytest.approx(b.sum())
    assert a[labels[:4] == 0].sum() == pytest.approx(a[labels[:4] == 1].sum())
    assert np.allclose(b, b[0])  # the second block's three negatives outweigh its positive


def test_source_blocks_must_cover_the_labels() -> None:
    with pytest.raises(ValueError, match="add up"):
        weighting.source_balanced_weights(np.array([0, 1, 1]), [(2, 1.0)])
