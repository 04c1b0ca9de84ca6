from datetime import UTC, datetime, timedelta

from stream.records import Alert
from stream.rollout.retrain import (
    DebounceState,
    RetrainConfig,
    RetrainEvent,
    cause_of,
    finish,
    request,
)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CONFIG = RetrainConfig(min_interval_s=3600, max_duration_s=600)


def alert(kind="accuracy", status="raised"):
    return Alert(
        kind=kind,
        scope="global",
        metric="m",
        threshold=0.7,
        observed=0.6,
        status=status,
        message="x",
    )


def test_only_raised_accuracy_and_drift_alerts_trigger():
    assert cause_of(alert()) == "alert:accuracy"
    assert cause_of(alert("drift")) == "alert:drift"
    assert cause_of(alert("bad_buzz")) is None
    assert cause_of(alert(status="resolved")) is None


def test_one_request_in_flight_then_a_minimum_interval():
    state, first = request(DebounceState(), "alert:drift", T0, CONFIG, alert_id="a1")
    assert first.event == "requested" and first.alert_id == "a1"
    same, skipped = request(state, "schedule", T0 + timedelta(seconds=30), CONFIG)
    assert same == state and skipped.event == "skipped" and "in flight" in skipped.detail
    state, done = finish(state, first.request_id, True, T0 + timedelta(seconds=60), version="4")
    assert state.in_flight is None and (done.event, done.version) == ("succeeded", "4")
    _, soon = request(state, "alert:accuracy", T0 + timedelta(seconds=90), CONFIG)
    assert soon.event == "skipped" and "ago" in soon.detail
    _, later = request(state, "alert:accuracy", T0 + timedelta(hours=2), CONFIG)
    assert later.event == "requested"


def test_a_request_without_outcome_is_lost_after_its_max_duration():
    state, first = request(DebounceState(), "schedule", T0, CONFIG)
    _, again = request(state, "alert:drift", T0 + timedelta(seconds=601), CONFIG)
    assert again.event == "requested"
    stale, _ = finish(state, "another-id", False, T0)
    assert stale.in_flight == first.request_id  # an old outcome does not free the slot


def test_the_debounce_state_round_trips_as_json():
    state, _ = request(DebounceState(), "schedule", T0, CONFIG)
    assert DebounceState.from_json(state.to_json()) == state
    assert DebounceState.from_json(DebounceState().to_json()) == DebounceState()


def test_events_round_trip_as_json():
    _, event = request(DebounceState(), "schedule", T0, CONFIG)
    assert RetrainEvent.from_json(event.to_json()) == event
