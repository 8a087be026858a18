"""to_keras: TF1 model_fns built from our namespace -> Keras 3, every layer and state compared.

The oracle is the TF1 graph itself (run by TensorFlow, restored from the same checkpoint);
every variable gets random values first so biases, forget biases and peepholes all matter.
"""

from __future__ import annotations

import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import tf_pipeline.tf1 as tf1
from tf_pipeline.migrate import export_tf1_checkpoint, parity_report, port_checkpoint, to_keras
from tf_pipeline.migrate.keras_layers import TF1LSTMCell

pytestmark = pytest.mark.slow
T, D = 5, 3


def save_tf1(model_fn, input_shape, directory, *, dtype=tf.float32, seed=0):
    """Build model_fn's graph, give every variable random values, save a checkpoint."""
    rng = np.random.RandomState(seed)
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(dtype, [None, *input_shape])
        model_fn(x, None, "infer")
        with tf1.Session(graph=graph) as session:
            session.run(tf1.global_variables_initializer())
            for variable in tf1.global_variables():
                value = rng.uniform(-0.8, 0.8, variable.shape).astype(np.float32)
                if "moving_variance" in variable.name:
                    value = np.abs(value) + 0.5
                variable.load(value, session)
            return tf1.train.Saver().save(session, os.path.join(directory, "model.ckpt"))


def rnn_head(make_cell, *, state_is_tuple_h=None):
    def model_fn(features, labels, mode):
        outputs, state = tf1.nn.dynamic_rnn(make_cell(), features, dtype=tf.float32)
        return tf1.layers.dense(outputs[:, -1, :], 2), None, None

    return model_fn


def stacked(features, labels, mode):
    cells = [
        tf1.nn.rnn_cell.DropoutWrapper(tf1.nn.rnn_cell.LSTMCell(4), output_keep_prob=1.0),
        tf1.nn.rnn_cell.ResidualWrapper(tf1.nn.rnn_cell.GRUCell(4)),
        tf1.nn.rnn_cell.BasicRNNCell(3),
    ]
    outputs, state = tf1.nn.dynamic_rnn(
        tf1.nn.rnn_cell.MultiRNNCell(cells), features, dtype=tf.float32
    )
    joined = tf1.concat([outputs[:, -1, :], state[0].h], axis=1)
    hidden = tf1.contrib.layers.fully_connected(joined, 5, activation_fn=tf.nn.tanh)
    return tf1.reshape(tf1.layers.dense(hidden, 1), [-1]), None, None


def static(features, labels, mode):
    steps = tf1.unstack(features, T, 1)
    outputs, _ = tf1.nn.static_rnn(tf1.nn.rnn_cell.BasicLSTMCell(4), steps, dtype=tf.float32)
    return tf1.layers.dense(outputs[-1], 1), None, None


def concat_state(features, labels, mode):
    cell = tf1.nn.rnn_cell.BasicLSTMCell(4, state_is_tuple=False, forget_bias=0.3)
    _, state = tf1.nn.dynamic_rnn(cell, features, dtype=tf.float32)
    return tf1.layers.dense(state, 1, activation=tf.nn.relu), None, None


def conv1d(features, labels, mode):
    h = tf1.layers.conv1d(features, 4, 2, padding="same", activation=tf.nn.relu)
    h = tf1.layers.max_pooling1d(h, 2, 2)
    h = tf1.layers.dropout(h, 0.5, training=mode == "train")
    return tf1.layers.dense(tf1.layers.flatten(h), 1), None, None


def conv2d(features, labels, mode):
    h = tf1.layers.conv2d(features, 3, 3, activation=tf.nn.relu)
    h = tf1.layers.average_pooling2d(h, 2, 1)
    h = tf1.layers.batch_normalization(h, training=mode == "train")
    h = tf1.layers.flatten(h)
    h = tf1.layers.batch_normalization(h, training=False)
    return tf1.layers.dense(h, 2), None, None


def raw_variables(features, labels, mode):
    flat = tf1.reshape(features, [-1, T * D])
    weights = tf1.get_variable("w", [T * D, 3])
    biases = tf1.get_variable("b", [3])
    return tf.nn.sigmoid(tf1.matmul(flat, weights) + biases), None, None


def embedded(features, labels, mode):
    table = tf1.get_variable("embedding", [11, 4])
    vectors = tf1.nn.embedding_lookup(table, features)
    outputs, _ = tf1.nn.dynamic_rnn(tf1.nn.rnn_cell.GRUCell(3), vectors, dtype=tf.float32)
    return tf1.layers.dense(outputs[:, -1, :], 1), None, None


RNN_CELLS = {
    "basic_rnn": lambda: tf1.nn.rnn_cell.BasicRNNCell(4, activation=tf.nn.relu),
    "gru": lambda: tf1.nn.rnn_cell.GRUCell(4),
    "basic_lstm": lambda: tf1.nn.rnn_cell.BasicLSTMCell(4, forget_bias=0.7),
    "lstm_plain": lambda: tf1.nn.rnn_cell.LSTMCell(4),
    "lstm_peephole_clip_proj": lambda: tf1.nn.rnn_cell.LSTMCell(
        6, use_peepholes=True, cell_clip=0.3, num_proj=3, proj_clip=0.2, forget_bias=0.5
    ),
    "lstm_projection": lambda: tf1.nn.rnn_cell.LSTMCell(5, num_proj=2),
    "lstm_block_peephole_clip": lambda: tf1.contrib.rnn.LSTMBlockCell(
        4, use_peephole=True, cell_clip=0.4
    ),
    "lstm_block": lambda: tf1.contrib.rnn.LSTMBlockCell(4),
    "gru_block": lambda: tf1.contrib.rnn.GRUBlockCellV2(4),
}
CASES = {name: (rnn_head(make), (T, D), "float32") for name, make in RNN_CELLS.items()}
CASES.update(
    stacked=(stacked, (T, D), "float32"),
    static_rnn=(static, (T, D), "float32"),
    concat_state=(concat_state, (T, D), "float32"),
    conv1d_pool_flatten=(conv1d, (8, D), "float32"),
    conv2d_pool_batch_norm=(conv2d, (6, 6, 2), "float32"),
    raw_variables=(raw_variables, (T, D), "float32"),
    embedding=(embedded, (T,), "int32"),
)


def data(input_shape, dtype, n=6, seed=1):
    rng = np.random.RandomState(seed)
    if dtype == "int32":
        return rng.randint(0, 11, (n, *input_shape)).astype(np.int32)
    return rng.uniform(-1, 1, (n, *input_shape)).astype(np.float32)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_layer_and_state_matches_the_tf1_graph(name, tmp_path):
    model_fn, input_shape, dtype = CASES[name]
    prefix = save_tf1(model_fn, input_shape, str(tmp_path), dtype=tf.as_dtype(dtype))
    model = to_keras(model_fn, prefix, input_shape, input_dtype=dtype)
    report = parity_report(prefix, model, data(input_shape, dtype), model_fn=model_fn,
                           input_dtype=dtype)  # fmt: skip
    assert report.passed, report.summary()
    assert report.points and report.predictions_max_abs < 1e-5
    if "rnn" in name or "lstm" in name or "gru" in name or name == "stacked":
        assert any("final state" in p.label for p in report.points)


def test_keras_layers_are_keras_own_where_exact(tmp_path):
    prefix = save_tf1(stacked, (T, D), str(tmp_path))
    kinds = [type(layer).__name__ for layer in to_keras(stacked, prefix, (T, D)).layers]
    assert {"LSTM", "GRU", "SimpleRNN", "Dense", "Add", "Concatenate"} <= set(kinds)
    prefix = save_tf1(CASES["lstm_peephole_clip_proj"][0], (T, D), str(tmp_path / "p"))
    model = to_keras(CASES["lstm_peephole_clip_proj"][0], prefix, (T, D))
    assert any(isinstance(getattr(layer, "cell", None), TF1LSTMCell) for layer in model.layers)


def test_gru_is_keras_gru_without_reset_after(tmp_path):
    model_fn = CASES["gru"][0]
    model = to_keras(model_fn, save_tf1(model_fn, (T, D), str(tmp_path)), (T, D))
    gru = next(layer for layer in model.layers if isinstance(layer, keras.layers.GRU))
    assert gru.cell.reset_after is False


def test_keras_file_round_trip(tmp_path):
    model_fn = CASES["stacked"][0]
    prefix = save_tf1(model_fn, (T, D), str(tmp_path))
    X = data((T, D), "float32")
    model = to_keras(model_fn, prefix, (T, D))
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode on: no Lambda, no pickles
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert parity_report(prefix, loaded, X, model_fn=model_fn).passed


def test_unmappable_op_is_named(tmp_path):
    def model_fn(features, labels, mode):
        outputs, _ = tf1.nn.dynamic_rnn(tf1.nn.rnn_cell.GRUCell(3), features, dtype=tf.float32)
        return tf1.layers.dense(tf1.cumsum(outputs[:, -1, :], axis=1), 1), None, None

    prefix = save_tf1(model_fn, (T, D), str(tmp_path))
    with pytest.raises(ValueError, match=r"op '.*Cumsum' \(type Cumsum\)"):
        to_keras(model_fn, prefix, (T, D))


def test_unsupported_rnn_options_are_refused(tmp_path):
    def model_fn(features, labels, mode):
        lengths = tf1.fill([tf1.shape(features)[0]], 3)
        cell = tf1.nn.rnn_cell.GRUCell(3)
        outputs, _ = tf1.nn.dynamic_rnn(cell, features, sequence_length=lengths, dtype=tf.float32)
        return tf1.layers.dense(outputs[:, -1, :], 1), None, None

    prefix = save_tf1(model_fn, (T, D), str(tmp_path))
    with pytest.raises(
        ValueError, match=re.escape("`sequence_length` of dynamic_rnn must be None")
    ):
        to_keras(model_fn, prefix, (T, D))


def lstm_gru(features, labels, mode):
    cells = [tf1.nn.rnn_cell.BasicLSTMCell(4), tf1.nn.rnn_cell.GRUCell(4)]
    outputs, _ = tf1.nn.dynamic_rnn(
        tf1.nn.rnn_cell.MultiRNNCell(cells), features, dtype=tf.float32
    )
    return tf1.contrib.layers.fully_connected(outputs[:, -1, :], 1, None), None, None


def test_old_port_checkpoint_refuses_an_lstm_gru_checkpoint_naming_the_gru(tmp_path):
    prefix = save_tf1(lstm_gru, (T, D), str(tmp_path))
    with pytest.raises(ValueError, match=r"multi_rnn_cell/cell_1/gru_cell/gates/kernel"):
        port_checkpoint(prefix)
    # ...while to_keras maps both, and the per-layer report passes.
    model = to_keras(lstm_gru, prefix, (T, D))
    assert parity_report(prefix, model, data((T, D), "float32"), model_fn=lstm_gru).passed


def lstm_only(features, labels, mode):
    cells = [tf1.nn.rnn_cell.BasicLSTMCell(4)]
    outputs, _ = tf1.nn.dynamic_rnn(
        tf1.nn.rnn_cell.MultiRNNCell(cells), features, dtype=tf.float32
    )
    return tf1.contrib.layers.fully_connected(outputs[:, -1, :], 1, None), None, None


def test_checkpoint_variables_the_model_fn_does_not_use_are_refused(tmp_path):
    prefix = save_tf1(lstm_gru, (T, D), str(tmp_path))
    with pytest.raises(ValueError, match=r"does not create: \['rnn/multi_rnn_cell/cell_1/gru"):
        to_keras(lstm_only, prefix, (T, D))


def test_parity_report_fails_on_unmapped_checkpoint_variables(tmp_path):
    prefix = save_tf1(lstm_gru, (T, D), str(tmp_path))
    model = to_keras(lstm_only, save_tf1(lstm_only, (T, D), str(tmp_path / "small")), (T, D))
    report = parity_report(prefix, model, data((T, D), "float32"), model_fn=lstm_only)
    assert not report.passed
    assert "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel" in report.unmapped
    assert "unmapped checkpoint variables" in report.summary()


@pytest.mark.parametrize("name", ["stacked", "lstm_peephole_clip_proj", "conv2d_pool_batch_norm"])
def test_export_tf1_checkpoint_round_trip(name, tmp_path):
    model_fn, input_shape, dtype = CASES[name]
    prefix = save_tf1(model_fn, input_shape, str(tmp_path))
    model = to_keras(model_fn, prefix, input_shape)
    exported = export_tf1_checkpoint(
        model, str(tmp_path / "back"), model_fn=model_fn, input_shape=input_shape
    )
    reader, original = tf.train.load_checkpoint(exported), tf.train.load_checkpoint(prefix)
    for variable, _ in tf.train.list_variables(prefix):
        np.testing.assert_allclose(
            reader.get_tensor(variable), original.get_tensor(variable), atol=1e-7
        )
    assert parity_report(exported, model, data(input_shape, dtype), model_fn=model_fn).passed


def lstm_gru_dense(features, labels, mode):
    cells = [tf1.nn.rnn_cell.BasicLSTMCell(6), tf1.nn.rnn_cell.GRUCell(5)]
    outputs, _ = tf1.nn.dynamic_rnn(
        tf1.nn.rnn_cell.MultiRNNCell(cells), features, dtype=tf.float32
    )
    hidden = tf1.layers.dense(outputs[:, -1, :], 4, activation=tf.nn.tanh)
    return tf1.reshape(tf1.layers.dense(hidden, 1), [-1]), None, None


def test_training_parity_lstm_gru_dense(tmp_path):
    """Same initial weights, same batches, SGD on both sides: the loss curves agree."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (64, T, D)).astype(np.float32)
    y = np.sin(X.sum(axis=(1, 2))).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(0)
        x_in = tf1.placeholder(tf.float32, [None, T, D])
        y_in = tf1.placeholder(tf.float32, [None])
        predictions, _, _ = lstm_gru_dense(x_in, None, "train")
        loss = tf1.losses.mean_squared_error(y_in, predictions)
        train_op = tf1.train.GradientDescentOptimizer(0.1).minimize(loss)
        session = tf1.Session(graph=graph)
        session.run(tf1.global_variables_initializer())
        prefix = tf1.train.Saver().save(session, str(tmp_path / "initial.ckpt"))
    model = to_keras(lstm_gru_dense, prefix, (T, D))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", jit_compile=False)
    tf1_losses, keras_losses = [], []
    try:
        for _ in range(30):
            rows = rng.permutation(64)[:16]
            # TF1 reports the loss before its update; so does train_on_batch.
            tf1_losses.append(session.run([loss, train_op], {x_in: X[rows], y_in: y[rows]})[0])
            keras_losses.append(model.train_on_batch(X[rows], y[rows]))
    finally:
        session.close()
    tf1_losses, keras_losses = np.asarray(tf1_losses), np.asarray(keras_losses)
    np.testing.assert_allclose(keras_losses[:10], tf1_losses[:10], atol=1e-5)
    np.testing.assert_allclose(keras_losses, tf1_losses, rtol=1e-3)
    assert tf1_losses[-1] < tf1_losses[0]  # it trained, so the comparison means something


def test_run_py_parity_on_a_users_model_fn(tmp_path, monkeypatch, capsys):
    import run

    source = (
        "import tensorflow as tf\n"
        "import tf_pipeline.tf1 as tf1\n\n\n"
        "def model_fn(features, labels, mode, params):\n"
        "    cell = tf1.nn.rnn_cell.LSTMCell(params['units'], use_peepholes=True, num_proj=2)\n"
        "    outputs, _ = tf1.nn.dynamic_rnn(cell, features, dtype=tf.float32)\n"
        "    return tf1.layers.dense(outputs[:, -1, :], 1), None, None\n"
    )
    (tmp_path / "user_model_for_parity.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    import user_model_for_parity as user

    def fn(features, labels, mode):
        return user.model_fn(features, labels, mode, {"units": 4})

    save_tf1(fn, (T, D), str(tmp_path / "model_dir"))
    argv = ["parity", "--model-dir", str(tmp_path / "model_dir"), "--model-fn"]
    argv += ["user_model_for_parity:model_fn", "--input-shape", "5,3", "--params"]
    argv += ['{"units": 4}', "--save", str(tmp_path / "user.keras")]
    assert run.main(argv) == 0
    out = capsys.readouterr().out
    assert "final state" in out and out.strip().endswith("parity: PASS")
    assert (tmp_path / "user.keras").exists()


def test_rnn_run_outside_our_recorded_runners_is_refused_naming_the_op(tmp_path):
    def model_fn(features, labels, mode):
        fw, bw = tf1.nn.rnn_cell.GRUCell(3), tf1.nn.rnn_cell.GRUCell(3)
        (out_fw, _), _ = tf1.nn.bidirectional_dynamic_rnn(fw, bw, features, dtype=tf.float32)
        return tf1.layers.dense(out_fw[:, -1, :], 1), None, None

    prefix = save_tf1(model_fn, (T, D), str(tmp_path))
    with pytest.raises(ValueError, match=r"op 'bidirectional_rnn/fw/fw/.*' \(type"):
        to_keras(model_fn, prefix, (T, D))


def test_keras_file_loads_in_a_fresh_process_with_only_keras_and_the_layer_module(tmp_path):
    import subprocess
    import sys

    model_fn = CASES["lstm_peephole_clip_proj"][0]
    model = to_keras(model_fn, save_tf1(model_fn, (T, D), str(tmp_path)), (T, D))
    X = data((T, D), "float32")
    model.save(tmp_path / "m.keras")
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "want.npy", model.predict(X, verbose=0))
    script = (
        "import sys, numpy as np, keras\n"
        "from tf_pipeline.migrate.keras_layers import CUSTOM_OBJECTS\n"
        "m = keras.saving.load_model(sys.argv[1] + '/m.keras', custom_objects=CUSTOM_OBJECTS)\n"
        "got = m.predict(np.load(sys.argv[1] + '/x.npy'), verbose=0)\n"
        "np.testing.assert_allclose(got, np.load(sys.argv[1] + '/want.npy'), atol=1e-6)\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
