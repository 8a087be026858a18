"""Turn a comparison into a table, ``report.json``, ``report.md`` and two figures.

Example
-------
>>> from tf_pipeline.comparison import ComparisonSettings, run_comparison
>>> from tf_pipeline.datasets import load_airpassengers
>>> from tf_pipeline.report import format_table
>>> result = run_comparison(load_airpassengers(), ComparisonSettings.quick(),
...                         models=["seasonal_naive"])
>>> print(format_table(result).splitlines()[2][:38])
seasonal naive           49.99   47.58
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from tf_pipeline.comparison import ComparisonResult, Row

COLORS = {
    "seasonal_naive": "#9e9e9e",
    "sarima": "#6a3d9a",
    "holt_winters": "#8c564b",
    "tf1_legacy": "#e6550d",
    "keras_lstm": "#3182bd",
    "keras_stateful": "#31a354",
    "tuned": "#d62728",
    "lstm_hybrid": "#ff7f0e",
}
"""Each row's colour in the figures; :func:`color_of` gives any other row one too."""
# For rows without a colour of their own: distinct from COLORS, stable per name.
_FALLBACK_COLORS = ("#17becf", "#bcbd22", "#e377c2", "#7f7f7f", "#393b79", "#637939")


def color_of(name: str) -> str:
    """The plot colour of the row ``name``: its own, or a fallback fixed by the name."""
    if name in COLORS:
        return COLORS[name]
    # crc32, not hash(): the same name gets the same colour in every run.
    return _FALLBACK_COLORS[zlib.crc32(name.encode()) % len(_FALLBACK_COLORS)]


def _steps_rate(row: Row) -> str:
    return f"{row.steps_per_second:,.0f}" if row.steps_per_second else "-"


def format_table(result: ComparisonResult) -> str:
    """The terminal table: one-step and recursive scores, fit time, training speed."""
    several = len(result.settings.seeds) > 1
    header = (
        f"{'model':<22}{'RMSE':>8}{'MAE':>8}{'MAPE%':>7}{'MASE':>7}  |"
        f"{'RMSE':>8}{'MASE':>7}  |{'fit s':>7}{'steps/s':>9}"
    )
    lines = [
        f"{'':<22}{f'one step ahead (last {result.test_size} months)':^30}  |"
        f"{f'{result.test_size} steps ahead':^15}  |",
        header,
    ]
    for row in result.rows:
        rmse_text = f"{row.one_step['rmse']:.2f}"
        if several and row.one_step_std["rmse"]:
            rmse_text += f"±{row.one_step_std['rmse']:.1f}"
        lines.append(
            f"{row.label:<22}{rmse_text:>8}{row.one_step['mae']:>8.2f}"
            f"{row.one_step['mape']:>7.2f}{row.one_step['mase']:>7.3f}  |"
            f"{row.multi_step['rmse']:>8.2f}{row.multi_step['mase']:>7.3f}  |"
            f"{row.fit_seconds:>7.1f}{_steps_rate(row):>9}"
        )
    return "\n".join(lines)


def _index(result: ComparisonResult) -> Any:
    import pandas as pd

    series = result.series
    if isinstance(series, pd.Series) and isinstance(series.index, pd.DatetimeIndex):
        return series.index
    return np.arange(len(series))


def plot_forecasts(result: ComparisonResult, path: Path) -> Path:
    """The series' recent past, the held-out region shaded, each model's forecasts.

    Two panels: one step ahead, and recursive from the end of the training part.
    """
    from matplotlib.figure import Figure

    # Four test-lengths of history: enough context, and the forecasts stay legible.
    shown = min(len(result.series), 4 * result.test_size)
    index = _index(result)[-shown:]
    values = np.asarray(result.series, dtype=float)[-shown:]
    test_index = index[-result.test_size :]
    figure = Figure(figsize=(11, 7.5), layout="constrained")
    axes = figure.subplots(2, 1, sharex=True)
    titles = ("one step ahead", f"{result.test_size} steps ahead (recursive)")
    for axis, title, attribute in zip(axes, titles, ("one_step", "multi_step"), strict=True):
        axis.plot(index, values, color="black", linewidth=1.4, label="actual")
        axis.axvspan(test_index[0], test_index[-1], color="#fff3c4", label="held out")
        for row in result.rows:
            forecast = np.mean([getattr(run, attribute) for run in result.forecasts[row.name]], 0)
            score = row.one_step["rmse"] if attribute == "one_step" else row.multi_step["rmse"]
            axis.plot(
                test_index,
                forecast,
                color=color_of(row.name),
                linewidth=1.3,
                label=f"{row.label} (RMSE {score:.1f})",
            )
        axis.set_title(f"Forecasts of the last {result.test_size} values, {title}")
        axis.set_ylabel("value")
        axis.grid(alpha=0.3)
        axis.legend(loc="upper left", fontsize=8, ncol=2)
    figure.savefig(path, dpi=110)
    return path


def plot_losses(result: ComparisonResult, path: Path) -> Path:
    """Training-loss curves of the neural models (log scale)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 5), layout="constrained")
    axis = figure.subplots()
    for row in result.rows:
        runs = [run for run in result.forecasts[row.name] if run.loss_curve is not None]
        if not runs:
            continue
        curve = np.asarray(runs[0].loss_curve, dtype=float)
        steps = np.linspace(0, row.steps or len(curve), len(curve))
        window = max(1, len(curve) // 200)  # a moving average keeps 10,000 noisy steps legible
        smooth = np.convolve(curve, np.ones(window) / window, mode="valid")
        axis.plot(steps[: len(smooth)], smooth, color=color_of(row.name), label=row.label)
    if not axis.lines:
        axis.text(0.5, 0.5, "no neural model in this run", ha="center", transform=axis.transAxes)
    else:
        axis.set_yscale("log")
        axis.legend(fontsize=8)
    axis.set_xlabel("training step")
    axis.set_ylabel("training loss (MSE on the model's scale)")
    axis.set_title("Training curves")
    axis.grid(alpha=0.3, which="both")
    figure.savefig(path, dpi=110)
    return path


def report_dict(result: ComparisonResult) -> dict[str, Any]:
    settings = dict(vars(result.settings))
    settings["seeds"] = list(settings["seeds"])
    return {
        "test_size": result.test_size,
        "n_values": len(result.series),
        "settings": settings,
        "best": result.best.label,
        "rows": [row.as_dict() for row in result.rows],
        "forecasts": {
            name: {
                "one_step": np.mean([r.one_step for r in runs], 0).tolist(),
                "multi_step": np.mean([r.multi_step for r in runs], 0).tolist(),
            }
            for name, runs in result.forecasts.items()
        },
        **result.extras,
    }


def markdown(result: ComparisonResult, title: str) -> str:
    columns = ["model", "RMSE", "MAE", "MAPE %", "MASE", "24-step RMSE", "24-step MASE"]
    columns += ["fit s", "steps/s", "notes"]
    rows = [
        "| " + " | ".join(columns) + " |",
        "| --- " + "| ---: " * (len(columns) - 2) + "| --- |",
    ]
    for row in result.rows:
        std = row.one_step_std["rmse"]
        rmse_text = f"{row.one_step['rmse']:.2f}" + (f" ± {std:.2f}" if std else "")
        rows.append(
            f"| {row.label} | {rmse_text} | {row.one_step['mae']:.2f} | "
            f"{row.one_step['mape']:.2f} | {row.one_step['mase']:.3f} | "
            f"{row.multi_step['rmse']:.2f} | {row.multi_step['mase']:.3f} | "
            f"{row.fit_seconds:.1f} | {_steps_rate(row)} | {row.note} |"
        )
    best = result.best
    seeds = result.settings.seeds
    return "\n".join(
        [
            f"# {title}",
            "",
            f"{len(result.series)} values; the last {result.test_size} held out. Scores are "
            f"one step ahead unless marked 24-step (recursive from the end of the training "
            f"part); neural rows are the mean over seeds {list(seeds)}.",
            "",
            *rows,
            "",
            f"Best one-step model: **{best.label}** (RMSE {best.one_step['rmse']:.2f}).",
            "",
            "![forecasts](forecast.png)",
            "",
            "![training curves](loss.png)",
            "",
        ]
    )


def write_report(result: ComparisonResult, out_dir: Path, title: str) -> dict[str, Path]:
    """Write report.json, report.md, forecast.png and loss.png into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / "report.json",
        "markdown": out_dir / "report.md",
        "forecast": plot_forecasts(result, out_dir / "forecast.png"),
        "loss": plot_losses(result, out_dir / "loss.png"),
    }
    paths["json"].write_text(json.dumps(report_dict(result), indent=2, default=float))
    paths["markdown"].write_text(markdown(result, title))
    return paths
