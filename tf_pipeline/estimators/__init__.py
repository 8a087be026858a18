"""Estimators: TF 1.x ``tf.contrib.learn`` stand-ins and scikit-learn regressors.

- :class:`Estimator`, :class:`RunConfig`, :class:`SKCompat`, :class:`ModelFnOps`,
  :class:`ModeKeys`: ``tf.contrib.learn`` on TensorFlow 2.21, with TF1 checkpoints,
  resume and TensorBoard summaries in ``model_dir``; the rest of ``tf.contrib.learn``
  (monitors, MetricSpec, models, Experiment, learn_runner) in their own modules.
- :class:`TF1LSTMRegressor`, :class:`KerasLSTMRegressor`: the LSTM regressor on the
  TF1 graph path and on Keras 3, as scikit-learn estimators with one parameter
  vocabulary; :class:`SlidingWindowTransformer` cuts a series into their windows.
- :func:`fit_many`, :func:`forecast_many`: one model per series (or one global model)
  over many series, as tasks of a joblib backend such as a Dask cluster.
"""

from tf_pipeline.estimators.estimator import Estimator
from tf_pipeline.estimators.hooks import NanLossError
from tf_pipeline.estimators.keras_regressor import KerasLSTMRegressor
from tf_pipeline.estimators.many_series import fit_many, forecast_many
from tf_pipeline.estimators.model_dir import CheckpointError, ModelDirBusyError
from tf_pipeline.estimators.model_fn import ModeKeys, ModelFnOps
from tf_pipeline.estimators.queue_input import InputTimeoutError
from tf_pipeline.estimators.run_config import RunConfig
from tf_pipeline.estimators.skcompat import SKCompat
from tf_pipeline.estimators.tf1_regressor import TF1LSTMRegressor
from tf_pipeline.estimators.window_transformer import SlidingWindowTransformer

__all__ = [
    "CheckpointError",
    "Estimator",
    "InputTimeoutError",
    "KerasLSTMRegressor",
    "ModeKeys",
    "ModelDirBusyError",
    "ModelFnOps",
    "NanLossError",
    "RunConfig",
    "SKCompat",
    "SlidingWindowTransformer",
    "TF1LSTMRegressor",
    "fit_many",
    "forecast_many",
]
