"""Tiny random BERT / DistilBERT checkpoints in Hugging Face layout, and a NumPy reference
forward pass with Hugging Face semantics (post-LayerNorm encoder, exact GELU).

The checkpoints are real checkpoints (config.json, model.safetensors, vocab.txt), only small,
so tests exercise the same loading code as all-MiniLM-L6-v2 in a fraction of a second.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [
    "i", "love", "hate", "this", "that", "the", "airline", "flight", "plane", "crew", "seat",
    "delay", "delayed", "late", "great", "awful", "good", "bad", "not", "very", "so", "is",
    "was", "it", "my", "a", "to", "and", "of", "thanks", "never", "again", "best", "worst",
    "today", ".", ",", "!", "?",
]  # fmt: skip
VOCAB = SPECIAL + WORDS + ["##s", "##ed", "##ing", "##ly"]
HIDDEN, HEADS, INTERMEDIATE, LAYERS, POSITIONS = 16, 2, 32, 3, 64


def _layer_keys(model_type: str, i: int) -> dict[str, str]:
    if model_type == "bert":
        p = f"encoder.layer.{i}."
        return {
            "q": p + "attention.self.query", "k": p + "attention.self.key",
            "v": p + "attention.self.value", "o": p + "attention.output.dense",
            "ln1": p + "attention.output.LayerNorm", "ff1": p + "intermediate.dense",
            "ff2": p + "output.dense", "ln2": p + "output.LayerNorm",
        }  # fmt: skip
    p = f"distilbert.transformer.layer.{i}."
    return {
        "q": p + "attention.q_lin", "k": p + "attention.k_lin", "v": p + "attention.v_lin",
        "o": p + "attention.out_lin", "ln1": p + "sa_layer_norm", "ff1": p + "ffn.lin1",
        "ff2": p + "ffn.lin2", "ln2": p + "output_layer_norm",
    }  # fmt: skip


def _embedding_prefix(model_type: str) -> str:
    return "embeddings." if model_type == "bert" else "distilbert.embeddings."


def random_weights(model_type: str, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def normal(scale: float, *shape: int) -> np.ndarray:
        return rng.normal(0, scale, shape).astype(np.float32)

    def dense(out_dim: int, in_dim: int, name: str) -> dict[str, np.ndarray]:
        return {
            f"{name}.weight": normal(0.2, out_dim, in_dim),
            f"{name}.bias": normal(0.05, out_dim),
        }

    def norm(name: str) -> dict[str, np.ndarray]:
        return {f"{name}.weight": 1 + normal(0.1, HIDDEN), f"{name}.bias": normal(0.1, HIDDEN)}

    e = _embedding_prefix(model_type)
    weights = {
        f"{e}word_embeddings.weight": normal(1.0, len(VOCAB), HIDDEN),
        f"{e}position_embeddings.weight": normal(0.3, POSITIONS, HIDDEN),
        **norm(f"{e}LayerNorm"),
    }
    if model_type == "bert":
        weights[f"{e}token_type_embeddings.weight"] = normal(0.3, 2, HIDDEN)
        weights.update(dense(HIDDEN, HIDDEN, "pooler.dense"))
    for i in range(LAYERS):
        keys = _layer_keys(model_type, i)
        for name in ("q", "k", "v", "o"):
            weights.update(dense(HIDDEN, HIDDEN, keys[name]))
        weights.update(dense(INTERMEDIATE, HIDDEN, keys["ff1"]))
        weights.update(dense(HIDDEN, INTERMEDIATE, keys["ff2"]))
        weights.update(norm(keys["ln1"]) | norm(keys["ln2"]))
    return weights


def _config(model_type: str) -> dict[str, object]:
    if model_type == "bert":
        return {
            "model_type": "bert", "architectures": ["BertModel"], "vocab_size": len(VOCAB),
            "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
            "intermediate_size": INTERMEDIATE, "max_position_embeddings": POSITIONS,
            "type_vocab_size": 2, "hidden_act": "gelu", "layer_norm_eps": 1e-12,
        }  # fmt: skip
    return {
        "model_type": "distilbert", "architectures": ["DistilBertModel"],
        "vocab_size": len(VOCAB), "dim": HIDDEN, "n_layers": LAYERS, "n_heads": HEADS,
        "hidden_dim": INTERMEDIATE, "max_position_embeddings": POSITIONS, "dropout": 0.1,
        "activation": "gelu",
    }  # fmt: skip


def write_tiny_checkpoint(path: Path, model_type: str = "bert", seed: int = 0) -> Path:
    """A complete local checkpoint directory (no tokenizer.json: built from vocab.txt)."""
    from safetensors.numpy import save_file

    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text(json.dumps(_config(model_type)))
    (path / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    (path / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}))
    save_file(random_weights(model_type, seed), str(path / "model.safetensors"))
    return path


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def reference_forward(
    w: dict[str, np.ndarray], model_type: str, heads: int, ids: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """Last hidden states, shape (batch, length, hidden), computed in float64."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    e = _embedding_prefix(model_type)
    x = w[f"{e}word_embeddings.weight"][ids] + w[f"{e}position_embeddings.weight"][: ids.shape[1]]
    if model_type == "bert":
        x = x + w[f"{e}token_type_embeddings.weight"][0]
    x = _layer_norm(x, w, f"{e}LayerNorm")
    batch, length, hidden = x.shape
    size = hidden // heads
    bias = (1.0 - mask[:, None, None, :]) * -1e9
    n_layers = 1 + max(int(k.split("layer.")[1].split(".")[0]) for k in w if "layer." in k)
    for i in range(n_layers):
        keys = _layer_keys(model_type, i)
        q, k, v = (
            _linear(x, w, keys[n]).reshape(batch, length, heads, size).transpose(0, 2, 1, 3)
            for n in ("q", "k", "v")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + bias
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(x + _linear(context, w, keys["o"]), w, keys["ln1"])
        ff = _linear(_gelu(_linear(x, w, keys["ff1"])), w, keys["ff2"])
        x = _layer_norm(x + ff, w, keys["ln2"])
    return x


def mean_pooled_normalised(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sentence-transformers' Pooling(mean) + Normalize."""
    mask = mask[..., None].astype(np.float64)
    pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
    return pooled / np.linalg.norm(pooled, axis=-1, keepdims=True)
