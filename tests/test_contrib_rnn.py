"""``tf.contrib.rnn`` extras and the seq2seq losses: names, equivalences, closed forms, errors.

The golden files (``tests/golden/cases/contrib_rnn.py``) compare these symbols with TF 2.15
(fused TF kernels as reference); here they are checked against TF1 cells they equal by
construction (``LSTMBlockCell`` == ``LSTMCell``/``BasicLSTMCell``, ``GRUBlockCell`` ==
``GRUCell`` under TF1's weight mapping), against NumPy closed forms written from TF1's
source (``LayerNormBasicLSTMCell``, the losses), and for checkpoints by name.
"""

from __future__ import annotations

import os
import re
import tempfile

import numpy as np
import pytest
import tensorflow as tf

import tf_pipeline.tf1 as tf1
from tf_pipeline.compat import rnn as compat_rnn
from tf_pipeline.compat import sequence_loss as losses

BATCH, TIME, DEPTH, UNITS = 3, 4, 2, 3
RNG = np.random.RandomState(0)
X = RNG.randn(BATCH, TIME, DEPTH).astype(np.float32)


def _unwrap(function):
    """The library function behind a namespace attribute (the namespace wraps functions)."""
    return getattr(function, "__wrapped__", function)


class _EagerLegacySeq2seq:
    """``tf.contrib.legacy_seq2seq``'s functions, called eagerly (not through the namespace)."""

    sequence_loss_by_example = staticmethod(losses.sequence_loss_by_example)
    sequence_loss = staticmethod(losses.legacy_sequence_loss)


def _run_dynamic(make_cell, *, weights=None, checkpoint=None, save=None, scope=None):
    """dynamic_rnn(make_cell()) on X: outputs, final state, gradients, variable values."""
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(1)
        x = tf1.placeholder(tf.float32, [None, TIME, DEPTH])
        outputs, state = tf1.nn.dynamic_rnn(make_cell(), x, dtype=tf.float32, scope=scope)
        variables = tf1.global_variables()
        loss = tf.reduce_sum(tf.square(outputs)) + tf.reduce_sum(tf.nest.flatten(state)[0])
        gradients = tf.gradients(loss, variables)
        saver = tf1.train.Saver()
        with tf1.Session(graph=graph) as session:
            session.run(tf1.global_variables_initializer())
            if weights is not None:
                for variable in variables:
                    variable.load(weights[variable.op.name], session)
            if checkpoint is not None:
                saver.restore(session, checkpoint)
            if save is not None:
                saver.save(session, save, write_meta_graph=False, write_state=False)
            out, st, grads, values = session.run([outputs, state, gradients, variables], {x: X})
    names = [v.op.name for v in variables]
    return {
        "outputs": out,
        "state": st,
        "grads": dict(zip(names, grads, strict=True)),
        "values": dict(zip(names, values, strict=True)),
    }


# -- namespaces ------------------------------------------------------------------------------


NEW_RNN_SYMBOLS = [
    "LSTMBlockCell",
    "LSTMBlockFusedCell",
    "GRUBlockCell",
    "GRUBlockCellV2",
    "LayerNormBasicLSTMCell",
    "stack_bidirectional_rnn",
    "stack_bidirectional_dynamic_rnn",
    "static_rnn",
    "static_bidirectional_rnn",
    "static_state_saving_rnn",
]


@pytest.mark.parametrize("name", NEW_RNN_SYMBOLS)
def test_contrib_rnn_exports(name):
    assert _unwrap(getattr(tf1.contrib.rnn, name)) is getattr(compat_rnn, name)
    assert name in tf1.contrib.rnn.__all__


def test_seq2seq_namespaces():
    from tf_pipeline.tf1.contrib import legacy_seq2seq, seq2seq

    assert _unwrap(tf1.contrib.seq2seq.sequence_loss) is losses.sequence_loss
    assert _unwrap(seq2seq.sequence_loss) is losses.sequence_loss
    assert _unwrap(legacy_seq2seq.sequence_loss) is losses.legacy_sequence_loss
    assert _unwrap(legacy_seq2seq.sequence_loss_by_example) is losses.sequence_loss_by_example


def test_rnn_cell_namespace_keeps_only_tf1_names():
    # TF1's tf.nn.rnn_cell never had the contrib cells.
    assert not hasattr(tf1.nn.rnn_cell, "LSTMBlockCell")
    assert "static_rnn" not in tf1.nn.rnn_cell.__all__
    assert tf1.nn.rnn_cell.BasicLSTMCell is compat_rnn.BasicLSTMCell


# -- LSTMBlockCell ------------------------------------------------------------------------------


def test_lstm_block_cell_variables_are_lstm_cell_names():
    run = _run_dynamic(lambda: compat_rnn.LSTMBlockCell(UNITS, use_peephole=True))
    shapes = {name: value.shape for name, value in run["values"].items()}
    assert shapes == {
        "rnn/lstm_cell/kernel": (DEPTH + UNITS, 4 * UNITS),
        "rnn/lstm_cell/bias": (4 * UNITS,),
        "rnn/lstm_cell/w_i_diag": (UNITS,),
        "rnn/lstm_cell/w_f_diag": (UNITS,),
        "rnn/lstm_cell/w_o_diag": (UNITS,),
    }
    assert run["outputs"].shape == (BATCH, TIME, UNITS)
    np.testing.assert_array_equal(run["values"]["rnn/lstm_cell/bias"], 0.0)


@pytest.mark.parametrize("forget_bias", [1.0, 0.3])
def test_lstm_block_cell_equals_basic_lstm_cell(forget_bias):
    basic = _run_dynamic(lambda: compat_rnn.BasicLSTMCell(UNITS, forget_bias=forget_bias))
    renamed = {k.replace("basic_lstm_cell", "lstm_cell"): v for k, v in basic["values"].items()}
    block = _run_dynamic(
        lambda: compat_rnn.LSTMBlockCell(UNITS, forget_bias=forget_bias), weights=renamed
    )
    np.testing.assert_allclose(block["outputs"], basic["outputs"], atol=1e-6, rtol=0)
    for name, grad in basic["grads"].items():
        np.testing.assert_allclose(
            block["grads"][name.replace("basic_lstm_cell", "lstm_cell")], grad, atol=1e-6, rtol=0
        )
    assert np.abs(basic["outputs"]).max() > 1e-2


def test_lstm_cell_checkpoint_restores_into_lstm_block_cell_and_back():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "lstm.ckpt")
        lstm = _run_dynamic(
            lambda: compat_rnn.LSTMCell(UNITS, use_peepholes=True, cell_clip=0.3), save=path
        )
        block = _run_dynamic(
            lambda: compat_rnn.LSTMBlockCell(UNITS, use_peephole=True, cell_clip=0.3),
            checkpoint=path,
        )
        back_path = os.path.join(directory, "block.ckpt")
        _run_dynamic(lambda: compat_rnn.LSTMBlockCell(UNITS), save=back_path)
        _run_dynamic(lambda: compat_rnn.LSTMCell(UNITS), checkpoint=back_path)
    # Same forward with peepholes and clipping (the clip is active: |c| reaches 0.3).
    np.testing.assert_allclose(block["outputs"], lstm["outputs"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(block["state"].c, lstm["state"].c, atol=1e-6, rtol=0)
    assert np.isclose(np.abs(lstm["state"].c).max(), 0.3)


def test_lstm_block_cell_clip_gradient_is_straight_through():
    # TF1's fused gradient kernel ignores the clip; LSTMCell's autodiff does not.
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "lstm.ckpt")
        free = _run_dynamic(lambda: compat_rnn.LSTMBlockCell(UNITS), save=path)
        clipped = _run_dynamic(
            lambda: compat_rnn.LSTMBlockCell(UNITS, cell_clip=1e-3), checkpoint=path
        )
    assert np.abs(clipped["state"].c).max() <= 1e-3 + 1e-9
    assert not np.allclose(clipped["grads"]["rnn/lstm_cell/kernel"], 0.0)
    assert np.abs(free["outputs"] - clipped["outputs"]).max() > 1e-2


def test_lstm_block_cell_errors():
    with pytest.raises(TypeError, match=re.escape("`cell_clip` must be a float or None")):
        compat_rnn.LSTMBlockCell(3, cell_clip="1")
    with pytest.raises(ValueError, match=re.escape("`num_units` must be an int >= 1, got 0.")):
        compat_rnn.LSTMBlockCell(0)
    with tf.Graph().as_default():
        cell = compat_rnn.LSTMBlockCell(3)
        state = cell.zero_state(2, tf.float32)
        with pytest.raises(ValueError, match=re.escape("`state` of LSTMBlockCell must be")):
            cell(tf.zeros([2, 4]), (state.c, state.h, state.h))


def _run_fused(make_cell, weights, *, as_list=False, sequence_length=None):
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, [TIME, None, DEPTH])
        inputs = tf.unstack(x) if as_list else x
        outputs, state = make_cell()(inputs, dtype=tf.float32, sequence_length=sequence_length)
        if as_list:
            outputs = tf.stack(outputs)
        with tf1.Session(graph=graph) as session:
            for variable in tf1.global_variables():
                variable.load(weights[variable.op.name.split("/", 1)[1]], session)
            names = [v.op.name for v in tf1.global_variables()]
            return session.run([outputs, state], {x: X.transpose(1, 0, 2)}) + [names]


def test_lstm_block_fused_cell_equals_lstm_block_cell():
    def block():
        return compat_rnn.LSTMBlockCell(UNITS, use_peephole=True, forget_bias=0.4)

    def fused():
        return compat_rnn.LSTMBlockFusedCell(UNITS, use_peephole=True, forget_bias=0.4)

    reference = _run_dynamic(block)
    weights = {k.split("/", 2)[2]: v for k, v in reference["values"].items()}
    outputs, state, names = _run_fused(fused, weights)
    assert names == [f"lstm_fused_cell/{k}" for k in weights]
    np.testing.assert_allclose(outputs.transpose(1, 0, 2), reference["outputs"], atol=1e-6)
    np.testing.assert_allclose(state.c, reference["state"].c, atol=1e-6)
    list_outputs, _, _ = _run_fused(fused, weights, as_list=True)
    np.testing.assert_array_equal(list_outputs, outputs)


def test_lstm_block_fused_cell_sequence_length_masks_and_picks_last_state():
    weights = {
        "kernel": RNG.uniform(-0.5, 0.5, (DEPTH + UNITS, 4 * UNITS)).astype(np.float32),
        "bias": np.zeros(4 * UNITS, np.float32),
    }
    outputs, state, _ = _run_fused(
        lambda: compat_rnn.LSTMBlockFusedCell(UNITS), weights, sequence_length=[4, 2, 3]
    )
    assert np.all(outputs[2:, 1] == 0.0) and np.all(outputs[3:, 2] == 0.0)
    np.testing.assert_array_equal(state.h, outputs[[3, 1, 2], [0, 1, 2]])


def test_lstm_block_fused_cell_errors():
    with tf.Graph().as_default():
        cell = compat_rnn.LSTMBlockFusedCell(UNITS)
        with pytest.raises(ValueError, match=re.escape("`inputs` of LSTMBlockFusedCell must")):
            cell(tf.zeros([2, 3]), dtype=tf.float32)
        with pytest.raises(ValueError, match=re.escape("`dtype` must be given when")):
            cell(tf.zeros([2, 3, 4]))


# -- GRUBlockCell ------------------------------------------------------------------------------

GRU_TO_BLOCK = {
    "gates/kernel": "w_ru",
    "gates/bias": "b_ru",
    "candidate/kernel": "w_c",
    "candidate/bias": "b_c",
}


def test_gru_block_cell_names_and_initial_biases():
    run = _run_dynamic(lambda: compat_rnn.GRUBlockCell(UNITS))
    assert {k: v.shape for k, v in run["values"].items()} == {
        "rnn/gru_cell/w_ru": (DEPTH + UNITS, 2 * UNITS),
        "rnn/gru_cell/b_ru": (2 * UNITS,),
        "rnn/gru_cell/w_c": (DEPTH + UNITS, UNITS),
        "rnn/gru_cell/b_c": (UNITS,),
    }
    np.testing.assert_array_equal(run["values"]["rnn/gru_cell/b_ru"], 1.0)
    np.testing.assert_array_equal(run["values"]["rnn/gru_cell/b_c"], 0.0)


def test_gru_block_cell_equals_gru_cell_under_tf1_weight_mapping():
    gru = _run_dynamic(lambda: compat_rnn.GRUCell(UNITS))
    mapped = {}
    for name, value in gru["values"].items():
        suffix = name.split("gru_cell/")[1]
        mapped[f"rnn/gru_cell/{GRU_TO_BLOCK[suffix]}"] = value
    block = _run_dynamic(lambda: compat_rnn.GRUBlockCell(UNITS), weights=mapped)
    np.testing.assert_allclose(block["outputs"], gru["outputs"], atol=1e-6, rtol=0)
    for name, grad in gru["grads"].items():
        block_name = f"rnn/gru_cell/{GRU_TO_BLOCK[name.split('gru_cell/')[1]]}"
        np.testing.assert_allclose(block["grads"][block_name], grad, atol=1e-6, rtol=0)


def test_gru_cell_checkpoint_restores_into_gru_block_cell_v2():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "gru.ckpt")
        gru = _run_dynamic(lambda: compat_rnn.GRUCell(UNITS), save=path)
        v2 = _run_dynamic(lambda: compat_rnn.GRUBlockCellV2(UNITS), checkpoint=path)
    assert sorted(v2["values"]) == sorted(gru["values"])
    np.testing.assert_allclose(v2["outputs"], gru["outputs"], atol=1e-6, rtol=0)


def test_gru_block_cell_arguments():
    assert compat_rnn.GRUBlockCell(cell_size=4).output_size == 4
    message = "`num_units` must be given exactly once"
    with pytest.raises(ValueError, match=re.escape(message)):
        compat_rnn.GRUBlockCell()
    with pytest.raises(ValueError, match=re.escape(message)):
        compat_rnn.GRUBlockCell(3, cell_size=3)
    with tf.Graph().as_default():
        cell = compat_rnn.GRUBlockCell(3)
        with pytest.raises(ValueError, match=re.escape("must have 3 columns (num_units)")):
            cell(tf.zeros([2, 4]), tf.zeros([2, 5]))


# -- LayerNormBasicLSTMCell -----------------------------------------------------------------


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _np_layer_norm(z, gamma, beta):
    mean = z.mean(axis=1, keepdims=True)
    variance = ((z - mean) ** 2).mean(axis=1, keepdims=True)
    return (z - mean) / np.sqrt(variance + 1e-12) * gamma + beta


def _np_layer_norm_lstm(x, values, prefix, forget_bias, layer_norm=True):
    """TF1 contrib's LayerNormBasicLSTMCell formula, in float64 NumPy."""
    values = {k.replace(prefix, ""): v.astype(np.float64) for k, v in values.items()}
    batch, steps, _ = x.shape
    c = np.zeros((batch, UNITS))
    h = np.zeros((batch, UNITS))
    outputs = []
    for t in range(steps):
        z = np.concatenate([x[:, t], h], 1) @ values["kernel"]
        if not layer_norm:
            z = z + values["bias"]
        i, j, f, o = np.split(z, 4, axis=1)
        if layer_norm:
            i, j, f, o = (
                _np_layer_norm(g, values[f"{s}/gamma"], values[f"{s}/beta"])
                for g, s in zip(
                    (i, j, f, o), ("input", "transform", "forget", "output"), strict=True
                )
            )
        c = c * _sigmoid(f + forget_bias) + _sigmoid(i) * np.tanh(j)
        if layer_norm:
            c = _np_layer_norm(c, values["state/gamma"], values["state/beta"])
        h = np.tanh(c) * _sigmoid(o)
        outputs.append(h)
    return np.stack(outputs, 1), c


@pytest.mark.parametrize("layer_norm", [True, False], ids=["norm", "no_norm"])
def test_layer_norm_basic_lstm_cell_matches_closed_form(layer_norm):
    def make():
        return compat_rnn.LayerNormBasicLSTMCell(
            UNITS, forget_bias=0.6, layer_norm=layer_norm, norm_gain=0.8, norm_shift=0.2
        )

    first = _run_dynamic(make)
    # Perturb gamma/beta away from their constant initial values so they matter.
    weights = {
        k: v + RNG.uniform(-0.3, 0.3, v.shape).astype(np.float32)
        for k, v in first["values"].items()
    }
    run = _run_dynamic(make, weights=weights)
    prefix = "rnn/layer_norm_basic_lstm_cell/"
    expected, final_c = _np_layer_norm_lstm(X, weights, prefix, 0.6, layer_norm)
    np.testing.assert_allclose(run["outputs"], expected, atol=1e-6, rtol=0)
    np.testing.assert_allclose(run["state"].c, final_c, atol=1e-6, rtol=0)
    names = sorted(k.replace(prefix, "") for k in run["values"])
    if layer_norm:
        scopes = ("forget", "input", "output", "state", "transform")
        assert names == sorted(
            ["kernel"] + [f"{s}/{p}" for s in scopes for p in ("beta", "gamma")]
        )
        np.testing.assert_array_equal(first["values"][prefix + "input/gamma"], np.float32(0.8))
        np.testing.assert_array_equal(first["values"][prefix + "state/beta"], np.float32(0.2))
    else:
        assert names == ["bias", "kernel"]


# -- stacked bidirectional RNNs -----------------------------------------------------------


def test_stack_bidirectional_dynamic_rnn_names_and_shapes():
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [None, TIME, DEPTH])
        rnn = tf1.contrib.rnn
        outputs, states_fw, states_bw = rnn.stack_bidirectional_dynamic_rnn(
            [rnn.LSTMBlockCell(UNITS), rnn.GRUBlockCell(2)],
            [rnn.LSTMBlockCell(UNITS), rnn.GRUBlockCell(4)],
            x,
            dtype=tf.float32,
        )
        names = [v.op.name for v in tf1.global_variables()]
    assert outputs.shape.as_list() == [None, TIME, 6]
    assert len(states_fw) == len(states_bw) == 2
    assert names[0] == "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/lstm_cell/kernel"
    assert "stack_bidirectional_rnn/cell_1/bidirectional_rnn/bw/gru_cell/w_ru" in names


def test_stack_bidirectional_rnn_names_and_shapes():
    with tf.Graph().as_default():
        x = tf1.placeholder(tf.float32, [None, TIME, DEPTH])
        rnn = tf1.contrib.rnn
        outputs, states_fw, _ = rnn.stack_bidirectional_rnn(
            [rnn.GRUCell(UNITS)], [rnn.GRUCell(2)], tf.unstack(x, axis=1), dtype=tf.float32
        )
        names = [v.op.name for v in tf1.global_variables()]
    assert len(outputs) == TIME and outputs[0].shape.as_list() == [None, UNITS + 2]
    assert names[0] == "stack_bidirectional_rnn/cell_0/fw/gru_cell/gates/kernel"
    assert len(states_fw) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cells_fw": []}, "`cells_fw` must be a non-empty list of RNN cells"),
        ({"cells_bw": "cell"}, "`cells_bw` must be a non-empty list of RNN cells"),
        ({"cells_bw": [1, 2]}, "`cells_bw` must have as many layers as `cells_fw` (1), got 2."),
        ({"initial_states_fw": [1, 2]}, "`initial_states_fw` must be None or a list of 1"),
    ],
)
@pytest.mark.parametrize(
    "function",
    [compat_rnn.stack_bidirectional_rnn, compat_rnn.stack_bidirectional_dynamic_rnn],
    ids=["static", "dynamic"],
)
def test_stack_bidirectional_errors(function, kwargs, message):
    arguments = {"cells_fw": [object()], "cells_bw": [object()], "inputs": None, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        function(**arguments)


# -- seq2seq losses ----------------------------------------------------------------------------

CLASSES = 5
LOGITS = RNG.randn(BATCH, TIME, CLASSES).astype(np.float32)
TARGETS = RNG.randint(0, CLASSES, (BATCH, TIME)).astype(np.int32)
WEIGHTS = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0.5, 1, 1, 0]], np.float32)


def _np_crossentropy(logits, targets):
    logits = logits.astype(np.float64)
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return -np.take_along_axis(log_softmax, targets[..., None], -1)[..., 0]


CE = _np_crossentropy(LOGITS, TARGETS) * WEIGHTS


def _divide(a, b):
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


SEQUENCE_LOSS_MODES = {
    "mean": ({}, CE.sum() / WEIGHTS.sum()),
    "per_time": (
        {"average_across_timesteps": False},
        CE.sum(0) / WEIGHTS.sum(0),
    ),
    "per_example": ({"average_across_batch": False}, CE.sum(1) / WEIGHTS.sum(1)),
    "none": ({"average_across_timesteps": False, "average_across_batch": False}, CE),
    "sum_both": (
        {
            "average_across_timesteps": False,
            "average_across_batch": False,
            "sum_over_timesteps": True,
            "sum_over_batch": True,
        },
        CE.sum() / np.count_nonzero(WEIGHTS),
    ),
    "sum_time": (
        {
            "average_across_timesteps": False,
            "average_across_batch": False,
            "sum_over_timesteps": True,
        },
        CE.sum(1) / np.count_nonzero(WEIGHTS, 1),
    ),
    "sum_batch_zero_column": (
        {"average_across_timesteps": False, "average_across_batch": False, "sum_over_batch": True},
        CE.sum(0) / np.count_nonzero(WEIGHTS, 0),
    ),
}


@pytest.mark.parametrize("mode", sorted(SEQUENCE_LOSS_MODES))
def test_sequence_loss_matches_closed_form(mode):
    kwargs, expected = SEQUENCE_LOSS_MODES[mode]
    # Called eagerly: through the namespace a TF1 call would enter legacy graph mode.
    actual = losses.sequence_loss(LOGITS, TARGETS, WEIGHTS, **kwargs)
    np.testing.assert_allclose(actual.numpy(), expected, atol=1e-6, rtol=1e-6)


def test_sequence_loss_divides_by_zero_weights_as_zero():
    zero = np.zeros_like(WEIGHTS)
    assert float(losses.sequence_loss(LOGITS, TARGETS, zero)) == 0.0
    per_time = losses.sequence_loss(
        LOGITS,
        TARGETS,
        zero,
        average_across_batch=False,
        average_across_timesteps=False,
        sum_over_batch=True,
    )
    np.testing.assert_array_equal(per_time.numpy(), np.zeros(TIME))


def test_sequence_loss_custom_softmax_function_gets_keywords():
    seen = {}

    def softmax_loss_function(labels, logits):
        seen["shapes"] = (labels.shape.as_list(), logits.shape.as_list())
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits) * 2

    loss = losses.sequence_loss(
        LOGITS, TARGETS, WEIGHTS, softmax_loss_function=softmax_loss_function
    )
    np.testing.assert_allclose(float(loss), 2 * CE.sum() / WEIGHTS.sum(), rtol=1e-6)
    assert seen["shapes"] == ([BATCH * TIME], [BATCH * TIME, CLASSES])


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((LOGITS[0], TARGETS, WEIGHTS), {}, "`logits` must be a [batch_size, sequence_length, "),
        ((LOGITS, TARGETS[0], WEIGHTS), {}, "`targets` must be a [batch_size, sequence_length]"),
        ((LOGITS, TARGETS, WEIGHTS[0]), {}, "`weights` must be a [batch_size, sequence_length]"),
        (
            (LOGITS, TARGETS, WEIGHTS),
            {"sum_over_timesteps": True},
            "`sum_over_timesteps` must be False when `average_across_timesteps` is True",
        ),
        (
            (LOGITS, TARGETS, WEIGHTS),
            {"sum_over_batch": True},
            "`sum_over_batch` must be False when `average_across_batch` is True",
        ),
    ],
)
def test_sequence_loss_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        losses.sequence_loss(*args, **kwargs)


def _per_step(array):
    return [tf.constant(array[:, t]) for t in range(TIME)]


def test_legacy_sequence_loss_by_example_matches_closed_form():
    legacy = _EagerLegacySeq2seq
    args = (_per_step(LOGITS), _per_step(TARGETS), _per_step(WEIGHTS))
    by_example = legacy.sequence_loss_by_example(*args)
    np.testing.assert_allclose(
        by_example.numpy(), CE.sum(1) / (WEIGHTS.sum(1) + 1e-12), atol=1e-6, rtol=1e-6
    )
    summed = legacy.sequence_loss_by_example(*args, average_across_timesteps=False)
    np.testing.assert_allclose(summed.numpy(), CE.sum(1), atol=1e-6, rtol=1e-6)
    mean = legacy.sequence_loss(*args)
    expected = (CE.sum(1) / (WEIGHTS.sum(1) + 1e-12)).sum() / BATCH
    np.testing.assert_allclose(float(mean), expected, atol=1e-6, rtol=1e-6)
    total = legacy.sequence_loss(*args, average_across_batch=False)
    np.testing.assert_allclose(float(total), expected * BATCH, atol=1e-5, rtol=1e-6)


def test_legacy_sequence_loss_accepts_column_targets():
    # TF1 reshaped each step's targets to 1-D, so [batch, 1] columns worked.
    targets = [tf.reshape(t, [-1, 1]) for t in _per_step(TARGETS)]
    loss = losses.sequence_loss_by_example(_per_step(LOGITS), targets, _per_step(WEIGHTS))
    np.testing.assert_allclose(loss.numpy(), CE.sum(1) / (WEIGHTS.sum(1) + 1e-12), rtol=1e-6)


def test_legacy_sequence_loss_errors():
    with pytest.raises(ValueError, match=re.escape("as many time steps as `logits` (4), got 3")):
        losses.sequence_loss_by_example(
            _per_step(LOGITS), _per_step(TARGETS)[:3], _per_step(WEIGHTS)
        )
    with pytest.raises(TypeError, match=re.escape("`logits` must be a list of per-time-step")):
        losses.legacy_sequence_loss(LOGITS, _per_step(TARGETS), _per_step(WEIGHTS))
