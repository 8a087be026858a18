"""Our TF1 cells against TensorFlow's own retained TF1 cells (the oracle), weight for weight."""

from __future__ import annotations

import re

import numpy as np
import pytest
import tensorflow as tf
from graph_harness import build_rnn_graph, legacy_rnn_module, ours, random_batch

LEGACY = legacy_rnn_module()

FEATURES = (1, 12)  # the legacy layout: one time step of 12 features
STEPS = (12, 1)  # twelve time steps of one feature

CELLS = {
    "basic_rnn": lambda m, n: m.BasicRNNCell(n),
    "gru": lambda m, n: m.GRUCell(n),
    "basic_lstm": lambda m, n: m.BasicLSTMCell(n),
    "basic_lstm_forget_0.3": lambda m, n: m.BasicLSTMCell(n, forget_bias=0.3),
    "basic_lstm_concat_state": lambda m, n: m.BasicLSTMCell(n, state_is_tuple=False),
    "lstm": lambda m, n: m.LSTMCell(n),
    "lstm_peepholes_clip": lambda m, n: m.LSTMCell(n, use_peepholes=True, cell_clip=0.5),
    "lstm_projection": lambda m, n: m.LSTMCell(n, num_proj=3, proj_clip=0.2),
    "lstm_all": lambda m, n: m.LSTMCell(
        n, use_peepholes=True, cell_clip=1.0, num_proj=4, forget_bias=0.5
    ),
}


def _pair(make_cell, input_shape, **kwargs):
    """The oracle graph and ours, with ours loaded with the oracle's weights."""
    oracle = build_rnn_graph(lambda: make_cell(LEGACY), input_shape, **kwargs)
    mine = build_rnn_graph(lambda: make_cell(ours), input_shape, **kwargs)
    assert [(v.op.name, v.shape.as_list()) for v in mine.variables] == [
        (v.op.name, v.shape.as_list()) for v in oracle.variables
    ]
    mine.load(oracle.values())
    return oracle, mine


def _assert_same_run(oracle, mine, input_shape, atol=1e-6):
    x, y = random_batch(input_shape)
    fetches = lambda g: [g.outputs, g.state, g.loss, g.gradients]  # noqa: E731
    expected = oracle.run(fetches(oracle), x, y)
    actual = mine.run(fetches(mine), x, y)
    for want, got in zip(tf.nest.flatten(expected), tf.nest.flatten(actual), strict=True):
        np.testing.assert_allclose(got, want, atol=atol, rtol=0)
    return expected


@pytest.mark.parametrize("layout", [FEATURES, STEPS], ids=["features", "steps"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_single_cell_parity(name, layout):
    make = lambda m: CELLS[name](m, 7)  # noqa: E731
    oracle, mine = _pair(make, layout)
    expected = _assert_same_run(oracle, mine, layout)
    # Not a vacuous comparison: the outputs are non-trivial.
    assert np.abs(expected[0]).max() > 1e-3
    oracle.close()
    mine.close()


@pytest.mark.parametrize("layout", [FEATURES, STEPS], ids=["features", "steps"])
@pytest.mark.parametrize(("layers", "units"), [(1, 40), (2, 5), (3, 16), (2, 1)])
def test_multi_rnn_cell_parity(layers, units, layout):
    def make(m):
        return m.MultiRNNCell([m.BasicLSTMCell(units) for _ in range(layers)])

    oracle, mine = _pair(make, layout)
    _assert_same_run(oracle, mine, layout)
    names = [v.op.name for v in mine.variables]
    assert names[:2] == [
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
    ]
    assert len(names) == 2 * layers
    depth = layout[-1]
    assert mine.variables[0].shape.as_list() == [depth + units, 4 * units]
    oracle.close()
    mine.close()


def test_mixed_stack_and_concat_state_parity():
    def make(m):
        return m.MultiRNNCell(
            [m.GRUCell(6), m.BasicRNNCell(6), m.LSTMCell(6, state_is_tuple=False)],
            state_is_tuple=False,
        )

    oracle, mine = _pair(make, STEPS)
    _assert_same_run(oracle, mine, STEPS)


def test_same_seed_gives_same_initial_weights_as_tf1():
    """Under one graph seed our variables initialise to TF1's exact values."""
    make = lambda m: m.MultiRNNCell([m.BasicLSTMCell(40)])  # noqa: E731
    oracle = build_rnn_graph(lambda: make(LEGACY), FEATURES, seed=7)
    mine = build_rnn_graph(lambda: make(ours), FEATURES, seed=7)
    for name, value in oracle.values().items():
        np.testing.assert_array_equal(mine.values()[name], value)


def test_basic_lstm_closed_form():
    """One step of BasicLSTMCell computed in numpy from the fetched weights."""
    graph = build_rnn_graph(lambda: ours.BasicLSTMCell(4, forget_bias=1.0), (1, 3), seed=3)
    x, _ = random_batch((1, 3), n=2)
    values = graph.values()
    kernel, bias = values["rnn/basic_lstm_cell/kernel"], values["rnn/basic_lstm_cell/bias"]
    assert not bias.any()  # zeros initializer
    limit = np.sqrt(6.0 / (7 + 16))  # glorot uniform on [3 + 4, 16]
    assert np.abs(kernel).max() <= limit
    z = np.concatenate([x[:, 0, :], np.zeros((2, 4))], axis=1) @ kernel + bias
    i, j, f, o = np.split(z, 4, axis=1)

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    c = 0 * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
    h = np.tanh(c) * sigmoid(o)
    outputs, state = graph.run([graph.outputs, graph.state], x)
    np.testing.assert_allclose(outputs[:, 0, :], h, atol=1e-6)
    np.testing.assert_allclose(state.c, c, atol=1e-6)
    np.testing.assert_allclose(state.h, h, atol=1e-6)


def test_adagrad_trajectory_200_steps():
    """200 Adagrad steps from the same weights: losses and weights within 1e-5."""

    def make(m):
        return m.MultiRNNCell([m.BasicLSTMCell(8), m.BasicLSTMCell(8)])

    oracle, mine = _pair(make, FEATURES, learning_rate=0.1)
    x, y = random_batch(FEATURES, n=16, seed=5)
    losses = {"oracle": [], "mine": []}
    for _ in range(200):
        losses["oracle"].append(oracle.run([oracle.train_op, oracle.loss], x, y)[1])
        losses["mine"].append(mine.run([mine.train_op, mine.loss], x, y)[1])
    np.testing.assert_allclose(losses["mine"], losses["oracle"], atol=1e-5, rtol=0)
    assert losses["oracle"][-1] < 0.5 * losses["oracle"][0]  # it really trained
    for name, value in oracle.values().items():
        np.testing.assert_allclose(mine.values()[name], value, atol=1e-5, rtol=0)


@pytest.mark.parametrize("direction", ["oracle_to_ours", "ours_to_oracle"])
def test_checkpoint_round_trip_by_name(tmp_path, direction):
    def make(m):
        return m.MultiRNNCell([m.BasicLSTMCell(10), m.BasicLSTMCell(10)])

    source_module, target_module = (
        (LEGACY, ours)
        if direction == "oracle_to_ours"
        else (
            ours,
            LEGACY,
        )
    )
    source = build_rnn_graph(lambda: make(source_module), FEATURES, seed=11)
    with source.graph.as_default():
        path = tf.compat.v1.train.Saver().save(source.session, str(tmp_path / "model.ckpt"))
    target = build_rnn_graph(lambda: make(target_module), FEATURES, seed=99)
    with target.graph.as_default():
        tf.compat.v1.train.Saver().restore(target.session, path)
    x, _ = random_batch(FEATURES)
    np.testing.assert_array_equal(target.run(target.outputs, x), source.run(source.outputs, x))
    names = sorted(name for name, _ in tf.train.list_variables(path))
    assert "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel" in names


def test_dropout_wrapper_matches_tf1_masks():
    def make(m):
        return m.MultiRNNCell(
            [
                m.DropoutWrapper(
                    m.BasicLSTMCell(9),
                    input_keep_prob=0.7,
                    output_keep_prob=0.6,
                    state_keep_prob=0.8,
                    seed=123,
                )
                for _ in range(2)
            ]
        )

    oracle, mine = _pair(make, STEPS, seed=4, parallel_iterations=1)
    _assert_same_run(oracle, mine, STEPS)
    # Dropout is active: outputs differ from the same cell without dropout.
    bare = build_rnn_graph(
        lambda: ours.MultiRNNCell([ours.BasicLSTMCell(9) for _ in range(2)]),
        STEPS,
        seed=4,
        parallel_iterations=1,
    )
    bare.load(oracle.values())
    x, _ = random_batch(STEPS)
    assert not np.allclose(bare.run(bare.outputs, x), mine.run(mine.outputs, x))


def test_variational_dropout_wrapper_matches_tf1():
    def make(m):
        return m.DropoutWrapper(
            m.LSTMCell(5),
            input_keep_prob=0.5,
            output_keep_prob=0.5,
            state_keep_prob=0.5,
            variational_recurrent=True,
            input_size=1,
            dtype=tf.float32,
            seed=3,
        )

    oracle, mine = _pair(make, STEPS, seed=8, parallel_iterations=1)
    _assert_same_run(oracle, mine, STEPS)


def test_residual_wrapper_adds_input():
    def make(m):
        return m.MultiRNNCell([m.GRUCell(4), m.ResidualWrapper(m.GRUCell(4))])

    oracle, mine = _pair(make, (3, 4))
    _assert_same_run(oracle, mine, (3, 4))


def test_wrapper_keeps_variable_names():
    graph = build_rnn_graph(
        lambda: ours.MultiRNNCell([ours.DropoutWrapper(ours.BasicLSTMCell(3))]), FEATURES
    )
    assert [v.op.name for v in graph.variables] == [
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
    ]


# -- TF1 variable-scope rules -------------------------------------------------------------


def test_second_dynamic_rnn_in_same_scope_is_refused_like_tf1():
    """TF1 raised 'already exists' for a second cell in the same scope; so do we."""
    for module in (LEGACY, ours):
        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 2, 3])
            tf.compat.v1.nn.dynamic_rnn(module.BasicLSTMCell(4), x, dtype=tf.float32)
            with pytest.raises(ValueError, match="already exists"):
                tf.compat.v1.nn.dynamic_rnn(module.BasicLSTMCell(4), x, dtype=tf.float32)


def test_reused_cell_shares_weights_and_scopes_uniquify():
    for module in (LEGACY, ours):
        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 3])
            state = tf.zeros([1, 4])
            cell = module.BasicRNNCell(4)
            cell(x, state)
            cell(x, state)  # same object: same weights
            other = module.BasicRNNCell(4)
            other(x, state)  # new object: uniquified scope
            names = [v.op.name for v in tf.compat.v1.global_variables()]
        assert names == [
            "basic_rnn_cell/kernel",
            "basic_rnn_cell/bias",
            "basic_rnn_cell_1/kernel",
            "basic_rnn_cell_1/bias",
        ], module


def test_reuse_flag_fetches_existing_variables():
    for module in (LEGACY, ours):
        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 2, 3])
            tf.compat.v1.nn.dynamic_rnn(module.BasicLSTMCell(4), x, dtype=tf.float32)
            with tf.compat.v1.variable_scope(tf.compat.v1.get_variable_scope(), reuse=True):
                tf.compat.v1.nn.dynamic_rnn(module.BasicLSTMCell(4), x, dtype=tf.float32)
            assert len(tf.compat.v1.global_variables()) == 2


def test_trainable_weights_tracked():
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 2, 3])
        cell = ours.MultiRNNCell([ours.LSTMCell(4, use_peepholes=True), ours.GRUCell(2)])
        tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        assert [v.op.name.split("/")[-1] for v in cell.trainable_weights] == [
            "kernel",
            "bias",
            "w_f_diag",
            "w_i_diag",
            "w_o_diag",
            "kernel",
            "bias",
            "kernel",
            "bias",
        ]


def test_zero_state_shapes():
    with tf.Graph().as_default():
        cell = ours.MultiRNNCell([ours.BasicLSTMCell(4), ours.LSTMCell(5, num_proj=2)])
        state = cell.zero_state(3, tf.float32)
        assert isinstance(state[0], ours.LSTMStateTuple)
        assert state[0].c.shape.as_list() == [3, 4]
        assert state[1].c.shape.as_list() == [3, 5]
        assert state[1].h.shape.as_list() == [3, 2]
        dynamic = cell.zero_state(tf.compat.v1.placeholder(tf.int32, []), tf.float32)
        assert dynamic[0].h.shape.as_list() == [None, 4]


# -- bad input --------------------------------------------------------------------------


def test_num_units_must_be_positive():
    with pytest.raises(ValueError, match=re.escape("`num_units` must be an int >= 1, got 0.")):
        ours.BasicLSTMCell(0)
    with pytest.raises(TypeError, match=re.escape("`num_units` must be an int, got 2.5")):
        ours.GRUCell(2.5)


def test_wrong_input_rank():
    with tf.Graph().as_default():
        cell = ours.BasicLSTMCell(4)
        x = tf.compat.v1.placeholder(tf.float32, [None, 2, 3])
        with pytest.raises(
            ValueError,
            match=re.escape("must have rank 2 [batch_size, input_depth], got shape (None, 2, 3)"),
        ):
            cell(x, cell.zero_state(1, tf.float32))


def test_different_input_depth_on_reuse():
    with tf.Graph().as_default():
        cell = ours.BasicLSTMCell(4)
        cell(tf.zeros([1, 3]), cell.zero_state(1, tf.float32))
        with pytest.raises(
            ValueError,
            match=re.escape(
                "`inputs` depth must be 3, the depth basic_lstm_cell was built with, got 5."
            ),
        ):
            cell(tf.zeros([1, 5]), cell.zero_state(1, tf.float32))


def test_non_float_input_and_dtype():
    with pytest.raises(
        TypeError,
        match=re.escape(
            "`dtype` must be a floating-point dtype (RNN cells use sigmoid and tanh), got int32."
        ),
    ):
        ours.BasicLSTMCell(4, dtype=tf.int32)
    with tf.Graph().as_default():
        cell = ours.BasicLSTMCell(4)
        with pytest.raises(
            TypeError, match=re.escape("`inputs.dtype` must be a floating-point dtype")
        ):
            cell(tf.zeros([1, 3], tf.int32), cell.zero_state(1, tf.float32))


def test_multi_rnn_cell_bad_arguments():
    with pytest.raises(
        ValueError, match=re.escape("`cells` must hold at least one cell, got an empty list.")
    ):
        ours.MultiRNNCell([])
    with pytest.raises(TypeError, match=re.escape("`cells[1]` must be an RNN cell")):
        ours.MultiRNNCell([ours.GRUCell(2), "not a cell"])
    with pytest.raises(ValueError, match="`state_is_tuple` must be True"):
        ours.MultiRNNCell([ours.BasicLSTMCell(2)], state_is_tuple=False)


def test_dropout_keep_prob_range():
    with pytest.raises(
        ValueError, match=re.escape("`output_keep_prob` must be in (0, 1], got 1.5.")
    ):
        ours.DropoutWrapper(ours.GRUCell(2), output_keep_prob=1.5)
