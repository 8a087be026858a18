"""One series as the window models see it: min-max scaled on its training part, in windows."""

from __future__ import annotations

import numpy as np

from tf_pipeline.comparison.settings import WINDOW
from tf_pipeline.scaling import fit_series_scaler, inverse_transform_series, transform_series
from tf_pipeline.windows import make_windows

__all__ = ["ScaledWindows"]


class ScaledWindows:
    """A series split into training and test parts, scaled and cut into 12-month windows.

    The scaler is fitted on the training part only; every row sees the same data.

    Parameters
    ----------
    values : numpy.ndarray of shape (n,)
        The whole series (float64).
    test_size : int
        The last values held out.

    Attributes
    ----------
    values, train : numpy.ndarray
        The series and its training part, unscaled (the classical rows use these).
    scaled : numpy.ndarray of float32
        The whole series scaled with the training part's scaler.
    scaled_train : numpy.ndarray of float32
        Its training part: the history a recursive forecast starts from.
    X_train, y_train : numpy.ndarray
        Windows ``(n, 1, WINDOW)`` (the legacy layout) and their next values, of the
        training part.
    X_test : numpy.ndarray
        For each test month, the window of actual months before it (one step ahead).
    """

    def __init__(self, values: np.ndarray, test_size: int) -> None:
        self.values = values
        self.test_size = test_size
        self.train = values[:-test_size]
        self.scaler = fit_series_scaler(self.train)
        self.scaled = transform_series(self.scaler, values).astype(np.float32)
        self.scaled_train = self.scaled[: len(self.train)]
        X, y = make_windows(self.scaled, WINDOW, layout="features")
        self.X_train, self.y_train = np.asarray(X[:-test_size]), np.asarray(y[:-test_size])
        self.X_test = np.asarray(X[-test_size:])

    def unscale(self, values: np.ndarray) -> np.ndarray:
        """Scaled forecasts back on the series' own scale, as a 1-D array."""
        return inverse_transform_series(self.scaler, np.ravel(values))
