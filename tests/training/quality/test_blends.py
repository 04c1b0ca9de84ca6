"""Blend wrappers turn a lever into a lever: its fitted-once base inside a VADER blend."""

from __future__ import annotations

import numpy as np
import pytest

from models.blend import LexiconBlend
from models.devsets import AIRLINE_DATA
from tests.training.conftest import SAMPLE
from training.quality.blends import airline_oof_scores, two_source, val_blend
from training.quality.data import LeverData
from training.quality.job import QualityOptions, load_inputs
from training.quality.tfidf_levers import fit_in_domain_weighted, in_domain_weighted


@pytest.fixture(scope="module")
def lever_data() -> LeverData:
    return load_inputs(QualityOptions(SAMPLE, AIRLINE_DATA, "sqlite://"))[0]


def test_val_blend_wraps_the_levers_own_model(lever_data: LeverData) -> None:
    base, base_params = in_domain_weighted(lever_data)
    blend, params = val_blend(in_domain_weighted)(lever_data)
    assert isinstance(blend, LexiconBlend) and blend.base is base
    assert params["blend_fitted_on"] == "s140 val"
    assert base_params.items() <= params.items()
    assert {"w_compound", "w_bias"} <= params.keys()


def test_out_of_fold_scores_never_come_from_a_model_that_saw_the_tweet(
    lever_data: LeverData,
) -> None:
    """A base that memorises its feedback tweets scores them by their label and any other
    tweet 0.5: out of fold, every feedback tweet (bar texts repeated across folds) gets 0.5."""
    seen: list[set[str]] = []

    def memoriser(d: LeverData) -> object:
        seen.append(set(d.feedback.texts))
        known = dict(zip(d.feedback.texts, d.feedback.labels, strict=True))

        class Memory:
            def predict_proba(self, texts: list[str]) -> np.ndarray:
                return np.asarray([float(known.get(t, 0.5)) for t in texts])

        return Memory()

    scores = airline_oof_scores(lever_data, memoriser, "memoriser")  # type: ignore[arg-type]
    assert len(seen) >= 2 and all(len(s) < len(lever_data.feedback) for s in seen)
    shared = set.intersection(*seen)
    unseen = [i for i, t in enumerate(lever_data.feedback.texts) if t not in shared]
    assert np.all(scores[unseen] == 0.5)


def test_two_source_keeps_the_base_and_names_the_prior(lever_data: LeverData) -> None:
    lever = two_source(in_domain_weighted, fit_in_domain_weighted, "tfidf", airline_prior=True)
    blend, params = lever(lever_data)
    assert isinstance(blend, LexiconBlend) and blend.base is in_domain_weighted(lever_data)[0]
    assert params["blend_fitted_on"].endswith("airline's own prior")
