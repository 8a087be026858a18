"""TF1LSTMRegressor, KerasLSTMRegressor and SlidingWindowTransformer with scikit-learn.

Tiny networks and few steps keep this fast; module-scoped fitted models are
shared by the tests that only read them.
"""

from __future__ import annotations

import gc
import os
import pickle
import random
import re
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from estimators import KerasLSTMRegressor, SlidingWindowTransformer, TF1LSTMRegressor
from tf_pipeline.datasets import load_airpassengers
from tf_pipeline.metrics import rmse
from tf_pipeline.windows import make_windows, train_test_split_series

WINDOW = 12
CLASSES = [TF1LSTMRegressor, KerasLSTMRegressor]
# Per path: a learning rate that trains in a few dozen steps.
FAST = {
    TF1LSTMRegressor: {"hidden_size": 4, "steps": 20, "random_state": 0},
    KerasLSTMRegressor: {"hidden_size": 4, "steps": 20, "learning_rate": 0.05, "random_state": 0},
}


def make(cls, **params):
    return cls(**{**FAST[cls], **params})


@pytest.fixture(scope="module")
def series():
    """AirPassengers, standardised (float32), so that tiny networks train quickly."""
    values = load_airpassengers().to_numpy()
    return ((values - values.mean()) / values.std()).astype(np.float32)


@pytest.fixture(scope="module")
def windows(series):
    X, y = make_windows(series, WINDOW, layout="flat")
    return np.array(X), np.array(y)


@pytest.fixture(scope="module", params=CLASSES, ids=lambda cls: cls.__name__)
def fitted(request, windows):
    """One fitted model per path; tests must not refit it."""
    X, y = windows
    return make(request.param).fit(X, y)


# -- real numbers: pipelines, target transform, grid search ------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_pipeline_with_scaler_and_transformed_target_learns_airpassengers(cls):
    X, y = make_windows(load_airpassengers(), WINDOW, layout="flat")
    X_train, X_test, y_train, y_test = train_test_split_series(X, y, test_size=24)
    model = TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), make(cls, hidden_size=8, steps=200)),
        transformer=StandardScaler(),
    )
    model.fit(X_train, y_train)
    predictions = model.predict(X_test)
    assert predictions.shape == (24,)
    # Thousands of passengers. Predicting the training mean scores 207 on the test
    # year; the trained models reach 8-10 (train) and 65-68 (test: the trend runs past
    # anything seen in training).
    assert rmse(y_train, model.predict(X_train)) < 20
    assert rmse(y_test, predictions) < 100
    assert rmse(y_test, predictions) < 0.5 * rmse(y_test, np.full_like(y_test, y_train.mean()))


@pytest.mark.slow
def test_grid_search_over_hidden_size_and_learning_rate(windows):
    X, y = windows
    search = GridSearchCV(
        TF1LSTMRegressor(steps=50, random_state=0),
        {"hidden_size": [2, 8], "learning_rate": [0.001, 0.3]},
        cv=TimeSeriesSplit(n_splits=3),
        n_jobs=2,
        scoring="neg_root_mean_squared_error",
    )
    search.fit(X, y)
    results = search.cv_results_
    scores = results["mean_test_score"]
    assert len(scores) == 4 and np.isfinite(scores).all()
    # 50 Adagrad steps at 0.001 barely move the weights: both such candidates lose.
    fast = np.asarray(results["param_learning_rate"]) == 0.3
    assert set(results["rank_test_score"][fast]) == {1, 2}
    assert search.best_params_["learning_rate"] == 0.3
    assert search.best_score_ == scores.max()
    assert -0.8 < search.best_score_ < 0  # RMSE in standard deviations of the series
    check_is_fitted(search.best_estimator_)
    assert search.predict(X).shape == y.shape


def test_window_transformer_in_a_pipeline_with_its_targets(series):
    column = series.reshape(-1, 1)
    _, y = SlidingWindowTransformer(window=WINDOW).make_xy(column)
    model = make_pipeline(
        StandardScaler(),
        SlidingWindowTransformer(window=WINDOW),
        make(KerasLSTMRegressor, steps=100),
    )
    model.fit(column, y)
    predictions = model.predict(column)
    assert predictions.shape == y.shape == (len(series) - WINDOW,)
    assert rmse(y, predictions) < 0.3  # about 0.15; the series has standard deviation 1


# -- the estimator contract --------------------------------------------------------------


def test_clone_is_an_unfitted_copy_with_the_same_parameters(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    assert not hasattr(copy, "n_features_in_")


def test_pickle_round_trip_predicts_identically(fitted, windows):
    X, y = windows
    expected = fitted.predict(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), expected)
    assert restored.n_features_in_ == WINDOW and restored.n_steps_ == fitted.n_steps_
    # The pickle carries the optimizer state too: a warm start continues the count.
    restored.set_params(warm_start=True, steps=2).fit(X, y)
    assert restored.n_steps_ == fitted.n_steps_ + 2
    np.testing.assert_array_equal(fitted.predict(X), expected)  # the original is untouched


def test_joblib_round_trip_predicts_identically(fitted, windows, tmp_path):
    X, _ = windows
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    np.testing.assert_array_equal(joblib.load(path).predict(X), fitted.predict(X))


def test_pickle_holds_no_session_graph_or_model_object(fitted):
    state = fitted.__getstate__()
    assert "estimator_" not in state and "model_" not in state and "_predictor" not in state
    if isinstance(fitted, TF1LSTMRegressor):
        prefix = f"model.ckpt-{fitted.n_steps_}"
        assert sorted(state["_checkpoint_files"]) == [
            "input_signature.json",
            f"{prefix}.data-00000-of-00001",
            f"{prefix}.index",
        ]
    else:
        assert state["_model_bytes"][:2] == b"PK"  # a .keras (zip) archive


def test_unfitted_estimators_pickle():
    for cls in CLASSES:
        estimator = pickle.loads(pickle.dumps(cls(hidden_size=3)))
        assert estimator.get_params() == cls(hidden_size=3).get_params()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_predict_and_forecast_before_fit_are_not_fitted_errors(cls, series):
    with pytest.raises(NotFittedError):
        cls().predict(np.zeros((2, WINDOW)))
    with pytest.raises(NotFittedError):
        cls().forecast(series, 3)


def test_same_random_state_gives_identical_predictions(fitted, windows):
    X, y = windows
    cls = type(fitted)
    random.seed(123)
    np.random.seed(123)
    expected_draws = (random.random(), np.random.rand())
    random.seed(123)
    np.random.seed(123)
    refit = make(cls).fit(X, y)
    # Seeding goes through a helper that puts Python's and NumPy's global state back.
    assert (random.random(), np.random.rand()) == expected_draws
    np.testing.assert_array_equal(refit.predict(X), fitted.predict(X))
    assert not np.array_equal(make(cls, random_state=1).fit(X, y).predict(X), fitted.predict(X))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_fit_does_not_modify_callers_data(cls, windows):
    X, y = windows
    X_frame = pd.DataFrame(X.copy(), columns=[f"lag_{k}" for k in range(WINDOW, 0, -1)])
    y_column = y.astype(np.float64).reshape(-1, 1)  # another dtype and shape: converted
    before = (X_frame.copy(), y_column.copy())
    with pytest.warns(DataConversionWarning):
        make(cls, steps=2).fit(X_frame, y_column)
    pd.testing.assert_frame_equal(X_frame, before[0])
    np.testing.assert_array_equal(y_column, before[1])


# -- forecast ------------------------------------------------------------------------------


def test_forecast_is_recursive_and_its_first_step_is_predict_on_the_last_window(fitted, series):
    forecast = fitted.forecast(series, steps=3)
    assert forecast.shape == (3,) and forecast.dtype == np.float32
    window = series[-WINDOW:].copy()
    for value in forecast:
        # Each step is predict() on the window that ends with the previous forecasts.
        np.testing.assert_array_equal(fitted.predict(window[np.newaxis]), [value])
        window = np.append(window[1:], value)
    np.testing.assert_array_equal(fitted.forecast(series, 1), forecast[:1])


def test_forecast_argument_errors(fitted, series):
    with pytest.raises(ValueError, match=re.escape("`steps` must be an int >= 1, got 0.")):
        fitted.forecast(series, 0)
    with pytest.raises(
        ValueError, match=re.escape("`history` must have at least window = 12 points, got 5.")
    ):
        fitted.forecast(series[:5], 2)
    with pytest.raises(ValueError, match=re.escape("`history` must hold only finite values")):
        fitted.forecast(np.r_[series, np.nan], 2)


# -- validation --------------------------------------------------------------------------


def test_wrong_window_length_nan_and_inf_are_value_errors(fitted, windows):
    X, _ = windows
    name = type(fitted).__name__
    message = f"X has 10 features, but {name} is expecting 12 features as input."
    with pytest.raises(ValueError, match=re.escape(message)):
        fitted.predict(X[:, :10])
    with pytest.raises(ValueError, match=re.escape(message)):
        fitted.predict(X[:, np.newaxis, :10])  # 3-D input is checked the same way
    bad = X[:3].copy()
    bad[1, 4] = np.nan
    with pytest.raises(ValueError, match=re.escape("Input X contains NaN.")):
        fitted.predict(bad)
    bad[1, 4] = np.inf
    with pytest.raises(ValueError, match=re.escape("Input X contains infinity")):
        fitted.predict(bad)


def test_3d_input_in_the_other_layout_is_a_value_error(fitted, windows):
    X, _ = windows
    message = (
        "`X` must have shape (n_samples, 1, window) for layout='features' (or be 2-D "
        "(n_samples, window)), got (132, 12, 1). Pass layout='steps' if that is your layout"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        fitted.predict(X[:, :, np.newaxis])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"hidden_size": 0}, ValueError, "`hidden_size` must be an int >= 1, got 0."),
        ({"steps": 0}, ValueError, "`steps` must be an int >= 1, got 0."),
        ({"batch_size": 2.5}, TypeError, "`batch_size` must be an int, got 2.5 (float)."),
        ({"learning_rate": 0}, ValueError, "`learning_rate` must be > 0, got 0."),
        (
            {"optimizer": "adadelta"},
            ValueError,
            "`optimizer` must be one of 'adam', 'adagrad', 'sgd', 'rmsprop', got 'adadelta'.",
        ),
        ({"layout": "flat"}, ValueError, "`layout` must be one of 'features', 'steps', got"),
        ({"random_state": -1}, ValueError, "`random_state` must be an int in [0, 2147483647]"),
    ],
)
def test_invalid_parameters_are_reported_at_fit(cls, params, error, message):
    estimator = cls(**params)  # __init__ only stores
    with pytest.raises(error, match=re.escape(message)):
        estimator.fit(np.zeros((4, 3)), np.zeros(4))


def test_feature_names_in_with_a_dataframe(windows):
    X, y = windows
    columns = [f"lag_{k}" for k in range(WINDOW, 0, -1)]
    frame = pd.DataFrame(X, columns=columns)
    model = make(KerasLSTMRegressor, steps=2).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, columns)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        from_array = model.predict(X)
    np.testing.assert_array_equal(model.predict(frame), from_array)
    with pytest.raises(ValueError, match="The feature names should match those"):
        model.predict(frame.rename(columns={"lag_1": "last"}))
    plain = make(KerasLSTMRegressor, steps=2).fit(X, y)
    assert not hasattr(plain, "feature_names_in_")


def test_layouts_and_3d_input(windows):
    X, y = windows
    features = make(TF1LSTMRegressor, steps=5).fit(X[:, np.newaxis, :], y)
    assert features.X_shape_ == (132, 1, WINDOW) and features.n_features_in_ == WINDOW
    np.testing.assert_array_equal(features.predict(X), features.predict(X[:, np.newaxis, :]))
    steps = make(KerasLSTMRegressor, steps=5, layout="steps").fit(X, y)
    assert steps.X_shape_ == (132, WINDOW, 1) and steps.n_features_in_ == WINDOW
    assert steps.model_.input_shape == (None, WINDOW, 1)
    np.testing.assert_array_equal(steps.predict(X), steps.predict(X[:, :, np.newaxis]))


def test_tags_use_the_current_api():
    for cls in CLASSES:
        tags = get_tags(cls())
        assert tags.estimator_type == "regressor" and tags.input_tags.three_d_array
        assert not hasattr(cls, "_more_tags")
    assert get_tags(SlidingWindowTransformer()).requires_fit is False


# -- verbose -------------------------------------------------------------------------------


def test_verbose_shows_a_tqdm_bar_with_the_loss_and_default_is_quiet(
    fitted, windows, capsys, monkeypatch
):
    X, y = windows
    cls = type(fitted)  # fitted already: TensorFlow's one-time notices are out of the way
    capsys.readouterr()
    make(cls, steps=3).fit(X, y)
    assert capsys.readouterr() == ("", "")
    # stderr is not a terminal here (a log file, say): no bar even with verbose=1.
    make(cls, steps=3, verbose=1).fit(X, y)
    assert capsys.readouterr() == ("", "")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    make(cls, steps=3, verbose=1).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert cls.__name__ in captured.err and "3/3" in captured.err
    assert re.search(r"loss=\d", captured.err)


# -- training length and warm start ----------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_warm_start_continues_training(cls, windows):
    X, y = windows  # 132 windows, batch 32: 5 batches per epoch (the last one of 4 rows)
    model = make(cls, steps=7).fit(X, y)
    assert model.n_steps_ == 7  # exactly `steps` gradient steps on both paths
    if cls is KerasLSTMRegressor:
        assert len(model.history_["loss"]) == 2  # ceil(7 / 5) epochs, the last cut short
    before = model.predict(X)
    model.set_params(warm_start=True).fit(X, y)
    assert model.n_steps_ == 14
    assert not np.array_equal(model.predict(X), before)
    message = (
        "`hidden_size` must stay 4 when warm_start=True continues the previous fit, got 8. "
        "Set warm_start=False to train a new model."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        model.set_params(hidden_size=8).fit(X, y)
    with pytest.raises(ValueError, match="X has 10 features, but"):
        model.set_params(hidden_size=4).fit(X[:, :10], y)
    model.set_params(warm_start=False).fit(X, y)
    assert model.n_steps_ == 7


def test_tf1_temporary_model_dir_is_owned_and_removed(windows):
    X, y = windows
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a plain fit warns about nothing
        warnings.simplefilter("error", DataConversionWarning)
        model = make(TF1LSTMRegressor, steps=2).fit(X, y)
    first = model.model_dir_
    assert os.path.isfile(os.path.join(first, "checkpoint"))
    model.fit(X, y)  # a cold refit trains in a new directory and drops the old one
    second = model.model_dir_
    assert second != first and not os.path.exists(first)
    copy = pickle.loads(pickle.dumps(model))
    assert copy.model_dir_ not in (first, second)
    expected = model.predict(X)
    del model
    gc.collect()
    assert not os.path.exists(second)
    np.testing.assert_array_equal(copy.predict(X), expected)  # the copy has its own files


def test_tf1_user_model_dir_is_resumed_only_with_warm_start(windows, tmp_path):
    X, y = windows
    model_dir = str(tmp_path / "run")
    make(TF1LSTMRegressor, steps=3, model_dir=model_dir).fit(X, y)
    again = make(TF1LSTMRegressor, steps=3, model_dir=model_dir)
    message = (
        f"`model_dir` {model_dir!r} already holds a checkpoint (model.ckpt-3), which a fit "
        "with warm_start=False would have to overwrite."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        again.fit(X, y)
    resumed = again.set_params(warm_start=True).fit(X, y)
    assert resumed.n_steps_ == 6 and resumed.model_dir_ == model_dir


# -- stateful Keras ------------------------------------------------------------------------


def test_keras_stateful_trains_in_whole_batches_and_predicts_any_rows(windows, series):
    X, y = windows
    model = make(KerasLSTMRegressor, stateful=True, batch_size=8, steps=20)
    with pytest.warns(UserWarning, match="Dropped the 4 oldest of 132 samples"):
        model.fit(X, y)
    assert model.n_steps_ == 20
    assert model.model_.layers[1].stateful
    full = model.predict(X)
    # Each window is predicted on its own (stateless twin): any count, any order.
    np.testing.assert_allclose(model.predict(X[5:8]), full[5:8], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(model.predict(X[::-1]), full[::-1], rtol=1e-6, atol=1e-6)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), full)
    assert model.forecast(series, 2).shape == (2,)
    message = "`stateful` must stay True when warm_start=True continues the previous fit"
    with pytest.raises(ValueError, match=re.escape(message)):
        model.set_params(warm_start=True, stateful=False).fit(X, y)


# -- SlidingWindowTransformer --------------------------------------------------------------


def test_window_transformer_written_out():
    X, y = SlidingWindowTransformer(window=3, horizon=2).make_xy(np.arange(10))
    np.testing.assert_array_equal(
        X, [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6], [5, 6, 7]]
    )
    np.testing.assert_array_equal(y, [4, 5, 6, 7, 8, 9])
    assert X.dtype == np.float32 and X.flags.writeable
    np.testing.assert_array_equal(SlidingWindowTransformer(3, 2).fit_transform(np.arange(10)), X)
    names = SlidingWindowTransformer(window=3, horizon=2).get_feature_names_out()
    assert names.tolist() == ["lag_4", "lag_3", "lag_2"]


def test_window_transformer_inputs_and_layouts():
    series = pd.Series(np.arange(8.0))
    flat = SlidingWindowTransformer(window=3).transform(series)
    np.testing.assert_array_equal(
        SlidingWindowTransformer(window=3).transform(series.to_frame()), flat
    )
    assert SlidingWindowTransformer(window=3, layout="features").transform(series).shape == (
        5,
        1,
        3,
    )
    assert SlidingWindowTransformer(window=3, layout="steps").transform(series).shape == (5, 3, 1)
    message = "`X` must be one series, of shape (n,) or (n, 1), got shape (8, 2)."
    with pytest.raises(ValueError, match=re.escape(message)):
        SlidingWindowTransformer(window=3).fit(np.zeros((8, 2)))
    with pytest.raises(ValueError, match=re.escape("`window` must be an int >= 1, got 0.")):
        SlidingWindowTransformer(window=0).transform(series)
    clone(SlidingWindowTransformer(window=5))  # a valid scikit-learn estimator
