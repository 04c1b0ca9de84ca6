"""The challenger applied to a scored batch, with real tiny models (no broker)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from models.kinds import load_model
from stream.rollout.routing import to_challenger
from stream.rollout.serving import Challenger, apply
from stream.rollout.state import advance, start
from stream.scoring import ParsedBatch, parse_batch, scored_events
from stream.serving import ServedModel

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _batch(n: int, champion: ServedModel) -> tuple[list[str], list]:
    import json

    from stream.scoring import Origin

    texts = [
        ("great flight thanks" if i % 2 else "delayed again, awful") + f" {i}" for i in range(n)
    ]
    when = "2026-11-30T09:00:00Z"
    raws = [
        (json.dumps({"id": f"{i:032x}", "text": t, "created_at": when}).encode(),
         Origin("raw", 0, i, T0.timestamp()))
        for i, t in enumerate(texts)
    ]  # fmt: skip
    batch: ParsedBatch = parse_batch(raws, _settings().limits)
    scores, oov = champion.score(texts)
    return texts, scored_events(batch, scores, oov, (champion.name, champion.version), T0)


def _settings():
    from stream.settings import Settings

    return Settings(_env_file=None)  # type: ignore[call-arg]


def _served(path: Path, version: str) -> ServedModel:
    return ServedModel(load_model(path), "m", version)


def test_shadow_leaves_the_events_and_reports_both_scores(small_model_dir, positive_model_dir):
    champion, bad = _served(small_model_dir, "1"), _served(positive_model_dir, "2")
    texts, scored = _batch(40, champion)
    challenger = Challenger(start("m", "2", "1", T0), bad)
    events, shadow = asyncio.run(apply(challenger, texts, scored, 0.01))
    assert events == scored
    assert [s.tweet_id for s in shadow] == [e.id for e in scored]
    expected, _ = bad.score(texts)
    assert np.allclose([s.challenger_score for s in shadow], expected)
    assert all(s.challenger_score >= 0.5 for s in shadow)  # the bad model: all positive
    assert {s.champion_version for s in shadow} == {"1"} and shadow[0].error is None


def test_canary_rescores_exactly_the_routed_tweets(small_model_dir, positive_model_dir):
    champion, bad = _served(small_model_dir, "1"), _served(positive_model_dir, "2")
    texts, scored = _batch(400, champion)
    state = advance(start("m", "2", "1", T0, salt="fixed"), T0)  # 10 %, a fixed sample
    events, shadow = asyncio.run(apply(Challenger(state, bad), texts, scored, 0.01))
    routed = {e.id for e in scored if to_challenger(e.id, state.salt, 0.1)}
    assert shadow == [] and 20 <= len(routed) <= 60
    assert {e.id for e in events if e.model_version == "2"} == routed
    assert all(e.label == "positive" for e in events if e.model_version == "2")
    assert [e.id for e in events] == [e.id for e in scored]  # order kept


class _Broken:
    def predict_proba(self, texts):
        raise RuntimeError("weights missing")

    def oov_rate(self, texts):
        return 0.0


def test_a_failing_challenger_keeps_the_champions_events_and_reports_the_error(small_model_dir):
    champion = _served(small_model_dir, "1")
    texts, scored = _batch(30, champion)
    broken = ServedModel(_Broken(), "m", "2")  # type: ignore[arg-type]
    state = advance(start("m", "2", "1", T0), T0, figures=None)
    state = state.model_copy(update={"share": 1.0})
    events, shadow = asyncio.run(apply(Challenger(state, broken), texts, scored, 0.01))
    assert events == scored
    assert len(shadow) == 30 and all(s.challenger_score is None for s in shadow)
    assert "weights missing" in (shadow[0].error or "")
