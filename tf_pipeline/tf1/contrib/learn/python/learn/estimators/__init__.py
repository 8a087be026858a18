"""``tensorflow.contrib.learn.python.learn.estimators``: Estimator and its contract."""

from tf_pipeline.estimators import Estimator, ModeKeys, ModelFnOps, RunConfig, SKCompat
from tf_pipeline.tf1.contrib.learn.python.learn.estimators import (
    estimator,
    metric_key,
    model_fn,
    prediction_key,
    run_config,
)
from tf_pipeline.tf1.contrib.learn.python.learn.estimators.metric_key import MetricKey
from tf_pipeline.tf1.contrib.learn.python.learn.estimators.prediction_key import PredictionKey

__all__ = [
    "Estimator",
    "MetricKey",
    "ModeKeys",
    "ModelFnOps",
    "PredictionKey",
    "RunConfig",
    "SKCompat",
    "estimator",
    "metric_key",
    "model_fn",
    "prediction_key",
    "run_config",
]
