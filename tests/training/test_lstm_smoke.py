"""One-epoch LSTM smoke training through the same CLI path as TF-IDF: log, register, load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import Result

from models import registry
from models.data import load_dataset
from models.kinds import load_model
from stream.settings import Settings
from tests.training.conftest import SAMPLE

pytest.importorskip("models.lstm.model")
pytestmark = pytest.mark.slow
LSTM = registry.REGISTERED_NAMES["lstm"]
TINY = ["embedding_dim=16", "lstm_units=8", "w2v_epochs=1", "batch_size=32"]


def test_one_epoch_lstm_registers_and_loads_by_alias(
    cli: Callable[..., Result], data_dir: Path, tmp_path: Path
) -> None:
    params = [arg for pair in TINY for arg in ("--param", pair)]
    cli("train", "--model", "lstm", "--data", str(SAMPLE), "--sample-size", "600",
        "--epochs", "1", *params, "--alias", "champion",
        "--output-dir", str(tmp_path / "lstm"))  # fmt: skip
    settings = Settings(data_dir=data_dir)
    served, name, version = registry.load_native(settings, f"models:/{LSTM}@champion")
    assert (served.kind, name, version) == ("lstm", LSTM, "1")
    texts = load_dataset(SAMPLE).texts[:40]
    np.testing.assert_array_equal(
        served.predict_proba(texts), load_model(tmp_path / "lstm").predict_proba(texts)
    )
    run_id = registry.list_versions(settings, LSTM)[0].run_id
    assert run_id is not None
    run = registry.client(settings).get_run(run_id)
    assert run.data.params["config.max_epochs"] == "1"
    assert "epoch_val_loss" in run.data.metrics and "test_roc_auc" in run.data.metrics
