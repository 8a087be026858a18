"""TF1's convolution layers: ``Conv1D/2D/3D``, ``SeparableConv1D/2D``, the transposes.

Variables are ``<scope>/kernel`` and ``<scope>/bias`` (separable:
``depthwise_kernel``, ``pointwise_kernel``, ``bias``); kernels are laid out as TF1
laid them out (``kernel_size + (in, out)``; transposes ``kernel_size + (out, in)``).

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from tf_pipeline.compat.tf_layers import conv2d
>>> with tf.Graph().as_default():
...     y = conv2d(tf.constant(np.ones((1, 5, 5, 2), np.float32)), 3, 2, padding="same")
...     names = [v.op.name for v in tf.compat.v1.global_variables()]
>>> names, y.shape.as_list()
(['conv2d/kernel', 'conv2d/bias'], [1, 5, 5, 3])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline._checks import check_int
from tf_pipeline.compat.tf_layers._utils import (
    conv_output_length,
    deconv_output_length,
    get_activation,
    get_initializer,
    normalize_data_format,
    normalize_padding,
    normalize_tuple,
    tf_data_format,
)
from tf_pipeline.compat.tf_layers.base import InputSpec, Layer
from tf_pipeline.compat.tf_layers.core import ZEROS, bias_initializer_or_zeros

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "SeparableConv1D",
    "SeparableConv2D",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "separable_conv1d",
    "separable_conv2d",
]

Fn = Callable[..., Any] | None


class _Conv(Layer):
    """Shared arguments, variables and bias/activation of the convolution layers."""

    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate: Any = 1,
        activation: Fn = None,
        use_bias: bool = True,
        kernel_initializer: Any = None,
        bias_initializer: Any = ZEROS,
        kernel_regularizer: Fn = None,
        bias_regularizer: Fn = None,
        activity_regularizer: Fn = None,
        kernel_constraint: Fn = None,
        bias_constraint: Fn = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs
        )
        self.filters = check_int(filters, "filters", minimum=1)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding, causal=self.rank == 1)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        self.activation = get_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = get_initializer(kernel_initializer, "kernel_initializer")
        self.bias_initializer = bias_initializer_or_zeros(bias_initializer)
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel: tf.Variable | None = None
        self.bias: tf.Variable | None = None
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape: tf.TensorShape) -> int:
        channels = tf.TensorShape(input_shape)[self._channel_axis]
        if channels is None:
            raise ValueError(
                f"`inputs` must have a known channel dimension (axis {self._channel_axis}), "
                f"got shape {input_shape}."
            )
        return int(channels)

    def _add_bias(self, name: str = "bias") -> None:
        if self.use_bias:
            self.bias = self.add_weight(
                name,
                shape=[self.filters],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _bias_and_activation(self, outputs: tf.Tensor) -> tf.Tensor:
        if self.use_bias:
            if self.rank == 1 and self.data_format == "channels_first":
                outputs += tf.reshape(self.bias, (1, self.filters, 1))
            else:
                outputs = tf.nn.bias_add(
                    outputs, self.bias, data_format=tf_data_format(self.data_format, self.rank + 2)
                )
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def _output_length(self, length: int | None, size: int, stride: int, dilation: int) -> Any:
        return conv_output_length(length, size, self.padding, stride, dilation)

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        shape = tf.TensorShape(input_shape).as_list()
        first = self.data_format == "channels_first"
        spatial = shape[2:] if first else shape[1:-1]
        out = [
            self._output_length(n, k, s, d)
            for n, k, s, d in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate, strict=True
            )
        ]
        dims = [shape[0], self.filters, *out] if first else [shape[0], *out, self.filters]
        return tf.TensorShape(dims)

    def _causal_padding(self) -> list[list[int]]:
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        if self.data_format == "channels_last":
            return [[0, 0], [left, 0], [0, 0]]
        return [[0, 0], [0, 0], [left, 0]]


class _PlainConv(_Conv):
    """``Conv1D``/``2D``/``3D``: ``tf.nn.convolution`` plus bias and activation."""

    def build(self, input_shape: tf.TensorShape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            "kernel",
            shape=[*self.kernel_size, channels, self.filters],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias()
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        padding = self.padding
        if padding == "causal":
            inputs = tf.pad(inputs, self._causal_padding())
            padding = "valid"
        outputs = tf.nn.convolution(
            inputs,
            self.kernel,
            strides=list(self.strides),
            padding=padding.upper(),
            dilations=list(self.dilation_rate),
            data_format=tf_data_format(self.data_format, self.rank + 2),
            name=type(self).__name__,
        )
        return self._bias_and_activation(outputs)


class Conv1D(_PlainConv):
    """1-D convolution (``padding`` may also be ``'causal'``); see :class:`Conv2D`."""

    rank = 1


class Conv2D(_PlainConv):
    """2-D convolution: ``activation(conv(inputs, kernel) + bias)``.

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size, strides, dilation_rate : int or tuple of int
        Window size, stride and dilation per spatial axis.
    padding : {'valid', 'same'}, default='valid'
        Padding (case-insensitive).
    data_format : {'channels_last', 'channels_first'}, default='channels_last'
        Input layout (channels_first convolutions need a GPU on most CPU builds).
    activation, use_bias, kernel_initializer, bias_initializer : see :class:`Dense`
    kernel_regularizer, bias_regularizer, activity_regularizer : callable or None
    kernel_constraint, bias_constraint : callable or None
    trainable : bool, default=True
    name : str or None, default=None
        Scope base name (``conv2d``, ``conv2d_1``, ...).
    """

    rank = 2


class Conv3D(_PlainConv):
    """3-D convolution; see :class:`Conv2D`."""

    rank = 3


class _SeparableConv(_Conv):
    """Depthwise then pointwise convolution (``tf.nn.separable_conv2d``)."""

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: Fn = None,
        use_bias: bool = True,
        depthwise_initializer: Any = None,
        pointwise_initializer: Any = None,
        bias_initializer: Any = ZEROS,
        depthwise_regularizer: Fn = None,
        pointwise_regularizer: Fn = None,
        bias_regularizer: Fn = None,
        activity_regularizer: Fn = None,
        depthwise_constraint: Fn = None,
        pointwise_constraint: Fn = None,
        bias_constraint: Fn = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            trainable=trainable,
            name=name,
            **kwargs,
        )
        self.depth_multiplier = check_int(depth_multiplier, "depth_multiplier", minimum=1)
        self.depthwise_initializer = get_initializer(
            depthwise_initializer, "depthwise_initializer"
        )
        self.pointwise_initializer = get_initializer(
            pointwise_initializer, "pointwise_initializer"
        )
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.depthwise_kernel: tf.Variable | None = None
        self.pointwise_kernel: tf.Variable | None = None

    def build(self, input_shape: tf.TensorShape) -> None:
        channels = self._input_channels(input_shape)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel",
            shape=[*self.kernel_size, channels, self.depth_multiplier],
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel",
            shape=[*(1,) * self.rank, self.depth_multiplier * channels, self.filters],
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._add_bias()
        self.built = True

    def _separable(
        self, inputs: tf.Tensor, depthwise: Any, pointwise: Any, strides: tuple, padding: str
    ) -> tf.Tensor:
        if self.data_format == "channels_last":
            full_strides = (1, *strides, 1)
        else:
            full_strides = (1, 1, *strides)
        return tf.compat.v1.nn.separable_conv2d(
            inputs,
            depthwise,
            pointwise,
            strides=full_strides,
            padding=padding.upper(),
            rate=self._rate,
            data_format=tf_data_format(self.data_format, 4),
        )


class SeparableConv1D(_SeparableConv):
    """1-D separable convolution (run as a 2-D one over an added axis); see 2D."""

    rank = 1

    @property
    def _rate(self) -> tuple[int, int]:
        return (1, *self.dilation_rate)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        padding = self.padding
        if padding == "causal":
            inputs = tf.pad(inputs, self._causal_padding())
            padding = "valid"
        spatial_start = 1 if self.data_format == "channels_last" else 2
        outputs = self._separable(
            tf.expand_dims(inputs, spatial_start),
            tf.expand_dims(self.depthwise_kernel, 0),
            tf.expand_dims(self.pointwise_kernel, 0),
            self.strides * 2,
            padding,
        )
        if self.use_bias:
            outputs = tf.nn.bias_add(
                outputs, self.bias, data_format=tf_data_format(self.data_format, 4)
            )
        outputs = tf.squeeze(outputs, [spatial_start])
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


class SeparableConv2D(_SeparableConv):
    """2-D separable convolution: depthwise (``depth_multiplier``) then 1x1 pointwise.

    Variables ``depthwise_kernel`` ``kernel_size + (in, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, 1, in * depth_multiplier, filters)`` and ``bias``.
    Other parameters as :class:`Conv2D`.
    """

    rank = 2

    @property
    def _rate(self) -> tuple[int, ...]:
        return self.dilation_rate

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        outputs = self._separable(
            inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides, self.padding
        )
        return self._bias_and_activation(outputs)


class _ConvTranspose(_Conv):
    """Transposed convolutions; channels_first inputs run as channels_last (as Keras 2)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, **kwargs)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape: tf.TensorShape) -> None:
        channels = self._input_channels(input_shape)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.kernel = self.add_weight(
            "kernel",
            shape=[*self.kernel_size, self.filters, channels],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias()
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        first = self.data_format == "channels_first"
        rank = self.rank + 2
        if first:
            inputs = tf.transpose(inputs, [0, *range(2, rank), 1])
        dynamic = tf.shape(inputs)
        static = inputs.shape.as_list()
        spatial = [static[i] if static[i] is not None else dynamic[i] for i in range(1, rank - 1)]
        out_spatial = [
            deconv_output_length(n, k, self.padding, s)
            for n, k, s in zip(spatial, self.kernel_size, self.strides, strict=True)
        ]
        output_shape = tf.stack([dynamic[0], *out_spatial, self.filters])
        transpose = tf.nn.conv2d_transpose if self.rank == 2 else tf.nn.conv3d_transpose
        outputs = transpose(
            inputs,
            self.kernel,
            output_shape,
            strides=[1, *self.strides, 1],
            padding=self.padding.upper(),
        )
        outputs.set_shape(
            [static[0]]
            + [
                deconv_output_length(n, k, self.padding, s)
                for n, k, s in zip(static[1:-1], self.kernel_size, self.strides, strict=True)
            ]
            + [self.filters]
        )
        if first:
            outputs = tf.transpose(outputs, [0, rank - 1, *range(1, rank - 1)])
        return self._bias_and_activation(outputs)

    def _output_length(self, length: int | None, size: int, stride: int, dilation: int) -> Any:
        return deconv_output_length(length, size, self.padding, stride)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution (a.k.a. deconvolution); kernel ``ks + (filters, in)``.

    Parameters as :class:`Conv2D` without ``dilation_rate``.
    """

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution; see :class:`Conv2DTranspose`."""

    rank = 3


def _functional(cls: type[Layer], inputs: tf.Tensor, *args: Any, **kwargs: Any) -> tf.Tensor:
    """Build ``cls`` with TF1's functional conventions (scope = ``name``) and call it."""
    name = kwargs.get("name")
    reuse = kwargs.pop("reuse", None)
    layer = cls(*args, _scope=name, _reuse=reuse, **kwargs)
    return layer(inputs)


def conv1d(
    inputs: tf.Tensor,
    filters: int,
    kernel_size: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str = "channels_last",
    dilation_rate: Any = 1,
    activation: Fn = None,
    use_bias: bool = True,
    kernel_initializer: Any = None,
    bias_initializer: Any = ZEROS,
    kernel_regularizer: Fn = None,
    bias_regularizer: Fn = None,
    activity_regularizer: Fn = None,
    kernel_constraint: Fn = None,
    bias_constraint: Fn = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional :class:`Conv1D` (``name`` fixes the scope; ``reuse`` as TF1)."""
    return _functional(Conv1D, inputs, filters, kernel_size, **_conv_kwargs(locals()))


def conv2d(
    inputs: tf.Tensor,
    filters: int,
    kernel_size: Any,
    strides: Any = (1, 1),
    padding: str = "valid",
    data_format: str = "channels_last",
    dilation_rate: Any = (1, 1),
    activation: Fn = None,
    use_bias: bool = True,
    kernel_initializer: Any = None,
    bias_initializer: Any = ZEROS,
    kernel_regularizer: Fn = None,
    bias_regularizer: Fn = None,
    activity_regularizer: Fn = None,
    kernel_constraint: Fn = None,
    bias_constraint: Fn = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional :class:`Conv2D` (``name`` fixes the scope; ``reuse`` as TF1)."""
    return _functional(Conv2D, inputs, filters, kernel_size, **_conv_kwargs(locals()))


def conv3d(
    inputs: tf.Tensor,
    filters: int,
    kernel_size: Any,
    strides: Any = (1, 1, 1),
    padding: str = "valid",
    data_format: str = "channels_last",
    dilation_rate: Any = (1, 1, 1),
    activation: Fn = None,
    use_bias: bool = True,
    kernel_initializer: Any = None,
    bias_initializer: Any = ZEROS,
    kernel_regularizer: Fn = None,
    bias_regularizer: Fn = None,
    activity_regularizer: Fn = None,
    kernel_constraint: Fn = None,
    bias_constraint: Fn = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional :class:`Conv3D` (``name`` fixes the scope; ``reuse`` as TF1)."""
    return _functional(Conv3D, inputs, filters, kernel_size, **_conv_kwargs(locals()))


def separable_conv1d(
    inputs: tf.Tensor,
    filters: int,
    kernel_size: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str = "channels_last",
    dilation_rate: Any = 1,
    depth_multiplier: int = 1,
    activation: Fn = None,
    use_bias: bool = True,
    depthwise_initializer: Any = None,
    pointwise_initializer: Any = None,
    bias_initializer: Any = ZEROS,
    depthwise_regularizer: Fn = None,
    pointwise_regularizer: Fn = None,
    bias_regularizer: Fn = None,
    activity_regularizer: Fn = None,
    depthwise_constraint: Fn = None,
    pointwise_constraint: Fn = None,
    bias_constraint: Fn = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional :class:`SeparableConv1D`."""
    return _functional(SeparableConv1D, inputs, filters, kernel_size, **_conv_kwargs(locals()))


def separable_conv2d(
    inputs: tf.Tensor,
    filters: int,
    kernel_size: Any,
    strides: Any = (1, 1),
    padding: str = "valid",
    data_format: str = "channels_last",
    dilation_rate: Any = (1, 1),
    depth_multiplier: int = 1,
    activation: Fn = None,
    use_bias: bool = True,
    depthwise_initializer: Any = None,
    pointwise_initializer: Any = None,
    bias_initializer: Any = ZEROS,
    depthwise_regularizer: Fn = None,
    pointwise_regularizer: Fn = None,
    bias_regularizer: Fn = None,
    activity_regularizer: Fn = None,
    depthwise_constraint: Fn = None,
    pointwise_constraint: Fn = None,
    bias_constraint: Fn = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional :class:`SeparableConv2D`."""
    return _functional(SeparableConv2D, inputs, filters, kernel_size, **_conv_kwargs(locals()))


def conv2d_transpose(
    inputs: tf.Tensor,
    filters: int,
    kernel_size: Any,
    strides: Any = (1, 1),
    padding: str = "valid",
    data_format: str = "channels_last",
    activation: Fn = None,
    use_bias: bool = True,
    kernel_initializer: Any = None,
    bias_initializer: Any = ZEROS,
    kernel_regularizer: Fn = None,
    bias_regularizer: Fn = None,
    activity_regularizer: Fn = None,
    kernel_constraint: Fn = None,
    bias_constraint: Fn = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional :class:`Conv2DTranspose`."""
    return _functional(Conv2DTranspose, inputs, filters, kernel_size, **_conv_kwargs(locals()))


def conv3d_transpose(
    inputs: tf.Tensor,
    filters: int,
    kernel_size: Any,
    strides: Any = (1, 1, 1),
    padding: str = "valid",
    data_format: str = "channels_last",
    activation: Fn = None,
    use_bias: bool = True,
    kernel_initializer: Any = None,
    bias_initializer: Any = ZEROS,
    kernel_regularizer: Fn = None,
    bias_regularizer: Fn = None,
    activity_regularizer: Fn = None,
    kernel_constraint: Fn = None,
    bias_constraint: Fn = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: Any = None,
) -> tf.Tensor:
    """Functional :class:`Conv3DTranspose`."""
    return _functional(Conv3DTranspose, inputs, filters, kernel_size, **_conv_kwargs(locals()))


def _conv_kwargs(arguments: dict[str, Any]) -> dict[str, Any]:
    """A functional wrapper's arguments less the positional ones it forwards itself."""
    return {k: v for k, v in arguments.items() if k not in ("inputs", "filters", "kernel_size")}
