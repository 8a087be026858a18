"""``tf.contrib.learn.models``: TF 1.x's linear and logistic regression subgraphs.

Each builds its variables under TF1's names (``linear_regression/weights``,
``linear_regression/bias``; ``logistic_regression/...``) and returns
``(predictions, loss)`` with TF1's loss: ``tf.compat.v1.losses.mean_squared_error`` of
``x @ weights + bias`` (squeezed to ``[batch]`` for 1-D targets), or softmax
cross-entropy for logistic regression (predictions are the softmax). Both losses land in
the ``LOSSES`` collection, as in TF1. The histogram summaries TF1 added are added too.

Example
-------
>>> import tensorflow as tf
>>> from estimators.learn_models import linear_regression_zero_init
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
...     y = tf.compat.v1.placeholder(tf.float32, [None])
...     predictions, loss = linear_regression_zero_init(x, y)
...     sorted(v.op.name for v in tf.compat.v1.global_variables())
['linear_regression/bias', 'linear_regression/weights']
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

_v1 = tf.compat.v1


def _initializer(init_mean: float | None, init_stddev: float, dtype: tf.DType) -> Any:
    # None leaves get_variable's default (glorot uniform), as TF1 did.
    if init_mean is None:
        return None
    return _v1.random_normal_initializer(init_mean, init_stddev, dtype=dtype)


def _summaries(scope: str, **tensors: Any) -> None:
    for name, tensor in tensors.items():
        _v1.summary.histogram(f"{scope}.{name}", tensor)


def linear_regression(
    x: tf.Tensor, y: tf.Tensor, init_mean: float | None = None, init_stddev: float = 1.0
) -> tuple[tf.Tensor, tf.Tensor]:
    """Linear regression subgraph: ``(predictions, mean squared error)``.

    Parameters
    ----------
    x : tf.Tensor of shape (batch, n_features)
    y : tf.Tensor of shape (batch,) or (batch, n_outputs)
    init_mean, init_stddev : float
        Normal initialisation of weights and bias; ``init_mean=None`` uses
        ``get_variable``'s default initializer.
    """
    with _v1.variable_scope("linear_regression"):
        scope = _v1.get_variable_scope().name
        _summaries(scope, x=x, y=y)
        dtype = x.dtype.base_dtype
        y_shape = y.shape
        output_shape = 1 if y_shape.rank == 1 else y_shape[1]
        initializer = _initializer(init_mean, init_stddev, dtype)
        weights = _v1.get_variable(
            "weights", [x.shape[1], output_shape], dtype=dtype, initializer=initializer
        )
        bias = _v1.get_variable("bias", [output_shape], dtype=dtype, initializer=initializer)
        _summaries(scope, weights=weights, bias=bias)
        with _v1.name_scope(None, "mean_squared_error_regressor", [x, y]):
            predictions = _v1.nn.xw_plus_b(x, weights, bias)
            if y.shape.rank == 1 and predictions.shape.rank == 2:
                predictions = tf.squeeze(predictions, axis=[1])
            return predictions, _v1.losses.mean_squared_error(y, predictions)


def linear_regression_zero_init(x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """:func:`linear_regression` with weights and bias starting at zero."""
    return linear_regression(x, y, init_mean=0.0, init_stddev=0.0)


def logistic_regression(
    x: tf.Tensor,
    y: tf.Tensor,
    class_weight: tf.Tensor | None = None,
    init_mean: float | None = None,
    init_stddev: float = 1.0,
) -> tuple[tf.Tensor, tf.Tensor]:
    """Logistic regression subgraph: ``(softmax probabilities, softmax cross-entropy)``.

    Parameters
    ----------
    x : tf.Tensor of shape (batch, n_features)
    y : tf.Tensor of shape (batch, n_classes)
        One-hot targets.
    class_weight : tf.Tensor of shape (n_classes,), optional
        Multiplies the logits; when None, a tensor named ``class_weight:0`` in the
        graph is used if there is one (TF1's rule).
    """
    with _v1.variable_scope("logistic_regression"):
        scope = _v1.get_variable_scope().name
        _summaries(scope, x=x, y=y)
        dtype = x.dtype.base_dtype
        n_classes = y.shape[-1]
        initializer = _initializer(init_mean, init_stddev, dtype)
        weights = _v1.get_variable(
            "weights", [x.shape[1], n_classes], dtype=dtype, initializer=initializer
        )
        bias = _v1.get_variable("bias", [n_classes], dtype=dtype, initializer=initializer)
        _summaries(scope, weights=weights, bias=bias)
        if class_weight is None:
            try:
                class_weight = _v1.get_default_graph().get_tensor_by_name("class_weight:0")
            except KeyError:
                pass
        with _v1.name_scope(None, "softmax_classifier", [x, y]):
            logits = _v1.nn.xw_plus_b(x, weights, bias)
            if class_weight is not None:
                logits = tf.multiply(logits, class_weight)
            return tf.nn.softmax(logits), _v1.losses.softmax_cross_entropy(y, logits)


def logistic_regression_zero_init(x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """:func:`logistic_regression` with weights and bias starting at zero."""
    return logistic_regression(x, y, init_mean=0.0, init_stddev=0.0)


__all__ = [
    "linear_regression",
    "linear_regression_zero_init",
    "logistic_regression",
    "logistic_regression_zero_init",
]
