"""Build an untrained model of any kind from CLI choices (`--epochs`, `--seed`, `--param k=v`).

`--param` sets any field of the kind's config dataclass (`TfidfConfig`, `LstmConfig`,
`TransformerConfig`), converted to the field's type: `--param max_features=20000`,
`--param char_ngrams=2,5`, `--param max_len=none`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

from models.base import SentimentModel
from models.kinds import kind_of
from models.preprocessing import PreprocessConfig

KINDS = ("tfidf", "lstm", "transformer")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


class TrainableModel(SentimentModel, Protocol):
    """A model not yet fitted: the common API plus `fit` and its config dataclass."""

    config: Any

    def fit(
        self, texts: Sequence[str], labels: Any, val_texts: Sequence[str], val_labels: Any
    ) -> dict[str, list[float]]: ...


def config_class(kind: str) -> Any:
    return kind_of(kind).config_class()


def parse_overrides(cls: Any, pairs: Sequence[str]) -> dict[str, Any]:
    """`["name=value", ...]` -> typed values for the fields of dataclass `cls`."""
    types = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"--param {pair!r}: expected name=value")
        if name not in types:
            raise ValueError(f"--param {name}: not a {cls.__name__} field ({', '.join(types)})")
        values[name] = _convert(name, raw.strip(), types[name])
    return values


def _convert(name: str, raw: str, type_name: str) -> Any:
    if raw.lower() == "none" and "None" in type_name:
        return None
    try:
        if type_name.startswith("bool"):
            if raw.lower() not in _TRUE | _FALSE:
                raise ValueError(raw)
            return raw.lower() in _TRUE
        if type_name.startswith("tuple"):
            return tuple(int(part) for part in raw.split(","))
        if type_name.startswith("int"):
            return int(raw)
        if type_name.startswith("float"):
            return float(raw)
    except ValueError:
        raise ValueError(f"--param {name}={raw}: not a valid {type_name}") from None
    return raw


def build_model(
    kind: str,
    preprocess: PreprocessConfig,
    seed: int = 42,
    epochs: int | None = None,
    overrides: Sequence[str] = (),
) -> TrainableModel:
    """An untrained model; `epochs` is ignored by tfidf (it has no epochs)."""
    cls = config_class(kind)
    values = parse_overrides(cls, overrides)
    if kind == "tfidf":
        from models.tfidf import TfidfModel

        return TfidfModel(cls(**{"preprocessing": preprocess} | values), seed=seed)
    values = {"seed": seed} | values
    if kind == "lstm":
        from models.lstm.model import LstmModel

        values = ({"max_epochs": epochs} if epochs else {}) | values
        return LstmModel(cls(**values), preprocess)
    from models.transformer.model import TransformerModel

    values = ({"epochs": epochs} if epochs else {}) | values
    return TransformerModel(cls(**values))
