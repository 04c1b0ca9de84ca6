"""Training-job fixtures: an isolated MLflow store (SQLite in a temp dir) and the CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from models.tfidf import TfidfConfig, TfidfModel

SAMPLE = Path(__file__).resolve().parents[2] / "training/data/sample_tweets.csv.gz"


def contrary_teacher_for(texts: list[str], labels: np.ndarray) -> TfidfModel:
    """A fitted model that disagrees with the labels (trained on them flipped): a student
    that learns from its scores cannot be mistaken for one that learns the labels."""
    teacher = TfidfModel(TfidfConfig(max_features=5_000, C=10.0))
    teacher.fit(texts, 1 - labels)
    return teacher


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """AIRPARADIS_DATA_DIR for the module: its own mlflow.db, artifacts and model cache."""
    path = tmp_path_factory.mktemp("var")
    mp = pytest.MonkeyPatch()
    mp.setenv("AIRPARADIS_DATA_DIR", str(path))
    mp.delenv("MLFLOW_TRACKING_URI", raising=False)
    mp.delenv("AIRPARADIS_MLFLOW_TRACKING_URI", raising=False)
    yield path
    mp.undo()


@pytest.fixture(scope="module")
def cli(data_dir: Path) -> Callable[..., Result]:
    """Run `airparadis-train ARGS...`; fails the test with the output if the exit code is not 0."""
    from training.cli import app

    runner = CliRunner()

    def run(*args: str, expect: int = 0) -> Result:
        result = runner.invoke(app, list(args))
        assert result.exit_code == expect, (
            f"{args}: exit {result.exit_code}\n{result.output}\n{result.exception!r}"
        )
        return result

    return run
