"""`CharNgramTfidf` gives scikit-learn's `char_wb` TF-IDF matrix, counting word by word."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from models import char_ngrams
from models.char_ngrams import CharNgramTfidf

CORPUS = [
    "i love this airline",
    "worst flight ever , lost my bag",
    "so happy :) 😍 landed early",
    "not good at all",
    "delayed again and again",
    "a",
    "",
    "thank you for the upgrade",
]
UNSEEN = ["lovelovelove it", "", "   ", "x", "ünïcödé 😡 tweet", "again again again again"]


def fitted_pair(**params: Any) -> tuple[TfidfVectorizer, CharNgramTfidf]:
    params = {"analyzer": "char_wb", "ngram_range": (1, 4), "lowercase": False} | params
    return TfidfVectorizer(**params).fit(CORPUS), CharNgramTfidf(**params).fit(CORPUS)


@pytest.mark.parametrize(
    "params",
    [
        {"sublinear_tf": True},
        {"sublinear_tf": False, "norm": None},
        {"use_idf": False, "ngram_range": (2, 5)},
        {"max_features": 20, "norm": "l1"},
    ],
)
def test_same_matrix_as_scikit_learn(params: dict[str, Any]) -> None:
    reference, ours = fitted_pair(**params)
    for texts in (CORPUS, UNSEEN, UNSEEN):  # the second UNSEEN pass reads remembered words
        expected, got = reference.transform(texts), ours.transform(texts)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got.toarray(), expected.toarray(), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=8))
def test_same_matrix_on_any_text(texts: list[str]) -> None:
    reference, ours = fitted_pair(sublinear_tf=True)
    np.testing.assert_allclose(
        ours.transform(texts).toarray(), reference.transform(texts).toarray(), atol=1e-12
    )


def test_remembered_words_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(char_ngrams, "MAX_WORDS", 3)
    reference, ours = fitted_pair()
    texts = [f"word{i} again" for i in range(20)]
    np.testing.assert_allclose(
        ours.transform(texts).toarray(), reference.transform(texts).toarray()
    )
    assert 0 < len(ours.__dict__["_words"]) <= 3


def test_remembered_words_are_not_saved() -> None:
    _, ours = fitted_pair()
    ours.transform(CORPUS)
    assert "_words" in ours.__dict__ and "_words" not in ours.__getstate__()


def test_other_analyzers_are_refused() -> None:
    words = CharNgramTfidf(analyzer="word").fit(CORPUS)
    with pytest.raises(ValueError, match="char_wb"):
        words.transform(CORPUS)
