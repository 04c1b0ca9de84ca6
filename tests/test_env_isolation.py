"""Tests never touch the registry (or credentials) of the shell that runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mlflow

from models.pyfunc import log_model_dir
from models.registry import CHAMPION, REGISTERED_NAMES, champion_version, register, use_experiment

REPO = Path(__file__).resolve().parents[1]


def test_registering_a_champion_in_a_test_stays_in_the_tests_registry(
    settings_factory, small_model_dir
):
    assert not os.environ.get("MLFLOW_TRACKING_URI")
    assert "KAFKA_SASL_PASSWORD" not in os.environ and "MLFLOW_TRACKING_TOKEN" not in os.environ
    settings = settings_factory()
    assert settings.tracking_uri == f"sqlite:///{(settings.data_dir / 'mlflow.db').resolve()}"
    use_experiment(settings)
    with mlflow.start_run():
        register(settings, log_model_dir(small_model_dir, "tfidf"), "tfidf", CHAMPION)
    assert champion_version(settings, REGISTERED_NAMES["tfidf"]) == "1"


def test_a_tracking_uri_exported_in_the_shell_is_never_used(tmp_path):
    shell_registry = tmp_path / "shell-registry.db"
    uri = f"sqlite:///{shell_registry}"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": uri,
        "AIRPARADIS_MLFLOW_TRACKING_URI": uri,
        "MLFLOW_TRACKING_TOKEN": "not-for-tests",
        "KAFKA_SASL_PASSWORD": "not-for-tests",
    }
    inner = test_registering_a_champion_in_a_test_stays_in_the_tests_registry.__name__
    inner = f"{Path(__file__).relative_to(REPO)}::{inner}"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", inner],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-3000:]
    assert not shell_registry.exists(), "a test wrote to the shell's registry"
