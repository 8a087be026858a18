"""``tf.estimator`` of TF 1.x / TF 2.15 (``tf.compat.v1.estimator``): ``import tf_pipeline.tf1
as tf`` then ``tf.estimator.Estimator(model_fn)``, or ``from tf_pipeline.tf1 import estimator``.

The implementation lives in :mod:`estimators.tf_estimator`; this module only gives it the
names TF 1.x programs use, the session hooks included (``tf.estimator.SessionRunHook`` is
``tf.compat.v1.train.SessionRunHook``).

Example
-------
>>> import tf_pipeline.tf1 as tf
>>> tf.estimator.ModeKeys.PREDICT
'infer'
>>> tf.estimator.SessionRunHook is tf.train.SessionRunHook
True
"""

from tf_pipeline.estimators.tf_estimator import (
    BestExporter,
    Estimator,
    EstimatorSpec,
    EvalSpec,
    Exporter,
    FinalExporter,
    LatestExporter,
    ModeKeys,
    RunConfig,
    TrainSpec,
    WarmStartSettings,
    add_metrics,
    train_and_evaluate,
)
from tf_pipeline.estimators.tf_estimator import hooks as _hooks
from tf_pipeline.estimators.tf_estimator.canned import (
    DNNClassifier,
    DNNLinearCombinedClassifier,
    DNNLinearCombinedRegressor,
    DNNRegressor,
    LinearClassifier,
    LinearRegressor,
)
from tf_pipeline.estimators.tf_estimator.hooks import *  # noqa: F403 - tf.estimator re-exported them
from tf_pipeline.tf1.estimator import export, inputs

__all__ = [
    *_hooks.__all__,
    "BestExporter",
    "DNNClassifier",
    "DNNLinearCombinedClassifier",
    "DNNLinearCombinedRegressor",
    "DNNRegressor",
    "Estimator",
    "EstimatorSpec",
    "EvalSpec",
    "Exporter",
    "FinalExporter",
    "LatestExporter",
    "LinearClassifier",
    "LinearRegressor",
    "ModeKeys",
    "RunConfig",
    "TrainSpec",
    "WarmStartSettings",
    "add_metrics",
    "export",
    "inputs",
    "train_and_evaluate",
]
