"""The one progress bar: training steps (or epochs) with the running loss.

Every trainer in the project (the regressors, the Estimator's :class:`ProgressHook`,
the comparison's rows) shows progress through :class:`ProgressBar`. It writes to
stderr and is silent where a bar would only be noise: when it is not enabled, and
when stderr is not a terminal (tqdm's ``disable=None``), so a log file never fills
with hundreds of carriage-return updates.

Example
-------
>>> import numpy as np
>>> from tf_pipeline.progress import ProgressBar
>>> with ProgressBar(100, "fit", enabled=False) as bar:
...     bar.advance(np.array([0.5, 0.25]))
>>> bar.done
2
"""

from __future__ import annotations

from types import TracebackType

import numpy as np
from numpy.typing import ArrayLike
from tqdm.auto import tqdm

__all__ = ["ProgressBar"]


class ProgressBar:
    """A tqdm bar over ``total`` units whose postfix shows the latest loss.

    Parameters
    ----------
    total : int
        Steps (or epochs) the bar counts to.
    desc : str
        The label in front of the bar.
    unit : str, default="step"
        What one unit of ``total`` is.
    enabled : bool, default=True
        False makes the bar silent (it still counts ``done``).
    leave : bool, default=False
        Keep the finished bar on screen (a fit's summary line) instead of clearing it
        (a row of a longer run, whose table follows).

    Attributes
    ----------
    done : int
        Units advanced so far.
    """

    def __init__(
        self,
        total: int,
        desc: str,
        *,
        unit: str = "step",
        enabled: bool = True,
        leave: bool = False,
    ) -> None:
        self.done = 0
        # disable=None: tqdm turns itself off when stderr is not a TTY.
        self._bar = tqdm(
            total=total,
            desc=desc,
            unit=unit,
            leave=leave,
            dynamic_ncols=True,
            disable=None if enabled else True,
        )

    @property
    def active(self) -> bool:
        """Whether anything is drawn (enabled and stderr a terminal)."""
        return not self._bar.disable

    def advance(self, losses: ArrayLike) -> None:
        """Count one loss per unit trained (one per step, or one per epoch)."""
        losses = np.atleast_1d(np.asarray(losses, dtype=np.float64))
        self.done += len(losses)
        if self.active and len(losses):
            self._bar.update(len(losses))
            self._bar.set_postfix(loss=f"{float(losses[-1]):.4g}", refresh=False)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
