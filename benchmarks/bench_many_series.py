"""Benchmark: one LSTM per series for many series, on 1 vs 2 Dask worker processes.

python -m benchmarks.bench_many_series                  # 200 series of 144 points
python -m benchmarks.bench_many_series --series 40 --steps 100 --workers 1 2

Each configuration starts a fresh LocalCluster (single-threaded worker processes on
127.0.0.1, see :func:`tf_pipeline.parallel.start_local_cluster`), warms every worker
up (imports TensorFlow, fits one series) so start-up is not timed, then times
:func:`estimators.many_series.fit_many` over all series, and reads each worker's
resident memory (RSS) afterwards. The load average of the machine is printed with
the timings: on a shared machine, other processes take cores from the workers.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def make_series(n_series: int, length: int = 144, seed: int = 0) -> dict[str, np.ndarray]:
    """Monthly series: a level, a trend, a yearly season and noise, different per series."""
    rng = np.random.RandomState(seed)
    t = np.arange(length)
    out = {}
    for k in range(n_series):
        level, trend, season = rng.uniform(50, 500), rng.uniform(0, 2), rng.uniform(5, 50)
        noise = rng.normal(0, season / 5, length)
        out[f"series_{k:04d}"] = level + trend * t + season * np.sin(2 * np.pi * t / 12) + noise
    return out


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _warm_up() -> int:
    """Import TensorFlow and fit one tiny model in this worker; return its pid."""
    from tf_pipeline.estimators import KerasLSTMRegressor

    X = np.random.RandomState(0).rand(32, 12).astype(np.float32)
    KerasLSTMRegressor(hidden_size=4, steps=2, random_state=0).fit(X, X.mean(1))
    return os.getpid()


def run_config(series: dict, n_workers: int, steps: int) -> dict:
    import joblib
    from distributed import Client

    from tf_pipeline.estimators import KerasLSTMRegressor
    from tf_pipeline.estimators.many_series import fit_many
    from tf_pipeline.parallel import start_local_cluster

    model = KerasLSTMRegressor(hidden_size=8, steps=steps, batch_size=32, random_state=0)
    with start_local_cluster(n_workers) as cluster, Client(cluster) as client:
        client.wait_for_workers(n_workers)
        client.run(_warm_up)
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        with joblib.parallel_config("dask"):
            fitted = fit_many(model, series, window=12, test_size=12)
        seconds = time.perf_counter() - start
        rss = client.run(_rss)
    return {
        "workers": n_workers,
        "series": len(series),
        "seconds": seconds,
        "series_per_second": len(series) / seconds,
        "rss_mib_per_worker": [value / 2**20 for value in rss.values()],
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "mean_rmse": float(fitted.scores()["rmse"].mean()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--length", type=int, default=144)
    parser.add_argument("--steps", type=int, default=200, help="gradient steps per series")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    series = make_series(args.series, args.length)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the benchmark")
    results = []
    for n_workers in args.workers:
        result = run_config(series, n_workers, args.steps)
        results.append(result)
        rss = ", ".join(f"{value:.0f}" for value in result["rss_mib_per_worker"])
        print(
            f"{n_workers} workers: {args.series} series in {result['seconds']:.1f} s "
            f"({result['series_per_second']:.2f} series/s), RSS per worker {rss} MiB, "
            f"load {result['load_before']:.1f} -> {result['load_after']:.1f}, "
            f"mean RMSE {result['mean_rmse']:.2f}"
        )
    base = results[0]
    for result in results[1:]:
        speedup = base["seconds"] / result["seconds"]
        print(f"speed-up {base['workers']} -> {result['workers']} workers: {speedup:.2f}x")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
