"""Command-line entry point: ``python run.py`` on the shipped AirPassengers data."""

from __future__ import annotations

import argparse
import sys

from tf_pipeline.baselines import seasonal_naive
from tf_pipeline.datasets import load_airpassengers
from tf_pipeline.metrics import mae, mape, mase, rmse

SEASON = 12


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Forecast AirPassengers with the legacy TF1 pipeline and its baselines."
    )
    parser.add_argument(
        "--test-size",
        type=int,
        default=24,
        help="months held out at the end of the series (default: 24)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    series = load_airpassengers()
    if not SEASON < args.test_size < len(series) - SEASON:
        print(
            f"error: `--test-size` must be in ({SEASON}, {len(series) - SEASON}), "
            f"got {args.test_size}.",
            file=sys.stderr,
        )
        return 2
    values = series.to_numpy()
    train, test = values[: -args.test_size], values[-args.test_size :]
    print(
        f"AirPassengers: {len(series)} months, {series.index[0]:%Y-%m} to "
        f"{series.index[-1]:%Y-%m}, mean {series.mean():.2f}, "
        f"min {series.min():.0f}, max {series.max():.0f} ({series.idxmax():%Y-%m})"
    )
    print(f"held out: last {args.test_size} months ({series.index[-args.test_size]:%Y-%m} on)")
    forecast = seasonal_naive(values, n_test=args.test_size, season=SEASON)
    print(f"{'model':<16}{'RMSE':>8}{'MAE':>8}{'MAPE%':>8}{'MASE':>8}")
    print(
        f"{'seasonal naive':<16}{rmse(test, forecast):>8.2f}{mae(test, forecast):>8.2f}"
        f"{mape(test, forecast):>8.2f}{mase(test, forecast, train, SEASON):>8.3f}"
    )
    print("best: seasonal naive (the only model so far)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
