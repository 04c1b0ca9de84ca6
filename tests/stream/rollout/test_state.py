from datetime import UTC, datetime, timedelta

import pytest

from stream.rollout.state import RolloutError, RolloutState, advance, roll_back, start

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_rollout_walks_shadow_then_each_share_then_done():
    state = start("m", "3", "2", T0)
    assert (state.phase, state.share, state.shadow_on) == ("shadow", 0.0, True)
    seen = []
    for hour in range(1, 5):
        state = advance(state, T0 + timedelta(hours=hour), reason="clean", figures={"x": 1.0})
        seen.append((state.phase, state.share))
    assert seen == [("canary", 0.1), ("canary", 0.5), ("canary", 1.0), ("done", 1.0)]
    assert [s.action for s in state.history] == ["start", "advance", "advance", "advance", "done"]
    assert state.step_started_at == T0 + timedelta(hours=4)
    with pytest.raises(RolloutError, match="done"):
        advance(state, T0)


def test_rollback_returns_to_zero_and_ends_the_rollout():
    state = advance(start("m", "3", "2", T0), T0)
    back = roll_back(state, T0 + timedelta(minutes=5), reason="error rate", figures={"e": 0.2})
    assert (back.phase, back.share, back.active) == ("rolled_back", 0.0, False)
    assert back.history[-1].action == "rollback" and back.history[-1].figures == {"e": 0.2}
    assert roll_back(state, T0, by="operator").history[-1].action == "abort"
    with pytest.raises(RolloutError):
        roll_back(back, T0)


def test_the_record_survives_json_and_each_rollout_gets_its_own_salt():
    state = advance(start("m", "3", None, T0), T0 + timedelta(seconds=3))
    assert RolloutState.from_json(state.to_json()) == state
    assert start("m", "3", None, T0).salt != start("m", "3", None, T0).salt


@pytest.mark.parametrize("steps", [(), (0.5, 0.1, 1.0), (0.1, 0.5), (0.0, 1.0)])
def test_bad_steps_are_refused(steps):
    with pytest.raises(RolloutError, match="steps"):
        start("m", "3", "2", T0, steps=steps)


def test_the_champion_cannot_challenge_itself():
    with pytest.raises(RolloutError, match="already the champion"):
        start("m", "2", "2", T0)
