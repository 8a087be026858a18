"""The RNN-running functions of ``tf.contrib.rnn``: static RNNs and stacked bidirectional RNNs.

``static_bidirectional_rnn`` and ``static_state_saving_rnn`` are TensorFlow's own
``tf.compat.v1.nn`` functions, which accept our cells unchanged; ``dynamic_rnn`` and
``static_rnn`` are TensorFlow's too, called through thin wrappers that leave a
:mod:`~tf_pipeline.compat.records` entry (cell, inputs, outputs, final state) while a
migration trace records, so the converter sees the sequence-level computation.
``stack_bidirectional_rnn`` and ``stack_bidirectional_dynamic_rnn`` (contrib only, gone
in TF 2) are rebuilt here as TF1 built them: one bidirectional layer per pair of cells,
each in scope ``stack_bidirectional_rnn/cell_<i>``, the depth-concatenated outputs of a
layer feeding the next.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat import rnn
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3])
...     fw = [rnn.LSTMBlockCell(4), rnn.LSTMBlockCell(4)]
...     bw = [rnn.LSTMBlockCell(4), rnn.LSTMBlockCell(4)]
...     out, _, _ = rnn.stack_bidirectional_dynamic_rnn(fw, bw, x, dtype=tf.float32)
...     out.shape.as_list(), tf.compat.v1.global_variables()[0].op.name
([None, 5, 8], 'stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/kernel')
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import tensorflow as tf

from tf_pipeline.compat import records
from tf_pipeline.tf_output import silenced_tf_warnings

static_bidirectional_rnn = tf.compat.v1.nn.static_bidirectional_rnn
static_state_saving_rnn = tf.compat.v1.nn.static_state_saving_rnn

_DEFAULT_SCOPE = "stack_bidirectional_rnn"

UNROLL_MAX_STEPS = 1
"""Longest sequence :func:`unrolled_dynamic_rnns` unrolls (longer ones keep the loop)."""

_unrolling = threading.local()


@contextmanager
def unrolled_dynamic_rnns(max_steps: int = UNROLL_MAX_STEPS) -> Iterator[None]:
    """Build the :func:`dynamic_rnn` calls of this thread in the block unrolled.

    A sequence of at most ``max_steps`` statically known time steps is run by
    ``static_rnn`` (TF's own, the same cell calls in the same variable scope: same
    variables, names and initial values, the same arithmetic) instead of a
    ``tf.while_loop``. Inside an XLA-compiled training loop the nested RNN loops (one
    forward, one for the gradient) are most of the time of a step: unrolled, the legacy
    LSTM trains 2x as fast and compiles in half the time. The in-graph training loop
    uses it in its XLA mode only; everywhere else ``dynamic_rnn`` builds TF1's loop.
    """
    previous = getattr(_unrolling, "max_steps", 0)
    _unrolling.max_steps = max_steps
    try:
        yield
    finally:
        _unrolling.max_steps = previous


def _unrolled_steps(inputs: Any, time_major: bool) -> int | None:
    """The time steps to unroll ``inputs`` into, or None to keep the while loop."""
    limit = getattr(_unrolling, "max_steps", 0)
    if not limit:
        return None
    axis = 0 if time_major else 1
    lengths = set()
    for x in tf.nest.flatten(inputs):
        shape = tf.TensorShape(getattr(x, "shape", None))
        known = shape.rank is not None and shape.rank > axis
        lengths.add(tf.compat.dimension_value(shape[axis]) if known else None)
    if len(lengths) != 1:
        return None
    (steps,) = lengths
    return steps if steps is not None and 0 < steps <= limit else None


def _unrolled_dynamic_rnn(
    cell: Any,
    inputs: Any,
    steps: int,
    *,
    sequence_length: Any,
    initial_state: Any,
    dtype: Any,
    time_major: bool,
    scope: Any,
) -> tuple[Any, Any]:
    """``dynamic_rnn``'s result, computed by ``static_rnn`` over ``steps`` time steps."""
    axis = 0 if time_major else 1
    flat = [tf.unstack(x, num=steps, axis=axis) for x in tf.nest.flatten(inputs)]
    per_step = [tf.nest.pack_sequence_as(inputs, [x[t] for x in flat]) for t in range(steps)]
    # static_rnn is deprecated in favour of Keras' RNN, which cannot keep TF1's
    # variables; the user called dynamic_rnn, which warned already.
    with silenced_tf_warnings(deprecated=("static_rnn",)):
        outputs, state = tf.compat.v1.nn.static_rnn(
            cell,
            per_step,
            initial_state=initial_state,
            dtype=dtype,
            sequence_length=sequence_length,
            scope=scope,
        )
    outputs = tf.nest.map_structure(lambda *o: tf.stack(o, axis=axis), *outputs)
    return outputs, state


def dynamic_rnn(
    cell: Any,
    inputs: Any,
    sequence_length: Any = None,
    initial_state: Any = None,
    dtype: Any = None,
    parallel_iterations: int | None = None,
    swap_memory: bool = False,
    time_major: bool = False,
    scope: Any = None,
) -> tuple[Any, Any]:
    """``tf.compat.v1.nn.dynamic_rnn``, recorded for migration (same arguments and result).

    Inside :func:`unrolled_dynamic_rnns` a short sequence of known length is unrolled.
    """
    common = {
        "sequence_length": sequence_length,
        "initial_state": initial_state,
        "dtype": dtype,
        "time_major": time_major,
        "scope": scope,
    }
    steps = _unrolled_steps(inputs, time_major)
    if steps is not None:
        outputs, state = _unrolled_dynamic_rnn(cell, inputs, steps, **common)
    else:
        outputs, state = tf.compat.v1.nn.dynamic_rnn(
            cell,
            inputs,
            parallel_iterations=parallel_iterations,
            swap_memory=swap_memory,
            **common,
        )
    records.record(
        "dynamic_rnn",
        cell,
        [inputs],
        [outputs, *tf.nest.flatten(state)],
        state=state,
        sequence_length=sequence_length,
        initial_state=initial_state,
        time_major=time_major,
    )
    return outputs, state


def static_rnn(
    cell: Any,
    inputs: Any,
    initial_state: Any = None,
    dtype: Any = None,
    sequence_length: Any = None,
    scope: Any = None,
) -> tuple[list, Any]:
    """``tf.compat.v1.nn.static_rnn``, recorded for migration (same arguments and result)."""
    outputs, state = tf.compat.v1.nn.static_rnn(
        cell,
        inputs,
        initial_state=initial_state,
        dtype=dtype,
        sequence_length=sequence_length,
        scope=scope,
    )
    records.record(
        "static_rnn",
        cell,
        list(inputs),
        [*outputs, *tf.nest.flatten(state)],
        state=state,
        sequence_length=sequence_length,
        initial_state=initial_state,
        time_major=False,
    )
    return outputs, state


def _check_stack(
    cells_fw: Any, cells_bw: Any, initial_states_fw: Any, initial_states_bw: Any
) -> None:
    for name, cells in (("cells_fw", cells_fw), ("cells_bw", cells_bw)):
        if not isinstance(cells, list) or not cells:
            raise ValueError(
                f"`{name}` must be a non-empty list of RNN cells (one per layer), got {cells!r}."
            )
    if len(cells_fw) != len(cells_bw):
        raise ValueError(
            f"`cells_bw` must have as many layers as `cells_fw` ({len(cells_fw)}), "
            f"got {len(cells_bw)}."
        )
    for name, states in (
        ("initial_states_fw", initial_states_fw),
        ("initial_states_bw", initial_states_bw),
    ):
        if states is not None and (not isinstance(states, list) or len(states) != len(cells_fw)):
            raise ValueError(
                f"`{name}` must be None or a list of {len(cells_fw)} states (one per layer), "
                f"got {states!r}."
            )


def _layer_states(states: list | None, index: int) -> Any:
    return states[index] if states else None


def stack_bidirectional_rnn(
    cells_fw: list,
    cells_bw: list,
    inputs: list,
    initial_states_fw: list | None = None,
    initial_states_bw: list | None = None,
    dtype: Any = None,
    sequence_length: Any = None,
    scope: Any = None,
) -> tuple[list, tuple, tuple]:
    """Stacked bidirectional static RNN (Graves et al., 2013), as ``tf.contrib.rnn``.

    Layer ``i`` is ``static_bidirectional_rnn(cells_fw[i], cells_bw[i], ...)`` in
    variable scope ``<scope>/cell_<i>`` (so its variables are
    ``stack_bidirectional_rnn/cell_<i>/fw/<cell>/...`` and ``.../bw/...``); its
    concatenated outputs are the next layer's inputs.

    Parameters
    ----------
    cells_fw, cells_bw : list of RNNCell
        One cell per layer and direction; the same number of layers.
    inputs : list of tf.Tensor
        ``T`` tensors of shape ``[batch_size, input_size]``.
    initial_states_fw, initial_states_bw : list, optional
        One initial state per layer.
    dtype : tf.DType, optional
        Required when an initial state is missing.
    sequence_length : tf.Tensor, optional
        ``[batch_size]`` lengths.
    scope : str or VariableScope, optional
        Defaults to ``"stack_bidirectional_rnn"``.

    Returns
    -------
    outputs : list of tf.Tensor
        ``T`` tensors ``[batch_size, fw_size + bw_size]`` of the last layer.
    output_states_fw, output_states_bw : tuple
        The final state of each layer, per direction.
    """
    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw = [], []
    layer_inputs = inputs
    with tf.compat.v1.variable_scope(scope or _DEFAULT_SCOPE):
        for index, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw, strict=True)):
            with tf.compat.v1.variable_scope(f"cell_{index}") as cell_scope:
                layer_inputs, state_fw, state_bw = static_bidirectional_rnn(
                    cell_fw,
                    cell_bw,
                    layer_inputs,
                    initial_state_fw=_layer_states(initial_states_fw, index),
                    initial_state_bw=_layer_states(initial_states_bw, index),
                    sequence_length=sequence_length,
                    dtype=dtype,
                    scope=cell_scope,
                )
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer_inputs, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_dynamic_rnn(
    cells_fw: list,
    cells_bw: list,
    inputs: tf.Tensor,
    initial_states_fw: list | None = None,
    initial_states_bw: list | None = None,
    dtype: Any = None,
    sequence_length: Any = None,
    parallel_iterations: int | None = None,
    time_major: bool = False,
    scope: Any = None,
    swap_memory: bool = False,
) -> tuple[tf.Tensor, tuple, tuple]:
    """Stacked bidirectional dynamic RNN, as ``tf.contrib.rnn``.

    Layer ``i`` is ``tf.nn.bidirectional_dynamic_rnn(cells_fw[i], cells_bw[i], ...)``
    in variable scope ``<scope>/cell_<i>`` (its variables are
    ``stack_bidirectional_rnn/cell_<i>/bidirectional_rnn/fw/<cell>/...``); the
    forward and backward outputs, concatenated on the last axis, feed layer ``i + 1``.

    Parameters
    ----------
    cells_fw, cells_bw : list of RNNCell
        One cell per layer and direction; the same number of layers.
    inputs : tf.Tensor
        ``[batch_size, max_time, depth]`` (``[max_time, batch_size, depth]`` with
        ``time_major``).
    initial_states_fw, initial_states_bw : list, optional
        One initial state per layer.
    dtype : tf.DType, optional
        Required when an initial state is missing.
    sequence_length : tf.Tensor, optional
        ``[batch_size]`` lengths.
    parallel_iterations : int, optional
    time_major : bool, default=False
    scope : str or VariableScope, optional
        Defaults to ``"stack_bidirectional_rnn"``.
    swap_memory : bool, default=False

    Returns
    -------
    outputs : tf.Tensor
        ``[batch_size, max_time, fw_size + bw_size]`` of the last layer.
    output_states_fw, output_states_bw : tuple
        The final state of each layer, per direction.
    """
    _check_stack(cells_fw, cells_bw, initial_states_fw, initial_states_bw)
    states_fw, states_bw = [], []
    layer_inputs = inputs
    with tf.compat.v1.variable_scope(scope or _DEFAULT_SCOPE):
        for index, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw, strict=True)):
            with tf.compat.v1.variable_scope(f"cell_{index}"):
                # contrib built each layer with bidirectional_dynamic_rnn (TF's variable
                # names); TF deprecates it, a notice about our implementation.
                with silenced_tf_warnings(deprecated=("bidirectional_dynamic_rnn", "dynamic_rnn")):
                    outputs, (state_fw, state_bw) = tf.compat.v1.nn.bidirectional_dynamic_rnn(
                        cell_fw,
                        cell_bw,
                        layer_inputs,
                        initial_state_fw=_layer_states(initial_states_fw, index),
                        initial_state_bw=_layer_states(initial_states_bw, index),
                        sequence_length=sequence_length,
                        parallel_iterations=parallel_iterations,
                        dtype=dtype,
                        swap_memory=swap_memory,
                        time_major=time_major,
                    )
                layer_inputs = tf.concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return layer_inputs, tuple(states_fw), tuple(states_bw)
