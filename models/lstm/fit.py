"""Training of the Word2Vec + BiLSTM model: validate, tokenize, embed, fit, export.

Imported by `LstmModel.fit` only (it pulls in gensim and Keras).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.lstm.config import LstmConfig
from models.lstm.embeddings import embedding_matrix, load_keyed_vectors, train_word2vec
from models.lstm.lexicon_prior import token_valences, with_lexicon
from models.lstm.subwords import WordPieces, from_checkpoint
from models.lstm.vocab import Vocabulary
from models.preprocessing import Preprocessor

Labels = Sequence[int] | np.ndarray
Split = tuple[Sequence[str], Labels]
TokenIds = Vocabulary | WordPieces


@dataclass
class TrainResult:
    vocab: TokenIds
    max_len: int
    weights: dict[str, np.ndarray]
    history: dict[str, list[float]]
    metadata: dict[str, Any]


def check_split(name: str, texts: Sequence[str], labels: Labels, soft: bool = False) -> np.ndarray:
    """Labels as an int array (`soft`: float targets in [0, 1]), or a ValueError naming
    the split, the row and the reason."""
    if len(texts) != len(labels):
        raise ValueError(f"{name}: {len(texts)} texts but {len(labels)} labels")
    if not len(texts):
        raise ValueError(f"{name}: no rows")
    if soft:
        return _check_soft(name, texts, labels)
    for row, (text, label) in enumerate(zip(texts, labels, strict=True)):
        if not isinstance(text, str):
            raise ValueError(f"{name} row {row}: text must be str, got {type(text).__name__}")
        if isinstance(label, bool) or label not in (0, 1):
            raise ValueError(f"{name} row {row}: label must be 0 or 1, got {label!r}")
    return np.asarray(labels, dtype=np.int32)


def _check_soft(name: str, texts: Sequence[str], labels: Labels) -> np.ndarray:
    for row, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"{name} row {row}: text must be str, got {type(text).__name__}")
    targets = np.asarray(labels, dtype=np.float32)
    bad = np.flatnonzero(~((targets >= 0) & (targets <= 1)))  # NaN fails too
    if bad.size:
        value = targets[bad[0]].item()
        raise ValueError(f"{name} row {bad[0]}: soft label must be in [0, 1], got {value!r}")
    return targets


def sequence_length(config: LstmConfig, lengths: np.ndarray) -> int:
    """The configured max_len, else the configured percentile of training lengths."""
    if config.max_len is not None:
        return config.max_len
    return max(1, math.ceil(float(np.percentile(lengths, config.max_len_percentile))))


def train(
    config: LstmConfig,
    preprocessor: Preprocessor,
    train_split: Split,
    val_split: Split,
    sample_weight: np.ndarray | None = None,
    start: tuple[TokenIds, int, dict[str, np.ndarray]] | None = None,
    soft_labels: bool = False,
) -> TrainResult:
    """`start` (vocabulary, max_len, weights) warm starts the network instead of
    building a vocabulary and Word2Vec embeddings from the training tweets.
    `soft_labels`: training targets are probabilities in [0, 1] (distillation);
    validation labels stay 0/1."""
    train_labels = check_split("train", *train_split, soft=soft_labels)
    val_labels = check_split("validation", *val_split)
    train_tokens = preprocessor.tokenize_many(train_split[0])
    val_tokens = preprocessor.tokenize_many(val_split[0])
    if start is None:
        vocab, embedding, pretrained_words = _vocabulary_and_embeddings(config, train_tokens)
        if config.lexicon_dims:
            vocab, embedding = _with_lexicon(config, preprocessor, vocab, embedding)
        max_len = sequence_length(config, vocab.lengths(train_tokens))
        initial: np.ndarray | dict[str, np.ndarray] = embedding
    else:
        vocab, max_len, initial = start
        pretrained_words = 0
    history, weights = _fit_network(
        config,
        initial,
        (vocab.encode_many(train_tokens, max_len), train_labels, sample_weight),
        (vocab.encode_many(val_tokens, max_len), val_labels),
    )
    if config.float16_embeddings:
        weights["embedding"] = _float16_rounded(weights["embedding"])
    best = int(np.argmin(history["val_loss"]))
    metadata = {
        "train_rows": len(train_labels),
        "val_rows": len(val_labels),
        "vocab_size": len(vocab),
        "pretrained_words": pretrained_words,
        "epochs_run": len(history["val_loss"]),
        "best_epoch": best + 1,
        "best_val": {
            name[4:]: values[best] for name, values in history.items() if name.startswith("val_")
        },
    }
    return TrainResult(vocab, max_len, weights, history, metadata)


def _vocabulary_and_embeddings(
    config: LstmConfig, token_lists: Sequence[Sequence[str]]
) -> tuple[TokenIds, np.ndarray, int]:
    """Wordpieces and their checkpoint's embeddings, or frequent words and Word2Vec; the
    last item counts the words whose vectors started from pretrained ones."""
    if config.wordpieces:
        pieces, matrix = from_checkpoint(config.wordpieces, config.embedding_dim)
        return pieces, _stored(config, matrix), len(pieces)
    vocab = Vocabulary.build(token_lists, config.min_count, config.max_vocab)
    return vocab, *_word2vec_embeddings(config, vocab, token_lists)


def _with_lexicon(
    config: LstmConfig, preprocessor: Preprocessor, vocab: TokenIds, embedding: np.ndarray
) -> tuple[Vocabulary, np.ndarray]:
    if not isinstance(vocab, Vocabulary):
        raise TypeError("the lexicon prior needs a word vocabulary")
    valences = token_valences(preprocessor)
    vocab, embedding = with_lexicon(vocab, embedding, valences, config.lexicon_dims, config.seed)
    return vocab, _stored(config, embedding)


def _word2vec_embeddings(
    config: LstmConfig, vocab: Vocabulary, token_lists: Sequence[Sequence[str]]
) -> tuple[np.ndarray, int]:
    pretrained = None
    if config.pretrained_vectors:
        pretrained = load_keyed_vectors(config.pretrained_vectors, config.pretrained_limit)
    wv, seeded = train_word2vec(
        token_lists,
        config.embedding_dim,
        config.min_count,
        config.w2v_epochs,
        config.seed,
        pretrained,
    )
    return _stored(config, embedding_matrix(vocab, wv, config.seed)), seeded


def _stored(config: LstmConfig, matrix: np.ndarray) -> np.ndarray:
    return _float16_rounded(matrix) if config.float16_embeddings else matrix


def _fit_network(
    config: LstmConfig,
    initial: np.ndarray | dict[str, np.ndarray],
    train_data: tuple[list[np.ndarray], np.ndarray, np.ndarray | None],
    val_data: tuple[list[np.ndarray], np.ndarray],
) -> tuple[dict[str, list[float]], dict[str, np.ndarray]]:
    """`initial`: the embedding matrix, or every weight of a fitted network (warm start)."""
    import keras

    from models.lstm.keras_net import (
        BucketedBatches,
        build_network,
        export_weights,
        import_weights,
        train_network,
    )

    keras.utils.set_random_seed(config.seed)
    if isinstance(initial, dict):
        model = build_network(config, len(initial["embedding"]))
        import_weights(model, initial)
    else:
        model = build_network(config, len(initial))
        model.get_layer("embedding").set_weights([initial])
    sequences, labels, weights = train_data
    train_batches = BucketedBatches(sequences, labels, config.batch_size, config.seed, weights)
    val_batches = BucketedBatches(*val_data, config.batch_size * 4, config.seed)
    history = train_network(model, train_batches, val_batches, config)
    return history, export_weights(model)


def _float16_rounded(matrix: np.ndarray) -> np.ndarray:
    """Values exactly as float16 storage will give them back, kept as float32."""
    return matrix.astype(np.float16).astype(np.float32)
