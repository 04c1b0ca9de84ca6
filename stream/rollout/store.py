"""The rollout record in the MLflow registry: a tag on the registered model.

One JSON tag (`rollout`) on the registered model is the record every worker reads (they
already poll the registry for the champion) and that survives restarts with the registry.
Each change is also written on the challenger's version (`rollout.phase`, `rollout.share`,
`rollout.history`), so the version's page tells its rollout. Reaching `done` promotes the
challenger (the previous champion is pushed on the history `airparadis-train rollback` pops).
Imports MLflow: import only when needed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from models import registry
from stream.rollout.retrain import DebounceState
from stream.rollout.state import RolloutState

if TYPE_CHECKING:
    from stream.settings import Settings

TAG = "rollout"
RETRAIN_TAG = "retrain_debounce"


def load(settings: Settings, name: str) -> RolloutState | None:
    """The model's rollout record (any phase), or None when it never had one."""
    raw = registry.client(settings).get_registered_model(name).tags.get(TAG)
    return RolloutState.from_json(raw) if raw else None


def save(settings: Settings, state: RolloutState) -> RolloutState:
    """Write the record (and its trail on the challenger's version); promote when done."""
    client = registry.client(settings)
    name, version = state.model_name, state.challenger
    if state.phase == "done":
        registry.promote(settings, name, version)
    client.set_registered_model_tag(name, TAG, state.to_json())
    client.set_model_version_tag(name, version, "rollout.phase", state.phase)
    client.set_model_version_tag(name, version, "rollout.share", str(state.share))
    history = [step.model_dump(mode="json") for step in state.history]
    client.set_model_version_tag(name, version, "rollout.history", json.dumps(history))
    return state


def load_debounce(settings: Settings, name: str) -> DebounceState:
    """The retrain debounce (in flight, last request): a restarted orchestrator keeps it."""
    raw = registry.client(settings).get_registered_model(name).tags.get(RETRAIN_TAG)
    return DebounceState.from_json(raw) if raw else DebounceState()


def save_debounce(settings: Settings, name: str, state: DebounceState) -> None:
    registry.client(settings).set_registered_model_tag(name, RETRAIN_TAG, state.to_json())
