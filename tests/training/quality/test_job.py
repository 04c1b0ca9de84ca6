"""The dev-protocol job on the in-repo sample: one MLflow run per lever, in its own store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mlflow
import numpy as np
import pytest

from models.devsets import AIRLINE_DATA, behavioural_suite
from models.evaluation import quality
from models.kinds import load_model
from tests.training.conftest import SAMPLE
from training.quality import tfidf_levers
from training.quality.data import OOF_FOLDS
from training.quality.job import EXPERIMENT, QualityOptions, run_levers, table


def test_levers_run_log_and_tabulate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/users.db")
    uri = f"sqlite:///{tmp_path}/quality.db"
    levers = ("tfidf", "vader", "tfidf+vader-blend(val)", "tfidf+airline(weighted)")
    options = QualityOptions(SAMPLE, AIRLINE_DATA, uri, levers, save_dir=tmp_path / "models")
    results = run_levers(options)
    assert [r.name for r in results] == list(levers)
    by_name = {r.name: r.results for r in results}
    # in-domain labels help on the airline's later days
    assert (
        by_name["tfidf+airline(weighted)"]["airline"].roc_auc > by_name["tfidf"]["airline"].roc_auc
    )
    runs = mlflow.search_runs(experiment_names=[EXPERIMENT], output_format="list")
    assert sorted(run.info.run_name for run in runs) == sorted(levers)
    assert all("airline_roc_auc" in run.data.metrics for run in runs)
    assert not (tmp_path / "users.db").exists()
    assert len(table(results).splitlines()) == 2 + len(levers)
    saved = load_model(tmp_path / "models/tfidf+vader-blend_val_")
    blend = next(r for r in results if r.name == "tfidf+vader-blend(val)")
    assert saved.kind == "blend"
    suite = behavioural_suite()
    assert quality(suite.labels, saved.predict_proba(suite.texts)) == blend.results["behaviour"]


def test_unknown_lever_is_named(tmp_path: Path) -> None:
    options = QualityOptions(SAMPLE, SAMPLE, f"sqlite:///{tmp_path}/q.db", ("nope",))
    with pytest.raises(ValueError, match="nope"):
        run_levers(options)


def test_two_source_blends_share_their_out_of_fold_fits_and_differ_in_prior(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Balanced, the feedback days leave the blend's bias alone; with the airline's own
    prior (three negatives to one positive) it leans negative. The base and its two folds
    are fitted once for both levers."""
    fits = []
    real_fit = tfidf_levers.fit_tfidf

    def counted(texts: Sequence[str], labels: np.ndarray, weight: np.ndarray | None) -> object:
        fits.append(len(texts))
        return real_fit(texts, labels, weight)

    monkeypatch.setattr(tfidf_levers, "fit_tfidf", counted)
    both = "tfidf+airline(weighted)+vader-blend(val+airline-oof)"
    levers = (both, "tfidf+airline(weighted)+vader-blend(val+airline-oof,prior)")
    run_levers(QualityOptions(SAMPLE, AIRLINE_DATA, f"sqlite:///{tmp_path}/q.db", levers))
    assert len(fits) == 1 + OOF_FOLDS
    runs = mlflow.search_runs(experiment_names=[EXPERIMENT], output_format="list")
    bias = {run.info.run_name: float(run.data.params["w_bias"]) for run in runs}
    assert bias[levers[1]] < bias[both] - 0.05
