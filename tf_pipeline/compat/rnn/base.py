"""``RNNCell``: the TF1 cell protocol and variable-scope rules, on public TensorFlow API.

TF1 cells were ``tf.layers.Layer`` objects; under Keras 3 that base class is gone.
This base keeps the parts that decide variable names and sharing:

- on its first call a cell captures a variable scope named after the cell
  (``basic_lstm_cell``, uniquified as ``basic_lstm_cell_1`` the way
  ``tf.compat.v1.variable_scope(None, default_name=...)`` does), under the scope
  that is current at that moment (``rnn/multi_rnn_cell/cell_0`` inside
  ``dynamic_rnn`` and ``MultiRNNCell``);
- ``build`` runs once, creating variables with ``tf.compat.v1.get_variable`` in
  that scope, so names match TF1 checkpoints exactly;
- every later call re-enters the captured scope with ``reuse=True``: one cell
  object always means one set of weights, as in TF1.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline._checks import check_int

_LSTMStateTupleBase = collections.namedtuple("LSTMStateTuple", ("c", "h"))


class LSTMStateTuple(_LSTMStateTupleBase):
    """State of an LSTM cell: ``(c, h)``, the cell state and the output.

    A namedtuple, so ``tf.nest`` and ``dynamic_rnn`` treat it as a structure.
    """

    __slots__ = ()

    @property
    def dtype(self) -> tf.DType:
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype} vs {h.dtype}.")
        return c.dtype


def _snake_case(name: str) -> str:
    """``BasicLSTMCell`` -> ``basic_lstm_cell``, the TF1 layer naming rule."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()


def check_float_dtype(dtype: Any, name: str) -> tf.DType | None:
    """Return ``dtype`` as a ``tf.DType`` if it is floating point (or None)."""
    if dtype is None:
        return None
    dtype = tf.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_complex):
        raise TypeError(
            f"`{name}` must be a floating-point dtype (RNN cells use sigmoid and tanh), "
            f"got {dtype.name}. Cast the input, e.g. `tf.cast(x, tf.float32)`."
        )
    return dtype


def resolve_activation(activation: Callable | str | None) -> Callable:
    """``None`` -> tanh (the TF1 default); a name -> the ``tf.nn``/``tf.math`` op."""
    if activation is None:
        return tf.tanh
    if callable(activation):
        return activation
    function = getattr(tf.nn, activation, None) or getattr(tf.math, activation, None)
    if function is None:
        raise ValueError(
            f"`activation` must be a callable or the name of a tf.nn / tf.math op, "
            f"got {activation!r}."
        )
    return function


def check_num_units(num_units: Any, name: str = "num_units") -> int:
    return check_int(num_units, name, minimum=1)


def _zeros_for(size: Any, batch_size: Any, dtype: tf.DType) -> tf.Tensor:
    """Zeros of shape ``[batch_size] + size`` with as much static shape as known."""
    inner = tf.TensorShape(size).as_list()
    if isinstance(batch_size, tf.Tensor):
        static_batch = tf.get_static_value(batch_size)
        batch_vector = tf.reshape(tf.cast(batch_size, tf.int32), [1])
        zeros = tf.zeros(tf.concat([batch_vector, tf.constant(inner, tf.int32)], 0), dtype)
        zeros.set_shape([None if static_batch is None else int(static_batch)] + inner)
        return zeros
    return tf.zeros([int(batch_size)] + inner, dtype)


class RNNCell:
    """Abstract TF1 RNN cell: ``output, new_state = cell(inputs, state)``.

    Subclasses define ``state_size``, ``output_size``, ``build(inputs_shape)``
    (creating variables with :meth:`add_weight`) and ``call(inputs, state)``.
    Cells are callable inside a ``tf.Graph``; ``tf.compat.v1.nn.dynamic_rnn``,
    ``static_rnn`` and ``raw_rnn`` accept them.

    Parameters
    ----------
    trainable : bool, default=True
        Whether the variables go to the ``TRAINABLE_VARIABLES`` collection.
    name : str, optional
        Base name of the cell's variable scope; defaults to the snake-cased
        class name (``basic_lstm_cell``).
    dtype : tf.DType, optional
        Variable dtype; by default inferred from the first inputs.

    Examples
    --------
    >>> import tensorflow as tf
    >>> from tf_pipeline.compat.rnn import BasicLSTMCell
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 1, 12])
    ...     out, state = tf.compat.v1.nn.dynamic_rnn(BasicLSTMCell(40), x, dtype=tf.float32)
    ...     [v.name for v in tf.compat.v1.global_variables()]
    ['rnn/basic_lstm_cell/kernel:0', 'rnn/basic_lstm_cell/bias:0']
    """

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        _reuse: bool | None = None,
    ) -> None:
        self.trainable = trainable
        self._base_name = name or _snake_case(type(self).__name__)
        self._dtype = check_float_dtype(dtype, "dtype")
        self._reuse = _reuse
        self._scope: tf.compat.v1.VariableScope | None = None
        self._input_depth: int | None = None
        self._trainable_weights: list[tf.Variable] = []
        self._non_trainable_weights: list[tf.Variable] = []
        self.built = False

    # -- the protocol dynamic_rnn relies on -------------------------------------------
    @property
    def state_size(self) -> Any:
        raise NotImplementedError("Abstract property: define `state_size` in the subclass.")

    @property
    def output_size(self) -> Any:
        raise NotImplementedError("Abstract property: define `output_size` in the subclass.")

    def build(self, inputs_shape: tf.TensorShape) -> None:
        """Create the variables; called once, inside the cell's variable scope."""

    def call(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, Any]:
        raise NotImplementedError("Abstract method: define `call(inputs, state)`.")

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """Zero-filled state of structure ``state_size`` for ``batch_size`` rows."""
        dtype = tf.as_dtype(dtype)
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return tf.nest.map_structure(
                lambda size: _zeros_for(size, batch_size, dtype), self.state_size
            )

    def get_initial_state(
        self, inputs: Any = None, batch_size: Any = None, dtype: Any = None
    ) -> Any:
        """Zero state sized from ``inputs`` or from ``batch_size`` and ``dtype``."""
        if inputs is not None:
            inputs = tf.convert_to_tensor(inputs, name="inputs")
            batch_size = inputs.shape[0] or tf.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(
                "`batch_size` and `dtype` must both be given when `inputs` is None, "
                f"got batch_size={batch_size}, dtype={dtype}."
            )
        return self.zero_state(batch_size, dtype)

    # -- variables ---------------------------------------------------------------------
    @property
    def dtype(self) -> tf.DType | None:
        return self._dtype

    @property
    def trainable_weights(self) -> list[tf.Variable]:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[tf.Variable]:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> list[tf.Variable]:
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = trainable_weights
    variables = weights

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError(
                f"The cell {self._base_name!r} has no scope yet: it is set on the first "
                "call. Call the cell (or run it with dynamic_rnn) before asking."
            )
        return self._scope.name

    def add_weight(
        self,
        name: str,
        shape: Any,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        partitioner: Any = None,
    ) -> tf.Variable:
        """Create (or, on reuse, fetch) a variable in the cell's scope."""
        variable = tf.compat.v1.get_variable(
            name,
            shape=shape,
            dtype=dtype or self._dtype or tf.float32,
            initializer=initializer,
            trainable=trainable and self.trainable,
            partitioner=partitioner,
        )
        in_trainable = any(variable is v for v in tf.compat.v1.trainable_variables())
        target = self._trainable_weights if in_trainable else self._non_trainable_weights
        if all(variable is not v for v in target):
            target.append(variable)
        return variable

    add_variable = add_weight  # TF1 cells called it add_variable

    # -- calling ----------------------------------------------------------------------
    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple[tf.Tensor, Any]:
        """Run one step: returns ``(output, new_state)``.

        Parameters
        ----------
        inputs : tf.Tensor of shape [batch, input_depth]
        state : tf.Tensor or nested tuple matching ``state_size``
        scope : str or VariableScope, optional
            Scope for the variables on the first call; defaults to the cell name.
        """
        if self._scope is None:
            self._capture_scope(scope)
        reuse = True if self.built else self._reuse
        with tf.compat.v1.variable_scope(
            self._scope, reuse=reuse, auxiliary_name_scope=False
        ) as current:
            with tf.compat.v1.name_scope(current.original_name_scope):
                inputs = self._check_inputs(inputs)
                if not self.built:
                    if self._dtype is None:
                        self._dtype = inputs.dtype.base_dtype
                    # dynamic_rnn calls the cell inside a while-loop body (a function
                    # graph); variables must live in the outer graph, as TF1's layers did.
                    with tf.init_scope():
                        self.build(inputs.shape)
                    self._input_depth = inputs.shape[-1]
                    self.built = True
                return self.call(inputs, state)

    def _capture_scope(self, scope: Any) -> None:
        if self._reuse:
            with tf.compat.v1.variable_scope(
                scope if scope is not None else self._base_name
            ) as captured:
                self._scope = captured
        else:
            with tf.compat.v1.variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

    def _check_inputs(self, inputs: Any) -> tf.Tensor:
        """Rank 2, known depth, float dtype, and the depth the cell was built with."""
        inputs = tf.convert_to_tensor(inputs, name="inputs")
        if inputs.shape.rank is not None and inputs.shape.rank != 2:
            raise ValueError(
                f"`inputs` of {type(self).__name__} must have rank 2 "
                f"[batch_size, input_depth], got shape {inputs.shape}. "
                "Use tf.nn.dynamic_rnn for [batch, time, depth] sequences."
            )
        check_float_dtype(inputs.dtype, "inputs.dtype")
        depth = inputs.shape[-1] if inputs.shape.rank is not None else None
        if depth is None:
            raise ValueError(
                f"`inputs` of {type(self).__name__} must have a known last dimension, "
                f"got shape {inputs.shape}."
            )
        if self._input_depth is not None and depth != self._input_depth:
            raise ValueError(
                f"`inputs` depth must be {self._input_depth}, the depth "
                f"{self.scope_name} was built with, got {depth}. A reused cell shares "
                "its weights; use a new cell for inputs of another depth."
            )
        return inputs
