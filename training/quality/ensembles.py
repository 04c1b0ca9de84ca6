"""Ensembles of levers' models (`models.ensemble`), as levers of their own.

`logit_mean(a, b)` averages the members' logits; `stacked_on_val(a, b)` learns their
weights on the validation split. Each member is fitted once per run (`fit_once`), so an
ensemble's time is only its members' scoring when they ran before it.
"""

from __future__ import annotations

from typing import Any

from models.ensemble import LogitEnsemble
from training.quality.data import Fitted, Lever, LeverData


def _members(d: LeverData, levers: tuple[Lever, ...]) -> tuple[LogitEnsemble, dict[str, Any]]:
    fitted = [lever(d) for lever in levers]
    params = {f"m{i}.{name}": value for i, (_, p) in enumerate(fitted) for name, value in p.items()}
    return LogitEnsemble([model for model, _ in fitted]), params


def _weights(model: LogitEnsemble) -> dict[str, float]:
    weights = {f"w_m{i}": float(w) for i, w in enumerate(model.weights)}
    return weights | {"w_bias": model.bias}


def logit_mean(*levers: Lever) -> Lever:
    """The members' logits averaged, nothing fitted."""

    def ensemble(d: LeverData) -> Fitted:
        model, params = _members(d, levers)
        return model, params | {"ensemble": "logit mean"} | _weights(model)

    return ensemble


def stacked_on_val(*levers: Lever) -> Lever:
    """The members' logits weighted by a logistic regression on the validation split."""

    def ensemble(d: LeverData) -> Fitted:
        model, params = _members(d, levers)
        model.fit(d.splits.val.texts, d.splits.val.labels)
        return model, params | {"ensemble": "stacked on s140 val"} | _weights(model)

    return ensemble
