"""How the comparison runs: the series' fixed shape and each model's training length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["SEASON", "WINDOW", "ComparisonSettings"]

SEASON = 12
"""Months in a season: the seasonal baselines' period and the MASE's naive lag."""
WINDOW = 12
"""Months in a window: the input of the window models (the legacy pipeline's)."""


@dataclass
class ComparisonSettings:
    """How long each model trains; the defaults are the legacy configuration.

    Attributes
    ----------
    test_size : int
        The last values held out and forecast.
    tf1_steps, keras_steps : int
        Gradient steps of the TF1 legacy and the Keras LSTM rows.
    stateful_epochs : int
        Passes over the training windows of the stateful row.
    batch_size, hidden_size, learning_rate : int, int, float
        The legacy network and optimizer (Adagrad) of the three LSTM rows.
    stateful_batch_size : int
        The stateful row's fixed batch size (its number of state lanes).
    tuned_steps : int
        Gradient steps of each fit of the tuned row (its CV candidates and refits).
    tuned_quick : bool
        The tuned row's small grid and two CV splits.
    seeds : tuple of int
        Seeds of the seeded rows (a row's scores are their means).
    progress : bool
        Progress bars for the neural rows (shown only when stderr is a terminal).
    """

    test_size: int = 24
    tf1_steps: int = 10_000
    keras_steps: int = 10_000
    stateful_epochs: int = 200
    batch_size: int = 32
    hidden_size: int = 40
    learning_rate: float = 0.6
    stateful_batch_size: int = 12
    tuned_steps: int = 1_000
    tuned_quick: bool = False
    seeds: tuple[int, ...] = (0,)
    progress: bool = True

    @classmethod
    def quick(cls, **overrides: Any) -> ComparisonSettings:
        """A smoke-test setting: every model, a few hundred steps."""
        values = dict(
            tf1_steps=300, keras_steps=300, stateful_epochs=10, tuned_steps=200, tuned_quick=True
        )
        values.update(overrides)
        return cls(**values)
