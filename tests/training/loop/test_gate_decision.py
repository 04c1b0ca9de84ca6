"""The gate's decision on constructed cases: clearly better, worse, within noise, worse on
the fixed test split. The models are lookup tables of constructed scores."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from models.bootstrap import Difference
from training.loop.decision import Decision
from training.loop.gate import GateOptions, compare

N = 1000


class TableModel:
    """A real model whose scores are given per text."""

    kind = "table"

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self.scores[text] for text in texts], dtype=np.float32)


@pytest.fixture(scope="module")
def case() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    recent_y, test_y = rng.integers(0, 2, N), rng.integers(0, 2, N)
    noise = rng.normal(0, 1, (4, N))
    return {
        "recent_y": recent_y,
        "test_y": test_y,
        "fair_recent": _scores(recent_y, 1.0, noise[0]),  # the champion: AUC ~0.76
        "good_recent": _scores(recent_y, 3.0, noise[0]),  # same noise, clearer signal
        "fair_test": _scores(test_y, 1.0, noise[1]),
        "poor_test": _scores(test_y, 0.4, noise[1]),
    }


def _scores(y: np.ndarray, signal: float, noise: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-(signal * (2 * y - 1) + noise))))


def _model(recent: np.ndarray, test: np.ndarray) -> TableModel:
    table = {f"r{i}": float(s) for i, s in enumerate(recent)}
    return TableModel(table | {f"t{i}": float(s) for i, s in enumerate(test)})


def _decide(
    case: dict[str, np.ndarray], challenger: TableModel
) -> tuple[dict[str, Difference], dict[str, Difference], Decision]:
    recent = pd.DataFrame({"text": [f"r{i}" for i in range(N)], "y": case["recent_y"]})
    champion = _model(case["fair_recent"], case["fair_test"])
    test_texts = [f"t{i}" for i in range(N)]
    return compare(
        champion, challenger, recent, test_texts, case["test_y"], GateOptions(resamples=500)
    )


def test_clearly_better_is_approved(case: dict[str, np.ndarray]) -> None:
    recent, test, decision = _decide(case, _model(case["good_recent"], case["fair_test"]))
    assert decision.approved and decision.reasons == ()
    assert all(d.low > 0 for d in recent.values())
    assert all(d.diff == 0 for d in test.values())


def test_worse_is_refused_on_every_metric(case: dict[str, np.ndarray]) -> None:
    _, _, decision = _decide(case, _model(1 - case["good_recent"], case["fair_test"]))
    assert not decision.approved
    reasons = decision.reasons
    assert len(reasons) == 3 and all("not better" in r for r in reasons)


def test_a_gain_within_noise_is_refused(case: dict[str, np.ndarray]) -> None:
    tweaked = case["fair_recent"].copy()
    wrong = np.flatnonzero((tweaked >= 0.5) != case["recent_y"])[:3]
    tweaked[wrong] = case["recent_y"][wrong]  # three more right answers out of 1000
    recent, _, decision = _decide(case, _model(tweaked, case["fair_test"]))
    assert recent["accuracy"].diff == pytest.approx(0.003)
    assert not decision.approved
    assert any("accuracy" in r and "within noise" in r for r in decision.reasons)


def test_better_recently_but_worse_on_the_test_split_is_refused(
    case: dict[str, np.ndarray],
) -> None:
    _, test, decision = _decide(case, _model(case["good_recent"], case["poor_test"]))
    assert not decision.approved
    assert test["roc_auc"].diff < -0.02
    reasons = decision.reasons
    assert reasons and all(r.startswith("test ") for r in reasons)
