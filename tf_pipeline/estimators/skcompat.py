"""``SKCompat``: the scikit-learn-looking wrapper of TF 1.x ``tf.contrib.learn``.

Example
-------
>>> import numpy as np
>>> from estimators import Estimator, RunConfig, SKCompat
>>> from tf_pipeline.models import lstm_model
>>> x = np.random.RandomState(0).rand(40, 1, 12).astype(np.float32)
>>> y = x.mean(axis=2)
>>> regressor = SKCompat(Estimator(lstm_model, config=RunConfig(tf_random_seed=0)))
>>> regressor.fit(x, y, batch_size=8, steps=10).predict(x).shape
(40,)
"""

from __future__ import annotations

from typing import Any

from tf_pipeline.estimators.estimator import Estimator


class SKCompat:
    """``fit(x, y)``/``predict(x)``/``score(x, y)`` over an :class:`Estimator`.

    Parameters
    ----------
    estimator : Estimator
    """

    def __init__(self, estimator: Estimator) -> None:
        if not isinstance(estimator, Estimator):
            raise TypeError(f"`estimator` must be an Estimator, got {type(estimator).__name__}.")
        self._estimator = estimator

    @property
    def estimator(self) -> Estimator:
        return self._estimator

    def fit(
        self,
        x: Any,
        y: Any,
        batch_size: int = 128,
        steps: int | None = None,
        max_steps: int | None = None,
        monitors: list | None = None,
    ) -> SKCompat:
        """Train on batches drawn as TF1's DataFeeder drew them; returns self."""
        self._estimator.fit(
            x=x, y=y, batch_size=batch_size, steps=steps, max_steps=max_steps, monitors=monitors
        )
        return self

    def score(
        self, x: Any, y: Any, batch_size: int = 128, steps: int | None = None
    ) -> dict[str, Any]:
        """Evaluate in order; returns TF1's dict (``loss``, ``global_step``), not a float."""
        return self._estimator.evaluate(x=x, y=y, batch_size=batch_size, steps=steps)

    def predict(self, x: Any, batch_size: int = 128, outputs: list[str] | None = None) -> Any:
        """Predictions in input order: one array, or a dict of arrays for dict predictions."""
        return self._estimator.predict(
            x=x, batch_size=batch_size, outputs=outputs, as_iterable=False
        )
