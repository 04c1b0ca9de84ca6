"""Character n-grams inside word boundaries (scikit-learn's `char_wb`), counted per word.

`char_wb` n-grams never cross a word, so a text's counts are the sum of its words' counts.
`CharNgramTfidf` fits exactly as `TfidfVectorizer` does and, when it transforms, counts
each distinct word once and remembers it: the same matrix, in a fraction of the time on
tweets, whose words repeat (docs/model_quality.md, fourteenth round).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

#: Words remembered at most; the memory is emptied when full (an attacker's stream of
#: unique words costs the time of an uncached transform, never unbounded memory).
MAX_WORDS = 200_000

WordCounts = tuple[np.ndarray, np.ndarray]  # feature indices, their counts


class CharNgramTfidf(TfidfVectorizer):
    """A `char_wb` `TfidfVectorizer` whose `transform` counts word by word."""

    def transform(self, raw_documents: Iterable[str]) -> Any:
        from scipy.sparse import csr_matrix, diags
        from sklearn.preprocessing import normalize

        if self.analyzer != "char_wb":
            raise ValueError(f"CharNgramTfidf counts char_wb n-grams, not {self.analyzer!r}")
        preprocess = self.build_preprocessor()
        memory: dict[str, WordCounts] = self.__dict__.setdefault("_words", {})
        indices, counts, indptr = [], [], [0]
        for document in raw_documents:
            stored = indptr[-1]
            for word in preprocess(self.decode(document)).split():
                word_indices, word_counts = memory.get(word) or self._count(word, memory)
                indices.append(word_indices)
                counts.append(word_counts)
                stored += len(word_indices)
            indptr.append(stored)
        matrix = csr_matrix(
            (_join(counts, np.float64), _join(indices, np.int64), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(self.vocabulary_)),
        )
        matrix.sum_duplicates()
        if self.sublinear_tf:
            np.log(matrix.data, out=matrix.data)
            matrix.data += 1
        if self.use_idf:
            matrix = matrix @ diags(self.idf_)
        return normalize(matrix, norm=self.norm) if self.norm else matrix

    def _count(self, word: str, memory: dict[str, WordCounts]) -> WordCounts:
        """The word's known n-grams and their counts, remembered in `memory`."""
        if len(memory) >= MAX_WORDS:
            memory.clear()
        grams = [self.vocabulary_.get(gram) for gram in self._char_wb_ngrams(word)]
        known = np.asarray([i for i in grams if i is not None], dtype=np.int64)
        unique, times = np.unique(known, return_counts=True)
        memory[word] = (unique, times.astype(np.float64))
        return memory[word]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_words", None)  # a cache: never saved
        return state


def _join(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
