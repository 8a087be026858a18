"""The Holt–Winters baseline and its comparison row.

The reference RMSEs are the issue author's, computed independently with statsmodels'
``ExponentialSmoothing`` on AirPassengers (train: all but the last 24 months).
"""

import re

import numpy as np
import pytest

from tf_pipeline.baselines import (
    HOLT_WINTERS_VARIANTS,
    HoltWintersVariant,
    holt_winters,
    select_holt_winters,
)
from tf_pipeline.comparison import ComparisonSettings, run_comparison
from tf_pipeline.datasets import load_airpassengers
from tf_pipeline.metrics import rmse

VALUES = load_airpassengers().to_numpy().astype(np.float64)
ACTUAL = VALUES[-24:]


def test_additive_trend_multiplicative_season_matches_the_issue():
    one, multi = holt_winters(VALUES, 24, HoltWintersVariant("mul"))
    assert rmse(ACTUAL, one) == pytest.approx(14.90, abs=0.05)
    assert rmse(ACTUAL, multi) == pytest.approx(32.49, abs=0.05)


def test_damped_trend_on_the_log_series_matches_the_issue():
    _, multi = holt_winters(VALUES, 24, HoltWintersVariant("add", damped=True, log=True))
    assert rmse(ACTUAL, multi) == pytest.approx(28.27, abs=0.05)


def test_one_step_forecasts_keep_the_training_parameters():
    one, multi = holt_winters(VALUES, 24)
    # Both start from the end of the training part: the first test month agrees.
    assert one[0] == pytest.approx(multi[0], rel=1e-9)
    # Nothing is refitted on the test part: changing test month j only moves later
    # one-step forecasts, and never the recursive ones.
    changed = VALUES.copy()
    changed[-10] *= 3.0
    one_changed, multi_changed = holt_winters(changed, 24)
    np.testing.assert_allclose(one_changed[:-9], one[:-9], rtol=1e-12)
    assert not np.allclose(one_changed[-9:], one[-9:])
    np.testing.assert_allclose(multi_changed, multi, rtol=1e-12)


def test_selection_scores_both_horizons_on_the_training_holdout():
    # (The full candidate set is exercised by test_comparison_row; two keep this fast.)
    train = VALUES[:-24]
    candidates = (HoltWintersVariant("add", damped=True, log=True), HoltWintersVariant("mul"))
    best, scores = select_holt_winters(train, 24, variants=candidates)
    assert set(scores) == set(candidates)
    for variant, score in scores.items():
        one, multi = holt_winters(train, 24, variant)
        assert score == pytest.approx((rmse(train[-24:], one) + rmse(train[-24:], multi)) / 2)
    assert best == HoltWintersVariant("mul", damped=False, log=False)
    assert str(best) == "add trend, mul season"
    assert len(HOLT_WINTERS_VARIANTS) == 8


def test_a_series_with_zeros_only_tries_additive_variants():
    series = VALUES[:48] - VALUES[:48].min()  # one zero: no log, no multiplicative season
    best, scores = select_holt_winters(series, 12)
    assert scores and all(v.seasonal == "add" and not v.log for v in scores)
    with pytest.raises(ValueError, match=re.escape("`series` must be positive")):
        holt_winters(series, 12, HoltWintersVariant("mul"))


def test_input_errors():
    with pytest.raises(ValueError, match=re.escape("`series` must have at least")):
        holt_winters(VALUES[:30], 12)
    with pytest.raises(ValueError, match=re.escape("`n_test` must be")):
        holt_winters(VALUES, 0)


@pytest.mark.slow
def test_comparison_row():
    result = run_comparison(VALUES, ComparisonSettings(progress=False), models=["holt_winters"])
    (row,) = result.rows
    assert row.name == "holt_winters"
    assert row.note == "add trend, mul season, chosen on the training part"
    assert row.one_step["rmse"] == pytest.approx(14.90, abs=0.05)
    assert row.multi_step["rmse"] == pytest.approx(32.49, abs=0.05)
