from datetime import UTC, datetime, timedelta

from stream.demo.loop_watch import LoopWatch
from stream.records import Alert
from stream.rollout import state as rollout

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
GATE_OUTPUT = "...\n  data.train_until x\ngate: v2 vs champion v1: approved\nreport: r.md\n"
TAGS = {
    "gate.decision": "approved", "gate.champion_version": "1", "gate.reasons": "-",
    "gate.recent.n": "1047", "gate.recent.window": "2015-02-19..2015-02-20",
    "gate.recent.accuracy.champion": "0.6620", "gate.recent.accuracy.challenger": "0.8930",
    "gate.recent.accuracy.low": "0.1990", "gate.recent.accuracy.high": "0.2650",
    "gate.test.roc_auc.champion": "0.8890", "gate.test.roc_auc.challenger": "0.8760",
}  # fmt: skip


def alert(kind: str) -> dict:
    raised = Alert(kind=kind, scope="global", metric="accuracy", threshold=0.7, observed=0.64,
                   message=f"{kind} low")  # fmt: skip
    return raised.model_dump(mode="json")


def retrain(event: str, **extra: str) -> dict:
    return {"event": event, "request_id": "abcdef123456", "cause": "alert:accuracy"} | extra


def test_the_loop_from_the_alert_to_the_new_champion():
    watch = LoopWatch()
    trigger = alert("accuracy")
    assert "alert raised accuracy" in watch.on_alert(trigger)[0]
    assert watch.on_alert(alert("bad_buzz")) == []
    assert watch.other_alerts == {"bad_buzz raised": 1}
    (line,) = watch.on_retrain(retrain("requested", alert_id=trigger["alert_id"]))
    assert "by the accuracy alert above" in line
    assert "skipped: in flight" in watch.on_retrain(retrain("skipped", detail="in flight"))[0]
    watch.on_retrain(retrain("succeeded", detail=GATE_OUTPUT))
    assert watch.challenger == "2" and watch.verdict is None
    gate = "\n".join(watch.on_gate("2", TAGS))
    assert "v2 vs champion v1: approved" in gate and "0.6620 -> 0.8930 [0.1990, 0.2650]" in gate
    assert watch.verdict is None

    state = rollout.start("air-paradis-tfidf", "2", "1", T0)
    assert watch.on_rollout(state, "1") == ["rollout: v2 in shadow beside champion v1"]
    figures = {"shadow_agreement": 0.81, "shadow_ks_distance": 0.35, "challenger_scored": 1000,
               "champion_negative_ratio": 0.5, "challenger_negative_ratio": 0.78}  # fmt: skip
    state = rollout.advance(
        state, T0 + timedelta(seconds=20), reason="guards clean", figures=figures
    )
    (step,) = watch.on_rollout(state, "1")
    assert "advance -> canary 10% by guard" in step and "agreement 0.810, KS 0.350" in step
    assert "challenger v2: 1000 scored, negative 0.780" in step
    assert watch.on_rollout(state, "1") == []  # nothing new
    for _ in range(3):
        state = rollout.advance(state, T0 + timedelta(seconds=60))
    assert len(watch.on_rollout(state, "2")) == 3
    assert watch.verdict == (True, "v2 is the champion (was v1)")


def test_a_rollback_a_refused_gate_or_a_failed_retrain_fail_the_loop():
    watch = LoopWatch(challenger="2")
    state = rollout.roll_back(rollout.start("m", "2", "1", T0), T0, reason="negative ratio gap")
    watch.on_rollout(state, "1")
    assert watch.verdict == (False, "v2 rolled back: negative ratio gap")

    refused = LoopWatch()
    refused.on_gate("2", TAGS | {"gate.decision": "refused", "gate.reasons": "roc_auc on (a)"})
    assert refused.verdict == (False, "the gate refused v2: roc_auc on (a)")

    failed = LoopWatch()
    failed.on_retrain(retrain("failed", detail="Traceback ... ValueError: no labels"))
    assert failed.verdict is not None and "ValueError: no labels" in failed.verdict[1]


def test_an_older_rollout_is_not_this_loop():
    watch = LoopWatch(challenger="5")
    assert watch.on_rollout(rollout.start("m", "3", "1", T0), "1") == []
    assert watch.verdict is None


def test_a_retrain_output_without_the_gate_line_leaves_the_version_to_the_registry():
    watch = LoopWatch()
    assert watch.on_retrain(retrain("succeeded", detail="...cut")) == ["retrain succeeded"]
    assert watch.retrained and watch.challenger is None and watch.verdict is None
    watch.on_gate("3", {})
    assert watch.verdict == (False, "v3 has no gate verdict (was the gate run?)")
