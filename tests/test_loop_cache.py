"""A kept in-graph loop (graph, session, compiled program) serves later fits exactly.

The oracle is a fit that builds its loop anew (cache cleared before it): a later fit
through the kept loop must equal it bit for bit, from scratch and resuming from a
checkpoint, and must not touch another model_dir's checkpoints.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from benchmarks.user_models import seed_program_model, two_layer_lstm_dense_model
from estimators import Estimator, RunConfig
from estimators.loop_cache import clear_loop_cache, kept_count


@pytest.fixture(autouse=True)
def _no_kept_loops():
    clear_loop_cache()
    yield
    clear_loop_cache()


def data(layout="features", n=108):
    x = np.random.RandomState(0).rand(n, 1, 12).astype(np.float32)
    return (x if layout == "features" else x.reshape(n, 12, 1)), x.mean(axis=2)


def fit(model_dir, steps, model_fn=seed_program_model, layout="features", cold=False, **config):
    if cold:
        clear_loop_cache()
    config = {"tf_random_seed": 0, "train_loop": "graph", **config}
    x, y = data(layout)
    est = Estimator(model_fn, model_dir=str(model_dir), config=RunConfig(**config))
    est.fit(x=x, y=y, batch_size=32, steps=steps)
    reader = tf.train.load_checkpoint(str(model_dir))
    weights = {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}
    return est, weights


def assert_same(a, b):
    (est_a, weights_a), (est_b, weights_b) = a, b
    np.testing.assert_array_equal(est_b.last_fit_losses, est_a.last_fit_losses)
    assert sorted(weights_b) == sorted(weights_a)
    for name, value in weights_a.items():
        np.testing.assert_array_equal(weights_b[name], value, err_msg=name)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model_fn", "layout", "loop"),
    [(seed_program_model, "features", "xla"), (two_layer_lstm_dense_model, "steps", "graph")],
    ids=["seed_program_xla", "lstm2_dense_exact"],
)
def test_a_kept_loop_trains_bit_for_bit_as_a_new_one(tmp_path, model_fn, layout, loop):
    def fit(*args, **kwargs):
        return globals()["fit"](*args, train_loop=loop, **kwargs)

    cold = fit(tmp_path / "cold", 60, model_fn, layout, cold=True)
    assert cold[0].last_fit_stats["kept_loop"] is False
    assert kept_count() == 1
    warm = fit(tmp_path / "warm", 60, model_fn, layout)
    assert warm[0].last_fit_stats["kept_loop"] is True  # no tracing, no session start
    assert_same(cold, warm)
    if loop == "xla":
        return  # the same program as the exact loop's below; one compilation is enough
    # Resuming from each one's checkpoint: the kept loop restores it as a new one would.
    resumed_cold = fit(tmp_path / "cold", 40, model_fn, layout, cold=True)
    resumed_warm = fit(tmp_path / "warm", 40, model_fn, layout)
    assert resumed_warm[0].last_fit_stats["kept_loop"] is True
    assert resumed_warm[1]["global_step"] == 100
    assert_same(resumed_cold, resumed_warm)
    # And a fresh fit after those resumed ones still starts from the first initial values.
    assert_same(cold, fit(tmp_path / "again", 60, model_fn, layout))


def test_a_kept_saver_rotates_only_its_own_model_dirs_checkpoints(tmp_path):
    keep = {"save_checkpoints_steps": 10, "keep_checkpoint_max": 2}
    fit(tmp_path / "a", 30, **keep)
    before = sorted(p.name for p in (tmp_path / "a").iterdir())
    est, _ = fit(tmp_path / "b", 30, **keep)
    assert est.last_fit_stats["kept_loop"] is True
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == before
    state = tf.train.get_checkpoint_state(str(tmp_path / "b"))
    assert [p.rsplit("-", 1)[1] for p in state.all_model_checkpoint_paths] == ["20", "30"]


@pytest.mark.slow
def test_loops_are_kept_only_for_seeded_same_signature_fits(tmp_path):
    fit(tmp_path / "unseeded", 5, tf_random_seed=None)
    assert kept_count() == 0  # TF1 draws new initial values in every unseeded fit
    fit(tmp_path / "a", 5)
    est, _ = fit(tmp_path / "b", 5, tf_random_seed=1)  # another graph seed: a new loop
    assert est.last_fit_stats["kept_loop"] is False
    assert kept_count() == 2
    x, y = data()
    other = Estimator(seed_program_model, config=RunConfig(tf_random_seed=0, train_loop="graph"))
    other.fit(x=x[:100], y=y[:100], batch_size=32, steps=5)  # other data shapes
    assert other.last_fit_stats["kept_loop"] is False
    assert kept_count() == 3


def test_a_new_loop_started_early_trains_bit_for_bit_as_one_scaffold_started(
    tmp_path, monkeypatch
):
    """A new loop's session is made, initialised and compiled in the background while
    the fit builds its hooks; ``Scaffold``'s own initialisation is the oracle."""
    from estimators import loop_cache

    started = []
    start = loop_cache.KeptSessionCreator.start
    monkeypatch.setattr(
        loop_cache.KeptSessionCreator,
        "start",
        lambda self, *a, **k: started.append(start(self, *a, **k)) or started[-1],
    )
    early = fit(tmp_path / "early", 60, train_loop="xla", cold=True)
    assert isinstance(started[-1], loop_cache.StartedSession)
    monkeypatch.setattr(loop_cache, "_initialised_by_variables_alone", lambda scaffold: False)
    late = fit(tmp_path / "late", 60, train_loop="xla", cold=True)
    assert started[-1] is None
    assert_same(early, late)
    # The initial values the early start kept serve a later fit as well.
    assert_same(early, fit(tmp_path / "kept", 60, train_loop="xla"))


def _model_with_init_fn(features, labels, mode):
    """Trains nothing (learning rate 0); its scaffold's init_fn sets ``w`` to 2."""
    from estimators.model_fn import ModelFnOps

    w = tf.compat.v1.get_variable("w", [12, 1], initializer=tf.zeros_initializer())
    predictions = tf.reshape(tf.matmul(tf.reshape(features, [-1, 12]), w), [-1])
    loss = tf.reduce_mean(tf.square(predictions - tf.reshape(labels, [-1])))
    step = tf.compat.v1.train.get_global_step()
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.0).minimize(loss, step)
    scaffold = tf.compat.v1.train.Scaffold(
        init_fn=lambda _, session: w.load(np.full([12, 1], 2.0), session)
    )
    return ModelFnOps(mode, predictions, loss, train_op, scaffold=scaffold)


def test_a_scaffold_that_initialises_more_is_not_started_early(tmp_path):
    _, weights = fit(tmp_path, 5, model_fn=_model_with_init_fn)
    np.testing.assert_array_equal(weights["w"], np.full([12, 1], 2.0, np.float32))


def test_variables_made_by_hooks_after_the_early_start_are_initialised(tmp_path, monkeypatch):
    """A hook's ``begin`` runs after a new loop's session started early; a variable it
    makes is initialised as ``Scaffold``'s init_op (made after every ``begin``) would."""
    from estimators import loop_cache

    made = []
    begin = tf.compat.v1.train.CheckpointSaverHook.begin

    def begin_making_a_variable(self):
        # AUTO_REUSE: the kept loop's graph has it from the first fit.
        with tf.compat.v1.variable_scope("", reuse=tf.compat.v1.AUTO_REUSE):
            init = tf.constant_initializer(7.0)
            made.append(tf.compat.v1.get_variable("hook_count", [], initializer=init))
        begin(self)

    monkeypatch.setattr(tf.compat.v1.train.CheckpointSaverHook, "begin", begin_making_a_variable)
    for cold in (True, False):  # a new loop, then the kept one (from the values kept)
        fit(tmp_path / str(cold), 5, cold=cold)
        (kept,) = loop_cache._KEPT.values()
        assert kept.session.run(made[-1]) == 7.0


def test_a_fit_that_fails_while_its_session_starts_early_closes_that_session(
    tmp_path, monkeypatch
):
    from estimators import loop_cache

    made, released = [], []
    init, release = loop_cache.KeptSession.__init__, loop_cache.KeptSession.release

    def tracked_init(self, *args, **kwargs):
        made.append(self)
        init(self, *args, **kwargs)

    def tracked_release(self):
        released.append(self)
        release(self)

    def failing_begin(self):
        raise RuntimeError("a hook failed")

    monkeypatch.setattr(loop_cache.KeptSession, "__init__", tracked_init)
    monkeypatch.setattr(loop_cache.KeptSession, "release", tracked_release)
    monkeypatch.setattr(tf.compat.v1.train.CheckpointSaverHook, "begin", failing_begin)
    with pytest.raises(RuntimeError, match="a hook failed"):
        fit(tmp_path, 5, cold=True)
    assert len(made) == 1 and released == made
    assert kept_count() == 0
