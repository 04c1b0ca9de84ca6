"""A demo replay: real sample tweets addressed to airlines, with one bad buzz in the middle.

Event times start `minutes` minutes ago, one tumbling window per minute, so windows close
as the replay advances. In minute `burst_minute`, @AirParadis gets a burst of complaints
about bags and delays; @CalmAir, the control, stays as usual.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AIRLINES = ("AirParadis", "CalmAir")
COMPLAINTS = (
    "@AirParadis lost my bag AGAIN 😡 worst airline ever",
    "@AirParadis flight delayed 4 hours and no one tells us anything #fail",
    "@AirParadis cancelled my flight, rude staff, never flying with you again",
    "3 hours on the tarmac, no water, no info. Thanks for nothing @AirParadis 👎",
    "@AirParadis my luggage is still missing after 2 days, terrible service",
)


def _sample(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def demo_tweets(
    sample: Path, minutes: int = 12, per_minute: int = 60, burst_minute: int = 7, seed: int = 7
) -> Iterator[dict[str, Any]]:
    """Raw-tweet dicts in event-time order."""
    rng, texts = random.Random(seed), _sample(sample)
    start = (time.time() // 60 - minutes - 2) * 60
    for minute in range(minutes):
        rows = [f"@{rng.choice(AIRLINES)} {rng.choice(texts)}" for _ in range(per_minute)]
        if minute == burst_minute:
            rows += [rng.choice(COMPLAINTS) for _ in range(per_minute)]
        rng.shuffle(rows)
        for i, text in enumerate(rows):
            ts = start + minute * 60 + 60 * i / len(rows)
            yield {
                "id": uuid.uuid4().hex,
                "text": text,
                "created_at": datetime.fromtimestamp(ts, UTC).isoformat(),
                "lang": "en",
            }


def write_demo(sample: Path, out: Path, **options: int) -> int:
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for tweet in demo_tweets(sample, **options):
            handle.write(json.dumps(tweet, ensure_ascii=False) + "\n")
            count += 1
    return count
