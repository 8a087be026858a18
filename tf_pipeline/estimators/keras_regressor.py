"""``KerasLSTMRegressor``: the LSTM regressor on Keras 3, with the scikit-learn API.

Built with :func:`tf_pipeline.keras_models.build_lstm` and compiled with
:func:`tf_pipeline.keras_models.compile_regressor`; trained, stateless or stateful,
by :func:`tf_pipeline.keras_training.train_steps` (the one Keras training loop) with
the rules of :mod:`tf_pipeline.stateful`, which in-order prediction follows too.

Example
-------
>>> import numpy as np
>>> from estimators import KerasLSTMRegressor
>>> X = np.random.RandomState(0).rand(40, 6).astype(np.float32)
>>> y = X.mean(axis=1)
>>> model = KerasLSTMRegressor(hidden_size=4, steps=20, random_state=0).fit(X, y)
>>> model.predict(X[:3]).shape, model.n_features_in_, model.n_steps_
((3,), 6, 20)
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import warnings
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from tf_pipeline.errors import NanLossError
from tf_pipeline.estimators.in_graph_training import AUTO_XLA_MIN_STEPS
from tf_pipeline.estimators.run_config import STEPS_PER_RUN
from tf_pipeline.estimators.sklearn_base import WARM_START_FIXED, BaseLSTMRegressor
from tf_pipeline.keras_models import build_lstm, compile_regressor
from tf_pipeline.keras_training import batches_per_epoch, epoch_means, train_steps
from tf_pipeline.progress import ProgressBar
from tf_pipeline.stateful import (
    LanePredictor,
    get_states,
    predict_stateful,
    set_states,
    trim_to_batches,
)
from tf_pipeline.tf_output import RETRACING, silenced_tf_warnings

logger = logging.getLogger("estimators")

# Prediction chunks only bound memory; every window is computed independently.
_PREDICT_BATCH_SIZE = 1024


class KerasLSTMRegressor(BaseLSTMRegressor):
    """The LSTM regressor on Keras 3 with the scikit-learn estimator API.

    ``num_layers`` LSTM layers of ``hidden_size`` units and a linear ``Dense(1)``
    head (:func:`~tf_pipeline.keras_models.build_lstm`), mean squared error.

    **Training length.** ``fit`` takes exactly ``steps`` gradient steps, like
    :class:`TF1LSTMRegressor`: with ``n`` windows there are
    ``ceil(n / batch_size)`` batches per epoch (``n // batch_size`` for a
    stateful model, which drops the remainder), ``fit`` runs
    ``ceil(steps / batches_per_epoch)`` epochs and stops after the ``steps``-th
    batch, so the last epoch may be cut short. Stateless training runs
    :func:`~tf_pipeline.keras_training.train_steps` (K steps per compiled call, with
    XLA from 1000 steps, the TF1 path's ``train_loop="auto"`` rule)
    and draws its batches in TF1's DataFeeder order (a ``RandomState(42)``
    permutation per epoch, the last batch of an epoch short): deterministic whatever
    the global seeds, and the very batches :class:`TF1LSTMRegressor` trains on.
    Stateful training runs the same loop in chronological order (whole batches,
    states zeroed inside the loop at every epoch's start): the rules of
    :func:`tf_pipeline.stateful.fit_stateful`.

    Parameters
    ----------
    hidden_size : int, default=40
        Units of every LSTM layer.
    num_layers : int, default=1
        Stacked LSTM layers.
    learning_rate : float, default=0.01
        Step size of ``optimizer``. Adam at 1e-2 trains the small networks used
        on windowed series (standardised) in a few hundred steps.
    optimizer : {"adam", "adagrad", "sgd", "rmsprop"}, default="adam"
        Case-insensitive; ``"adagrad"`` is TF1's Adagrad (see ``compile_regressor``).
    batch_size : int, default=32
        Rows per gradient step; the fixed batch size of a stateful model.
    steps : int, default=1000
        Gradient steps per ``fit`` call (see Training length).
    layout : {"features", "steps"}, default="features"
        ``"features"`` feeds ``(n, 1, window)`` (the legacy shape: one time step),
        ``"steps"`` feeds ``(n, window, 1)``. 2-D ``(n, window)`` input is reshaped.
    stateful : bool, default=False
        Train a stateful LSTM with :func:`tf_pipeline.stateful.fit_stateful`:
        chronological batches of exactly ``batch_size`` rows (the oldest
        ``n % batch_size`` windows are dropped with a warning), states carried
        from batch to batch and reset every epoch. ``predict`` then uses a
        stateless twin holding the same weights, so that every window is
        predicted on its own from zero states (any number of rows, any order,
        as scikit-learn expects). ``predict_in_order`` and ``forecast`` instead
        continue the series from the states training left (``states_``), as the
        Keras stateful-LSTM tutorial does (see Stateful prediction).
    random_state : int, RandomState instance or None, default=None
        Seeds initial weights and shuffling; an int gives identical predictions
        on refitting.
    verbose : int, default=0
        ``1``: a tqdm bar on stderr (when it is a terminal), advanced every batch with
        the running loss.
    warm_start : bool, default=False
        Keep training ``model_`` (weights and optimizer state) for ``steps``
        more steps. ``stateful`` and, for a stateful model, ``batch_size``
        must not change either.

    Attributes
    ----------
    model_ : keras.Model
        The trained network (stateful when ``stateful=True``).
    history_ : dict of list of float
        ``keras.callbacks.History.history`` of the last ``fit``: loss per epoch.
    states_ : list of numpy.ndarray or None
        A stateful model's LSTM states (``h`` and ``c`` per layer, each
        ``(batch_size, hidden_size)``: one row per lane) as the last ``fit`` left
        them; None for a stateless model. Kept apart from ``model_`` so that
        predictions never drift with earlier calls and survive pickling.
    n_steps_ : int
        Gradient steps taken in all (the optimizer's iteration count).
    n_features_in_ : int
        Window length.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a pandas DataFrame ``X``.
    X_shape_ : tuple of int
        Shape of the training windows as fed to the network.

    See Also
    --------
    TF1LSTMRegressor : The same model in a TF1 graph.

    Notes
    -----
    **Stateful prediction.** Training runs the windows in order in ``batch_size``
    lanes (window ``i`` of the last batch in lane ``i``), so the windows that follow
    the training windows continue those lanes: :meth:`predict_in_order` puts window
    ``j`` in lane ``j % batch_size`` starting from ``states_``
    (:func:`tf_pipeline.stateful.predict_stateful`), and :meth:`forecast` feeds its
    forecasts back through the same lanes one window at a time
    (:class:`tf_pipeline.stateful.LanePredictor`), so
    ``forecast(history, 1)[0] == predict_in_order(history[-window:][None])[0]``.
    Both assume the windows (``history``) continue the training series; each call
    starts again from ``states_``.

    Pickling stores ``model_`` as the bytes of a ``.keras`` archive (weights and
    optimizer state) and ``states_``; the prediction twin of a stateful model is
    rebuilt on load.

    Examples
    --------
    >>> import numpy as np
    >>> from estimators import KerasLSTMRegressor
    >>> series = np.sin(np.arange(60) / 4).astype(np.float32)
    >>> X = np.lib.stride_tricks.sliding_window_view(series[:-1], 8)
    >>> model = KerasLSTMRegressor(hidden_size=4, steps=30, random_state=0)
    >>> model.fit(X, series[8:]).forecast(series, steps=3).shape
    (3,)
    """

    def __init__(
        self,
        hidden_size: int = 40,
        *,
        num_layers: int = 1,
        learning_rate: float = 1e-2,
        optimizer: str = "adam",
        batch_size: int = 32,
        steps: int = 1000,
        layout: str = "features",
        stateful: bool = False,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        warm_start: bool = False,
    ) -> None:
        super().__init__(
            hidden_size,
            num_layers=num_layers,
            learning_rate=learning_rate,
            optimizer=optimizer,
            batch_size=batch_size,
            steps=steps,
            layout=layout,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
        )
        self.stateful = stateful

    def _extra_params(self) -> dict[str, Any]:
        return {"stateful": bool(self.stateful)}

    def _warm_start_fixed(self, params: dict[str, Any]) -> tuple[str, ...]:
        fixed = (*WARM_START_FIXED, "stateful")
        # A stateful model's state variables are built for its batch size.
        return (*fixed, "batch_size") if params["stateful"] else fixed

    def fit(self, X: Any, y: Any) -> KerasLSTMRegressor:
        """Train on windows ``X`` and targets ``y`` (see :meth:`BaseLSTMRegressor.fit`).

        A stateful model also keeps the states the last training batch left in
        ``states_``, where :meth:`predict_in_order` and :meth:`forecast` start.
        """
        super().fit(X, y)
        self.states_ = get_states(self.model_) if self._fit_params["stateful"] else None
        return self

    def predict_in_order(self, X: Any) -> np.ndarray:
        """Predict windows that continue the training windows, in order.

        A stateless model predicts each window on its own (as :meth:`predict`). A
        stateful model carries its states: window ``j`` of ``X`` continues lane
        ``j % batch_size`` from the states training left (``states_``), so ``X``
        should be the windows that follow the training windows, oldest first.

        Parameters
        ----------
        X : array-like of shape (n_samples, window) or 3-D in ``layout``
            Consecutive windows, the first one right after the training windows.

        Returns
        -------
        ndarray of shape (n_samples,), float32
        """
        windows = self._prediction_windows(X)
        if not self._fit_params["stateful"]:
            return self._predict_network(windows)
        set_states(self.model_, self.states_)
        predictions = predict_stateful(self.model_, windows, self._fit_params["batch_size"])
        return np.asarray(predictions, dtype=np.float32).reshape(-1)

    # -- training and prediction ----------------------------------------------------------
    def _fit_network(
        self, X: np.ndarray, y: np.ndarray, params: dict[str, Any], *, seed: int | None, warm: bool
    ) -> None:
        stateful = params["stateful"]
        batch_size = params["batch_size"]
        if warm:
            model = self.model_
        else:
            model = build_lstm(
                X.shape[1:],
                hidden_size=params["hidden_size"],
                num_layers=params["num_layers"],
                stateful=stateful,
                batch_size=batch_size if stateful else None,
                seed=seed,
            )
            compile_regressor(model, params["optimizer"], params["learning_rate"])
        order = "chronological" if stateful else "shuffle"
        if stateful:
            # Whole batches, the oldest windows dropped with a warning (fit_stateful's rule).
            X, y, _ = trim_to_batches(X, y, batch_size)
        per_epoch = batches_per_epoch(len(X), batch_size, order)
        logger.debug(
            "%s: %d windows, %d batches per epoch, %d epochs for %d steps (warm start: %s)",
            type(self).__name__,
            len(X),
            per_epoch,
            math.ceil(params["steps"] / per_epoch),
            params["steps"],
            warm,
        )
        # A warm fit trains model_ in place: keep what to put back if the loss blows up.
        previous = _training_state(model) if warm else None
        start = int(model.optimizer.iterations.numpy())
        try:
            with ProgressBar(
                params["steps"], type(self).__name__, enabled=bool(params["verbose"]), leave=True
            ) as bar:
                losses = train_steps(
                    model,
                    X,
                    y,
                    steps=params["steps"],
                    batch_size=batch_size,
                    # The TF1 path's rule: compile with XLA when the fit repays it.
                    jit_compile=params["steps"] >= AUTO_XLA_MIN_STEPS,
                    # As the TF1 path's runs: a call costs ~5 ms of dispatch, 100 calls
                    # for 10,000 steps were a third of the fit.
                    steps_per_run=STEPS_PER_RUN,
                    order=order,
                    # Each epoch replays the series from its start: zero states first.
                    reset_each_epoch=stateful,
                    on_run=bar.advance,
                )
        except NanLossError as error:
            if previous is not None:
                _set_training_state(model, previous)
            kept = "The previous fit is kept." if hasattr(self, "model_") else None
            # train_steps counts this fit's steps; the error names the model's step.
            raise NanLossError.at_step(start + error.step, error.loss, kept) from None
        # Per epoch, as model.fit reports it: the mean loss of the epoch's steps.
        history = {"loss": epoch_means(losses, per_epoch)}
        self.model_ = model
        self.history_ = history
        self.n_steps_ = int(model.optimizer.iterations.numpy())
        self._predictor = _stateless_twin(model, params) if stateful else model

    def _predict_network(self, X: np.ndarray) -> np.ndarray:
        # predict_on_batch per chunk: no per-call data pipeline, so the one-window
        # calls of forecast() are as fast as they can be, and exactly like predict's.
        # Each fitted model traces Keras' predict function once; TF counts traces per
        # Python code object, shared by all models, so a grid search's many models would
        # read as one function "retracing": a false alarm, silenced here only.
        with silenced_tf_warnings(patterns=(RETRACING,)):
            chunks = [
                np.asarray(
                    self._predictor.predict_on_batch(X[start : start + _PREDICT_BATCH_SIZE])
                )
                for start in range(0, len(X), _PREDICT_BATCH_SIZE)
            ]
        return np.concatenate(chunks).reshape(-1).astype(np.float32, copy=False)

    def _forecast_step(self) -> Callable[[np.ndarray], np.ndarray]:
        if not self._fit_params["stateful"]:
            return super()._forecast_step()
        # The lanes continue from where training left them, one window per call.
        set_states(self.model_, self.states_)
        lanes = LanePredictor(self.model_, self._fit_params["batch_size"])
        return lambda window: np.asarray(lanes(window), dtype=np.float32).reshape(-1)

    # -- persistence ----------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        # Copy: object.__getstate__ hands back the instance __dict__ itself.
        state = dict(super().__getstate__())
        state.pop("_predictor", None)
        model = state.pop("model_", None)
        if model is not None:
            state["_model_bytes"] = _model_to_bytes(model)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        model_bytes = state.pop("_model_bytes", None)
        super().__setstate__(state)
        if model_bytes is None:
            return
        model = _model_from_bytes(model_bytes)
        self.model_ = model
        stateful = self._fit_params["stateful"]
        self._predictor = _stateless_twin(model, self._fit_params) if stateful else model


def _training_state(model: keras.Model) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Copies of ``model``'s weights and its optimizer's variables."""
    return model.get_weights(), [np.array(v.numpy()) for v in model.optimizer.variables]


def _set_training_state(
    model: keras.Model, state: tuple[list[np.ndarray], list[np.ndarray]]
) -> None:
    weights, optimizer_values = state
    model.set_weights(weights)
    for variable, value in zip(model.optimizer.variables, optimizer_values, strict=True):
        variable.assign(value)


def _stateless_twin(model: keras.Model, params: dict[str, Any]) -> keras.Model:
    """The same network without state or fixed batch size, holding ``model``'s weights."""
    twin = build_lstm(
        tuple(model.input_shape[1:]),
        hidden_size=params["hidden_size"],
        num_layers=params["num_layers"],
        seed=0,  # overwritten below; a fixed seed leaves Keras' global generator alone
    )
    twin.set_weights(model.get_weights())
    return twin


def _model_to_bytes(model: keras.Model) -> bytes:
    with tempfile.TemporaryDirectory(prefix="keras_lstm_") as directory:
        path = os.path.join(directory, "model.keras")
        with warnings.catch_warnings():
            # Keras' own saver calls np.array on its variables the NumPy 1 way; harmless.
            warnings.filterwarnings(
                "ignore", message="__array__ implementation doesn't accept a copy keyword"
            )
            model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def _model_from_bytes(content: bytes) -> keras.Model:
    with tempfile.TemporaryDirectory(prefix="keras_lstm_") as directory:
        path = os.path.join(directory, "model.keras")
        with open(path, "wb") as handle:
            handle.write(content)
        return keras.models.load_model(path)
