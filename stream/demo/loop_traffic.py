"""The loop demo's traffic: labelled airline tweets as live tweets, their labels as feedback.

Each trusted negative/positive tweet of the airline file (before `until`, oldest first) is
sent to the raw topic with the current time, and its people's label follows on the feedback
topic `lag` records later, so the worker has scored it when the label comes (a label
before its prediction is counted unmatched, docs/alerts.md). The feedback carries the
tweet's own time: the label store and the retrain's time windows see February 2015.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from stream.kafka.clients import as_raw_tweet
from stream.kafka.delivery import AccountedProducer
from stream.records import Feedback

if TYPE_CHECKING:
    from stream.settings import Settings

Kind = Literal["raw", "feedback"]


def interleave(
    labelled: Iterable[Feedback], lag: int, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Iterator[tuple[Kind, str, bytes]]:
    """(kind, key, value): each tweet as a raw tweet, its feedback `lag` tweets later."""
    waiting: deque[Feedback] = deque()
    for feedback in labelled:
        tweet = as_raw_tweet({"id": feedback.tweet_id, "text": feedback.text}, now())
        yield "raw", tweet.id, tweet.to_json()
        waiting.append(feedback)
        if len(waiting) > lag:
            first = waiting.popleft()
            yield "feedback", first.tweet_id, first.to_json()
    while waiting:
        first = waiting.popleft()
        yield "feedback", first.tweet_id, first.to_json()


def airline_feedback(path: Path, until: datetime | None) -> list[Feedback]:
    """The file's trusted binary labels before `until`, oldest first, each with its text."""
    from stream.labels.replay import feedback_of

    return [f for f in feedback_of(path, until) if f.text]


def send_rounds(
    send: Callable[[Kind, str, bytes], None],
    labelled: list[Feedback],
    rounds: int,
    lag: int,
    wait: Callable[[], None],
) -> int:
    """`rounds` passes over `labelled` (0: until stopped); `wait` paces each message."""
    sent, done = 0, 0
    while rounds == 0 or done < rounds:
        for kind, key, value in interleave(labelled, lag):
            send(kind, key, value)
            sent += kind == "raw"
            wait()
        done += 1
    return sent


def run(
    settings: Settings,
    labelled: list[Feedback],
    rate: float,
    rounds: int,
    lag_s: float,
    delivery_timeout_s: float = 30.0,
) -> int:
    """Send the traffic to the settings' raw and feedback topics; the raw tweets sent."""
    producer = AccountedProducer(settings.kafka, {"linger.ms": 5, "acks": "all"})
    topics: dict[Kind, str] = {"raw": settings.topic_raw, "feedback": settings.topic_feedback}
    started, count = time.perf_counter(), 0

    def send(kind: Kind, key: str, value: bytes) -> None:
        producer.send(topics[kind], key, value)

    def wait() -> None:  # two messages per tweet
        nonlocal count
        count += 1
        ahead = started + count / (2 * rate) - time.perf_counter()
        if ahead > 0.01:
            time.sleep(ahead)

    sent = send_rounds(send, labelled, rounds, max(1, int(rate * lag_s)), wait)
    producer.wait(delivery_timeout_s)
    return sent
