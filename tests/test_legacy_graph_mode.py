"""Legacy graph mode: a TF1 script building in the implicit default graph, per thread.

Each in-process test runs its TF1 code in a fresh thread (the default-graph stack is
thread-local), so the pytest thread stays eager; whole scripts run in subprocesses.
"""

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import tensorflow

import tf_pipeline.tf1 as tf

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "legacy_scripts"
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"}


def in_thread(func):
    """Run ``func`` in a new thread; return its result or raise its exception."""
    outcome = {}

    def target():
        try:
            outcome["result"] = func()
        except BaseException as error:  # noqa: BLE001 - handed back to the caller
            outcome["error"] = error
        finally:
            tf.leave_legacy_graph_mode()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def test_first_tf1_call_enters_legacy_mode_in_its_thread_only():
    def script():
        assert tf.executing_eagerly() and not tf.in_legacy_graph_mode()
        x = tf.placeholder(tf.float32, [None], name="x")
        other = {}
        probe = threading.Thread(target=lambda: other.update(eager=tf.executing_eagerly()))
        probe.start()
        probe.join()
        with tf.Session() as sess:
            value = sess.run(x * 3.0, {x: [1.0, 2.0]})
        return tf.in_legacy_graph_mode(), x.graph is tf.get_default_graph(), other, value

    legacy, same_graph, other, value = in_thread(script)
    assert legacy and same_graph
    assert other == {"eager": True}
    np.testing.assert_array_equal(value, [3.0, 6.0])
    assert tensorflow.executing_eagerly()


def test_every_kind_of_entry_point_enters_legacy_mode():
    entries = {
        "submodule function": lambda: tf.train.get_or_create_global_step(),
        "restored function": lambda: tf.contrib.layers.xavier_initializer(),
        "Session": lambda: tf.Session().close(),
        "Variable": lambda: tf.Variable(1.0),
        "variable_scope": lambda: tf.variable_scope("s"),
        "set_random_seed": lambda: tf.set_random_seed(0),
        "disable_eager_execution": lambda: tf.disable_eager_execution(),
        "compat.v1 through ours": lambda: tf.compat.v1.placeholder(tf.float32),
        "Dataset constructor": lambda: tf.data.Dataset.range(3),
        "reader": lambda: tf.TextLineReader(),
    }
    for name, entry in entries.items():
        assert in_thread(lambda e=entry: (e(), tf.in_legacy_graph_mode())[1]), name
    assert in_thread(lambda: (tf.logging.info("x"), tf.in_legacy_graph_mode())[1]) is False


def test_tf1_eager_program_stays_eager():
    def script():
        tf.enable_eager_execution()
        value = tf.reduce_sum(tf.constant([1.0, 2.0])).numpy()
        eager = tf.executing_eagerly() and not tf.in_legacy_graph_mode()
        tf.disable_eager_execution()
        return value, eager, tf.in_legacy_graph_mode()

    assert in_thread(script) == (3.0, True, True)


def test_explicit_graph_nests_above_the_legacy_graph_and_pops_back():
    def script():
        legacy = tf.get_default_graph()
        with tf.Graph().as_default() as explicit:
            tf.constant(1.0)
            inner = tf.get_default_graph()
            with pytest.raises(AssertionError, match="inside a nested graph"):
                tf.leave_legacy_graph_mode()
            with pytest.raises(
                AssertionError,
                match=re.escape("Do not use tf.reset_default_graph() to clear nested graphs"),
            ):
                tf.reset_default_graph()
        return legacy, explicit, inner, tf.get_default_graph()

    legacy, explicit, inner, after = in_thread(script)
    assert inner is explicit and after is legacy and legacy is not explicit


def test_assign_inside_cond_works_in_the_legacy_graph():
    # Why variables stay resource variables: TF 2's functional cond cannot capture a
    # reference variable, and batch norm's moving averages assign inside a cond.
    def script():
        training = tf.placeholder(tf.bool, [])
        v = tf.get_variable("moving_mean", [], initializer=tf.zeros_initializer())
        update = tf.cond(training, lambda: tf.assign_add(v, 1.0), lambda: tf.identity(v))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return [float(sess.run(update, {training: t})) for t in (True, True, False)]

    assert in_thread(script) == [1.0, 2.0, 2.0]


def test_variable_proxy_keeps_isinstance():
    def script():
        with tf.Graph().as_default():
            resource = tf.Variable(1.0)
        return resource, tf.Variable(1.0)

    explicit, legacy = in_thread(script)
    assert isinstance(explicit, tf.Variable) and isinstance(legacy, tf.Variable)
    assert issubclass(type(legacy), tf.Variable)
    assert not isinstance(np.ones(1), tf.Variable)
    assert tf.Variable.SaveSliceInfo is tensorflow.compat.v1.Variable.SaveSliceInfo


def test_dataset_first_script_runs_in_the_default_graph():
    def script():
        dataset = tf.data.Dataset.from_tensor_slices(np.arange(6.0)).batch(4)
        batch = dataset.make_one_shot_iterator().get_next()
        with tf.Session() as sess:
            return isinstance(dataset, tf.data.Dataset), sess.run(batch)

    is_dataset, batch = in_thread(script)
    assert is_dataset
    np.testing.assert_array_equal(batch, [0.0, 1.0, 2.0, 3.0])


def test_reset_default_graph_and_interactive_session():
    def script():
        first = tf.get_default_graph()
        tf.constant(1.0)
        tf.reset_default_graph()
        second = tf.get_default_graph()
        sess = tf.InteractiveSession()
        value = (tf.constant(2.0) * 3.0).eval()
        with pytest.raises(
            AssertionError,
            match=re.escape("Do not use tf.reset_default_graph() to clear nested graphs"),
        ):
            tf.reset_default_graph()
        sess.close()
        tf.reset_default_graph()
        return first is not second, len(second.get_operations()), value

    fresh, ops, value = in_thread(script)
    assert fresh and ops == 3 and value == 6.0  # Const, Const, Mul


def _keras_model():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = np.random.RandomState(0).rand(32, 4).astype("float32")
    return model.fit(x, x.sum(axis=1), epochs=2, verbose=0).history["loss"]


def test_keras_in_a_legacy_thread_gives_a_clear_error_then_works_after_leaving():
    def script():
        tf.placeholder(tf.float32, [None, 4])  # this line enters legacy mode
        with pytest.raises(tf.LegacyGraphModeError) as raised:
            _keras_model()
        left = tf.leave_legacy_graph_mode()
        return str(raised.value), left, tf.executing_eagerly(), _keras_model()

    message, left, eager, losses = in_thread(script)
    assert re.search(r"test_legacy_graph_mode\.py:\d+", message), message
    assert "with tf.Graph().as_default():" in message
    assert "leave_legacy_graph_mode()" in message
    assert left and eager and len(losses) == 2


def test_explicit_graph_and_keras_in_one_thread_stay_as_before():
    def script():
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 1, 4])
            tf.nn.dynamic_rnn(tf.contrib.rnn.BasicLSTMCell(3), x, dtype=tf.float32)
        return tf.in_legacy_graph_mode(), _keras_model()

    legacy, losses = in_thread(script)
    assert not legacy and losses[-1] < losses[0]


def test_library_code_gets_plain_functions_and_attribute_access_enters_nothing():
    import types

    library = types.ModuleType("tf_pipeline.some_library")
    exec(
        "import tf_pipeline.tf1 as tf\nrelu = tf.nn.relu\nsaver = tf.train.Saver", library.__dict__
    )
    assert library.relu is tensorflow.compat.v1.nn.relu
    assert library.saver is tensorflow.compat.v1.train.Saver
    assert in_thread(lambda: (tf.placeholder, tf.nn.relu, tf.in_legacy_graph_mode())[-1]) is False


def test_wrappers_are_cached_and_keep_names():
    assert tf.nn.relu is tf.nn.relu
    assert tf.nn.relu.__name__ == "relu"
    assert tf.nn.relu.__wrapped__ is tensorflow.compat.v1.nn.relu
    assert tf.executing_eagerly is tensorflow.compat.v1.executing_eagerly
    assert tf.compat.v1 is tf


@pytest.mark.slow
def test_module_level_script_with_only_the_import_changed(tmp_path):
    out = tmp_path / "out.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "module_level.py"), str(out)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(out.read_text()) == {
        "value": [3.5, 3.5],
        "same_graph": True,
        "new_graph_after_reset": True,
        "ops_after_reset": 0,
        "restored_lr": 0.25,
        "interactive_eval": 8.0,
        "legacy_mode": True,
        "left": True,
        "eager_after_leave": True,
    }
