"""load_served with a scorer child: the child loads its copy while this process loads its
own; a model that cannot be loaded raises and leaves no child behind."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

from models.kinds import load_model
from stream.scorer_process import ProcessScorer
from stream.serving import load_served, resolve_cached
from stream.settings import Settings
from tests.conftest import labelled_sample


def no_children_within(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not multiprocessing.active_children()


def test_served_in_a_child_scores_as_the_model_here(small_model_dir: Path) -> None:
    served = load_served(Settings(score_in_subprocess=True), str(small_model_dir))
    try:
        texts, _ = labelled_sample(50)
        scores, _ = served.score(texts)
        np.testing.assert_allclose(scores, load_model(small_model_dir).predict_proba(texts))
        assert len(multiprocessing.active_children()) == 1
    finally:
        served.close()
    assert no_children_within(10)


def test_a_child_started_without_waiting_is_ready_when_asked(small_model_dir: Path) -> None:
    scorer = ProcessScorer(small_model_dir, wait=False)
    try:
        scorer.wait_ready()
        texts, _ = labelled_sample(10)
        scores, oov = scorer(texts)
        np.testing.assert_allclose(scores, load_model(small_model_dir).predict_proba(texts))
        assert 0 <= oov <= 1
    finally:
        scorer.close()


def test_a_model_that_cannot_be_loaded_raises_and_leaves_no_child(
    small_model_dir: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(small_model_dir, broken)
    (broken / "pipeline.skops").write_bytes(b"not a zip file")
    with pytest.raises(Exception, match=r"(?i)zip"):
        load_served(Settings(score_in_subprocess=True), str(broken))
    assert no_children_within(10), multiprocessing.active_children()


def test_a_failed_load_here_stops_the_child_that_loaded(
    small_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child has its own copy; this process failing (memory, a signal) must not leave it."""

    def out_of_memory(path: Path) -> None:
        time.sleep(2)  # the child is loading meanwhile
        raise MemoryError(f"cannot load {path}")

    monkeypatch.setattr("stream.serving.load_model", out_of_memory)
    with pytest.raises(MemoryError):
        load_served(Settings(score_in_subprocess=True), str(small_model_dir))
    assert no_children_within(10), multiprocessing.active_children()


def test_a_model_directory_is_served_without_importing_mlflow(small_model_dir: Path) -> None:
    """No registry behind a path: the worker starts without MLflow's 2 s import."""
    check = (
        "import sys; from stream.serving import resolve_cached; from stream.settings import "
        f"Settings; print(resolve_cached(Settings(), {str(small_model_dir)!r})[2], "
        "'mlflow' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["local", "False"]


def test_a_path_that_is_no_model_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither models:/name@alias"):
        resolve_cached(Settings(), str(tmp_path / "nothing-here"))


def test_a_crashed_child_is_replaced_for_the_next_call(small_model_dir: Path) -> None:
    scorer = ProcessScorer(small_model_dir)
    try:
        [child] = multiprocessing.active_children()
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        texts, _ = labelled_sample(10)
        with pytest.raises(BrokenProcessPool):
            scorer(texts)
        scores, _ = scorer(texts)  # a fresh child, loaded before the call returns
        np.testing.assert_allclose(scores, load_model(small_model_dir).predict_proba(texts))
        assert child.pid not in {c.pid for c in multiprocessing.active_children()}
    finally:
        scorer.close()
