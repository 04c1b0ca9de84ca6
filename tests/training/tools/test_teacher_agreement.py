"""The teacher-agreement proxy: the count, and the CLI on the airline judge days."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from models.devsets import FEEDBACK_DAYS, load_airline
from models.tfidf import TfidfConfig, TfidfModel
from training.tools.teacher_agreement import agreement, app


def test_disagreements_and_who_is_right_on_them() -> None:
    labels = np.array([1, 0, 1, 0, 1])
    model = np.array([0.9, 0.2, 0.1, 0.7, 0.6])
    teacher = np.array([0.8, 0.9, 0.9, 0.1, 0.4])
    found = agreement(model, teacher, labels)
    assert (found.n, found.disagreements, found.model_right) == (5, 4, 2)  # rows 1 and 4
    assert found.rate == pytest.approx(0.8) and found.model_right_share == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same length"):
        agreement(model, teacher[:3], labels)


def test_cli_compares_each_model_with_the_teacher(tmp_path: Path) -> None:
    feedback = load_airline().on(FEEDBACK_DAYS)
    config = TfidfConfig(max_features=5_000)
    teacher, contrary = TfidfModel(config), TfidfModel(config)
    teacher.fit(feedback.texts, feedback.labels)
    contrary.fit(feedback.texts, 1 - feedback.labels)
    teacher.save(tmp_path / "teacher")
    contrary.save(tmp_path / "contrary")
    args = ["--teacher", str(tmp_path / "teacher")]
    args += ["--model", str(tmp_path / "teacher"), "--model", str(tmp_path / "contrary")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    same, flipped = [line for line in result.output.splitlines() if line.startswith("| ")][1:]
    assert same.startswith(f"| {tmp_path / 'teacher'} | 0 of 2396 (0.0%)")
    shown = int(flipped.split("|")[2].split()[0])
    assert shown > 2_000  # a model trained on the opposite labels disagrees almost always
