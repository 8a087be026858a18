"""``tf.contrib.learn``: Estimator, SKCompat, RunConfig, ModeKeys, ModelFnOps."""

from estimators import Estimator, ModeKeys, ModelFnOps, RunConfig, SKCompat

__all__ = ["Estimator", "ModeKeys", "ModelFnOps", "RunConfig", "SKCompat"]
