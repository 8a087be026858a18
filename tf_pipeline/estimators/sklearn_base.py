"""Shared scikit-learn plumbing of the LSTM regressors: parameters, validation, seeding.

:class:`BaseLSTMRegressor` holds the one parameter vocabulary both paths share
(:class:`~estimators.TF1LSTMRegressor`, the TF1 graph path, and
:class:`~estimators.KerasLSTMRegressor`, the Keras 3 path), validates data with
scikit-learn's helpers, forecasts recursively (:func:`tf_pipeline.forecasting.recursive_forecast`)
and seeds through :func:`tf_pipeline.seeding.seeded`.

Input windows
    ``X`` is 2-D ``(n_samples, window)``, one window per row (what
    :class:`~estimators.SlidingWindowTransformer` and scikit-learn's scalers
    produce), or 3-D in the estimator's ``layout``: ``(n_samples, 1, window)``
    for ``"features"`` (the legacy pipeline's shape) or ``(n_samples, window, 1)``
    for ``"steps"``. Either way ``n_features_in_`` is the window length.

Example
-------
>>> import numpy as np
>>> from estimators import KerasLSTMRegressor
>>> X = np.random.RandomState(0).rand(40, 6).astype(np.float32)
>>> y = X.mean(axis=1)
>>> model = KerasLSTMRegressor(hidden_size=4, steps=20, random_state=0).fit(X, y)
>>> model.forecast(X[0], steps=2).shape
(2,)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from tf_pipeline._checks import (
    as_finite_1d,
    check_choice,
    check_int,
    check_learning_rate,
    check_optimizer,
)
from tf_pipeline.forecasting import recursive_forecast
from tf_pipeline.seeding import resolve_seed, seeded

logger = logging.getLogger("estimators")

LAYOUTS = ("features", "steps")
# Parameters a warm start may not change: they fix the network or its optimizer state.
WARM_START_FIXED = ("hidden_size", "num_layers", "layout", "optimizer", "learning_rate")


def _ndim(X: Any) -> int | None:
    """``X``'s number of dimensions without converting arrays or data frames."""
    ndim = getattr(X, "ndim", None)
    if ndim is not None:
        return int(ndim)
    try:
        return int(np.ndim(X))
    except (TypeError, ValueError):  # ragged nested lists: let validate_data explain
        return None


class BaseLSTMRegressor(RegressorMixin, BaseEstimator):
    """Base of the LSTM regressors: one parameter vocabulary, validation, forecasting.

    Subclasses add their own parameters and implement ``_fit_network`` and
    ``_predict_network``; ``__init__`` stores parameters and nothing else.

    Parameters
    ----------
    hidden_size : int, default=40
        Units of every LSTM layer.
    num_layers : int, default=1
        Stacked LSTM layers.
    learning_rate : float, default=0.01
        Optimizer step size, > 0.
    optimizer : {"adam", "adagrad", "sgd", "rmsprop"}, default="adam"
        Case-insensitive, so the legacy spelling ``"Adagrad"`` works too.
    batch_size : int, default=32
        Rows per gradient step.
    steps : int, default=1000
        Gradient steps per ``fit`` (per call: a warm start trains ``steps`` more).
    layout : {"features", "steps"}, default="features"
        How a window is fed to the LSTM: ``"features"`` is the legacy
        ``(n, 1, window)`` (one time step of ``window`` features), ``"steps"`` is
        ``(n, window, 1)`` (one feature per time step).
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling and dropout through :func:`seeded`.
        An int gives identical predictions on refitting.
    verbose : int, default=0
        ``1`` shows a tqdm progress bar with the running loss on stderr during
        ``fit``; ``0`` is silent.
    warm_start : bool, default=False
        Continue training the fitted network for ``steps`` more steps instead
        of starting anew. ``hidden_size``, ``num_layers``, ``layout``, ``optimizer``
        and ``learning_rate`` must not change between the fits.

    Attributes
    ----------
    n_features_in_ : int
        Window length seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a pandas DataFrame with string column names.
    X_shape_ : tuple of int
        Shape of the training windows as fed to the network, e.g.
        ``(n_samples, 1, window)`` for ``layout="features"``.
    n_steps_ : int
        Gradient steps the network has taken in all (warm starts add up).

    Examples
    --------
    >>> from estimators import KerasLSTMRegressor, TF1LSTMRegressor
    >>> from estimators.sklearn_base import BaseLSTMRegressor
    >>> shared = set(BaseLSTMRegressor().get_params())
    >>> sorted(set(TF1LSTMRegressor().get_params()) - shared)
    ['model_dir']
    >>> sorted(set(KerasLSTMRegressor().get_params()) - shared)
    ['stateful']
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
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        warm_start: bool = False,
    ) -> None:
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.steps = steps
        self.layout = layout
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # -- scikit-learn API -----------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True  # windows in the estimator's layout
        return tags

    def fit(self, X: Any, y: Any) -> BaseLSTMRegressor:
        """Train the network on windows ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, window) or 3-D in ``layout``
            Input windows; a pandas DataFrame sets ``feature_names_in_``.
        y : array-like of shape (n_samples,) or (n_samples, 1)
            Targets (a column vector is raveled with scikit-learn's
            ``DataConversionWarning``).

        Returns
        -------
        self
        """
        params = self._checked_params()
        warm = bool(self.warm_start) and hasattr(self, "n_steps_")
        if warm:
            self._check_warm_start(params)
        X2, y = self._validate_fit_data(X, y, params["layout"], reset=not warm)
        X3 = _to_layout(X2, params["layout"])
        seed = resolve_seed(self.random_state)
        with seeded(seed):
            self._fit_network(X3, y, params, seed=seed, warm=warm)
        self._fit_params = params
        self.X_shape_ = X3.shape
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict the value following each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, window) or 3-D in ``layout``

        Returns
        -------
        ndarray of shape (n_samples,), float32
        """
        return self._predict_network(self._prediction_windows(X))

    def forecast(self, history: Any, steps: int) -> np.ndarray:
        """Forecast ``steps`` values recursively after the end of ``history``.

        The first prediction is made from the last ``n_features_in_`` values of
        ``history``; each prediction is then appended and the window slides on,
        so later steps are fed the model's own outputs. ``history`` must be in
        the space the estimator was trained on (scale it as ``X`` was scaled).

        Parameters
        ----------
        history : array-like of shape (n,)
            A finite 1-D series with at least ``n_features_in_`` points.
        steps : int
            Number of values to forecast, >= 1.

        Returns
        -------
        ndarray of shape (steps,), float32
            ``forecast(history, 1)[0] == predict(history[-window:][None])[0]`` (for a
            stateful :class:`~estimators.KerasLSTMRegressor`, whose forecast continues
            the states training left: ``predict_in_order`` instead of ``predict``).
        """
        check_is_fitted(self)
        steps = check_int(steps, "steps", minimum=1)
        values = as_finite_1d(history, "history", dtype=np.float32)
        window = self.n_features_in_
        if len(values) < window:
            raise ValueError(
                f"`history` must have at least window = {window} points, got {len(values)}."
            )
        layout = self._fit_params["layout"]
        predict_one = self._forecast_step()

        def next_value(so_far: np.ndarray) -> float:
            window_values = so_far[-window:].reshape(1, window)
            return predict_one(_to_layout(window_values, layout))[0]

        return recursive_forecast(next_value, values[-window:], steps, dtype=np.float32)

    # -- for subclasses -------------------------------------------------------------------
    def _fit_network(
        self, X: np.ndarray, y: np.ndarray, params: dict[str, Any], *, seed: int | None, warm: bool
    ) -> None:
        """Train on ``X`` in layout shape; set the learned attributes, ``n_steps_`` included."""
        raise NotImplementedError

    def _predict_network(self, X: np.ndarray) -> np.ndarray:
        """Predictions of shape (n,) for ``X`` in layout shape."""
        raise NotImplementedError

    def _forecast_step(self) -> Callable[[np.ndarray], np.ndarray]:
        """What ``forecast`` calls on each window (layout shape, one row), in order.

        By default predict's own code path, one window at a time; a model whose
        forecast carries state from one window to the next returns a stateful step.
        """
        return self._predict_network

    def _extra_params(self) -> dict[str, Any]:
        """The subclass' own parameters, checked, to record with the fit."""
        return {}

    # -- helpers --------------------------------------------------------------------------
    def _checked_params(self) -> dict[str, Any]:
        """The hyperparameters, validated and normalised; ``self`` is left unchanged."""
        verbose = self.verbose
        if isinstance(verbose, bool):
            verbose = int(verbose)
        params = {
            "hidden_size": check_int(self.hidden_size, "hidden_size", minimum=1),
            "num_layers": check_int(self.num_layers, "num_layers", minimum=1),
            "learning_rate": check_learning_rate(self.learning_rate),
            "optimizer": check_optimizer(self.optimizer),
            "batch_size": check_int(self.batch_size, "batch_size", minimum=1),
            "steps": check_int(self.steps, "steps", minimum=1),
            "layout": check_choice(self.layout, "layout", LAYOUTS),
            "verbose": check_int(verbose, "verbose", minimum=0),
        }
        params.update(self._extra_params())
        return params

    def _prediction_windows(self, X: Any) -> np.ndarray:
        """``X`` checked against the fit (window length, names, finite) in layout shape."""
        check_is_fitted(self)
        layout = self._fit_params["layout"]
        _check_float32_range(X, "X")
        X2 = validate_data(
            self, _flatten_windows(X, layout), reset=False, dtype=np.float32, order="C"
        )
        return _to_layout(X2, layout)

    def _warm_start_fixed(self, params: dict[str, Any]) -> tuple[str, ...]:
        """Names of the parameters a warm start may not change (subclasses extend it)."""
        return WARM_START_FIXED

    def _check_warm_start(self, params: dict[str, Any]) -> None:
        previous = self._fit_params
        for name in self._warm_start_fixed(previous):
            if params[name] != previous[name]:
                raise ValueError(
                    f"`{name}` must stay {previous[name]!r} when warm_start=True continues "
                    f"the previous fit, got {params[name]!r}. Set warm_start=False to train "
                    "a new model."
                )

    def _validate_fit_data(
        self, X: Any, y: Any, layout: str, *, reset: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        _check_float32_range(X, "X")
        _check_float32_range(y, "y")
        X, y = validate_data(
            self,
            _flatten_windows(X, layout),
            y,
            reset=reset,
            dtype=np.float32,
            order="C",
            y_numeric=True,
        )
        return X, np.asarray(y, dtype=np.float32)


def _check_float32_range(values: Any, name: str) -> None:
    """Refuse finite values that float32 (the networks' dtype) would turn into inf."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):  # ragged or odd input: validate_data explains
        return
    if array.dtype.kind != "f" or array.dtype.itemsize <= 4:
        return
    limit = float(np.finfo(np.float32).max)
    too_big = np.isfinite(array) & (np.abs(array) > limit)
    if too_big.any():
        where = tuple(int(i) for i in np.argwhere(too_big)[0])
        raise ValueError(
            f"`{name}` must hold values within float32's range (|value| <= {limit:.4g}), got "
            f"{array[where]:g} at index {where if len(where) > 1 else where[0]}. Scale the "
            "data first."
        )


def _flatten_windows(X: Any, layout: str) -> Any:
    """3-D windows in ``layout`` as 2-D ``(n, window)``; anything else is returned as is.

    Going through 2-D lets scikit-learn's ``validate_data`` check the window
    length (``n_features_in_``), feature names, NaN and infinity the same way
    for both shapes.
    """
    if _ndim(X) != 3:
        return X
    X = np.asarray(X)
    n_samples, dim1, dim2 = X.shape
    if (layout == "features" and dim1 != 1) or (layout == "steps" and dim2 != 1):
        expected = "(n_samples, 1, window)" if layout == "features" else "(n_samples, window, 1)"
        other = "steps" if layout == "features" else "features"
        raise ValueError(
            f"`X` must have shape {expected} for layout={layout!r} (or be 2-D "
            f"(n_samples, window)), got {X.shape}. Pass layout={other!r} if that is "
            "your layout; one series (one feature per time step) only."
        )
    return X.reshape(n_samples, dim1 * dim2)


def _to_layout(X: np.ndarray, layout: str) -> np.ndarray:
    """``(n, window)`` windows as the network's 3-D input."""
    if layout == "features":
        return X[:, np.newaxis, :]
    return X[:, :, np.newaxis]
