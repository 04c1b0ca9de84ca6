"""A saved model directory as an MLflow pyfunc model (plus the native flavour where cheap).

The pyfunc takes a DataFrame with a string column `text` and returns the probability of
positive per row. It wraps `models.kinds.load_model`, so every kind logs the same way and
the artifact is the very directory `Model.save` wrote. Imports MLflow: import only when
logging or loading.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.pyfunc.model import PythonModel
from mlflow.types import ColSpec, Schema

from models.base import SentimentModel
from models.kinds import load_model, requirements_of
from models.tfidf import SKOPS_TRUSTED

MODEL_ARTIFACT = "model_dir"
PYFUNC_NAME = "model"
SKLEARN_NAME = "sklearn"
INPUT_EXAMPLE = pd.DataFrame({"text": ["I love this airline", "my flight was delayed again"]})


class SentimentPyfunc(PythonModel):
    """MLflow face of any `SentimentModel` directory."""

    def load_context(self, context: Any) -> None:
        self.model: SentimentModel = load_model(Path(context.artifacts[MODEL_ARTIFACT]))

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> np.ndarray:
        return self.model.predict_proba(input_texts(model_input)).astype(np.float32)


def input_texts(model_input: Any) -> list[str]:
    """Texts from a DataFrame's `text` column (or a plain list / Series of strings)."""
    if isinstance(model_input, pd.DataFrame):
        if "text" not in model_input.columns:
            raise ValueError(f"input needs a 'text' column, got {list(model_input.columns)}")
        model_input = model_input["text"]
    texts = list(model_input)
    for row, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text[{row}]: expected str, got {type(text).__name__}")
    return texts


def signature() -> ModelSignature:
    """Input: one string column `text`; output: one float, the probability of positive."""
    return ModelSignature(
        inputs=Schema([ColSpec("string", "text")]), outputs=Schema([ColSpec("float")])
    )


def requirements(kind: str) -> list[str]:
    """Pinned pip requirements of a kind (explicit: MLflow's inference would load the model)."""
    pins = []
    for package in requirements_of(kind):
        try:
            pins.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pins.append(package)
    return pins


def log_model_dir(model_dir: Path, kind: str, native: Any = None) -> str:
    """Log `model_dir` as a pyfunc in the active run; returns the logged model's URI.

    `native` (a scikit-learn estimator) is logged beside it as the sklearn flavour.
    """
    package = Path(__file__).resolve().parent  # the `models` package: self-contained
    info = mlflow.pyfunc.log_model(
        name=PYFUNC_NAME,
        python_model=str(package / "pyfunc_model.py"),
        artifacts={MODEL_ARTIFACT: str(model_dir)},
        signature=signature(),
        input_example=INPUT_EXAMPLE,
        code_paths=[str(package)],
        pip_requirements=requirements(kind),
    )
    if native is not None:
        mlflow.sklearn.log_model(
            native,
            name=SKLEARN_NAME,
            signature=signature(),
            input_example=INPUT_EXAMPLE,
            pip_requirements=requirements(kind),
            skops_trusted_types=SKOPS_TRUSTED,
        )
    return str(info.model_uri)
