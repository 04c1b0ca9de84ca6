"""MLflow registry on a throwaway SQLite store: log, register, aliases, promote, roll back, load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from models import registry
from models.pyfunc import log_model_dir
from models.splits import Splits
from models.tfidf import TfidfModel
from stream.settings import Settings

NAME = registry.REGISTERED_NAMES["tfidf"]
TEXTS = ["I love this airline", "lost my bag again", "meh"]
Logged = tuple[TfidfModel, list[str], list[str]]  # model, logged model URIs, run ids


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    mp = pytest.MonkeyPatch()
    mp.delenv("MLFLOW_TRACKING_URI", raising=False)
    mp.delenv("AIRPARADIS_MLFLOW_TRACKING_URI", raising=False)
    yield Settings(data_dir=tmp_path_factory.mktemp("registry"))
    mp.undo()


@pytest.fixture(scope="module")
def logged(
    settings: Settings, sample_splits: Splits, tmp_path_factory: pytest.TempPathFactory
) -> Logged:
    """A small TF-IDF saved and logged twice (two runs), as (model, [model URIs], [run ids])."""
    model = TfidfModel()
    part = sample_splits.train.take(np.arange(1200))
    model.fit(part.texts, part.labels)
    model_dir = tmp_path_factory.mktemp("model") / "tfidf"
    model.save(model_dir)
    registry.use_experiment(settings)
    uris, runs = [], []
    for accuracy in (0.7, 0.8):
        with mlflow.start_run() as run:
            mlflow.log_metric("test_accuracy", accuracy)
            uris.append(log_model_dir(model_dir, "tfidf", native=model.pipeline))
            runs.append(run.info.run_id)
    return model, uris, runs


def test_experiment_artifacts_live_under_the_data_dir(settings: Settings) -> None:
    experiment_id = registry.use_experiment(settings)
    location = mlflow.get_experiment(experiment_id).artifact_location
    assert location == (settings.artifact_root / registry.EXPERIMENT).as_uri()
    assert settings.tracking_uri.startswith("sqlite:///")


def test_register_promote_rollback_cycle(settings: Settings, logged: Logged) -> None:
    _, uris, _ = logged
    assert registry.champion_version(settings, NAME) is None
    first = registry.register(settings, uris[0], "tfidf", alias=registry.CHAMPION)
    second = registry.register(settings, uris[1], "tfidf")  # challenger by default
    assert registry.champion_version(settings, NAME) == first
    assert registry.champion_version(settings, NAME, registry.CHALLENGER) == second

    assert registry.promote(settings, NAME) == first  # promotes the challenger
    assert registry.champion_version(settings, NAME) == second
    assert registry.champion_version(settings, NAME, registry.CHALLENGER) is None

    assert registry.rollback(settings, NAME) == first
    assert registry.champion_version(settings, NAME) == first
    with pytest.raises(registry.RegistryError, match="no previous champion"):
        registry.rollback(settings, NAME)
    with pytest.raises(registry.RegistryError, match="no 'challenger' alias"):
        registry.promote(settings, NAME)

    rows = registry.list_versions(settings, NAME)
    assert [row.version for row in rows] == [second, first]
    assert [row.aliases for row in rows] == [[], [registry.CHAMPION]]
    assert [row.metrics["test_accuracy"] for row in rows] == [0.8, 0.7]


def test_load_native_by_alias_gives_identical_predictions(
    settings: Settings, logged: Logged
) -> None:
    model, uris, _ = logged
    version = registry.register(settings, uris[0], "tfidf", alias=registry.CHAMPION)
    loaded, name, loaded_version = registry.load_native(settings, f"models:/{NAME}@champion")
    assert (name, loaded_version) == (NAME, version)
    assert loaded.kind == "tfidf"
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    cached = settings.data_dir / "model-cache" / NAME / version
    assert (cached / "model.json").is_file()
    again, _, _ = registry.load_native(settings, f"models:/{NAME}/{version}")
    np.testing.assert_array_equal(again.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_pyfunc_and_sklearn_flavours_score_raw_text(settings: Settings, logged: Logged) -> None:
    model, uris, runs = logged
    registry.client(settings)
    frame = pd.DataFrame({"text": TEXTS})
    pyfunc = mlflow.pyfunc.load_model(uris[0])
    assert pyfunc.metadata.get_input_schema().input_names() == ["text"]
    np.testing.assert_allclose(pyfunc.predict(frame), model.predict_proba(TEXTS), rtol=1e-6)
    requirements = Path(mlflow.pyfunc.get_model_dependencies(uris[0])).read_text()
    assert "scikit-learn==" in requirements and "skops==" in requirements
    native = mlflow.sklearn.load_model(_sklearn_uri(runs[0]))
    np.testing.assert_allclose(
        native.predict_proba(frame)[:, 1], model.predict_proba(TEXTS), rtol=1e-6
    )


def _sklearn_uri(run_id: str) -> str:
    models = mlflow.search_logged_models(
        filter_string=f"source_run_id = '{run_id}'", output_format="list"
    )
    return next(m.model_uri for m in models if m.name == "sklearn")


def test_load_native_local_dir_and_bad_uris(
    settings: Settings, logged: Logged, tmp_path: Path
) -> None:
    model, _, _ = logged
    model.save(tmp_path / "local")
    loaded, name, version = registry.load_native(settings, str(tmp_path / "local"))
    assert (name, version) == ("local", "local")
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    with pytest.raises(ValueError, match="neither models:/name@alias"):
        registry.load_native(settings, str(tmp_path / "missing"))
    with pytest.raises(registry.RegistryError, match=r"no version of .* holds alias 'nobody'"):
        registry.load_native(settings, f"models:/{NAME}@nobody")
