"""`--param name=value` overrides are typed by the config field; bad ones name the problem."""

from __future__ import annotations

import pytest

from models.preprocessing import PreprocessConfig
from models.tfidf import TfidfConfig, TfidfModel
from training.factory import build_model, config_class, parse_overrides


def test_values_take_the_field_type() -> None:
    values = parse_overrides(
        TfidfConfig,
        ["max_features=20000", "C=0.5", "char_ngrams=2,5", "sublinear_tf=false", "word_ngrams=1,3"],
    )
    assert values == {
        "max_features": 20000,
        "C": 0.5,
        "char_ngrams": (2, 5),
        "sublinear_tf": False,
        "word_ngrams": (1, 3),
    }
    assert parse_overrides(TfidfConfig, ["char_ngrams=none"]) == {"char_ngrams": None}


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("max_features", "expected name=value"),
        ("nope=1", "not a TfidfConfig field"),
        ("max_features=lots", "max_features=lots: not a valid int"),
        ("sublinear_tf=perhaps", "not a valid bool"),
    ],
)
def test_bad_overrides_are_explained(pair: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_overrides(TfidfConfig, [pair])


def test_build_tfidf_applies_preprocessing_and_overrides() -> None:
    model = build_model("tfidf", PreprocessConfig(lemmatize=True), 7, None, ["C=2"])
    assert isinstance(model, TfidfModel)
    assert model.config.C == 2.0 and model.config.preprocessing.lemmatize
    assert model.pipeline.named_steps["classifier"].random_state == 7


def test_lstm_epochs_and_seed_reach_its_config() -> None:
    model = build_model("lstm", PreprocessConfig(), 5, 2, ["lstm_units=8", "wordpieces=default"])
    assert (model.config.max_epochs, model.config.seed, model.config.lstm_units) == (2, 5, 8)
    assert model.config.wordpieces == "default"


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown model kind 'svm'"):
        config_class("svm")
