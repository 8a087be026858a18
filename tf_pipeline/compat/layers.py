"""contrib's ``fully_connected`` on public TensorFlow API (and TF1's ``dense``, re-exported).

It builds ops in the current graph with ``tf.compat.v1.get_variable``, so variable
names, scopes and reuse follow TF1: ``fully_connected/weights``,
``fully_connected_1/weights`` and so on. ``tf.layers.dense`` lives in
:mod:`tf_pipeline.compat.tf_layers` with the rest of ``tf.layers``; it, ``xavier_initializer``
and ``optimize_loss`` are re-exported from here.

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from tf_pipeline.compat.layers import fully_connected, optimize_loss
>>> with tf.Graph().as_default():
...     x = tf.constant(np.ones((2, 3), np.float32))
...     y = fully_connected(x, 1, activation_fn=None)
...     step = tf.compat.v1.train.get_or_create_global_step()
...     train = optimize_loss(tf.reduce_mean(tf.square(y)), step, 0.1, "Adagrad")
...     with tf.compat.v1.Session() as sess:
...         sess.run(tf.compat.v1.global_variables_initializer())
...         _ = sess.run(train)
...         names = [v.op.name for v in tf.compat.v1.trainable_variables()]
>>> names
['fully_connected/weights', 'fully_connected/biases']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import tensorflow as tf

from tf_pipeline._checks import check_int
from tf_pipeline.compat import records
from tf_pipeline.compat.arg_scope import add_arg_scope
from tf_pipeline.compat.initializers import xavier_initializer
from tf_pipeline.compat.optimizers import optimize_loss
from tf_pipeline.compat.tf_layers.core import dense

__all__ = ["dense", "fully_connected", "optimize_loss", "xavier_initializer"]

Initializer = Callable[..., tf.Tensor]
Regularizer = Callable[[tf.Variable], tf.Tensor]
Collections = Sequence[str] | Mapping[str, Sequence[str]]


class _Default:
    """Marks an initializer argument left at its default.

    A fresh initializer is built per call instead of one instance shared by every
    call through a default argument; ``None`` keeps its TF1 meaning.
    """

    def __init__(self, text: str) -> None:
        self._text = text

    def __repr__(self) -> str:
        return self._text


_XAVIER = _Default("xavier_initializer()")
_ZEROS = _Default("tf.zeros_initializer()")


def _check_inputs(inputs: object, layer: str) -> tf.Tensor:
    inputs = tf.convert_to_tensor(inputs)
    dtype = inputs.dtype.base_dtype
    if not dtype.is_floating:
        raise TypeError(f"`inputs` must have a floating point dtype, got {dtype.name}.")
    rank = inputs.shape.ndims
    if rank is not None and rank < 2:
        raise ValueError(
            f"`inputs` must have rank >= 2 (batch, ..., features), got shape {inputs.shape}. "
            f"Reshape it first, e.g. `tf.reshape(x, [-1, 1])`, before `{layer}`."
        )
    if rank is None or inputs.shape[-1] is None:
        raise ValueError(
            f"`inputs` must have a known last dimension, got shape {inputs.shape}. "
            "Set it with `inputs.set_shape(...)` or `tf.ensure_shape`."
        )
    return inputs


def _matmul(inputs: tf.Tensor, kernel: tf.Variable) -> tf.Tensor:
    """``inputs @ kernel`` over the last axis, as ``tf.layers.Dense.call`` did."""
    rank = inputs.shape.ndims
    if rank == 2:
        return tf.linalg.matmul(inputs, kernel)
    outputs = tf.tensordot(inputs, kernel, [[rank - 1], [0]])
    outputs.set_shape(inputs.shape[:-1].concatenate(kernel.shape[-1:]))
    return outputs


def _add_to_collections(variable: tf.Variable, collections: Collections | None, key: str) -> None:
    """contrib's ``_add_variable_to_collections``: a dict picks the list by ``key``."""
    if isinstance(collections, Mapping):
        collections = collections.get(key)
    for collection in collections or []:
        # `is`, not `in`: variable equality may be elementwise.
        if not any(v is variable for v in tf.compat.v1.get_collection(collection)):
            tf.compat.v1.add_to_collection(collection, variable)


def _collect_named_outputs(
    collections: Sequence[str] | None, alias: str, outputs: tf.Tensor
) -> tf.Tensor:
    """contrib's ``collect_named_outputs``: tag the tensor with its scope and collect it."""
    if collections:
        alias = alias.rstrip("/")
        if hasattr(outputs, "aliases"):
            outputs.aliases.append(alias)
        else:
            outputs.aliases = [alias]
        tf.compat.v1.add_to_collections(collections, outputs)
    return outputs


# Decorated here, once, so slim.arg_scope configures every spelling of this function.
@add_arg_scope
def fully_connected(
    inputs: tf.Tensor,
    num_outputs: int,
    activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = tf.nn.relu,
    normalizer_fn: Callable[..., tf.Tensor] | None = None,
    normalizer_params: Mapping[str, object] | None = None,
    weights_initializer: Initializer | None = _XAVIER,
    weights_regularizer: Regularizer | None = None,
    biases_initializer: Initializer | None = _ZEROS,
    biases_regularizer: Regularizer | None = None,
    reuse: bool | None = None,
    variables_collections: Collections | None = None,
    outputs_collections: Sequence[str] | None = None,
    trainable: bool = True,
    scope: str | tf.compat.v1.VariableScope | None = None,
) -> tf.Tensor:
    """Add a fully connected layer, as ``tf.contrib.layers.fully_connected`` did.

    Computes ``activation_fn(x @ weights + biases)`` over the last axis of ``inputs``,
    or ``activation_fn(normalizer_fn(x @ weights))`` when a normalizer is given.

    Parameters
    ----------
    inputs : tf.Tensor
        Float tensor of rank >= 2 with a known last dimension.
    num_outputs : int
        Number of output units (>= 1).
    activation_fn : callable or None, default=tf.nn.relu
        Applied last; ``None`` keeps the layer linear.
    normalizer_fn : callable or None, default=None
        Replaces the bias, called as ``normalizer_fn(outputs, **normalizer_params)``.
    normalizer_params : dict or None, default=None
        Keyword arguments for ``normalizer_fn``.
    weights_initializer : initializer or None, default=xavier_initializer()
        A fresh ``xavier_initializer()`` is made per call; ``None`` falls back to
        ``get_variable``'s default (Glorot uniform).
    weights_regularizer : callable or None, default=None
        Its loss goes to the ``REGULARIZATION_LOSSES`` collection.
    biases_initializer : initializer or None, default=tf.zeros_initializer()
        A fresh ``tf.zeros_initializer()`` is made per call; ``None`` means no biases.
    biases_regularizer : callable or None, default=None
        Its loss goes to the ``REGULARIZATION_LOSSES`` collection.
    reuse : bool or None, default=None
        Reuse the variables of ``scope`` (which must then be given).
    variables_collections : list of str, dict or None, default=None
        Extra collections for both variables, or a dict with keys ``'weights'``
        and ``'biases'``.
    outputs_collections : list of str or None, default=None
        Collections the output is added to (tagged with the scope name in
        ``outputs.aliases``).
    trainable : bool, default=True
        Add the variables to ``TRAINABLE_VARIABLES``.
    scope : str, VariableScope or None, default=None
        ``None`` gives ``fully_connected``, ``fully_connected_1``, ...

    Returns
    -------
    tf.Tensor
        Shape ``inputs.shape[:-1] + [num_outputs]``, dtype of ``inputs``.

    Raises
    ------
    ValueError
        If ``num_outputs`` < 1, ``inputs`` has rank < 2 or an unknown last dimension.
    TypeError
        If ``num_outputs`` is not an int or ``inputs`` is not floating point.
    """
    num_outputs = check_int(num_outputs, "num_outputs", minimum=1)
    if weights_initializer is _XAVIER:
        weights_initializer = xavier_initializer()
    if biases_initializer is _ZEROS:
        biases_initializer = tf.zeros_initializer()
    with tf.compat.v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse) as sc:
        inputs = _check_inputs(inputs, "fully_connected")
        dtype = inputs.dtype.base_dtype
        # contrib's `model_variable`: MODEL_VARIABLES on top of the usual collections.
        model_collections = [
            tf.compat.v1.GraphKeys.GLOBAL_VARIABLES,
            tf.compat.v1.GraphKeys.MODEL_VARIABLES,
        ]
        weights = tf.compat.v1.get_variable(
            "weights",
            [inputs.shape[-1], num_outputs],
            dtype=dtype,
            initializer=weights_initializer,
            regularizer=weights_regularizer,
            trainable=trainable,
            collections=model_collections,
        )
        _add_to_collections(weights, variables_collections, "weights")
        outputs = _matmul(inputs, weights)
        # contrib: `use_bias=not normalizer_fn and biases_initializer`.
        if normalizer_fn is None and biases_initializer is not None:
            biases = tf.compat.v1.get_variable(
                "biases",
                [num_outputs],
                dtype=dtype,
                initializer=biases_initializer,
                regularizer=biases_regularizer,
                trainable=trainable,
                collections=model_collections,
            )
            _add_to_collections(biases, variables_collections, "biases")
            outputs = tf.nn.bias_add(outputs, biases)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        records.record(
            "fully_connected",
            None,
            [inputs],
            [outputs],
            num_outputs=num_outputs,
            weights=weights,
            biases=biases if normalizer_fn is None and biases_initializer is not None else None,
            activation=activation_fn,
            normalizer_fn=normalizer_fn,
        )
        return _collect_named_outputs(outputs_collections, sc.name, outputs)
