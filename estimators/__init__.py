"""Estimators: TF 1.x ``tf.contrib.learn`` stand-ins and scikit-learn regressors.

- :class:`Estimator`, :class:`RunConfig`, :class:`SKCompat`, :class:`ModelFnOps`,
  :class:`ModeKeys`: ``tf.contrib.learn`` on TensorFlow 2.21, with TF1 checkpoints,
  resume and TensorBoard summaries in ``model_dir``.
"""

from estimators.estimator import Estimator
from estimators.hooks import NanLossError
from estimators.model_dir import CheckpointError, ModelDirBusyError
from estimators.model_fn import ModeKeys, ModelFnOps
from estimators.run_config import RunConfig
from estimators.skcompat import SKCompat

__all__ = [
    "CheckpointError",
    "Estimator",
    "ModeKeys",
    "ModelDirBusyError",
    "ModelFnOps",
    "NanLossError",
    "RunConfig",
    "SKCompat",
]
