"""TF1's basic RNN, GRU and LSTM cells with TF1's math, defaults and variable names.

Each ``call`` is the TF 1.x ``rnn_cell_impl`` computation, op for op, so results match
TensorFlow's own legacy cells to float32 round-off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline.compat.rnn.base import (
    LSTMStateTuple,
    RNNCell,
    check_num_units,
    resolve_activation,
)

_WEIGHTS = "kernel"
_BIAS = "bias"


def _zeros() -> Any:
    # No dtype here: add_weight's get_variable passes the variable's dtype at call time
    # (TF deprecated the constructor's dtype and logs a notice for it; values are equal).
    return tf.compat.v1.zeros_initializer()


class BasicRNNCell(RNNCell):
    """The most basic RNN cell: ``h' = activation(concat([x, h]) @ kernel + bias)``.

    Variables: ``basic_rnn_cell/kernel`` ``[input_depth + num_units, num_units]``
    (glorot uniform) and ``basic_rnn_cell/bias`` ``[num_units]`` (zeros).

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    activation : callable or str, optional
        Defaults to ``tanh``.
    reuse : bool, optional
        Reuse variables that already exist in the scope.
    name, dtype
        As for :class:`RNNCell`.
    """

    def __init__(
        self,
        num_units: int,
        activation: Callable | str | None = None,
        reuse: bool | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._num_units = check_num_units(num_units)
        self._activation = resolve_activation(activation)

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: tf.TensorShape) -> None:
        depth = inputs_shape[-1]
        self._kernel = self.add_weight(_WEIGHTS, [depth + self._num_units, self._num_units])
        self._bias = self.add_weight(_BIAS, [self._num_units], initializer=_zeros())

    def call(self, inputs: tf.Tensor, state: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        gate_inputs = tf.matmul(tf.concat([inputs, state], 1), self._kernel)
        output = self._activation(tf.nn.bias_add(gate_inputs, self._bias))
        return output, output


class GRUCell(RNNCell):
    """Gated recurrent unit (Cho et al., 2014) as TF1 computed it.

    ``r, u = sigmoid(concat([x, h]) @ gates/kernel + gates/bias)``;
    ``c = activation(concat([x, r*h]) @ candidate/kernel + candidate/bias)``;
    ``h' = u*h + (1-u)*c``. The gate bias starts at 1.0 unless
    ``bias_initializer`` is given.

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    activation : callable or str, optional
        Defaults to ``tanh``.
    reuse : bool, optional
    kernel_initializer, bias_initializer : initializer, optional
    name, dtype
        As for :class:`RNNCell`.
    """

    def __init__(
        self,
        num_units: int,
        activation: Callable | str | None = None,
        reuse: bool | None = None,
        kernel_initializer: Any = None,
        bias_initializer: Any = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._num_units = check_num_units(num_units)
        self._activation = resolve_activation(activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: tf.TensorShape) -> None:
        depth = inputs_shape[-1]
        units = self._num_units
        gate_bias_init = self._bias_initializer or tf.compat.v1.constant_initializer(1.0)
        self._gate_kernel = self.add_weight(
            f"gates/{_WEIGHTS}", [depth + units, 2 * units], self._kernel_initializer
        )
        self._gate_bias = self.add_weight(f"gates/{_BIAS}", [2 * units], gate_bias_init)
        self._candidate_kernel = self.add_weight(
            f"candidate/{_WEIGHTS}", [depth + units, units], self._kernel_initializer
        )
        self._candidate_bias = self.add_weight(
            f"candidate/{_BIAS}", [units], self._bias_initializer or _zeros()
        )

    def call(self, inputs: tf.Tensor, state: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        gate_inputs = tf.matmul(tf.concat([inputs, state], 1), self._gate_kernel)
        value = tf.sigmoid(tf.nn.bias_add(gate_inputs, self._gate_bias))
        r, u = tf.split(value=value, num_or_size_splits=2, axis=1)
        candidate = tf.matmul(tf.concat([inputs, r * state], 1), self._candidate_kernel)
        c = self._activation(tf.nn.bias_add(candidate, self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


def basic_lstm_step(
    inputs: tf.Tensor,
    c: tf.Tensor,
    h: tf.Tensor,
    kernel: tf.Tensor,
    bias: tf.Tensor,
    forget_bias: float = 1.0,
    activation: Callable = tf.tanh,
) -> tuple[tf.Tensor, tf.Tensor]:
    """One ``BasicLSTMCell`` step from weight tensors: returns ``(new_c, new_h)``.

    The cell and the in-graph training loops share it, so both compute TF1's
    ops in TF1's order.
    """
    gate_inputs = tf.nn.bias_add(tf.matmul(tf.concat([inputs, h], 1), kernel), bias)
    i, j, f, o = tf.split(value=gate_inputs, num_or_size_splits=4, axis=1)
    forget = tf.constant(forget_bias, dtype=f.dtype)
    new_c = tf.add(
        tf.multiply(c, tf.sigmoid(tf.add(f, forget))),
        tf.multiply(tf.sigmoid(i), activation(j)),
    )
    new_h = tf.multiply(activation(new_c), tf.sigmoid(o))
    return new_c, new_h


class BasicLSTMCell(RNNCell):
    """The LSTM cell of the legacy pipeline (Zaremba et al., 2014), exactly as TF1.

    ``z = concat([x, h]) @ kernel + bias``, split into gates ``i, j, f, o``;
    ``c' = c*sigmoid(f + forget_bias) + sigmoid(i)*activation(j)``;
    ``h' = activation(c')*sigmoid(o)``. ``forget_bias`` is a constant added at
    run time, not stored in ``bias``. Variables: ``basic_lstm_cell/kernel``
    ``[input_depth + num_units, 4*num_units]`` (glorot uniform) and
    ``basic_lstm_cell/bias`` ``[4*num_units]`` (zeros).

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    forget_bias : float, default=1.0
        Added to the forget gate's pre-activation.
    state_is_tuple : bool, default=True
        State as ``LSTMStateTuple(c, h)``; ``False`` concatenates ``[c, h]``.
    activation : callable or str, optional
        Defaults to ``tanh``.
    reuse : bool, optional
    name, dtype
        As for :class:`RNNCell`.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from tf_pipeline.compat.rnn import BasicLSTMCell, MultiRNNCell
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 1, 12])
    ...     cell = MultiRNNCell([BasicLSTMCell(40) for _ in range(2)])
    ...     out, state = tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    ...     out.shape.as_list()
    [None, 1, 40]
    """

    def __init__(
        self,
        num_units: int,
        forget_bias: float = 1.0,
        state_is_tuple: bool = True,
        activation: Callable | str | None = None,
        reuse: bool | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._num_units = check_num_units(num_units)
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = resolve_activation(activation)

    @property
    def state_size(self) -> LSTMStateTuple | int:
        if self._state_is_tuple:
            return LSTMStateTuple(self._num_units, self._num_units)
        return 2 * self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: tf.TensorShape) -> None:
        depth = inputs_shape[-1]
        units = self._num_units
        self._kernel = self.add_weight(_WEIGHTS, [depth + units, 4 * units])
        self._bias = self.add_weight(_BIAS, [4 * units], initializer=_zeros())

    def call(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, Any]:
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = tf.split(value=state, num_or_size_splits=2, axis=1)
        new_c, new_h = basic_lstm_step(
            inputs, c, h, self._kernel, self._bias, self._forget_bias, self._activation
        )
        if self._state_is_tuple:
            return new_h, LSTMStateTuple(new_c, new_h)
        return new_h, tf.concat([new_c, new_h], 1)


class LSTMCell(RNNCell):
    """LSTM with optional peepholes, cell clipping and projection (Sak et al., 2014).

    As TF1's ``LSTMCell``: gates ``i, j, f, o`` from ``concat([x, m]) @ kernel +
    bias``; with ``use_peepholes`` the diagonal weights ``w_f_diag``,
    ``w_i_diag``, ``w_o_diag`` look at the cell state; ``cell_clip`` clips
    ``c``; ``num_proj`` projects the output through ``projection/kernel`` and
    ``proj_clip`` clips the projection.

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    use_peepholes : bool, default=False
    cell_clip : float, optional
    initializer : initializer, optional
        For the kernel, peepholes and projection (default glorot uniform).
    num_proj : int, optional
        Output size after projection.
    proj_clip : float, optional
    num_unit_shards, num_proj_shards : int, optional
        Deprecated in TF1; shard the kernel / projection with a fixed-size
        partitioner.
    forget_bias : float, default=1.0
    state_is_tuple : bool, default=True
    activation : callable or str, optional
        Defaults to ``tanh``.
    reuse : bool, optional
    name, dtype
        As for :class:`RNNCell`.
    """

    def __init__(
        self,
        num_units: int,
        use_peepholes: bool = False,
        cell_clip: float | None = None,
        initializer: Any = None,
        num_proj: int | None = None,
        proj_clip: float | None = None,
        num_unit_shards: int | None = None,
        num_proj_shards: int | None = None,
        forget_bias: float = 1.0,
        state_is_tuple: bool = True,
        activation: Callable | str | None = None,
        reuse: bool | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._num_units = check_num_units(num_units)
        self._num_proj = None if num_proj is None else check_num_units(num_proj, "num_proj")
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._proj_clip = proj_clip
        self._num_unit_shards = num_unit_shards
        self._num_proj_shards = num_proj_shards
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = resolve_activation(activation)
        h_size = self._num_proj or self._num_units
        if state_is_tuple:
            self._state_size = LSTMStateTuple(self._num_units, h_size)
        else:
            self._state_size = self._num_units + h_size
        self._output_size = h_size

    @property
    def state_size(self) -> LSTMStateTuple | int:
        return self._state_size

    @property
    def output_size(self) -> int:
        return self._output_size

    def build(self, inputs_shape: tf.TensorShape) -> None:
        depth = inputs_shape[-1]
        units = self._num_units
        h_depth = self._num_proj or units
        self._kernel = self.add_weight(
            _WEIGHTS,
            [depth + h_depth, 4 * units],
            self._initializer,
            partitioner=_partitioner(self._num_unit_shards),
        )
        self._bias = self.add_weight(_BIAS, [4 * units], initializer=_zeros())
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", [units], self._initializer)
            self._w_i_diag = self.add_weight("w_i_diag", [units], self._initializer)
            self._w_o_diag = self.add_weight("w_o_diag", [units], self._initializer)
        if self._num_proj is not None:
            self._proj_kernel = self.add_weight(
                f"projection/{_WEIGHTS}",
                [units, self._num_proj],
                self._initializer,
                partitioner=_partitioner(self._num_proj_shards),
            )

    def call(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, Any]:
        h_size = self._num_proj or self._num_units
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = tf.slice(state, [0, 0], [-1, self._num_units])
            m_prev = tf.slice(state, [0, self._num_units], [-1, h_size])
        lstm_matrix = tf.matmul(tf.concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = tf.nn.bias_add(lstm_matrix, self._bias)
        i, j, f, o = tf.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = tf.sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev + tf.sigmoid(
                i + self._w_i_diag * c_prev
            ) * self._activation(j)
        else:
            c = tf.sigmoid(f + self._forget_bias) * c_prev + tf.sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = tf.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = tf.sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = tf.sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = tf.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = tf.clip_by_value(m, -self._proj_clip, self._proj_clip)
        if self._state_is_tuple:
            return m, LSTMStateTuple(c, m)
        return m, tf.concat([c, m], 1)


def _partitioner(shards: int | None) -> Any:
    if shards is None:
        return None
    return tf.compat.v1.fixed_size_partitioner(shards)
