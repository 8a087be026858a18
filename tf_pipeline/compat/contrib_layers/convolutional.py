"""contrib's convolutions: ``conv2d``, ``conv2d_transpose``, ``separable_conv2d``.

Ports of ``tf.contrib.layers.convolution*`` (TF 1.15, kept in ``tf_slim.layers``),
which wrapped the Keras-2 ``tf.layers`` convolutions; here the same ops are built
directly. Variables are ``<scope>/weights`` and ``<scope>/biases`` (model
variables), default scopes ``Conv``, ``Conv2d_transpose`` and ``SeparableConv2d``.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.contrib_layers import conv2d
>>> with tf.Graph().as_default():
...     y = conv2d(tf.zeros([2, 8, 8, 3]), 4, [3, 3], stride=2)
...     y.shape.as_list(), [v.op.name for v in tf.compat.v1.global_variables()]
([2, 4, 4, 4], ['Conv/weights', 'Conv/biases'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import tensorflow as tf

from tf_pipeline._checks import check_choice
from tf_pipeline.compat.arg_scope import add_arg_scope
from tf_pipeline.compat.contrib_layers._utils import (
    DATA_FORMATS_2D,
    Collections,
    add_variable_to_collections,
    channels_first,
    check_data_format,
    collect_named_outputs,
    n_tuple,
    variable_collections,
)
from tf_pipeline.compat.initializers import xavier_initializer
from tf_pipeline.compat.variables import model_variable

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv2d_transpose",
    "convolution",
    "convolution1d",
    "convolution2d",
    "convolution3d",
    "convolution2d_transpose",
    "separable_conv2d",
    "separable_convolution2d",
]

_V1 = tf.compat.v1
_FORMATS = (None, "NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW")
_DEFAULT = object()  # a fresh default initializer per call, never one shared instance

Activation = Callable[[tf.Tensor], tf.Tensor] | None


def _initializers(weights_initializer, biases_initializer):
    if weights_initializer is _DEFAULT:
        weights_initializer = xavier_initializer()
    if biases_initializer is _DEFAULT:
        biases_initializer = tf.zeros_initializer()
    return weights_initializer, biases_initializer


def _padding(padding: str) -> str:
    return check_choice(str(padding).upper(), "padding", ("SAME", "VALID"))


def _channels(inputs: tf.Tensor, first: bool) -> int:
    channels = inputs.shape[1] if first else inputs.shape[-1]
    if channels is None:
        raise ValueError(
            f"`inputs` must have a known channels dimension, got shape {inputs.shape}."
        )
    return int(channels)


def _bias_and_activation(
    outputs: tf.Tensor,
    num_outputs: int,
    *,
    first: bool,
    dtype: tf.DType,
    activation_fn: Activation,
    normalizer_fn: Callable | None,
    normalizer_params: Mapping | None,
    biases_initializer,
    biases_regularizer,
    trainable: bool,
    variables_collections: Collections | None,
) -> tf.Tensor:
    """contrib's tail: biases unless normalised (``use_bias = not normalizer_fn and init``)."""
    if not normalizer_fn and biases_initializer is not None:
        biases = model_variable(
            "biases",
            shape=[num_outputs],
            dtype=dtype,
            initializer=biases_initializer,
            regularizer=biases_regularizer,
            trainable=trainable,
            collections=variable_collections(variables_collections, "biases"),
        )
        add_variable_to_collections(biases, variables_collections, "biases")
        outputs = tf.nn.bias_add(outputs, biases, data_format="NC..." if first else "N...C")
    if normalizer_fn is not None:
        outputs = normalizer_fn(outputs, **(normalizer_params or {}))
    if activation_fn is not None:
        outputs = activation_fn(outputs)
    return outputs


@add_arg_scope
def convolution(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | Sequence[int] = 1,
    activation_fn: Activation = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping | None = None,
    weights_initializer=_DEFAULT,
    weights_regularizer: Callable | None = None,
    biases_initializer=_DEFAULT,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    scope: str | _V1.VariableScope | None = None,
    conv_dims: int | None = None,
) -> tf.Tensor:
    """Add an N-D convolution (N = rank of ``inputs`` - 2), as contrib's ``convolution``.

    Computes ``activation_fn(conv(inputs, weights) + biases)``, or
    ``activation_fn(normalizer_fn(conv(inputs, weights), **normalizer_params))``.

    Parameters
    ----------
    inputs : tf.Tensor
        Rank 3, 4 or 5, channels last (or second with an ``'NC...'`` ``data_format``).
    num_outputs : int
        Number of filters.
    kernel_size, stride, rate : int or sequence of N ints
        Filter size, strides and dilation rate.
    padding : {'SAME', 'VALID'}, default='SAME'
    data_format : str or None, default=None
        ``None`` means channels last.
    activation_fn : callable or None, default=tf.nn.relu
    normalizer_fn, normalizer_params
        A normalizer (e.g. ``batch_norm``) used instead of biases.
    weights_initializer : default=xavier_initializer()
    weights_regularizer, biases_regularizer : callable or None
        Their losses go to ``REGULARIZATION_LOSSES``.
    biases_initializer : default=tf.zeros_initializer(); ``None`` means no biases.
    reuse : bool or None
        Reuse the variables of ``scope``.
    variables_collections : list or dict or None
        Extra collections for ``'weights'`` and ``'biases'``.
    outputs_collections : list of str or None
        Collections the output is added to.
    trainable : bool, default=True
    scope : str or VariableScope or None, default 'Conv'
    conv_dims : int or None
        When given, ``inputs`` must have rank ``conv_dims + 2``.

    Returns
    -------
    tf.Tensor

    Raises
    ------
    ValueError
        On an unknown ``data_format`` or ``padding``, or an input rank other than
        3, 4, 5 (or ``conv_dims + 2``).
    """
    check_data_format(data_format, _FORMATS)
    weights_initializer, biases_initializer = _initializers(
        weights_initializer, biases_initializer
    )
    with _V1.variable_scope(scope, "Conv", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if conv_dims is not None and conv_dims + 2 != rank:
            raise ValueError(f"`inputs` must have rank {conv_dims + 2}, got rank {rank}.")
        if rank not in (3, 4, 5):
            raise ValueError(f"`inputs` must have rank 3, 4 or 5, got rank {rank}.")
        n = rank - 2
        first = channels_first(data_format)
        dtype = inputs.dtype.base_dtype
        kernel_size = n_tuple(kernel_size, n, "kernel_size")
        weights = model_variable(
            "weights",
            shape=[*kernel_size, _channels(inputs, first), num_outputs],
            dtype=dtype,
            initializer=weights_initializer,
            regularizer=weights_regularizer,
            trainable=trainable,
            collections=variable_collections(variables_collections, "weights"),
        )
        add_variable_to_collections(weights, variables_collections, "weights")
        spatial = "DHW"[3 - n :]
        outputs = tf.nn.convolution(
            inputs,
            weights,
            strides=list(n_tuple(stride, n, "stride")),
            padding=_padding(padding),
            dilations=list(n_tuple(rate, n, "rate")),
            data_format=f"NC{spatial}" if first else f"N{spatial}C",
        )
        outputs = _bias_and_activation(
            outputs,
            num_outputs,
            first=first,
            dtype=dtype,
            activation_fn=activation_fn,
            normalizer_fn=normalizer_fn,
            normalizer_params=normalizer_params,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer,
            trainable=trainable,
            variables_collections=variables_collections,
        )
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def convolution2d(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | Sequence[int] = 1,
    activation_fn: Activation = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping | None = None,
    weights_initializer=_DEFAULT,
    weights_regularizer: Callable | None = None,
    biases_initializer=_DEFAULT,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    scope: str | _V1.VariableScope | None = None,
) -> tf.Tensor:
    """Add a 2-D convolution (``tf.contrib.layers.conv2d``); see :func:`convolution`."""
    return convolution(
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        rate,
        activation_fn,
        normalizer_fn,
        normalizer_params,
        weights_initializer,
        weights_regularizer,
        biases_initializer,
        biases_regularizer,
        reuse,
        variables_collections,
        outputs_collections,
        trainable,
        scope,
        conv_dims=2,
    )


def _deconv_length(size: int | tf.Tensor, kernel: int, stride: int, padding: str):
    """Keras' ``deconv_output_length`` without output padding or dilation."""
    if padding == "VALID":
        return size * stride + max(kernel - stride, 0)
    return size * stride


@add_arg_scope
def convolution2d_transpose(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: str = "SAME",
    data_format: str = "NHWC",
    activation_fn: Activation = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping | None = None,
    weights_initializer=_DEFAULT,
    weights_regularizer: Callable | None = None,
    biases_initializer=_DEFAULT,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    scope: str | _V1.VariableScope | None = None,
) -> tf.Tensor:
    """Add a transposed 2-D convolution (``tf.contrib.layers.conv2d_transpose``).

    ``weights`` has shape ``[kh, kw, num_outputs, in_channels]``; the output's
    spatial size is ``size * stride`` (``'SAME'``) or
    ``size * stride + max(k - stride, 0)`` (``'VALID'``). Other arguments as in
    :func:`convolution`; default scope ``Conv2d_transpose``.

    Raises
    ------
    ValueError
        If ``data_format`` is not ``'NHWC'``/``'NCHW'`` or ``inputs`` is not rank 4.
    """
    weights_initializer, biases_initializer = _initializers(
        weights_initializer, biases_initializer
    )
    with _V1.variable_scope(scope, "Conv2d_transpose", [inputs], reuse=reuse) as sc:
        check_data_format(data_format, DATA_FORMATS_2D)
        inputs = tf.convert_to_tensor(inputs)
        if inputs.shape.ndims != 4:
            raise ValueError(f"`inputs` must have rank 4, got shape {inputs.shape}.")
        first = channels_first(data_format)
        dtype = inputs.dtype.base_dtype
        kernel_h, kernel_w = n_tuple(kernel_size, 2, "kernel_size")
        stride_h, stride_w = n_tuple(stride, 2, "stride")
        padding = _padding(padding)
        weights = model_variable(
            "weights",
            shape=[kernel_h, kernel_w, num_outputs, _channels(inputs, first)],
            dtype=dtype,
            initializer=weights_initializer,
            regularizer=weights_regularizer,
            trainable=trainable,
            collections=variable_collections(variables_collections, "weights"),
        )
        add_variable_to_collections(weights, variables_collections, "weights")
        h_axis, w_axis = (2, 3) if first else (1, 2)
        dynamic = tf.shape(inputs)
        height = inputs.shape[h_axis] if inputs.shape[h_axis] is not None else dynamic[h_axis]
        width = inputs.shape[w_axis] if inputs.shape[w_axis] is not None else dynamic[w_axis]
        out_h = _deconv_length(height, kernel_h, stride_h, padding)
        out_w = _deconv_length(width, kernel_w, stride_w, padding)
        shape = (
            [dynamic[0], num_outputs, out_h, out_w]
            if first
            else [dynamic[0], out_h, out_w, num_outputs]
        )
        strides = [1, 1, stride_h, stride_w] if first else [1, stride_h, stride_w, 1]
        outputs = tf.nn.conv2d_transpose(
            inputs, weights, tf.stack(shape), strides, padding, data_format=data_format
        )
        static = [inputs.shape[0]] + [d if isinstance(d, int) else None for d in shape[1:]]
        outputs.set_shape(static)
        outputs = _bias_and_activation(
            outputs,
            num_outputs,
            first=first,
            dtype=dtype,
            activation_fn=activation_fn,
            normalizer_fn=normalizer_fn,
            normalizer_params=normalizer_params,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer,
            trainable=trainable,
            variables_collections=variables_collections,
        )
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def separable_convolution2d(
    inputs: tf.Tensor,
    num_outputs: int | None,
    kernel_size: int | Sequence[int],
    depth_multiplier: int = 1,
    stride: int | Sequence[int] = 1,
    padding: str = "SAME",
    data_format: str = "NHWC",
    rate: int | Sequence[int] = 1,
    activation_fn: Activation = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping | None = None,
    weights_initializer=_DEFAULT,
    pointwise_initializer=None,
    weights_regularizer: Callable | None = None,
    biases_initializer=_DEFAULT,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    scope: str | _V1.VariableScope | None = None,
) -> tf.Tensor:
    """Add a depthwise-separable 2-D convolution (``tf.contrib.layers.separable_conv2d``).

    A depthwise convolution (``depthwise_weights``: ``[kh, kw, in, depth_multiplier]``)
    followed, when ``num_outputs`` is not None, by a 1x1 convolution
    (``pointwise_weights``: ``[1, 1, in * depth_multiplier, num_outputs]``); then
    ``biases`` or the normalizer, and the activation. Default scope ``SeparableConv2d``.

    Raises
    ------
    ValueError
        If ``data_format`` is not ``'NHWC'``/``'NCHW'``.
    """
    check_data_format(data_format, DATA_FORMATS_2D)
    weights_initializer, biases_initializer = _initializers(
        weights_initializer, biases_initializer
    )
    if pointwise_initializer is None:
        pointwise_initializer = weights_initializer
    with _V1.variable_scope(scope, "SeparableConv2d", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        first = channels_first(data_format)
        dtype = inputs.dtype.base_dtype
        kernel_h, kernel_w = n_tuple(kernel_size, 2, "kernel_size")
        stride_h, stride_w = n_tuple(stride, 2, "stride")
        channels = _channels(inputs, first)
        weights_collections = variable_collections(variables_collections, "weights")
        depthwise = model_variable(
            "depthwise_weights",
            shape=[kernel_h, kernel_w, channels, depth_multiplier],
            dtype=dtype,
            initializer=weights_initializer,
            regularizer=weights_regularizer,
            trainable=trainable,
            collections=weights_collections,
        )
        add_variable_to_collections(depthwise, variables_collections, "weights")
        strides = [1, 1, stride_h, stride_w] if first else [1, stride_h, stride_w, 1]
        dilations = n_tuple(rate, 2, "rate")
        if num_outputs is not None:
            pointwise = model_variable(
                "pointwise_weights",
                shape=[1, 1, channels * depth_multiplier, num_outputs],
                dtype=dtype,
                initializer=pointwise_initializer,
                regularizer=weights_regularizer,
                trainable=trainable,
                collections=weights_collections,
            )
            add_variable_to_collections(pointwise, variables_collections, "weights")
            outputs = tf.nn.separable_conv2d(
                inputs,
                depthwise,
                pointwise,
                strides,
                _padding(padding),
                data_format=data_format,
                dilations=dilations,
            )
        else:
            outputs = tf.nn.depthwise_conv2d(
                inputs,
                depthwise,
                strides,
                _padding(padding),
                data_format=data_format,
                dilations=dilations,
            )
            num_outputs = depth_multiplier * channels
        outputs = _bias_and_activation(
            outputs,
            num_outputs,
            first=first,
            dtype=dtype,
            activation_fn=activation_fn,
            normalizer_fn=normalizer_fn,
            normalizer_params=normalizer_params,
            biases_initializer=biases_initializer,
            biases_regularizer=biases_regularizer,
            trainable=trainable,
            variables_collections=variables_collections,
        )
        return collect_named_outputs(outputs_collections, sc.name, outputs)


conv2d = convolution2d
conv2d_transpose = convolution2d_transpose
separable_conv2d = separable_convolution2d


@add_arg_scope
def convolution1d(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | Sequence[int] = 1,
    activation_fn: Activation = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping | None = None,
    weights_initializer=_DEFAULT,
    weights_regularizer: Callable | None = None,
    biases_initializer=_DEFAULT,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    scope: str | _V1.VariableScope | None = None,
) -> tf.Tensor:
    """Add a 1-D convolution (``tf.contrib.layers.conv1d``); see :func:`convolution`."""
    return convolution(
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        rate,
        activation_fn,
        normalizer_fn,
        normalizer_params,
        weights_initializer,
        weights_regularizer,
        biases_initializer,
        biases_regularizer,
        reuse,
        variables_collections,
        outputs_collections,
        trainable,
        scope,
        conv_dims=1,
    )


@add_arg_scope
def convolution3d(
    inputs: tf.Tensor,
    num_outputs: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: str = "SAME",
    data_format: str | None = None,
    rate: int | Sequence[int] = 1,
    activation_fn: Activation = tf.nn.relu,
    normalizer_fn: Callable | None = None,
    normalizer_params: Mapping | None = None,
    weights_initializer=_DEFAULT,
    weights_regularizer: Callable | None = None,
    biases_initializer=_DEFAULT,
    biases_regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    scope: str | _V1.VariableScope | None = None,
) -> tf.Tensor:
    """Add a 3-D convolution (``tf.contrib.layers.conv3d``); see :func:`convolution`."""
    return convolution(
        inputs,
        num_outputs,
        kernel_size,
        stride,
        padding,
        data_format,
        rate,
        activation_fn,
        normalizer_fn,
        normalizer_params,
        weights_initializer,
        weights_regularizer,
        biases_initializer,
        biases_regularizer,
        reuse,
        variables_collections,
        outputs_collections,
        trainable,
        scope,
        conv_dims=3,
    )


conv1d = convolution1d
conv3d = convolution3d
