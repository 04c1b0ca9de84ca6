"""The model the worker serves: loaded once at start-up, swapped atomically on hot reload.

A batch captures `slot.current` before scoring, so a swap never touches a batch in flight.

Registry models are downloaded into `data_dir/model-cache/<name>/<version>`, and each
successful load of `models:/name@alias` records the version in
`data_dir/model-cache/<name>/@<alias>`. If the registry cannot be reached when the worker
starts, it serves that cached version (with a warning; `model_cache_fallback=false` turns
this off) or, with nothing cached, fails with a message that says so.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.base import SentimentModel
from models.kinds import load_model
from models.manifest import load_reference_scores, read_manifest
from stream import metrics
from stream.alerts.scopes import ScopeConfig
from stream.scorer_process import ProcessScorer
from stream.scoring import Analysis, analyse, score_texts
from stream.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServedModel:
    model: SentimentModel
    name: str
    version: str
    reference_scores: np.ndarray | None = None  # validation scores: the drift reference
    training_oov_rate: float | None = None  # validation OOV token rate, same purpose
    scorer: ProcessScorer | None = None  # batches go to a child process when set

    def score(self, texts: Sequence[str]) -> tuple[np.ndarray, float]:
        """Probabilities of positive for a batch, and the batch's OOV token rate."""
        if self.scorer is not None:
            return self.scorer(texts)
        return self.score_here(texts)

    async def analyse(
        self, texts: Sequence[str], tags: Sequence[Sequence[str]], scopes: ScopeConfig
    ) -> Analysis:
        """Scores, OOV rate and scopes of a batch: in the child process when there is one,
        else in a thread."""
        if self.scorer is not None:
            return await self.scorer.analyse(texts, tags, scopes)
        return await asyncio.to_thread(analyse, self.model, texts, tags, scopes)

    def score_here(self, texts: Sequence[str]) -> tuple[np.ndarray, float]:
        """In this process: for /predict, where a round trip to the child costs more."""
        return score_texts(self.model, texts)

    def close(self) -> None:
        if self.scorer is not None:
            self.scorer.close()


def registered_name(uri: str) -> str | None:
    """`models:/name@alias` -> name; None for a local path."""
    if not uri.startswith("models:/"):
        return None
    return uri.removeprefix("models:/").split("@")[0].split("/")[0]


class ModelUnavailable(RuntimeError):
    """The model to serve can be neither resolved nor found in the local cache."""


_ALIAS_URI = re.compile(r"^models:/(?P<name>[^/@]+)@(?P<alias>[\w-]+)$")


def _alias_pointer(settings: Settings, uri: str) -> Path | None:
    match = _ALIAS_URI.match(uri)
    if match is None:
        return None
    return settings.data_dir / "model-cache" / match["name"] / f"@{match['alias']}"


def resolve_cached(settings: Settings, uri: str) -> tuple[Path, str, str]:
    """`models.registry.resolve_dir`, falling back to the last version loaded for `uri`."""
    from models.manifest import MANIFEST, local_model_dir

    if registered_name(uri) is None:  # a model directory: no registry (MLflow not imported)
        path = local_model_dir(uri)
        return path, path.name, "local"
    from models.registry import resolve_dir

    pointer = _alias_pointer(settings, uri)
    try:
        path, name, version = resolve_dir(settings, uri)
    except ValueError:  # not a model URI nor a model directory: nothing to fall back on
        raise
    except Exception as error:
        cached = pointer.read_text().strip() if pointer and pointer.is_file() else None
        found = pointer.parent / cached if pointer and cached else None
        if not settings.model_cache_fallback or found is None or not (found / MANIFEST).is_file():
            where = pointer or settings.data_dir / "model-cache"
            raise ModelUnavailable(
                f"cannot resolve {uri} ({type(error).__name__}: {error}) and no cached copy "
                f"at {where} (fallback {'on' if settings.model_cache_fallback else 'off'})"
            ) from error
        log.warning("registry unreachable (%s); serving cached %s version %s", error, uri, cached)
        return found, found.parent.name, found.name
    remember(settings, uri, version)
    return path, name, version


def remember(settings: Settings, uri: str, version: str) -> None:
    """Record `version` as the one served for `models:/name@alias` (other URIs: nothing)."""
    pointer = _alias_pointer(settings, uri)
    if pointer is not None:
        pointer.parent.mkdir(parents=True, exist_ok=True)
        pointer.write_text(version)


def load_served(settings: Settings, uri: str | None = None) -> ServedModel:
    """Load `uri` (default settings.model_uri): a registry URI or a saved model directory."""
    path, name, version = resolve_cached(settings, uri or settings.model_uri)
    oov = (read_manifest(path).get("metadata") or {}).get("reference_oov_rate")
    if not settings.score_in_subprocess:
        return ServedModel(load_model(path), name, version, load_reference_scores(path), oov)
    scorer = ProcessScorer(path, wait=False)  # the child loads its copy while we load ours
    try:
        model = load_model(path)
        scorer.wait_ready()
    except BaseException:
        scorer.close(wait=False)
        raise
    return ServedModel(model, name, version, load_reference_scores(path), oov, scorer)


class ModelSlot:
    """Holds the served model and swaps it when the registry's champion changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.current: ServedModel | None = None

    @property
    def ready(self) -> bool:
        return self.current is not None

    def load(self) -> ServedModel:
        served = load_served(self.settings)
        self._install(served)
        return served

    def reload_if_changed(self) -> bool:
        """Poll the registry (blocking: call in a thread); True when a new version is served."""
        name = registered_name(self.settings.model_uri)
        if name is None or self.current is None:
            return False
        from models.registry import champion_version

        alias = self.settings.model_uri.partition("@")[2] or "champion"
        latest = champion_version(self.settings, name, alias)
        if latest is None or latest == self.current.version:
            return False
        log.info("hot reload: %s %s -> %s", name, self.current.version, latest)
        self._install(load_served(self.settings, f"models:/{name}/{latest}"))
        remember(self.settings, self.settings.model_uri, latest)
        metrics.MODEL_RELOADS.inc()
        return True

    def _install(self, served: ServedModel) -> None:
        previous, self.current = self.current, served
        metrics.MODEL_INFO.labels(served.name, served.version).set(1)
        if previous is not None:
            metrics.MODEL_INFO.labels(previous.name, previous.version).set(0)
            previous.close()  # waits for the batches still scoring with it
