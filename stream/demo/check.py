"""The demo's promise, checked: the @AirParadis bad buzz raised and resolved, the control
airline quiet; every alert set beside what people labelled in its window."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

OURS = "airline:airparadis"


@dataclass(frozen=True)
class LabelRow:
    window_start: float
    airlines: tuple[str, ...]
    label: str
    real_created: str


def read_labels(path: Path) -> list[LabelRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            LabelRow(
                float(r["window_start"]),
                tuple(r["airlines"].split()),
                r["label"],
                r["real_created"],
            )
            for r in csv.DictReader(handle)
        ]


def problems(alerts: Sequence[dict], control: str) -> list[str]:
    """What the demo promised and did not happen (empty: all good)."""
    ours = [a["status"] for a in alerts if a["kind"] == "bad_buzz" and a["scope"] == OURS]
    found = []
    if "raised" not in ours:
        found.append(f"no bad_buzz alert raised for {OURS}")
    elif "resolved" not in ours[ours.index("raised") :]:
        found.append(f"the {OURS} bad buzz was raised but never resolved")
    noisy = [a for a in alerts if a["scope"] == f"airline:{control}"]
    if noisy:
        found.append(f"the control airline:{control} was not quiet: {len(noisy)} alert(s)")
    return found


def headline_done(alerts: Sequence[dict]) -> bool:
    ours = [a["status"] for a in alerts if a["kind"] == "bad_buzz" and a["scope"] == OURS]
    return "raised" in ours and "resolved" in ours[ours.index("raised") :]


def wait_for_alerts(
    read: Callable[[], list[dict]], timeout_s: float, settle_s: float = 5.0
) -> list[dict]:
    """Re-read the alerts until the headline is complete (then `settle_s` more) or timeout."""
    deadline = time.monotonic() + timeout_s
    alerts = read()
    while not headline_done(alerts) and time.monotonic() < deadline:
        time.sleep(1.0)
        alerts = read()
    if headline_done(alerts):
        time.sleep(settle_s)  # later windows of other scopes close right after
        alerts = read()
    return alerts


def people_said(labels: Sequence[LabelRow], scope: str, window_start: float) -> str:
    """People's labels of one scope's window, e.g. `people: 31/40 negative (78%), 5 neutral`."""
    rows = [
        r
        for r in labels
        if r.window_start == window_start and (scope == "global" or scope in r.airlines)
    ]
    if not rows or not scope.startswith(("airline:", "global")):
        return ""
    counts = Counter(r.label for r in rows)
    negative = counts["negative"] + counts["complaint"]
    real = sorted(r.real_created for r in rows if r.real_created)
    period = f"real tweets {real[0][5:16]} to {real[-1][11:16]} ({real[0][-5:]})" if real else ""
    burst = f" incl. {counts['complaint']} burst complaints" if counts["complaint"] else ""
    return (
        f"people: {negative}/{len(rows)} negative ({negative / len(rows):.0%}){burst}, "
        f"{counts['neutral']} neutral; {period}"
    )


def describe(alert: dict, labels: Sequence[LabelRow]) -> str:
    start = datetime.fromisoformat(alert["window_start"]) if alert.get("window_start") else None
    line = (
        f"{alert['status']:>8} {alert['kind']:<9} {alert['scope']:<24} "
        f"{f'{start:%H:%M}' if start else '':5} {alert['metric']}={alert['observed']:.2f}"
    )
    said = people_said(labels, alert["scope"], start.timestamp()) if start else ""
    return f"{line}\n{'':>9} {said}" if said else line
