"""``dynamic_rnn`` unrolled inside the XLA loop computes what TF's while loop computes.

The reference is TensorFlow's own ``tf.compat.v1.nn.dynamic_rnn`` (its while loop),
built in a second graph with the same cell and the same weights; the unrolled graph
must hold the same variables under the same names and give the same outputs, final
state and gradients within float round-off.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import tensorflow as tf

from benchmarks.user_models import seed_program_model, two_layer_lstm_dense_model
from tf_pipeline.compat import rnn
from tf_pipeline.compat.rnn.functions import UNROLL_MAX_STEPS, unrolled_dynamic_rnns
from tf_pipeline.estimators.model_fn import call_model_fn
from tf_pipeline.training_loop import build_traced_loop

CELLS = {
    "multi_basic_lstm": lambda: rnn.MultiRNNCell([rnn.BasicLSTMCell(5), rnn.BasicLSTMCell(3)]),
    "gru": lambda: rnn.GRUCell(4),
    "lstm_concat_state": lambda: rnn.BasicLSTMCell(4, state_is_tuple=False),
}


def _build(make_cell, x, *, unroll, time_major=False, lengths=None):
    """Outputs, state and gradients of ``dynamic_rnn`` in a new graph; the graph's
    variables and op types."""
    graph = tf.Graph()
    with graph.as_default():
        inputs = tf.constant(x)
        sequence_length = None if lengths is None else tf.constant(lengths)
        # An initializer with an op seed: the same weights in both graphs, whatever
        # ops each built before a variable.
        init = tf.compat.v1.glorot_uniform_initializer(seed=3)
        with tf.compat.v1.variable_scope("model", initializer=init):
            context = unrolled_dynamic_rnns(max_steps=8) if unroll else contextlib.nullcontext()
            with context:
                outputs, state = rnn.dynamic_rnn(
                    make_cell(),
                    inputs,
                    sequence_length=sequence_length,
                    dtype=tf.float32,
                    time_major=time_major,
                )
        flat_state = tf.nest.flatten(state)
        loss = tf.reduce_sum(tf.square(outputs)) + sum(tf.reduce_sum(s) for s in flat_state)
        variables = tf.compat.v1.trainable_variables()
        gradients = tf.gradients(loss, variables)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            values = session.run([outputs, flat_state, gradients])
    names = [v.op.name for v in variables]
    ops = {op.type for op in graph.get_operations()}
    return values, names, ops


def _assert_close(got, want):
    for g, w in zip(tf.nest.flatten(got), tf.nest.flatten(want), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("time_major", [False, True])
def test_unrolled_equals_the_while_loop(cell, time_major):
    x = np.random.RandomState(0).randn(3, 6, 2).astype(np.float32)  # [batch, time, depth]
    if time_major:
        x = x.transpose(1, 0, 2)
    want, want_names, want_ops = _build(CELLS[cell], x, unroll=False, time_major=time_major)
    got, names, ops = _build(CELLS[cell], x, unroll=True, time_major=time_major)
    assert names == want_names  # same variables, same names, same order
    assert "While" in want_ops or "StatelessWhile" in want_ops
    assert not ops & {"While", "StatelessWhile"}  # unrolled: no loop left
    _assert_close(got, want)


def test_unrolled_keeps_sequence_length_semantics():
    """Past a row's length the outputs are zeros and the state is carried, as TF1."""
    x = np.random.RandomState(1).randn(4, 5, 3).astype(np.float32)
    lengths = np.array([5, 3, 1, 0], np.int32)
    want, _, _ = _build(CELLS["multi_basic_lstm"], x, unroll=False, lengths=lengths)
    got, _, _ = _build(CELLS["multi_basic_lstm"], x, unroll=True, lengths=lengths)
    _assert_close(got, want)
    outputs = got[0]
    assert np.all(outputs[1, 3:] == 0) and np.all(outputs[3] == 0)


def test_long_or_unknown_sequences_and_code_outside_the_block_keep_the_loop():
    x = np.zeros((2, 9, 1), np.float32)  # 9 steps > max_steps=8 above
    _, _, ops = _build(CELLS["gru"], x, unroll=True)
    assert ops & {"While", "StatelessWhile"}
    _, _, ops = _build(CELLS["gru"], x[:, :1], unroll=False)  # one step, no block
    assert ops & {"While", "StatelessWhile"}
    with tf.Graph().as_default(), unrolled_dynamic_rnns(max_steps=8):
        unknown = tf.compat.v1.placeholder(tf.float32, [None, None, 1])
        rnn.dynamic_rnn(rnn.GRUCell(2), unknown, dtype=tf.float32)
        types = {op.type for op in tf.compat.v1.get_default_graph().get_operations()}
    assert types & {"While", "StatelessWhile"}


def _while_ops(model_fn, x_shape, mode):
    """While ops in a traced training loop's graph and the functions it calls."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(0)
        tf.compat.v1.train.create_global_step()

        def step(features, labels):
            ops = call_model_fn(
                model_fn, features, labels, "train", params=None, config=None, model_dir=None
            )
            return ops.loss, ops.train_op, ops

        build_traced_loop(
            step,
            x_shape=x_shape,
            x_dtype=tf.float32,
            y_shape=(8,),
            y_dtype=tf.float32,
            batch_size=4,
            steps_per_run=2,
            mode=mode,
        )
    graph_def = graph.as_graph_def()
    nodes = list(graph_def.node) + [n for f in graph_def.library.function for n in f.node_def]
    return sum(node.op in ("While", "StatelessWhile") for node in nodes)


def test_the_xla_loop_unrolls_one_step_rnns_only():
    """XLA mode unrolls sequences of at most UNROLL_MAX_STEPS (1) steps: the legacy
    (?, 1, 12) layout; the 12-step models measured slower unrolled, so they keep TF's
    loop, as does the exact mode."""
    assert UNROLL_MAX_STEPS == 1
    assert _while_ops(seed_program_model, (8, 1, 12), "xla") == 1  # the training loop
    assert _while_ops(seed_program_model, (8, 1, 12), "graph") > 1  # + TF1's RNN loops
    assert _while_ops(two_layer_lstm_dense_model, (8, 12, 1), "xla") > 1
