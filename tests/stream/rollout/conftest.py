"""A throwaway SQLite registry with two tiny TF-IDF versions: 1 champion, 2 challenger."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest

from models import registry
from models.pyfunc import log_model_dir
from stream.settings import Settings

NAME = registry.REGISTERED_NAMES["tfidf"]


@pytest.fixture
def env(tmp_path: Path, small_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AIRPARADIS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("AIRPARADIS_MODEL_URI", f"models:/{NAME}@champion")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    settings = Settings()
    registry.use_experiment(settings)
    for alias in ("champion", "challenger"):
        with mlflow.start_run():
            registry.register(settings, log_model_dir(small_model_dir, "tfidf"), "tfidf", alias)
    return settings


@pytest.fixture(scope="session")
def positive_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deliberately bad TF-IDF model: trained on all-but-two positive labels, it labels
    (nearly) every tweet positive."""
    import numpy as np

    from models.manifest import save_reference_scores
    from models.tfidf import TfidfModel
    from tests.conftest import labelled_sample

    texts, _ = labelled_sample(500)
    labels = np.ones(len(texts), dtype=int)
    labels[:2] = 0
    model = TfidfModel()
    model.fit(texts, labels)
    path = tmp_path_factory.mktemp("bad-model") / "tfidf"
    model.save(path)
    save_reference_scores(path, model.predict_proba(texts))
    return path


def retraining(settings: Settings, command: str) -> Settings:
    """`settings` whose retrain command is `command`."""
    return settings.model_copy(
        update={"retrain": settings.retrain.model_copy(update={"command": command})}
    )
