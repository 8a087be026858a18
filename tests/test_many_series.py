"""fit_many's inputs and errors, run_tasks without a backend, and run.py --id-column.

Fast: no cluster and no TensorFlow training here (tests/test_dask.py has those).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor

from estimators.many_series import as_series_dict, fit_many
from tf_pipeline.parallel import backend_context, run_tasks


def _pid_and_double(x):
    import os

    return os.getpid(), 2 * x


def test_run_tasks_without_a_backend_is_a_loop_in_this_process():
    import os

    assert run_tasks(_pid_and_double, [(1,), (2,), (3,)]) == [(os.getpid(), k) for k in (2, 4, 6)]


def test_backend_context_local_changes_nothing_and_checks_its_arguments():
    with backend_context("local") as client:
        assert client is None
    with pytest.raises(ValueError, match=re.escape("`backend` must be")):
        with backend_context("ray"):
            pass
    with pytest.raises(ValueError, match=re.escape("`scheduler` must be None")):
        with backend_context("local", "tcp://127.0.0.1:8786"):
            pass


def test_a_long_frame_and_a_dict_give_the_same_series():
    frame = pd.DataFrame({"id": ["b", "b", "a", "b", "a"], "y": [1.0, 2, 10, 3, 20]})
    assert list(as_series_dict(frame, id_column="id", value_column="y")) == ["b", "a"]
    np.testing.assert_array_equal(
        as_series_dict(frame, id_column="id", value_column="y")["b"], [1.0, 2.0, 3.0]
    )
    with pytest.raises(ValueError, match=re.escape("`id_column` must name a column")):
        as_series_dict(frame, id_column="store", value_column="y")
    with pytest.raises(TypeError, match=re.escape("`series` must be a mapping")):
        as_series_dict([1.0, 2.0])


def test_fit_many_with_a_scikit_learn_regressor_scores_every_series():
    # DummyRegressor predicts the training mean: the score is checkable by hand.
    values = np.arange(20, dtype=float)
    fitted = fit_many(DummyRegressor(), {"a": values, "b": 2 * values}, window=3, test_size=4)
    train_targets = values[3:16]  # targets of the training windows, scaled then unscaled
    expected = np.sqrt(np.mean((values[16:] - train_targets.mean()) ** 2))
    assert fitted.scores().loc["a", "rmse"] == pytest.approx(expected)
    assert fitted.scores().loc["b", "rmse"] == pytest.approx(2 * expected)
    assert fitted.scores()["n_train"].tolist() == [16, 16]
    pooled = fit_many(DummyRegressor(), {"a": values, "b": 2 * values}, window=3, mode="global")
    assert pooled.models["a"] is pooled.models["b"]


def test_fit_many_does_not_modify_the_callers_series():
    values = np.arange(20, dtype=float)
    series = {"a": values}
    fit_many(DummyRegressor(), series, window=3, test_size=4)
    np.testing.assert_array_equal(series["a"], np.arange(20, dtype=float))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": 0}, "`window` must be an int >= 1, got 0."),
        ({"window": 3, "mode": "pooled"}, "`mode` must be"),
        ({"window": 8, "test_size": 8}, "`series` 'a' must have at least"),
    ],
)
def test_fit_many_errors(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fit_many(DummyRegressor(), {"a": np.arange(12.0)}, **kwargs)


def test_run_py_id_column_writes_one_report_for_every_series(tmp_path):
    import run

    t = np.arange(72)
    frame = pd.concat(
        pd.DataFrame({"store": name, "sales": level + 10 * np.sin(t * np.pi / 6) + t})
        for name, level in (("north", 100), ("south", 300))
    )
    path = tmp_path / "long.csv"
    frame.to_csv(path, index=False)
    argv = ["--csv", str(path), "--id-column", "store", "--column", "sales", "--quick"]
    argv += ["--models", "seasonal_naive", "--test-size", "12", "--out", str(tmp_path / "r")]
    assert run.main(argv) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["n_series"] == 2 and list(report["series"]) == ["north", "south"]
    assert report["summary"][0]["wins"] == 2
    markdown = (tmp_path / "r" / "report.md").read_text()
    assert "| north | seasonal naive |" in markdown and "| south | seasonal naive |" in markdown


def test_run_py_scheduler_needs_the_dask_backend(capsys):
    import run

    assert run.main(["--scheduler", "tcp://127.0.0.1:8786", "--quick"]) == 2
    assert "`--scheduler` needs `--backend dask`" in capsys.readouterr().err
