"""VADER as features and as a model: behaviour on hand-written tweets, save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.kinds import load_model
from models.lexicon import FEATURES, VaderModel, vader_features


def test_features_shape_and_ranges() -> None:
    features = vader_features(["I love it", "I hate it", "the plane"])
    assert features.shape == (3, len(FEATURES))
    assert np.all(features[:, 0] >= -1) and np.all(features[:, 0] <= 1)
    assert np.allclose(features[:, 1:].sum(axis=1), 1.0, atol=0.01)
    assert vader_features([]).shape == (0, len(FEATURES))


def test_negation_and_intensifier_move_the_score() -> None:
    model = VaderModel()
    good, not_good, very_good = model.predict_proba(
        ["it is good", "it is not good", "it is very good"]
    )
    assert not_good < 0.5 < good < very_good


def test_emoticons_carry_sentiment() -> None:
    # NLTK's VADER knows emoticons, not most emojis ("landed 😍" scores neutral 0.5)
    scores = VaderModel().predict_proba(["flight delayed :(", "home at last :)"])
    assert scores[0] < 0.5 < scores[1]


def test_save_load_by_kind(tmp_path: Path) -> None:
    VaderModel().save(tmp_path / "vader")
    loaded = load_model(tmp_path / "vader")
    assert loaded.kind == "vader"
    assert loaded.predict_proba(["great"])[0] > 0.5


def test_fast_word_splitter_scores_exactly_like_nltk() -> None:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    from models.devsets import behavioural_suite, load_airline
    from models.lexicon import analyzer

    texts = load_airline().data.texts[:1500] + behavioural_suite().texts
    texts += ["'quoted' word!!!", "wait... what?!?", ":) :-( <3", "-- ok -- ", "a , b ,c"]
    nltk_vader, fast = SentimentIntensityAnalyzer(), analyzer()
    assert [fast.polarity_scores(t) for t in texts] == [
        nltk_vader.polarity_scores(t) for t in texts
    ]
