"""Estimator / SKCompat: TF 1.x contrib.learn semantics on TF 2.21."""

from __future__ import annotations

import logging
import os
import re
import shutil

import numpy as np
import pytest
import tensorflow as tf
from sklearn.exceptions import NotFittedError

from estimators import (
    CheckpointError,
    Estimator,
    ModeKeys,
    ModelFnOps,
    NanLossError,
    RunConfig,
    SKCompat,
)
from tf_pipeline.models import lstm_model

SMALL = {"hidden_size": 4}


def data(n=37, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 1, 12).astype(np.float32)
    y = x.mean(axis=2).astype(np.float32)  # shape (n, 1), as the legacy program had
    return x, y


def make(model_dir, params=SMALL, **config):
    config.setdefault("tf_random_seed", 0)
    return Estimator(
        lstm_model, model_dir=str(model_dir), params=params, config=RunConfig(**config)
    )


def step_of(model_dir):
    return int(tf.train.load_variable(tf.train.latest_checkpoint(str(model_dir)), "global_step"))


# -- steps, max_steps, resume -----------------------------------------------------------


def test_steps_continue_from_restored_global_step(tmp_path):
    x, y = data()
    est = make(tmp_path)
    est.fit(x=x, y=y, batch_size=8, steps=30)
    assert step_of(tmp_path) == 30
    make(tmp_path).fit(x=x, y=y, batch_size=8, steps=20)  # a new object: resumes from disk
    assert step_of(tmp_path) == 50


def test_max_steps_is_absolute_and_skips_when_reached(tmp_path, caplog):
    x, y = data()
    est = make(tmp_path)
    est.fit(x=x, y=y, batch_size=8, max_steps=25)
    assert step_of(tmp_path) == 25
    before = sorted(os.listdir(tmp_path))
    with caplog.at_level(logging.INFO, logger="estimators"):
        est.fit(x=x, y=y, batch_size=8, max_steps=20)
    assert "Skipping training since max_steps (20) has already been reached (25)" in caplog.text
    assert sorted(os.listdir(tmp_path)) == before
    est.fit(x=x, y=y, batch_size=8, max_steps=40)
    assert step_of(tmp_path) == 40


def test_steps_and_max_steps_together_is_an_error(tmp_path):
    x, y = data()
    with pytest.raises(ValueError, match=re.escape("Give `steps` or `max_steps`, not both")):
        make(tmp_path).fit(x=x, y=y, steps=1, max_steps=2)
    with pytest.raises(ValueError, match="the data feeder repeats forever"):
        make(tmp_path).fit(x=x, y=y)


def test_resume_restores_weights_slots_and_learning_rate(tmp_path):
    """15 + 15 steps equal 30 steps: Adagrad accumulators and weights were restored."""
    x, y = data(n=16)
    one_go, two_goes = tmp_path / "a", tmp_path / "b"
    # batch_size=None: every step sees all rows, so both runs see the same data.
    make(one_go).fit(x=x, y=y, batch_size=None, steps=30)
    make(two_goes).fit(x=x, y=y, batch_size=None, steps=15)
    make(two_goes).fit(x=x, y=y, batch_size=None, steps=15)
    a = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(one_go)))
    b = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(two_goes)))
    names = [n for n, _ in tf.train.list_variables(str(one_go))]
    for name in names:
        np.testing.assert_allclose(b.get_tensor(name), a.get_tensor(name), atol=1e-5, rtol=1e-5)
    slot = "OptimizeLoss/fully_connected/biases/Adagrad"
    assert float(a.get_tensor(slot)[0]) > 0.1  # accumulated beyond the 0.1 start


def test_checkpoint_contents_and_files(tmp_path):
    x, y = data()
    make(tmp_path, params=None).fit(x=x, y=y, batch_size=8, steps=5)
    variables = dict(tf.train.list_variables(str(tmp_path)))
    assert variables["global_step"] == []
    assert variables["OptimizeLoss/learning_rate"] == []
    assert variables["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel"] == [52, 160]
    assert variables["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias"] == [160]
    assert variables["fully_connected/weights"] == [40, 1]
    assert variables["OptimizeLoss/rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel/Adagrad"] == [
        52,
        160,
    ]
    assert tf.train.load_variable(str(tmp_path), "OptimizeLoss/learning_rate") == pytest.approx(
        0.6
    )
    files = set(os.listdir(tmp_path))
    assert {"checkpoint", "graph.pbtxt", "model.ckpt-0.index", "model.ckpt-5.index"} <= files
    assert any(f.startswith("events.out.tfevents") for f in files)


def test_keep_checkpoint_max_and_step_cadence(tmp_path):
    x, y = data()
    make(tmp_path, save_checkpoints_steps=10, keep_checkpoint_max=3).fit(
        x=x, y=y, batch_size=8, steps=60
    )
    state = tf.train.get_checkpoint_state(str(tmp_path))
    kept = [os.path.basename(p) for p in state.all_model_checkpoint_paths]
    assert kept == ["model.ckpt-40", "model.ckpt-50", "model.ckpt-60"]
    assert not os.path.exists(tmp_path / "model.ckpt-30.index")


def test_tensorboard_scalar_summaries(tmp_path):
    x, y = data()
    make(tmp_path, save_summary_steps=10).fit(x=x, y=y, batch_size=8, steps=35)
    tags = {}
    for path in tmp_path.glob("events.out.tfevents*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    assert "OptimizeLoss/loss" in tags
    assert "global_norm/gradient_norm" in tags or "OptimizeLoss/global_norm/gradient_norm" in tags
    # Every 10 steps over 35 steps: 4 summaries. The step stamped on each is read
    # in the same run as the increment, so it may be off by one (as in TF1).
    steps = sorted(set(tags["OptimizeLoss/loss"]))
    assert len(steps) == 4
    assert all(9 <= b - a <= 11 for a, b in zip(steps, steps[1:], strict=False))


def test_loss_and_step_logged_every_100_steps(tmp_path, caplog):
    x, y = data()
    with caplog.at_level(logging.INFO, logger="estimators"):
        make(tmp_path).fit(x=x, y=y, batch_size=8, steps=250)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("loss = ")]
    assert len(lines) == 3
    assert re.match(r"loss = [0-9.e-]+, step = 100 \(", lines[1])


# -- batches ---------------------------------------------------------------------------


class BatchRecorder(tf.compat.v1.train.SessionRunHook):
    """Fetch the fed input/output placeholders at every training step."""

    def __init__(self):
        self.inputs, self.outputs = [], []

    def begin(self):
        graph = tf.compat.v1.get_default_graph()
        self._fetches = [graph.get_tensor_by_name("input:0"), graph.get_tensor_by_name("output:0")]

    def before_run(self, run_context):
        return tf.compat.v1.train.SessionRunArgs(self._fetches)

    def after_run(self, run_context, run_values):
        self.inputs.append(run_values.results[0])
        self.outputs.append(run_values.results[1])


def expected_batches(n, batch_size, steps):
    """The DataFeeder rule, written independently: permutations of RandomState(42)."""
    rng = np.random.RandomState(42)
    order, batches = rng.permutation(n), []
    offset = 0
    while len(batches) < steps:
        batches.append(order[offset : offset + batch_size])
        offset += batch_size
        if offset >= n:
            order, offset = rng.permutation(n), 0
    return batches


def test_batch_order_matches_tf1_data_feeder(tmp_path):
    n, batch_size, steps = 10, 4, 8  # batches 4, 4, 2 per epoch: a short last batch
    x = np.arange(n * 12, dtype=np.float32).reshape(n, 1, 12)
    y = np.arange(n, dtype=np.float32).reshape(n, 1)
    for _ in range(2):  # every fit call replays the same sequence
        recorder = BatchRecorder()
        make(tmp_path).fit(x=x, y=y, batch_size=batch_size, steps=steps, monitors=[recorder])
        want = expected_batches(n, batch_size, steps)
        assert [len(b) for b in want] == [4, 4, 2, 4, 4, 2, 4, 4]
        for fed_x, fed_y, rows in zip(recorder.inputs, recorder.outputs, want, strict=True):
            np.testing.assert_array_equal(fed_x, x[rows])
            assert fed_y.shape == (len(rows),)  # labels [n, 1] are fed as [batch]
            np.testing.assert_array_equal(fed_y, y[rows, 0])


def test_placeholders_keep_x_dtype_and_shape(tmp_path):
    def model_fn(features, labels):
        assert features.dtype == tf.float64 and features.shape.as_list() == [None, 3]
        assert labels.shape.as_list() == [None]
        w = tf.compat.v1.get_variable("w", [3, 1], tf.float64)
        predictions = tf.reshape(tf.matmul(features, w), [-1])
        loss = tf.reduce_mean(tf.square(predictions - labels))
        step = tf.compat.v1.train.get_global_step()
        return (
            predictions,
            loss,
            tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step),
        )

    x = np.ones((6, 3))
    y = np.ones((6, 1))
    Estimator(model_fn, model_dir=str(tmp_path)).fit(x=x, y=y, batch_size=2, steps=2)


def test_fit_does_not_modify_inputs(tmp_path):
    x, y = data()
    x0, y0 = x.copy(), y.copy()
    SKCompat(make(tmp_path)).fit(x, y, batch_size=8, steps=3)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


# -- predict and evaluate ---------------------------------------------------------------


def test_predict_in_order_and_evaluate_is_mean_of_batch_losses(tmp_path):
    x, y = data(n=21)
    regressor = SKCompat(make(tmp_path)).fit(x, y, batch_size=8, steps=20)
    predictions = regressor.predict(x, batch_size=5)
    assert predictions.shape == (21,)
    one_by_one = np.concatenate([regressor.predict(x[i : i + 1]) for i in range(3)])
    np.testing.assert_allclose(predictions[:3], one_by_one, atol=1e-6)
    scores = regressor.score(x, y, batch_size=8)
    errors = (predictions - y.ravel()) ** 2
    batch_means = [errors[i : i + 8].mean() for i in range(0, 21, 8)]  # 8, 8, 5
    assert scores["loss"] == pytest.approx(np.mean(batch_means), rel=1e-5)
    assert scores["global_step"] == 20
    generator = regressor.estimator.predict(x=x[:4])
    assert not isinstance(generator, np.ndarray)
    np.testing.assert_allclose(list(generator), predictions[:4], atol=1e-6)


def test_dict_predictions_and_outputs(tmp_path):
    def model_fn(features, labels, mode):
        w = tf.compat.v1.get_variable("w", [12, 1])
        flat = tf.reshape(features, [-1, 12])
        value = tf.reshape(tf.matmul(flat, w), [-1])
        predictions = {"value": value, "double": 2 * value}
        if mode == ModeKeys.INFER:
            return ModelFnOps(mode, predictions=predictions)
        loss = tf.reduce_mean(tf.square(value - tf.reshape(labels, [-1])))
        train_op = tf.compat.v1.train.AdagradOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step()
        )
        return ModelFnOps(mode, predictions=predictions, loss=loss, train_op=train_op)

    x, y = data(n=9)
    regressor = SKCompat(Estimator(model_fn, model_dir=str(tmp_path))).fit(x, y, steps=2)
    out = regressor.predict(x, batch_size=4)
    assert set(out) == {"value", "double"} and out["value"].shape == (9,)
    np.testing.assert_allclose(out["double"], 2 * out["value"], rtol=1e-6)
    assert set(regressor.predict(x, outputs=["double"])) == {"double"}
    with pytest.raises(ValueError, match=re.escape("got unknown ['nope']")):
        regressor.predict(x, outputs=["nope"])


def test_predict_before_fit_is_not_fitted_error(tmp_path):
    est = make(tmp_path)
    with pytest.raises(NotFittedError, match="call `fit` first"):
        est.predict(x=np.zeros((2, 1, 12), np.float32))
    with pytest.raises(NotFittedError):
        SKCompat(est).score(*data())


def test_predict_with_wrong_feature_shape(tmp_path):
    x, y = data()
    regressor = SKCompat(make(tmp_path)).fit(x, y, batch_size=8, steps=2)
    with pytest.raises(ValueError, match=re.escape("shape (None, 1, 12), got dtype float32")):
        regressor.predict(np.zeros((3, 1, 7), np.float32))


def test_same_seed_same_numbers(tmp_path):
    x, y = data()
    first = SKCompat(make(tmp_path / "a")).fit(x, y, batch_size=8, steps=20).predict(x)
    second = SKCompat(make(tmp_path / "b")).fit(x, y, batch_size=8, steps=20).predict(x)
    np.testing.assert_array_equal(first, second)


# -- model_fn introspection ---------------------------------------------------------------


def test_model_fn_arguments_by_introspection(tmp_path):
    seen = {}

    def model_fn(features, labels, mode, params, config, model_dir):
        seen.update(mode=mode, params=params, config=config, model_dir=model_dir)
        return lstm_model(features, labels, params=params)

    x, y = data()
    config = RunConfig(tf_random_seed=3)
    est = Estimator(model_fn, model_dir=str(tmp_path), config=config, params=SMALL)
    est.fit(x=x, y=y, batch_size=8, steps=1)
    assert seen == {"mode": "train", "params": SMALL, "config": config, "model_dir": str(tmp_path)}
    est.predict(x=x, as_iterable=False)
    assert seen["mode"] == "infer"


def test_model_fn_without_params_argument_refuses_params():
    def model_fn(features, labels):
        return lstm_model(features, labels)

    with pytest.raises(ValueError, match="takes no `params` argument"):
        Estimator(model_fn, params={"hidden_size": 3})
    with pytest.raises(TypeError, match=re.escape("`model_fn` must take (features, labels)")):
        Estimator(lambda features: None)


def test_bad_model_fn_return(tmp_path):
    x, y = data()
    with pytest.raises(ValueError, match="must return \\(predictions, loss, train_op\\)"):
        Estimator(lambda features, labels: 1.0, model_dir=str(tmp_path)).fit(x=x, y=y, steps=1)


def test_run_config_validation():
    assert RunConfig().save_checkpoints_secs == 600
    assert RunConfig(save_checkpoints_steps=5).save_checkpoints_secs is None
    with pytest.raises(ValueError, match="are exclusive"):
        RunConfig(save_checkpoints_secs=10, save_checkpoints_steps=5)
    with pytest.raises(
        ValueError, match=re.escape("`save_summary_steps` must be an int >= 1, got 0.")
    ):
        RunConfig(save_summary_steps=0)


# -- reliability ----------------------------------------------------------------------------


def test_nan_loss_stops_and_keeps_last_good_checkpoint(tmp_path):
    x, y = data()
    est = make(tmp_path, save_checkpoints_steps=1)
    est.fit(x=x, y=y, batch_size=8, steps=3)
    good = tf.train.latest_checkpoint(str(tmp_path))
    x_bad = x.copy()
    x_bad[:] = np.nan
    with pytest.raises(NanLossError, match="NaN loss during training at step 3"):
        est.fit(x=x_bad, y=y, batch_size=8, steps=5)
    assert tf.train.latest_checkpoint(str(tmp_path)) == good
    reader = tf.train.load_checkpoint(good)
    for name, _ in tf.train.list_variables(good):
        assert np.all(np.isfinite(reader.get_tensor(name))), name
    assert SKCompat(est).predict(x).shape == (37,)  # still loadable


def test_corrupt_checkpoint_is_an_error_naming_the_file(tmp_path):
    x, y = data()
    est = make(tmp_path)
    est.fit(x=x, y=y, batch_size=8, steps=2)
    latest = tf.train.latest_checkpoint(str(tmp_path))
    data_file = latest + ".data-00000-of-00001"
    with open(data_file, "r+b") as handle:
        handle.truncate(10)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(CheckpointError, match=re.escape(latest)):
        est.fit(x=x, y=y, batch_size=8, steps=2)
    with pytest.raises(CheckpointError, match=re.escape(latest)):
        SKCompat(est).predict(x)
    assert sorted(os.listdir(tmp_path)) == before  # nothing re-initialised or overwritten


def test_foreign_checkpoint_is_an_error(tmp_path):
    x, y = data()
    make(tmp_path, params={"hidden_size": 3}).fit(x=x, y=y, batch_size=8, steps=1)
    latest = tf.train.latest_checkpoint(str(tmp_path))
    with pytest.raises(CheckpointError, match="with shape \\[15, 12\\], but this model builds it"):
        make(tmp_path, params={"hidden_size": 5}).fit(x=x, y=y, batch_size=8, steps=1)

    def other_model(features, labels):
        w = tf.compat.v1.get_variable("other/w", [12, 1])
        predictions = tf.reshape(tf.matmul(tf.reshape(features, [-1, 12]), w), [-1])
        loss = tf.reduce_mean(tf.square(predictions - tf.reshape(labels, [-1])))
        step = tf.compat.v1.train.get_global_step()
        return predictions, loss, tf.compat.v1.train.AdagradOptimizer(0.1).minimize(loss, step)

    with pytest.raises(CheckpointError, match=re.escape(f"{latest!r} does not hold this model's")):
        Estimator(other_model, model_dir=str(tmp_path)).fit(x=x, y=y, steps=1)
    assert tf.train.latest_checkpoint(str(tmp_path)) == latest


def test_missing_state_file_is_not_a_silent_restart(tmp_path):
    x, y = data()
    make(tmp_path).fit(x=x, y=y, batch_size=8, steps=2)
    os.remove(tmp_path / "checkpoint")
    with pytest.raises(CheckpointError, match="no readable `checkpoint` state file"):
        make(tmp_path).fit(x=x, y=y, batch_size=8, steps=2)


def test_temporary_model_dir(caplog):
    with caplog.at_level(logging.WARNING, logger="estimators"):
        est = Estimator(lstm_model)
    assert os.path.isdir(est.model_dir)
    assert "Using temporary folder as model directory" in caplog.text
    shutil.rmtree(est.model_dir)


def test_contrib_learn_namespace():
    import tf_pipeline.tf1 as tf1
    from tf_pipeline.tf1.contrib.learn import SKCompat as FromImport

    assert tf1.contrib.learn.SKCompat is FromImport is SKCompat
    assert tf1.contrib.learn.Estimator is Estimator
    assert tf1.contrib.learn.RunConfig is RunConfig
    assert tf1.contrib.learn.ModeKeys.INFER == "infer"
    assert tf1.contrib.learn.ModelFnOps is ModelFnOps
