import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from typer.testing import CliRunner

from stream.cli import app
from stream.kafka.admin import ensure_topics
from stream.kafka.clients import (
    PACING_S,
    as_raw_tweet,
    produce,
    read_topic,
    read_tweet_file,
    tags_of,
)
from stream.kafka.delivery import DeliveryError
from stream.settings import Settings


def test_tags_are_mentions_and_hashtags_lowercased_once() -> None:
    assert tags_of("@AirParadis lost my bag #Baggage again @airparadis") == [
        "@airparadis",
        "#baggage",
    ]
    assert tags_of("mail me at a@b.com") == []


def test_tags_are_read_as_the_model_and_scopes_read_them() -> None:
    """One definition (`models.preprocessing`): no tags inside URLs, a hashtag not cut at 30."""
    assert tags_of("https://x.com/#frag http://m.com/@user") == []
    assert tags_of("#" + "A" * 40 + " &#64;Esc") == ["#" + "a" * 40, "@esc"]


def test_csv_gz_and_jsonl_files(tmp_path: Path) -> None:
    csv_path = tmp_path / "t.csv.gz"
    with gzip.open(csv_path, "wt") as handle:
        handle.write('polarity,text\n0,"late, again"\n')
    assert list(read_tweet_file(csv_path)) == [{"text": "late, again"}]
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text(json.dumps({"id": "9", "text": "hi"}) + "\n\n")
    assert list(read_tweet_file(jsonl)) == [{"id": "9", "text": "hi"}]


def test_csv_without_text_column_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="'text' column"):
        list(read_tweet_file(path))


def test_rows_are_completed_into_valid_raw_tweets() -> None:
    tweet = as_raw_tweet({"text": "@AirParadis thanks!"})
    assert tweet.tags == ["@airparadis"] and tweet.id and tweet.created_at.tzinfo


@pytest.mark.kafka
def test_a_paced_producer_never_runs_ahead_of_its_rate(settings: Settings) -> None:
    ensure_topics(settings, [settings.topic_raw])
    sent_at: list[float] = []
    rate, count = 2000.0, 300
    started = time.perf_counter()
    produce(
        settings,
        [(None, b'{"text": "on time"}')] * count,
        rate=rate,
        on_sent=lambda: sent_at.append(time.perf_counter() - started),
    )
    assert len(sent_at) == count
    # the i-th record goes no earlier than its slot, less the pacing step (a lower bound:
    # a slow machine only makes it later, so this does not depend on the machine's speed)
    early = [i / rate - PACING_S - at for i, at in enumerate(sent_at)]
    assert max(early) < 1e-3


@pytest.mark.kafka
def test_records_the_broker_refuses_are_an_error_not_a_count(settings: Settings) -> None:
    """A topic that takes at most 2 kB: the 10 kB record is refused in its delivery report
    (not at `produce`, which allows 1 MB). The broker refuses a whole batch, so a small
    record batched with it is refused too: paced 100 ms apart after a first delivery, each
    is usually a batch of its own, and whatever the batching, every record is either on the
    topic or counted in the error."""
    admin = AdminClient({"bootstrap.servers": settings.kafka.bootstrap_servers})
    topic = NewTopic(settings.topic_raw, 1, 1, config={"max.message.bytes": "2000"})
    admin.create_topics([topic])[settings.topic_raw].result(30)
    produce(settings, [(None, b'{"text": "first"}')])  # the leader is known: no queueing
    payloads = [(None, b'{"text": "small"}'), (None, b"x" * 10_000), (None, b'{"text": "ok"}')]
    with pytest.raises(DeliveryError, match=r"^(\d) of 3 records not delivered") as refused:
        produce(settings, payloads, rate=10)
    message = str(refused.value)
    lost = int(message[0])
    assert f"{lost} refused by the broker" in message and "too large" in message.lower()
    on_topic = [value for _, value in read_topic(settings, settings.topic_raw, 4, timeout_s=10)]
    assert len(on_topic) == 1 + 3 - lost and b"x" * 10_000 not in on_topic


def test_an_unreachable_broker_is_an_error_not_a_count(settings: Settings) -> None:
    """`settings` of an unmarked test point at a port where nothing listens."""
    started = time.monotonic()
    with pytest.raises(DeliveryError) as undelivered:
        produce(settings, [(None, b"{}"), (None, b"{}")], delivery_timeout_s=1)
    assert str(undelivered.value) == (
        "2 of 2 records not delivered; 2 still queued after 1 s (is the broker running?)"
    )
    assert time.monotonic() - started < 10


def test_cli_produce_without_a_broker_says_so_in_one_line(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", settings.kafka.bootstrap_servers)
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps({"text": "hello"}) + "\n")
    result = CliRunner().invoke(app, ["produce", str(source), "--timeout", "1"])
    assert result.exit_code == 1
    assert "error: 1 of 1 records not delivered" in result.output
    assert "is the broker running?" in result.output and "produced" not in result.output
    assert not isinstance(result.exception, DeliveryError)  # handled: no traceback


def test_cli_tail_without_a_broker_says_once_that_it_waits(settings: Settings) -> None:
    """librdkafka logs each failed connection (up to 20 a second): only with --verbose."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers}
    outputs = {}
    for flags in ([], ["--verbose"]):
        command = [sys.executable, "-m", "stream.cli", *flags, "tail"]
        with pytest.raises(subprocess.TimeoutExpired) as running:
            subprocess.run(command, env=env, capture_output=True, text=True, timeout=4)
        outputs[bool(flags)] = (running.value.stderr or b"").decode().splitlines()
    waiting = f"waiting for the Kafka broker at {settings.kafka.bootstrap_servers}: "
    assert len(outputs[False]) == 1 and outputs[False][0].startswith(waiting), outputs[False]
    assert sum("Connection refused" in line for line in outputs[True]) > 2
