"""The loop's retrain keeps a distilled champion's recipe when given its teacher's scores."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from models.devsets import AIRLINE_DATA
from models.evaluation import quality
from models.tfidf import TfidfModel
from tests.training.conftest import SAMPLE
from training.jobs import prepare_splits
from training.loop import labels as label_rows
from training.loop.retrain import RetrainOptions, build_challenger, version_tags
from training.teacher_scores import TeacherScores

UNTIL = pd.Timestamp("2015-02-20T08:00:00", tz="UTC")


@pytest.mark.timeout(300)
def test_a_retrain_with_teacher_scores_mixes_them_into_base_tweets_only(tmp_path: Path) -> None:
    """A contrary teacher (1 - label) makes every base tweet's target 0.5: the distilled
    challenger is unsure on base-like tweets, yet still learns people's hard labels."""
    base = prepare_splits(SAMPLE, None, 42)
    champion = TfidfModel()
    champion.fit(base.train.texts, base.train.labels)
    train = base.train
    contrary = {text: 1.0 - y for text, y in zip(train.texts, train.labels, strict=True)}
    scores = tmp_path / "scores.csv.gz"
    TeacherScores(contrary, "contrary").save(scores)
    labels = label_rows.load_labels(str(AIRLINE_DATA))
    options = RetrainOptions(
        labels=str(AIRLINE_DATA), train_until=UNTIL, holdout_days=2, calibration="none",
        teacher_scores=scores,
    )  # fmt: skip

    distilled = build_challenger(champion, labels, base, options)
    plain = build_challenger(champion, labels, base, replace(options, teacher_scores=None))

    def fit_to_base(model: TfidfModel) -> float:  # how well it learned the base labels
        return quality(train.labels, model.predict_proba(train.texts)).roc_auc

    assert fit_to_base(distilled.model) < fit_to_base(plain.model) - 0.1
    people = distilled.train_labels
    truth = (people["label"] == "positive").to_numpy().astype(int)
    scores_people = distilled.model.predict_proba(people["text"].tolist())
    assert quality(truth, scores_people).roc_auc > 0.9
    assert version_tags(options, distilled, "1")["distilled_from"] == str(scores)
    assert (
        version_tags(replace(options, teacher_scores=None), plain, "1")["distilled_from"] == "none"
    )


def test_a_tfidf_warm_start_refuses_soft_targets(tmp_path: Path) -> None:
    base = prepare_splits(SAMPLE, None, 42)
    champion = TfidfModel()
    champion.fit(base.train.texts, base.train.labels)
    scores = tmp_path / "scores.csv.gz"
    TeacherScores(dict.fromkeys(base.train.texts, 0.5), "flat").save(scores)
    options = RetrainOptions(
        labels=str(AIRLINE_DATA), train_until=UNTIL, holdout_days=2, calibration="none",
        teacher_scores=scores, warm_start=True,
    )  # fmt: skip
    with pytest.raises(ValueError, match="retrain from scratch"):
        build_challenger(champion, label_rows.load_labels(str(AIRLINE_DATA)), base, options)
