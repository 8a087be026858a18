"""The lstm_hybrid row next to the classical rows, over seeds, on both shipped series.

For AirPassengers and the Mauna Loa CO2 monthly means, the last 24 months are held out;
seasonal naive, SARIMA and Holt–Winters come from :func:`tf_pipeline.comparison.run_comparison`
(seed-free), the hybrid from :func:`tf_pipeline.hybrid.hybrid_forecast` with seeds 0..N-1,
reported as mean ± standard deviation of the one-step and 24-step RMSE, with its chosen
blend weights and its wall time per seed. Run:
``python -m benchmarks.hybrid_eval [--seeds 5] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

CLASSICAL = ("seasonal_naive", "sarima", "holt_winters")
TEST_SIZE = 24


def evaluate(name: str, values: np.ndarray, seeds: int) -> dict:
    from tf_pipeline.comparison import ComparisonSettings, run_comparison
    from tf_pipeline.hybrid import hybrid_forecast
    from tf_pipeline.metrics import rmse

    settings = ComparisonSettings(test_size=TEST_SIZE, progress=False)
    result = run_comparison(values, settings, models=list(CLASSICAL))
    rows = {
        row.name: {"one_step": row.one_step["rmse"], "multi_step": row.multi_step["rmse"]}
        for row in result.rows
    }
    actual = values[-TEST_SIZE:]
    one, multi, seconds, notes = [], [], [], []
    for seed in range(seeds):
        start = time.perf_counter()
        forecast = hybrid_forecast(values, TEST_SIZE, seed=seed)
        seconds.append(time.perf_counter() - start)
        one.append(rmse(actual, forecast.one_step))
        multi.append(rmse(actual, forecast.multi_step))
        notes.append(forecast.note.split(";")[0])
    rows["lstm_hybrid"] = {
        "one_step": float(np.mean(one)),
        "one_step_std": float(np.std(one)),
        "multi_step": float(np.mean(multi)),
        "multi_step_std": float(np.std(multi)),
        "per_seed": {"one_step": one, "multi_step": multi, "seconds": seconds, "notes": notes},
    }
    return {"series": name, "rows": rows}


def _print(report: dict) -> None:
    print(f"{report['series']} (last {TEST_SIZE} months)")
    print(f"  {'model':16s} {'1-step RMSE':>16s} {'24-step RMSE':>16s}")
    for name, row in report["rows"].items():
        if "one_step_std" in row:
            one = f"{row['one_step']:.2f} ± {row['one_step_std']:.2f}"
            multi = f"{row['multi_step']:.2f} ± {row['multi_step_std']:.2f}"
        else:
            one, multi = f"{row['one_step']:.2f}", f"{row['multi_step']:.2f}"
        print(f"  {name:16s} {one:>16s} {multi:>16s}")
    per_seed = report["rows"]["lstm_hybrid"]["per_seed"]
    for seed, (note, seconds) in enumerate(
        zip(per_seed["notes"], per_seed["seconds"], strict=True)
    ):
        print(f"    seed {seed}: {note} ({seconds:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    from tf_pipeline.datasets import load_airpassengers, load_co2_monthly

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args(argv)
    reports = []
    for name, load in (("AirPassengers", load_airpassengers), ("Mauna Loa CO2", load_co2_monthly)):
        reports.append(evaluate(name, load().to_numpy(), args.seeds))
        _print(reports[-1])
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(reports, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
