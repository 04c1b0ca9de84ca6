"""The dev sets: the airline history split by day (binary), the behavioural suite."""

from __future__ import annotations

from models.devsets import (
    BEHAVIOURS,
    FEEDBACK_DAYS,
    JUDGE_DAYS,
    behavioural_suite,
    load_airline,
)


def test_airline_is_binary_with_neutral_counted() -> None:
    airline = load_airline()
    assert airline.data.dropped_neutral == 1_623  # SOURCES.md: 7,189 rows, 1,623 neutral
    assert airline.data.class_counts() == {"negative": 4_212, "positive": 1_354}


def test_feedback_and_judge_days_partition_the_history() -> None:
    airline = load_airline()
    feedback, judge = airline.on(FEEDBACK_DAYS), airline.on(JUDGE_DAYS)
    assert len(feedback) + len(judge) == len(airline.data)
    assert set(airline.days) == set(FEEDBACK_DAYS) | set(JUDGE_DAYS)
    assert len(judge) == 2_396 and judge.class_counts()["positive"] == 512


def test_behavioural_suite_covers_each_capability_with_text_and_label() -> None:
    suite = behavioural_suite()
    assert len(suite) == sum(len(cases) for cases in BEHAVIOURS.values())
    assert set(suite.labels.tolist()) == {0, 1}
    assert {"negation", "intensifiers", "emojis", "sarcasm", "complaints"} <= set(BEHAVIOURS)
