"""The comparison over many series of a long CSV: one report, a row per series and model.

Every series goes through :func:`tf_pipeline.comparison.run_comparison` as one task of
:func:`tf_pipeline.parallel.run_tasks` (a loop here, or spread over a Dask cluster
under ``joblib.parallel_config("dask")``). The report keeps each series' rows as
:mod:`tf_pipeline.report` writes them and adds a summary per model: its mean MASE
(scale-free, so series of different levels can be averaged) and on how many series
it was the best one-step model.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.comparison import ComparisonSettings
>>> from tf_pipeline.panel import run_panel, summary
>>> t = np.arange(72)
>>> series = {"a": 100 + 10 * np.sin(t * np.pi / 6) + t, "b": 50 + 5 * np.cos(t * np.pi / 6)}
>>> panel = run_panel(series, ComparisonSettings.quick(progress=False),
...                   models=["seasonal_naive"])
>>> summary(panel)[0]["wins"]
2
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tf_pipeline.comparison import ComparisonResult, ComparisonSettings, run_comparison
from tf_pipeline.parallel import run_tasks
from tf_pipeline.report import report_dict


def load_long_csv(
    path: str | Path, id_column: str, column: str, *, date_column: str | None = None
) -> dict[str, Any]:
    """Split a long CSV (one row per series and month) into ``{id: pandas.Series}``.

    Rows of each series are taken in file order, or sorted by ``date_column``.
    """
    import pandas as pd

    frame = pd.read_csv(path)
    for name, wanted in (
        ("id_column", id_column),
        ("column", column),
        ("date_column", date_column),
    ):
        if wanted is not None and wanted not in frame.columns:
            raise ValueError(
                f"`{name}` must name a column of {path}, got {wanted!r}; the columns are "
                f"{list(frame.columns)}."
            )
    if date_column is not None:
        frame = frame.assign(**{date_column: pd.to_datetime(frame[date_column])})
        frame = frame.sort_values([id_column, date_column], kind="stable")
    out = {}
    for key, group in frame.groupby(id_column, sort=False):
        values = pd.to_numeric(group[column], errors="coerce").astype(np.float64)
        if date_column is not None:
            values.index = pd.DatetimeIndex(group[date_column])
        out[str(key)] = values.rename(f"{key}:{column}")
    return out


def run_panel(
    series: dict[str, Any],
    settings: ComparisonSettings | None = None,
    *,
    models: list[str] | None = None,
) -> dict[str, ComparisonResult]:
    """:func:`~tf_pipeline.comparison.run_comparison` for every series, as parallel tasks.

    Returns
    -------
    dict
        ``{id: ComparisonResult}`` in the input order.
    """
    if not series:
        raise ValueError("`series` must hold at least one series, got none.")
    settings = settings or ComparisonSettings()
    tasks = [(values, settings, models) for values in series.values()]
    return dict(zip(series, run_tasks(_compare_one, tasks), strict=True))


def _compare_one(values: Any, settings: ComparisonSettings, models: list[str] | None):
    return run_comparison(values, settings, models=models)


def summary(panel: dict[str, ComparisonResult]) -> list[dict[str, Any]]:
    """Per model: mean one-step and recursive MASE over the series, and best-model wins."""
    first = next(iter(panel.values()))
    wins = [result.best.name for result in panel.values()]
    out = []
    for row in first.rows:
        rows = [next(r for r in result.rows if r.name == row.name) for result in panel.values()]
        out.append(
            {
                "model": row.name,
                "label": row.label,
                "mean_mase": float(np.mean([r.one_step["mase"] for r in rows])),
                "mean_multi_step_mase": float(np.mean([r.multi_step["mase"] for r in rows])),
                "wins": wins.count(row.name),
            }
        )
    return out


def markdown(panel: dict[str, ComparisonResult], title: str) -> str:
    """The report: the summary per model, then a row per series and model."""
    lines = [
        f"# {title}",
        "",
        f"{len(panel)} series; per series, the last {first_test_size(panel)} values held out. "
        "MASE is scale-free, so it is averaged over series; wins count the series on which "
        "a model had the lowest one-step RMSE.",
        "",
        "| model | mean MASE | mean recursive MASE | wins |",
        "| --- | ---: | ---: | ---: |",
    ]
    for item in summary(panel):
        lines.append(
            f"| {item['label']} | {item['mean_mase']:.3f} | "
            f"{item['mean_multi_step_mase']:.3f} | {item['wins']} |"
        )
    lines += [
        "",
        "| series | model | RMSE | MAE | MAPE % | MASE | recursive RMSE | fit s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, result in panel.items():
        for row in result.rows:
            lines.append(
                f"| {key} | {row.label} | {row.one_step['rmse']:.2f} | "
                f"{row.one_step['mae']:.2f} | {row.one_step['mape']:.2f} | "
                f"{row.one_step['mase']:.3f} | {row.multi_step['rmse']:.2f} | "
                f"{row.fit_seconds:.1f} |"
            )
    return "\n".join(lines) + "\n"


def first_test_size(panel: dict[str, ComparisonResult]) -> int:
    return next(iter(panel.values())).test_size


def write_panel_report(
    panel: dict[str, ComparisonResult], out_dir: Path, title: str
) -> dict[str, Path]:
    """Write ``report.json`` (summary, and each series' :func:`report_dict`) and ``report.md``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md"}
    content = {
        "n_series": len(panel),
        "summary": summary(panel),
        "series": {key: report_dict(result) for key, result in panel.items()},
    }
    paths["json"].write_text(json.dumps(content, indent=2, default=float))
    paths["markdown"].write_text(markdown(panel, title))
    return paths
