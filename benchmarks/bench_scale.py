"""How training and prediction time and peak memory grow with the series length.

For each size (default 10^4, 10^5, 10^6 points) and each path (TF1 Estimator with the
XLA loop; Keras with ``train_steps``) a fresh subprocess makes windows of 48 (zero-copy
views), trains 1,000 steps at batch 32, predicts every window in batches, and reports
its own wall times and peak resident memory (``ru_maxrss``). Run:
``python -m benchmarks.bench_scale [--sizes 10000 100000 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WINDOW = 48
PREDICT_BATCH = 8192


def _series(points: int) -> np.ndarray:
    rng = np.random.RandomState(0)
    t = np.arange(points, dtype=np.float32)
    return (np.sin(t / 50.0) + 0.1 * rng.standard_normal(points)).astype(np.float32)


def measure(points: int, path: str, steps: int) -> dict[str, float]:
    """Run in the child: train and predict, return times and peak RSS."""
    from tf_pipeline.windows import make_windows

    X, y = make_windows(_series(points), window=WINDOW, layout="features")
    start = time.perf_counter()
    if path == "tf1":
        from tf_pipeline.estimators import Estimator, RunConfig, SKCompat
        from tf_pipeline.models import lstm_model

        with tempfile.TemporaryDirectory() as model_dir:
            config = RunConfig(tf_random_seed=0, train_loop="xla", steps_per_run=500)
            regressor = SKCompat(Estimator(lstm_model, model_dir=model_dir, config=config))
            regressor.fit(X, y, batch_size=32, steps=steps)
            fitted = time.perf_counter()
            predictions = regressor.predict(X, batch_size=PREDICT_BATCH)
    else:
        from tf_pipeline.keras_models import build_lstm, compile_regressor
        from tf_pipeline.keras_training import predict_in_batches, train_steps

        model = compile_regressor(build_lstm((1, WINDOW), hidden_size=40, seed=0), "adagrad", 0.6)
        train_steps(model, X, y, steps=steps, batch_size=32, steps_per_run=500)
        fitted = time.perf_counter()
        predictions = predict_in_batches(model, X, batch_size=PREDICT_BATCH)
    done = time.perf_counter()
    assert len(predictions) == len(X) and np.isfinite(predictions).all()
    return {
        "points": points,
        "windows": len(X),
        "path": path,
        "fit_seconds": fitted - start,
        "predict_seconds": done - fitted,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def run_scale(sizes: list[int], steps: int, paths: list[str]) -> list[dict[str, float]]:
    rows = []
    for points in sizes:
        for path in paths:
            code = (
                "import json, benchmarks.bench_scale as b; "
                f"print(json.dumps(b.measure({points}, {path!r}, {steps})))"
            )
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
    return rows


def format_rows(rows: list[dict[str, float]]) -> str:
    lines = [f"{'points':>10}{'path':>6}{'fit s':>9}{'predict s':>11}{'peak RSS MB':>13}"]
    for r in rows:
        lines.append(
            f"{r['points']:>10}{r['path']:>6}{r['fit_seconds']:>9.2f}"
            f"{r['predict_seconds']:>11.2f}{r['peak_rss_mb']:>13.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**4, 10**5, 10**6])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--paths", nargs="+", default=["tf1", "keras"])
    parser.add_argument("--out", default="runs/bench")
    args = parser.parse_args(argv)
    rows = run_scale(args.sizes, args.steps, args.paths)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(rows, indent=2))
    print(format_rows(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
