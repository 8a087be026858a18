"""``tensorflow.contrib.learn.python.learn``: the same names as ``tf.contrib.learn``."""

from tf_pipeline.estimators import Estimator, ModeKeys, ModelFnOps, RunConfig, SKCompat
from tf_pipeline.estimators.experiment import Experiment
from tf_pipeline.estimators.input_fn_utils import InputFnOps
from tf_pipeline.estimators.metric_spec import MetricSpec
from tf_pipeline.tf1.contrib.learn.python.learn import (
    datasets,
    estimators,
    experiment,
    learn_runner,
    metric_spec,
    models,
    monitors,
    utils,
)
from tf_pipeline.tf1.contrib.learn.python.learn.estimators.metric_key import MetricKey
from tf_pipeline.tf1.contrib.learn.python.learn.estimators.prediction_key import PredictionKey

__all__ = [
    "Estimator",
    "Experiment",
    "InputFnOps",
    "MetricKey",
    "MetricSpec",
    "ModeKeys",
    "ModelFnOps",
    "PredictionKey",
    "RunConfig",
    "SKCompat",
    "datasets",
    "estimators",
    "experiment",
    "learn_runner",
    "metric_spec",
    "models",
    "monitors",
    "utils",
]
