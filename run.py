"""Command line: compare the legacy TF1 pipeline, the Keras 3 path and baselines.

python run.py                       # AirPassengers, all models, report in runs/<time>/
python run.py --quick               # a smoke run (under 30 s)
python run.py --seeds 5             # neural rows as mean ± std over 5 seeds
python run.py --csv data.csv --column sales [--date-column month] [--fill interpolate]
python run.py --csv long.csv --id-column store --column sales   # every series, one report
python run.py --backend dask [--scheduler tcp://host:8786]      # fits as Dask tasks
python run.py cos                   # the Keras stateful-LSTM tutorial's four models
python run.py parity                # TF1 -> Keras port, parity report; exit 1 on failure
python run.py parity --model-dir DIR --model-fn my_module:model_fn --input-shape 28,28
                                    # convert YOUR model_fn + checkpoint, per-layer parity
python run.py bench                 # training-speed benchmark (see benchmarks/)
python run.py --verbose ...         # also TensorFlow's C++ start-up and log lines
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import datetime
from pathlib import Path

SUBCOMMANDS = ("cos", "parity", "bench")


def _default_out() -> Path:
    return Path("runs") / datetime.now().strftime("%Y%m%d-%H%M%S")


def build_parser() -> argparse.ArgumentParser:
    from tf_pipeline.comparison import MODELS

    parser = argparse.ArgumentParser(
        description="Compare the legacy TF1 LSTM pipeline, its Keras 3 migration and "
        "classical baselines on a monthly series (AirPassengers by default).",
        epilog="Subcommands: run.py cos | run.py parity | run.py bench (each has --help).",
    )
    parser.add_argument("--seeds", type=int, default=1, help="seeds for the neural models")
    parser.add_argument("--csv", type=Path, help="your own monthly series (CSV file)")
    parser.add_argument("--column", help="the values' column of --csv")
    parser.add_argument("--date-column", help="a date column of --csv (monthly)")
    parser.add_argument(
        "--fill", choices=("interpolate",), help="fill missing values instead of failing"
    )
    parser.add_argument("--test-size", type=int, default=24, help="values held out (24)")
    parser.add_argument("--quick", action="store_true", help="a smoke run, under 30 s")
    parser.add_argument("--out", type=Path, help="report folder (default runs/<timestamp>)")
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="MODEL",
        help=f"a subset of the rows: {' '.join(MODELS)}",
    )
    parser.add_argument(
        "--backend",
        choices=("local", "dask"),
        default="local",
        help="where the fits run: this process, or Dask tasks (a LocalCluster on 127.0.0.1 "
        "unless --scheduler)",
    )
    parser.add_argument("--scheduler", help="address of a running dask scheduler (tcp://...)")
    parser.add_argument(
        "--workers", type=int, default=2, help="worker processes of the local Dask cluster (2)"
    )
    parser.add_argument(
        "--id-column", help="a long --csv: the column naming each series (one report for all)"
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show TensorFlow's C++ start-up and log lines (any subcommand takes it too)",
    )
    return parser


def _load_series(args: argparse.Namespace):
    from tf_pipeline.datasets import load_airpassengers, load_monthly_csv

    if args.csv is None:
        if args.column or args.date_column or args.fill:
            raise ValueError("`--column`, `--date-column` and `--fill` need `--csv`.")
        return load_airpassengers(), "AirPassengers"
    if not args.column:
        raise ValueError("`--csv` needs `--column NAME`, the column of values to forecast.")
    series = load_monthly_csv(args.csv, args.column, date_column=args.date_column, fill=args.fill)
    return series, f"{args.csv.name}:{args.column}"


def _prepare_out(out: Path) -> Path:
    """Create the report folder now and check it is writable, before any training."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"`--out` must be a folder, got {str(out)!r}, which is a file.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write_test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise ValueError(
            f"`--out` must be a writable folder, got {str(out)!r} ({error.strerror})."
        ) from None
    return out


def _min_points(name: str, settings) -> int:
    """The fewest values the model ``name`` of the comparison trains and forecasts on."""
    from tf_pipeline.comparison import SEASON, WINDOW
    from tf_pipeline.tuning import CV_HORIZON, CV_SPLITS, GRID, QUICK_GRID, TargetTransform

    base = settings.test_size + 2 * SEASON + WINDOW  # run_comparison's own minimum
    if name == "lstm_hybrid":
        from tf_pipeline.hybrid import HybridConfig

        return max(base, HybridConfig().min_length(settings.test_size))
    if name != "tuned":
        return base
    # The tuned model's first CV fold fits on the training part less one 12-month
    # horizon per split; each candidate's transform then drops `offset` values and
    # its windows need `window + 2` more (tuning.WindowLSTM.fit). Quick runs use 2 splits.
    grid, splits = (QUICK_GRID, 2) if settings.tuned_quick else (GRID, CV_SPLITS)
    fold = max(TargetTransform(c.transform).offset + c.window + 2 for c in grid)
    return max(base, settings.test_size + splits * CV_HORIZON + fold)


def _check_models(values, names: list[str], settings) -> None:
    """Refuse, before anything trains, a series one of the selected models cannot use."""
    import numpy as np

    from tf_pipeline.comparison import MODELS

    unknown = [name for name in names if name not in MODELS]
    if unknown:
        raise ValueError(f"`--models` must be among {list(MODELS)}, got unknown {unknown}.")
    for name in names:
        need = _min_points(name, settings)
        if len(values) < need:
            raise ValueError(
                f"`series` must have at least test_size + {need - settings.test_size} = {need} "
                f"values for the {name!r} model, got {len(values)}. Leave that model out "
                "(--models ...), or use a longer series or a smaller --test-size."
            )
    logs = [name for name in ("tuned", "lstm_hybrid") if name in names]
    if logs and (np.asarray(values)[: -settings.test_size] <= 0).any():
        raise ValueError(
            f"`series` must be positive for the {logs[0]!r} model (it models log "
            "values); leave it out with --models, or shift the series."
        )


def _run_models(series, settings, names: list[str]):
    """Run the models one by one; return the result of those that finished and any error."""
    from tf_pipeline.comparison import ComparisonResult, run_comparison

    rows, forecasts = [], {}
    for name in names:
        try:
            part = run_comparison(series, settings, models=[name])
        except Exception as error:  # noqa: BLE001 - reported with the model's name
            result = ComparisonResult(rows, forecasts, series, settings.test_size, settings)
            return result, (name, error)
        rows += part.rows
        forecasts.update(part.forecasts)
    return ComparisonResult(rows, forecasts, series, settings.test_size, settings), None


def compare(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from tf_pipeline.comparison import ComparisonSettings
    from tf_pipeline.parallel import backend_context

    if args.seeds < 1:
        raise ValueError(f"`--seeds` must be an int >= 1, got {args.seeds}.")
    if args.test_size < 1:
        raise ValueError(f"`--test-size` must be an int >= 1, got {args.test_size}.")
    if args.scheduler and args.backend != "dask":
        raise ValueError(f"`--scheduler` needs `--backend dask`, got --backend {args.backend}.")
    settings_class = ComparisonSettings.quick if args.quick else ComparisonSettings
    settings = settings_class(
        test_size=args.test_size,
        seeds=tuple(range(args.seeds)),
        progress=args.backend == "local",  # bars in worker processes would only be noise
    )
    with backend_context(args.backend, args.scheduler, n_workers=args.workers) as client:
        if client is not None:
            workers = len(client.scheduler_info()["workers"])
            print(f"dask: {workers} workers at {client.scheduler.address}")
        if args.id_column:
            return _compare_panel(args, settings)
        return _compare_one(args, settings)


def _compare_panel(args: argparse.Namespace, settings) -> int:
    from tf_pipeline.panel import load_long_csv, run_panel, summary, write_panel_report

    if args.csv is None or not args.column:
        raise ValueError("`--id-column` needs `--csv FILE` and `--column NAME` (a long CSV).")
    start = time.perf_counter()
    series = load_long_csv(args.csv, args.id_column, args.column, date_column=args.date_column)
    print(f"{args.csv.name}: {len(series)} series in column {args.column!r}")
    panel = run_panel(series, settings, models=args.models)
    out = args.out or _default_out()
    paths = write_panel_report(
        panel, out, f"Forecast comparison: {args.csv.name}, {len(series)} series"
    )
    print(f"{'model':<22}{'mean MASE':>10}{'wins':>6}")
    for item in summary(panel):
        print(f"{item['label']:<22}{item['mean_mase']:>10.3f}{item['wins']:>6}")
    print(f"report: {paths['markdown']}, {paths['json']}")
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


def _compare_one(args: argparse.Namespace, settings) -> int:
    from tf_pipeline.comparison import MODELS
    from tf_pipeline.report import format_table, write_report

    series, name = _load_series(args)
    names = list(args.models or MODELS)
    _check_models(series.to_numpy(), names, settings)  # validate before any training
    out = _prepare_out(args.out or _default_out())
    start = time.perf_counter()
    print(
        f"{name}: {len(series)} values, mean {series.mean():.2f}, min {series.min():.2f}, "
        f"max {series.max():.2f}; holding out the last {args.test_size}"
    )
    result, failure = _run_models(series, settings, names)
    if result.rows:
        paths = write_report(result, out, f"Forecast comparison: {name}")
        print(format_table(result))
        for row in result.rows:
            if row.note:
                print(f"  {row.label}: {row.note}")
        print(
            f"report: {paths['markdown']}, {paths['json']}, {paths['forecast']}, {paths['loss']}"
        )
    print(f"total {time.perf_counter() - start:.0f} s")
    if failure is not None:
        model, error = failure
        done = ", ".join(row.name for row in result.rows) or "none"
        print(
            f"error: model {model!r} failed ({type(error).__name__}: {error}); the report "
            f"holds the models that finished ({done}).",
            file=sys.stderr,
        )
        return 1
    best = result.best
    print(f"best: {best.label} (one-step RMSE {best.one_step['rmse']:.2f})")
    return 0


def cos(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="run.py cos", description="The Keras stateful-LSTM tutorial on its cosine curve."
    )
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="few epochs, a smoke run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from tf_pipeline.cosine_demo import run_cosine_demo

    out = args.out or _default_out()
    result = run_cosine_demo(epochs=2 if args.quick else args.epochs, seed=args.seed, out_dir=out)
    print(f"{'model':<24}{'test RMSE':>10}{'fit s':>8}")
    for model, scores in result["models"].items():
        print(f"{model:<24}{scores['rmse']:>10.3f}{scores['fit_seconds']:>8.1f}")
    print(f"{'naive last value':<24}{result['naive_rmse']:>10.3f}")
    print(f"figure: {result['figure']}")
    best = min(result["models"], key=lambda m: result["models"][m]["rmse"])
    print(f"best: {best} (test RMSE {result['models'][best]['rmse']:.3f})")
    return 0


def parity(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="run.py parity",
        description="Train (or load) the TF1 model, port it to Keras 3, and check that "
        "nothing changed. Exits 1 when a tolerance fails, so a migration's CI can call it.",
    )
    parser.add_argument("--model-dir", type=Path, help="an existing TF1 model_dir to port")
    parser.add_argument(
        "--model-fn",
        help="module:function of your own TF1 model_fn; converts it with to_keras and "
        "compares every layer's output and final state (needs --model-dir)",
    )
    parser.add_argument(
        "--input-shape", help="features shape without the batch axis, e.g. 28,28 (--model-fn)"
    )
    parser.add_argument("--input-dtype", default="float32", help="features dtype (--model-fn)")
    parser.add_argument("--params", help="JSON passed to the model_fn as params (--model-fn)")
    parser.add_argument("--data", type=Path, help=".npy features to compare on (--model-fn)")
    parser.add_argument("--save", type=Path, help="write the converted model here (.keras)")
    parser.add_argument("--steps", type=int, default=2000, help="TF1 training steps")
    parser.add_argument("--parity-steps", type=int, default=200, help="training-parity steps")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.model_fn is not None:
        return _parity_model_fn(args)
    import tempfile

    import numpy as np

    from tf_pipeline.datasets import load_airpassengers
    from tf_pipeline.estimators import Estimator, RunConfig, SKCompat
    from tf_pipeline.migrate import parity_report, port_checkpoint, training_parity
    from tf_pipeline.models import lstm_model
    from tf_pipeline.scaling import fit_series_scaler, transform_series
    from tf_pipeline.windows import make_windows

    series = load_airpassengers().to_numpy()
    scaled = transform_series(fit_series_scaler(series[:-24]), series)
    X, y = (np.asarray(a) for a in make_windows(scaled, window=12))
    model_dir = args.model_dir
    if model_dir is None:
        model_dir = Path(tempfile.mkdtemp()) / "model"
        steps = 200 if args.quick else args.steps
        config = RunConfig(tf_random_seed=0, train_loop="graph")
        SKCompat(Estimator(lstm_model, model_dir=str(model_dir), config=config)).fit(
            X[:-24], y[:-24].reshape(-1, 1), batch_size=32, steps=steps
        )
        print(f"trained the TF1 legacy model {steps} steps into {model_dir}")
    keras_model = port_checkpoint(model_dir, timesteps=X.shape[1])
    report = parity_report(model_dir, keras_model, X)
    print("prediction parity:", report.summary())
    training = training_parity(
        X[:-24], y[:-24], steps=50 if args.quick else args.parity_steps, batch_size=32
    )
    print("training parity:", training.summary())
    passed = report.passed and training.passed
    print("parity: PASS" if passed else "parity: FAIL")
    return 0 if passed else 1


def _parity_model_fn(args: argparse.Namespace) -> int:
    """``parity --model-fn``: convert a user's model_fn + checkpoint, compare every layer."""
    import importlib
    import json

    import numpy as np

    from tf_pipeline.migrate import parity_report, to_keras

    if args.model_dir is None or args.input_shape is None or ":" not in args.model_fn:
        raise ValueError(
            "`--model-fn module:function` must come with --model-dir and --input-shape, got "
            f"--model-fn {args.model_fn!r}, --model-dir {args.model_dir}, "
            f"--input-shape {args.input_shape}."
        )
    module_name, _, function_name = args.model_fn.partition(":")
    sys.path.insert(0, os.getcwd())
    model_fn = getattr(importlib.import_module(module_name), function_name)
    shape = tuple(int(d) for d in args.input_shape.split(","))
    params = json.loads(args.params) if args.params else None
    if args.data is not None:
        X = np.load(args.data)
    elif np.dtype(args.input_dtype).kind in "iu":
        X = np.random.RandomState(0).randint(0, 2, (16, *shape))
    else:
        X = np.random.RandomState(0).uniform(-1, 1, (16, *shape))
    model = to_keras(model_fn, args.model_dir, shape, params, input_dtype=args.input_dtype)
    print(f"converted {args.model_fn} from {args.model_dir}: {len(model.layers)} Keras layers")
    report = parity_report(
        args.model_dir, model, X, model_fn=model_fn, params=params, input_dtype=args.input_dtype
    )
    print("layer parity:", report.summary())
    if args.save is not None:
        model.save(args.save)
        print(f"saved {args.save}")
    print("parity: PASS" if report.passed else "parity: FAIL")
    return 0 if report.passed else 1


def bench(argv: list[str]) -> int:
    from benchmarks import bench_train

    return bench_train.main(argv)


def _start_tensorflow(verbose: bool) -> None:
    """Import TensorFlow before anything else does: quietly, unless ``--verbose``.

    Quiet: ``TF_CPP_MIN_LOG_LEVEL`` defaults to 3 (a value the user exported wins), and
    the start-up lines TensorFlow writes before that variable takes effect are dropped.
    Verbose: 0 unless the user exported a value. Dask workers inherit the value.
    """
    from tf_pipeline.tf_output import QUIET_LOG_LEVEL, import_tensorflow_quietly

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else QUIET_LOG_LEVEL)
    import_tensorflow_quietly()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in argv
    argv = [arg for arg in argv if arg != "--verbose"]
    # First thing, before any import pulls TensorFlow in (--help never does).
    if "tensorflow" not in sys.modules and not {"-h", "--help"} & set(argv):
        _start_tensorflow(verbose)
    # Libraries with their own logger levels (Dask's INFO start-up lines) stay quiet too.
    handler = logging.StreamHandler()
    handler.setLevel(logging.NOTSET if verbose else logging.WARNING)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", handlers=[handler]
    )
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    handler = {"cos": cos, "parity": parity, "bench": bench}.get(command, compare)
    try:
        return handler(argv[1:] if command else argv)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
