"""Training-speed benchmark of the legacy configuration, all contenders in one process.

Contenders (hidden 40, 1 layer, batch 32, layout ``(?, 1, 12)``, AirPassengers):

(a) reference: TensorFlow's own retained TF1 cells, one ``session.run(train_op,
    feed_dict)`` per step (what TF1 code did);
(b) ours, TF1 path: ``SKCompat(Estimator(lstm_model, RunConfig(train_loop=...)))``;
(c) ours, Keras path: ``build_lstm`` + :func:`tf_pipeline.keras_training.train_steps`;
(d) scikeras ``KerasRegressor`` with the same Keras model.

With ``--users``, also the users' own model_fns (``benchmarks/user_models.py``: the seed
program's ``tf.contrib`` model_fn, a GRU with dropout, a 2-layer LSTM with a
``tf.layers.dense`` head), each as a plain per-step TF1 program and through
``Estimator`` with the default ``RunConfig``: as the first fit of a new process (with
an empty compile cache on disk -- the program's first run ever -- and with the cache
that run filled -- the program run again; :mod:`tf_pipeline.xla_cache`), cold in this
process (the kept loops released: tracing, session and compilation paid again) and
warm (a later fit, reusing the kept loop); and both regressors with their defaults;
end to end (whole fit) and steady rates.

They run in alternation, ``--repeats`` times; the report gives medians and the ratios to
(a) and (d). Rates are steady-state (one-time graph building, session start and XLA
compilation excluded; they are reported separately as setup seconds). Run:
``python -m benchmarks.bench_train`` or ``python run.py bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HIDDEN = 40
BATCH = 32
LEARNING_RATE = 0.6


def airpassengers_training_windows() -> tuple[np.ndarray, np.ndarray]:
    """The legacy training set: 108 windows (?, 1, 12), min-max scaled on the train part."""
    from tf_pipeline.datasets import load_airpassengers
    from tf_pipeline.scaling import fit_series_scaler, transform_series
    from tf_pipeline.windows import make_windows

    series = load_airpassengers().to_numpy()
    scaler = fit_series_scaler(series[:-24])
    X, y = make_windows(transform_series(scaler, series), window=12, layout="features")
    return np.ascontiguousarray(X[:-24]), np.ascontiguousarray(y[:-24])


def _mse(predictions: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.ravel(predictions) - np.ravel(y)) ** 2))


def reference_loop(X: np.ndarray, y: np.ndarray, steps: int) -> dict[str, float]:
    """(a) TensorFlow's legacy BasicLSTMCell, one session.run per step with feed_dict."""
    import tensorflow as tf
    from tensorflow.python.keras.layers.legacy_rnn import rnn_cell_impl as legacy

    from tf_pipeline.batching import tf1_batches

    start = time.perf_counter()
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(0)
        step = tf.compat.v1.train.get_or_create_global_step()
        x_in = tf.compat.v1.placeholder(tf.float32, [None, 1, 12])
        y_in = tf.compat.v1.placeholder(tf.float32, [None])
        cell = legacy.MultiRNNCell([legacy.BasicLSTMCell(HIDDEN)])
        output, _ = tf.compat.v1.nn.dynamic_rnn(cell, x_in, dtype=tf.float32)
        weights = tf.compat.v1.get_variable("fully_connected/weights", [HIDDEN, 1])
        biases = tf.compat.v1.get_variable(
            "fully_connected/biases", [1], initializer=tf.zeros_initializer()
        )
        prediction = tf.reshape(
            tf.matmul(tf.reshape(output, [-1, HIDDEN]), weights) + biases, [-1]
        )
        loss = tf.compat.v1.losses.mean_squared_error(y_in, prediction)
        train_op = tf.compat.v1.train.AdagradOptimizer(LEARNING_RATE).minimize(loss, step)
        session = tf.compat.v1.Session(graph=graph)
        session.run(tf.compat.v1.global_variables_initializer())
    batches = tf1_batches(len(X), BATCH)
    rows = next(batches)
    session.run(train_op, {x_in: X[rows], y_in: y[rows]})  # warm-up
    setup = time.perf_counter() - start
    begin = time.perf_counter()
    for _ in range(steps):
        rows = next(batches)
        session.run(train_op, {x_in: X[rows], y_in: y[rows]})
    seconds = time.perf_counter() - begin
    latency = _latency(lambda batch: session.run(prediction, {x_in: batch}), X)
    final = _mse(session.run(prediction, {x_in: X}), y)
    session.close()
    return {
        "steps": steps,
        "steps_per_second": steps / seconds,
        "setup_seconds": setup,
        "final_loss": final,
        **latency,
    }


def tf1_path(X: np.ndarray, y: np.ndarray, steps: int, loop: str) -> dict[str, float]:
    """(b) Our Estimator + SKCompat with the legacy lstm_model."""
    from tf_pipeline.estimators import Estimator, RunConfig, SKCompat
    from tf_pipeline.models import lstm_model

    with tempfile.TemporaryDirectory() as model_dir:
        config = RunConfig(tf_random_seed=0, train_loop=loop, steps_per_run=1000)
        estimator = Estimator(lstm_model, model_dir=model_dir, config=config)
        regressor = SKCompat(estimator)
        start = time.perf_counter()
        regressor.fit(X, y, batch_size=BATCH, steps=steps)
        total = time.perf_counter() - start
        stats = estimator.last_fit_stats
        rate = stats.get("steady_steps_per_second", stats["steps_per_second"])
        latency = _latency(lambda batch: regressor.predict(batch, batch_size=1024), X)
        final = _mse(regressor.predict(X), y)
    return {
        "steps": steps,
        "steps_per_second": rate,
        "setup_seconds": total - steps / rate,
        "fit_seconds": total,
        "final_loss": final,
        **latency,
    }


def _keras_model():
    from tf_pipeline.keras_models import build_lstm, compile_regressor

    return compile_regressor(
        build_lstm((1, 12), hidden_size=HIDDEN, seed=0), "adagrad", LEARNING_RATE
    )


def keras_path(X: np.ndarray, y: np.ndarray, steps: int, shuffle: bool = True) -> dict[str, float]:
    """(c) Our Keras path: K steps per XLA-compiled call."""
    from tf_pipeline.keras_training import train_steps

    start = time.perf_counter()
    model = _keras_model()
    marks = []
    train_steps(
        model,
        X,
        y,
        steps=steps,
        batch_size=BATCH,
        steps_per_run=500,
        shuffle=shuffle,
        on_run=lambda losses: marks.append((len(losses), time.perf_counter())),
    )
    total = time.perf_counter() - start
    if len(marks) > 1:
        rate = sum(n for n, _ in marks[1:]) / (marks[-1][1] - marks[0][1])
    else:
        rate = steps / total
    latency = _latency(lambda batch: model.predict_on_batch(batch), X)
    final = _mse(model.predict_on_batch(X), y)
    return {
        "steps": steps,
        "steps_per_second": rate,
        "setup_seconds": total - steps / rate,
        "fit_seconds": total,
        "final_loss": final,
        **latency,
    }


def scikeras_path(X: np.ndarray, y: np.ndarray, epochs: int) -> dict[str, float]:
    """(d) scikeras' KerasRegressor around the same Keras model."""
    import keras
    from scikeras.wrappers import KerasRegressor

    from tf_pipeline.keras_models import build_lstm

    # The same model, optimizer (TF1's Adagrad: accumulators from 0.1, no epsilon) and
    # batch order (in order, shuffle off) as (c) on the same steps: equal work, equal loss.
    regressor = KerasRegressor(
        model=lambda: build_lstm((1, 12), hidden_size=HIDDEN, seed=0),
        optimizer=keras.optimizers.Adagrad,
        optimizer__learning_rate=LEARNING_RATE,
        optimizer__initial_accumulator_value=0.1,
        optimizer__epsilon=0.0,
        fit__shuffle=False,
        loss="mse",
        epochs=epochs,
        batch_size=BATCH,
        verbose=0,
        random_state=0,
    )
    start = time.perf_counter()
    regressor.fit(X, y)
    seconds = time.perf_counter() - start
    steps = epochs * int(np.ceil(len(X) / BATCH))
    latency = _latency(lambda batch: regressor.predict(batch), X)
    return {
        "steps": steps,
        "steps_per_second": steps / seconds,
        "fit_seconds": seconds,
        "final_loss": _mse(regressor.predict(X), y),
        **latency,
    }


USER_MODEL_FNS = {
    # name: (model_fn, layout) — model_fns as users wrote them (benchmarks/user_models.py)
    "seed_program_model_fn": ("seed_program_model", "features"),
    "gru_dropout_model_fn": ("gru_dropout_model", "steps"),
    "lstm2_dense_model_fn": ("two_layer_lstm_dense_model", "steps"),
}


def _user_model(name: str, X: np.ndarray) -> tuple[Any, np.ndarray]:
    from benchmarks import user_models

    function, layout = USER_MODEL_FNS[name]
    return getattr(user_models, function), (X if layout == "features" else X.reshape(-1, 12, 1))


def user_tf1_loop(name: str, X: np.ndarray, y: np.ndarray, steps: int) -> dict[str, float]:
    """The user's model_fn in a plain TF1 program: one ``session.run(train_op)`` per step."""
    import tensorflow as tf

    from tf_pipeline.batching import tf1_batches
    from tf_pipeline.estimators.model_fn import call_model_fn

    model_fn, X = _user_model(name, X)
    start = time.perf_counter()
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(0)
        tf.compat.v1.train.get_or_create_global_step()
        x_in = tf.compat.v1.placeholder(tf.float32, [None, *X.shape[1:]])
        y_in = tf.compat.v1.placeholder(tf.float32, [None])
        ops = call_model_fn(
            model_fn, x_in, y_in, "train", params=None, config=None, model_dir=None
        )
        session = tf.compat.v1.Session(graph=graph)
        session.run(tf.compat.v1.global_variables_initializer())
    batches = tf1_batches(len(X), BATCH)
    warm = min(100, steps // 2)
    for k in range(steps):
        if k == warm:
            steady_start = time.perf_counter()
        rows = next(batches)
        session.run(ops.train_op, {x_in: X[rows], y_in: y[rows].ravel()})
    end = time.perf_counter()
    session.close()
    rate = (steps - warm) / (end - steady_start)
    return {"steps": steps, "steps_per_second": rate, "fit_seconds": end - start}


def user_estimator(
    name: str, X: np.ndarray, y: np.ndarray, steps: int, cold: bool = False
) -> dict[str, float]:
    """The same model_fn through ``Estimator`` with the default ``RunConfig``.

    ``cold``: the first fit of this graph signature in the process (the kept loops are
    released first: graph, session and XLA compilation are paid); else a later fit,
    which reuses the loop an earlier fit kept (:mod:`tf_pipeline.estimators.loop_cache`).
    """
    from tf_pipeline.estimators import Estimator, RunConfig
    from tf_pipeline.estimators.loop_cache import clear_loop_cache

    model_fn, X = _user_model(name, X)
    if cold:
        clear_loop_cache()
    with tempfile.TemporaryDirectory() as model_dir:
        estimator = Estimator(model_fn, model_dir=model_dir, config=RunConfig(tf_random_seed=0))
        start = time.perf_counter()
        estimator.fit(x=X, y=y, batch_size=BATCH, steps=steps)
        total = time.perf_counter() - start
    stats = estimator.last_fit_stats
    return {
        "steps": steps,
        "steps_per_second": stats.get("steady_steps_per_second", stats["steps_per_second"]),
        "fit_seconds": total,
        "runs": stats["runs"],
        "kept_loop": float(stats.get("kept_loop", False)),
    }


def user_estimator_new_process(
    name: str, steps: int, cache_dir: Path, fresh: bool = False
) -> dict[str, float]:
    """The same fit as :func:`user_estimator`, as the first fit of a new Python process.

    The process imports TensorFlow and the data (not timed), then times one fit of the
    model_fn with the default ``RunConfig``, its disk cache of compiled programs in
    ``cache_dir`` (:mod:`tf_pipeline.xla_cache`): an empty folder is a program's first
    run ever, the folder an earlier run filled is a rerun of the same program.
    """
    if fresh:  # emptied first: the program's first run ever
        shutil.rmtree(cache_dir, ignore_errors=True)
    env = dict(os.environ, TF_PIPELINE_XLA_CACHE=str(cache_dir), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("TF_XLA_FLAGS", None)  # this process's cache folder, which import set
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    code = (
        "import json, sys\n"
        "from benchmarks.bench_train import airpassengers_training_windows, user_estimator\n"
        "X, y = airpassengers_training_windows()\n"
        f"print(json.dumps(user_estimator({name!r}, X, y, {steps})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def regressor_fit(kind: str, X: np.ndarray, y: np.ndarray, steps: int) -> dict[str, float]:
    """``TF1LSTMRegressor`` / ``KerasLSTMRegressor`` with their defaults, as sklearn calls them."""
    from tf_pipeline.estimators import KerasLSTMRegressor, TF1LSTMRegressor

    cls = TF1LSTMRegressor if kind == "tf1" else KerasLSTMRegressor
    model = cls(steps=steps, random_state=0)
    start = time.perf_counter()
    model.fit(X.reshape(len(X), -1), y.ravel())
    total = time.perf_counter() - start
    return {
        "steps": steps,
        "steps_per_second": steps / total,
        "fit_seconds": total,
        "final_loss": _mse(model.predict(X.reshape(len(X), -1)), y),
    }


def run_user_benchmark(steps: int, repeats: int, rnn_steps: int = 2000) -> dict[str, Any]:
    """Per-step TF1 loop vs Estimator defaults for the users' model_fns, and the regressors.

    End to end: the seconds of a whole fit of ``steps`` steps (graph, session,
    compilation included). Steady: steps/s once running. Each model_fn's Estimator
    fits four ways per repeat: in a new process with an empty compile cache and again
    with the cache it filled, cold in this process (its kept loops released) and warm
    (reusing the loop the cold fit kept). Contenders alternate. The 12-time-step GRU
    and LSTM models train ``rnn_steps`` steps (their per-step loops run at a few
    hundred steps/s).
    """
    X, y = airpassengers_training_windows()
    contenders: dict[str, Any] = {}
    cache_root = Path(tempfile.mkdtemp(prefix="bench_xla_cache_"))
    for name in USER_MODEL_FNS:
        n_steps = steps if name == "seed_program_model_fn" else min(steps, rnn_steps)
        contenders[f"{name}/tf1_per_step"] = lambda n=name, k=n_steps: user_tf1_loop(n, X, y, k)
        # A new process: first with an empty compile cache (the program's first run
        # ever), then with the cache that run filled (the same program run again).
        folder = cache_root / name
        contenders[f"{name}/estimator_new_process_first_run"] = (
            lambda n=name, k=n_steps, f=folder: user_estimator_new_process(n, k, f, fresh=True)
        )
        contenders[f"{name}/estimator_new_process_rerun"] = lambda n=name, k=n_steps, f=folder: (
            user_estimator_new_process(n, k, f)
        )
        # Cold first: it releases the kept loops and keeps its own, which the next
        # (warm) fit of the same signature reuses, as a user's later fits would.
        contenders[f"{name}/estimator_default_cold"] = lambda n=name, k=n_steps: user_estimator(
            n, X, y, k, cold=True
        )
        contenders[f"{name}/estimator_default_warm"] = lambda n=name, k=n_steps: user_estimator(
            n, X, y, k
        )
    contenders["TF1LSTMRegressor/default"] = lambda: regressor_fit("tf1", X, y, steps)
    contenders["KerasLSTMRegressor/default"] = lambda: regressor_fit("keras", X, y, steps)
    runs: dict[str, list] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, contender in contenders.items():
            runs[name].append(contender())
    shutil.rmtree(cache_root, ignore_errors=True)
    results = {name: _median(values) for name, values in runs.items()}
    ratios = {}
    for name in USER_MODEL_FNS:
        plain = results[f"{name}/tf1_per_step"]
        for kind in ("new_process_first_run", "new_process_rerun", "default_cold", "default_warm"):
            ours = results[f"{name}/estimator_{kind}"]
            kind = kind.removeprefix("default_")
            ratios[f"{name}/end_to_end_{kind}"] = plain["fit_seconds"] / ours["fit_seconds"]
            ratios[f"{name}/steady_{kind}"] = ours["steps_per_second"] / plain["steps_per_second"]
    return {
        "steps": steps,
        "repeats": repeats,
        "load_average": os.getloadavg(),
        "results": results,
        "ratios": ratios,
    }


def format_user_report(report: dict[str, Any], scikeras_rate: float | None = None) -> str:
    lines = [f"{'contender':<44}{'steps':>7}{'steps/s':>10}{'fit s':>9}"]
    for name, r in report["results"].items():
        lines.append(
            f"{name:<44}{r['steps']:>7.0f}{r['steps_per_second']:>10.0f}{r['fit_seconds']:>9.2f}"
        )
    for name, ratio in report["ratios"].items():
        lines.append(f"{name + ' vs per-step TF1 loop':<60}{ratio:>6.1f}x")
    if "load_average" in report:
        load = ", ".join(f"{value:.2f}" for value in report["load_average"])
        lines.append(f"load average at the end (1, 5, 15 min): {load}")
    if scikeras_rate:
        keras = report["results"]["KerasLSTMRegressor/default"]
        scikeras_seconds = report["steps"] / scikeras_rate
        lines.append(
            f"{'KerasLSTMRegressor end to end vs scikeras (its rate)':<60}"
            f"{scikeras_seconds / keras['fit_seconds']:>6.1f}x"
        )
    return "\n".join(lines)


def _latency(predict, X: np.ndarray, repeats: int = 5) -> dict[str, float]:
    """Median seconds to predict 1 window and 1,024 windows."""
    result = {}
    for size in (1, 1024):
        batch = np.resize(X, (size, *X.shape[1:])).astype(np.float32)
        predict(batch)  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            predict(batch)
            times.append(time.perf_counter() - start)
        result[f"predict_{size}_seconds"] = statistics.median(times)
    return result


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def run_benchmark(steps: int, keras_epochs: int, repeats: int, loop: str) -> dict[str, Any]:
    X, y = airpassengers_training_windows()
    keras_steps = keras_epochs * int(np.ceil(len(X) / BATCH))
    contenders = {
        "a_reference_tf1_loop": lambda: reference_loop(X, y, steps),
        "b_ours_tf1_path": lambda: tf1_path(X, y, steps, loop),
        "c_ours_keras_path": lambda: keras_path(X, y, steps),
        "c_ours_keras_path_same_steps_as_scikeras": lambda: keras_path(
            X, y, keras_steps, shuffle=False
        ),
        "d_scikeras": lambda: scikeras_path(X, y, keras_epochs),
    }
    runs: dict[str, list] = {name: [] for name in contenders}
    for _ in range(repeats):  # alternation: every contender sees the same machine state
        for name, contender in contenders.items():
            runs[name].append(contender())
    results = {name: _median(values) for name, values in runs.items()}
    a, b = results["a_reference_tf1_loop"], results["b_ours_tf1_path"]
    c, d = results["c_ours_keras_path"], results["d_scikeras"]
    same = results["c_ours_keras_path_same_steps_as_scikeras"]
    ratios = {
        "tf1_path_vs_reference": b["steps_per_second"] / a["steps_per_second"],
        "keras_path_vs_reference": c["steps_per_second"] / a["steps_per_second"],
        "keras_path_vs_scikeras": c["steps_per_second"] / d["steps_per_second"],
        "tf1_path_vs_scikeras": b["steps_per_second"] / d["steps_per_second"],
        "keras_vs_scikeras_final_loss_relative_difference": abs(
            same["final_loss"] - d["final_loss"]
        )
        / d["final_loss"],
    }
    return {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
        },
        "config": {
            "hidden": HIDDEN,
            "layers": 1,
            "batch": BATCH,
            "layout": "(?, 1, 12)",
            "learning_rate": LEARNING_RATE,
            "optimizer": "Adagrad",
            "steps": steps,
            "scikeras_epochs": keras_epochs,
            "repeats": repeats,
            "tf1_loop": loop,
        },
        "results": results,
        "ratios": ratios,
    }


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"{'contender':<42}{'steps/s':>10}{'setup s':>9}{'loss':>10}{'pred 1':>9}{'pred 1024':>10}"
    ]
    for name, r in report["results"].items():
        lines.append(
            f"{name:<42}{r['steps_per_second']:>10.0f}{r.get('setup_seconds', float('nan')):>9.2f}"
            f"{r['final_loss']:>10.5f}{r['predict_1_seconds'] * 1e3:>7.1f}ms"
            f"{r['predict_1024_seconds'] * 1e3:>8.1f}ms"
        )
    ratios = report["ratios"]
    lines += [
        f"TF1 path vs reference TF1 loop: {ratios['tf1_path_vs_reference']:.1f}x (target >= 10)",
        f"Keras path vs scikeras:         {ratios['keras_path_vs_scikeras']:.1f}x (target >= 50)",
        "final training loss, Keras path vs scikeras (same steps): "
        f"{100 * ratios['keras_vs_scikeras_final_loss_relative_difference']:.1f}% apart",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000, help="training steps (a), (b), (c)")
    parser.add_argument("--keras-epochs", type=int, default=300, help="scikeras epochs (d)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--loop", choices=("auto", "graph", "xla"), default="auto", help="TF1 loop mode"
    )
    parser.add_argument("--out", default="runs/bench", help="folder for bench.json")
    parser.add_argument("--tiny", action="store_true", help="a seconds-long smoke run")
    parser.add_argument(
        "--users", action="store_true", help="also the users' model_fns and the regressors"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.tiny:
        args.steps, args.keras_epochs, args.repeats = 60, 2, 1
    report = run_benchmark(args.steps, args.keras_epochs, args.repeats, args.loop)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = format_report(report)
    if args.users:
        report["users"] = run_user_benchmark(args.steps, args.repeats)
        scikeras_rate = report["results"]["d_scikeras"]["steps_per_second"]
        text += "\n" + format_user_report(report["users"], scikeras_rate)
    (out / "bench.json").write_text(json.dumps(report, indent=2))
    print(text)
    print(f"wrote {out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
