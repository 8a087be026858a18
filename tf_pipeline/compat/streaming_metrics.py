"""``tf.contrib.metrics``: the ``streaming_*`` metrics and ``aggregate_metric_map``.

contrib's streaming metrics (TF 1.15 ``contrib/metrics/python/ops/metric_ops.py``,
kept in ``tf_slim.metrics``) were thin wrappers over ``tf.compat.v1.metrics``, which
TensorFlow 2.21 still ships: each returns ``(value, update_op)`` and keeps its
accumulators in local variables (``mean/total``, ``mean/count``...), so run
``tf.local_variables_initializer()`` first.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.streaming_metrics import streaming_mean
>>> with tf.Graph().as_default():
...     value, update = streaming_mean(tf.constant([1.0, 3.0]))
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.local_variables_initializer())
...         _ = sess.run(update)
...         float(sess.run(value))
2.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tensorflow as tf

__all__ = [
    "aggregate_metric_map",
    "aggregate_metrics",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_mean",
    "streaming_mean_absolute_error",
    "streaming_mean_squared_error",
    "streaming_root_mean_squared_error",
]

_METRICS = tf.compat.v1.metrics
Metric = tuple[tf.Tensor, tf.Tensor]


def streaming_mean(
    values: tf.Tensor,
    weights: tf.Tensor | None = None,
    metrics_collections: Sequence[str] | None = None,
    updates_collections: Sequence[str] | None = None,
    name: str | None = None,
) -> Metric:
    """Running (weighted) mean of ``values``: ``(mean, update_op)``."""
    return _METRICS.mean(
        values=values,
        weights=weights,
        metrics_collections=metrics_collections,
        updates_collections=updates_collections,
        name=name,
    )


def _paired(metric):
    def streaming(
        predictions: tf.Tensor,
        labels: tf.Tensor,
        weights: tf.Tensor | None = None,
        metrics_collections: Sequence[str] | None = None,
        updates_collections: Sequence[str] | None = None,
        name: str | None = None,
    ) -> Metric:
        return metric(
            predictions=predictions,
            labels=labels,
            weights=weights,
            metrics_collections=metrics_collections,
            updates_collections=updates_collections,
            name=name,
        )

    return streaming


streaming_accuracy = _paired(_METRICS.accuracy)
streaming_accuracy.__name__ = "streaming_accuracy"
streaming_accuracy.__doc__ = (
    "Running fraction of ``predictions == labels``: ``(accuracy, update_op)``."
)
streaming_mean_absolute_error = _paired(_METRICS.mean_absolute_error)
streaming_mean_absolute_error.__name__ = "streaming_mean_absolute_error"
streaming_mean_absolute_error.__doc__ = "Running mean of ``|predictions - labels|``."
streaming_mean_squared_error = _paired(_METRICS.mean_squared_error)
streaming_mean_squared_error.__name__ = "streaming_mean_squared_error"
streaming_mean_squared_error.__doc__ = "Running mean of ``(predictions - labels) ** 2``."
streaming_root_mean_squared_error = _paired(_METRICS.root_mean_squared_error)
streaming_root_mean_squared_error.__name__ = "streaming_root_mean_squared_error"
streaming_root_mean_squared_error.__doc__ = "Square root of the running mean squared error."


def streaming_auc(
    predictions: tf.Tensor,
    labels: tf.Tensor,
    weights: tf.Tensor | None = None,
    num_thresholds: int = 200,
    metrics_collections: Sequence[str] | None = None,
    updates_collections: Sequence[str] | None = None,
    curve: str = "ROC",
    name: str | None = None,
) -> Metric:
    """Running area under the ROC (or ``curve='PR'``) curve over ``num_thresholds``."""
    return _METRICS.auc(
        predictions=predictions,
        labels=labels,
        weights=weights,
        metrics_collections=metrics_collections,
        num_thresholds=num_thresholds,
        curve=curve,
        updates_collections=updates_collections,
        name=name,
    )


def aggregate_metrics(*value_update_tuples: Metric) -> tuple[list, list]:
    """Split ``(value, update)`` pairs into a list of values and a list of updates.

    Raises
    ------
    ValueError
        If no pair is given.
    """
    if not value_update_tuples:
        raise ValueError("`value_update_tuples` must hold at least one pair, got none.")
    values, updates = zip(*value_update_tuples, strict=True)
    return list(values), list(updates)


def aggregate_metric_map(names_to_tuples: Mapping[str, Metric]) -> tuple[dict, dict]:
    """``{name: (value, update)}`` -> ``({name: value}, {name: update})``."""
    names = list(names_to_tuples)
    values = {name: names_to_tuples[name][0] for name in names}
    updates = {name: names_to_tuples[name][1] for name in names}
    return values, updates
