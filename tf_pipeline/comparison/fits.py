"""Every (row, seed) fit of a comparison, as tasks of :func:`tf_pipeline.parallel.run_tasks`."""

from __future__ import annotations

import logging

from tf_pipeline.comparison.data import ScaledWindows
from tf_pipeline.comparison.rows import RowSpec, spec_of
from tf_pipeline.comparison.settings import ComparisonSettings
from tf_pipeline.forecasting import Forecast

__all__ = ["run_fits"]

logger = logging.getLogger(__name__)


def run_fits(
    names: list[str], data: ScaledWindows, settings: ComparisonSettings
) -> dict[str, list[Forecast]]:
    """Each row's forecasts, one per seed (one for a row that takes no seed).

    The fits are independent, so under a parallel joblib backend (``run.py --backend
    dask``) they run side by side; without one, in order in this process. A row that
    fans out tasks of its own (the tuned row's CV) runs here instead, so that its
    tasks, not one long task, reach the workers.
    """
    from tf_pipeline.parallel import run_tasks

    def seeds(spec: RowSpec) -> tuple[int, ...]:
        return settings.seeds if spec.seeded else settings.seeds[:1]

    specs = {name: spec_of(name) for name in names}
    tasks = [
        (name, spec, data, settings, seed)
        for name, spec in specs.items()
        if not spec.fans_out
        for seed in seeds(spec)
    ]
    done = iter(run_tasks(_fit_one, tasks))
    forecasts: dict[str, list[Forecast]] = {}
    for name, spec in specs.items():
        if spec.fans_out:
            forecasts[name] = [_fit_one(name, spec, data, settings, s) for s in seeds(spec)]
        else:
            forecasts[name] = [next(done) for _ in seeds(spec)]
    return forecasts


def _fit_one(
    name: str, spec: RowSpec, data: ScaledWindows, settings: ComparisonSettings, seed: int
) -> Forecast:
    logger.info("fitting %s (seed %d)", name, seed)
    return spec.run(data, settings, seed)
