"""``SlidingWindowTransformer``: a series into model-ready windows, as a Pipeline step.

A scikit-learn transformer cannot change ``y``, so the targets come from
:meth:`SlidingWindowTransformer.make_xy` (the same windows and their targets,
from :func:`tf_pipeline.windows.make_windows`). ``transform`` returns exactly
the windows that have a target, so ``transform(series)`` and
``make_xy(series)[1]`` line up row for row and can go into ``Pipeline.fit``.

Example
-------
>>> import numpy as np
>>> from estimators import SlidingWindowTransformer
>>> windows = SlidingWindowTransformer(window=3)
>>> X, y = windows.make_xy(np.arange(6))
>>> X.tolist(), y.tolist()
([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]], [3.0, 4.0, 5.0])
>>> windows.fit_transform(np.arange(6)).shape
(3, 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from tf_pipeline._checks import check_choice, check_int
from tf_pipeline.windows import LAYOUTS, make_windows


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Cut a 1-D series into sliding windows (the inputs of a one-step-ahead model).

    Window ``i`` is ``series[i : i + window]``; its target,
    ``series[i + window + horizon - 1]``, comes from :meth:`make_xy`. Only
    windows that have a target are returned, ``len(series) - window - horizon + 1``
    of them, in float32 (a writable copy, not a view of the series).

    Stateless: ``fit`` only checks its input, and ``transform`` works unfitted.

    Parameters
    ----------
    window : int, default=12
        Points per window, >= 1.
    horizon : int, default=1
        How far past the window the target lies, >= 1.
    layout : {"flat", "features", "steps"}, default="flat"
        ``"flat"``: ``(n_windows, window)``, for scikit-learn scalers and the
        LSTM regressors alike; ``"features"``: ``(n_windows, 1, window)``;
        ``"steps"``: ``(n_windows, window, 1)``.

    Attributes
    ----------
    n_features_in_ : int
        Always 1: one series (set by ``fit``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from estimators import KerasLSTMRegressor, SlidingWindowTransformer
    >>> series = np.sin(np.arange(60) / 4).reshape(-1, 1)  # one column
    >>> _, y = SlidingWindowTransformer(window=8).make_xy(series)
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     SlidingWindowTransformer(window=8),
    ...     KerasLSTMRegressor(hidden_size=4, steps=20, random_state=0),
    ... )
    >>> model.fit(series, y).predict(series).shape
    (52,)
    """

    def __init__(self, window: int = 12, horizon: int = 1, layout: str = "flat") -> None:
        self.window = window
        self.horizon = horizon
        self.layout = layout

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.one_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def fit(self, X: Any, y: Any = None) -> SlidingWindowTransformer:
        """Check the parameters and the series; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n,) or (n, 1)
            The series.
        y : ignored

        Returns
        -------
        self
        """
        self.make_xy(X)
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The windows of ``X`` that have a target.

        Parameters
        ----------
        X : array-like of shape (n,) or (n, 1)

        Returns
        -------
        ndarray of shape (n - window - horizon + 1, window), or 3-D in ``layout``
        """
        return self.make_xy(X)[0]

    def make_xy(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """The windows and their targets: use the targets as ``y`` of ``Pipeline.fit``.

        Parameters
        ----------
        X : array-like of shape (n,) or (n, 1)
            A finite series (list, array, pandas Series or one-column DataFrame).

        Returns
        -------
        X_windows : ndarray
            What :meth:`transform` returns.
        y : ndarray of shape (n - window - horizon + 1,), float32
        """
        check_int(self.window, "window", minimum=1)
        check_int(self.horizon, "horizon", minimum=1)
        check_choice(self.layout, "layout", LAYOUTS)
        windows, targets = make_windows(
            _as_series(X), self.window, horizon=self.horizon, layout=self.layout
        )
        # Copies: make_windows returns read-only views, which some consumers write to.
        return np.array(windows), np.array(targets)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Column names, oldest first: ``lag_{window+horizon-1}`` ... ``lag_{horizon}``.

        ``lag_k`` is the value ``k`` steps before the target; ``input_features`` is ignored.
        """
        window = check_int(self.window, "window", minimum=1)
        horizon = check_int(self.horizon, "horizon", minimum=1)
        lags = range(window + horizon - 1, horizon - 1, -1)
        return np.asarray([f"lag_{lag}" for lag in lags], dtype=object)


def _as_series(X: Any) -> Any:
    """A one-column 2-D input as 1-D; refuse sparse, ragged and other-shaped input."""
    if sp.issparse(X):
        raise TypeError(
            f"`X` must be a dense series, got a sparse {type(X).__name__}. Pass "
            "`X.toarray()`: a series has no zeros to spare."
        )
    shape = getattr(X, "shape", None)
    if shape is None:
        try:
            X = np.asarray(X)
        except ValueError:  # NumPy refuses ragged nested lists
            raise ValueError(
                "`X` must be one series, of shape (n,) or (n, 1), got a ragged nested "
                "sequence (rows of different lengths)."
            ) from None
        shape = X.shape
    if len(shape) == 2:
        if shape[1] != 1:
            raise ValueError(
                f"`X` must be one series, of shape (n,) or (n, 1), got shape {tuple(shape)}. "
                "Window each column separately."
            )
        return np.asarray(X)[:, 0]
    if len(shape) > 2:
        raise ValueError(
            f"`X` must be one series, of shape (n,) or (n, 1), got shape {tuple(shape)}."
        )
    return X
