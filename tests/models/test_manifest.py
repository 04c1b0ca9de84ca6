"""models.manifest: the manifest and reference scores every model kind saves and loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.kinds import load_model
from models.lexicon import VaderModel
from models.manifest import MANIFEST, REFERENCE_SCORES, Manifest, read_manifest
from models.tfidf import TfidfModel


def test_round_trip(tmp_path: Path) -> None:
    scores = np.array([0.1, 0.25, 0.9])
    Manifest("lstm", {"config": {"units": 8}, "max_len": 40}, {"run": "r1"}, scores).save(tmp_path)
    saved = Manifest.load(tmp_path, "lstm")
    assert saved.entries == {"config": {"units": 8}, "max_len": 40}
    assert saved.metadata == {"run": "r1"}
    assert saved.reference_scores is not None and saved.reference_scores.dtype == np.float32
    np.testing.assert_allclose(saved.reference_scores, scores, rtol=1e-6)
    assert read_manifest(tmp_path) == {
        "kind": "lstm", "config": {"units": 8}, "max_len": 40, "metadata": {"run": "r1"}
    }  # fmt: skip


def test_missing_reference_scores_load_as_none(tmp_path: Path) -> None:
    Manifest("tfidf").save(tmp_path)
    assert not (tmp_path / REFERENCE_SCORES).exists()
    saved = Manifest.load(tmp_path, "tfidf")
    assert saved.reference_scores is None and saved.metadata == {} and saved.entries == {}


def test_another_kind_or_no_manifest_is_refused(tmp_path: Path) -> None:
    Manifest("lstm").save(tmp_path / "lstm")
    with pytest.raises(ValueError, match="holds a 'lstm' model, not 'tfidf'"):
        Manifest.load(tmp_path / "lstm", "tfidf")
    with pytest.raises(FileNotFoundError, match=MANIFEST):
        Manifest.load(tmp_path / "nothing", "tfidf")


def test_entries_cannot_overwrite_kind_or_metadata(tmp_path: Path) -> None:
    Manifest("vader", {"kind": "lstm", "metadata": "x"}, {"a": 1}).save(tmp_path)
    assert read_manifest(tmp_path)["kind"] == "vader"
    assert Manifest.load(tmp_path, "vader").metadata == {"a": 1}


def test_every_kind_keeps_its_reference_scores(small_tfidf: TfidfModel, tmp_path: Path) -> None:
    """TF-IDF and VADER here; the LSTM, blend and transformer in their own test files."""
    held = small_tfidf.reference_scores
    small_tfidf.reference_scores = np.array([0.3, 0.6], np.float32)
    try:
        small_tfidf.save(tmp_path / "tfidf")
    finally:
        small_tfidf.reference_scores = held
    loaded = load_model(tmp_path / "tfidf")
    assert isinstance(loaded, TfidfModel) and loaded.reference_scores is not None
    np.testing.assert_allclose(loaded.reference_scores, np.array([0.3, 0.6]), rtol=1e-6)
    vader = VaderModel()
    vader.metadata = {"note": "lexicon only"}
    vader.save(tmp_path / "vader")
    loaded_vader = load_model(tmp_path / "vader")
    assert isinstance(loaded_vader, VaderModel)
    assert loaded_vader.metadata == {"note": "lexicon only"}
