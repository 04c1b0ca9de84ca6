from datetime import UTC, datetime, timedelta

from stream.rollout.guards import GuardConfig, VersionFigures, breaches, evaluate
from stream.rollout.state import advance, roll_back, start
from stream.settings import Settings

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CONFIG = GuardConfig(shadow_dwell_s=10, canary_dwell_s=20, min_events=100, min_labels=20)


def figures(n=200, negative=0.4, latency=0.01, errors=0, labelled=0, correct=0):
    f = VersionFigures()
    for i in range(n):
        f.add_scored(i < negative * n, latency)
    f.add_error(errors)
    for i in range(labelled):
        f.add_label(i < correct)
    return f


def test_a_clean_step_holds_for_its_dwell_time_then_advances():
    state = start("m", "3", "2", T0)
    early = evaluate(state, figures(), figures(), CONFIG, T0 + timedelta(seconds=5))
    assert early.action == "hold" and "dwell" in early.reason
    late = evaluate(state, figures(), figures(), CONFIG, T0 + timedelta(seconds=11))
    assert late.action == "advance"
    assert late.figures["challenger_scored"] == 200 and late.figures["share"] == 0.0
    canary = advance(state, T0 + timedelta(seconds=11))
    assert (
        evaluate(canary, figures(), figures(), CONFIG, T0 + timedelta(seconds=25)).action == "hold"
    )


def test_too_few_challenger_tweets_hold_even_after_the_dwell():
    decision = evaluate(
        start("m", "3", "2", T0), figures(), figures(n=50), CONFIG, T0 + timedelta(hours=1)
    )
    assert decision.action == "hold" and "50 of 100" in decision.reason


def test_each_guard_breach_rolls_back_with_its_figure():
    state = start("m", "3", "2", T0)
    now = T0 + timedelta(seconds=1)  # before the dwell: a breach does not wait
    cases = {
        "error rate": figures(errors=10),
        "p95 latency": figures(latency=0.05),  # 5 x the champion's 0.01 s
        "negative ratio": figures(negative=0.0),  # everything positive
        "accuracy": figures(labelled=40, correct=20),  # 0.5 vs the champion's 0.9
    }
    champion = figures(labelled=40, correct=36)
    for word, challenger in cases.items():
        decision = evaluate(state, champion, challenger, CONFIG, now)
        assert decision.action == "rollback", word
        assert word in decision.reason, decision.reason


def test_guards_wait_for_enough_labels_and_allow_small_gaps():
    champion = figures(labelled=10, correct=10)
    assert breaches(champion, figures(labelled=10, correct=0), CONFIG) == []
    assert breaches(figures(negative=0.4), figures(negative=0.5), CONFIG) == []
    assert breaches(figures(), figures(latency=2.5), CONFIG)[0].startswith("p95 latency 2.5")


def test_an_ended_rollout_only_holds():
    ended = roll_back(start("m", "3", "2", T0), T0)
    assert evaluate(ended, figures(), figures(errors=50), CONFIG, T0).action == "hold"


def test_config_from_settings_reads_the_rollout_block():
    config = Settings(rollout={"guards": {"canary_dwell_s": 3, "min_events": 7}}).rollout.guards
    assert (config.canary_dwell_s, config.min_events, config.shadow_dwell_s) == (3, 7, 86_400)


def test_labels_outrank_the_negative_ratio_gap():
    """A retrain that fixes a biased champion changes the negative ratio a lot: with
    enough labels showing it more accurate, the gap is no breach; without labels it is."""
    biased = figures(negative=0.4, labelled=40, correct=28)
    fixed = figures(negative=0.8, labelled=40, correct=36)
    assert breaches(biased, fixed, CONFIG) == []
    assert breaches(figures(negative=0.4), figures(negative=0.8), CONFIG)[0].startswith(
        "negative ratio"
    )
    worse = figures(negative=0.8, labelled=40, correct=27)
    assert breaches(biased, worse, CONFIG)[0].startswith("negative ratio")


def test_latency_is_judged_on_enough_events():
    few = figures(n=5, latency=2.5)  # a step's first events, e.g. a cold start
    assert breaches(figures(), few, CONFIG) == []
    assert breaches(figures(n=5), figures(latency=0.05), CONFIG) == []  # champion: 5 events
    assert breaches(figures(), figures(n=10, latency=2.5), CONFIG)[0].startswith("p95 latency")
