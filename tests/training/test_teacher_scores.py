"""A teacher's saved scores: scored once, looked up by text, a missing text is an error;
the distilled TF-IDF lever follows those scores."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from models.data import LabelledTexts
from models.devsets import AIRLINE_DATA
from models.tfidf import TfidfModel
from tests.training.conftest import SAMPLE, contrary_teacher_for
from training.quality.data import LeverData
from training.quality.job import QualityOptions, load_inputs
from training.quality.tfidf_levers import distilled_in_domain, in_domain_weighted
from training.teacher_scores import TeacherScores


@pytest.fixture(scope="module")
def lever_data() -> LeverData:
    return load_inputs(QualityOptions(SAMPLE, AIRLINE_DATA, "sqlite://"))[0]


@pytest.fixture(scope="module")
def contrary_teacher(lever_data: LeverData) -> TfidfModel:
    return contrary_teacher_for(lever_data.splits.train.texts, lever_data.splits.train.labels)


def test_scores_round_trip_and_missing_texts_fail(
    contrary_teacher: TfidfModel, tmp_path: Path
) -> None:
    texts = ["great flight", "lost my bag", "great flight"]
    scores = TeacherScores.score(contrary_teacher, texts, "stand-in")
    assert len(scores) == 2  # one score per distinct text
    scores.save(tmp_path / "scores.csv.gz")
    loaded = TeacherScores.load(tmp_path / "scores.csv.gz")
    assert loaded.teacher == "stand-in"
    np.testing.assert_allclose(
        loaded.predict_proba(texts), contrary_teacher.predict_proba(texts), atol=1e-6
    )
    with pytest.raises(KeyError, match="1 text"):
        loaded.predict_proba(["great flight", "never scored"])


def test_distilled_lever_needs_a_teacher(lever_data: LeverData) -> None:
    with pytest.raises(ValueError, match="teacher-scores"):
        distilled_in_domain(lever_data)


def test_distilled_student_moves_towards_the_teacher(
    lever_data: LeverData, contrary_teacher: TfidfModel
) -> None:
    train = lever_data.splits.train
    scored = TeacherScores.score(contrary_teacher, train.texts, "contrary")
    data = replace(lever_data, teacher=scored)
    student = distilled_in_domain(data)[0]
    plain = in_domain_weighted(data)[0]
    test: LabelledTexts = lever_data.splits.test
    teacher = contrary_teacher.predict_proba(test.texts)
    follows = np.corrcoef(student.predict_proba(test.texts), teacher)[0, 1]
    baseline = np.corrcoef(plain.predict_proba(test.texts), teacher)[0, 1]
    assert follows > baseline + 0.2
