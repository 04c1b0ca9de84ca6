"""Fine-tuned BERT-family classifier (default: all-MiniLM-L6-v2), kind "transformer".

Tweets are tokenized by the checkpoint's WordPiece tokenizer; a keras-hub backbone encodes
them; masked mean pooling, dropout and a sigmoid unit score them. Only the top
`trainable_layers` encoder layers and the head are fine-tuned, on cached frozen-layer
states (see `models.transformer.fit`). A saved model is self-contained: `model.json`,
`tokenizer.json`, the keras-hub backbone preset in `backbone/`, and `head.npz`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from models.manifest import Manifest
from models.transformer.wordpiece import WordPieceEncoder, bucketed_batches, check_texts, pad_ids

TOKENIZER_FILE = "tokenizer.json"
BACKBONE_DIR = "backbone"
HEAD_FILE = "head.npz"


@dataclass(frozen=True)
class TransformerConfig:
    checkpoint: str | None = None  # local checkpoint directory; None: the bundled MiniLM
    max_length: int = 64  # wordpieces, [CLS] and [SEP] included
    clean: bool = True  # apply models.preprocessing.clean_tweet before WordPiece
    trainable_layers: int = 4  # of MiniLM's 6 (the choice: docs/transformer.md)
    dropout: float = 0.1
    learning_rate: float = 1e-4
    weight_decay: float = 0.01
    clipnorm: float = 1.0
    batch_size: int = 32
    predict_batch_size: int = 128
    epochs: int = 2
    patience: int = 1
    max_train_samples: int | None = None  # random training subset, to fit a time budget
    # Keras dtype policy while caching and fine-tuning: "auto" picks "mixed_bfloat16" on CPUs
    # with AVX512-BF16/AMX (faster there), else "float32". Served models compute in float32.
    train_dtype: str = "auto"
    # Fine-tuning stops after the batch that passes this many seconds since fit() began
    # (validation and the float32 copy follow, about a minute); None: no limit.
    time_budget_s: float | None = None
    seed: int = 42
    verbose: int = 0  # Keras fit's own output
    progress_s: float | None = 30.0  # a progress line (steps, ETA) this often; None: silent

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TransformerConfig:
        return cls(**data)


def resolve_train_dtype(setting: str) -> str:
    """ "auto" -> "mixed_bfloat16" where the CPU has native bfloat16 math, else "float32"."""
    if setting != "auto":
        return setting
    cpuinfo = Path("/proc/cpuinfo")
    flags = cpuinfo.read_text() if cpuinfo.is_file() else ""
    native = "avx512_bf16" in flags or "amx_bf16" in flags
    return "mixed_bfloat16" if native else "float32"


def check_labels(labels: Sequence[int], texts: Sequence[str], name: str) -> np.ndarray:
    array = np.asarray(labels)
    if len(array) != len(texts):
        raise ValueError(f"{name}: {len(array)} labels for {len(texts)} texts")
    bad = np.flatnonzero(~np.isin(array, (0, 1)))
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}]: label must be 0 or 1, got {array[bad[0]].item()!r}")
    return array.astype(np.int32)


class TransformerModel:
    kind = "transformer"

    def __init__(self, config: TransformerConfig | None = None) -> None:
        self.config = config or TransformerConfig()
        self.metadata: dict[str, Any] = {}
        self.reference_scores: np.ndarray | None = None
        self._net: Any = None
        self._encoder: WordPieceEncoder | None = None
        self._score: Any = None  # the full network as one tf.function

    def _build(self, backbone: Any, tokenizer: Any) -> None:
        from models.transformer.net import build_network

        cfg = self.config
        self._net = build_network(backbone, cfg.trainable_layers, cfg.dropout, cfg.seed)
        self._encoder = WordPieceEncoder(tokenizer, cfg.max_length, cfg.clean)
        self._score = self._net.compiled(self._net.full)

    def _ready(self) -> tuple[Any, WordPieceEncoder]:
        if self._net is None or self._encoder is None:
            raise RuntimeError("TransformerModel: call fit() or load() before predicting")
        return self._net, self._encoder

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        val_texts: Sequence[str],
        val_labels: Sequence[int],
    ) -> dict[str, list[float]]:
        """Cache the frozen layers' states of all texts, then fine-tune the top on them."""
        from models.transformer.checkpoint import default_checkpoint, load_backbone, load_tokenizer

        check_texts(texts)
        check_texts(val_texts)
        y = check_labels(labels, texts, "labels")
        val_y = check_labels(val_labels, val_texts, "val_labels")
        texts, y = self._subset(texts, y)
        started = time.perf_counter()
        checkpoint = Path(self.config.checkpoint or default_checkpoint()).resolve()
        dtype = resolve_train_dtype(self.config.train_dtype)
        self.config = replace(self.config, checkpoint=str(checkpoint), train_dtype=dtype)
        backbone = load_backbone(checkpoint, dtype)
        self._build(backbone, load_tokenizer(checkpoint))
        train, val = self._cache(texts, "train"), self._cache(val_texts, "validation")
        self.metadata = {"train_samples": len(texts), "cache_s": time.perf_counter() - started}
        return self._fine_tune((train, y), (val, val_y), started)

    def _fine_tune(self, train: tuple, val: tuple, started: float) -> dict[str, list[float]]:
        from models.transformer.fit import fit_top, predict_cached

        cfg = self.config
        budget = float("inf") if cfg.time_budget_s is None else cfg.time_budget_s
        deadline = started + budget
        history, budget_hit = fit_top(self._net, train, val, cfg, deadline)
        self.reference_scores = predict_cached(self._net, val[0], cfg.predict_batch_size)
        if cfg.train_dtype != "float32":
            self._net = self._net.with_dtype("float32", cfg.trainable_layers, cfg.dropout, cfg.seed)
            self._score = self._net.compiled(self._net.full)
        self.metadata |= {
            "fit_s": time.perf_counter() - started,
            "epochs_run": len(history.get("loss", [])),
            "time_budget_reached": budget_hit,
        }
        return history

    def _subset(self, texts: Sequence[str], y: np.ndarray) -> tuple[list[str], np.ndarray]:
        limit = self.config.max_train_samples
        if limit is None or limit >= len(texts):
            return list(texts), y
        keep = np.sort(np.random.default_rng(self.config.seed).permutation(len(texts))[:limit])
        return [texts[i] for i in keep], y[keep]

    def _cache(self, texts: Sequence[str], name: str) -> Any:
        from models.transformer.fit import Ticker
        from models.transformer.net import RaggedStates

        net, encoder = self._ready()
        ids = encoder.encode(texts)
        lengths = np.array([len(seq) for seq in ids])
        batches = bucketed_batches(lengths, self.config.predict_batch_size)
        ticker = Ticker(f"frozen layers, {name}", len(ids), "tweets", self.config.progress_s)
        return RaggedStates.compute(net, ids, batches, ticker.advance)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        net, encoder = self._ready()
        ids = encoder.encode(texts)
        scores = np.empty(len(ids), dtype=np.float32)
        lengths = np.array([len(seq) for seq in ids])
        for batch in bucketed_batches(lengths, self.config.predict_batch_size):
            token_ids, mask = pad_ids([ids[i] for i in batch])
            scores[batch] = self._score(net.backbone_inputs(token_ids, mask)).numpy().reshape(-1)
        return scores

    def oov_rate(self, texts: Sequence[str]) -> float:
        return self._ready()[1].oov_rate(texts)

    def save(self, path: Path) -> None:
        net, encoder = self._ready()
        path = Path(path)
        entries = {"config": self.config.to_dict()}
        Manifest(self.kind, entries, self.metadata, self.reference_scores).save(path)
        (path / TOKENIZER_FILE).write_text(encoder.to_json())
        net.backbone.save_to_preset(str(path / BACKBONE_DIR))
        kernel, bias = net.head.get_weights()
        np.savez(path / HEAD_FILE, kernel=kernel, bias=bias)

    @classmethod
    def load(cls, path: Path) -> TransformerModel:
        import keras_hub
        from tokenizers import Tokenizer

        path = Path(path)
        saved = Manifest.load(path, cls.kind)
        model = cls(TransformerConfig.from_dict(saved.entries["config"]))
        model.metadata, model.reference_scores = saved.metadata, saved.reference_scores
        backbone_dir = str((path / BACKBONE_DIR).resolve())
        backbone = keras_hub.models.Backbone.from_preset(backbone_dir, dtype="float32")
        model._build(backbone, Tokenizer.from_file(str(path / TOKENIZER_FILE)))
        with np.load(path / HEAD_FILE) as head:
            model._net.head.set_weights([head["kernel"], head["bias"]])
        return model
