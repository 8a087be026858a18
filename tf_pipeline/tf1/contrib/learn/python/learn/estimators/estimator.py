"""``tensorflow.contrib.learn.python.learn.estimators.estimator``."""

from tf_pipeline.estimators import Estimator, ModeKeys, ModelFnOps, SKCompat

__all__ = ["Estimator", "ModeKeys", "ModelFnOps", "SKCompat"]
