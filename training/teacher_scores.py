"""A teacher's scores of known texts, saved once and looked up by text.

The fine-tuned MiniLM scores about 150 tweets/s on these CPUs: scoring the 80k tweets a
student trains on takes minutes, so it is done once (`airparadis-train teacher-scores`)
and every student run reads the file. A text the file does not hold is an error, never a
silent default.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from models.base import SentimentModel


class TeacherScores:
    kind = "teacher-scores"

    def __init__(self, scores: dict[str, float], teacher: str = "") -> None:
        self.scores = scores
        self.teacher = teacher  # where the scores came from (a model dir or URI)

    @classmethod
    def score(cls, model: SentimentModel, texts: Sequence[str], teacher: str) -> TeacherScores:
        unique = list(dict.fromkeys(texts))
        values = model.predict_proba(unique)
        return cls(dict(zip(unique, values.astype(float).tolist(), strict=True)), teacher)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in texts if text not in self.scores]
        if missing:
            raise KeyError(f"{len(missing)} text(s) have no teacher score, e.g. {missing[0]!r}")
        return np.asarray([self.scores[text] for text in texts], dtype=np.float32)

    def save(self, path: Path) -> None:
        """A gzip CSV (text, score, teacher)."""
        frame = pd.DataFrame({"text": list(self.scores), "score": list(self.scores.values())})
        frame["teacher"] = self.teacher
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, compression="gzip")

    @classmethod
    def load(cls, path: Path) -> TeacherScores:
        frame = pd.read_csv(path, compression="gzip", keep_default_na=False)
        teacher = str(frame["teacher"].iloc[0]) if len(frame) else ""
        return cls(dict(zip(frame["text"], frame["score"].astype(float), strict=True)), teacher)

    def oov_rate(self, texts: Sequence[str]) -> float:
        return 0.0  # scores, not a vocabulary

    def __len__(self) -> int:
        return len(self.scores)
