"""``tf.contrib.rnn``'s block cells: ``LSTMBlockCell``, ``GRUBlockCell``, ``GRUBlockCellV2``.

TF1 ran these as single fused kernels (``LSTMBlockCell``, ``GRUBlockCell``) whose
gradients were registered by ``tf.contrib``; TensorFlow 2 still ships the forward kernels
as ``tf.raw_ops`` but no gradient for them. These cells compute the kernels' equations
with ordinary ops in the kernels' order, so they train with autodiff and their variables
(names, shapes, initialisers) are the TF1 ones: a TF1 checkpoint restores by name.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.rnn import LSTMBlockCell
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3])
...     out, state = tf.compat.v1.nn.dynamic_rnn(LSTMBlockCell(8), x, dtype=tf.float32)
...     [v.op.name for v in tf.compat.v1.global_variables()]
['rnn/lstm_cell/kernel', 'rnn/lstm_cell/bias']
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline.compat.rnn.base import LSTMStateTuple, RNNCell, check_num_units


def _constant(value: float) -> Any:
    # No dtype here: add_weight's get_variable passes the variable's dtype at call time
    # (TF deprecated the constructor's dtype and logs a notice for it; values are equal).
    return tf.compat.v1.constant_initializer(value)


def _check_cell_clip(cell_clip: Any) -> float | None:
    if cell_clip is None:
        return None
    if isinstance(cell_clip, bool) or not isinstance(cell_clip, numbers.Real):
        raise TypeError(f"`cell_clip` must be a float or None, got {cell_clip!r}.")
    return float(cell_clip)


def _clip_straight_through(value: tf.Tensor, limit: float) -> tf.Tensor:
    """``clip_by_value(value, -limit, limit)`` whose gradient ignores the clipping.

    TF1's ``LSTMBlockCellGrad`` kernel backpropagates through the clipped cell state
    as if it were not clipped; training matches TF1 only with the same gradient.
    """

    @tf.custom_gradient
    def clip(x: tf.Tensor) -> tuple[tf.Tensor, Callable]:
        return tf.clip_by_value(x, -limit, limit), lambda upstream: upstream

    return clip(value)


def lstm_block_step(
    inputs: tf.Tensor,
    cs_prev: tf.Tensor,
    h_prev: tf.Tensor,
    kernel: tf.Tensor,
    bias: tf.Tensor,
    forget_bias: float = 1.0,
    cell_clip: float | None = None,
    peepholes: tuple[tf.Tensor, tf.Tensor, tf.Tensor] | None = None,
) -> tuple[tf.Tensor, tf.Tensor]:
    """One step of TF1's ``LSTMBlockCell`` kernel: returns ``(cs, h)``.

    ``[i, ci, f, o] = [x, h_prev] @ kernel + bias``; with peepholes
    ``(wci, wcf, wco)`` the input and forget gates see ``cs_prev`` and the output
    gate sees the new ``cs``; ``cs`` is clipped to ``[-cell_clip, cell_clip]`` only
    when ``cell_clip > 0`` (the kernel's rule; ``None`` or ``-1`` mean no clipping), and
    the gradient flows through the clip unchanged, as in TF1's gradient kernel.
    """
    gates = tf.nn.bias_add(tf.matmul(tf.concat([inputs, h_prev], 1), kernel), bias)
    i, ci, f, o = tf.split(value=gates, num_or_size_splits=4, axis=1)
    f = f + tf.constant(forget_bias, dtype=f.dtype)
    if peepholes is not None:
        wci, wcf, wco = peepholes
        i = i + cs_prev * wci
        f = f + cs_prev * wcf
    cs = tf.tanh(ci) * tf.sigmoid(i) + cs_prev * tf.sigmoid(f)
    if cell_clip is not None and cell_clip > 0:
        cs = _clip_straight_through(cs, cell_clip)
    if peepholes is not None:
        o = o + cs * wco
    h = tf.tanh(cs) * tf.sigmoid(o)
    return cs, h


class LSTMBlockCell(RNNCell):
    """TF1's ``tf.contrib.rnn.LSTMBlockCell``: the fused LSTM kernel's equations.

    Numerically the LSTM of ``BasicLSTMCell`` (gates ``i, ci, f, o``, ``forget_bias``
    added at run time), with optional peepholes and cell clipping. The state is always
    an ``LSTMStateTuple(c, h)`` and the activation is always ``tanh``. As with TF1's
    fused kernel, the gradient passes through ``cell_clip`` as if there were no clip.

    Variables (scope ``lstm_cell``, as ``LSTMCell``'s, so checkpoints interchange):
    ``kernel`` ``[input_depth + num_units, 4*num_units]`` (the scope's default
    initializer, glorot uniform), ``bias`` ``[4*num_units]`` (zeros), and with
    ``use_peephole`` ``w_i_diag``, ``w_f_diag``, ``w_o_diag`` ``[num_units]``.

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    forget_bias : float, default=1.0
        Added to the forget gate's pre-activation.
    cell_clip : float, optional
        Clip the cell state to ``[-cell_clip, cell_clip]``; ``None`` or a value
        <= 0 disables clipping (TF1's default was -1).
    use_peephole : bool, default=False
        Diagonal peephole connections from the cell state to the gates.
    dtype : tf.DType, optional
    reuse : bool, optional
    name : str, default="lstm_cell"

    Examples
    --------
    >>> import tensorflow as tf
    >>> from tf_pipeline.compat.rnn import LSTMBlockCell
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3])
    ...     cell = LSTMBlockCell(4, use_peephole=True, cell_clip=3.0)
    ...     out, _ = tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    ...     out.shape.as_list()
    [None, 5, 4]
    """

    def __init__(
        self,
        num_units: int,
        forget_bias: float = 1.0,
        cell_clip: float | None = None,
        use_peephole: bool = False,
        dtype: Any = None,
        reuse: bool | None = None,
        name: str = "lstm_cell",
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._num_units = check_num_units(num_units)
        self._forget_bias = forget_bias
        self._cell_clip = _check_cell_clip(cell_clip)
        self._use_peephole = use_peephole

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: tf.TensorShape) -> None:
        depth = inputs_shape[-1]
        units = self._num_units
        self._kernel = self.add_weight("kernel", [depth + units, 4 * units])
        self._bias = self.add_weight("bias", [4 * units], _constant(0.0))
        if self._use_peephole:
            self._w_i_diag = self.add_weight("w_i_diag", [units])
            self._w_f_diag = self.add_weight("w_f_diag", [units])
            self._w_o_diag = self.add_weight("w_o_diag", [units])

    def call(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, LSTMStateTuple]:
        if len(state) != 2:
            raise ValueError(
                f"`state` of LSTMBlockCell must be a (c, h) tuple, got {len(state)} tensors."
            )
        cs_prev, h_prev = state
        peepholes = (
            (self._w_i_diag, self._w_f_diag, self._w_o_diag) if self._use_peephole else None
        )
        cs, h = lstm_block_step(
            inputs,
            cs_prev,
            h_prev,
            self._kernel,
            self._bias,
            self._forget_bias,
            self._cell_clip,
            peepholes,
        )
        return h, LSTMStateTuple(cs, h)


def gru_block_step(
    inputs: tf.Tensor,
    h_prev: tf.Tensor,
    w_ru: tf.Tensor,
    b_ru: tf.Tensor,
    w_c: tf.Tensor,
    b_c: tf.Tensor,
) -> tf.Tensor:
    """One step of TF1's ``GRUBlockCell`` kernel: returns the new ``h``.

    ``r, u = sigmoid([x, h_prev] @ w_ru + b_ru)``;
    ``c = tanh([x, r*h_prev] @ w_c + b_c)``; ``h = u*(h_prev - c) + c``
    (the kernel's form of ``u*h_prev + (1-u)*c``).
    """
    r_u = tf.sigmoid(tf.nn.bias_add(tf.matmul(tf.concat([inputs, h_prev], 1), w_ru), b_ru))
    r, u = tf.split(value=r_u, num_or_size_splits=2, axis=1)
    c_bar = tf.matmul(tf.concat([inputs, h_prev * r], 1), w_c)
    c = tf.tanh(tf.nn.bias_add(c_bar, b_c))
    return u * (h_prev - c) + c


class GRUBlockCell(RNNCell):
    """TF1's ``tf.contrib.rnn.GRUBlockCell``: the fused GRU kernel's equations.

    The GRU of ``GRUCell`` (reset gate first, update gate second, candidate on
    ``r*h``) with TF1's block-cell variable names, in scope ``gru_cell``:
    ``w_ru`` ``[input_depth + num_units, 2*num_units]``, ``b_ru`` ``[2*num_units]``
    (ones), ``w_c`` ``[input_depth + num_units, num_units]``, ``b_c``
    ``[num_units]`` (zeros). ``GRUCell``'s ``gates/kernel``, ``gates/bias``,
    ``candidate/kernel``, ``candidate/bias`` are the same tensors under other names
    (see :class:`GRUBlockCellV2`, which uses those names).

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    cell_size : int, optional
        The deprecated TF1 name of ``num_units``; give exactly one of the two.
    reuse : bool, optional
    name : str, default="gru_cell"
    """

    _names = {"w_ru": "w_ru", "b_ru": "b_ru", "w_c": "w_c", "b_c": "b_c"}

    def __init__(
        self,
        num_units: int | None = None,
        cell_size: int | None = None,
        reuse: bool | None = None,
        name: str = "gru_cell",
    ) -> None:
        super().__init__(name=name, _reuse=reuse)
        if (cell_size is None) == (num_units is None):
            raise ValueError(
                "`num_units` must be given exactly once (or as the deprecated `cell_size`), "
                f"got num_units={num_units!r}, cell_size={cell_size!r}."
            )
        self._cell_size = check_num_units(
            num_units if num_units is not None else cell_size,
            "num_units" if num_units is not None else "cell_size",
        )

    @property
    def state_size(self) -> int:
        return self._cell_size

    @property
    def output_size(self) -> int:
        return self._cell_size

    def build(self, inputs_shape: tf.TensorShape) -> None:
        rows = inputs_shape[-1] + self._cell_size
        units = self._cell_size
        names = self._names
        self._w_ru = self.add_weight(names["w_ru"], [rows, 2 * units])
        self._b_ru = self.add_weight(names["b_ru"], [2 * units], _constant(1.0))
        self._w_c = self.add_weight(names["w_c"], [rows, units])
        self._b_c = self.add_weight(names["b_c"], [units], _constant(0.0))

    def call(self, inputs: tf.Tensor, state: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        state = tf.convert_to_tensor(state)
        depth = state.shape.with_rank(2)[1]
        if depth is not None and depth != self._cell_size:
            raise ValueError(
                f"`state` of {type(self).__name__} must have {self._cell_size} columns "
                f"(num_units), got shape {state.shape}."
            )
        new_h = gru_block_step(inputs, state, self._w_ru, self._b_ru, self._w_c, self._b_c)
        return new_h, new_h


class GRUBlockCellV2(GRUBlockCell):
    """``GRUBlockCell`` with ``GRUCell``'s variable names.

    ``gates/kernel``, ``gates/bias``, ``candidate/kernel``, ``candidate/bias`` under
    ``gru_cell``: a checkpoint of ``GRUCell`` restores into it and back.
    """

    _names = {
        "w_ru": "gates/kernel",
        "b_ru": "gates/bias",
        "w_c": "candidate/kernel",
        "b_c": "candidate/bias",
    }


class LSTMBlockFusedCell(RNNCell):
    """TF1's ``tf.contrib.rnn.LSTMBlockFusedCell``: a whole LSTM sequence in one kernel.

    Runs ``tf.raw_ops.BlockLSTM`` (the fused kernel TF1 used, whose gradient TensorFlow 2
    still registers) over time-major inputs. The equations are :class:`LSTMBlockCell`'s;
    variables, in scope ``lstm_fused_cell``: ``kernel``
    ``[input_depth + num_units, 4*num_units]``, ``bias`` ``[4*num_units]`` (zeros) and
    with ``use_peephole`` ``w_i_diag``, ``w_f_diag``, ``w_o_diag``.

    Call it as ``outputs, state = cell(inputs, initial_state=None, dtype=None,
    sequence_length=None)`` with ``inputs`` ``[time, batch, depth]`` (or a list of
    ``[batch, depth]`` tensors, then ``outputs`` is a list too); outputs past a
    sequence's length are zero and ``state`` is its ``LSTMStateTuple`` at its last step.

    Parameters
    ----------
    num_units : int
        Units in the cell, >= 1.
    forget_bias : float, default=1.0
    cell_clip : float, optional
        As for :class:`LSTMBlockCell`.
    use_peephole : bool, default=False
    reuse : bool, optional
    dtype : tf.DType, optional
    name : str, default="lstm_fused_cell"

    Examples
    --------
    >>> import tensorflow as tf
    >>> from tf_pipeline.compat.rnn import LSTMBlockFusedCell
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [5, None, 3])  # time-major
    ...     out, state = LSTMBlockFusedCell(4)(x, dtype=tf.float32)
    ...     out.shape.as_list(), tf.compat.v1.global_variables()[0].op.name
    ([5, None, 4], 'lstm_fused_cell/kernel')
    """

    def __init__(
        self,
        num_units: int,
        forget_bias: float = 1.0,
        cell_clip: float | None = None,
        use_peephole: bool = False,
        reuse: bool | None = None,
        dtype: Any = None,
        name: str = "lstm_fused_cell",
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse)
        self._num_units = check_num_units(num_units)
        self._forget_bias = forget_bias
        self._cell_clip = _check_cell_clip(cell_clip)
        self._use_peephole = use_peephole

    @property
    def num_units(self) -> int:
        """Number of units (the output depth)."""
        return self._num_units

    @property
    def state_size(self) -> LSTMStateTuple:
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, inputs_shape: tf.TensorShape) -> None:
        depth = inputs_shape[-1]
        units = self._num_units
        self._kernel = self.add_weight("kernel", [depth + units, 4 * units])
        self._bias = self.add_weight("bias", [4 * units], _constant(0.0))
        if self._use_peephole:
            self._w_i_diag = self.add_weight("w_i_diag", [units])
            self._w_f_diag = self.add_weight("w_f_diag", [units])
            self._w_o_diag = self.add_weight("w_o_diag", [units])

    def __call__(  # type: ignore[override]
        self,
        inputs: Any,
        initial_state: Any = None,
        dtype: Any = None,
        sequence_length: Any = None,
        scope: Any = None,
    ) -> tuple[Any, LSTMStateTuple]:
        """Run the LSTM over ``inputs``; returns ``(outputs, final_state)``."""
        is_list = isinstance(inputs, list)
        inputs = tf.stack(inputs) if is_list else tf.convert_to_tensor(inputs, name="inputs")
        if inputs.shape.rank != 3 or inputs.shape[2] is None:
            raise ValueError(
                "`inputs` of LSTMBlockFusedCell must be [time, batch, depth] with a known "
                f"depth (or a list of [batch, depth] tensors), got shape {inputs.shape}."
            )
        if self._scope is None:
            self._capture_scope(scope)
        reuse = True if self.built else self._reuse
        with tf.compat.v1.variable_scope(
            self._scope, reuse=reuse, auxiliary_name_scope=False
        ) as current:
            with tf.compat.v1.name_scope(current.original_name_scope):
                if not self.built:
                    if self._dtype is None:
                        self._dtype = inputs.dtype.base_dtype
                    with tf.init_scope():
                        self.build(inputs.shape)
                    self.built = True
                outputs, state = self._run(inputs, initial_state, dtype, sequence_length)
        return (tf.unstack(outputs) if is_list else outputs), state

    def _run(
        self, inputs: tf.Tensor, initial_state: Any, dtype: Any, sequence_length: Any
    ) -> tuple[tf.Tensor, LSTMStateTuple]:
        time_len = inputs.shape[0] if inputs.shape[0] is not None else tf.shape(inputs)[0]
        batch_size = inputs.shape[1] if inputs.shape[1] is not None else tf.shape(inputs)[1]
        if initial_state is None:
            if dtype is None:
                raise ValueError(
                    "`dtype` must be given when `initial_state` is None, got dtype=None."
                )
            zeros = tf.zeros(tf.stack([batch_size, self._num_units]), dtype=dtype)
            initial_state = (zeros, zeros)
        elif len(initial_state) != 2:
            raise ValueError(
                "`initial_state` must be None or a (cell_state, output) tuple, "
                f"got {len(initial_state)} tensors."
            )
        dtype = dtype or initial_state[0].dtype
        cs_prev, h_prev = initial_state
        if self._use_peephole:
            wci, wcf, wco = self._w_i_diag, self._w_f_diag, self._w_o_diag
        else:
            wci = wcf = wco = tf.zeros([self._num_units], dtype=dtype)
        if sequence_length is None:
            max_len = tf.cast(time_len, tf.int64)
        else:
            sequence_length = tf.convert_to_tensor(sequence_length)
            max_len = tf.cast(tf.reduce_max(sequence_length), tf.int64)
        _, cell_states, _, _, _, _, outputs = tf.raw_ops.BlockLSTM(
            seq_len_max=max_len,
            x=inputs,
            cs_prev=cs_prev,
            h_prev=h_prev,
            w=self._kernel,
            wci=wci,
            wcf=wcf,
            wco=wco,
            b=self._bias,
            forget_bias=self._forget_bias,
            cell_clip=self._cell_clip if self._cell_clip is not None else -1.0,
            use_peephole=self._use_peephole,
        )
        if sequence_length is None:
            return outputs, LSTMStateTuple(cell_states[-1], outputs[-1])
        mask = tf.transpose(tf.sequence_mask(sequence_length, time_len, dtype=dtype), [1, 0])
        outputs *= tf.tile(tf.expand_dims(mask, -1), [1, 1, self._num_units])
        # Index 0 is the initial state, so a sequence's last step is at its length.
        indices = tf.stack([tf.cast(sequence_length, tf.int32), tf.range(batch_size)], axis=1)
        final_c = tf.gather_nd(tf.concat([cs_prev[None], cell_states], 0), indices)
        final_h = tf.gather_nd(tf.concat([h_prev[None], outputs], 0), indices)
        return outputs, LSTMStateTuple(final_c, final_h)
