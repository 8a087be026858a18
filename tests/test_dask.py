"""Scale-out on a real dask.distributed cluster gives the numbers of the in-process run.

One LocalCluster (2 worker processes, 1 thread each, 127.0.0.1) serves the module;
tests compare what the cluster computes with what this process computes, exactly.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

pytest.importorskip(
    "distributed", reason="dask.distributed is not installed: pip install '.[dask]'"
)

from distributed import Client, get_task_stream  # noqa: E402

from estimators import KerasLSTMRegressor, TF1LSTMRegressor  # noqa: E402
from estimators.many_series import fit_many, forecast_many  # noqa: E402
from tf_pipeline.parallel import WORKER_ENV, start_local_cluster, worker_env  # noqa: E402

pytestmark = pytest.mark.slow

# Few and small: each fit costs ~1 s of TensorFlow set-up whatever its steps.
SERIES = {f"s{k}": 20 + 5 * k + np.sin(np.arange(48) / (2 + k)) * (1 + k) for k in range(3)}
MANY_MODEL = KerasLSTMRegressor(hidden_size=3, steps=10, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def client():
    with start_local_cluster(2) as cluster, Client(cluster) as dask_client:
        dask_client.wait_for_workers(2)
        yield dask_client


@pytest.fixture(scope="module")
def local_many():
    """The sequential loop's result (no joblib backend active): the reference."""
    return fit_many(MANY_MODEL, SERIES, window=6, test_size=6)


def _windows():
    series = np.sin(np.arange(70) / 4).astype(np.float32)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 6)
    return X, series[6:]


def _worker_env():
    return {name: os.environ.get(name) for name in WORKER_ENV}


def test_workers_run_single_threaded_on_localhost(client):
    envs = client.run(_worker_env)
    assert len(envs) == 2
    assert all(env == worker_env() for env in envs.values())
    assert all(address.startswith("tcp://127.0.0.1:") for address in envs)
    assert all(w["nthreads"] == 1 for w in client.scheduler_info()["workers"].values())


@pytest.mark.parametrize(
    "regressor",
    [
        TF1LSTMRegressor(hidden_size=3, steps=15, batch_size=16, random_state=0),
        KerasLSTMRegressor(hidden_size=3, steps=15, batch_size=16, random_state=0),
    ],
    ids=["tf1", "keras"],
)
def test_grid_search_on_dask_equals_in_process(client, regressor):
    X, y = _windows()
    grid = {"hidden_size": [2, 3]}
    search = GridSearchCV(
        regressor,
        grid,
        cv=TimeSeriesSplit(n_splits=2),
        scoring="neg_mean_squared_error",
        refit=False,
    )
    local = clone(search).fit(X, y)
    with get_task_stream(client) as stream, joblib.parallel_config("dask"):
        remote = clone(search).fit(X, y)
    assert len(stream.data) >= 4  # 2 candidates x 2 folds ran as tasks on the workers
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_


def test_cross_validate_tasks_on_dask_equal_the_loop(client):
    from tf_pipeline.datasets import load_airpassengers
    from tf_pipeline.tuning import QUICK_GRID, cross_validate

    train = load_airpassengers().to_numpy()[:-24]
    local = cross_validate(train, 20, 0, QUICK_GRID[:1], 2)
    with joblib.parallel_config("dask"):
        remote = cross_validate(train, 20, 0, QUICK_GRID[:1], 2)
    assert remote == local


def test_fit_many_on_dask_equals_the_loop(client, local_many):
    with joblib.parallel_config("dask"):
        remote = fit_many(MANY_MODEL, SERIES, window=6, test_size=6)
        remote_forecasts = forecast_many(remote, SERIES, steps=3)
    scores = ["rmse", "mae", "n_train"]
    np.testing.assert_array_equal(remote.scores()[scores], local_many.scores()[scores])
    local_forecasts = forecast_many(local_many, SERIES, steps=3)
    for key in SERIES:
        np.testing.assert_array_equal(remote_forecasts[key], local_forecasts[key])


def test_global_mode_on_dask_equals_in_process(client):
    model = TF1LSTMRegressor(hidden_size=3, steps=10, batch_size=16, random_state=0)
    local = fit_many(model, SERIES, window=6, test_size=6, mode="global")
    with joblib.parallel_config("dask"):
        remote = fit_many(model, SERIES, window=6, test_size=6, mode="global")
    np.testing.assert_array_equal(remote.scores()["rmse"], local.scores()["rmse"])
    assert len({id(m) for m in remote.models.values()}) == 1


def test_run_py_backend_dask_writes_its_report(client, tmp_path):
    import run

    argv = ["--quick", "--backend", "dask", "--scheduler", client.scheduler.address]
    argv += ["--models", "seasonal_naive", "tf1_legacy", "--out", str(tmp_path)]
    assert run.main(argv) == 0
    rows = json.loads((tmp_path / "report.json").read_text())["rows"]
    assert [row["name"] for row in rows] == ["seasonal_naive", "tf1_legacy"]
    assert (tmp_path / "report.md").exists()


def _scheduler_suspicious(dask_scheduler=None):
    """Tasks that were running on a worker when it died (the scheduler's own count)."""
    return sum(task.suspicious for task in dask_scheduler.tasks.values())


def test_killed_worker_task_is_retried_and_result_unchanged(client, local_many):
    out = {}

    def remote_fit():
        with joblib.parallel_config("dask"):
            out["scores"] = fit_many(MANY_MODEL, SERIES, window=6, test_size=6).scores()

    thread = threading.Thread(target=remote_fit)
    thread.start()
    killed = suspicious = 0
    deadline = time.monotonic() + 120
    # Kill a worker while it holds a task (SIGKILL: no clean shutdown); its nanny starts
    # a new one and the scheduler sends the lost tasks again.
    while thread.is_alive() and time.monotonic() < deadline:
        if not killed:
            busy = [address for address, keys in client.processing().items() if keys]
            if busy:
                pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed += 1
        else:  # the scheduler forgets finished tasks, so look while they run again
            suspicious = max(suspicious, client.run_on_scheduler(_scheduler_suspicious))
        time.sleep(0.02)
    thread.join(timeout=5)
    assert killed == 1 and not thread.is_alive()
    assert suspicious >= 1  # a task lost its worker and was sent again
    scores = ["rmse", "mae"]
    np.testing.assert_array_equal(out["scores"][scores], local_many.scores()[scores])


def test_run_py_backend_dask_starts_its_own_local_cluster(tmp_path, capsys):
    import run

    argv = ["--quick", "--backend", "dask", "--workers", "1", "--models", "seasonal_naive"]
    assert run.main([*argv, "--out", str(tmp_path)]) == 0
    assert "dask: 1 workers at tcp://127.0.0.1:" in capsys.readouterr().out
    assert json.loads((tmp_path / "report.json").read_text())["rows"][0]["name"] == (
        "seasonal_naive"
    )
