"""The stream serves a saved LexiconBlend like any kind: in its scorer child process."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.blend import LexiconBlend
from models.data import load_dataset
from models.splits import split_dataset
from models.tfidf import TfidfModel
from stream.serving import load_served
from stream.settings import Settings
from tests.models.conftest import SAMPLE


def test_worker_scores_a_saved_blend_in_its_child_process(tmp_path: Path) -> None:
    splits = split_dataset(load_dataset(SAMPLE), seed=42)
    base = TfidfModel()
    base.fit(splits.train.texts, splits.train.labels)
    blend = LexiconBlend(base)
    blend.fit(splits.val.texts, splits.val.labels)
    blend.save(tmp_path / "blend")
    served = load_served(Settings(score_in_subprocess=True), str(tmp_path / "blend"))
    try:
        texts = splits.test.texts[:64]
        scores, oov = served.score(texts)
        np.testing.assert_allclose(scores, blend.predict_proba(texts), atol=1e-6)
        assert served.model.kind == "blend" and 0 <= oov <= 1
    finally:
        served.close()
