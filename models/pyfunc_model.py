"""MLflow "model from code" entry: MLflow runs this file to build the pyfunc (no pickle)."""

from mlflow.models import set_model

from models.pyfunc import SentimentPyfunc

set_model(SentimentPyfunc())
