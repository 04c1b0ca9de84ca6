"""Replay the airline history in time order: at each cut, train a challenger on the labels
before it (plus the base corpus) and judge it against a fixed champion on the next day.

    nice -n 10 python -m training.loop.replay --kind tfidf --output reports/replay_tfidf.md

No MLflow: it calls the same pieces as `retrain` and `gate` (docs/learning_loop.md).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from models.data import DEFAULT_DATA
from training.jobs import prepare_splits
from training.loop import challenger as fitting
from training.loop import dataset
from training.loop import labels as label_rows
from training.loop.gate import GateOptions, compare
from training.loop.retrain import RetrainOptions, build_challenger

AIRLINE = DEFAULT_DATA.parents[1] / "airline/airline_tweets_2015-02-16_to_21.csv.gz"
CUTS = ("2015-02-18", "2015-02-19", "2015-02-20", "2015-02-21")  # Pacific midnights
W = dataset.Weighting
TB = W(2.0, 0.2, "weights")  # time-weighting + class weights
VARIANTS: dict[str, dict[str, Any]] = {
    "champion + platt only": {"calibration": "platt", "refit": False},
    "plain (w_base 1, no time, no balance)": {"weighting": W(None, 1.0, "none")},
    "w_base 0.2": {"weighting": W(None, 0.2, "none")},
    "w_base 0.2 + time hl 2d": {"weighting": W(2.0, 0.2, "none")},
    "w_base 0.2 + time + balance weights": {"weighting": TB},
    "w_base 0.2 + time + balance resample": {"weighting": W(2.0, 0.2, "resample")},
    "w_base 0.2 + balance weights (no time)": {"weighting": W(None, 0.2, "weights")},
    "w_base 0.2 + time + balance + platt, no refit": {
        "weighting": TB,
        "calibration": "platt",
        "calibration_refit": False,
    },
    "w_base 0.2 + time + balance + isotonic, no refit": {
        "weighting": TB,
        "calibration": "isotonic",
        "calibration_refit": False,
    },
    "w_base 0.2 + time + platt (no balance), no refit": {
        "weighting": W(2.0, 0.2, "none"),
        "calibration": "platt",
        "calibration_refit": False,
    },
    "w_base 0.2 + time + balance + platt": {"weighting": TB, "calibration": "platt"},
    "w_base 0.2 + time + balance + isotonic": {"weighting": TB, "calibration": "isotonic"},
    "w_base 0.2 + time + platt (no balance)": {
        "weighting": W(2.0, 0.2, "none"),
        "calibration": "platt",
    },
    "w_base 0.2 + platt (no time, no balance)": {
        "weighting": W(None, 0.2, "none"),
        "calibration": "platt",
    },
    "warm start, w_base 0.2 + time + balance": {"weighting": TB, "warm_start": True},
}


def run(
    kind: str,
    variants: list[str],
    cuts: list[str],
    base_sample: int | None,
    epochs: int | None,
    champion_dir: Path | None,
) -> list[dict[str, Any]]:
    base = prepare_splits(DEFAULT_DATA, base_sample, 42)
    champion = _champion(kind, base, champion_dir)
    labels = label_rows.airline_frame(AIRLINE)
    trained = label_rows.binary(labels)
    rows = []
    for cut in cuts:
        until = pd.Timestamp(f"{cut} 00:00", tz="America/Los_Angeles").tz_convert("UTC")
        for name in variants:
            spec = dict(VARIANTS[name])
            refit = spec.pop("refit", True)
            options = replace(
                RetrainOptions(
                    labels=str(AIRLINE),
                    kind=kind,
                    calibration="none",
                    train_until=until,
                    epochs=epochs,
                ),
                **spec,
            )
            started = time.perf_counter()
            if refit:
                built = build_challenger(champion, labels, base, options)
                model, holdout, n_labels = built.model, built.holdout, len(built.train_labels)
            else:
                windows = dataset.Windows.ending(trained, until, 1.0, 1.0)
                _, calibration, holdout = dataset.label_parts(trained, windows, True)
                model, n_labels = fitting.calibrate(champion, calibration, "platt"), 0
            recent, test, decision = compare(
                champion, model, holdout, base.test.texts, base.test.labels, GateOptions()
            )
            rows.append(
                {
                    "cut": cut,
                    "variant": name,
                    "labels": n_labels,
                    "judged": len(holdout),
                    "seconds": round(time.perf_counter() - started, 1),
                    "recent": recent,
                    "test": test,
                    "decision": decision,
                }
            )
            print(_line(rows[-1]), flush=True)
    return rows


def _champion(kind: str, base: Any, champion_dir: Path | None) -> Any:
    """A saved champion, or one trained now on the base train split (TF-IDF only)."""
    from models.base import load_model

    if champion_dir:
        return load_model(champion_dir)
    if kind != "tfidf":
        raise ValueError("give --champion-dir for an lstm replay")
    from models.tfidf import TfidfModel

    model = TfidfModel()
    model.fit(base.train.texts, base.train.labels)
    return model


def _line(row: dict[str, Any]) -> str:
    cells = [row["cut"], row["variant"], str(row["labels"]), str(row["judged"])]
    for metric in ("accuracy", "f1_macro", "roc_auc"):
        d = row["recent"][metric]
        cells.append(f"{d.a:.3f} → **{d.b:.3f}** [{d.low:+.3f}, {d.high:+.3f}]")
    test = row["test"]
    cells.append(" / ".join(f"{test[m].diff:+.3f}" for m in ("accuracy", "f1_macro", "roc_auc")))
    cells += [row["decision"].verdict, str(row["seconds"])]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| judged day | variant | labels trained | judged | accuracy champion → challenger "
    "[95% interval of diff] | macro F1 | ROC-AUC | (a) test diff acc / F1 / AUC | gate | s |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="tfidf")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    parser.add_argument("--cut", action="append", help="judge this day (default: 18-21 Feb)")
    parser.add_argument("--base-sample", type=int)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--champion-dir", type=Path)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    print(HEADER, flush=True)
    rows = run(
        args.kind,
        args.variant or list(VARIANTS),
        args.cut or list(CUTS),
        args.base_sample,
        args.epochs,
        args.champion_dir,
    )
    if args.output:
        args.output.write_text("\n".join([HEADER, *(_line(r) for r in rows)]) + "\n")


if __name__ == "__main__":
    main()
