"""The demo (`deploy/demo.sh`): its replay, the promise it checks, its stages on a broker."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

import pytest

from stream.alerts.buzz import BuzzState, evaluate_buzz
from stream.alerts.windows import LABELS, WindowStats
from stream.demo.check import describe, problems, read_labels, wait_for_alerts
from stream.demo.replay import (
    AIRLINE_DATA,
    DemoPlan,
    DemoTweet,
    airlines_of,
    build,
    read_airline_tweets,
    readdress,
    worker_env,
    write_replay,
)
from stream.settings import Settings

PLAN = DemoPlan()
NOW = 1_800_000_000.0

pytestmark = pytest.mark.skipif(not AIRLINE_DATA.is_file(), reason="../shared/data missing")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_airline_tweets(AIRLINE_DATA)


@pytest.fixture(scope="module")
def replay(rows: list[dict[str, str]]) -> list[DemoTweet]:
    return build(rows, PLAN, now=NOW)


def test_the_replay_is_every_real_tweet_in_real_order_plus_the_burst(rows, replay):
    real = [t for t in replay if t.label != "complaint"]
    assert [t.id for t in real] == [r["tweet_id"] for r in rows]
    assert [t.label for t in real] == [r["airline_sentiment"] for r in rows]
    assert [t.ts for t in replay] == sorted(t.ts for t in replay)
    assert replay[-1].ts < NOW - 2 * PLAN.window_s  # ends in the past: no "future" rejections
    burst_windows = {t.ts // PLAN.window_s for t in replay if t.label == "complaint"}
    assert len(burst_windows) == 1 and len(replay) == len(rows) + PLAN.burst_size


def test_each_window_holds_four_real_hours_and_a_few_airparadis_tweets(replay):
    by_window: dict[float, list[DemoTweet]] = defaultdict(list)
    for tweet in replay:
        by_window[tweet.ts // PLAN.window_s].append(tweet)
    assert len(by_window) == 31
    for tweets in by_window.values():
        real = [t for t in tweets if t.real_created]
        ours = [t for t in real if "airline:airparadis" in airlines_of(t.text)]
        assert 0 < len(ours) <= PLAN.airparadis_per_window
        hours = {t.real_created[8:13] for t in real}  # day and hour
        assert len(hours) <= 4


def simulate(replay: list[DemoTweet], negative: Callable[[DemoTweet], bool]) -> list[dict]:
    """The bad-buzz rule of the worker's defaults on each scope's closed windows."""
    config = Settings().buzz
    windows: dict[str, dict[float, WindowStats]] = defaultdict(dict)
    for tweet in replay:
        start, label = tweet.ts // PLAN.window_s * PLAN.window_s, LABELS[not negative(tweet)]
        for scope in airlines_of(tweet.text):
            windows[scope].setdefault(start, WindowStats.empty()).add(0.5, label)
    alerts = []
    for scope, by_start in windows.items():
        state, last = BuzzState(), max(by_start) + PLAN.window_s
        for start in sorted(by_start):
            if start + 2 * PLAN.window_s <= last:  # closed: the watermark passed its end
                end = start + PLAN.window_s
                state, alert = evaluate_buzz(state, by_start[start], scope, start, end, config)
                alerts += [alert.model_dump(mode="json")] if alert else []
    return alerts


def noisy(tweet: DemoTweet) -> bool:
    """A poor model: neutral a coin toss, 15 % of people's labels flipped, 12 % of the burst
    complaints missed (the tiny TF-IDF of the Kafka test misses 1 %)."""
    draw = random.Random(tweet.id).random()
    if tweet.label == "complaint":
        return draw >= 0.12
    if tweet.label == "neutral":
        return draw < 0.5
    return (tweet.label == "negative") != (draw < 0.15)


READINGS: dict[str, Callable[[DemoTweet], bool]] = {
    "people, neutral as positive": lambda t: t.label in ("negative", "complaint"),
    "people, neutral as negative": lambda t: t.label != "positive",
    "noisy": noisy,
}


@pytest.mark.parametrize("reading", list(READINGS))
def test_the_headline_holds_for_any_reasonable_reading(replay, reading):
    alerts = simulate(replay, READINGS[reading])
    assert problems(alerts, PLAN.control) == []
    ours = [a for a in alerts if a["scope"] == "airline:airparadis"]
    assert [a["status"] for a in ours] == ["raised", "resolved"]


def test_readdress_replaces_the_files_airline_mentions_only():
    """Mentions as `models.preprocessing.MENTION` reads them: whole handles, any case."""
    assert readdress("@united lost it, @JetBlue too") == "@AirParadis lost it, @AirParadis too"
    assert readdress("@united_fan a@united.com") == "@AirParadis @united_fan a@united.com"


def test_problems_name_what_did_not_happen():
    raised = {"kind": "bad_buzz", "scope": "airline:airparadis", "status": "raised"}
    resolved = raised | {"status": "resolved"}
    control = raised | {"scope": "airline:virginamerica"}
    assert problems([raised, resolved], "virginamerica") == []
    assert problems([], "virginamerica") == ["no bad_buzz alert raised for airline:airparadis"]
    assert "never resolved" in problems([raised], "virginamerica")[0]
    assert "not quiet" in problems([raised, resolved, control], "virginamerica")[0]


@pytest.mark.kafka
def test_the_demo_stages_raise_and_resolve_the_airparadis_bad_buzz(
    tmp_path, start_worker, kafka_bootstrap, small_model_dir
):
    """deploy/demo.sh's stages on the session's broker with a small model: topics, worker,
    replay, check. Fails when the demo's alert does not come."""
    from stream.kafka.admin import ensure_topics
    from stream.kafka.clients import as_raw_tweet, produce, read_tweet_file
    from training.tools.local_worker import isolated_env, read_events, settings_from

    env = isolated_env(kafka_bootstrap, str(small_model_dir), **worker_env())
    settings = settings_from(env)
    ensure_topics(settings)
    start_worker(str(small_model_dir), env=env)
    plan = DemoPlan()
    labels = write_replay(
        build(read_airline_tweets(AIRLINE_DATA), plan), tmp_path / "r.jsonl", plan
    )
    tweets = (as_raw_tweet(row) for row in read_tweet_file(tmp_path / "r.jsonl"))
    produce(settings, ((t.id, t.to_json()) for t in tweets))

    alerts = wait_for_alerts(lambda: read_events(settings, settings.topic_alerts, 10**6, 2), 90)
    rows = read_labels(labels)
    assert problems(alerts, plan.control) == [], "\n".join(describe(a, rows) for a in alerts)
    raised = next(a for a in alerts if a["scope"] == "airline:airparadis")
    assert "200 burst complaints" in describe(raised, rows)


@pytest.mark.kafka
def test_demo_check_exits_non_zero_when_the_alert_does_not_come(
    tmp_path, kafka_bootstrap, unique_topic
):
    from typer.testing import CliRunner

    from stream.cli import app
    from stream.kafka.admin import ensure_topics
    from training.tools.local_worker import settings_from

    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "AIRPARADIS_TOPIC_ALERTS": unique_topic("alerts"),
    }
    ensure_topics(settings_from(env), [env["AIRPARADIS_TOPIC_ALERTS"]])
    labels = tmp_path / "r.labels.csv"
    labels.write_text("id,window_start,airlines,label,real_created\n")
    result = CliRunner().invoke(app, ["demo-check", str(labels), "--timeout", "1"], env=env)
    assert result.exit_code == 1
    assert "DEMO FAILED: no bad_buzz alert raised for airline:airparadis" in result.output
