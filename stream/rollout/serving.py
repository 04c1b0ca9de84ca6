"""The challenger beside the champion in each worker: loaded from the rollout record, applied
to each scored micro-batch.

Shadow: the challenger scores the whole batch; the published events stay the champion's and
one `ShadowScore` per tweet goes to the shadow topic. Canary: the tweets routed by the
salted hash are scored by the challenger and their events name its version. A challenger
that fails leaves the champion's events as they are and reports the error in shadow records
(the guards count it). The champion has already scored the whole batch (scopes, drift and
a fallback need it), so a canary at share s costs s of a second model call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stream import metrics
from stream.records import ScoredTweet
from stream.rollout.records import ShadowScore
from stream.rollout.routing import to_challenger
from stream.rollout.state import RolloutState
from stream.scoring import label_of
from stream.serving import ServedModel, load_served, registered_name
from stream.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Challenger:
    state: RolloutState
    served: ServedModel


class ChallengerSlot:
    """Follows the registry's rollout record; holds the challenger while it is active."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.current: Challenger | None = None

    def reload(self) -> bool:
        """Poll the record (blocking: call in a thread); True when what is served changed."""
        from stream.rollout import store

        name = registered_name(self.settings.model_uri)
        state = store.load(self.settings, name) if name else None
        current = self.current
        if state is None or not state.active or state.phase == "done":
            self._install(None)
            return current is not None
        if current is not None and current.state.challenger == state.challenger:
            if current.state != state:
                self.current = Challenger(state, current.served)
                metrics.ROLLOUT_SHARE.labels(state.challenger).set(state.share)
            return current.state != state
        served = load_served(self.settings, f"models:/{state.model_name}/{state.challenger}")
        served.score(["warm-up"])  # the child's first call loads lazily: not in the guards' p95
        self._install(Challenger(state, served))
        log.info("rollout: version %s in %s at %.0f%%", state.challenger, state.phase,
                 state.share * 100)  # fmt: skip
        return True

    def _install(self, new: Challenger | None) -> None:
        previous, self.current = self.current, new
        if new is not None:
            metrics.ROLLOUT_SHARE.labels(new.state.challenger).set(new.state.share)
        if previous is not None and (new is None or new.served is not previous.served):
            metrics.ROLLOUT_SHARE.labels(previous.state.challenger).set(0)
            previous.served.close()


async def apply(
    challenger: Challenger | None,
    texts: Sequence[str],
    scored: list[ScoredTweet],
    champion_latency_s: float,
) -> tuple[list[ScoredTweet], list[ShadowScore]]:
    """The batch's published events (some re-scored in canary) and its shadow records."""
    if challenger is None or not scored:
        return scored, []
    state = challenger.state
    if state.phase == "shadow":
        picked = list(range(len(scored)))
    else:
        picked = [i for i, e in enumerate(scored) if to_challenger(e.id, state.salt, state.share)]
    if not picked:
        return scored, []
    started = time.perf_counter()
    try:
        scores, _ = await asyncio.to_thread(challenger.served.score, [texts[i] for i in picked])
    except Exception as error:
        log.exception("challenger %s failed on %d tweets", state.challenger, len(picked))
        failed = f"{type(error).__name__}: {error}"[:500]
        return scored, [_shadow(challenger, scored[i], None, champion_latency_s, 0.0, failed)
                        for i in picked]  # fmt: skip
    latency = time.perf_counter() - started
    if state.phase == "shadow":
        records = [
            _shadow(challenger, scored[i], float(s), champion_latency_s, latency)
            for i, s in zip(picked, scores, strict=True)
        ]
        return scored, records
    return _rescored(challenger, scored, picked, scores), []


def _rescored(
    challenger: Challenger, scored: list[ScoredTweet], picked: list[int], scores: np.ndarray
) -> list[ScoredTweet]:
    events = list(scored)
    version = challenger.served.version
    for i, score in zip(picked, scores, strict=True):
        label, confidence = label_of(float(score))
        events[i] = events[i].model_copy(
            update={"score": float(score), "label": label, "confidence": confidence,
                    "model_version": version}
        )  # fmt: skip
    return events


def _shadow(
    challenger: Challenger,
    event: ScoredTweet,
    score: float | None,
    champion_latency_s: float,
    challenger_latency_s: float,
    error: str | None = None,
) -> ShadowScore:
    return ShadowScore(
        tweet_id=event.id,
        model_name=event.model_name,
        champion_version=event.model_version,
        challenger_version=challenger.served.version,
        champion_score=event.score,
        challenger_score=score,
        champion_latency_s=champion_latency_s,
        challenger_latency_s=challenger_latency_s,
        error=error,
    )
