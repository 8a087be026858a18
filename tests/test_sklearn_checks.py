"""scikit-learn's estimator checks on both LSTM regressors (tiny networks, few steps).

Both pass every check, so nothing is listed in ``expected_failed_checks``. The
settings are tiny for speed, yet large enough for ``check_regressors_train``
(R^2 > 0.5 on its 200-sample data set), so no ``poor_score`` tag is needed.
"""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from estimators import KerasLSTMRegressor, TF1LSTMRegressor

ESTIMATORS = [
    # Legacy defaults (Adagrad at 0.6): 5 steps already reach R^2 ~0.69 on the checks' data.
    TF1LSTMRegressor(hidden_size=4, steps=5, random_state=0),
    # Adam needs more, larger steps (R^2 ~0.68). Batches of 16 mean fewer, cheaper Keras
    # epochs on the checks' 20-30 sample data sets: each epoch costs a data pipeline.
    KerasLSTMRegressor(hidden_size=4, steps=30, batch_size=16, learning_rate=0.05, random_state=0),
]


@pytest.mark.slow
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
