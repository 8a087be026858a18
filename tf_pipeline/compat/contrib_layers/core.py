"""contrib's shape and wiring layers: pooling, ``flatten``, ``dropout``, ``one_hot_encoding``,
``embed_sequence``, ``repeat``, ``stack`` and ``fully_connected`` under ``arg_scope``.

Ports of ``tf.contrib.layers`` (TF 1.15, kept in ``tf_slim.layers``) on public ops.
Pooling, ``flatten`` and ``one_hot_encoding`` open a name scope only (``MaxPool2D``,
``AvgPool2D``, ``Flatten``, ``OneHotEncoding``); ``repeat`` and ``stack`` call a layer
several times in scopes ``<layer name>_1``, ``<layer name>_2``... inside ``Repeat`` or
``Stack``.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.contrib_layers import conv2d, max_pool2d, repeat
>>> with tf.Graph().as_default():
...     net = repeat(tf.zeros([1, 8, 8, 3]), 2, conv2d, 4, [3, 3], scope="conv1")
...     net = max_pool2d(net, [2, 2])
...     net.shape.as_list(), [v.op.name for v in tf.compat.v1.trainable_variables()][:2]
([1, 4, 4, 4], ['conv1/conv1_1/weights', 'conv1/conv1_1/biases'])
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from tf_pipeline.compat._seeds import outer_graph_op_seed
from tf_pipeline.compat.arg_scope import add_arg_scope
from tf_pipeline.compat.contrib_layers._utils import (
    DATA_FORMATS_2D,
    Collections,
    add_variable_to_collections,
    check_data_format,
    collect_named_outputs,
    n_tuple,
    smart_cond,
    static_bool,
    variable_collections,
)
from tf_pipeline.compat.layers import fully_connected  # decorated with @add_arg_scope
from tf_pipeline.compat.variables import model_variable

__all__ = [
    "avg_pool2d",
    "bias_add",
    "dropout",
    "elu",
    "embed_sequence",
    "flatten",
    "fully_connected",
    "linear",
    "max_pool2d",
    "one_hot_encoding",
    "relu",
    "relu6",
    "repeat",
    "softmax",
    "stack",
]

_V1 = tf.compat.v1


def _pool(
    pool_fn,
    inputs,
    kernel_size,
    stride,
    padding,
    data_format,
    outputs_collections,
    scope,
    default_name,
):
    check_data_format(data_format, DATA_FORMATS_2D)
    padding = str(padding).upper()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"`padding` must be one of 'SAME', 'VALID', got {padding!r}.")
    with tf.name_scope(scope or default_name) as sc:
        inputs = tf.convert_to_tensor(inputs)
        kernel_h, kernel_w = n_tuple(kernel_size, 2, "kernel_size")
        stride_h, stride_w = n_tuple(stride, 2, "stride")
        first = data_format == "NCHW"
        ksize = [1, 1, kernel_h, kernel_w] if first else [1, kernel_h, kernel_w, 1]
        strides = [1, 1, stride_h, stride_w] if first else [1, stride_h, stride_w, 1]
        outputs = pool_fn(inputs, ksize, strides, padding, data_format=data_format)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def max_pool2d(
    inputs: tf.Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 2,
    padding: str = "VALID",
    data_format: str = "NHWC",
    outputs_collections: Sequence[str] | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """2-D max pooling (``tf.contrib.layers.max_pool2d``); name scope ``MaxPool2D``.

    Raises
    ------
    ValueError
        If ``data_format`` is not ``'NHWC'``/``'NCHW'`` or ``padding`` is unknown.
    """
    return _pool(
        tf.nn.max_pool2d,
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
        "MaxPool2D",
    )


@add_arg_scope
def avg_pool2d(
    inputs: tf.Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 2,
    padding: str = "VALID",
    data_format: str = "NHWC",
    outputs_collections: Sequence[str] | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """2-D average pooling (``tf.contrib.layers.avg_pool2d``); name scope ``AvgPool2D``.

    Raises
    ------
    ValueError
        If ``data_format`` is not ``'NHWC'``/``'NCHW'`` or ``padding`` is unknown.
    """
    return _pool(
        tf.nn.avg_pool2d,
        inputs,
        kernel_size,
        stride,
        padding,
        data_format,
        outputs_collections,
        scope,
        "AvgPool2D",
    )


@add_arg_scope
def flatten(
    inputs: tf.Tensor, outputs_collections: Sequence[str] | None = None, scope: str | None = None
) -> tf.Tensor:
    """Flatten all but the first axis: ``[batch, ...] -> [batch, k]``; scope ``Flatten``.

    Raises
    ------
    ValueError
        If ``inputs`` has unknown rank or rank < 2.
    """
    with tf.name_scope(scope or "Flatten") as sc:
        inputs = tf.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None or rank < 2:
            raise ValueError(f"`inputs` must have a known rank >= 2, got shape {inputs.shape}.")
        rest = inputs.shape[1:]
        # Keep as much static shape as the Keras-2 Flatten did.
        if rest.is_fully_defined():
            shape = tf.constant([-1, functools.reduce(operator.mul, rest.as_list(), 1)])
        elif inputs.shape[0] is not None:
            shape = tf.constant([int(inputs.shape[0]), -1])
        else:
            shape = [tf.shape(inputs)[0], -1]
        outputs = tf.reshape(inputs, shape)
        return collect_named_outputs(outputs_collections, sc, outputs)


@add_arg_scope
def dropout(
    inputs: tf.Tensor,
    keep_prob: float | tf.Tensor = 0.5,
    noise_shape: Sequence[int] | tf.Tensor | None = None,
    is_training: bool | tf.Tensor = True,
    outputs_collections: Sequence[str] | None = None,
    scope: str | None = None,
    seed: int | None = None,
) -> tf.Tensor:
    """Dropout with keep probability ``keep_prob`` while ``is_training`` (contrib's ``dropout``).

    Kept values are scaled by ``1 / keep_prob``; with ``is_training`` False (or a
    boolean tensor that is False) the inputs pass through unchanged. ``seed`` is the
    op-level seed of the random mask. Variable scope ``Dropout``.
    """
    with _V1.variable_scope(scope, "Dropout", [inputs]) as sc:
        inputs = tf.convert_to_tensor(inputs)
        rate = 1 - keep_prob
        if static_bool(is_training) is None:
            # TF 1.x drew the mask's op seed from this graph (see compat._seeds).
            seed = outer_graph_op_seed(seed)
        outputs = smart_cond(
            is_training,
            lambda: tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed),
            lambda: tf.identity(inputs),
        )
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def one_hot_encoding(
    labels: tf.Tensor,
    num_classes: int,
    on_value: float = 1.0,
    off_value: float = 0.0,
    outputs_collections: Sequence[str] | None = None,
    scope: str | None = None,
) -> tf.Tensor:
    """One-hot encode integer ``labels`` (contrib's ``one_hot_encoding``); float32 output."""
    with tf.name_scope(scope or "OneHotEncoding") as sc:
        labels = tf.convert_to_tensor(labels)
        if labels.dtype == tf.int32:
            labels = tf.cast(labels, tf.int64)
        outputs = tf.one_hot(labels, num_classes, on_value=on_value, off_value=off_value)
        return collect_named_outputs(outputs_collections, sc, outputs)


def embed_sequence(
    ids: tf.Tensor,
    vocab_size: int | None = None,
    embed_dim: int | None = None,
    unique: bool = False,
    initializer: Any = None,
    regularizer: Callable | None = None,
    trainable: bool = True,
    scope: str | _V1.VariableScope | None = None,
    reuse: bool | None = None,
) -> tf.Tensor:
    """Embed a ``[batch, time]`` id sequence: ``[batch, time, embed_dim]``.

    contrib's ``embed_sequence`` (``tensorflow/contrib/layers/python/layers/encoders.py``):
    a model variable ``EmbedSequence/embeddings`` of shape ``[vocab_size, embed_dim]``
    looked up with ``embedding_lookup`` (``unique`` looks each id up once).

    Raises
    ------
    ValueError
        If ``vocab_size`` and ``embed_dim`` are not both given and ``reuse`` is off.
    """
    if not (reuse or (vocab_size and embed_dim)):
        raise ValueError(
            "`vocab_size` and `embed_dim` must both be given unless reusing, "
            f"got vocab_size={vocab_size} and embed_dim={embed_dim}."
        )
    with _V1.variable_scope(scope, "EmbedSequence", [ids], reuse=reuse):
        shape = [vocab_size, embed_dim]
        # TF1's precedence, kept: `reuse and vocab_size is None or embed_dim is None`.
        if (reuse and vocab_size is None) or embed_dim is None:
            shape = None
        embeddings = model_variable(
            "embeddings",
            shape=shape,
            initializer=initializer,
            regularizer=regularizer,
            trainable=trainable,
        )
        if unique:
            ids = tf.convert_to_tensor(ids)
            flat, index = tf.unique(tf.reshape(ids, [-1]))
            looked_up = tf.gather(tf.nn.embedding_lookup(embeddings, flat), index)
            return tf.reshape(looked_up, tf.concat([tf.shape(ids), tf.shape(embeddings)[1:]], 0))
        return tf.nn.embedding_lookup(embeddings, ids)


def _layer_name(layer: Callable, fallback: str) -> str:
    if hasattr(layer, "__name__"):
        return layer.__name__
    func = getattr(layer, "func", None)  # a functools.partial
    return getattr(func, "__name__", fallback)


def repeat(
    inputs: tf.Tensor, repetitions: int, layer: Callable, *args: Any, **kwargs: Any
) -> tf.Tensor:
    """Apply ``layer(outputs, *args, **kwargs)`` ``repetitions`` times, chaining outputs.

    Scopes are ``<scope or 'Repeat'>/<name>_<i>`` with ``<name>`` the given ``scope``
    or else the layer function's ``__name__`` (``convolution2d`` for ``conv2d``).
    """
    scope = kwargs.pop("scope", None)
    with _V1.variable_scope(scope, "Repeat", [inputs]):
        inputs = tf.convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer, "repeat")
        outputs = inputs
        for i in range(repetitions):
            kwargs["scope"] = f"{scope}_{i + 1}"
            outputs = layer(outputs, *args, **kwargs)
        return outputs


def stack(
    inputs: tf.Tensor, layer: Callable, stack_args: Sequence[Any], **kwargs: Any
) -> tf.Tensor:
    """Apply ``layer`` once per entry of ``stack_args`` (its extra positional arguments).

    ``stack(x, fully_connected, [32, 64])`` is ``fully_connected(fully_connected(x, 32), 64)``
    in scopes ``<scope or 'Stack'>/<name>_1`` and ``_2``.

    Raises
    ------
    ValueError
        If ``stack_args`` is not a list or tuple.
    """
    scope = kwargs.pop("scope", None)
    if not isinstance(stack_args, (list, tuple)):
        raise ValueError(f"`stack_args` must be a list or tuple, got {stack_args!r}.")
    with _V1.variable_scope(scope, "Stack", [inputs]):
        inputs = tf.convert_to_tensor(inputs)
        if scope is None:
            scope = _layer_name(layer, "stack")
        outputs = inputs
        for i, layer_args in enumerate(stack_args):
            kwargs["scope"] = f"{scope}_{i + 1}"
            if not isinstance(layer_args, (list, tuple)):
                layer_args = [layer_args]
            outputs = layer(outputs, *layer_args, **kwargs)
        return outputs


@add_arg_scope
def bias_add(
    inputs: tf.Tensor,
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = None,
    initializer: Any = None,
    regularizer: Callable | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    data_format: str = "NHWC",
    scope: str | _V1.VariableScope | None = None,
) -> tf.Tensor:
    """Add a ``biases`` model variable over the channels (contrib's ``bias_add``).

    ``initializer`` defaults to zeros; variable scope ``BiasAdd``.

    Raises
    ------
    ValueError
        On an unknown ``data_format``, unknown rank or channels dimension, or
        ``'NCHW'`` with an input that is not rank 4.
    """
    check_data_format(data_format, DATA_FORMATS_2D)
    with _V1.variable_scope(scope, "BiasAdd", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError(f"`inputs` must have a known rank, got shape {inputs.shape}.")
        if rank != 4 and data_format == "NCHW":
            raise ValueError(f"`inputs` must have rank 4 for 'NCHW', got rank {rank}.")
        channels = inputs.shape[1 if data_format == "NCHW" else -1]
        if channels is None:
            raise ValueError(
                f"`inputs` must have a known channels dimension, got shape {inputs.shape}."
            )
        biases = model_variable(
            "biases",
            shape=[channels],
            dtype=inputs.dtype.base_dtype,
            initializer=tf.zeros_initializer() if initializer is None else initializer,
            regularizer=regularizer,
            collections=variable_collections(variables_collections, "biases"),
            trainable=trainable,
        )
        add_variable_to_collections(biases, variables_collections, "biases")
        outputs = tf.nn.bias_add(inputs, biases, data_format=data_format)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


@add_arg_scope
def softmax(logits: tf.Tensor, scope: str | _V1.VariableScope | None = None) -> tf.Tensor:
    """Softmax over the last axis of ``logits`` of any rank >= 2 (contrib's ``softmax``).

    Raises
    ------
    ValueError
        If ``logits`` has rank < 2 or an unknown last dimension.
    """
    with _V1.variable_scope(scope, "softmax", [logits]):
        logits = tf.convert_to_tensor(logits)
        rank = logits.shape.ndims
        if rank is None or rank < 2 or logits.shape[-1] is None:
            raise ValueError(
                f"`logits` must have rank >= 2 and a known last dimension, got {logits.shape}."
            )
        predictions = tf.nn.softmax(tf.reshape(logits, [-1, logits.shape[-1]]))
        predictions = tf.reshape(predictions, tf.shape(logits))
        predictions.set_shape(logits.shape)
        return predictions


# contrib's shorthands: fully_connected with a fixed activation.
elu = functools.partial(fully_connected, activation_fn=tf.nn.elu)
linear = functools.partial(fully_connected, activation_fn=None)
relu = functools.partial(fully_connected, activation_fn=tf.nn.relu)
relu6 = functools.partial(fully_connected, activation_fn=tf.nn.relu6)
