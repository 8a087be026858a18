"""``tf.estimator`` (TensorFlow 2.15's v1 API) on TensorFlow 2.21, on the engine of
:mod:`estimators.estimator` that also runs ``tf.contrib.learn``'s Estimator.

Public names (re-exported as ``tf_pipeline.tf1.estimator``):

- :class:`Estimator`, :class:`EstimatorSpec`, :class:`ModeKeys`, :class:`RunConfig`,
  :class:`WarmStartSettings`;
- :mod:`~estimators.tf_estimator.inputs` (``numpy_input_fn``, ``pandas_input_fn``);
- :mod:`~estimators.tf_estimator.export` (serving input receivers, export outputs);
- :class:`TrainSpec`, :class:`EvalSpec`, :func:`train_and_evaluate` and the exporters;
- the session hooks of :mod:`~estimators.tf_estimator.hooks`.
"""

from tf_pipeline.estimators.tf_estimator import export, hooks, inputs
from tf_pipeline.estimators.tf_estimator.estimator import Estimator, WarmStartSettings
from tf_pipeline.estimators.tf_estimator.exporter import (
    BestExporter,
    Exporter,
    FinalExporter,
    LatestExporter,
)
from tf_pipeline.estimators.tf_estimator.extenders import add_metrics
from tf_pipeline.estimators.tf_estimator.run_config import RunConfig
from tf_pipeline.estimators.tf_estimator.spec import EstimatorSpec, ModeKeys
from tf_pipeline.estimators.tf_estimator.training import EvalSpec, TrainSpec, train_and_evaluate

__all__ = [
    "BestExporter",
    "Estimator",
    "EstimatorSpec",
    "EvalSpec",
    "Exporter",
    "FinalExporter",
    "LatestExporter",
    "ModeKeys",
    "RunConfig",
    "TrainSpec",
    "WarmStartSettings",
    "add_metrics",
    "export",
    "hooks",
    "inputs",
    "train_and_evaluate",
]
