"""``tf.contrib.rnn.LayerNormBasicLSTMCell``: LSTM with layer normalisation, recurrent dropout.

Layer normalisation (Ba et al., 2016) is applied to each gate's pre-activation and to the
new cell state, as ``tf.contrib.layers.layer_norm`` computed it (moments over the last
axis, ``variance_epsilon=1e-12``); recurrent dropout (Semeniuta et al., 2016) drops the
candidate ``g`` with ``tf.nn.dropout`` and the given op seed.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.rnn import LayerNormBasicLSTMCell
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3])
...     cell = LayerNormBasicLSTMCell(4)
...     out, _ = tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
...     [v.op.name for v in tf.compat.v1.global_variables()][:2]
['rnn/layer_norm_basic_lstm_cell/kernel', 'rnn/layer_norm_basic_lstm_cell/input/gamma']
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline.compat.rnn.base import (
    LSTMStateTuple,
    RNNCell,
    check_num_units,
    resolve_activation,
)

logger = logging.getLogger(__name__)

# Where each normalisation's gamma/beta live, in the order TF1 created them.
_NORM_SCOPES = ("input", "transform", "forget", "output", "state")
_LAYER_NORM_EPSILON = 1e-12  # contrib.layers.layer_norm's value for float32/float64


def layer_norm(inputs: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) -> tf.Tensor:
    """``contrib.layers.layer_norm`` of a ``[batch, units]`` tensor with given gamma/beta.

    Moments over axis 1 (``tf.nn.moments``, whose variance stops the gradient through
    the mean), then ``tf.nn.batch_normalization`` with ``variance_epsilon=1e-12``.
    """
    mean, variance = tf.nn.moments(inputs, axes=[1], keepdims=True)
    return tf.nn.batch_normalization(
        inputs,
        mean,
        variance,
        offset=beta,
        scale=gamma,
        variance_epsilon=_LAYER_NORM_EPSILON,
    )


class LayerNormBasicLSTMCell(RNNCell):
    """LSTM unit with layer normalisation and recurrent dropout, as TF1's contrib cell.

    ``i, j, f, o = split([x, h] @ kernel (+ bias))``; with ``layer_norm`` each of
    ``i, j, f, o`` is normalised (scopes ``input``, ``transform``, ``forget``,
    ``output``); ``g = activation(j)``, dropped out when ``dropout_keep_prob`` is a
    tensor or a float < 1; ``c' = c*sigmoid(f + forget_bias) + sigmoid(i)*g``,
    normalised in scope ``state``; ``h' = activation(c')*sigmoid(o)``.

    Variables under ``layer_norm_basic_lstm_cell``: ``kernel``
    ``[input_depth + num_units, 4*num_units]``; ``bias`` ``[4*num_units]`` only
    without layer normalisation (both with the scope's default initializer, glorot
    uniform, as in TF1); with layer normalisation ``<scope>/gamma`` (``norm_gain``) and
    ``<scope>/beta`` (``norm_shift``), ``[num_units]`` each, for the five scopes.

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    forget_bias : float, default=1.0
    input_size : None
        Deprecated and unused in TF1; accepted for compatibility.
    activation : callable or str, optional
        Defaults to ``tanh``.
    layer_norm : bool, default=True
    norm_gain : float, default=1.0
        Initial value of every ``gamma``.
    norm_shift : float, default=0.0
        Initial value of every ``beta``.
    dropout_keep_prob : float or tf.Tensor, default=1.0
        Keep probability of the recurrent dropout on ``g``.
    dropout_prob_seed : int, optional
        Op seed of the dropout (give one for reproducible masks).
    reuse : bool, optional
    """

    def __init__(
        self,
        num_units: int,
        forget_bias: float = 1.0,
        input_size: Any = None,
        activation: Callable | str | None = None,
        layer_norm: bool = True,
        norm_gain: float = 1.0,
        norm_shift: float = 0.0,
        dropout_keep_prob: float | tf.Tensor = 1.0,
        dropout_prob_seed: int | None = None,
        reuse: bool | None = None,
    ) -> None:
        super().__init__(_reuse=reuse)
        if input_size is not None:
            logger.warning("LayerNormBasicLSTMCell: `input_size` is deprecated and unused.")
        self._num_units = check_num_units(num_units)
        self._forget_bias = forget_bias
        self._activation = resolve_activation(activation)
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: tf.TensorShape) -> None:
        units = self._num_units
        self._kernel = self.add_weight("kernel", [inputs_shape[-1] + units, 4 * units])
        self._bias = None if self._layer_norm else self.add_weight("bias", [4 * units])
        self._norms: dict[str, tuple[tf.Variable, tf.Variable]] = {}
        if self._layer_norm:
            # No initializer dtype: get_variable passes the variable's (deprecated argument).
            for scope in _NORM_SCOPES:
                gamma = self.add_weight(
                    f"{scope}/gamma",
                    [units],
                    tf.compat.v1.constant_initializer(self._norm_gain),
                )
                beta = self.add_weight(
                    f"{scope}/beta",
                    [units],
                    tf.compat.v1.constant_initializer(self._norm_shift),
                )
                self._norms[scope] = (gamma, beta)

    def _norm(self, value: tf.Tensor, scope: str) -> tf.Tensor:
        gamma, beta = self._norms[scope]
        with tf.name_scope(scope):
            return layer_norm(value, gamma, beta)

    def _drops_out(self) -> bool:
        # TF1's test, kept as is: a tensor always drops out, a Python float only below 1.
        return not isinstance(self._keep_prob, float) or self._keep_prob < 1

    def call(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, LSTMStateTuple]:
        c, h = state
        concat = tf.matmul(tf.concat([inputs, h], 1), self._kernel)
        if self._bias is not None:
            concat = tf.nn.bias_add(concat, self._bias)
        i, j, f, o = tf.split(value=concat, num_or_size_splits=4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input")
            j = self._norm(j, "transform")
            f = self._norm(f, "forget")
            o = self._norm(o, "output")
        g = self._activation(j)
        if self._drops_out():
            # rate, not the deprecated keep_prob: TF converts one to the other the same way.
            g = tf.compat.v1.nn.dropout(g, rate=1.0 - self._keep_prob, seed=self._seed)
        new_c = c * tf.sigmoid(f + self._forget_bias) + tf.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self._activation(new_c) * tf.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)
