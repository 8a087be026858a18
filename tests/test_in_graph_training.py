"""The TF1 fast path: K steps per session.run in an in-graph loop, exact and XLA modes."""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest
import tensorflow as tf

from estimators import Estimator, NanLossError, RunConfig, SKCompat
from tf_pipeline.batching import tf1_batches
from tf_pipeline.models import lstm_forward, lstm_model
from tf_pipeline.training_loop import build_in_graph_loop


def data(n=108, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 1, 12).astype(np.float32)
    return x, x.mean(axis=2).astype(np.float32)


def _train_low_level(mode, steps, x, y, params=None, steps_per_run=64):
    """Legacy graph; either one session.run of optimize_loss per step, or the loop."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(0)
        step = tf.compat.v1.train.create_global_step()
        x_in = tf.compat.v1.placeholder(tf.float32, [None, 1, 12])
        y_in = tf.compat.v1.placeholder(tf.float32, [None])
        _, _, train_op = lstm_model(x_in, y_in, params=params)
        variables = tf.compat.v1.trainable_variables()
        by_name = {v.op.name: v for v in tf.compat.v1.global_variables()}
        optimizer = (params or {}).get("optimizer", "Adagrad")
        slots = None
        if optimizer == "Adagrad":
            slots = [by_name[f"OptimizeLoss/{v.op.name}/Adagrad"] for v in variables]
        loop = None
        if mode != "session":
            loop = build_in_graph_loop(
                forward=lstm_forward,
                variables=variables,
                slots=slots,
                optimizer=optimizer,
                learning_rate=by_name["OptimizeLoss/learning_rate"],
                global_step=step,
                x_shape=x.shape,
                batch_size=32,
                mode=mode,
            )
        session = tf.compat.v1.Session(graph=graph)
        session.run(tf.compat.v1.global_variables_initializer())
        batches = tf1_batches(len(x), 32)
        rows = [next(batches) for _ in range(steps)]  # 108 rows: every 4th batch is short
        if loop is None:
            losses = [session.run(train_op, {x_in: x[r], y_in: y[r].ravel()}) for r in rows]
        else:
            loop.load_data(session, x, y)
            losses = []
            for start in range(0, steps, steps_per_run):
                feed = loop.feed_dict(rows[start : start + steps_per_run])
                losses.extend(session.run(loop.losses, feed))
        weights = session.run(variables)
        global_step = session.run(step)
        session.close()
    return np.asarray(losses), weights, global_step


def test_exact_mode_matches_per_step_session_after_200_steps():
    x, y = data()
    ref_losses, ref_weights, _ = _train_low_level("session", 200, x, y)
    losses, weights, global_step = _train_low_level("graph", 200, x, y)
    assert global_step == 200
    np.testing.assert_allclose(losses, ref_losses, atol=1e-6, rtol=0)
    for got, want in zip(weights, ref_weights, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6, rtol=0)
    assert ref_losses[-1] < 0.2 * ref_losses[0]  # it trained


def test_xla_mode_matches_per_step_session_after_100_steps():
    x, y = data()
    ref_losses, ref_weights, _ = _train_low_level("session", 100, x, y)
    losses, weights, _ = _train_low_level("xla", 100, x, y)
    np.testing.assert_allclose(losses, ref_losses, atol=1e-5, rtol=0)
    for got, want in zip(weights, ref_weights, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)


def test_sgd_loop_matches_session():
    x, y = data()
    params = {"optimizer": "SGD", "learning_rate": 0.1}
    ref_losses, _, _ = _train_low_level("session", 50, x, y, params)
    losses, _, _ = _train_low_level("graph", 50, x, y, params)
    np.testing.assert_allclose(losses, ref_losses, atol=1e-6, rtol=0)


def make(model_dir, loop, **config):
    config.setdefault("tf_random_seed", 0)
    return Estimator(
        lstm_model, model_dir=str(model_dir), config=RunConfig(train_loop=loop, **config)
    )


def test_estimator_modes_same_checkpoints_cadence_and_weights(tmp_path):
    x, y = data()
    results = {}
    for loop in ("session", "graph"):
        est = make(tmp_path / loop, loop, save_checkpoints_steps=50, keep_checkpoint_max=10)
        est.fit(x=x, y=y, batch_size=32, steps=200)
        state = tf.train.get_checkpoint_state(str(tmp_path / loop))
        results[loop] = (
            [p.rsplit("-", 1)[1] for p in state.all_model_checkpoint_paths],
            dict(tf.train.list_variables(str(tmp_path / loop))),
            tf.train.load_checkpoint(state.model_checkpoint_path),
        )
    assert results["graph"][0] == results["session"][0] == ["0", "50", "100", "150", "200"]
    assert results["graph"][1] == results["session"][1]  # same TF1 names and shapes
    for name in results["session"][1]:
        want = results["session"][2].get_tensor(name)
        got = results["graph"][2].get_tensor(name)
        np.testing.assert_allclose(got, want, atol=1e-6, rtol=0, err_msg=name)


def test_xla_final_loss_after_10000_steps_within_1_percent_of_exact(tmp_path):
    x, y = data()
    scores = {}
    for loop in ("graph", "xla"):
        est = make(tmp_path / loop, loop, steps_per_run=500)
        est.fit(x=x, y=y, batch_size=32, steps=10_000)
        scores[loop] = est.evaluate(x=x, y=y, batch_size=32)
    assert scores["xla"]["global_step"] == scores["graph"]["global_step"] == 10_000
    assert scores["xla"]["loss"] == pytest.approx(scores["graph"]["loss"], rel=0.01)


def test_checkpoints_restore_across_modes(tmp_path):
    x, y = data()
    make(tmp_path, "graph").fit(x=x, y=y, batch_size=32, steps=100)
    make(tmp_path, "xla").fit(x=x, y=y, batch_size=32, steps=100)
    assert tf.train.load_variable(str(tmp_path), "global_step") == 200
    regressor = SKCompat(make(tmp_path, "session")).fit(x, y, batch_size=32, steps=50)
    assert tf.train.load_variable(str(tmp_path), "global_step") == 250
    assert np.isfinite(regressor.predict(x)).all()


def test_loop_summaries_and_logging_on_the_per_step_cadence(tmp_path, caplog):
    x, y = data()
    with caplog.at_level(logging.INFO, logger="estimators"):
        make(tmp_path, "graph", save_summary_steps=40, steps_per_run=64).fit(
            x=x, y=y, batch_size=32, steps=250
        )
    steps = {}
    for path in tmp_path.glob("events.out.tfevents*"):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                steps.setdefault(value.tag, set()).add(event.step)
    assert sorted(steps["OptimizeLoss/loss"]) == [40, 80, 120, 160, 200, 240]
    assert "OptimizeLoss/global_norm/gradient_norm" in steps
    logged = re.findall(r"step = (\d+)", caplog.text)
    assert logged == ["0", "100", "200"]


def test_loop_nan_keeps_last_good_checkpoint(tmp_path):
    x, y = data()
    est = make(tmp_path, "graph", save_checkpoints_steps=10)
    est.fit(x=x, y=y, batch_size=32, steps=20)
    good = tf.train.latest_checkpoint(str(tmp_path))
    with pytest.raises(NanLossError, match="NaN loss during training at step 20"):
        est.fit(x=np.full_like(x, np.nan), y=y, batch_size=32, steps=30)
    assert tf.train.latest_checkpoint(str(tmp_path)) == good


def test_loop_mode_errors(tmp_path):
    x, y = data()
    est = make(tmp_path, "xla")
    with pytest.raises(ValueError, match="needs numpy `x`/`y`, not an input_fn"):
        est.fit(input_fn=lambda: (tf.constant(x), tf.constant(y)), steps=1)

    def other_model(features, labels):
        return lstm_model(features, labels)

    with pytest.raises(ValueError, match="needs a model_fn with an in-graph forward"):
        Estimator(other_model, config=RunConfig(train_loop="graph")).fit(x=x, y=y, steps=1)
    adam = Estimator(
        lstm_model, params={"optimizer": "Adam"}, config=RunConfig(train_loop="graph")
    )
    with pytest.raises(ValueError, match="supports the optimizers \\('Adagrad', 'SGD'\\)"):
        adam.fit(x=x, y=y, steps=1)
    with pytest.raises(ValueError, match="`train_loop` must be one of 'session', 'graph', 'xla'"):
        RunConfig(train_loop="fast")
