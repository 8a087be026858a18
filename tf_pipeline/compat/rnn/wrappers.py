"""Cells made of cells: ``MultiRNNCell`` stacks, and the TF1 dropout/residual/device wrappers.

A wrapper adds no variable scope of its own (as in TF1), so wrapping a cell does not
change its variable names: ``rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel`` stays
the same with or without a ``DropoutWrapper``.
"""

from __future__ import annotations

import hashlib
import numbers
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from tf_pipeline.compat._seeds import outer_graph_op_seed
from tf_pipeline.compat.rnn.base import LSTMStateTuple, RNNCell


def _check_like_cell(cell: Any, name: str) -> None:
    missing = [attr for attr in ("output_size", "state_size") if not hasattr(type(cell), attr)]
    if not (hasattr(cell, "zero_state") or hasattr(cell, "get_initial_state")):
        missing.append("zero_state")
    if not callable(cell):
        missing.append("__call__")
    if missing:
        raise TypeError(
            f"`{name}` must be an RNN cell (with output_size, state_size, zero_state and "
            f"__call__), got {type(cell).__name__} lacking {', '.join(missing)}."
        )


class MultiRNNCell(RNNCell):
    """A stack of cells: layer ``i`` runs in variable scope ``cell_i``.

    Parameters
    ----------
    cells : list of RNNCell
        Cells in order, input first. The same object twice shares its weights.
    state_is_tuple : bool, default=True
        State as a tuple with one entry per cell; ``False`` concatenates them.
    """

    def __init__(self, cells: list[RNNCell], state_is_tuple: bool = True) -> None:
        super().__init__()
        if not isinstance(cells, (list, tuple)):
            raise TypeError(f"`cells` must be a list or tuple of cells, got {cells!r}.")
        if not cells:
            raise ValueError("`cells` must hold at least one cell, got an empty list.")
        for index, cell in enumerate(cells):
            _check_like_cell(cell, f"cells[{index}]")
        if not state_is_tuple and any(tf.nest.is_nested(c.state_size) for c in cells):
            sizes = [c.state_size for c in cells]
            raise ValueError(
                "`state_is_tuple` must be True when a cell has a tuple state "
                f"(state sizes: {sizes}), got False."
            )
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple

    @property
    def cells(self) -> list[RNNCell]:
        return list(self._cells)

    @property
    def state_size(self) -> Any:
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self) -> Any:
        return self._cells[-1].output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        if not self._state_is_tuple:
            return super().zero_state(batch_size, dtype)
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)

    @property
    def trainable_weights(self) -> list[tf.Variable]:
        if not self.trainable:
            return []
        return [w for cell in self._cells for w in getattr(cell, "trainable_weights", [])]

    @property
    def non_trainable_weights(self) -> list[tf.Variable]:
        weights = [w for cell in self._cells for w in getattr(cell, "non_trainable_weights", [])]
        if self.trainable:
            return weights
        return [w for cell in self._cells for w in getattr(cell, "trainable_weights", [])] + (
            weights
        )

    trainable_variables = trainable_weights

    def call(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, Any]:
        position = 0
        current = inputs
        new_states = []
        for index, cell in enumerate(self._cells):
            with tf.compat.v1.variable_scope(f"cell_{index}"):
                if self._state_is_tuple:
                    if not tf.nest.is_nested(state):
                        raise ValueError(
                            f"`state` must be a tuple of {len(self._cells)} states, got {state!r}."
                        )
                    cell_state = state[index]
                else:
                    cell_state = tf.slice(state, [0, position], [-1, cell.state_size])
                    position += cell.state_size
                current, new_state = cell(current, cell_state)
                new_states.append(new_state)
        if self._state_is_tuple:
            return current, tuple(new_states)
        return current, tf.concat(new_states, 1)


class _Wrapper(RNNCell):
    """Base of the wrappers: delegate sizes and state to ``cell``, add no scope."""

    def __init__(self, cell: Any, dtype: Any = None) -> None:
        super().__init__(dtype=dtype)
        _check_like_cell(cell, "cell")
        self.cell = cell

    @property
    def wrapped_cell(self) -> Any:
        return self.cell

    @property
    def state_size(self) -> Any:
        return self.cell.state_size

    @property
    def output_size(self) -> Any:
        return self.cell.output_size

    @property
    def trainable_weights(self) -> list[tf.Variable]:
        return list(getattr(self.cell, "trainable_weights", []))

    @property
    def non_trainable_weights(self) -> list[tf.Variable]:
        return list(getattr(self.cell, "non_trainable_weights", []))

    trainable_variables = trainable_weights

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> tuple[tf.Tensor, Any]:
        return self._call_wrapped_cell(inputs, state, scope)

    def _call_wrapped_cell(self, inputs: Any, state: Any, scope: Any) -> tuple[tf.Tensor, Any]:
        raise NotImplementedError


def _default_dropout_state_filter(substate: Any) -> Any:
    """TF1's default: never drop the LSTM cell state ``c``, only ``h``."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    if isinstance(substate, tf.TensorArray):
        return False
    return True


def _map_children(fn: Callable, *structures: Any) -> Any:
    """Apply ``fn`` to the direct children of same-shaped structures, keeping the type."""
    first = structures[0]
    if isinstance(first, dict):
        return type(first)((key, fn(*(s[key] for s in structures))) for key in first)
    children = [fn(*group) for group in zip(*structures, strict=True)]
    if hasattr(first, "_fields"):  # namedtuple, e.g. LSTMStateTuple
        return type(first)(*children)
    return type(first)(children)


def _dropout_mask(visitor: Callable, structure: Any) -> Any:
    """Booleans shaped like ``structure``: which leaves get dropout.

    ``visitor(substructure)`` answers with a bool (True recurses into a nested
    substructure) or with a structure of bools for its children, as TF1's
    ``dropout_state_filter_visitor`` does.
    """

    def resolve(verdict: Any, value: Any) -> Any:
        if isinstance(verdict, bool):
            if verdict and tf.nest.is_nested(value):
                return _map_children(lambda child: _dropout_mask(visitor, child), value)
            return tf.nest.map_structure(lambda _: verdict, value)
        return _map_children(resolve, verdict, value)

    return resolve(visitor(structure), structure)


class DropoutWrapper(_Wrapper):
    """Dropout on a cell's inputs, outputs and state, as TF1 applied it.

    Keep probabilities are in [0, 1]; 1.0 turns that dropout off. Each dropout
    op gets the seed TF1 derived from ``seed`` (md5 of the seed and a salt), so
    the same seed gives the same masks as TF1's wrapper under the same graph
    seed. With ``variational_recurrent=True`` one mask per sequence is drawn
    (Gal & Ghahramani, 2016); then ``dtype`` (and ``input_size`` when inputs
    are dropped) must be given.

    Parameters
    ----------
    cell : RNNCell
    input_keep_prob, output_keep_prob, state_keep_prob : float or scalar tensor
    variational_recurrent : bool, default=False
    input_size : int or nested ints, optional
    dtype : tf.DType, optional
    seed : int, optional
    dropout_state_filter_visitor : callable, optional
        Which parts of the state to drop; by default the LSTM ``c`` is kept.
    """

    def __init__(
        self,
        cell: Any,
        input_keep_prob: Any = 1.0,
        output_keep_prob: Any = 1.0,
        state_keep_prob: Any = 1.0,
        variational_recurrent: bool = False,
        input_size: Any = None,
        dtype: Any = None,
        seed: int | None = None,
        dropout_state_filter_visitor: Callable | None = None,
    ) -> None:
        super().__init__(cell, dtype=dtype)
        if dropout_state_filter_visitor is not None and not callable(dropout_state_filter_visitor):
            raise TypeError(
                "`dropout_state_filter_visitor` must be callable, "
                f"got {dropout_state_filter_visitor!r}."
            )
        self._dropout_state_filter = dropout_state_filter_visitor or (
            _default_dropout_state_filter
        )
        for value, attr in (
            (input_keep_prob, "input_keep_prob"),
            (state_keep_prob, "state_keep_prob"),
            (output_keep_prob, "output_keep_prob"),
        ):
            setattr(self, f"_{attr}", self._check_keep_prob(value, attr))
        self._variational_recurrent = variational_recurrent
        self._input_size = input_size
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            self._draw_variational_noise(dtype, input_size)

    @staticmethod
    def _check_keep_prob(value: Any, name: str) -> Any:
        # A keep probability of 0 would drop everything (TF1 refused it too): (0, 1].
        if isinstance(value, (str, bytes, bool)):
            raise TypeError(
                f"`{name}` must be a float in (0, 1] or a scalar tensor, got {value!r}."
            )
        if isinstance(value, numbers.Real):
            if not 0.0 < value <= 1.0:
                raise ValueError(f"`{name}` must be in (0, 1], got {value}.")
            return float(value)
        tensor = tf.convert_to_tensor(value)
        constant = tf.get_static_value(tensor)
        if constant is None:
            return tensor
        if not 0.0 < float(constant) <= 1.0:
            raise ValueError(f"`{name}` must be in (0, 1], got {float(constant)}.")
        return float(constant)

    def _draw_variational_noise(self, dtype: Any, input_size: Any) -> None:
        if dtype is None:
            raise ValueError("`dtype` must be given when `variational_recurrent=True`, got None.")

        def batch_noise(size: Any, inner_seed: int | None) -> tf.Tensor:
            shape = tf.concat(([1], tf.TensorShape(size).as_list()), 0)
            return tf.random.uniform(shape, seed=inner_seed, dtype=dtype)

        def noise_for(sizes: Any, salt: str) -> Any:
            flat = [
                batch_noise(size, self._gen_seed(salt, i))
                for i, size in enumerate(tf.nest.flatten(sizes))
            ]
            return tf.nest.pack_sequence_as(sizes, flat)

        if not isinstance(self._input_keep_prob, float) or self._input_keep_prob < 1.0:
            if input_size is None:
                raise ValueError(
                    "`input_size` must be given when `variational_recurrent=True` and "
                    "`input_keep_prob` < 1, got None."
                )
            self._recurrent_input_noise = noise_for(input_size, "input")
        self._recurrent_state_noise = noise_for(self.cell.state_size, "state")
        self._recurrent_output_noise = noise_for(self.cell.output_size, "output")

    def _gen_seed(self, salt_prefix: str, index: int) -> int | None:
        if self._seed is None:
            return None
        text = f"{self._seed}{salt_prefix}_{index}".encode()
        return int(hashlib.md5(text).hexdigest()[:8], 16) & 0x7FFFFFFF

    def _dropout(
        self, values: Any, salt: str, noise: Any, keep_prob: Any, mask: Any = None
    ) -> Any:
        """Drop the leaves of ``values`` selected by ``mask`` (all by default).

        Leaf ``i`` (in ``tf.nest.flatten`` order) gets seed ``_gen_seed(salt, i)``,
        the numbering TF1 used, so masks match TF1's for the same seeds.
        """
        flat_values = tf.nest.flatten(values)
        flat_mask = tf.nest.flatten(mask) if mask is not None else [True] * len(flat_values)
        flat_noise = tf.nest.flatten(noise) if noise is not None else [None] * len(flat_values)
        dropped = []
        for i, (keep, value, leaf_noise) in enumerate(
            zip(flat_mask, flat_values, flat_noise, strict=True)
        ):
            if not keep:
                dropped.append(value)
            elif self._variational_recurrent:
                # One noise draw per sequence: the same units are dropped at every step.
                result = tf.divide(value, keep_prob) * tf.floor(keep_prob + leaf_noise)
                result.set_shape(value.get_shape())
                dropped.append(result)
            else:
                # Unseeded, TF 1.x drew the op seed from the graph, also inside
                # dynamic_rnn's loop (see compat._seeds).
                seed = outer_graph_op_seed(self._gen_seed(salt, i))
                dropped.append(tf.nn.dropout(value, rate=1.0 - keep_prob, seed=seed))
        return tf.nest.pack_sequence_as(values, dropped)

    def _call_wrapped_cell(self, inputs: Any, state: Any, scope: Any) -> tuple[tf.Tensor, Any]:
        def should_drop(p: Any) -> bool:
            return not isinstance(p, float) or p < 1

        if should_drop(self._input_keep_prob):
            inputs = self._dropout(
                inputs, "input", self._recurrent_input_noise, self._input_keep_prob
            )
        output, new_state = self.cell(inputs, state, scope=scope)
        if should_drop(self._state_keep_prob):
            mask = _dropout_mask(self._dropout_state_filter, new_state)
            new_state = self._dropout(
                new_state, "state", self._recurrent_state_noise, self._state_keep_prob, mask
            )
        if should_drop(self._output_keep_prob):
            output = self._dropout(
                output, "output", self._recurrent_output_noise, self._output_keep_prob
            )
        return output, new_state


class ResidualWrapper(_Wrapper):
    """Adds the cell's input to its output: ``output = inputs + cell(inputs)``.

    Parameters
    ----------
    cell : RNNCell
        Its output size must equal its input depth (for the default residual).
    residual_fn : callable, optional
        ``residual_fn(inputs, outputs)`` replacing the sum.
    """

    def __init__(self, cell: Any, residual_fn: Callable | None = None) -> None:
        super().__init__(cell)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs: Any, state: Any, scope: Any) -> tuple[tf.Tensor, Any]:
        outputs, new_state = self.cell(inputs, state, scope=scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, outputs), new_state

        def add(inp: tf.Tensor, out: tf.Tensor) -> tf.Tensor:
            if not inp.shape.is_compatible_with(out.shape):
                raise ValueError(
                    f"ResidualWrapper needs the cell's output shape to match its input, "
                    f"got input {inp.shape} and output {out.shape}."
                )
            return inp + out

        tf.nest.assert_same_structure(inputs, outputs)
        return tf.nest.map_structure(add, inputs, outputs), new_state


class DeviceWrapper(_Wrapper):
    """Runs the cell's ops on ``device``."""

    def __init__(self, cell: Any, device: str) -> None:
        super().__init__(cell)
        self._device = device

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with tf.device(self._device):
            return super().zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs: Any, state: Any, scope: Any) -> tuple[tf.Tensor, Any]:
        with tf.device(self._device):
            return self.cell(inputs, state, scope=scope)
