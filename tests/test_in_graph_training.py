"""The TF1 fast path through the Estimator: cadence, checkpoints, NaN, fallbacks.

Exactness of the loop against the per-step path: tests/test_generic_loop.py.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest
import tensorflow as tf

from estimators import Estimator, NanLossError, RunConfig, SKCompat
from tf_pipeline.models import lstm_model


def data(n=108, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 1, 12).astype(np.float32)
    return x, x.mean(axis=2).astype(np.float32)


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


def events(model_dir):
    """Scalar summaries ``{tag: {step: value}}`` and the other events' ``(kind, step)``."""
    scalars, others = {}, []
    for path in sorted(model_dir.glob("events.out.tfevents*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            if not event.HasField("summary"):
                others.append((event.WhichOneof("what"), event.step))
            for value in event.summary.value:
                if value.tag != "global_step/sec":  # a timing: differs run to run
                    scalars.setdefault(value.tag, {})[event.step] = value.simple_value
    return scalars, others


def test_loop_summaries_and_logs_equal_the_per_step_paths(tmp_path, caplog):
    # One 250-step run writes the summaries due at its steps afterwards; a second fit
    # resumes: the event files must hold the per-step path's steps and values.
    x, y = data()
    logged = {}
    for loop in ("session", "graph"):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="estimators"):
            for steps in (250, 50):
                est = make(tmp_path / loop, loop, save_summary_steps=40)
                est.fit(x=x, y=y, batch_size=32, steps=steps)
        logged[loop] = re.findall(r"loss = (\S+), step = (\d+)", caplog.text)
        assert est.last_fit_stats["runs"] == (50 if loop == "session" else 1)
    want, got = events(tmp_path / "session"), events(tmp_path / "graph")
    # SummarySaverHook's steps: after the fit's first step, then every 40 steps. (Per
    # step, its stale global-step read can race the update and write a step early; TF
    # 1.x does that too, so the per-step file is compared on the steps both hold.)
    due = [1, 41, 81, 121, 161, 201, 241, 251, 291]
    assert "OptimizeLoss/global_norm/gradient_norm" in want[0]
    assert sorted(got[0]) == sorted(want[0])
    for tag, values in want[0].items():
        assert sorted(got[0][tag]) == due, tag
        common = sorted(set(values) & set(due))
        assert len(common) >= 3, (tag, sorted(values))
        np.testing.assert_allclose(
            [got[0][tag][step] for step in common],
            [values[step] for step in common],
            rtol=1e-6,
            err_msg=tag,
        )
    assert got[1] == want[1]  # graphs, SessionLog START and checkpoint logs, in order
    assert [step for _, step in logged["graph"]] == ["0", "100", "200", "250"]
    assert [step for _, step in logged["session"]] == ["0", "100", "200", "250"]
    np.testing.assert_allclose(
        [float(loss) for loss, _ in logged["graph"]],
        [float(loss) for loss, _ in logged["session"]],
        rtol=1e-6,
    )


def test_loop_nan_keeps_last_good_checkpoint(tmp_path):
    x, y = data()
    est = make(tmp_path, "graph", save_checkpoints_steps=10)
    est.fit(x=x, y=y, batch_size=32, steps=20)
    good = tf.train.latest_checkpoint(str(tmp_path))
    with pytest.raises(NanLossError, match="NaN loss during training at step 20"):
        est.fit(x=np.full_like(x, np.nan), y=y, batch_size=32, steps=30)
    assert tf.train.latest_checkpoint(str(tmp_path)) == good


def test_loop_modes_fall_back_to_per_step_with_the_reason(tmp_path, caplog):
    x, y = data()
    est = make(tmp_path, "xla")
    with caplog.at_level(logging.WARNING, logger="estimators"):
        est.fit(input_fn=lambda: (tf.constant(x), tf.constant(y.ravel())), steps=3)
    assert est.last_fit_stats["runs"] == 3
    assert "needs numpy `x`/`y`, not an input_fn" in caplog.text
    with pytest.raises(ValueError, match="`train_loop` must be one of 'auto', 'session'"):
        RunConfig(train_loop="fast")


def test_any_optimizer_of_the_legacy_model_loops(tmp_path):
    x, y = data()
    adam = make(tmp_path, "graph").__class__(
        lstm_model, params={"optimizer": "Adam"}, config=RunConfig(train_loop="graph")
    )
    adam.fit(x=x, y=y, batch_size=32, steps=10)
    assert adam.last_fit_stats["runs"] == 1
