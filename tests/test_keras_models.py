"""Keras 3 model builders checked against closed forms written out in NumPy."""

import re

import keras
import numpy as np
import pytest

from tf_pipeline.keras_models import build_lstm, build_mlp, compile_regressor


def lstm_params(d: int, h: int) -> int:
    """One LSTM layer: four gates, each with a (d + h) x h kernel and h biases."""
    return 4 * (h * (d + h) + h)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_lstm(x, kernel, recurrent, bias):
    """Final h of an LSTM over x (batch, steps, d) from zero states; gate order i, f, c, o."""
    units = recurrent.shape[0]
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    for t in range(x.shape[1]):
        z = x[:, t, :] @ kernel + h @ recurrent + bias
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units : 2 * units])
        g = np.tanh(z[:, 2 * units : 3 * units])
        o = sigmoid(z[:, 3 * units :])
        c = f * c + i * g
        h = o * np.tanh(c)
    return h


@pytest.mark.parametrize(
    ("input_shape", "hidden", "layers"),
    [((20, 1), 40, 1), ((1, 12), 40, 1), ((20, 1), 8, 2), ((5, 3), 6, 3)],
)
def test_lstm_parameter_count_closed_form(input_shape, hidden, layers):
    model = build_lstm(input_shape, hidden_size=hidden, num_layers=layers)
    d = input_shape[1]
    expected = lstm_params(d, hidden) + (layers - 1) * lstm_params(hidden, hidden) + hidden + 1
    assert model.count_params() == expected


def test_legacy_size_is_6761_parameters():
    # 4 * (40 * (1 + 40) + 40) + 41, written out.
    assert build_lstm((20, 1)).count_params() == 6761


def test_layer_names_and_shapes():
    model = build_lstm((20, 1), hidden_size=8, num_layers=3)
    assert model.name == "lstm_regressor"
    assert [layer.name for layer in model.layers[1:]] == ["lstm_0", "lstm_1", "lstm_2", "dense"]
    assert model.get_layer("lstm_0").return_sequences
    assert model.get_layer("lstm_1").return_sequences
    assert not model.get_layer("lstm_2").return_sequences
    assert model.get_layer("lstm_0").output.shape == (None, 20, 8)
    assert model.output_shape == (None, 1)
    out = model(np.zeros((5, 20, 1), dtype=np.float32))
    assert tuple(out.shape) == (5, 1)


def test_keras_defaults_kept_for_weight_porting():
    layer = build_lstm((4, 2), hidden_size=3, seed=0).get_layer("lstm_0")
    config = layer.get_config()
    assert config["activation"] == "tanh"
    assert config["recurrent_activation"] == "sigmoid"
    assert config["use_bias"] and config["unit_forget_bias"]
    assert [w.shape for w in layer.get_weights()] == [(2, 12), (3, 12), (12,)]
    # unit_forget_bias: the forget block (second quarter) starts at 1, the rest at 0.
    np.testing.assert_array_equal(layer.get_weights()[2], [0] * 3 + [1] * 3 + [0] * 6)


def test_variable_timesteps_when_stateless():
    model = build_lstm((None, 1), hidden_size=4)
    assert model.input_shape == (None, None, 1)
    assert tuple(model(np.zeros((2, 7, 1), dtype=np.float32)).shape) == (2, 1)


def test_stateful_batch_shape():
    model = build_lstm((20, 1), hidden_size=4, num_layers=2, stateful=True, batch_size=28)
    assert model.inputs[0].shape == (28, 20, 1)
    assert model.output_shape == (28, 1)
    assert all(model.get_layer(f"lstm_{i}").stateful for i in range(2))


def weights_of(model):
    return [np.asarray(w) for w in model.get_weights()]


def test_same_seed_same_weights_other_seed_differs():
    a = weights_of(build_lstm((20, 1), hidden_size=8, num_layers=2, seed=7))
    b = weights_of(build_lstm((20, 1), hidden_size=8, num_layers=2, seed=7))
    c = weights_of(build_lstm((20, 1), hidden_size=8, num_layers=2, seed=8))
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)
    kernels = [0, 1, 3, 4, 6]  # the random ones; biases start deterministic
    assert all(not np.array_equal(a[k], c[k]) for k in kernels)


def test_seeded_build_ignores_and_keeps_global_random_state():
    keras.utils.set_random_seed(1)
    a = weights_of(build_mlp((20, 1), seed=3))
    numpy_state = np.random.get_state()[1].copy()
    keras.utils.set_random_seed(2)
    b = weights_of(build_mlp((20, 1), seed=3))
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)
    keras.utils.set_random_seed(1)
    build_mlp((20, 1), seed=3)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)


def test_one_step_matches_closed_form():
    model = build_lstm((1, 3), hidden_size=4, seed=0)
    layer = model.get_layer("lstm_0")
    kernel, recurrent, _ = layer.get_weights()
    # Distinct biases per gate, so a wrong gate order cannot pass.
    bias = np.random.default_rng(0).normal(size=16).astype(np.float32)
    layer.set_weights([kernel, recurrent, bias])
    x = np.array([[[0.5, -1.0, 2.0]], [[-0.3, 0.8, 0.1]]], dtype=np.float32)

    z = x[:, 0, :] @ kernel + bias  # zero initial h: the recurrent kernel drops out
    i, f, g, o = sigmoid(z[:, :4]), sigmoid(z[:, 4:8]), np.tanh(z[:, 8:12]), sigmoid(z[:, 12:])
    c = f * 0.0 + i * g
    h = o * np.tanh(c)
    dense_kernel, dense_bias = model.get_layer("dense").get_weights()
    expected = h @ dense_kernel + dense_bias

    hidden = keras.Model(model.input, layer.output)(x)
    np.testing.assert_allclose(np.asarray(hidden), h, atol=1e-5)
    np.testing.assert_allclose(np.asarray(model(x)), expected, atol=1e-5)


def test_two_layers_over_steps_match_numpy_recurrence():
    model = build_lstm((6, 2), hidden_size=3, num_layers=2, seed=1)
    x = np.random.default_rng(1).normal(size=(4, 6, 2)).astype(np.float32)
    w0 = model.get_layer("lstm_0").get_weights()
    w1 = model.get_layer("lstm_1").get_weights()
    hidden_0 = np.stack(
        [numpy_lstm(x[:, : t + 1], *w0) for t in range(x.shape[1])], axis=1
    )  # lstm_0 returns the whole sequence
    h = numpy_lstm(hidden_0, *w1)
    dense_kernel, dense_bias = model.get_layer("dense").get_weights()
    np.testing.assert_allclose(np.asarray(model(x)), h @ dense_kernel + dense_bias, atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"input_shape": (20,)},
            ValueError,
            "`input_shape` must be a tuple (timesteps, features) of 2 ints, got (20,).",
        ),
        (
            {"input_shape": (0, 1)},
            ValueError,
            "`input_shape[0]` (timesteps) must be an int >= 1, got 0.",
        ),
        (
            {"input_shape": (20, 0)},
            ValueError,
            "`input_shape[1]` (features) must be an int >= 1, got 0.",
        ),
        ({"hidden_size": 0}, ValueError, "`hidden_size` must be an int >= 1, got 0."),
        ({"num_layers": 1.5}, TypeError, "`num_layers` must be an int, got 1.5 (float)."),
        ({"dropout": 1.0}, ValueError, "`dropout` must be in [0, 1), got 1.0."),
        ({"seed": -1}, ValueError, "`seed` must be an int >= 0, got -1."),
        (
            {"stateful": True},
            ValueError,
            "`batch_size` must be an int >= 1 when `stateful=True`, got None.",
        ),
        (
            {"stateful": True, "batch_size": 0},
            ValueError,
            "`batch_size` must be an int >= 1, got 0.",
        ),
        (
            {"input_shape": (None, 1), "stateful": True, "batch_size": 4},
            ValueError,
            "`input_shape[0]` (timesteps) must be an int >= 1 (a stateful model needs a fixed "
            "number of steps), got None.",
        ),
    ],
)
def test_build_lstm_errors(kwargs, error, message):
    kwargs = {"input_shape": (20, 1), **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        build_lstm(**kwargs)


def test_mlp_parameters_and_names():
    model = build_mlp((20, 1), hidden_sizes=(32, 16), seed=0)
    assert model.name == "mlp_regressor"
    assert [layer.name for layer in model.layers[1:]] == [
        "flatten",
        "hidden_0",
        "hidden_1",
        "dense",
    ]
    assert model.count_params() == (20 * 32 + 32) + (32 * 16 + 16) + (16 + 1)
    assert model.output_shape == (None, 1)


def test_mlp_without_hidden_layers_is_linear():
    model = build_mlp((3,), hidden_sizes=(), seed=0)
    kernel, bias = model.get_layer("dense").get_weights()
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(np.asarray(model(x)), x @ kernel + bias, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("adam", keras.optimizers.Adam),
        ("Adagrad", keras.optimizers.Adagrad),
        ("sgd", keras.optimizers.SGD),
        ("rmsprop", keras.optimizers.RMSprop),
    ],
)
def test_compile_regressor_optimizers(name, cls):
    model = compile_regressor(build_mlp((2,), hidden_sizes=()), optimizer=name, learning_rate=0.5)
    assert type(model.optimizer) is cls
    assert float(model.optimizer.learning_rate) == pytest.approx(0.5)


def test_compile_regressor_fresh_optimizer_each_time():
    a = compile_regressor(build_mlp((2,), hidden_sizes=()))
    b = compile_regressor(build_mlp((2,), hidden_sizes=()))
    assert a.optimizer is not b.optimizer


def test_adagrad_step_matches_tf1_update():
    # TF1 Adagrad: acc = 0.1 + g**2; w -= lr * g / sqrt(acc), no epsilon.
    model = compile_regressor(
        build_mlp((2,), hidden_sizes=(), seed=0), optimizer="adagrad", learning_rate=0.6
    )
    kernel, bias = model.get_layer("dense").get_weights()
    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]], dtype=np.float32)
    y = np.array([1.0, -1.0, 0.5], dtype=np.float32)
    residual = (x @ kernel + bias).ravel() - y
    grad_kernel = 2.0 / len(y) * x.T @ residual
    grad_bias = 2.0 / len(y) * residual.sum()
    model.train_on_batch(x, y)
    new_kernel, new_bias = model.get_layer("dense").get_weights()
    np.testing.assert_allclose(
        new_kernel.ravel(),
        kernel.ravel() - 0.6 * grad_kernel / np.sqrt(0.1 + grad_kernel**2),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        new_bias, bias - 0.6 * grad_bias / np.sqrt(0.1 + grad_bias**2), atol=1e-5
    )


def test_compile_regressor_errors():
    model = build_mlp((2,), hidden_sizes=())
    with pytest.raises(
        ValueError,
        match=re.escape(
            "`optimizer` must be one of 'adam', 'adagrad', 'sgd', 'rmsprop', got 'ftrl'."
        ),
    ):
        compile_regressor(model, optimizer="ftrl")
    with pytest.raises(ValueError, match=re.escape("`learning_rate` must be > 0, got 0.0.")):
        compile_regressor(model, learning_rate=0.0)


def test_a_one_step_lstm_is_unrolled_with_the_same_numbers():
    model = build_lstm((1, 12), hidden_size=5, seed=0)
    assert model.get_layer("lstm_0").unroll
    assert not build_lstm((12, 1), hidden_size=5, seed=0).get_layer("lstm_0").unroll
    looped = keras.Sequential(
        [keras.Input((1, 12)), keras.layers.LSTM(5, unroll=False), keras.layers.Dense(1)]
    )
    looped.set_weights(model.get_weights())
    X = np.random.RandomState(0).rand(7, 1, 12).astype("float32")
    np.testing.assert_allclose(model.predict_on_batch(X), looped.predict_on_batch(X), atol=1e-6)
