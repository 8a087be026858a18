"""contrib's weight regularizers: ``l1_regularizer``, ``l2_regularizer`` and friends.

A port of ``tensorflow/contrib/layers/python/layers/regularizers.py`` (TF 1.15, kept
as ``tf_slim.layers.regularizers``). A regularizer maps a weight tensor to a scalar
penalty; layers add it to ``GraphKeys.REGULARIZATION_LOSSES`` and
``apply_regularization`` sums it over a list of weights.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.regularizers import l2_regularizer
>>> with tf.Graph().as_default():
...     penalty = l2_regularizer(0.5)(tf.constant([1.0, 2.0]))
...     with tf.compat.v1.Session() as sess:
...         float(sess.run(penalty))  # 0.5 * (1 + 4) / 2
1.25
"""

from __future__ import annotations

import logging
import numbers
from collections.abc import Callable, Sequence

import tensorflow as tf

__all__ = [
    "apply_regularization",
    "l1_l2_regularizer",
    "l1_regularizer",
    "l2_regularizer",
    "sum_regularizer",
]

_LOG = logging.getLogger(__name__)
Regularizer = Callable[[tf.Tensor], tf.Tensor | None]


def _check_scale(scale: object, name: str) -> bool:
    """Validate ``scale``; return whether it disables the regularizer (0.0)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"`{name}` must be a float, got the integer {scale!r}.")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"`{name}` must be a float >= 0, got {scale}.")
        if scale == 0.0:
            _LOG.info("Scale of 0 disables regularizer.")
            return True
    return False


def l1_regularizer(scale: float, scope: str | None = None) -> Regularizer:
    """Return ``weights -> scale * sum(|weights|)`` (``None`` for every input if scale is 0).

    Raises
    ------
    ValueError
        If ``scale`` is an integer or negative.
    """
    if _check_scale(scale, "scale"):
        return lambda _: None

    def l1(weights: tf.Tensor, name: str | None = None) -> tf.Tensor:
        with tf.name_scope(scope or "l1_regularizer") as name:
            my_scale = tf.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return tf.multiply(my_scale, tf.reduce_sum(tf.abs(weights)), name=name)

    return l1


def l2_regularizer(scale: float, scope: str | None = None) -> Regularizer:
    """Return ``weights -> scale * sum(weights ** 2) / 2`` (``tf.nn.l2_loss``).

    Raises
    ------
    ValueError
        If ``scale`` is an integer or negative.
    """
    if _check_scale(scale, "scale"):
        return lambda _: None

    def l2(weights: tf.Tensor) -> tf.Tensor:
        with tf.name_scope(scope or "l2_regularizer") as name:
            my_scale = tf.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return tf.multiply(my_scale, tf.nn.l2_loss(weights), name=name)

    return l2


def sum_regularizer(
    regularizer_list: Sequence[Regularizer | None], scope: str | None = None
) -> Regularizer | None:
    """Return the sum of the given regularizers (``None`` entries dropped; ``None`` if empty)."""
    regularizers = [reg for reg in regularizer_list if reg is not None]
    if not regularizers:
        return None

    def sum_reg(weights: tf.Tensor) -> tf.Tensor | None:
        with tf.name_scope(scope or "sum_regularizer") as name:
            tensors = [t for t in (reg(weights) for reg in regularizers) if t is not None]
            return tf.add_n(tensors, name=name) if tensors else None

    return sum_reg


def l1_l2_regularizer(
    scale_l1: float = 1.0, scale_l2: float = 1.0, scope: str | None = None
) -> Regularizer | None:
    """Return ``l1_regularizer(scale_l1) + l2_regularizer(scale_l2)``.

    Raises
    ------
    ValueError
        If a scale is an integer or negative.
    """
    if isinstance(scale_l1, numbers.Integral):
        raise ValueError(f"`scale_l1` must be a float, got the integer {scale_l1!r}.")
    if isinstance(scale_l2, numbers.Integral):
        raise ValueError(f"`scale_l2` must be a float, got the integer {scale_l2!r}.")
    scope = scope or "l1_l2_regularizer"
    if scale_l1 == 0.0:
        return l2_regularizer(scale_l2, scope)
    if scale_l2 == 0.0:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(
    regularizer: Regularizer, weights_list: Sequence[tf.Tensor] | None = None
) -> tf.Tensor:
    """Sum ``regularizer`` over ``weights_list`` (default ``GraphKeys.WEIGHTS``).

    The sum is also added to ``GraphKeys.REGULARIZATION_LOSSES``.

    Raises
    ------
    ValueError
        If there are no weights, or the regularizer returns a non-scalar.
    """
    if not weights_list:
        weights_list = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError(
            "`weights_list` must not be empty, got no weights (and none in GraphKeys.WEIGHTS)."
        )
    with tf.name_scope("get_regularization_penalty") as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else tf.constant(0.0) for p in penalties]
        for p in penalties:
            if p.shape.ndims != 0:
                raise ValueError(
                    f"`regularizer` must return a scalar tensor, got rank {p.shape.ndims}."
                )
        summed = tf.add_n(penalties, name=scope)
        tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed
