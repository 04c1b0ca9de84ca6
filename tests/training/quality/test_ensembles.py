"""Ensemble wrappers turn levers into a lever: their fitted-once models, combined."""

from __future__ import annotations

import numpy as np
import pytest

from models.devsets import AIRLINE_DATA
from models.ensemble import LogitEnsemble
from tests.training.conftest import SAMPLE
from training.quality.data import LeverData
from training.quality.ensembles import logit_mean, stacked_on_val
from training.quality.job import QualityOptions, load_inputs
from training.quality.tfidf_levers import baseline, in_domain_weighted, vader


@pytest.fixture(scope="module")
def lever_data() -> LeverData:
    return load_inputs(QualityOptions(SAMPLE, AIRLINE_DATA, "sqlite://"))[0]


def test_the_mean_holds_each_levers_own_model_and_names_its_params(
    lever_data: LeverData,
) -> None:
    model, params = logit_mean(in_domain_weighted, baseline)(lever_data)
    assert isinstance(model, LogitEnsemble)
    assert model.members == [in_domain_weighted(lever_data)[0], baseline(lever_data)[0]]
    assert params["m0.airline_weight"] == in_domain_weighted(lever_data)[1]["airline_weight"]
    assert params["ensemble"] == "logit mean" and params["w_m0"] == params["w_m1"] == 0.5


def test_stacking_on_val_weights_the_members_by_their_worth(lever_data: LeverData) -> None:
    """VADER ranks the emoticon-labelled validation split worse than a TF-IDF trained on its
    train split: the stacked weights say so."""
    model, params = stacked_on_val(baseline, vader)(lever_data)
    assert isinstance(model, LogitEnsemble)
    assert params["ensemble"] == "stacked on s140 val"
    assert params["w_m0"] > params["w_m1"] > 0
    scores = model.predict_proba(lever_data.splits.val.texts)
    assert np.corrcoef(scores, lever_data.splits.val.labels)[0, 1] > 0.3
