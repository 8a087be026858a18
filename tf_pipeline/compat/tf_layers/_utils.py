"""Argument normalisation and graph helpers shared by the ``tf.layers`` modules.

The rules are TF1's (``tf.layers`` took ints or tuples for sizes, strings for
padding and data format, and a Python bool or a boolean tensor for ``training``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline._checks import check_choice

_ACTIVATIONS: dict[str, Callable[[tf.Tensor], tf.Tensor]] = {
    "relu": tf.nn.relu,
    "relu6": tf.nn.relu6,
    "elu": tf.nn.elu,
    "selu": tf.nn.selu,
    "sigmoid": tf.math.sigmoid,
    "tanh": tf.math.tanh,
    "softmax": tf.nn.softmax,
    "softplus": tf.math.softplus,
    "softsign": tf.math.softsign,
}

_INITIALIZERS: dict[str, Callable[[], Any]] = {
    "zeros": tf.compat.v1.zeros_initializer,
    "ones": tf.compat.v1.ones_initializer,
    "glorot_uniform": tf.compat.v1.glorot_uniform_initializer,
    "glorot_normal": tf.compat.v1.glorot_normal_initializer,
}


def normalize_tuple(value: object, n: int, name: str) -> tuple[int, ...]:
    """An int or a length-``n`` sequence of ints as a tuple of ``n`` ints (TF1's rule)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * n
    try:
        values = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"`{name}` must be an int or a tuple of {n} ints, got {value!r}."
        ) from None
    if len(values) != n or not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"`{name}` must be an int or a tuple of {n} ints, got {value!r}.")
    return tuple(int(v) for v in values)


def normalize_padding(value: object, *, causal: bool = False) -> str:
    """``'valid'``/``'same'`` (and ``'causal'`` for 1-D convolutions), case-insensitive."""
    choices = ("valid", "same", "causal") if causal else ("valid", "same")
    lowered = value.lower() if isinstance(value, str) else value
    return check_choice(lowered, "padding", choices)


def normalize_data_format(value: object) -> str:
    """``'channels_last'`` or ``'channels_first'``; ``None`` means channels_last."""
    if value is None:
        return "channels_last"
    lowered = value.lower() if isinstance(value, str) else value
    return check_choice(lowered, "data_format", ("channels_last", "channels_first"))


def tf_data_format(data_format: str, ndim: int) -> str:
    """``'channels_last'`` → ``NWC``/``NHWC``/``NDHWC``; channels_first → ``NC...``."""
    spatial = {3: "W", 4: "HW", 5: "DHW"}[ndim]
    return f"N{spatial}C" if data_format == "channels_last" else f"NC{spatial}"


def conv_output_length(
    length: int | None, filter_size: int, padding: str, stride: int, dilation: int = 1
) -> int | None:
    """Static output length of a convolution or pooling along one axis."""
    if length is None:
        return None
    dilated = filter_size + (filter_size - 1) * (dilation - 1)
    if padding in ("same", "causal"):
        out = length
    else:
        out = length - dilated + 1
    return (out + stride - 1) // stride


def deconv_output_length(length: Any, filter_size: int, padding: str, stride: int) -> Any:
    """Output length of a transposed convolution (works on ints and scalar tensors)."""
    if length is None:
        return None
    if padding == "valid":
        return length * stride + max(filter_size - stride, 0)
    return length * stride


def get_activation(activation: object) -> Callable[[tf.Tensor], tf.Tensor] | None:
    """``None``, a callable, or one of TF1's activation names (``'relu'``, ...)."""
    if activation is None or callable(activation):
        return activation  # type: ignore[return-value]
    if isinstance(activation, str) and activation in ("linear", ""):
        return None
    if isinstance(activation, str) and activation in _ACTIVATIONS:
        return _ACTIVATIONS[activation]
    raise ValueError(
        f"`activation` must be None, a callable or one of {sorted(_ACTIVATIONS)}, "
        f"got {activation!r}."
    )


def get_initializer(initializer: object, name: str) -> Any:
    """``None``, an initializer, or one of ``'zeros'``, ``'ones'``, ``'glorot_*'``."""
    if initializer is None or callable(initializer):
        return initializer
    if isinstance(initializer, str) and initializer in _INITIALIZERS:
        return _INITIALIZERS[initializer]()
    raise ValueError(
        f"`{name}` must be None, an initializer or one of {sorted(_INITIALIZERS)}, "
        f"got {initializer!r}."
    )


def constant_value(pred: object) -> bool | None:
    """The Python value of ``training`` when it is known while building, else ``None``."""
    if isinstance(pred, (bool, np.bool_, numbers.Integral)):
        return bool(pred)
    if isinstance(pred, (tf.Tensor, tf.Variable)):
        value = tf.get_static_value(pred)
        return None if value is None else bool(value)
    raise TypeError(f"`training` must be a Python bool or a boolean tensor, got {pred!r}.")


def smart_cond(pred: object, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """Call one branch when ``pred`` is known while building, else build ``tf.cond``."""
    value = constant_value(pred)
    if value is None:
        return tf.compat.v1.cond(tf.cast(pred, tf.bool), true_fn, false_fn)
    return true_fn() if value else false_fn()


def as_list(values: Sequence[Any] | Any) -> list[Any]:
    """``tf.nest.flatten`` for anything a layer may return or be given."""
    return list(tf.nest.flatten(values))
