"""Prove a migration changed nothing: prediction, state and training parity.

Tolerances are those of TensorFlow's migration guide: predictions within atol 1e-5 and
rtol 1e-6; the first 10 training losses within atol 1e-5; after 200 steps rtol 5e-2.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.migrate import training_parity
>>> rng = np.random.RandomState(0)
>>> X = rng.rand(40, 1, 12).astype("float32")
>>> y = X.mean(axis=2).ravel()
>>> result = training_parity(X, y, hidden_size=4, steps=20, batch_size=8)
>>> result.first_losses_max_abs < 1e-5
True
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_pipeline.batching import tf1_batches
from tf_pipeline.compat.layers import fully_connected
from tf_pipeline.compat.rnn import BasicLSTMCell, MultiRNNCell
from tf_pipeline.migrate.convert import convert
from tf_pipeline.migrate.layout import read_layout
from tf_pipeline.migrate.port import port_checkpoint
from tf_pipeline.models import lstm_model

PREDICTION_ATOL = 1e-5
PREDICTION_RTOL = 1e-6
EARLY_LOSS_ATOL = 1e-5
EARLY_STEPS = 10
FINAL_LOSS_RTOL = 5e-2


def _differences(actual: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    """Max absolute difference, and max relative one over entries not near zero."""
    actual = np.asarray(actual, np.float64).ravel()
    expected = np.asarray(expected, np.float64).ravel()
    absolute = np.abs(actual - expected)
    scale = np.abs(expected)
    significant = scale > PREDICTION_ATOL
    relative = absolute[significant] / scale[significant] if significant.any() else np.zeros(1)
    return float(absolute.max(initial=0.0)), float(relative.max(initial=0.0))


@dataclass(frozen=True)
class PointDifference:
    """One compared tensor: a mapped layer's output, a final state or a prediction."""

    label: str
    max_abs: float
    max_rel: float
    passed: bool


@dataclass
class ParityReport:
    """Differences between a TF1 checkpoint's outputs and a Keras model's, on the same X.

    Attributes
    ----------
    predictions_max_abs, predictions_max_rel : float
    states_max_abs, states_max_rel : float
        Over the final ``c`` and ``h`` of every LSTM layer.
    passed : bool
        Predictions and states within atol 1e-5 and rtol 1e-6 (``np.allclose``).
    """

    predictions_max_abs: float
    predictions_max_rel: float
    states_max_abs: float
    states_max_rel: float
    passed: bool
    n_samples: int
    checkpoint: str
    points: list[PointDifference] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        lines = [
            f"{verdict}: {self.n_samples} windows from {self.checkpoint}",
            f"  predictions  max abs {self.predictions_max_abs:.3e}  "
            f"max rel {self.predictions_max_rel:.3e}",
            f"  final states max abs {self.states_max_abs:.3e}  max rel {self.states_max_rel:.3e}",
        ]
        for point in self.points:
            mark = "ok  " if point.passed else "FAIL"
            lines.append(
                f"  {mark} {point.label}: max abs {point.max_abs:.3e}  max rel {point.max_rel:.3e}"
            )
        if self.unmapped:
            lines.append(f"  FAIL unmapped checkpoint variables: {self.unmapped}")
        lines.append(f"  tolerance    atol {PREDICTION_ATOL:g}, rtol {PREDICTION_RTOL:g}")
        return "\n".join(lines)


def _tf1_outputs(
    path: str | os.PathLike, X: np.ndarray, forget_bias: float
) -> tuple[str, np.ndarray, list[np.ndarray]]:
    """Predictions and final [c, h] per layer of the TF1 graph restored from ``path``."""
    layout = read_layout(path)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, *X.shape[1:]])
        cells = [BasicLSTMCell(layer.units, forget_bias=forget_bias) for layer in layout.layers]
        output, state = tf.compat.v1.nn.dynamic_rnn(MultiRNNCell(cells), x, dtype=tf.float32)
        predictions = tf.reshape(fully_connected(output[:, -1, :], 1, None), [-1])
        var_list = {layout.head_weights: None, layout.head_biases: None}
        for cell, layer in zip(cells, layout.layers, strict=True):
            var_list[layer.kernel] = cell.trainable_weights[0]
            var_list[layer.bias] = cell.trainable_weights[1]
        head = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.MODEL_VARIABLES)
        var_list[layout.head_weights], var_list[layout.head_biases] = head
        with tf.compat.v1.Session(graph=graph) as session:
            tf.compat.v1.train.Saver(var_list=var_list).restore(session, layout.path)
            values, states = session.run([predictions, state], {x: X})
    flat_states = [np.asarray(s) for layer_state in states for s in layer_state]
    return layout.path, values, flat_states


def _keras_states(model: keras.Model, X: np.ndarray) -> list[np.ndarray]:
    """Final [c, h] per LSTM layer, from stateless twins carrying the model's weights."""
    lstm_layers = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    inputs = keras.Input(shape=X.shape[1:])
    current, outputs = inputs, []
    for layer in lstm_layers:
        twin = keras.layers.LSTM(
            layer.units, return_sequences=layer.return_sequences, return_state=True
        )
        current, h, c = twin(current)
        twin.set_weights(layer.get_weights())
        outputs += [c, h]
    states = keras.Model(inputs, outputs).predict(X, verbose=0, batch_size=len(X))
    return [np.asarray(s) for s in states]


def _allclose(actual: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.allclose(actual, expected, atol=PREDICTION_ATOL, rtol=PREDICTION_RTOL))


def _model_fn_report(
    checkpoint: str | os.PathLike,
    keras_model: keras.Model,
    X: np.ndarray,
    model_fn: Callable,
    params: Any,
    input_dtype: Any,
) -> ParityReport:
    """Per-point parity of ``keras_model`` against ``model_fn``'s graph and checkpoint."""
    conversion = convert(
        model_fn, checkpoint, X.shape[1:], params, input_dtype=input_dtype, strict=False
    )
    graph = conversion.graph
    with graph.as_default():
        saver = tf.compat.v1.train.Saver(var_list=tf.compat.v1.global_variables())
        with tf.compat.v1.Session(graph=graph) as session:
            saver.restore(session, conversion.checkpoint)
            expected = session.run(
                [point[1] for point in conversion.points], {conversion.features: X}
            )
    probe = conversion.probe(keras_model)
    actual = probe.predict(X, verbose=0, batch_size=len(X))
    actual = actual if isinstance(actual, list) else [actual]
    prediction_labels = (
        set(conversion.predictions)
        if isinstance(conversion.predictions, dict)
        else {"predictions"}
    )
    points, states, predictions = [], [], []
    for (label, _, _), got, want in zip(conversion.points, actual, expected, strict=True):
        got, want = np.asarray(got), np.asarray(want)
        max_abs, max_rel = _differences(got, want)
        ok = got.shape == want.shape and _allclose(got, want)
        points.append(PointDifference(label, max_abs, max_rel, ok))
        if "final state" in label:
            states.append((max_abs, max_rel))
        elif label in prediction_labels:
            predictions.append((max_abs, max_rel))
    p_abs = max((d[0] for d in predictions), default=0.0)
    p_rel = max((d[1] for d in predictions), default=0.0)
    s_abs = max((d[0] for d in states), default=0.0)
    s_rel = max((d[1] for d in states), default=0.0)
    passed = all(point.passed for point in points) and not conversion.unmapped
    return ParityReport(
        p_abs,
        p_rel,
        s_abs,
        s_rel,
        passed,
        len(X),
        conversion.checkpoint,
        points,
        list(conversion.unmapped),
    )


def parity_report(
    tf1_model_dir: str | os.PathLike,
    keras_model: keras.Model,
    X: Any,
    *,
    forget_bias: float = 1.0,
    model_fn: Callable | None = None,
    params: Any = None,
    input_dtype: Any = "float32",
) -> ParityReport:
    """Compare a TF1 checkpoint and a Keras model on the same windows.

    With ``model_fn`` (any model_fn :func:`~tf_pipeline.migrate.to_keras` converts),
    every mapped layer's output, every final RNN state and the predictions are
    compared, and the report fails if the checkpoint holds a model variable the
    conversion left unmapped. Without it, the legacy LSTM stack + head is assumed.

    Parameters
    ----------
    tf1_model_dir : str or PathLike
        A model_dir or checkpoint prefix of the legacy LSTM model.
    keras_model : keras.Model
        The migrated model (LSTM layers and Dense(1)), stateless.
    X : array-like of shape (n, ...)
        ``(n, timesteps, depth)`` for the legacy LSTM; the model_fn's features otherwise.
    forget_bias : float, default=1.0
        The TF1 cells' forget bias (legacy LSTM only; a model_fn's cells carry theirs).
    model_fn : callable, optional
    params : optional
        Passed to ``model_fn``.
    input_dtype : dtype, default="float32"
        The features' dtype for ``model_fn``.

    Returns
    -------
    ParityReport
    """
    if model_fn is not None:
        X = np.asarray(X, dtype=tf.as_dtype(input_dtype).as_numpy_dtype)
        return _model_fn_report(tf1_model_dir, keras_model, X, model_fn, params, input_dtype)
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 3:
        raise ValueError(f"`X` must have shape (n, timesteps, depth), got {X.shape}.")
    unmapped = list(read_layout(tf1_model_dir).unmapped)
    checkpoint, tf1_predictions, tf1_states = _tf1_outputs(tf1_model_dir, X, forget_bias)
    keras_predictions = np.asarray(keras_model.predict(X, verbose=0)).ravel()
    keras_states = _keras_states(keras_model, X)
    p_abs, p_rel = _differences(keras_predictions, tf1_predictions)
    s_pairs = list(zip(keras_states, tf1_states, strict=True))
    s_abs = max(_differences(k, t)[0] for k, t in s_pairs)
    s_rel = max(_differences(k, t)[1] for k, t in s_pairs)
    passed = bool(
        np.allclose(keras_predictions, tf1_predictions, atol=PREDICTION_ATOL, rtol=PREDICTION_RTOL)
        and all(np.allclose(k, t, atol=PREDICTION_ATOL, rtol=PREDICTION_RTOL) for k, t in s_pairs)
        and not unmapped
    )
    return ParityReport(p_abs, p_rel, s_abs, s_rel, passed, len(X), checkpoint, unmapped=unmapped)


@dataclass
class TrainingParity:
    """Loss curves of both paths trained from identical weights on identical batches.

    Attributes
    ----------
    tf1_losses, keras_losses : numpy.ndarray of shape (steps,)
        The loss of each step's batch, before that step's update.
    max_abs_divergence : float
        Largest ``|tf1 - keras|`` over all steps.
    first_losses_max_abs : float
        Largest ``|tf1 - keras|`` over the first 10 steps (tolerance atol 1e-5).
    final_relative_difference : float
        ``|tf1 - keras| / |tf1|`` at the last step (tolerance rtol 5e-2).
    passed : bool
    """

    tf1_losses: np.ndarray
    keras_losses: np.ndarray
    max_abs_divergence: float
    first_losses_max_abs: float
    final_relative_difference: float
    passed: bool
    settings: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"{verdict}: {len(self.tf1_losses)} Adagrad steps from identical weights\n"
            f"  first {EARLY_STEPS} losses max abs diff {self.first_losses_max_abs:.3e} "
            f"(atol {EARLY_LOSS_ATOL:g})\n"
            f"  final loss  tf1 {self.tf1_losses[-1]:.6g}  keras {self.keras_losses[-1]:.6g}  "
            f"rel diff {self.final_relative_difference:.3e} (rtol {FINAL_LOSS_RTOL:g})\n"
            f"  largest divergence over all steps {self.max_abs_divergence:.3e}"
        )


def training_parity(
    X: Any,
    y: Any,
    *,
    hidden_size: int = 40,
    num_layers: int = 1,
    learning_rate: float = 0.6,
    steps: int = 200,
    batch_size: int = 32,
    seed: int = 0,
) -> TrainingParity:
    """Train the TF1 path and the Keras path side by side and compare their losses.

    The TF1 graph is the legacy :func:`~tf_pipeline.models.lstm_model` with Adagrad;
    its initial weights are ported into a Keras model trained with
    ``keras.optimizers.Adagrad(learning_rate, initial_accumulator_value=0.1,
    epsilon=0)`` (TF1's Adagrad). Both see the same batches, in TF1's DataFeeder
    order, one ``train_on_batch`` / ``session.run`` per step.

    Returns
    -------
    TrainingParity
    """
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if X.ndim != 3 or len(X) != len(y):
        raise ValueError(
            f"`X` must have shape (n, timesteps, depth) and `y` n values, got {X.shape} "
            f"and {y.shape}."
        )
    params = {"hidden_size": hidden_size, "num_layers": num_layers}
    params.update(learning_rate=learning_rate, optimizer="Adagrad")
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(seed)
        tf.compat.v1.train.get_or_create_global_step()
        x_in = tf.compat.v1.placeholder(tf.float32, [None, *X.shape[1:]])
        y_in = tf.compat.v1.placeholder(tf.float32, [None])
        _, loss, train_op = lstm_model(x_in, y_in, params=params)
        session = tf.compat.v1.Session(graph=graph)
        session.run(tf.compat.v1.global_variables_initializer())
        saver = tf.compat.v1.train.Saver()
    with tempfile.TemporaryDirectory() as scratch:
        with graph.as_default():
            initial = saver.save(session, os.path.join(scratch, "initial.ckpt"))
        # Keras builds eagerly, so the port happens outside the TF1 graph's context.
        model = port_checkpoint(initial, timesteps=X.shape[1])
    model.compile(
        optimizer=keras.optimizers.Adagrad(
            learning_rate, initial_accumulator_value=0.1, epsilon=0.0
        ),
        loss="mse",
        jit_compile=False,
    )
    tf1_losses, keras_losses = [], []
    batches = tf1_batches(len(X), batch_size)
    # Not `with session:`: that would make the TF1 graph the default for Keras too.
    try:
        for _ in range(steps):
            rows = next(batches)
            tf1_losses.append(session.run(train_op, {x_in: X[rows], y_in: y[rows]}))
            keras_losses.append(model.train_on_batch(X[rows], y[rows].reshape(-1, 1)))
    finally:
        session.close()
    tf1_curve = np.asarray(tf1_losses, np.float64)
    keras_curve = np.asarray(keras_losses, np.float64)
    divergence = np.abs(tf1_curve - keras_curve)
    first = float(divergence[:EARLY_STEPS].max())
    final = float(divergence[-1] / max(abs(tf1_curve[-1]), np.finfo(np.float32).tiny))
    passed = first <= EARLY_LOSS_ATOL and (steps < 200 or final <= FINAL_LOSS_RTOL)
    settings = dict(params, steps=steps, batch_size=batch_size, seed=seed)
    return TrainingParity(
        tf1_curve, keras_curve, float(divergence.max()), first, final, passed, settings
    )
