"""The Keras stateful-LSTM tutorial on the damped cosine curve, four models side by side.

The series is :func:`tf_pipeline.datasets.cosine_curve` (1000 points), cut into
windows of 20 steps (``layout="steps"``, 980 samples) whose target is the next
point. The last 20 % (196 windows) are the test part, the first 784 train. A
:class:`~sklearn.preprocessing.MinMaxScaler` is fitted on the points the
training windows and targets cover (range [-1, 1]), and every model sees
scaled data; RMSEs are in the original units. The models:

* ``"mlp"``: the plain network on the flattened window (:func:`build_mlp`);
* ``"lstm"``: a stateless LSTM (it and the MLP train on shuffled batches, as
  stateless models may: TF1's DataFeeder order, through
  :func:`~tf_pipeline.keras_training.train_steps`, the one Keras training loop);
* ``"stateful_lstm"``: one stateful LSTM layer, trained with
  :func:`~tf_pipeline.stateful.fit_stateful` (the same loop, in chronological
  order) and predicting the test part with the states carried over from the end
  of training;
* ``"stacked_stateful_lstm"``: two stacked stateful LSTM layers, the same way.

The default batch size 28 divides both 784 and 196, so no sample is trimmed or
padded and the last training batch hands its states straight to the first
test batch. ``"naive_rmse"`` scores the last-value forecast (the window's final
point). On this smooth curve it is a hard bar (0.35 on a range of about 190):
the test part is the only stretch where the curve rises through high values, a
combination of level and slope the training part never shows, so every model
extrapolates there and its error depends strongly on the seed.

Example
-------
>>> from tf_pipeline.cosine_demo import run_cosine_demo
>>> result = run_cosine_demo(n=130, window=10, test_size=30, batch_size=10, epochs=1,
...                          hidden_size=4)
>>> sorted(result["models"]), result["n_train"], result["n_test"]
(['lstm', 'mlp', 'stacked_stateful_lstm', 'stateful_lstm'], 90, 30)
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
from sklearn.preprocessing import MinMaxScaler

from tf_pipeline._checks import check_int, check_learning_rate
from tf_pipeline.datasets import cosine_curve
from tf_pipeline.keras_models import build_lstm, build_mlp, compile_regressor
from tf_pipeline.keras_training import batches_per_epoch, predict_in_batches, train_steps
from tf_pipeline.metrics import rmse
from tf_pipeline.scaling import fit_series_scaler, inverse_transform_series, transform_series
from tf_pipeline.seeding import seeded
from tf_pipeline.stateful import fit_stateful, predict_stateful
from tf_pipeline.windows import make_windows, train_test_split_series

logger = logging.getLogger(__name__)

MODEL_NAMES = ("mlp", "lstm", "stateful_lstm", "stacked_stateful_lstm")
# Zero-centred inputs suit tanh/sigmoid gates; in measurements [0, 1] gave the LSTMs
# 1.5-2.5x larger test errors, and [-0.3, 0.3] was better for the stateless LSTM only
# and unstable for the stacked one.
_FEATURE_RANGE = (-1.0, 1.0)
_LABELS = {
    "mlp": "plain dense network",
    "lstm": "stateless LSTM",
    "stateful_lstm": "stateful LSTM",
    "stacked_stateful_lstm": "2-layer stateful LSTM",
}


def _fit_predict(
    name: str,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    *,
    batch_size: int,
    epochs: int,
    hidden_size: int,
    learning_rate: float,
    seed: int,
) -> tuple[np.ndarray, float]:
    """Build, train and predict one model; returns scaled test predictions and fit seconds."""
    input_shape = X_train.shape[1:]
    if name == "mlp":
        model = build_mlp(input_shape, seed=seed)
    elif name == "lstm":
        model = build_lstm(input_shape, hidden_size=hidden_size, seed=seed)
    else:
        model = build_lstm(
            input_shape,
            hidden_size=hidden_size,
            num_layers=2 if name == "stacked_stateful_lstm" else 1,
            stateful=True,
            batch_size=batch_size,
            seed=seed,
        )
    # Decay the learning rate 100-fold over training: the large early steps find the
    # shape, the small late ones the last digits a one-step forecast needs.
    steps = epochs * batches_per_epoch(len(X_train), batch_size)
    schedule = keras.optimizers.schedules.ExponentialDecay(learning_rate, steps, 0.01)
    compile_regressor(model, optimizer="adam", learning_rate=schedule)
    start = time.perf_counter()
    # No XLA: a few hundred steps do not repay its compilation (the regressors' rule).
    if name in ("mlp", "lstm"):
        # `epochs` passes in TF1's DataFeeder order, each ending with a short batch.
        train_steps(model, X_train, y_train, steps=steps, batch_size=batch_size, jit_compile=False)
        seconds = time.perf_counter() - start
        predictions = predict_in_batches(model, X_test, batch_size=batch_size)
    else:
        fit_stateful(model, X_train, y_train, epochs=epochs, batch_size=batch_size)
        seconds = time.perf_counter() - start
        # No reset: the test windows follow the training ones, so their states carry over.
        predictions = predict_stateful(model, X_test, batch_size=batch_size)
    return predictions, seconds


def _save_figure(
    path: Path, t_test: np.ndarray, truth: np.ndarray, predictions: dict[str, np.ndarray]
) -> None:
    # matplotlib.figure.Figure renders through its own Agg canvas: no pyplot, no global state.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 5), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(t_test, truth, color="black", linewidth=2.5, label="truth")
    for name, values in predictions.items():
        axes.plot(t_test, values, linewidth=1.2, label=_LABELS[name])
    axes.set_xlabel("t")
    axes.set_ylabel("value")
    axes.set_title("Damped cosine, one-step forecasts over the test part")
    axes.legend()
    figure.savefig(path, dpi=100)


def run_cosine_demo(
    *,
    n: int = 1000,
    window: int = 20,
    test_size: int | float = 0.2,
    batch_size: int = 28,
    epochs: int = 30,
    hidden_size: int = 32,
    learning_rate: float = 1e-2,
    seed: int = 0,
    out_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Train the tutorial's four models on the cosine curve and score them on its test part.

    Parameters
    ----------
    n : int, default=1000
        Points of the cosine curve.
    window : int, default=20
        Steps per input window.
    test_size : int or float, default=0.2
        Test windows, as a count or a fraction (see
        :func:`~tf_pipeline.windows.train_test_split_series`).
    batch_size : int, default=28
        Batch size of every model and the fixed batch of the stateful ones;
        28 divides both 784 and 196. Otherwise training is trimmed from the
        front and prediction padded at the end (see :mod:`tf_pipeline.stateful`).
    epochs : int, default=30
        Training epochs of every model.
    hidden_size : int, default=32
        Units of each LSTM layer.
    learning_rate : float, default=1e-2
        Adam's initial learning rate for every model, decayed exponentially to a
        hundredth of it over training.
    seed : int, default=0
        Seeds the models' initial weights, and Python, NumPy, TensorFlow and Keras
        for the run through :func:`tf_pipeline.seeding.seeded` (Python's and NumPy's
        global states are put back afterwards); a fixed seed repeats the numbers on
        one machine. The batch order is TF1's DataFeeder order whatever the seed.
    out_dir : str or Path, optional
        If given, ``cosine.png`` (the four forecasts against the truth) and
        ``cosine.json`` (the returned numbers) are written there.

    Returns
    -------
    dict
        ``{"models": {name: {"rmse": float, "fit_seconds": float}}, "naive_rmse": float,
        "n_train": int, "n_test": int, "batch_size": int, "epochs": int,
        "figure": str or None, "json": str or None}``.
    """
    n = check_int(n, "n", minimum=2)
    window = check_int(window, "window", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    epochs = check_int(epochs, "epochs", minimum=1)
    hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    learning_rate = check_learning_rate(learning_rate)

    series = cosine_curve(n)
    X, y = make_windows(series, window, layout="steps")
    X_train, X_test, y_train, y_test = train_test_split_series(X, y, test_size)
    n_train, n_test = len(X_train), len(X_test)
    # Fit the scaler on the points the training windows and targets cover, nothing later.
    scaler = fit_series_scaler(series[: n_train + window], MinMaxScaler(_FEATURE_RANGE))
    scaled = transform_series(scaler, series).astype(np.float32)
    X_scaled, y_scaled = make_windows(scaled, window, layout="steps")
    Xs_train, Xs_test = X_scaled[:n_train], X_scaled[n_train:]
    ys_train = y_scaled[:n_train]

    naive = X_test[:, -1, 0]
    result: dict[str, Any] = {
        "models": {},
        "naive_rmse": rmse(y_test, naive),
        "n_train": n_train,
        "n_test": n_test,
        "batch_size": batch_size,
        "epochs": epochs,
        "figure": None,
        "json": None,
    }
    forecasts: dict[str, np.ndarray] = {}
    for k, name in enumerate(MODEL_NAMES):
        with seeded(seed + 100 * k):
            scaled_predictions, seconds = _fit_predict(
                name,
                Xs_train,
                ys_train,
                Xs_test,
                batch_size=batch_size,
                epochs=epochs,
                hidden_size=hidden_size,
                learning_rate=learning_rate,
                seed=seed + 100 * k,
            )
        forecasts[name] = inverse_transform_series(scaler, scaled_predictions)
        score = rmse(y_test, forecasts[name])
        result["models"][name] = {"rmse": score, "fit_seconds": seconds}
        logger.info("%s: test RMSE %.4f, fit %.1f s", name, score, seconds)
    logger.info("naive last value: test RMSE %.4f", result["naive_rmse"])

    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        figure_path = out / "cosine.png"
        json_path = out / "cosine.json"
        t_test = np.arange(n_train + window, n_train + window + n_test)
        _save_figure(figure_path, t_test, np.asarray(y_test), forecasts)
        result["figure"] = str(figure_path)
        result["json"] = str(json_path)
        json_path.write_text(json.dumps(result, indent=2) + "\n")
    return result
