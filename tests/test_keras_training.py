"""train_steps: K Keras steps per compiled call equal one train_on_batch per step."""

import re

import numpy as np
import pytest

from tf_pipeline.batching import tf1_batches
from tf_pipeline.keras_models import build_lstm, compile_regressor
from tf_pipeline.keras_training import (
    _RUNNERS,
    batch_plan,
    batches_per_epoch,
    predict_in_batches,
    train_steps,
)


def data(n=50):
    rng = np.random.RandomState(0)
    X = rng.rand(n, 1, 12).astype("float32")
    return X, X.mean(axis=2)


def _model():
    return compile_regressor(build_lstm((1, 12), hidden_size=8, seed=3), "adagrad", 0.3)


@pytest.mark.parametrize(("jit", "atol"), [(False, 1e-6), (True, 1e-5)])
def test_matches_train_on_batch_step_by_step(jit, atol):
    X, y = data()  # 50 rows, batch 16: every 4th batch is a short one of 2 rows
    reference = _model()
    batches = tf1_batches(len(X), 16)
    expected = [
        float(reference.train_on_batch(X[r], y[r])) for r in (next(batches) for _ in range(60))
    ]
    model = _model()
    losses = train_steps(model, X, y, steps=60, batch_size=16, steps_per_run=25, jit_compile=jit)
    np.testing.assert_allclose(losses, expected, atol=atol, rtol=0)
    for got, want in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, atol=atol, rtol=0)
    assert losses[-10:].mean() < losses[:10].mean()


def test_on_run_reports_each_block_and_errors():
    X, y = data()
    seen, traces = [], []
    model = _model()

    def on_run(losses):
        seen.append(losses)
        traces.append(_RUNNERS[model][True].experimental_get_tracing_count())

    train_steps(model, X, y, steps=7, batch_size=16, steps_per_run=3, on_run=on_run)
    assert [len(block) for block in seen] == [3, 3, 1]
    # The short last run is padded to the run length: no new trace or XLA compilation
    # after the first call (which traces twice: the optimizer creates its slots).
    assert traces[0] == traces[-1]
    uncompiled = build_lstm((1, 12), hidden_size=2)
    with pytest.raises(ValueError, match="must be compiled"):
        train_steps(uncompiled, X, y, steps=1, batch_size=4)
    with pytest.raises(ValueError, match="`steps` must be an int >= 1, got 0"):
        train_steps(_model(), X, y, steps=0, batch_size=4)


def test_predict_in_batches_equals_predict():
    X, _ = data(n=37)
    model = _model()
    expected = model.predict(X, verbose=0).ravel()
    np.testing.assert_allclose(predict_in_batches(model, X, batch_size=8), expected, atol=1e-6)


def test_batch_plans():
    shuffled = batch_plan(5, 2)
    assert [(len(r), first) for r, first in (next(shuffled) for _ in range(4))] == [
        (2, True),
        (2, False),
        (1, False),
        (2, True),
    ]
    in_rows = batch_plan(5, 2, "rows")
    assert [r.tolist() for r, _ in (next(in_rows) for _ in range(4))] == [
        [0, 1],
        [2, 3],
        [4],
        [0, 1],
    ]
    # Chronological: whole batches only, the oldest remainder (rows 0 and 1) dropped.
    chronological = batch_plan(8, 3, "chronological")
    assert [(r.tolist(), first) for r, first in (next(chronological) for _ in range(3))] == [
        ([2, 3, 4], True),
        ([5, 6, 7], False),
        ([2, 3, 4], True),
    ]
    assert batches_per_epoch(8, 3) == 3 and batches_per_epoch(8, 3, "chronological") == 2
    with pytest.raises(ValueError, match=re.escape("`order` must be one of 'shuffle', 'rows'")):
        batch_plan(8, 3, "random")
    with pytest.raises(ValueError, match=re.escape("at least batch_size = 9 samples")):
        next(batch_plan(8, 9, "chronological"))


def test_on_run_may_stop_and_shuffle_is_the_older_spelling_of_order():
    X, y = data()
    model = _model()
    losses = train_steps(
        model, X, y, steps=9, batch_size=16, steps_per_run=3, on_run=lambda _: True
    )
    assert losses.shape == (3,) and int(model.optimizer.iterations.numpy()) == 3
    with pytest.raises(ValueError, match=re.escape("`shuffle` must be left out when `order`")):
        train_steps(model, X, y, steps=1, batch_size=4, order="rows", shuffle=False)


def test_a_trained_model_is_freed_when_its_owner_drops_it():
    # The compiled runner is cached per model; it must not keep the model (and its
    # traces) alive once nothing else does, or a long-lived worker grows with every fit.
    import gc
    import weakref

    X = np.random.RandomState(0).rand(20, 1, 4).astype(np.float32)
    model = compile_regressor(build_lstm((1, 4), hidden_size=2, seed=0), "adam", 0.01)
    train_steps(model, X, X.mean(axis=2), steps=3, batch_size=8, jit_compile=False)
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_refits_on_other_data_sizes_share_one_trace():
    """Rows are padded to a bucket and slots built first: one trace, one XLA executable."""
    from tf_pipeline.keras_training import _RUNNERS, ROW_BUCKET, pad_rows

    model = _model()
    for n in (50, 37, 61):
        X, y = data(n)
        train_steps(model, X, y, steps=5, batch_size=16, jit_compile=False)
    assert _RUNNERS[model][False].experimental_get_tracing_count() == 1
    X, y = data(37)
    padded_X, padded_y = pad_rows(X, y)
    assert padded_X.shape == (ROW_BUCKET, 1, 12) and padded_y.shape == (ROW_BUCKET, 1)
    np.testing.assert_array_equal(padded_X[:37], X)
    assert not padded_X[37:].any()
