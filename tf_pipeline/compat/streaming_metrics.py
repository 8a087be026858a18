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

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

__all__ = [
    "aggregate_metric_map",
    "aggregate_metrics",
    "streaming_accuracy",
    "streaming_auc",
    "streaming_covariance",
    "streaming_false_negatives",
    "streaming_false_positives",
    "streaming_mean",
    "streaming_mean_absolute_error",
    "streaming_mean_iou",
    "streaming_mean_relative_error",
    "streaming_mean_squared_error",
    "streaming_mean_tensor",
    "streaming_pearson_correlation",
    "streaming_percentage_less",
    "streaming_precision",
    "streaming_precision_at_thresholds",
    "streaming_recall",
    "streaming_recall_at_k",
    "streaming_recall_at_thresholds",
    "streaming_root_mean_squared_error",
    "streaming_true_negatives",
    "streaming_true_positives",
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


_PAIR = ("predictions", "labels")
_TAIL = ("weights", "metrics_collections", "updates_collections", "name")


def _streaming(name: str, metric: Callable, head: Sequence[str], doc: str) -> Callable:
    """A contrib ``streaming_*`` function: contrib's positional order, keywords to ``metric``.

    ``head`` lists the required parameters in contrib's order; the optional ones follow
    (``weights``, the collections and ``name``, all None). The result has that signature.
    """
    parameters = [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in head]
    parameters += [
        inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None) for p in _TAIL
    ]
    signature = inspect.Signature(parameters)

    def streaming(*args: Any, **kwargs: Any) -> Metric:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return metric(**bound.arguments)

    streaming.__name__ = streaming.__qualname__ = name
    streaming.__doc__ = doc
    streaming.__signature__ = signature  # type: ignore[attr-defined]
    return streaming


_M = _METRICS
streaming_accuracy = _streaming(
    "streaming_accuracy", _M.accuracy, _PAIR, "Running fraction of ``predictions == labels``."
)
streaming_mean_absolute_error = _streaming(
    "streaming_mean_absolute_error",
    _M.mean_absolute_error,
    _PAIR,
    "Running mean of ``|predictions - labels|``.",
)
streaming_mean_squared_error = _streaming(
    "streaming_mean_squared_error",
    _M.mean_squared_error,
    _PAIR,
    "Running mean of ``(predictions - labels) ** 2``.",
)
streaming_root_mean_squared_error = _streaming(
    "streaming_root_mean_squared_error",
    _M.root_mean_squared_error,
    _PAIR,
    "Square root of the running mean squared error.",
)
streaming_mean_tensor = _streaming(
    "streaming_mean_tensor", _M.mean_tensor, ("values",), "Element-wise running mean."
)
streaming_precision = _streaming(
    "streaming_precision", _M.precision, _PAIR, "Running precision of boolean predictions."
)
streaming_recall = _streaming(
    "streaming_recall", _M.recall, _PAIR, "Running recall of boolean predictions."
)
streaming_true_positives = _streaming(
    "streaming_true_positives", _M.true_positives, _PAIR, "Running count of true positives."
)
streaming_true_negatives = _streaming(
    "streaming_true_negatives", _M.true_negatives, _PAIR, "Running count of true negatives."
)
streaming_false_positives = _streaming(
    "streaming_false_positives", _M.false_positives, _PAIR, "Running count of false positives."
)
streaming_false_negatives = _streaming(
    "streaming_false_negatives", _M.false_negatives, _PAIR, "Running count of false negatives."
)
streaming_precision_at_thresholds = _streaming(
    "streaming_precision_at_thresholds",
    _M.precision_at_thresholds,
    (*_PAIR, "thresholds"),
    "Running precision of ``predictions > threshold`` for each threshold.",
)
streaming_recall_at_thresholds = _streaming(
    "streaming_recall_at_thresholds",
    _M.recall_at_thresholds,
    (*_PAIR, "thresholds"),
    "Running recall of ``predictions > threshold`` for each threshold.",
)
streaming_mean_relative_error = _streaming(
    "streaming_mean_relative_error",
    _M.mean_relative_error,
    (*_PAIR, "normalizer"),
    "Running mean of ``|predictions - labels| / normalizer``.",
)
streaming_percentage_less = _streaming(
    "streaming_percentage_less",
    _M.percentage_below,
    ("values", "threshold"),
    "Running fraction of ``values < threshold``.",
)
streaming_mean_iou = _streaming(
    "streaming_mean_iou",
    _M.mean_iou,
    (*_PAIR, "num_classes"),
    "Running mean intersection-over-union over ``num_classes`` classes.",
)


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


def streaming_recall_at_k(
    predictions: tf.Tensor,
    labels: tf.Tensor,
    k: int,
    weights: tf.Tensor | None = None,
    metrics_collections: Sequence[str] | None = None,
    updates_collections: Sequence[str] | None = None,
    name: str | None = None,
) -> Metric:
    """Running fraction of rows whose ``labels`` index is in the top ``k`` of ``predictions``."""
    in_top_k = tf.cast(tf.math.in_top_k(labels, predictions, k), tf.float32)
    return streaming_mean(
        in_top_k, weights, metrics_collections, updates_collections, name or f"recall_at_{k}"
    )


def _metric_variable(name: str) -> tf.Variable:
    """A float32 scalar accumulator, as ``metrics_impl.metric_variable`` makes them."""
    return tf.compat.v1.Variable(
        lambda: tf.zeros([], tf.float32),
        trainable=False,
        collections=[
            tf.compat.v1.GraphKeys.LOCAL_VARIABLES,
            tf.compat.v1.GraphKeys.METRIC_VARIABLES,
        ],
        validate_shape=True,
        synchronization=tf.VariableSynchronization.ON_READ,
        aggregation=tf.VariableAggregation.SUM,
        name=name,
    )


def _squeeze_pair(predictions, labels, weights):
    """TF1's ``_remove_squeezable_dimensions``: drop a trailing 1 that only one side has."""
    predictions = tf.convert_to_tensor(predictions)
    labels = tf.convert_to_tensor(labels)
    p_rank, l_rank = predictions.shape.ndims, labels.shape.ndims
    if p_rank is not None and l_rank is not None:
        if p_rank - l_rank == 1 and predictions.shape[-1] == 1:
            predictions = tf.squeeze(predictions, [-1])
        elif l_rank - p_rank == 1 and labels.shape[-1] == 1:
            labels = tf.squeeze(labels, [-1])
    if weights is not None:
        weights = tf.convert_to_tensor(weights, predictions.dtype)
        w_rank, p_rank = weights.shape.ndims, predictions.shape.ndims
        if w_rank is not None and p_rank is not None and w_rank - p_rank == 1:
            if weights.shape[-1] == 1:
                weights = tf.squeeze(weights, [-1])
    if not predictions.shape.is_compatible_with(labels.shape):
        raise ValueError(
            "`predictions` and `labels` must have compatible shapes, "
            f"got {predictions.shape} and {labels.shape}."
        )
    return predictions, labels, weights


def _collect(value, update, metrics_collections, updates_collections):
    if metrics_collections:
        tf.compat.v1.add_to_collections(metrics_collections, value)
    if updates_collections:
        tf.compat.v1.add_to_collections(updates_collections, update)
    return value, update


def streaming_covariance(
    predictions: tf.Tensor,
    labels: tf.Tensor,
    weights: tf.Tensor | None = None,
    metrics_collections: Sequence[str] | None = None,
    updates_collections: Sequence[str] | None = None,
    name: str | None = None,
) -> Metric:
    """Running unbiased (co)variance of ``predictions`` and ``labels`` (NaN until 2 values).

    contrib's online update (local variables ``covariance/{count, mean_prediction,
    mean_label, comoment}``): the comoment of each batch is merged with the running one.
    """
    with tf.compat.v1.variable_scope(name, "covariance", (predictions, labels, weights)):
        predictions, labels, weights = _squeeze_pair(predictions, labels, weights)
        count = _metric_variable("count")
        mean_prediction = _metric_variable("mean_prediction")
        mean_label = _metric_variable("mean_label")
        comoment = _metric_variable("comoment")
        if weights is None:
            batch_count = tf.cast(tf.size(labels), tf.float32)
            weighted_predictions, weighted_labels = predictions, labels
        else:
            weights = weights * tf.ones_like(labels)
            batch_count = tf.reduce_sum(weights)
            weighted_predictions = predictions * weights
            weighted_labels = labels * weights
        update_count = tf.compat.v1.assign_add(count, batch_count)
        prev_count = update_count - batch_count
        batch_mean_prediction = tf.math.divide_no_nan(
            tf.reduce_sum(weighted_predictions), batch_count
        )
        delta_mean_prediction = tf.math.divide_no_nan(
            (batch_mean_prediction - mean_prediction) * batch_count, update_count
        )
        update_mean_prediction = tf.compat.v1.assign_add(mean_prediction, delta_mean_prediction)
        prev_mean_prediction = update_mean_prediction - delta_mean_prediction
        batch_mean_label = tf.math.divide_no_nan(tf.reduce_sum(weighted_labels), batch_count)
        delta_mean_label = tf.math.divide_no_nan(
            (batch_mean_label - mean_label) * batch_count, update_count
        )
        update_mean_label = tf.compat.v1.assign_add(mean_label, delta_mean_label)
        prev_mean_label = update_mean_label - delta_mean_label
        coresiduals = (predictions - batch_mean_prediction) * (labels - batch_mean_label)
        if weights is not None:
            coresiduals = coresiduals * weights
        batch_comoment = tf.reduce_sum(coresiduals)
        delta_comoment = batch_comoment + (prev_mean_prediction - batch_mean_prediction) * (
            prev_mean_label - batch_mean_label
        ) * (prev_count * batch_count / update_count)
        update_comoment = tf.compat.v1.assign_add(comoment, delta_comoment)
        covariance = tf.where(
            tf.less_equal(count, 1.0),
            float("nan"),
            tf.truediv(comoment, count - 1),
            name="covariance",
        )
        with tf.control_dependencies([update_comoment]):
            update_op = tf.where(
                tf.less_equal(count, 1.0),
                float("nan"),
                tf.truediv(comoment, count - 1),
                name="update_op",
            )
    return _collect(covariance, update_op, metrics_collections, updates_collections)


def streaming_pearson_correlation(
    predictions: tf.Tensor,
    labels: tf.Tensor,
    weights: tf.Tensor | None = None,
    metrics_collections: Sequence[str] | None = None,
    updates_collections: Sequence[str] | None = None,
    name: str | None = None,
) -> Metric:
    """Running Pearson correlation: ``cov(p, l) / sqrt(var(p) * var(l))`` (scope ``pearson_r``)."""
    with tf.compat.v1.variable_scope(name, "pearson_r", (predictions, labels, weights)):
        predictions, labels, weights = _squeeze_pair(predictions, labels, weights)
        if weights is not None:
            weights = weights * tf.ones_like(labels)
        cov, update_cov = streaming_covariance(
            predictions, labels, weights=weights, name="covariance"
        )
        var_p, update_var_p = streaming_covariance(
            predictions, predictions, weights=weights, name="variance_predictions"
        )
        var_l, update_var_l = streaming_covariance(
            labels, labels, weights=weights, name="variance_labels"
        )
        pearson_r = tf.truediv(cov, tf.sqrt(var_p) * tf.sqrt(var_l), name="pearson_r")
        update_op = tf.truediv(
            update_cov, tf.sqrt(update_var_p) * tf.sqrt(update_var_l), name="update_op"
        )
    return _collect(pearson_r, update_op, metrics_collections, updates_collections)
