"""contrib's ``xavier_initializer`` and ``variance_scaling_initializer`` on public TF API.

The uniform variant is Glorot uniform; the normal variant keeps contrib's own
truncated normal (``stddev = sqrt(1.3 / n)``), which ``tf.compat.v1``'s
``variance_scaling_initializer`` does not reproduce (it divides by 0.8796 instead).

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.initializers import xavier_initializer
>>> with tf.Graph().as_default():
...     w = tf.compat.v1.get_variable("w", [4, 2], initializer=xavier_initializer(seed=0))
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.global_variables_initializer())
...         values = sess.run(w)
>>> bool(abs(values).max() <= 1.0)  # limit sqrt(3 / n) with n = (4 + 2) / 2
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import tensorflow as tf

__all__ = ["variance_scaling_initializer", "xavier_initializer", "xavier_initializer_conv2d"]

Initializer = Callable[..., tf.Tensor]


def _fans(shape: Sequence[int]) -> tuple[float, float]:
    """Fan-in and fan-out as contrib estimated them (right for matmul and convolutions)."""
    if not shape:
        return 1.0, 1.0
    fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
    fan_out = float(shape[-1])
    # Convolution kernels: the receptive field multiplies both fans.
    receptive_field = math.prod(float(dim) for dim in shape[:-2])
    return fan_in * receptive_field, fan_out * receptive_field


_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")


def _check_floating(dtype: tf.DType) -> tf.DType:
    dtype = tf.as_dtype(dtype)
    if not dtype.is_floating:
        raise TypeError(f"`dtype` must be a floating point type, got {dtype.name}.")
    return dtype


def variance_scaling_initializer(
    factor: float = 2.0,
    mode: str = "FAN_IN",
    uniform: bool = False,
    seed: int | None = None,
    dtype: tf.DType = tf.float32,
) -> Initializer:
    """Return contrib's variance scaling initializer (He initialisation by default).

    With ``n`` the fan-in (``'FAN_IN'``), fan-out (``'FAN_OUT'``) or their mean
    (``'FAN_AVG'``), values are drawn from ``U(-sqrt(3 * factor / n), +...)`` when
    ``uniform``, else from a normal truncated at two standard deviations with
    ``stddev = sqrt(1.3 * factor / n)``. This is contrib's formula, not
    ``tf.compat.v1.variance_scaling_initializer``'s (which divides by 0.8796).

    Parameters
    ----------
    factor : float, default=2.0
        Multiplier of the variance.
    mode : {'FAN_IN', 'FAN_OUT', 'FAN_AVG'}, default='FAN_IN'
        Which fan ``n`` is.
    uniform : bool, default=False
        Uniform instead of truncated normal.
    seed : int or None, default=None
        Op-level seed, combined with the graph seed as in any TF random op.
    dtype : tf.DType, default=tf.float32
        Default dtype of the values; ``get_variable`` passes the variable's dtype.

    Returns
    -------
    callable
        ``initializer(shape, dtype=dtype, partition_info=None) -> tf.Tensor``.

    Raises
    ------
    TypeError
        If ``dtype`` is not floating point or ``mode`` is not one of the three
        (contrib raised ``TypeError`` for both).
    """
    dtype = _check_floating(dtype)
    if mode not in _MODES:
        raise TypeError(f"`mode` must be one of 'FAN_IN', 'FAN_OUT', 'FAN_AVG', got {mode!r}.")

    # `partition_info` is unused but part of the signature `get_variable` calls with.
    def _initializer(shape, dtype=dtype, partition_info=None):
        dtype = _check_floating(dtype)
        fan_in, fan_out = _fans(list(shape))
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return tf.random.uniform(shape, -limit, limit, dtype, seed=seed)
        stddev = math.sqrt(1.3 * factor / n)
        return tf.random.truncated_normal(shape, 0.0, stddev, dtype, seed=seed)

    return _initializer


def xavier_initializer(
    uniform: bool = True, seed: int | None = None, dtype: tf.DType = tf.float32
) -> Initializer:
    """Return contrib's Xavier (Glorot) initializer.

    Same as contrib's ``variance_scaling_initializer(factor=1.0, mode='FAN_AVG',
    uniform=uniform)`` with ``n = (fan_in + fan_out) / 2``.

    Parameters
    ----------
    uniform : bool, default=True
        ``True`` draws from ``U(-sqrt(3 / n), sqrt(3 / n))`` (Glorot uniform);
        ``False`` draws from a normal truncated at two standard deviations with
        ``stddev = sqrt(1.3 / n)``.
    seed : int or None, default=None
        Op-level seed, combined with the graph seed as in any TF random op.
    dtype : tf.DType, default=tf.float32
        Default dtype of the values; ``get_variable`` passes the variable's dtype.

    Returns
    -------
    callable
        ``initializer(shape, dtype=dtype, partition_info=None) -> tf.Tensor``.

    Raises
    ------
    TypeError
        If ``dtype`` is not a floating point type.
    """
    return variance_scaling_initializer(1.0, "FAN_AVG", uniform, seed, dtype)


# contrib's conv2d variant was the same function: the fan estimate already covers kernels.
xavier_initializer_conv2d = xavier_initializer
