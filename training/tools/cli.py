"""`airparadis-tools`: developer tools, one entry point.

bench-stream (end-to-end stream benchmark), bench-shadow (the same with a shadow model),
bench-model (serving runtimes of an LSTM),
bench-posthog (analytics capture latency), demo-data (the demo's replay file).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from stream.demo.replay import AIRLINE_DATA

app = typer.Typer(add_completion=False, help=__doc__, no_args_is_help=True)
_PASS = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


@app.command("bench-stream", context_settings=_PASS)
def bench_stream(ctx: typer.Context) -> None:
    """End-to-end stream benchmark (options: bench-stream --help)."""
    from training.tools import bench_stream as bench

    _run(bench.main, ctx.args, "airparadis-tools bench-stream")


@app.command("bench-model", context_settings=_PASS)
def bench_model(ctx: typer.Context) -> None:
    """LSTM serving runtimes compared (options: bench-model --help)."""
    from training.tools import bench_model as bench

    _run(bench.main, ctx.args, "airparadis-tools bench-model")


@app.command("bench-shadow", context_settings=_PASS)
def bench_shadow(ctx: typer.Context) -> None:
    """Stream throughput and p95 with a shadow model off and on (options: --help)."""
    from training.tools import bench_shadow as bench

    _run(bench.main, ctx.args, "airparadis-tools bench-shadow")


@app.command("bench-posthog", context_settings=_PASS)
def bench_posthog(ctx: typer.Context) -> None:
    """PostHog capture latency against a healthy and a silent host."""
    import sys

    from training.tools import bench_posthog as bench

    sys.argv = ["airparadis-tools bench-posthog", *ctx.args]
    bench.main()


def _run(main: Callable[..., Any], args: list[str], prog: str) -> None:
    command = typer.main.get_command(_single(main))
    command.main(args=args, prog_name=prog, standalone_mode=True)


def _single(main: Callable[..., Any]) -> typer.Typer:
    single = typer.Typer(add_completion=False)
    single.command()(main)
    return single


@app.command("demo-data")
def demo_data(
    out: Annotated[Path, typer.Argument(help="JSONL file to write (labels go beside it)")],
    airline_data: Annotated[Path, typer.Option(help="the airline tweets CSV (.gz)")] = AIRLINE_DATA,
    hours_per_window: Annotated[float, typer.Option(help="real hours in one window")] = 4.0,
    burst_window: Annotated[int, typer.Option(help="window of the @AirParadis burst")] = 20,
    burst_size: Annotated[int, typer.Option(help="complaints in the burst")] = 200,
) -> None:
    """Write the demo replay: real airline tweets, accelerated, with an @AirParadis bad buzz."""
    from stream.demo.replay import DemoPlan, build, read_airline_tweets, write_replay

    plan = DemoPlan(hours_per_window, burst_window=burst_window, burst_size=burst_size)
    tweets = build(read_airline_tweets(airline_data), plan)
    labels = write_replay(tweets, out, plan)
    first = next(t.ts for t in tweets if t.label == "complaint")
    burst = datetime.fromtimestamp(first, UTC)
    typer.echo(
        f"wrote {len(tweets):,} tweets to {out} (people's labels: {labels}); each minute of "
        f"event time holds {hours_per_window:g} real hours; the burst: {burst_size} complaints "
        f"about @AirParadis at {burst:%H:%M} UTC; control: @{plan.control}"
    )
