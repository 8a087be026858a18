"""``import tf_pipeline.tf1 as tf``: TF1 names resolve, Keras 3 keeps working alongside."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow

import tf_pipeline.tf1 as tf
from tf_pipeline.compat import layers as compat_layers
from tf_pipeline.compat import rnn as compat_rnn

ROOT = Path(__file__).resolve().parent.parent


def unwrap(func):
    """The function behind tf_pipeline.tf1's legacy-graph-mode wrapper (one level)."""
    return func.__wrapped__


def test_restored_symbols_are_ours():
    assert tf.nn.rnn_cell.BasicLSTMCell is compat_rnn.BasicLSTMCell
    assert tf.contrib.rnn.MultiRNNCell is compat_rnn.MultiRNNCell
    assert tf.contrib.rnn.LSTMStateTuple is compat_rnn.LSTMStateTuple
    # Functions come out wrapped to enter legacy graph mode (one wrapper per function).
    assert unwrap(tf.contrib.layers.fully_connected) is compat_layers.fully_connected
    assert unwrap(tf.contrib.layers.optimize_loss) is compat_layers.optimize_loss
    assert unwrap(tf.contrib.layers.xavier_initializer) is compat_layers.xavier_initializer
    assert unwrap(tf.layers.dense) is compat_layers.dense
    assert tf.layers.dense is tf.layers.dense


def test_everything_else_is_compat_v1():
    v1 = tensorflow.compat.v1
    assert unwrap(tf.placeholder) is v1.placeholder
    assert issubclass(tf.Session, v1.Session)
    assert tf.train.Saver is v1.train.Saver
    # dynamic_rnn is v1's behind a recording wrapper (see tf_pipeline.compat.records).
    assert unwrap(tf.nn.dynamic_rnn) is compat_rnn.dynamic_rnn
    assert unwrap(tf.nn.relu) is v1.nn.relu
    assert tf.nn.relu is tf.nn.relu
    assert unwrap(tf.losses.mean_squared_error) is v1.losses.mean_squared_error
    assert tf.float32 is v1.float32
    with pytest.raises(AttributeError, match="has no attribute 'no_such_symbol'"):
        tf.no_such_symbol  # noqa: B018


def test_from_imports_work():
    from tf_pipeline.tf1.contrib import framework, layers, rnn
    from tf_pipeline.tf1.nn import rnn_cell

    assert rnn.BasicLSTMCell is rnn_cell.BasicLSTMCell
    assert layers.fully_connected is tf.contrib.layers.fully_connected
    assert unwrap(framework.get_global_step) is tensorflow.compat.v1.train.get_global_step


def test_get_global_step_inside_graph():
    with tf.Graph().as_default():
        step = tf.train.get_or_create_global_step()
        assert tf.contrib.framework.get_global_step() is step


def test_import_keeps_eager_and_keras3_trains_after_a_graph():
    import keras

    assert keras.__version__.startswith("3.")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 1, 4])
        tf.nn.dynamic_rnn(tf.contrib.rnn.BasicLSTMCell(3), x, dtype=tf.float32)
    assert tensorflow.executing_eagerly()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = np.random.RandomState(0).rand(64, 4).astype("float32")
    y = x @ np.array([1.0, -2.0, 0.5, 3.0], dtype="float32")
    history = model.fit(x, y, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


@pytest.mark.slow
def test_tf1_script_with_only_the_import_changed_runs_beside_keras3():
    script = ROOT / "examples" / "tf1_graph_and_keras3.py"
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restored max diff 0.00e+00" in result.stdout
    assert "eager still on: True" in result.stdout
    text = script.read_text()
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert "import tf_pipeline.tf1 as tf  # was: import tensorflow as tf" in imports
    assert not any("tensorflow" in line.split("#")[0] for line in imports)
