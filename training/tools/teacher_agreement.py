"""Issue 17's third proxy: where a model and the teacher disagree on the airline judge days,
and who is right there (people's labels).

    python -m training.tools.teacher_agreement --teacher var/teacher/model \
        --model var/q7-models/A --model var/q7-models/B

Prints one row per model: how many tweets the two put on different sides of 0.5, and on
those, the share the model gets right (above 0.5: it knows something the teacher does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

app = typer.Typer(add_completion=False, help=__doc__)


@dataclass(frozen=True)
class Agreement:
    n: int
    disagreements: int
    model_right: int  # of the disagreements, those the model (not the teacher) gets right

    @property
    def rate(self) -> float:
        return self.disagreements / self.n if self.n else 0.0

    @property
    def model_right_share(self) -> float:
        return self.model_right / self.disagreements if self.disagreements else 0.0


def agreement(model: np.ndarray, teacher: np.ndarray, labels: np.ndarray) -> Agreement:
    """Disagreements at threshold 0.5 between two sets of scores of the same labelled texts."""
    model_says, teacher_says = np.asarray(model) > 0.5, np.asarray(teacher) > 0.5
    if not model_says.shape == teacher_says.shape == np.shape(labels):
        raise ValueError("model scores, teacher scores and labels must have the same length")
    differ = model_says != teacher_says
    right = differ & (model_says == (np.asarray(labels) == 1))
    return Agreement(len(differ), int(differ.sum()), int(right.sum()))


@app.command()
def main(
    teacher: Annotated[Path, typer.Option(help="The teacher's saved model directory.")],
    model: Annotated[list[Path], typer.Option(help="A saved model directory (repeatable).")],
) -> None:
    from models.devsets import JUDGE_DAYS, load_airline
    from models.kinds import load_model

    judged = load_airline().on(JUDGE_DAYS)
    teacher_scores = load_model(teacher).predict_proba(judged.texts)
    typer.echo("| model | disagreements | model right on them |\n|---|---|---|")
    for path in model:
        scores = load_model(path).predict_proba(judged.texts)
        found = agreement(scores, teacher_scores, judged.labels)
        typer.echo(
            f"| {path} | {found.disagreements} of {found.n} ({found.rate:.1%}) "
            f"| {found.model_right} ({found.model_right_share:.1%}) |"
        )


if __name__ == "__main__":
    app()
