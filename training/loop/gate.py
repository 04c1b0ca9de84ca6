"""`airparadis-train gate`: champion vs challenger on (a) the fixed test split and (b) the
most recent labels held back from training; decide (`decision.decide`), write every
figure as tags on the challenger's version and a Markdown + PNG report. It only decides:
an approved challenger gets the `challenger-approved` alias, nothing is rolled out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from models import registry
from models.bootstrap import METRICS, Difference, paired_bootstrap
from models.calibration import uncalibrated
from models.data import DEFAULT_DATA
from stream.settings import Settings
from training.console import step
from training.loop import labels as label_rows
from training.loop.decision import Decision, decide

APPROVED_ALIAS = "challenger-approved"


@dataclass(frozen=True)
class GateOptions:
    tolerance: float = 0.02  # allowed loss on the fixed test split, per metric
    resamples: int = 1000
    confidence: float = 0.95
    base_data: Path = DEFAULT_DATA
    base_sample: int | None = None  # must match the challenger's (its test split)
    seed: int = 42
    report_dir: Path = Path("reports")


@dataclass(frozen=True)
class GateResult:
    name: str
    champion: str
    challenger: str
    decision: Decision
    recent: dict[str, Difference]
    test: dict[str, Difference]
    recent_n: int
    test_n: int
    window: tuple[str, str]
    report: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def tags(self) -> dict[str, str]:
        tags = {
            "gate.decision": self.decision.verdict,
            "gate.reasons": "; ".join(self.decision.reasons) or "-",
            "gate.champion_version": self.champion,
            "gate.recent.n": str(self.recent_n),
            "gate.recent.window": f"{self.window[0]}..{self.window[1]}",
            "gate.test.n": str(self.test_n),
        }
        for part, diffs in (("recent", self.recent), ("test", self.test)):
            for name, d in diffs.items():
                keys = ("champion", "challenger", "diff", "low", "high")
                for key, value in zip(keys, (d.a, d.b, d.diff, d.low, d.high), strict=True):
                    if value == value:  # not nan
                        tags[f"gate.{part}.{name}.{key}"] = f"{value:.4f}"
        return tags | {f"gate.{k}": str(v) for k, v in self.extra.items()}


def compare(
    champion: Any,
    challenger: Any,
    recent: pd.DataFrame,
    test_texts: list[str],
    test_labels: Any,
    options: GateOptions,
) -> tuple[dict[str, Difference], dict[str, Difference], Decision]:
    """Score both models on (b) and (a); the bootstrap on (b); the decision.

    (a) compares the uncalibrated scores: a calibration fitted on airline traffic moves
    the threshold away from the balanced test split's on purpose."""
    texts = recent["text"].tolist()
    with step(f"Gate: scoring {len(texts):,} recent labels and {len(test_texts):,} test tweets"):
        recent_diffs = paired_bootstrap(
            recent["y"].to_numpy(),
            champion.predict_proba(texts),
            challenger.predict_proba(texts),
            options.resamples,
            options.confidence,
            options.seed,
        )
        test_diffs = paired_bootstrap(  # raw scores: a calibration is the traffic's prior
            test_labels,
            uncalibrated(champion).predict_proba(test_texts),
            uncalibrated(challenger).predict_proba(test_texts),
            resamples=0,
        )
    return recent_diffs, test_diffs, decide(recent_diffs, test_diffs, options.tolerance)


def gate(
    settings: Settings,
    name: str,
    version: str,
    labels: pd.DataFrame,
    window: tuple[pd.Timestamp, pd.Timestamp] | None,
    options: GateOptions,
) -> GateResult:
    """Judge version `version` of `name` against its champion; tag it; write the report.

    `window` defaults to the challenger's own `data.train_until`..`data.holdout_until` tags.
    """
    from training.jobs import prepare_splits

    mlflow_client = registry.client(settings)
    tags = mlflow_client.get_model_version(name, version).tags
    start, end = window or (
        pd.Timestamp(tags["data.train_until"]),
        pd.Timestamp(tags["data.holdout_until"]),
    )
    recent = label_rows.between(label_rows.binary(labels), start, end)
    if recent["y"].nunique() < 2:
        raise ValueError(f"gate: {len(recent)} labels in {start}..{end}, both classes needed")
    champion, _, champion_version = registry.load_native(settings, f"models:/{name}@champion")
    challenger, _, _ = registry.load_native(settings, f"models:/{name}/{version}")
    test = prepare_splits(options.base_data, options.base_sample, options.seed).test
    recent_d, test_d, decision = compare(
        champion, challenger, recent, test.texts, test.labels, options
    )
    result = GateResult(
        name,
        champion_version,
        version,
        decision,
        recent_d,
        test_d,
        len(recent),
        len(test),
        (start.isoformat(), end.isoformat()),
        extra={"tolerance": options.tolerance, "confidence": options.confidence},
    )
    report = write_report(result, options.report_dir)
    result = GateResult(**{**result.__dict__, "report": report})
    for key, value in result.tags().items() | {("gate.report", str(report))}:
        mlflow_client.set_model_version_tag(name, version, key, value)
    _set_alias(settings, name, version, decision.approved)
    return result


def _set_alias(settings: Settings, name: str, version: str, approved: bool) -> None:
    mlflow_client = registry.client(settings)
    if approved:
        mlflow_client.set_registered_model_alias(name, APPROVED_ALIAS, version)
    elif registry.champion_version(settings, name, APPROVED_ALIAS) == version:
        mlflow_client.delete_registered_model_alias(name, APPROVED_ALIAS)


def write_report(result: GateResult, folder: Path) -> Path:
    """reports/gate_<name>_v<version>.md and .png."""
    from training.loop.report import gate_markdown, gate_plot

    stem = folder / f"gate_{result.name}_v{result.challenger}"
    gate_plot(result, stem.with_suffix(".png"))
    stem.with_suffix(".md").write_text(gate_markdown(result, stem.with_suffix(".png").name))
    return stem.with_suffix(".md")


__all__ = ["APPROVED_ALIAS", "METRICS", "GateOptions", "GateResult", "compare", "gate"]
