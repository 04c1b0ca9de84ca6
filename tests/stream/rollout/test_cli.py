"""`airparadis-train rollout ...` on a throwaway SQLite registry with two tiny versions."""

from __future__ import annotations

from typer.testing import CliRunner

from models import registry
from stream.rollout import store
from stream.settings import Settings
from tests.stream.rollout.conftest import NAME
from training.cli import app


def run(*args: str, expect: int = 0) -> str:
    result = CliRunner().invoke(app, ["rollout", *args])
    assert result.exit_code == expect, f"{args}: {result.output}\n{result.exception!r}"
    return result.output


def test_start_advance_to_champion_then_status(env: Settings) -> None:
    assert "no rollout" in run("status")
    assert "version 2 in shadow beside champion 1" in run("start", "2")
    assert isinstance(run("start", "2", expect=1), str)  # one rollout at a time
    shares = [run("advance", "2").split(",")[1].strip() for _ in range(4)]
    assert shares == ["share 10%", "share 50%", "share 100%", "share 100%"]
    state = store.load(env, NAME)
    assert state is not None and state.phase == "done"
    assert registry.champion_version(env, NAME) == "2"
    assert registry.rollback(env, NAME) == "1"  # the old champion, one command away
    status = run("status")
    assert "phase done" in status and status.count("by operator") == 5  # start + 4 steps
    tags = registry.client(env).get_model_version(NAME, "2").tags
    assert tags["rollout.phase"] == "done" and tags["rollout.share"] == "1.0"


def test_abort_rolls_back_and_keeps_the_champion(env: Settings) -> None:
    run("start", "2", "--model", "tfidf")
    run("advance", "2")
    assert "phase rolled_back, share 0%" in run("abort", "2")
    assert registry.champion_version(env, NAME) == "1"
    assert "rolled_back" in run("status", "--json")
    run("advance", "2", expect=1)  # an ended rollout does not move
    run("abort", "3", expect=1)  # nor does an unknown one
    run("start", "2")  # a new rollout after an abort, with a new salt
    state = store.load(env, NAME)
    assert state is not None and state.phase == "shadow" and len(state.history) == 1
