"""tf.estimator on the shared engine: API contracts, input_fns, hooks, export, reliability.

Parity with real tf.estimator 2.15 is in ``test_tf_estimator_golden.py``; these tests pin
TF 2.15's documented behaviour (signatures, defaults, errors) and the engine's promises
(resume after SIGKILL, NaN stops before a checkpoint, corrupt checkpoint, one trainer).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tensorflow

import tf_pipeline.tf1 as tf
from estimators import CheckpointError, ModelDirBusyError, NanLossError

ROOT = Path(__file__).resolve().parent.parent
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"}
X = np.linspace(-1, 1, 24, dtype=np.float32).reshape(12, 2)
Y = (X[:, :1] - 2 * X[:, 1:]).astype(np.float32)


def model_fn(features, labels, mode, params):
    x = features["x"] if isinstance(features, dict) else features
    y = tf.layers.dense(x, 1, name="out", kernel_initializer=tf.zeros_initializer())
    predictions = {"y": y, "twice": 2 * y}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.losses.mean_squared_error(labels, y)
    step = tf.train.get_global_step()
    if "nan_at" in params:  # from this step on the loss (and so every gradient) is NaN
        loss *= tf.where(step >= params["nan_at"], np.float32("nan"), np.float32(1))
    train_op = tf.train.GradientDescentOptimizer(params.get("lr", 0.1)).minimize(loss, step)
    metrics = {"mae": tf.metrics.mean_absolute_error(labels, y)}
    return tf.estimator.EstimatorSpec(
        mode, predictions=predictions, loss=loss, train_op=train_op, eval_metric_ops=metrics
    )


def numpy_fn(shuffle=False, epochs=1, batch_size=4, labels=True):
    return tf.estimator.inputs.numpy_input_fn(
        {"x": X},
        Y if labels else None,
        batch_size=batch_size,
        num_epochs=epochs,
        shuffle=shuffle,
    )


def make(model_dir, params=None, **config):
    config.setdefault("tf_random_seed", 0)
    return tf.estimator.Estimator(
        model_fn, str(model_dir), tf.estimator.RunConfig(**config), params=params or {}
    )


# -- names and values ------------------------------------------------------------------------
def test_namespace_and_mode_keys():
    from tf_pipeline.tf1 import estimator

    assert estimator is tf.estimator
    assert (tf.estimator.ModeKeys.TRAIN, tf.estimator.ModeKeys.EVAL) == ("train", "eval")
    assert tf.estimator.ModeKeys.PREDICT == "infer"
    for name in (
        "SessionRunHook",
        "SessionRunArgs",
        "LoggingTensorHook",
        "StopAtStepHook",
        "NanTensorHook",
        "CheckpointSaverHook",
        "CheckpointSaverListener",
        "SummarySaverHook",
        "StepCounterHook",
        "FinalOpsHook",
    ):
        assert getattr(tf.estimator, name) is getattr(tensorflow.compat.v1.train, name)
        assert getattr(tf.train, name) is getattr(tf.estimator, name)
    assert tf.estimator.export.PredictOutput.__name__ == "PredictOutput"
    # TF's own MonitoredTrainingSession (the engine's session machinery) is tf.train's.
    with tensorflow.Graph().as_default():
        step = tf.train.get_or_create_global_step()
        increment = tf.assign_add(step, 1)
        hooks = [tf.train.StopAtStepHook(last_step=3)]
        with tf.train.MonitoredTrainingSession(hooks=hooks) as session:
            while not session.should_stop():
                session.run(increment)
    assert callable(tf.estimator.inputs.pandas_input_fn)


def test_run_config_defaults_and_replace():
    config = tf.estimator.RunConfig()
    assert (config.save_checkpoints_secs, config.save_checkpoints_steps) == (600, None)
    assert (config.keep_checkpoint_max, config.save_summary_steps) == (5, 100)
    steps = config.replace(save_checkpoints_steps=7, tf_random_seed=3)
    assert (steps.save_checkpoints_secs, steps.save_checkpoints_steps) == (None, 7)
    assert steps.tf_random_seed == 3 and config.tf_random_seed is None
    assert steps.replace(save_checkpoints_secs=30).save_checkpoints_steps is None
    with pytest.raises(ValueError, match=re.escape("`replace` arguments must be among")):
        config.replace(train_loop="graph")
    with pytest.raises(ValueError, match="`train_distribute` must be None"):
        tf.estimator.RunConfig(train_distribute=object())


def test_estimator_spec_validation():
    with tensorflow.Graph().as_default():
        loss = tf.constant(1.0)
        with pytest.raises(ValueError, match="`train_op` must be given in TRAIN mode"):
            tf.estimator.EstimatorSpec("train", loss=loss)
        with pytest.raises(ValueError, match="`loss` must be given in 'eval' mode"):
            tf.estimator.EstimatorSpec("eval", predictions=loss)
        with pytest.raises(ValueError, match="`loss` must be a scalar"):
            tf.estimator.EstimatorSpec("eval", loss=tf.constant([1.0, 2.0]))
        with pytest.raises(TypeError, match="`training_hooks` must hold SessionRunHook"):
            tf.estimator.EstimatorSpec("eval", loss=loss, training_hooks=[object()])
        spec = tf.estimator.EstimatorSpec("infer", predictions={"p": loss})
        assert list(spec.export_outputs) == ["serving_default"]
        with pytest.raises(ValueError, match="cannot change"):
            spec._replace(mode="train")


def test_model_fn_signatures(tmp_path):
    def no_mode(features, labels):
        y = tf.layers.dense(features["x"], 1)
        loss = tf.losses.mean_squared_error(labels, y)
        op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
        return tf.estimator.EstimatorSpec("train", loss=loss, train_op=op, predictions=y)

    est = tf.estimator.Estimator(no_mode, str(tmp_path / "a"))
    est.train(numpy_fn(epochs=None), steps=2)
    assert est.get_variable_value("global_step") == 2
    with pytest.raises(ValueError, match="`model_fn` must take a `features` argument"):
        tf.estimator.Estimator(lambda x, labels: None)
    with pytest.raises(ValueError, match="must take a `params` argument"):
        tf.estimator.Estimator(no_mode, params={"a": 1})
    with pytest.raises(TypeError, match="`config` must be a tf.estimator.RunConfig"):
        tf.estimator.Estimator(model_fn, config=object())

    def bad(features, labels, mode):
        return "no spec"

    with pytest.raises(ValueError, match="`model_fn` must return an EstimatorSpec, got str"):
        tf.estimator.Estimator(bad, str(tmp_path / "b")).train(numpy_fn(), steps=1)


def test_untrained_estimator_predicts_from_initial_values_as_tf215(tmp_path):
    est = make(tmp_path, params={"lr": 0.5})
    params = est.params
    params["lr"] = 9.0
    assert est.params == {"lr": 0.5}  # a copy, as TF's
    assert est.config.model_dir == str(tmp_path)
    rows = list(est.predict(numpy_fn(labels=False)))  # zeros kernel, zero bias
    np.testing.assert_array_equal(np.stack([r["y"] for r in rows]), np.zeros((12, 1)))
    assert est.latest_checkpoint() is None
    with pytest.raises(ValueError, match="call `train` first"):
        est.get_variable_names()


# -- train / evaluate / predict ---------------------------------------------------------------
@pytest.mark.slow
def test_train_evaluate_predict_with_numpy_dataset_and_hooks(tmp_path):
    class CountingHook(tf.estimator.SessionRunHook):
        def __init__(self):
            self.runs = 0

        def after_run(self, run_context, run_values):
            self.runs += 1

    class Listener(tf.estimator.CheckpointSaverListener):
        def __init__(self):
            self.saved = []

        def after_save(self, session, global_step_value):
            self.saved.append(global_step_value)

    est = make(tmp_path, save_checkpoints_steps=3, params={"lr": 0.2})
    hook, listener = CountingHook(), Listener()
    est.train(
        numpy_fn(epochs=None, shuffle=True), hooks=[hook], steps=7, saving_listeners=[listener]
    )
    assert hook.runs == 7 and listener.saved == [0, 3, 6, 7]
    est.train(numpy_fn(epochs=None), max_steps=7)  # already reached: a no-op
    assert est.get_variable_value("global_step") == 7
    # A Dataset of (features, labels), run until it ends (12 rows / 4 = 3 steps).
    est.train(lambda: tf.data.Dataset.from_tensor_slices(({"x": X}, Y)).batch(4))
    assert est.latest_checkpoint().endswith("model.ckpt-10")

    extended = tf.estimator.add_metrics(
        est, lambda labels, predictions: {"y_mean": tf.metrics.mean(predictions["y"])}
    )
    more = extended.evaluate(numpy_fn())
    assert sorted(more) == ["global_step", "loss", "mae", "y_mean"]

    hook = CountingHook()
    metrics = est.evaluate(numpy_fn(), hooks=[hook], name="holdout")
    assert sorted(metrics) == ["global_step", "loss", "mae"] and metrics["global_step"] == 10
    assert hook.runs == 3 and os.listdir(tmp_path / "eval_holdout")
    kernel, bias = est.get_variable_value("out/kernel"), est.get_variable_value("out/bias")
    expected = X @ kernel + bias
    batch_losses = [np.mean((expected[i : i + 4] - Y[i : i + 4]) ** 2) for i in (0, 4, 8)]
    assert metrics["loss"] == pytest.approx(np.mean(batch_losses), rel=1e-5)

    rows = list(est.predict(numpy_fn(labels=False)))
    assert len(rows) == 12 and sorted(rows[0]) == ["twice", "y"]
    np.testing.assert_allclose(np.stack([r["y"] for r in rows]), expected, rtol=1e-5)
    only = list(
        est.predict(
            lambda: tf.data.Dataset.from_tensor_slices({"x": X}).batch(5),
            predict_keys="twice",
            yield_single_examples=False,
        )
    )
    assert [sorted(b) for b in only] == [["twice"]] * 3 and len(only[-1]["twice"]) == 2
    np.testing.assert_allclose(np.concatenate([b["twice"] for b in only]), 2 * expected, rtol=1e-5)
    with pytest.raises(ValueError, match="`predict_keys` must name prediction keys"):
        next(est.predict(numpy_fn(labels=False), predict_keys=["nope"]))


@pytest.mark.slow
def test_queue_and_pandas_input_fns(tmp_path):
    def queue_input_fn():
        x, y = tf.train.slice_input_producer([X, Y], shuffle=False, num_epochs=1)
        return tf.train.batch([x, y], batch_size=4, allow_smaller_final_batch=True)

    est = make(tmp_path)
    est.train(queue_input_fn)  # runs until the queue ends: 3 steps
    assert est.get_variable_value("global_step") == 3
    frame = pd.DataFrame({"x": X[:, 0]})
    fn = tf.estimator.inputs.pandas_input_fn(
        frame, pd.Series(Y[:, 0]), batch_size=5, shuffle=False
    )
    with tensorflow.Graph().as_default():
        features, labels = fn()
        with tf.train.MonitoredSession() as session:
            first = session.run([features, labels])
    np.testing.assert_allclose(first[0]["x"], X[:5, 0])
    np.testing.assert_allclose(first[1], Y[:5, 0])
    with pytest.raises(ValueError, match="`shuffle` must be given explicitly as a bool"):
        tf.estimator.inputs.numpy_input_fn({"x": X})


# -- export -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_export_outputs_signatures_and_exporters(tmp_path):
    def head_fn(features, labels, mode):
        y = tf.layers.dense(features["x"], 1, name="out")
        if mode == tf.estimator.ModeKeys.PREDICT:
            scores = tf.concat([tf.sigmoid(y), 1 - tf.sigmoid(y)], axis=1)
            classes = tf.tile(tf.constant([["a", "b"]]), [tf.shape(y)[0], 1])
            outputs = {
                "serving_default": tf.estimator.export.PredictOutput({"y": y}),
                "regress": tf.estimator.export.RegressionOutput(y),
                "classify": tf.estimator.export.ClassificationOutput(scores, classes),
            }
            return tf.estimator.EstimatorSpec(mode, predictions={"y": y}, export_outputs=outputs)
        loss = tf.losses.mean_squared_error(labels, y)
        op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=op)

    config = tf.estimator.RunConfig(tf_random_seed=0, save_checkpoints_steps=2)
    est = tf.estimator.Estimator(head_fn, str(tmp_path / "m"), config)
    spec = {"x": tensorflow.io.FixedLenFeature([2], tensorflow.float32)}
    receiver = tf.estimator.export.build_parsing_serving_input_receiver_fn(spec)
    exporters = [
        tf.estimator.LatestExporter("latest", receiver, exports_to_keep=1),
        tf.estimator.BestExporter("best", receiver),
        tf.estimator.FinalExporter("final", receiver),
    ]
    metrics, exports = tf.estimator.train_and_evaluate(
        est,
        tf.estimator.TrainSpec(numpy_fn(epochs=None), max_steps=4),
        tf.estimator.EvalSpec(numpy_fn(), steps=None, exporters=exporters, throttle_secs=0),
    )
    assert metrics["global_step"] == 4 and len(exports) == 3
    assert all(e is not None for e in exports)  # the final evaluation: all three export
    base = tmp_path / "m" / "export"
    assert len(os.listdir(base / "latest")) == 1 and len(os.listdir(base / "final")) == 1
    example = tensorflow.train.Example(
        features=tensorflow.train.Features(
            feature={
                "x": tensorflow.train.Feature(float_list=tensorflow.train.FloatList(value=X[0]))
            }
        )
    )
    with tensorflow.Graph().as_default() as graph, tf.Session(graph=graph) as session:
        meta = tf.saved_model.loader.load(session, ["serve"], exports[2].decode())
        assert sorted(meta.signature_def) == ["classify", "regress", "serving_default"]
        regress = meta.signature_def["regress"]
        value = session.run(
            regress.outputs["outputs"].name,
            {regress.inputs["inputs"].name: [example.SerializeToString()]},
        )
    predicted = next(est.predict(numpy_fn(labels=False)))["y"]
    np.testing.assert_allclose(value[0], predicted, rtol=1e-5)
    # export_savedmodel is the TF 1.x name; without a checkpoint export is an error.
    assert os.path.isdir(est.export_savedmodel(str(tmp_path / "old"), receiver))
    with pytest.raises(ValueError, match="`checkpoint_path` must name a checkpoint"):
        make(tmp_path / "empty").export_saved_model(str(tmp_path / "x"), receiver)


# -- reliability: the engine's promises ---------------------------------------------------
def test_nan_loss_stops_before_a_bad_checkpoint(tmp_path):
    est = make(tmp_path, save_checkpoints_steps=1, params={"nan_at": 3})
    with pytest.raises(NanLossError, match="NaN loss during training at step 3;") as info:
        est.train(numpy_fn(epochs=None), steps=20)
    assert isinstance(info.value, tf.train.NanLossDuringTrainingError)
    # The step that applied NaN gradients was never saved: the latest checkpoint is step 3.
    assert est.latest_checkpoint().endswith("model.ckpt-3")
    for name in ("out/kernel", "out/bias"):
        assert np.isfinite(est.get_variable_value(name)).all()


def test_corrupt_checkpoint_is_a_named_error(tmp_path):
    est = make(tmp_path)
    est.train(numpy_fn(epochs=None), steps=2)
    data = next(p for p in tmp_path.iterdir() if p.name.startswith("model.ckpt-2.data"))
    data.write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match=re.escape("model.ckpt-2")):
        est.train(numpy_fn(epochs=None), steps=2)
    with pytest.raises(CheckpointError, match="could not be restored|cannot be read"):
        est.evaluate(numpy_fn())


TRAINER = """
import sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from tests.test_tf_estimator import make, numpy_fn
make(sys.argv[1], save_checkpoints_steps=50).train(numpy_fn(epochs=None), steps=10_000_000)
"""


def _checkpoint_step(model_dir: Path) -> int:
    path = tensorflow.train.latest_checkpoint(str(model_dir))
    return -1 if path is None else int(path.rsplit("-", 1)[1])


@pytest.mark.slow
def test_sigkill_mid_train_then_resume_and_second_trainer_refused(tmp_path):
    model_dir = tmp_path / "model"
    trainer = subprocess.Popen(
        [sys.executable, "-c", TRAINER, str(model_dir), str(ROOT)], env=ENV, cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 180
        while _checkpoint_step(model_dir) < 100:
            assert trainer.poll() is None, "the training process ended early"
            assert time.monotonic() < deadline, "no checkpoint at step >= 100 in time"
            time.sleep(0.2)
        second = make(model_dir)
        with pytest.raises(ModelDirBusyError, match=rf"another process \(pid {trainer.pid}\)"):
            second.train(numpy_fn(epochs=None), steps=1)
    finally:
        os.kill(trainer.pid, signal.SIGKILL)
        trainer.wait()
    assert trainer.returncode == -signal.SIGKILL
    step = _checkpoint_step(model_dir)
    assert step >= 100 and step % 50 == 0
    second.train(numpy_fn(epochs=None), steps=5)  # the lock died with the process
    assert second.get_variable_value("global_step") == step + 5


@pytest.mark.slow
def test_estimator_airpassengers_example_trains_exports_and_serves(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "estimator_airpassengers.py"),
            "--steps",
            "200",
            "--model-dir",
            str(tmp_path / "model"),
        ],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    match = re.search(r"RMSE of the served model on the last 24 months: ([0-9.]+)", result.stdout)
    assert match, result.stdout
    assert 0 < float(match.group(1)) < 400
    assert len(os.listdir(tmp_path / "model" / "export" / "airpassengers")) >= 1


@pytest.mark.slow
def test_contrib_learn_export_savedmodel_serves_predict(tmp_path):
    from estimators import Estimator, RunConfig
    from estimators.input_fn_utils import InputFnOps

    def learn_model_fn(features, labels):
        y = tf.reshape(tf.layers.dense(features, 1, name="out"), [-1])
        loss = tf.losses.mean_squared_error(tf.reshape(labels, [-1]), y)
        op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, tf.train.get_global_step())
        return y, loss, op

    est = Estimator(learn_model_fn, str(tmp_path / "m"), RunConfig(tf_random_seed=0))
    est.fit(x=X, y=Y, batch_size=4, steps=5)

    def serving_input_fn():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        return InputFnOps(x, None, {"x": x})

    export_dir = est.export_savedmodel(str(tmp_path / "export"), serving_input_fn)
    loaded = tensorflow.saved_model.load(export_dir.decode())
    assert sorted(loaded.signatures) == [
        "default_input_alternative:default_output_alternative",
        "serving_default",
    ]
    served = loaded.signatures["serving_default"](x=tensorflow.constant(X))["output"].numpy()
    np.testing.assert_allclose(served, np.array(list(est.predict(x=X))), rtol=1e-5)
