"""TF1's pooling layers: ``MaxPooling1D/2D/3D``, ``AveragePooling1D/2D/3D`` and functions.

``pool_size`` and ``strides`` are required, as in TF1. channels_first inputs are
pooled in channels_last layout and transposed back (the CPU pooling kernels support
only channels_last; the numbers are the same).

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from tf_pipeline.compat.tf_layers import max_pooling2d
>>> with tf.Graph().as_default():
...     x = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
...     y = max_pooling2d(x, 2, 2)
...     with tf.compat.v1.Session() as sess:
...         sess.run(y)[0, :, :, 0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline.compat.tf_layers._utils import (
    conv_output_length,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
)
from tf_pipeline.compat.tf_layers.base import InputSpec, Layer

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "average_pooling1d",
    "average_pooling2d",
    "average_pooling3d",
    "max_pooling1d",
    "max_pooling2d",
    "max_pooling3d",
]


class _Pooling(Layer):
    """Window reduction over the spatial axes (``rank`` of them)."""

    rank = 2
    _pool: Callable[..., tf.Tensor] = staticmethod(tf.nn.max_pool)

    def __init__(
        self,
        pool_size: Any,
        strides: Any,
        padding: str = "valid",
        data_format: str = "channels_last",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        rank = self.rank + 2
        first = self.data_format == "channels_first"
        if first:
            inputs = tf.transpose(inputs, [0, *range(2, rank), 1])
        outputs = type(self)._pool(
            inputs,
            ksize=[1, *self.pool_size, 1],
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
        )
        if first:
            outputs = tf.transpose(outputs, [0, rank - 1, *range(1, rank - 1)])
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        shape = tf.TensorShape(input_shape).as_list()
        first = self.data_format == "channels_first"
        spatial = shape[2:] if first else shape[1:-1]
        out = [
            conv_output_length(n, k, self.padding, s)
            for n, k, s in zip(spatial, self.pool_size, self.strides, strict=True)
        ]
        return tf.TensorShape([shape[0], shape[1], *out] if first else [shape[0], *out, shape[-1]])


def _max(inputs: tf.Tensor, **kwargs: Any) -> tf.Tensor:
    return tf.nn.max_pool(inputs, **kwargs)


def _average(inputs: tf.Tensor, **kwargs: Any) -> tf.Tensor:
    return tf.nn.avg_pool(inputs, **kwargs)


class MaxPooling1D(_Pooling):
    """Max pooling over one spatial axis; see :class:`MaxPooling2D`."""

    rank = 1
    _pool = staticmethod(_max)


class MaxPooling2D(_Pooling):
    """Max pooling over two spatial axes.

    Parameters
    ----------
    pool_size, strides : int or tuple of int
        Window size and stride per spatial axis (both required).
    padding : {'valid', 'same'}, default='valid'
        Padding (case-insensitive).
    data_format : {'channels_last', 'channels_first'}, default='channels_last'
        Input layout.
    name : str or None, default=None
        Layer name (``max_pooling2d``, ...).
    """

    rank = 2
    _pool = staticmethod(_max)


class MaxPooling3D(_Pooling):
    """Max pooling over three spatial axes; see :class:`MaxPooling2D`."""

    rank = 3
    _pool = staticmethod(_max)


class AveragePooling1D(_Pooling):
    """Average pooling over one spatial axis; see :class:`MaxPooling2D`."""

    rank = 1
    _pool = staticmethod(_average)


class AveragePooling2D(_Pooling):
    """Average pooling (``'same'`` padding averages the in-bounds values only)."""

    rank = 2
    _pool = staticmethod(_average)


class AveragePooling3D(_Pooling):
    """Average pooling over three spatial axes; see :class:`AveragePooling2D`."""

    rank = 3
    _pool = staticmethod(_average)


def _functional(cls: type[_Pooling]) -> Callable[..., tf.Tensor]:
    def pool(
        inputs: tf.Tensor,
        pool_size: Any,
        strides: Any,
        padding: str = "valid",
        data_format: str = "channels_last",
        name: str | None = None,
    ) -> tf.Tensor:
        layer = cls(pool_size, strides, padding=padding, data_format=data_format, name=name)
        return layer(inputs)

    pool.__doc__ = f"Functional :class:`{cls.__name__}` (``pool_size``, ``strides`` required)."
    return pool


max_pooling1d = _functional(MaxPooling1D)
max_pooling2d = _functional(MaxPooling2D)
max_pooling3d = _functional(MaxPooling3D)
average_pooling1d = _functional(AveragePooling1D)
average_pooling2d = _functional(AveragePooling2D)
average_pooling3d = _functional(AveragePooling3D)
for _function, _name in (
    (max_pooling1d, "max_pooling1d"),
    (max_pooling2d, "max_pooling2d"),
    (max_pooling3d, "max_pooling3d"),
    (average_pooling1d, "average_pooling1d"),
    (average_pooling2d, "average_pooling2d"),
    (average_pooling3d, "average_pooling3d"),
):
    _function.__name__ = _function.__qualname__ = _name
