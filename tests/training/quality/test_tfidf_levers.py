"""The TF-IDF levers on a small sample: character n-grams read word forms the words miss."""

from __future__ import annotations

import numpy as np
import pytest

from models.data import DEFAULT_DATA, load_dataset
from models.splits import Splits, stratified_sample
from training.quality.data import LeverData
from training.quality.tfidf_levers import in_domain_weighted, in_domain_weighted_char

#: Word forms absent from the sample whose pieces are not: (text, label).
UNSEEN_FORMS = [
    ("lovelovelove it", 1),
    ("pure awesomeness", 1),
    ("feeling sadddd", 0),
    ("so disappointinggg", 0),
    ("lovelyyy", 1),
]


@pytest.fixture(scope="module")
def lever_data() -> LeverData:
    tweets = stratified_sample(load_dataset(DEFAULT_DATA), 3000, seed=3)
    train, feedback = tweets.take(np.arange(2600)), tweets.take(np.arange(2600, 3000))
    return LeverData(Splits(train, feedback, feedback), feedback, ["2015-02-16"] * 400)


def test_char_lever_adds_character_ngrams_to_the_same_words(lever_data: LeverData) -> None:
    word, _ = in_domain_weighted(lever_data)
    char, params = in_domain_weighted_char(lever_data)
    union = dict(char.pipeline.named_steps["features"].transformer_list)
    assert union["char"].analyzer == "char_wb" and params["char_ngrams"] == "1-4"
    assert (
        union["word"].vocabulary_
        == word.pipeline.named_steps["features"].transformer_list[0][1].vocabulary_
    )


def test_char_lever_scores_unseen_word_forms_further_on_the_right_side(
    lever_data: LeverData,
) -> None:
    texts, labels = zip(*UNSEEN_FORMS, strict=True)
    sign = np.where(np.asarray(labels) == 1, 1.0, -1.0)
    word, _ = in_domain_weighted(lever_data)
    char, _ = in_domain_weighted_char(lever_data)
    assert all(word.oov_rate([text]) > 0 for text in texts)  # each has a word the words lack
    word_margin = sign * (word.predict_proba(list(texts)) - 0.5)
    char_margin = sign * (char.predict_proba(list(texts)) - 0.5)
    assert (char_margin > 0).all()
    assert char_margin.mean() > word_margin.mean() + 0.1
