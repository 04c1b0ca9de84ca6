"""The gate's report: a Markdown table of every figure and a PNG of the differences."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from models.bootstrap import METRICS
from models.plots import _pyplot, _save

if TYPE_CHECKING:
    from training.loop.gate import GateResult


def gate_markdown(result: GateResult, plot_name: str) -> str:
    lines = [
        f"# Gate: {result.name} v{result.challenger} vs champion v{result.champion}",
        "",
        f"**Decision: {result.decision.verdict}**",
        "",
        *[f"- {reason}" for reason in result.decision.reasons],
        "",
        f"(b) recent labels held back from training: {result.recent_n} tweets, "
        f"{result.window[0]} .. {result.window[1]}; (a) fixed test split: {result.test_n} tweets.",
        "",
        "| set | metric | champion | challenger | difference | bootstrap interval |",
        "|---|---|---|---|---|---|",
    ]
    for part, diffs in (("(b) recent", result.recent), ("(a) test", result.test)):
        for name in METRICS:
            d = diffs[name]
            interval = "-" if d.low != d.low else f"{d.low:+.4f} .. {d.high:+.4f}"
            lines.append(
                f"| {part} | {name} | {d.a:.4f} | {d.b:.4f} | {d.diff:+.4f} | {interval} |"
            )
    extra = ", ".join(f"{k} {v}" for k, v in result.extra.items())
    return "\n".join([*lines, "", extra, "", f"![differences]({plot_name})", ""])


def gate_plot(result: GateResult, path: Path) -> Path:
    """Challenger minus champion per metric: (b) with its interval, (a) as a point."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.2))
    x = range(len(METRICS))
    recent = [result.recent[m] for m in METRICS]
    errors = [[d.diff - d.low for d in recent], [d.high - d.diff for d in recent]]
    ax.errorbar(
        list(x),
        [d.diff for d in recent],
        yerr=errors,
        fmt="o",
        capsize=5,
        label="(b) recent labels",
    )
    ax.plot(
        [i + 0.15 for i in x], [result.test[m].diff for m in METRICS], "s", label="(a) test split"
    )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(list(x), list(METRICS))
    ax.set_ylabel("challenger - champion")
    ax.set_title(f"{result.name} v{result.challenger}: {result.decision.verdict}")
    ax.legend(fontsize=8)
    return _save(fig, path)
