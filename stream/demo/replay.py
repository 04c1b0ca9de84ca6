"""The demo replay: real airline tweets, labelled by people, in their real time order,
accelerated, with a fictional @AirParadis bad buzz mixed in.

Event time: every tumbling window (`window_s`) of the replay holds `hours_per_window` real
hours, so the five days of the file play in 31 windows (4 hours each) that end two minutes
before now. Air Paradis: `airparadis_per_window` real tweets of each window are re-addressed to
@AirParadis (fewer than `buzz_min_negative`, so an ordinary Air Paradis window can never
breach, whatever the model), and window `burst_window` gets `burst_size` unambiguous
complaints (the only window that can). The control, @VirginAmerica, is the real airline
people labelled least negative (34 %): at most 18 non-positive tweets in a window.
Why this holds with any reasonable model: docs/demo.md.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.preprocessing import MENTION

AIRLINE_DATA = (
    Path(__file__).resolve().parents[3]
    / "shared/data/airline/airline_tweets_2015-02-16_to_21.csv.gz"
)
# The file's airline handles (its "Delta" rows address @JetBlue, a quirk of the data set).
HANDLES = (
    "united",
    "usairways",
    "jetblue",
    "southwestair",
    "virginamerica",
    "americanair",
    "delta",
)
AIRPARADIS = "airparadis"

COMPLAINTS = (
    "lost my bag AGAIN",
    "flight delayed 5 hours and nobody tells us anything",
    "cancelled my flight with no warning",
    "rude staff at the gate, treated us like garbage",
    "3 hours stuck on the tarmac, no water, no info",
    "my luggage is still missing after 2 days",
    "missed my connection because of your delay",
    "charged me a fee for a seat that does not exist",
)
VERDICTS = (
    "worst airline ever 😡",
    "never flying with you again",
    "absolutely terrible, I hate this airline",
    "horrible service, so angry right now",
    "disgusting, what a nightmare #fail",
    "awful awful awful 👎",
)
FEELINGS = (
    "I hate you",
    "this sucks",
    "so sad and angry",
    "ugh, hate hate hate",
    "I am so mad",
    "sick and tired of this",
)


@dataclass(frozen=True)
class DemoPlan:
    hours_per_window: float = 4.0
    window_s: float = 60.0  # = the worker's window_size_s
    burst_window: int = 20
    burst_size: int = 200
    airparadis_per_window: int = 8
    control: str = "virginamerica"
    seed: int = 7


@dataclass(frozen=True)
class DemoTweet:
    id: str
    text: str
    ts: float  # event time in the demo
    label: str  # people's label (negative / neutral / positive); "complaint" for the burst
    real_created: str  # the original `tweet_created`; "" for the burst

    def raw(self) -> dict[str, Any]:
        created = datetime.fromtimestamp(self.ts, UTC).isoformat()
        return {"id": self.id, "text": self.text, "created_at": created, "lang": "en"}


def worker_env() -> dict[str, str]:
    """Worker settings the demo runs with: every airline of the file its own scope, and
    one partition per topic so event-time order survives end to end."""
    airlines = [AIRPARADIS, *HANDLES]
    return {
        "AIRPARADIS_SCOPE_KNOWN_AIRLINES": json.dumps(airlines),
        "AIRPARADIS_TOPIC_PARTITIONS": "1",
    }


def read_airline_tweets(path: Path) -> list[dict[str, str]]:
    """Rows of the airline CSV (`tweet_created` order)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def readdress(text: str) -> str:
    """The tweet as if sent to @AirParadis: airline handles replaced."""
    changed = MENTION.sub(_to_airparadis, text)
    return changed if changed != text else f"@AirParadis {text}"


def _to_airparadis(mention: re.Match[str]) -> str:
    return "@AirParadis" if mention.group(1).lower() in HANDLES else mention.group(0)


def build(
    rows: Sequence[dict[str, str]], plan: DemoPlan, now: float | None = None
) -> list[DemoTweet]:
    """The replay in event-time order; it ends at least two windows before `now`."""
    real = [datetime.strptime(r["tweet_created"], "%Y-%m-%d %H:%M:%S %z").timestamp() for r in rows]
    span = plan.hours_per_window * 3600
    real0 = math.floor(min(real) / span) * span
    windows = math.floor((max(real) - real0) / span) + 1
    if plan.burst_window + 4 > windows:
        raise ValueError(f"burst_window {plan.burst_window}: needs 4 windows after it of {windows}")
    t0 = (math.floor((now or time.time()) / plan.window_s) - windows - 2) * plan.window_s
    rng = random.Random(plan.seed)
    by_window: dict[int, list[DemoTweet]] = {}
    for row, ts in zip(rows, real, strict=True):
        demo_ts = t0 + (ts - real0) / span * plan.window_s
        tweet = DemoTweet(
            row["tweet_id"], row["text"], demo_ts, row["airline_sentiment"], row["tweet_created"]
        )
        by_window.setdefault(int((ts - real0) // span), []).append(tweet)
    tweets = [t for w in sorted(by_window) for t in _with_airparadis(by_window[w], plan, rng)]
    tweets += _burst(t0 + plan.burst_window * plan.window_s, plan, rng)
    return sorted(tweets, key=lambda t: t.ts)


def _with_airparadis(
    tweets: list[DemoTweet], plan: DemoPlan, rng: random.Random
) -> list[DemoTweet]:
    picked = set(rng.sample(range(len(tweets)), min(plan.airparadis_per_window, len(tweets))))
    return [
        DemoTweet(t.id, readdress(t.text), t.ts, t.label, t.real_created) if i in picked else t
        for i, t in enumerate(tweets)
    ]


def _burst(start: float, plan: DemoPlan, rng: random.Random) -> Iterator[DemoTweet]:
    margin = plan.window_s * 0.05  # well inside the window, whatever the rounding
    for i in range(plan.burst_size):
        ts = start + margin + (plan.window_s - 2 * margin) * i / plan.burst_size
        parts = (rng.choice(COMPLAINTS), rng.choice(VERDICTS), rng.choice(FEELINGS))
        text = "@AirParadis {}. {}, {}".format(*parts)
        yield DemoTweet(f"airparadis-burst-{i}", text, ts, "complaint", "")


def airlines_of(text: str) -> list[str]:
    """The airline scopes a demo tweet counts in (as the worker names them)."""
    names = {m.lower() for m in re.findall(r"(?<![\w@])@(\w{1,30})", text)}
    return sorted(f"airline:{n}" for n in names if n in (AIRPARADIS, *HANDLES))


def write_replay(tweets: Sequence[DemoTweet], out: Path, plan: DemoPlan) -> Path:
    """Write the raw tweets (JSONL) to `out` and people's labels beside it; the labels path."""
    labels = labels_path(out)
    with (
        out.open("w", encoding="utf-8") as raw,
        labels.open("w", encoding="utf-8", newline="") as lab,
    ):
        writer = csv.writer(lab)
        writer.writerow(["id", "window_start", "airlines", "label", "real_created"])
        for tweet in tweets:
            raw.write(json.dumps(tweet.raw(), ensure_ascii=False) + "\n")
            start = math.floor(tweet.ts / plan.window_s) * plan.window_s
            scopes = " ".join(airlines_of(tweet.text))
            writer.writerow([tweet.id, f"{start:.0f}", scopes, tweet.label, tweet.real_created])
    return labels


def labels_path(replay: Path) -> Path:
    return replay.with_name(replay.name.removesuffix(".jsonl") + ".labels.csv")
