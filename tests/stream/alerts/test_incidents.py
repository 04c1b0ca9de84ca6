import json

import pytest

from stream.alerts.incidents import AlertFacts, Ewma, Incident, IncidentPolicy, build_alert, step

POLICY = IncidentPolicy(cooldown_s=100, resolve_windows=2)


def run(breaches: list[tuple[float, bool]], incident: Incident | None = None):
    incident = incident or Incident()
    transitions = []
    for now, breaching in breaches:
        incident, transition = step(incident, breaching, now, POLICY)
        transitions.append(transition)
    return incident, transitions


def test_one_incident_raises_once_and_resolves_after_quiet_streak():
    incident, transitions = run([(10, True), (20, True), (30, False), (40, True), (50, False),
                                 (60, False)])  # fmt: skip
    assert transitions == ["raised", None, None, None, None, "resolved"]
    assert not incident.is_open and incident.opened_at == 10 and incident.resolved_at == 60


def test_breach_within_cooldown_is_suppressed_then_raises_after():
    incident, transitions = run([(0, True), (10, False), (20, False), (50, True), (130, True)])
    assert transitions == ["raised", None, "resolved", None, "raised"]
    assert incident.suppressed == 1 and incident.opened_at == 130


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError, match="resolve_windows"):
        IncidentPolicy(cooldown_s=0, resolve_windows=0)
    with pytest.raises(ValueError, match="cooldown_s"):
        IncidentPolicy(cooldown_s=-1)


def test_alert_ids_are_stable_per_incident_and_status():
    facts = AlertFacts("bad_buzz", "global", "negative_ratio", 0.5, 0.9, "critical", "m", 0, 60)
    incident, _ = step(Incident(), True, 60, POLICY)
    raised = build_alert(facts, incident, "raised")
    assert build_alert(facts, incident, "raised").alert_id == raised.alert_id
    resolved = build_alert(facts, incident, "resolved")
    assert resolved.alert_id != raised.alert_id
    assert resolved.severity == "info" and raised.severity == "critical"
    assert raised.window_end is not None and raised.window_end.timestamp() == 60


def test_ewma_tracks_mean_and_variance():
    values = [0.2, 0.4] * 200
    ewma = Ewma()
    for value in values:
        ewma = ewma.update(value, alpha=0.05)
    assert ewma.mean == pytest.approx(0.3, abs=0.01)
    assert ewma.std == pytest.approx(0.1, abs=0.01)
    assert Ewma.from_dict(json.loads(json.dumps(ewma.to_dict()))) == ewma


def test_incident_round_trips_through_json():
    incident, _ = run([(10, True)])
    assert Incident.from_dict(json.loads(json.dumps(incident.to_dict()))) == incident
