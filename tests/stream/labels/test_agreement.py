from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from stream.labels.agreement import agreement, decide, kappa, majority, paired

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(tweet, annotator, label) in answer order."""
    return pd.DataFrame(
        [(t, a, lab, T0 + timedelta(seconds=i)) for i, (t, a, lab) in enumerate(rows)],
        columns=["tweet_id", "annotator", "label", "labelled_at"],
    )


def test_kappa_matches_a_hand_computed_case() -> None:
    # 10 tweets; A and B agree on 4 negative + 3 positive, disagree on 3.
    a = ["negative"] * 5 + ["positive"] * 4 + ["neutral"]
    b = ["negative"] * 4 + ["positive"] + ["positive"] * 3 + ["negative"] + ["neutral"]
    # observed: 4 + 3 + 1 = 8/10. A: neg .5 pos .4 neu .1; B: neg .5 pos .4 neu .1
    # chance: .5*.5 + .4*.4 + .1*.1 = .42; kappa = (.8 - .42) / (1 - .42) = .38/.58
    assert kappa(a, b) == pytest.approx(0.38 / 0.58)
    assert kappa(["positive"] * 3, ["positive"] * 3) == 1.0  # sklearn gives nan here
    assert kappa([], []) is None


def test_pairs_are_first_two_answers_and_per_pair_kappa_counts_the_third() -> None:
    rows = [
        ("t1", "ann", "negative"), ("t1", "bob", "negative"),
        ("t2", "ann", "positive"), ("t2", "bob", "negative"), ("t2", "cat", "positive"),
        ("t3", "bob", "neutral"),
    ]  # fmt: skip
    df = frame(rows)
    pairs = paired(df)
    assert pairs["tweet_id"].tolist() == ["t1", "t2"]
    assert pairs.iloc[1][["first", "second"]].tolist() == ["ann", "bob"]
    result = agreement(df, last_n=10)
    assert result.tweets == 2
    # overall on (neg, neg), (pos, neg): observed .5, chance .5*1 + .5*0 = .5 -> 0
    assert result.overall == pytest.approx(0.0)
    assert set(result.pairs) == {("ann", "bob"), ("ann", "cat"), ("bob", "cat")}
    assert result.pairs[("ann", "cat")] == (1.0, 1)
    assert result.pairs[("ann", "bob")][1] == 2
    # last N keeps only the latest double-labelled tweets
    assert agreement(df, last_n=1).tweets == 1


def test_decide_trusts_complete_agreeing_batches_only() -> None:
    agree = [(f"a{i}", who, lab) for i, lab in enumerate(["negative", "positive"] * 2)
             for who in ("ann", "bob")]  # fmt: skip
    flags = decide(frame(agree), window=4, kappa_min=0.8)
    assert flags == {f"a{i}": None for i in range(4)}
    # the same with a batch of 8: still open
    assert set(decide(frame(agree), window=8, kappa_min=0.8).values()) == {"batch_open"}
    # a disagreement in a batch lowers its kappa below 0.8: the whole batch is flagged
    mixed = [*agree[:-1], ("a3", "bob", "negative")]
    flags = decide(frame(mixed), window=4, kappa_min=0.8)
    assert flags["a3"] == "disputed"
    assert flags["a0"] == "low_kappa"
    # a third annotator decides the disputed tweet; kappa_min lowered: trusted
    flags = decide(frame([*mixed, ("a3", "cat", "positive")]), window=4, kappa_min=0.3)
    assert flags["a3"] is None and flags["a0"] is None
    assert decide(frame([("x", "ann", "negative")]), 4, 0.8) == {"x": "single"}
    three_ways = [("y", "ann", "negative"), ("y", "bob", "neutral"), ("y", "cat", "positive")]
    assert decide(frame(three_ways), 4, 0.8)["y"] == "no_majority"
    assert majority(["neutral", "positive", "neutral"]) == "neutral"
