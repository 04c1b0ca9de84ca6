import json
import uuid
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from stream.records import DeadLetter, Feedback, InvalidRecord, ScoredTweet
from stream.rollout.controller import Tally, decide
from stream.rollout.guards import GuardConfig
from stream.rollout.orchestrator.feeds import tweet_id_of
from stream.rollout.orchestrator.stepper import export_shadow
from stream.rollout.records import ShadowScore
from stream.rollout.routing import to_challenger
from stream.rollout.state import advance, start

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CONFIG = GuardConfig(shadow_dwell_s=5, canary_dwell_s=5, min_events=50, min_labels=10)


def scored(version: str, score: float, tweet_id: str | None = None) -> ScoredTweet:
    return ScoredTweet(
        id=tweet_id or uuid.uuid4().hex, text="t", created_at=T0, score=score,
        label="positive" if score >= 0.5 else "negative", confidence=max(score, 1 - score),
        model_name="m", model_version=version, scored_at=T0, latency_s=0.01,
    )  # fmt: skip


def shadow(i: int, champion: float, challenger: float | None) -> ShadowScore:
    return ShadowScore(
        tweet_id=str(i), model_name="m", champion_version="1", challenger_version="2",
        champion_score=champion, challenger_score=challenger,
        champion_latency_s=0.01, challenger_latency_s=0.01,
        error=None if challenger is not None else "boom",
    )  # fmt: skip


def test_a_clean_shadow_advances_after_its_dwell_and_resets_the_figures():
    tally = Tally(shadow_window=100)
    tally.follow(start("m", "2", "1", T0))
    for i in range(60):
        tally.on_shadow(shadow(i, 0.2 if i % 2 else 0.8, 0.25 if i % 2 else 0.75))
    tally.on_feedback(Feedback(tweet_id="1", true_label="negative"))
    assert (tally.champion.labelled, tally.challenger.accuracy) == (1, 1.0)
    assert tally.shadow.stats().agreement == 1.0
    assert decide(tally, CONFIG, T0 + timedelta(seconds=1)).decision.action == "hold"
    outcome = decide(tally, CONFIG, T0 + timedelta(seconds=6))
    assert outcome.changed and (outcome.state.phase, outcome.state.share) == ("canary", 0.1)
    figures = outcome.state.history[-1].figures
    assert outcome.alert is None and figures["challenger_scored"] == 60
    assert figures["shadow_agreement"] == 1.0 and figures["shadow_ks_distance"] > 0
    export_shadow(tally)
    assert (
        REGISTRY.get_sample_value("rollout_shadow_stat", {"stat": "agreement", "version": "2"})
        == 1.0
    )
    accuracy = {"stat": "accuracy", "version": "1"}
    assert REGISTRY.get_sample_value("rollout_shadow_stat", accuracy) == 1.0
    tally.follow(outcome.state)
    assert tally.challenger.scored == 0 and len(tally.shadow) == 0


def test_shadow_failures_count_as_challenger_errors_and_roll_back_with_an_alert():
    tally = Tally()
    tally.follow(start("m", "2", "1", T0))
    for i in range(20):
        tally.on_shadow(shadow(i, 0.7, None if i < 5 else 0.7))
    outcome = decide(tally, CONFIG, T0)
    assert outcome.state.phase == "rolled_back" and outcome.alert is not None
    assert outcome.alert.kind == "rollout" and outcome.alert.severity == "critical"
    assert "error rate 0.250" in outcome.alert.message
    assert "challenger_errors=5" in outcome.alert.message


def test_canary_figures_come_from_scored_events_and_routed_dead_letters():
    state = advance(start("m", "2", "1", T0), T0)
    tally = Tally()
    tally.follow(state)
    for _ in range(100):
        tally.on_scored(scored("1", 0.2))
        tally.on_scored(scored("2", 0.9))  # everything positive
    tally.on_scored(scored("9", 0.9))  # neither version: ignored
    assert (tally.champion.scored, tally.challenger.scored) == (100, 100)
    ids = [uuid.uuid4().hex for _ in range(400)]
    routed = next(i for i in ids if to_challenger(i, state.salt, state.share))
    letter = DeadLetter.for_payload(
        json.dumps({"id": routed}).encode(), InvalidRecord("model_error", "x"), "raw", 0, 1
    )
    assert tweet_id_of(letter) == routed
    tally.on_dead_letter(letter, tweet_id_of(letter))
    assert (tally.champion.errors, tally.challenger.errors) == (0, 1)
    outcome = decide(tally, CONFIG, T0)
    assert outcome.state.phase == "rolled_back"
    assert "negative ratio 0.000 vs champion 1.000" in outcome.decision.reason


def test_feedback_is_judged_against_the_version_that_scored_the_tweet():
    tally = Tally()
    tally.follow(advance(start("m", "2", "1", T0), T0))
    tally.on_scored(scored("2", 0.9, "a"))
    tally.on_scored(scored("1", 0.9, "b"))
    tally.on_feedback(Feedback(tweet_id="a", true_label="negative"))
    tally.on_feedback(Feedback(tweet_id="b", true_label="positive"))
    tally.on_feedback(Feedback(tweet_id="zzz", true_label="positive"))  # never seen
    assert (tally.challenger.labelled, tally.challenger.accuracy) == (1, 0.0)
    assert (tally.champion.labelled, tally.champion.accuracy) == (1, 1.0)


def test_no_rollout_no_decision():
    tally = Tally()
    tally.on_scored(scored("1", 0.5))
    assert decide(tally, CONFIG, T0) is None
