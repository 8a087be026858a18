"""TF1's core layers: ``Dense``, ``Dropout``, ``Flatten`` and their functions.

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from tf_pipeline.compat.tf_layers import dense, dropout, flatten
>>> with tf.Graph().as_default():
...     x = tf.constant(np.ones((2, 3, 4), np.float32))
...     y = dropout(dense(flatten(x), 5), 0.5, training=False)
...     names = [v.op.name for v in tf.compat.v1.global_variables()]
>>> names, y.shape.as_list()
(['dense/kernel', 'dense/bias'], [2, 5])
"""

from __future__ import annotations

import functools
import numbers
import operator
from collections.abc import Callable, Sequence
from typing import Any

import tensorflow as tf

from tf_pipeline._checks import check_int
from tf_pipeline.compat._seeds import outer_graph_op_seed
from tf_pipeline.compat.tf_layers._utils import (
    constant_value,
    get_activation,
    get_initializer,
    normalize_data_format,
    smart_cond,
)
from tf_pipeline.compat.tf_layers.base import InputSpec, Layer

__all__ = ["Dense", "Dropout", "Flatten", "dense", "dropout", "flatten"]

Initializer = Callable[..., tf.Tensor] | str | None
Regularizer = Callable[[tf.Tensor], tf.Tensor] | None


def _zeros() -> Initializer:
    # A fresh initializer per layer rather than one instance shared by a default argument.
    return tf.compat.v1.zeros_initializer()


class _Default:
    """Marks ``bias_initializer`` left at its default (a fresh zeros initializer)."""

    def __repr__(self) -> str:
        return "tf.zeros_initializer()"


ZEROS: Any = _Default()


def bias_initializer_or_zeros(initializer: Any) -> Any:
    """``ZEROS`` → a new ``zeros_initializer``; anything else as given (``None`` = Glorot)."""
    return _zeros() if initializer is ZEROS else get_initializer(initializer, "bias_initializer")


def dense_matmul(inputs: tf.Tensor, kernel: tf.Variable) -> tf.Tensor:
    """``inputs @ kernel`` over the last axis, as TF1's ``Dense.call`` did."""
    rank = inputs.shape.rank
    if rank == 2:
        return tf.linalg.matmul(inputs, kernel)
    outputs = tf.tensordot(inputs, kernel, [[rank - 1], [0]])
    outputs.set_shape(inputs.shape[:-1].concatenate(kernel.shape[-1:]))
    return outputs


class Dense(Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)``.

    Parameters
    ----------
    units : int
        Output size (>= 1).
    activation : callable, str or None, default=None
        Applied last; ``None`` keeps the layer linear.
    use_bias : bool, default=True
        Create and add ``bias``.
    kernel_initializer : initializer or None, default=None
        ``None``: the variable scope's initializer, else Glorot uniform (graph-seeded).
    bias_initializer : initializer or None, default=tf.zeros_initializer()
        ``None`` uses Glorot uniform, as TF1 did.
    kernel_regularizer, bias_regularizer, activity_regularizer : callable or None
        Their losses go to ``REGULARIZATION_LOSSES`` (activity: divided by batch size).
    kernel_constraint, bias_constraint : callable or None
        Projections attached to the variables.
    trainable : bool, default=True
        Add the variables to ``TRAINABLE_VARIABLES``.
    name : str or None, default=None
        Scope base name (``dense``, ``dense_1``, ...).

    Attributes
    ----------
    kernel, bias : tf.Variable
        Created by the first call (``bias`` is ``None`` without ``use_bias``).
    """

    def __init__(
        self,
        units: int,
        activation: Callable[[tf.Tensor], tf.Tensor] | str | None = None,
        use_bias: bool = True,
        kernel_initializer: Initializer = None,
        bias_initializer: Initializer = ZEROS,
        kernel_regularizer: Regularizer = None,
        bias_regularizer: Regularizer = None,
        activity_regularizer: Regularizer = None,
        kernel_constraint: Regularizer = None,
        bias_constraint: Regularizer = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            trainable=trainable, name=name, activity_regularizer=activity_regularizer, **kwargs
        )
        self.units = check_int(units, "units", minimum=1)
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
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape: tf.TensorShape) -> None:
        input_shape = tf.TensorShape(input_shape)
        last_dim = input_shape[-1]
        if last_dim is None:
            raise ValueError(
                f"`inputs` must have a known last dimension, got shape {input_shape}. "
                "Set it with `inputs.set_shape(...)` or `tf.ensure_shape`."
            )
        dtype = tf.as_dtype(self.dtype or tf.float32)
        if not (dtype.is_floating or dtype.is_complex):
            raise TypeError(f"`inputs` must have a floating point dtype, got {dtype.name}.")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight(
            "kernel",
            shape=[last_dim, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=[self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        outputs = dense_matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        return tf.TensorShape(input_shape)[:-1].concatenate([self.units])


def dense(
    inputs: tf.Tensor,
    units: int,
    activation: Callable[[tf.Tensor], tf.Tensor] | str | None = None,
    use_bias: bool = True,
    kernel_initializer: Initializer = None,
    bias_initializer: Initializer = ZEROS,
    kernel_regularizer: Regularizer = None,
    bias_regularizer: Regularizer = None,
    activity_regularizer: Regularizer = None,
    kernel_constraint: Regularizer = None,
    bias_constraint: Regularizer = None,
    trainable: bool = True,
    name: str | None = None,
    reuse: bool | Any = None,
) -> tf.Tensor:
    """Functional :class:`Dense`: ``activation(inputs @ kernel + bias)``.

    ``name`` fixes the variable scope (a second call with the same name needs
    ``reuse=True`` or ``tf.AUTO_REUSE``); ``None`` gives ``dense``, ``dense_1``, ...
    Other parameters are :class:`Dense`'s.

    Returns
    -------
    tf.Tensor
        Shape ``inputs.shape[:-1] + [units]``.
    """
    layer = Dense(
        units,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
        name=name,
        _scope=name,
        _reuse=reuse,
    )
    return layer(inputs)


def _check_rate(rate: object) -> object:
    if isinstance(rate, numbers.Real) and not 0 <= rate <= 1:
        raise ValueError(f"`rate` must be a float in [0, 1], got {rate}.")
    return rate


class Dropout(Layer):
    """Randomly zero a fraction ``rate`` of the inputs and scale the rest by ``1/(1-rate)``.

    Parameters
    ----------
    rate : float, default=0.5
        Fraction dropped, in [0, 1].
    noise_shape : sequence or None, default=None
        Shape of the keep mask (``None`` entries take the input's size).
    seed : int or None, default=None
        Op seed; each call of the same layer uses the next integer, as TF 2.15 did.
    name : str or None, default=None
        Layer name.

    Notes
    -----
    Call with ``training=`` a Python bool or a boolean tensor; the default ``False``
    returns the inputs unchanged.
    """

    def __init__(
        self,
        rate: float = 0.5,
        noise_shape: Sequence[int | None] | None = None,
        seed: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.rate = _check_rate(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self._next_seed = seed

    def _noise_shape(self, inputs: tf.Tensor) -> tf.Tensor | None:
        if self.noise_shape is None:
            return None
        dynamic = tf.shape(inputs)
        return tf.convert_to_tensor(
            [dynamic[i] if size is None else size for i, size in enumerate(self.noise_shape)]
        )

    def _take_seed(self) -> int | None:
        seed = self._next_seed
        if seed is not None:
            self._next_seed = seed + 1
        return seed

    def call(self, inputs: tf.Tensor, training: bool | tf.Tensor = False) -> tf.Tensor:
        if isinstance(self.rate, numbers.Real) and self.rate == 0:
            return tf.identity(inputs)

        seed = self._take_seed()
        if constant_value(training) is None:
            # TF 1.x drew the mask's op seed from this graph (see compat._seeds).
            seed = outer_graph_op_seed(seed)

        def dropped() -> tf.Tensor:
            return tf.nn.dropout(
                inputs, rate=self.rate, noise_shape=self._noise_shape(inputs), seed=seed
            )

        return smart_cond(training, dropped, lambda: tf.identity(inputs))

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        return tf.TensorShape(input_shape)


def dropout(
    inputs: tf.Tensor,
    rate: float = 0.5,
    noise_shape: Sequence[int | None] | None = None,
    seed: int | None = None,
    training: bool | tf.Tensor = False,
    name: str | None = None,
) -> tf.Tensor:
    """Functional :class:`Dropout`; ``training`` is a Python bool or a boolean tensor."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer(inputs, training=training)


class Flatten(Layer):
    """Flatten all but the batch axis (channels_first inputs are moved to channels_last).

    Parameters
    ----------
    data_format : {'channels_last', 'channels_first'} or None, default=None
        Layout of the inputs; ``None`` means channels_last.
    name : str or None, default=None
        Layer name.
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        rank = inputs.shape.rank
        if self.data_format == "channels_first" and rank and rank > 1:
            inputs = tf.transpose(inputs, perm=[0, *range(2, rank), 1])
        if rank == 1:
            return tf.expand_dims(inputs, axis=1)
        batch = inputs.shape[0]
        rest = inputs.shape[1:]
        if rest.is_fully_defined():
            shape: Any = tf.constant([-1, int(functools.reduce(operator.mul, rest, 1))])
        elif batch is not None:
            shape = tf.constant([int(batch), -1])
        else:
            shape = [tf.shape(inputs)[0], -1]
        return tf.reshape(inputs, shape)

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        input_shape = tf.TensorShape(input_shape)
        rest = input_shape[1:]
        size = rest.num_elements() if rest.is_fully_defined() else None
        return tf.TensorShape([input_shape[0], size])


def flatten(
    inputs: tf.Tensor, name: str | None = None, data_format: str = "channels_last"
) -> tf.Tensor:
    """Functional :class:`Flatten`: shape ``(batch, -1)``."""
    return Flatten(name=name, data_format=data_format)(inputs)
