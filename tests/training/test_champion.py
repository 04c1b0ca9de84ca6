"""`airparadis-train champion` end to end on the in-repo sample and the airline history, in
the module's own MLflow store: trained, logged, registered under the served name, gated,
loadable by the stream's loader and the pyfunc, promoted, and retrained by the loop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import Result

from models import registry
from models.devsets import AIRLINE_DATA, BEHAVIOURS, behavioural_suite
from models.evaluation import quality
from models.scores import logit
from stream.serving import load_served
from stream.settings import Settings
from tests.training.conftest import SAMPLE
from training.champion import RECIPE, Recipe

NAME = registry.REGISTERED_NAMES["tfidf"]  # stands in for the served name (the LSTM's)
UNTIL = "2015-02-20T08:00:00"  # Pacific midnight: labels of 16-19 Feb trained, 20-21 judged


@pytest.fixture(scope="module")
def champion_run(cli: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory) -> Result:
    """A tiny TF-IDF champion (v1), then the recipe as v2 through the CLI and the gate."""
    cli("train", "--model", "tfidf", "--data", str(SAMPLE), "--alias", "champion")
    reports = tmp_path_factory.mktemp("reports")
    return cli(
        "champion", "--data", str(SAMPLE), "--labels", str(AIRLINE_DATA), "--train-until", UNTIL,
        "--holdout-days", "2", "--name", NAME, "--resamples", "200", "--report-dir", str(reports),
    )  # fmt: skip


@pytest.mark.timeout(600)
def test_recipe_is_registered_tagged_and_gated(champion_run: Result, data_dir: Path) -> None:
    assert f"{NAME}: version 2 (challenger)" in champion_run.output
    assert "gate: v2 vs champion v1" in champion_run.output
    settings = Settings()
    version = registry.client(settings).get_model_version(NAME, "2")
    tags = version.tags
    assert tags["recipe"] == RECIPE and tags["gate.champion_version"] == "1"
    assert tags["data.train_until"] == pd.Timestamp(UNTIL, tz="UTC").isoformat()
    assert int(tags["labels.import:airline"]) > 2_000  # 16-19 Feb, negative/positive only
    assert int(tags["gate.recent.n"]) > 2_000  # 20-21 Feb, held back from training
    assert registry.champion_version(settings, NAME, registry.CHALLENGER) == "2"
    assert registry.champion_version(settings, NAME) == "1"  # the gate only decides
    run = registry.client(settings).get_run(str(version.run_id))
    proxies = ("recent_roc_auc", "behaviour_accuracy", "general_roc_auc")
    for metric in ("test_roc_auc", *proxies, "training_time_s"):
        assert metric in run.data.metrics
    assert tags["blend.label_share"] == "0.25"  # the blend's fit on labels: test_blend.py
    assert {"blend.compound", "blend.neg", "blend.base_logit"} <= set(run.data.params)
    # in-domain labels: the recipe beats the champion on the held-back airline days
    recent = "gate.recent.roc_auc"
    assert float(tags[f"{recent}.challenger"]) > float(tags[f"{recent}.champion"])


@pytest.mark.timeout(600)
def test_stream_serves_the_recipe_and_the_loop_retrains_it(
    champion_run: Result, cli: Callable[..., Result], data_dir: Path, tmp_path: Path
) -> None:
    import mlflow.pyfunc

    settings = Settings(model_uri=f"models:/{NAME}@champion")
    cli("promote", NAME, "--version", "2")  # what an approved rollout ends with
    served = load_served(settings)  # the worker's loader, scorer child process included
    try:
        suite = behavioural_suite()
        scores, oov = served.score(suite.texts)
        assert served.version == "2" and served.model.kind == "blend" and 0 <= oov <= 1
        assert served.reference_scores is not None
        pyfunc = mlflow.pyfunc.load_model(f"models:/{NAME}/2")
        frame = pd.DataFrame({"text": suite.texts})
        np.testing.assert_allclose(pyfunc.predict(frame), scores, atol=1e-6)
    finally:
        served.close()
    complaints = [text for text, label in BEHAVIOURS["complaints"] if label == 0]
    praise = [text for text, label in BEHAVIOURS["complaints"] if label == 1]
    assert max(served.score_here(complaints)[0]) < min(served.score_here(praise)[0])
    assert quality(suite.labels, scores).roc_auc > 0.75

    output = cli(
        "retrain", "--model", "tfidf", "--labels", str(AIRLINE_DATA), "--base-data", str(SAMPLE),
        "--train-until", UNTIL, "--resamples", "100", "--report-dir", str(tmp_path),
    ).output  # fmt: skip
    assert "version 3 (parent champion v2)" in output
    retrained = load_served(Settings(model_uri=f"models:/{NAME}/3", score_in_subprocess=False))
    assert retrained.model.kind == "blend"  # calibration (Platt, the loop's default) on top


@pytest.mark.timeout(600)
def test_lstm_base_distilled_from_saved_teacher_scores_and_blended(
    cli: Callable[..., Result], data_dir: Path, tmp_path: Path
) -> None:
    """`teacher-scores` then `champion --base lstm --teacher-scores --blend`: a BiLSTM
    trained on the weighted labels and the teacher's soft targets, blended with VADER on
    the validation split and the labels (two more BiLSTM fits score them out of fold), in a
    logit mean with the TF-IDF recipe (the default for lstm: TF-IDF + its own blend),
    registered with its recipe."""
    from models.tfidf import TfidfModel
    from training.jobs import prepare_splits

    splits = prepare_splits(SAMPLE, None, 42)
    teacher = TfidfModel()
    teacher.fit(splits.train.texts, splits.train.labels)
    teacher.save(tmp_path / "teacher")
    scores = tmp_path / "scores.csv.gz"
    cli("teacher-scores", "--teacher", str(tmp_path / "teacher"), "--out", str(scores),
        "--data", str(SAMPLE))  # fmt: skip
    name = "air-paradis-distilled-test"
    output = cli(
        "champion", "--data", str(SAMPLE), "--labels", str(AIRLINE_DATA), "--train-until", UNTIL,
        "--holdout-days", "2", "--name", name, "--base", "lstm", "--lstm-epochs", "1",
        "--teacher-scores", str(scores), "--blend", "--no-gate",
    ).output  # fmt: skip
    assert f"{name}: version 1 (challenger)" in output
    version = registry.client(Settings()).get_model_version(name, "1")
    recipe = "lstm(lexicon)+labels(weighted)+distilled+vader-blend(val+labels-oof)"
    recipe += "&tfidf+labels(weighted)+vader-blend(val+labels-oof)"
    assert version.tags["recipe"] == recipe
    assert version.tags["distilled_from"] == str(scores)
    served = load_served(Settings(model_uri=f"models:/{name}/1", score_in_subprocess=False))
    assert served.model.kind == "ensemble"
    blend, tfidf = served.model.members
    assert blend.kind == tfidf.kind == "blend"
    assert blend.base.kind == "lstm" and tfidf.base.kind == "tfidf"
    assert blend.base.config.lexicon_dims == 8  # VADER's valences in its embeddings
    texts = behavioural_suite().texts
    mean = (logit(blend.predict_proba(texts)) + logit(tfidf.predict_proba(texts))) / 2
    np.testing.assert_allclose(logit(served.model.predict_proba(texts)), mean, atol=1e-3)
    run = registry.client(Settings()).get_run(str(version.run_id))
    assert run.data.metrics["recent_roc_auc"] > 0.7  # the airline labels were learned
    for member in (0, 1):  # each base's score is trusted by its blend
        assert float(run.data.params[f"members.{member}.blend.base_logit"]) > 0


def test_each_base_has_its_default_blend_and_ensemble() -> None:
    assert Recipe().name == RECIPE == "tfidf+labels(weighted)+vader-blend(val+labels-oof)"
    lstm = "lstm(lexicon)+labels(weighted)"
    assert Recipe(base_kind="lstm").name == f"{lstm}&{RECIPE}"
    assert Recipe(base_kind="lstm", ensemble=False).name == lstm
    assert Recipe(base_kind="lstm", lstm_lexicon_dims=0, ensemble=False).name == (
        "lstm+labels(weighted)"
    )
    assert Recipe(base_kind="tfidf", blend=False).name == "tfidf+labels(weighted)"


def test_unknown_base_is_refused(cli: Callable[..., Result]) -> None:
    result = cli(
        "champion", "--data", str(SAMPLE), "--labels", str(AIRLINE_DATA), "--name", "x",
        "--base", "forest", "--no-gate", expect=1,
    )  # fmt: skip
    assert "expected one of tfidf, lstm" in repr(result.exception)


def test_options_left_unset_keep_the_recipe_defaults() -> None:
    from training.champion_cli import _given

    # 0 is a choice (`--lexicon-dims 0`: v3's recipe), only None means "not given"
    assert _given(label_share=None, lstm_lexicon_dims=0) == {"lstm_lexicon_dims": 0}
