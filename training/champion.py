"""`airparadis-train champion`: the champion recipe trained on the data a user has, logged,
registered as a challenger under the served model's name and judged by the loop's gate.

The recipe (docs/model_quality.md): TF-IDF + LR (word 1-2 grams, 100k features, C=2) on
the base corpus's train split plus the labels before `train_until`, weighted as the loop
weighs them (a base tweet 0.2, a label `0.5 ** (age / 2 days)`, classes balanced), then
a VADER blend (`models.blend.LexiconBlend`) fitted on the validation split (3/4 of the
weight) and the labels (1/4, scored out of fold), each class-balanced. `--base lstm`: the
BiLSTM on the same data with VADER's valences in its embeddings (the lexicon lever's
`LEXICON_DIMS` columns), its blend on request (`BLENDED`), served with the TF-IDF recipe
fitted on the same weighted data, their logits averaged (`models.ensemble`; `ENSEMBLED`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from models import registry
from models.base import SentimentModel
from models.blend import LABEL_SHARE, BlendSource, LexiconBlend
from models.data import DEFAULT_DATA, LabelledTexts
from models.devsets import behavioural_suite
from models.ensemble import LogitEnsemble
from models.evaluation import quality
from models.general_tweets import general_tweets
from models.pyfunc import log_model_dir
from models.settings import RegistrySettings
from models.splits import Splits
from models.tfidf import TfidfModel
from training import tracking
from training.console import step
from training.jobs import _evaluate_and_save, annotate_manifest, prepare_splits
from training.loop import dataset
from training.loop import labels as label_rows
from training.loop.distillation import distilled_targets
from training.loop.gate import GateOptions, GateResult, gate
from training.quality.data import BASE_CONFIG, LEXICON_DIMS, OOF_FOLDS
from training.teacher_scores import TeacherScores

WEIGHTING = dataset.Weighting(half_life_days=2.0, base_weight=0.2, balance="weights")
#: Whether each base is served with the VADER blend unless asked otherwise.
BLENDED = {"tfidf": True, "lstm": False}
#: Whether each base is served in a logit mean with the TF-IDF base unless asked otherwise.
ENSEMBLED = {"tfidf": False, "lstm": True}
BASES = tuple(BLENDED)


@dataclass(frozen=True)
class ChampionOptions:
    name: str  # registered name: the one the stream serves, so gate and rollout apply
    labels: str  # label-store URL or airline CSV
    data: Path = DEFAULT_DATA
    sample_size: int | None = None
    train_until: pd.Timestamp | None = None  # default: holdout_days before the newest label
    holdout_days: float = 1.0
    seed: int = 42
    run_gate: bool = True
    gate: GateOptions = field(default_factory=GateOptions)
    output_dir: Path | None = None
    label_share: float = LABEL_SHARE  # the labels' share of the blend's fit
    teacher_scores: Path | None = None  # a teacher's saved scores: distil the base
    base_kind: str = "tfidf"  # or "lstm" (Recipe, BASES)
    lstm_epochs: int | None = None
    blend: bool | None = None  # None: the base's default (BLENDED)
    lstm_lexicon_dims: int = LEXICON_DIMS
    ensemble: bool | None = None  # None: the base's default (ENSEMBLED)

    def __post_init__(self) -> None:
        if self.base_kind not in BASES:
            raise ValueError(f"base {self.base_kind!r}: expected one of {', '.join(BASES)}")


@dataclass(frozen=True)
class ChampionResult:
    name: str
    version: str
    run_id: str
    model_dir: Path
    metrics: dict[str, float]
    gate: GateResult | None  # None: not asked for, or no champion to judge against


@dataclass(frozen=True)
class Recipe:
    label_share: float = LABEL_SHARE  # the labels' share of the blend's fit
    teacher: SentimentModel | None = None  # its scores: half of each base tweet's target
    base_kind: str = "tfidf"  # or "lstm"
    lstm_epochs: int | None = None  # None: the BiLSTM's default (early stopping)
    blend: bool | None = None  # the VADER blend; None: the base's default (BLENDED)
    lstm_lexicon_dims: int = LEXICON_DIMS  # 0: no lexicon columns
    ensemble: bool | None = None  # with `partner`, logits averaged; None: ENSEMBLED

    @property
    def blended(self) -> bool:
        return BLENDED[self.base_kind] if self.blend is None else self.blend

    @property
    def ensembled(self) -> bool:
        return ENSEMBLED[self.base_kind] if self.ensemble is None else self.ensemble

    @property
    def name(self) -> str:
        kind = self.base_kind
        if kind == "lstm" and self.lstm_lexicon_dims:
            kind += "(lexicon)"
        name = f"{kind}+labels(weighted)" + ("+distilled" if self.teacher else "")
        name += "+vader-blend(val+labels-oof)" if self.blended else ""
        return f"{name}&{self.partner.name}" if self.ensembled else name

    @property
    def partner(self) -> Recipe:
        """The ensemble's second member: the TF-IDF recipe (hard labels, its VADER blend)."""
        return Recipe(label_share=self.label_share)


RECIPE = Recipe().name  # the default recipe


def fit_recipe(
    base: Splits, labels: pd.DataFrame, until: pd.Timestamp, seed: int, recipe: Recipe = Recipe()
) -> SentimentModel:
    """The recipe on `base` (its train and val splits) and label rows (`text`, `y`,
    `tweet_time`, `source`) before `until`, weighted by their age at `until`.

    The blend is fitted on the validation split and, with `label_share` of the weight, on
    the labels (scored out of fold, so the base's fit on them does not flatter it). An
    ensembled recipe then averages its logit with the TF-IDF recipe's (`Recipe.partner`)."""
    model = _fit_blended(base, labels, until, seed, recipe)
    if not recipe.ensembled:
        return model
    return LogitEnsemble([model, _fit_blended(base, labels, until, seed, recipe.partner)])


def _fit_blended(
    base: Splits, labels: pd.DataFrame, until: pd.Timestamp, seed: int, recipe: Recipe
) -> SentimentModel:
    model = _fit_base(base, labels, until, seed, recipe)
    if not recipe.blended:
        return model
    val, share = base.val, recipe.label_share
    sources = [BlendSource(val.texts, val.labels, model.predict_proba(val.texts), 1 - share)]
    if share > 0 and labels["y"].nunique() == 2:
        oof = _out_of_fold_scores(base, labels, until, seed, recipe)
        texts, y = labels["text"].tolist(), labels["y"].to_numpy()
        sources.append(BlendSource(texts, y, oof, share))
    blend = LexiconBlend(model)
    blend.fit_sources(sources)
    return blend


def _fit_base(
    base: Splits, labels: pd.DataFrame, until: pd.Timestamp, seed: int, recipe: Recipe
) -> SentimentModel:
    data = dataset.build(base.train, labels, until, WEIGHTING, seed)
    if recipe.base_kind == "lstm":
        return _fit_lstm(data, base.val, seed, recipe)
    return _fit_tfidf(data, seed, recipe.teacher)


def _fit_tfidf(data: dataset.TrainingSet, seed: int, teacher: SentimentModel | None) -> TfidfModel:
    tfidf = TfidfModel(BASE_CONFIG, seed=seed)
    if teacher is None:
        tfidf.fit(data.texts, data.labels, sample_weight=data.weights)
    else:
        targets = distilled_targets(data, teacher)
        tfidf.fit(data.texts, targets, sample_weight=data.weights, soft_labels=True)
    return tfidf


def _fit_lstm(
    data: dataset.TrainingSet, val: LabelledTexts, seed: int, recipe: Recipe
) -> SentimentModel:
    from models.lstm.config import LstmConfig
    from models.lstm.model import LstmModel

    config = LstmConfig(seed=seed, lexicon_dims=recipe.lstm_lexicon_dims)
    if recipe.lstm_epochs is not None:
        config = replace(config, max_epochs=recipe.lstm_epochs)
    model = LstmModel(config)
    distil = recipe.teacher is not None
    targets = distilled_targets(data, recipe.teacher) if recipe.teacher else data.labels
    model.fit(data.texts, targets, val.texts, val.labels, data.weights, soft_labels=distil)
    return model


def _out_of_fold_scores(
    base: Splits, labels: pd.DataFrame, until: pd.Timestamp, seed: int, recipe: Recipe
) -> np.ndarray:
    """Each label row scored by a base fitted without its fold (OOF_FOLDS folds)."""
    fold = np.random.default_rng(seed).integers(0, OOF_FOLDS, len(labels))
    scores = np.empty(len(labels))
    for k in range(OOF_FOLDS):
        held = fold == k
        model = _fit_base(base, labels[~held], until, seed, recipe)
        scores[held] = model.predict_proba(labels.loc[held, "text"].tolist())
    return scores


def train_champion(settings: RegistrySettings, options: ChampionOptions) -> ChampionResult:
    """Fit, evaluate (test split, held-back labels, behavioural suite), log, register, gate."""
    raw_labels = label_rows.load_labels(options.labels)
    labels = label_rows.binary(raw_labels)
    windows = dataset.Windows.ending(labels, options.train_until, options.holdout_days, 0.0)
    trained, _, holdout = dataset.label_parts(labels, windows, calibrate=False)
    base = prepare_splits(options.data, options.sample_size, options.seed)
    registry.use_experiment(settings)
    with mlflow.start_run(run_name="champion-recipe") as run:
        recipe = _recipe(options)
        with step(f"Fitting {recipe.name} on {len(base.train):,} tweets + {len(trained):,} labels"):
            started = time.perf_counter()
            until, seed = windows.train_until, options.seed
            model = fit_recipe(base, trained, until, seed, recipe)
            seconds = time.perf_counter() - started
        tags = recipe_tags(options, windows, trained) | {"recipe": recipe.name}
        tracking.log_params(tags | _blend_weights(model))
        folder = f"champion-{run.info.run_id}"
        model_dir = options.output_dir or settings.data_dir / "models" / folder
        saved: Any = model  # `_evaluate_and_save` types it as trainable; it only scores
        metrics = _evaluate_and_save(saved, base, model_dir, 50, (seconds, {}))
        metrics |= proxy_metrics(model, holdout)
        annotate_manifest(model_dir, {"recipe": recipe.name})
        tracking.log_metrics(metrics)
        model_uri = log_model_dir(model_dir, model.kind)
    version = registry.register(settings, model_uri, model.kind, registry.CHALLENGER, options.name)
    mlflow_client = registry.client(settings)
    for key, value in tags.items():
        mlflow_client.set_model_version_tag(options.name, version, key, value)
    judged = None
    if options.run_gate and registry.champion_version(settings, options.name) is not None:
        judged = gate(settings, options.name, version, raw_labels, None, options.gate)
    return ChampionResult(options.name, version, run.info.run_id, model_dir, metrics, judged)


def _blend_weights(model: SentimentModel) -> dict[str, float]:
    """The VADER blend's weights (`blend.<feature>`), where there is one; an ensemble's
    blends as `members.<i>.blend.<feature>`."""
    if isinstance(model, LogitEnsemble):
        return {
            f"members.{i}.{key}": value
            for i, member in enumerate(model.members)
            for key, value in _blend_weights(member).items()
        }
    if not isinstance(model, LexiconBlend):
        return {}
    return {f"blend.{key}": value for key, value in model.weights().items()}


def _recipe(options: ChampionOptions) -> Recipe:
    teacher = None
    if options.teacher_scores is not None:
        teacher = TeacherScores.load(options.teacher_scores)
    return Recipe(
        options.label_share,
        teacher,
        options.base_kind,
        options.lstm_epochs,
        options.blend,
        options.lstm_lexicon_dims,
        options.ensemble,
    )


def proxy_metrics(model: SentimentModel, holdout: pd.DataFrame) -> dict[str, float]:
    """`recent_*` on the held-back labels (when both classes are there), and the hand-written
    sets: `behaviour_*`, `general_*`."""
    sets = {"behaviour": behavioural_suite(), "general": general_tweets()}
    if holdout["y"].nunique() == 2:
        sets["recent"] = LabelledTexts(holdout["text"].tolist(), holdout["y"].to_numpy())
    return {
        f"{name}_{key}": value
        for name, rows in sets.items()
        for key, value in quality(rows.labels, model.predict_proba(rows.texts)).scalars().items()
    }


def recipe_tags(
    options: ChampionOptions, windows: dataset.Windows, trained: pd.DataFrame
) -> dict[str, str]:
    """The version's tags: recipe, data, windows (the gate's default window), weighting."""
    counts = label_rows.counts_by_source(trained)
    return (
        {
            "blend.label_share": str(options.label_share),
            "distilled_from": str(options.teacher_scores or ""),
            "data.base": str(options.data),
            "data.base_sample": str(options.sample_size),
            "data.labels_source": options.labels,
            "data.label_rows": str(len(trained)),
            "data.snapshot_hash": label_rows.snapshot_hash(trained),
        }
        | windows.tags()
        | WEIGHTING.tags()
        | {f"labels.{source}": str(n) for source, n in counts.items()}
    )
