"""The loop demo's narrator and judge: alerts, retrain events, the gate, the rollout.

`LoopWatch` is pure: it takes what the watcher reads (alerts and retrain events from their
topics, the newest version's gate tags, the rollout record and the champion alias from the
registry) and returns the lines to print, and sets `verdict` once the loop has ended: a new
champion (passed), or the step that stopped it (a failed retrain, a refused gate, a
rollback). `watch` does the reading, every second, until a verdict or the timeout.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stream.kafka.security import librdkafka_config
from stream.rollout.state import RolloutState, Step

if TYPE_CHECKING:
    from stream.settings import Settings

LOOP_ALERTS = ("accuracy", "drift", "rollout")
GATE_LINE = re.compile(r"gate: v(\d+) vs champion v(\S+): (\w+)")


@dataclass
class LoopWatch:
    verdict: tuple[bool, str] | None = None  # (passed, why)
    challenger: str | None = None  # the version the retrain registered
    retrained: bool = False
    other_alerts: Counter[str] = field(default_factory=Counter)
    _alerts: dict[str, str] = field(default_factory=dict)  # alert id -> kind
    _steps: int = 0

    def on_alert(self, alert: Mapping) -> list[str]:
        kind, status = alert["kind"], alert["status"]
        if kind not in LOOP_ALERTS:
            self.other_alerts[f"{kind} {status}"] += 1
            return []
        self._alerts[alert["alert_id"]] = kind
        head = (
            f"alert {status} {kind} ({alert['scope']}): {alert['metric']}={alert['observed']:.3f}"
        )
        return [head, f"  {alert['message']}"]

    def on_retrain(self, event: Mapping) -> list[str]:
        kind = event["event"]
        if kind == "requested":
            by = self._alerts.get(event.get("alert_id") or "", "")
            why = f"by the {by} alert above" if by else f"cause {event['cause']}"
            return [f"retrain requested {why} (request {event['request_id'][:8]})"]
        if kind == "skipped":
            return [f"retrain request ({event['cause']}) skipped: {event['detail']}"]
        if kind == "failed":
            self.verdict = (False, f"the retrain failed: {event['detail'][-300:]}")
            return [f"retrain failed: {event['detail'][-300:]}"]
        self.retrained = True
        match = GATE_LINE.search(event.get("detail", ""))
        if match is None:  # the output's tail lost the line: the newest version, read by `watch`
            return ["retrain succeeded"]
        self.challenger = match.group(1)
        return [f"retrain succeeded: version {match.group(1)} registered, gate run"]

    def on_gate(self, version: str, tags: Mapping[str, str]) -> list[str]:
        """The gate's tags on the retrained version: its verdict and headline figures."""
        decision = tags.get("gate.decision")
        if decision is None:
            self.verdict = (False, f"v{version} has no gate verdict (was the gate run?)")
            return [f"v{version}: no gate tags"]
        lines = [f"gate: v{version} vs champion v{tags.get('gate.champion_version')}: {decision}"]
        window = tags.get("gate.recent.window", "?")
        lines.append(f"  recent labels ({tags.get('gate.recent.n')} tweets, {window}):")
        for metric in ("accuracy", "f1_macro", "roc_auc"):
            lines += _difference(tags, f"gate.recent.{metric}", metric)
        lines += _difference(tags, "gate.test.roc_auc", "test split roc_auc")
        lines.append(f"  reasons: {tags.get('gate.reasons', '-')}")
        if decision != "approved":
            self.verdict = (False, f"the gate refused v{version}: {tags.get('gate.reasons')}")
        return lines

    def on_rollout(self, state: RolloutState | None, champion: str | None) -> list[str]:
        if state is None or state.challenger != self.challenger:
            return []
        lines = [describe_step(state, step) for step in state.history[self._steps :]]
        self._steps = len(state.history)
        if state.phase == "rolled_back":
            self.verdict = (False, f"v{state.challenger} rolled back: {state.history[-1].reason}")
        elif state.phase == "done" and champion == state.challenger:
            self.verdict = (True, f"v{champion} is the champion (was v{state.champion})")
        return lines


def describe_step(state: RolloutState, step: Step) -> str:
    """One history entry: what the guards (or the operator) did, on which figures."""
    f = step.figures
    if step.action == "start":
        return f"rollout: v{state.challenger} in shadow beside champion v{state.champion}"
    head = f"rollout: {step.action} -> {step.phase} {step.share:.0%} by {step.by}: {step.reason}"
    parts = []
    if "shadow_agreement" in f:
        parts.append(
            f"shadow ({f.get('challenger_scored', 0):.0f} tweets): agreement "
            f"{f['shadow_agreement']:.3f}, KS {f.get('shadow_ks_distance', 0):.3f}"
        )
    for side in ("champion", "challenger"):
        version = state.champion if side == "champion" else state.challenger
        parts.append(f"{side} v{version}: {_side(f, side)}")
    return "\n  ".join([head, *parts])


def _side(f: Mapping[str, float], side: str) -> str:
    words = [f"{f.get(f'{side}_scored', 0):.0f} scored"]
    if f"{side}_negative_ratio" in f:
        words.append(f"negative {f[f'{side}_negative_ratio']:.3f}")
    if f"{side}_accuracy" in f:
        words.append(f"accuracy {f[f'{side}_accuracy']:.3f} on {f[f'{side}_labelled']:.0f} labels")
    if f"{side}_p95_latency_s" in f:
        words.append(f"p95 {f[f'{side}_p95_latency_s'] * 1000:.0f} ms")
    if f.get(f"{side}_errors"):
        words.append(f"{f[f'{side}_errors']:.0f} errors")
    return ", ".join(words)


def _difference(tags: Mapping[str, str], prefix: str, label: str) -> list[str]:
    if f"{prefix}.champion" not in tags:
        return []
    a, b = tags[f"{prefix}.champion"], tags[f"{prefix}.challenger"]
    interval = (
        f" [{tags[f'{prefix}.low']}, {tags[f'{prefix}.high']}]" if f"{prefix}.low" in tags else ""
    )
    return [f"    {label:18} {a} -> {b}{interval}"]


def watch(
    settings: Settings, name: str, timeout_s: float, echo: Callable[[str], None]
) -> tuple[bool, str]:
    """Follow the loop until a verdict or `timeout_s`; (passed, why)."""
    from confluent_kafka import Consumer

    from models import registry
    from stream.rollout import store

    loop = LoopWatch()
    consumer = Consumer(
        librdkafka_config(settings.kafka)
        | {"group.id": f"loop-watch-{time.time_ns()}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([settings.topic_alerts, settings.topic_retrain])
    handlers = {settings.topic_alerts: loop.on_alert, settings.topic_retrain: loop.on_retrain}
    gated: str | None = None
    deadline = time.monotonic() + timeout_s
    try:
        while loop.verdict is None and time.monotonic() < deadline:
            batch = consumer.consume(num_messages=500, timeout=1.0)
            # an alert before the request it caused (two topics: no order between them)
            for message in sorted(batch, key=lambda m: m.topic() != settings.topic_alerts):
                topic, value = message.topic(), message.value()
                if not message.error() and topic in handlers and value:
                    _echo(echo, _handle(handlers[topic], topic, value))
            if loop.retrained and loop.challenger is None:
                loop.challenger = _newest_version(settings, name)
            if loop.challenger and gated != loop.challenger and loop.verdict is None:
                gated = loop.challenger
                tags = registry.client(settings).get_model_version(name, gated).tags
                _echo(echo, loop.on_gate(gated, tags))
            if gated and loop.verdict is None:
                champion = registry.champion_version(settings, name)
                _echo(echo, loop.on_rollout(store.load(settings, name), champion))
    finally:
        consumer.close()
    if loop.other_alerts:
        echo("other alerts (not retrain triggers): " + ", ".join(
            f"{count} {kind}" for kind, count in sorted(loop.other_alerts.items())))  # fmt: skip
    return loop.verdict or (False, f"timed out after {timeout_s:.0f}s: {_waiting_for(loop)}")


def _newest_version(settings: Settings, name: str) -> str:
    from models import registry

    versions = registry.client(settings).search_model_versions(f"name = '{name}'")
    return str(max(int(v.version) for v in versions))


def _handle(handler: Callable[[Mapping], list[str]], topic: str, value: bytes) -> list[str]:
    try:
        return handler(json.loads(value))
    except (ValueError, KeyError, TypeError) as error:
        return [f"unreadable record on {topic} ({type(error).__name__}: {error}): {value[:80]!r}"]


def _waiting_for(loop: LoopWatch) -> str:
    if loop.challenger is None:
        return "no retrain outcome (was an accuracy or drift alert raised?)"
    return f"v{loop.challenger}'s rollout did not end"


def _echo(echo: Callable[[str], None], lines: list[str]) -> None:
    for line in lines:
        echo(line)
