"""Stateful training and prediction, checked against stateless runs with copied weights."""

import re
import warnings

import keras
import numpy as np
import pytest

from tf_pipeline.keras_models import build_lstm, compile_regressor
from tf_pipeline.stateful import (
    ResetStatesCallback,
    fit_stateful,
    predict_stateful,
    reset_states,
    stateful_batch_size,
    trim_to_batches,
)


def twin_models(steps, batch_size, hidden_size=5, num_layers=1, features=1):
    """A stateful model and a stateless one (any length) holding the same weights."""
    stateful = build_lstm(
        (steps, features),
        hidden_size=hidden_size,
        num_layers=num_layers,
        stateful=True,
        batch_size=batch_size,
        seed=3,
    )
    stateless = build_lstm((None, features), hidden_size=hidden_size, num_layers=num_layers)
    stateless.set_weights(stateful.get_weights())
    for a, b in zip(stateful.get_weights(), stateless.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    return stateful, stateless


def stateless_over_prefixes(model, sequences):
    """Output after each step t of each sequence, from zero states over sequences[:, :t+1]."""
    return np.stack(
        [np.asarray(model(sequences[:, : t + 1]))[:, 0] for t in range(sequences.shape[1])],
        axis=1,
    )


@pytest.mark.parametrize("num_layers", [1, 2])
def test_one_step_per_call_equals_stateless_run_over_whole_sequence(num_layers):
    stateful, stateless = twin_models(steps=1, batch_size=1, num_layers=num_layers)
    sequence = 2.0 * np.sin(np.arange(8, dtype=np.float32))[None, :, None]  # (1, 8, 1)
    carried = [
        predict_stateful(stateful, sequence[:, t : t + 1], batch_size=1)[0] for t in range(8)
    ]
    expected = stateless_over_prefixes(stateless, sequence)[0]
    np.testing.assert_allclose(carried, expected, atol=1e-5)
    # Without carrying, the last step differs by over 20 times the tolerance above.
    reset_states(stateful)
    fresh = predict_stateful(stateful, sequence[:, 7:8], batch_size=1)[0]
    assert abs(fresh - expected[7]) > 2e-4


def test_row_i_continues_row_i_across_batches_in_one_call():
    # Two sequences of 9 steps, cut into chunks of 3: batches (a0, b0), (a1, b1), (a2, b2).
    stateful, stateless = twin_models(steps=3, batch_size=2)
    sequences = np.random.default_rng(0).normal(size=(2, 9, 1)).astype(np.float32)
    chunks = sequences.reshape(2, 3, 3, 1).transpose(1, 0, 2, 3).reshape(6, 3, 1)
    predictions = predict_stateful(stateful, chunks, batch_size=2)
    expected = stateless_over_prefixes(stateless, sequences)[:, 2::3]  # (2 rows, 3 chunks)
    np.testing.assert_allclose(predictions, expected.T.ravel(), atol=1e-5)


def test_reset_states_zeroes_every_stateful_layer():
    model = build_lstm((1, 1), hidden_size=3, num_layers=2, stateful=True, batch_size=2)
    model.predict(np.ones((2, 1, 1), dtype=np.float32), batch_size=2, verbose=0)
    layers = [model.get_layer("lstm_0"), model.get_layer("lstm_1")]
    assert all(np.abs(np.asarray(s)).max() > 0 for layer in layers for s in layer.states)
    assert reset_states(model) == 2
    assert all(np.abs(np.asarray(s)).max() == 0 for layer in layers for s in layer.states)
    assert reset_states(build_lstm((1, 1), hidden_size=3)) == 0


def test_reset_states_reaches_nested_models():
    inner = build_lstm((1, 1), hidden_size=3, stateful=True, batch_size=2)
    inputs = keras.Input(batch_shape=(2, 1, 1))
    outer = keras.Model(inputs, inner(inputs))
    outer.predict(np.ones((2, 1, 1), dtype=np.float32), batch_size=2, verbose=0)
    assert reset_states(outer) == 1
    assert np.abs(np.asarray(inner.get_layer("lstm_0").states[0])).max() == 0
    assert stateful_batch_size(outer) == 2


def test_stateful_batch_size():
    model = build_lstm((4, 1), hidden_size=2, stateful=True, batch_size=28)
    assert stateful_batch_size(model) == 28
    with pytest.raises(
        ValueError,
        match=re.escape(
            "`model` must contain a stateful RNN layer, got 'lstm_regressor' with none."
        ),
    ):
        stateful_batch_size(build_lstm((4, 1), hidden_size=2))


def test_trim_drops_the_oldest_samples_with_a_warning():
    X = np.arange(30, dtype=np.float32).reshape(30, 1, 1)
    y = np.arange(30, dtype=np.float32) + 100
    with pytest.warns(UserWarning, match=re.escape("Dropped the 6 oldest of 30 samples")):
        X_kept, y_kept, n_dropped = trim_to_batches(X, y, batch_size=8)
    assert n_dropped == 6
    np.testing.assert_array_equal(X_kept[:, 0, 0], np.arange(6, 30))
    np.testing.assert_array_equal(y_kept, np.arange(106, 130))
    np.testing.assert_array_equal(X[:, 0, 0], np.arange(30))  # caller's arrays untouched


def test_trim_is_silent_when_batches_are_whole():
    X, y = np.zeros((32, 1, 1)), np.zeros(32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_kept, y_kept, n_dropped = trim_to_batches(X, y, batch_size=8)
    assert n_dropped == 0 and X_kept is X and y_kept is y


def test_trim_forbidden_raises():
    message = (
        "`batch_size` must divide the number of samples of a stateful model, got "
        "batch_size=8 for 30 samples (6 left over). Pick a batch size that divides 30, "
        "drop the 6 oldest samples, or pass `allow_trim=True`."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        trim_to_batches(np.zeros((30, 1, 1)), np.zeros(30), batch_size=8, allow_trim=False)


def test_trim_needs_one_whole_batch():
    with pytest.raises(
        ValueError, match=re.escape("`X` must hold at least batch_size = 8 samples, got 5.")
    ):
        trim_to_batches(np.zeros((5, 1, 1)), np.zeros(5), batch_size=8)


def small_problem(n=24, steps=4):
    t = np.arange(n + steps, dtype=np.float32)
    series = np.cos(t / 4.0)
    X = np.stack([series[i : i + steps] for i in range(n)])[:, :, None]
    return X, series[steps:]


class ZeroStatesEachEpoch(keras.callbacks.Callback):
    """The reference's reset, written here from Keras' own API (not the library's)."""

    def on_epoch_begin(self, epoch, logs=None):
        for layer in self.model.layers:
            if getattr(layer, "stateful", False):
                for state in layer.states:
                    state.assign(np.zeros(state.shape, dtype="float32"))


def stateful_states(model):
    return [
        np.asarray(state)
        for layer in model.layers
        if getattr(layer, "stateful", False)
        for state in layer.states
    ]


def compiled(num_layers=1, seed=0):
    return compile_regressor(
        build_lstm(
            (4, 1), hidden_size=5, num_layers=num_layers, stateful=True, batch_size=4, seed=seed
        ),
        optimizer="adagrad",
        learning_rate=0.3,
    )


@pytest.mark.parametrize(
    ("num_layers", "reset", "jit", "atol"),
    [
        (1, True, False, 1e-5),
        pytest.param(2, False, False, 1e-5, marks=pytest.mark.slow),
        pytest.param(2, True, True, 1e-4, marks=pytest.mark.slow),
    ],
)
def test_fit_stateful_equals_keras_fit_in_order_with_a_reset_each_epoch(
    num_layers, reset, jit, atol
):
    # Reference: Keras' own model.fit(shuffle=False) on the trimmed data, states zeroed
    # before training and (reset) at every epoch's start; the same initial weights.
    X, y = small_problem(n=26)  # 26 windows, batch 4: the 2 oldest are dropped
    reference = compiled(num_layers)
    for state in stateful_states(reference):
        assert not state.any()
    expected = reference.fit(
        X[2:],
        y[2:],
        batch_size=4,
        epochs=3,
        shuffle=False,
        verbose=0,
        callbacks=[ZeroStatesEachEpoch()] if reset else [],
    ).history["loss"]
    model = compiled(num_layers)
    with pytest.warns(UserWarning, match="Dropped the 2 oldest of 26 samples"):
        history = fit_stateful(
            model, X, y, epochs=3, batch_size=4, reset_between_epochs=reset, jit_compile=jit
        )
    np.testing.assert_allclose(history.history["loss"], expected, rtol=atol, atol=atol)
    for got, want in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=atol)
    # The states are left as the last batch left them, as model.fit leaves them.
    for got, want in zip(stateful_states(model), stateful_states(reference), strict=True):
        assert np.abs(want).max() > 0.01
        np.testing.assert_allclose(got, want, rtol=0, atol=atol)
    assert int(model.optimizer.iterations.numpy()) == 3 * 6


def test_reset_between_epochs_changes_training():
    X, y = small_problem()
    kernels = []
    for reset in (True, False):
        model = compiled()
        fit_stateful(model, X, y, epochs=2, batch_size=4, reset_between_epochs=reset)
        kernels.append(model.get_weights()[0])
    assert np.abs(kernels[0] - kernels[1]).max() > 1e-6


class Recorder(keras.callbacks.Callback):
    def __init__(self, stop_after=None):
        super().__init__()
        self.events, self.stop_after = [], stop_after

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("end", epoch, logs["loss"]))
        if epoch == self.stop_after:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_callbacks_see_every_epoch_and_may_stop_training():
    X, y = small_problem()  # 24 windows, batch 4: 6 steps per epoch
    recorder = Recorder()
    model = compiled()
    history = fit_stateful(model, X, y, epochs=3, batch_size=4, callbacks=[recorder])
    losses = history.history["loss"]
    assert recorder.events == [
        "train_begin",
        ("begin", 0),
        ("end", 0, losses[0]),
        ("begin", 1),
        ("end", 1, losses[1]),
        ("begin", 2),
        ("end", 2, losses[2]),
        "train_end",
    ]
    assert history.epoch == [0, 1, 2]
    stopped = compiled()
    history = fit_stateful(stopped, X, y, epochs=5, batch_size=4, callbacks=[Recorder(1)])
    assert len(history.history["loss"]) == 2
    assert int(stopped.optimizer.iterations.numpy()) == 2 * 6


def test_fit_stateful_trims_and_does_not_modify_inputs():
    X, y = small_problem(n=26)
    X_before, y_before = X.copy(), y.copy()
    model = compile_regressor(
        build_lstm((4, 1), hidden_size=2, stateful=True, batch_size=4, seed=0), "sgd"
    )
    with pytest.warns(UserWarning, match=re.escape("Dropped the 2 oldest of 26 samples")):
        fit_stateful(model, X, y, epochs=1, batch_size=4)
    with pytest.raises(ValueError, match=re.escape("`batch_size` must divide")):
        fit_stateful(model, X, y, epochs=1, batch_size=4, allow_trim=False)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_wrong_batch_size_is_a_clear_error():
    model = build_lstm((4, 1), hidden_size=2, stateful=True, batch_size=28)
    message = "`batch_size` must be 28, the batch size the stateful model was built with, got 16."
    X, y = np.zeros((56, 4, 1), dtype=np.float32), np.zeros(56, dtype=np.float32)
    with pytest.raises(ValueError, match=re.escape(message)):
        predict_stateful(model, X, batch_size=16)
    with pytest.raises(ValueError, match=re.escape(message)):
        fit_stateful(compile_regressor(model), X, y, epochs=1, batch_size=16)


def test_padding_at_the_end_leaves_earlier_predictions_alone():
    model = build_lstm((3, 1), hidden_size=4, stateful=True, batch_size=4, seed=5)
    X = np.random.default_rng(2).normal(size=(10, 3, 1)).astype(np.float32)
    X_before = X.copy()
    reset_states(model)
    ten = predict_stateful(model, X, batch_size=4)  # padded to 12
    assert ten.shape == (10,)
    np.testing.assert_array_equal(X, X_before)
    reset_states(model)
    eight = predict_stateful(model, X[:8], batch_size=4)
    np.testing.assert_allclose(ten[:8], eight, atol=1e-6)
    # Whatever fills the last two slots, the first ten predictions stay the same.
    other = np.concatenate([X, np.full((2, 3, 1), 50.0, dtype=np.float32)])
    reset_states(model)
    twelve = model.predict(other, batch_size=4, verbose=0)[:, 0]
    np.testing.assert_allclose(ten, twelve[:10], atol=1e-6)


def test_predict_continues_the_state_left_by_training():
    X, y = small_problem(n=16)
    model = compile_regressor(
        build_lstm((4, 1), hidden_size=3, stateful=True, batch_size=4, seed=1), "sgd"
    )
    fit_stateful(model, X, y, epochs=1, batch_size=4)
    continued = predict_stateful(model, X[:4], batch_size=4)
    reset_states(model)
    fresh = predict_stateful(model, X[:4], batch_size=4)
    assert np.abs(continued - fresh).max() > 1e-4


def test_reset_callback_is_a_keras_callback():
    assert isinstance(ResetStatesCallback(), keras.callbacks.Callback)


def test_fit_stateful_stops_on_a_non_finite_loss():
    from tf_pipeline.errors import NanLossError

    X, y = small_problem()
    with pytest.raises(NanLossError, match="inf loss during training at step 0"):
        fit_stateful(compiled(), X, y * np.float32(1e20), epochs=2, batch_size=4)
