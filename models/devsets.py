"""Development sets that do not leak the held-out benchmarks.

- the airline history (`../shared/data/airline`), binary (neutral dropped), split by the
  day the tweet was written (local time): feed back / train on the early days, judge on
  the later ones;
- a hand-built behavioural suite: short tweets per capability (negation, intensifiers,
  emojis, sarcasm cues, airline complaints and praise), labelled by their writer.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.data import LabelledTexts

_SHARED = Path(__file__).resolve().parents[2] / "shared/data"
AIRLINE_DATA = _SHARED / "airline/airline_tweets_2015-02-16_to_21.csv.gz"
FEEDBACK_DAYS = ("2015-02-16", "2015-02-17", "2015-02-18", "2015-02-19")
JUDGE_DAYS = ("2015-02-20", "2015-02-21")
_BINARY = {"negative": 0, "positive": 1}


@dataclass(frozen=True)
class DatedTexts:
    """Labelled texts with the local day (YYYY-MM-DD) each was written."""

    data: LabelledTexts
    days: list[str]

    def on(self, days: tuple[str, ...]) -> LabelledTexts:
        return self.data.take([i for i, day in enumerate(self.days) if day in days])


def load_airline(path: Path = AIRLINE_DATA) -> DatedTexts:
    """The airline tweets labelled negative or positive (neutral dropped and counted)."""
    texts: list[str] = []
    labels: list[int] = []
    days: list[str] = []
    neutral = 0
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = _BINARY.get(row["airline_sentiment"])
            if label is None:
                neutral += 1
                continue
            texts.append(row["text"])
            labels.append(label)
            days.append(row["tweet_created"][:10])  # local date, before the offset
    data = LabelledTexts(texts, np.asarray(labels, dtype=np.int64), dropped_neutral=neutral)
    return DatedTexts(data, days)


#: capability -> [(tweet, label)], 1 = positive. Each capability has both labels.
BEHAVIOURS: dict[str, list[tuple[str, int]]] = {
    "negation": [
        ("The flight was not good at all", 0),
        ("I don't like this airline", 0),
        ("The crew was not bad, actually", 1),
        ("Never had a problem with them, great service", 1),
        ("not happy with the delay", 0),
        ("I can't complain, smooth flight", 1),
        ("This is not what I paid for", 0),
        ("no complaints, landed early", 1),
    ],
    "intensifiers": [
        ("The service was extremely good", 1),
        ("really really bad experience", 0),
        ("SO happy with my upgrade!!!", 1),
        ("absolutely the worst flight ever", 0),
        ("incredibly helpful gate agent", 1),
        ("totally disgusted with the food", 0),
    ],
    "emojis": [
        ("flight delayed again 😡", 0),
        ("just landed 😍 thanks", 1),
        ("sitting on the tarmac for 2 hours 😤", 0),
        ("upgraded to first class 🎉", 1),
        ("lost my bag 😢", 0),
        ("the crew was lovely ❤️", 1),
        ("3 hour wait :(", 0),
        ("home at last :)", 1),
    ],
    "sarcasm": [
        ("Great, another delay. Thanks a lot", 0),
        ("Love waiting 3 hours for a gate agent", 0),
        ("Oh wonderful, my bag is in Denver and I am in Boston", 0),
        ("thanks for nothing", 0),
        ("Yeah right, 'on time'. Sure.", 0),
        ("Thanks for the quick rebooking, that was genuinely painless", 1),
    ],
    "complaints": [
        ("@united my flight was cancelled and no one will rebook me", 0),
        ("@USAirways on hold for 2 hours, this is ridiculous", 0),
        ("@SouthwestAir lost my luggage and nobody answers the phone", 0),
        ("@AmericanAir late flight, missed my connection", 0),
        ("@JetBlue seat was broken and the crew did nothing", 0),
        ("@united thank you for getting me home on time", 1),
        ("@SouthwestAir best customer service, thanks for the help!", 1),
        ("@VirginAmerica love the new planes, great flight", 1),
        ("@delta the agent at the gate fixed everything, thank you", 1),
    ],
}


def behavioural_suite() -> LabelledTexts:
    return LabelledTexts.from_groups(BEHAVIOURS)
