"""``tf.contrib.learn``: the TF 1.x Estimator API as legacy programs use it.

``Estimator``, ``SKCompat``, ``RunConfig``, ``ModeKeys``, ``ModelFnOps``, ``MetricSpec``,
``Experiment``, ``PredictionKey``, ``InputFnOps`` and the submodules ``monitors``,
``models``, ``learn_runner``, ``datasets``, ``utils`` and ``metric_spec``. The module paths
programs import them by live under :mod:`tf_pipeline.tf1.contrib.learn.python.learn`
(``from tensorflow.contrib.learn.python.learn import learn_runner`` becomes
``from tf_pipeline.tf1.contrib.learn.python.learn import learn_runner``).

Example
-------
>>> import tf_pipeline.tf1 as tf
>>> spec = tf.contrib.learn.MetricSpec(tf.metrics.mean_squared_error)
>>> tf.contrib.learn.monitors.ValidationMonitor.__name__
'ValidationMonitor'
"""

from tf_pipeline.tf1.contrib.learn import python
from tf_pipeline.tf1.contrib.learn.python.learn import (
    Estimator,
    Experiment,
    InputFnOps,
    MetricKey,
    MetricSpec,
    ModeKeys,
    ModelFnOps,
    PredictionKey,
    RunConfig,
    SKCompat,
    datasets,
    learn_runner,
    metric_spec,
    models,
    monitors,
    utils,
)

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
    "learn_runner",
    "metric_spec",
    "models",
    "monitors",
    "python",
    "utils",
]
