"""``tf.estimator.add_metrics``: an Estimator with more eval metrics (TF 2.15 ``extenders``).

Example
-------
>>> import tf_pipeline.tf1 as tf
>>> from estimators.tf_estimator import Estimator, EstimatorSpec, add_metrics
>>> def model_fn(features, labels, mode):
...     y = tf.layers.dense(features, 1)
...     return EstimatorSpec(mode, predictions=y, loss=tf.reduce_mean(y),
...                          train_op=tf.no_op())
>>> est = add_metrics(Estimator(model_fn), lambda labels, predictions: {})
>>> type(est).__name__
'Estimator'
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from tf_pipeline.estimators.tf_estimator.estimator import Estimator
from tf_pipeline.estimators.tf_estimator.spec import ModeKeys

_METRIC_FN_ARGS = ("features", "labels", "predictions", "config")


def add_metrics(estimator: Estimator, metric_fn: Callable) -> Estimator:
    """A new Estimator (same model_dir and config) whose evaluation adds ``metric_fn``'s
    metrics: ``metric_fn(features, labels, predictions, config)`` (any subset) returning
    ``{name: (value, update_op)}``."""
    args = tuple(inspect.signature(metric_fn).parameters)
    unexpected = [name for name in args if name not in _METRIC_FN_ARGS]
    if unexpected:
        raise ValueError(
            f"`metric_fn` arguments must be among {_METRIC_FN_ARGS}, got unexpected {unexpected}."
        )

    def new_model_fn(features: Any, labels: Any, mode: str, config: Any) -> Any:
        spec = estimator.model_fn(features, labels, mode, config)
        if mode != ModeKeys.EVAL:
            return spec
        available = {
            "features": features,
            "labels": labels,
            "predictions": spec.predictions,
            "config": config,
        }
        metrics = dict(spec.eval_metric_ops or {})
        metrics.update(metric_fn(**{name: available[name] for name in args}))
        return spec._replace(eval_metric_ops=metrics)

    return Estimator(
        model_fn=new_model_fn,
        model_dir=estimator.model_dir,
        config=estimator.config,
        warm_start_from=estimator._warm_start_settings,
    )
