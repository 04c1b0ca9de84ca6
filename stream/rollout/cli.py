"""`airparadis-train rollout start|status|advance|abort`: the operator's side of a rollout.

The guards advance and roll back by themselves in the orchestrator; these commands start
a rollout, show it, force the next step or abort it. All act on the registry record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from stream.rollout.state import RolloutError, RolloutState
from stream.settings import Settings

app = typer.Typer(help="Shadow and canary rollout of a challenger.", no_args_is_help=True)

ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Registered name or kind (default: the served model)."),
]
VersionArg = Annotated[str, typer.Argument(help="The challenger's version number.")]


def model_name(settings: Settings, model: str | None) -> str:
    from models.registry import REGISTERED_NAMES
    from stream.serving import registered_name

    if model:
        return REGISTERED_NAMES.get(model, model)
    name = registered_name(settings.model_uri)
    if name is None:
        raise ValueError(f"--model is needed: {settings.model_uri} is not a registry URI")
    return name


@app.command()
def start(version: VersionArg, model: ModelOption = None) -> None:
    """Start VERSION in shadow beside the champion (refused while another rollout runs)."""
    from models import registry
    from stream.rollout import state as rollout
    from stream.rollout import store

    settings = Settings()
    name = model_name(settings, model)
    registry.client(settings).get_model_version(name, version)  # fails clearly when absent
    current = store.load(settings, name)
    if current is not None and current.active:
        raise RolloutError(f"{name}: version {current.challenger} is in {current.phase}; abort it")
    champion = registry.champion_version(settings, name)
    new = rollout.start(name, version, champion, _now(), tuple(settings.rollout.steps))
    store.save(settings, new)
    typer.echo(f"{name}: version {version} in shadow beside champion {champion or 'none'}")


@app.command()
def status(
    model: ModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole record as JSON.")] = False,
) -> None:
    """The rollout record: phase, share, dwell so far and every decision with its figures."""
    from stream.rollout import store

    settings = Settings()
    name = model_name(settings, model)
    state = store.load(settings, name)
    if state is None:
        typer.echo(f"{name}: no rollout")
        return
    typer.echo(state.to_json() if as_json else describe(state, _now()))


@app.command()
def advance(version: VersionArg, model: ModelOption = None) -> None:
    """Move VERSION to its next share now (at 100 %: make it champion)."""
    from stream.rollout import state as rollout

    state = _active(version, model)
    _save(rollout.advance(state, _now(), by="operator", reason="operator"))


@app.command()
def abort(version: VersionArg, model: ModelOption = None) -> None:
    """Roll VERSION back to 0 %: the champion scores everything again."""
    from stream.rollout import state as rollout

    state = _active(version, model)
    _save(rollout.roll_back(state, _now(), by="operator", reason="operator abort"))


def describe(state: RolloutState, now: datetime) -> str:
    """A few lines for a terminal."""
    dwell = (now - state.step_started_at).total_seconds()
    lines = [
        f"{state.model_name}: version {state.challenger} vs champion {state.champion or 'none'}",
        f"  phase {state.phase}, share {state.share:.0%}, this step for {dwell:.0f}s,"
        f" steps {', '.join(f'{s:.0%}' for s in state.steps)}",
    ]
    for step in state.history:
        figures = json.dumps({k: round(v, 4) for k, v in step.figures.items()})
        lines.append(
            f"  {step.at:%Y-%m-%d %H:%M:%S} {step.action:8} {step.phase:11} {step.share:>4.0%}"
            f" by {step.by}: {step.reason} {figures if step.figures else ''}".rstrip()
        )
    return "\n".join(lines)


def _active(version: str, model: str | None) -> RolloutState:
    from stream.rollout import store

    settings = Settings()
    name = model_name(settings, model)
    state = store.load(settings, name)
    if state is None or state.challenger != version:
        raise RolloutError(f"{name}: no rollout of version {version}")
    return state


def _save(state: RolloutState) -> None:
    from stream.rollout import store

    store.save(Settings(), state)
    typer.echo(describe(state, _now()).splitlines()[1].strip())


def _now() -> datetime:
    return datetime.now(UTC)
