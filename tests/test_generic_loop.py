"""The generic in-graph loop on model_fns the project did not write.

Each model_fn (``benchmarks/user_models.py``: the seed program's own ``tf.contrib``
model_fn, a GRU, a 2-layer LSTM with a ``tf.layers.dense`` head, a dense model under
six ``tf.train`` optimizers) trains through ``Estimator`` once per step
(``train_loop="session"``, TF1's own path) and in the loop; the per-step losses and
the final checkpoints must agree: exact mode within 1e-6 after 200 steps, XLA within
1e-5 after 100. The references are TF1 ops run one ``session.run`` per step, so a loop
that skipped, repeated or reordered an update fails.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import tensorflow as tf

from benchmarks.user_models import (
    OPTIMIZERS,
    dense_model,
    gru_dropout_model,
    seed_program_model,
    two_layer_lstm_dense_model,
)
from estimators import Estimator, RunConfig
from estimators.in_graph_training import AUTO_XLA_MIN_STEPS

NO_DROPOUT = {"keep_prob": 1.0}


def data(layout="features", n=108, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 1, 12).astype(np.float32)
    y = x.mean(axis=2)  # (n, 1): fed as [batch], as TF1's DataFeeder did
    return (x if layout == "features" else x.reshape(n, 12, 1)), y


def train(tmp_path, name, model_fn, loop, steps, params=None, layout="features", **config):
    x, y = data(layout)
    est = Estimator(
        model_fn,
        model_dir=str(tmp_path / f"{name}_{loop}"),
        params=params,
        config=RunConfig(tf_random_seed=0, train_loop=loop, **config),
    )
    est.fit(x=x, y=y, batch_size=32, steps=steps)  # 108 rows: every 4th batch is short
    reader = tf.train.load_checkpoint(est.model_dir)
    weights = {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}
    return est, weights


def assert_same_training(tmp_path, model_fn, loop, steps, atol, params=None, layout="features"):
    name = model_fn.__name__
    ref, ref_weights = train(tmp_path, name, model_fn, "session", steps, params, layout)
    got, weights = train(tmp_path, name, model_fn, loop, steps, params, layout)
    assert got.last_fit_stats["runs"] < steps  # it did loop
    assert sorted(weights) == sorted(ref_weights)  # same variables, slots, names
    assert weights["global_step"] == steps
    np.testing.assert_allclose(got.last_fit_losses, ref.last_fit_losses, atol=atol, rtol=0)
    for key, want in ref_weights.items():
        np.testing.assert_allclose(weights[key], want, atol=atol, rtol=0, err_msg=key)
    assert ref.last_fit_losses[-1] < ref.last_fit_losses[0]  # it trained


USER_MODELS = [
    pytest.param(seed_program_model, None, "features", id="seed_program_contrib"),
    pytest.param(gru_dropout_model, NO_DROPOUT, "steps", id="gru_adam"),
    pytest.param(two_layer_lstm_dense_model, None, "steps", id="lstm2_dense_rmsprop"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("model_fn", "params", "layout"), USER_MODELS)
def test_exact_loop_equals_per_step_session_after_200_steps(tmp_path, model_fn, params, layout):
    assert_same_training(tmp_path, model_fn, "graph", 200, 1e-6, params, layout)


@pytest.mark.slow
@pytest.mark.parametrize(("model_fn", "params", "layout"), USER_MODELS)
def test_xla_loop_within_1e5_of_per_step_session_after_100_steps(
    tmp_path, model_fn, params, layout
):
    assert_same_training(tmp_path, model_fn, "xla", 100, 1e-5, params, layout)


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_tf_train_optimizer_loops_exactly(tmp_path, optimizer):
    assert_same_training(
        tmp_path, dense_model, "graph", 200, 1e-6, params={"optimizer": optimizer}
    )


def test_random_ops_fall_back_to_the_per_step_path_with_the_reason_logged(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="estimators"):
        est, _ = train(tmp_path, "gru", gru_dropout_model, "graph", 20, layout="steps")
    assert est.last_fit_stats["runs"] == 20  # one session.run per step
    assert "random ops (RandomUniform) would draw another stream" in caplog.text
    # Not compared with a second per-step fit: TensorFlow 2.21 can hand a later session
    # a dropout kernel (inside dynamic_rnn's loop function) whose stream already advanced.
    assert est.last_fit_losses[-1] < est.last_fit_losses[0]


def test_a_hook_that_must_see_every_step_falls_back(tmp_path, caplog):
    x, y = data()

    class EveryStep(tf.compat.v1.train.SessionRunHook):
        runs = 0

        def after_run(self, run_context, run_values):
            EveryStep.runs += 1

    est = Estimator(seed_program_model, config=RunConfig(train_loop="graph"))
    with caplog.at_level(logging.WARNING, logger="estimators"):
        est.fit(x=x, y=y, batch_size=32, steps=5, monitors=[EveryStep()])
    assert EveryStep.runs == 5
    assert "the hook EveryStep must see every step" in caplog.text


def test_auto_loops_with_xla_only_for_long_fits(tmp_path):
    short, _ = train(tmp_path, "short", dense_model, "auto", 30, {"optimizer": "SGD"})
    assert short.last_fit_stats["runs"] == 30
    long, _ = train(
        tmp_path, "long", dense_model, "auto", AUTO_XLA_MIN_STEPS, {"optimizer": "SGD"}
    )
    # One run: summaries and log lines are written afterwards for the steps they were due.
    assert long.last_fit_stats["runs"] == 1
    assert RunConfig().train_loop == "auto"
