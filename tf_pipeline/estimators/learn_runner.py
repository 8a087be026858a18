"""``tf.contrib.learn.learn_runner.run``: build an Experiment and run one schedule, locally.

Example
-------
>>> import tempfile, numpy as np, tensorflow as tf
>>> from estimators import Estimator, learn_runner
>>> from estimators.experiment import Experiment
>>> from estimators.learn_models import linear_regression_zero_init
>>> def model_fn(features, labels):
...     predictions, loss = linear_regression_zero_init(features, labels)
...     step = tf.compat.v1.train.get_global_step()
...     train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, step)
...     return predictions, loss, train_op
>>> def input_fn():
...     return tf.constant([[1.0], [2.0]]), tf.constant([2.0, 4.0])
>>> def experiment_fn(output_dir):
...     return Experiment(Estimator(model_fn, model_dir=output_dir), input_fn, input_fn,
...                       train_steps=3, eval_delay_secs=0)
>>> learn_runner.run(experiment_fn, tempfile.mkdtemp(), schedule="train").model_dir != ""
True
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tf_pipeline.estimators.experiment import Experiment
from tf_pipeline.estimators.run_config import RunConfig

logger = logging.getLogger("estimators")

# Without a cluster (TF_CONFIG), TF 1.x ran this schedule.
DEFAULT_SCHEDULE = "train_and_evaluate"


def run(
    experiment_fn: Callable[..., Experiment],
    output_dir: str | None = None,
    schedule: str | None = None,
    run_config: RunConfig | None = None,
    hparams: Any = None,
) -> Any:
    """Make the Experiment and call its ``schedule`` method; return what it returns.

    Parameters
    ----------
    experiment_fn : callable
        ``experiment_fn(output_dir)`` (old form) or ``experiment_fn(run_config, hparams)``.
    output_dir : str, optional
        The model directory, for the old form; exclusive with ``run_config``.
    schedule : str, optional
        A public method of the Experiment; default ``"train_and_evaluate"`` (one process).
    run_config : RunConfig, optional
        Passed to ``experiment_fn``; its ``model_dir`` is the Estimator's.
    hparams : object, optional
        Passed to ``experiment_fn`` with ``run_config``.
    """
    if not callable(experiment_fn):
        raise TypeError(f"`experiment_fn` must be callable, got {experiment_fn!r}.")
    if output_dir is not None and run_config is not None:
        raise ValueError(
            f"Give `output_dir` or `run_config`, not both; got output_dir={output_dir!r} and "
            "a run_config."
        )
    if output_dir is not None:
        if hparams is not None:
            raise ValueError("`hparams` must be None with `output_dir`; pass a `run_config`.")
        experiment = experiment_fn(output_dir)
    elif run_config is not None:
        if not isinstance(run_config, RunConfig):
            raise TypeError(
                f"`run_config` must be a tf.contrib.learn RunConfig, got "
                f"{type(run_config).__name__}."
            )
        experiment = experiment_fn(run_config, hparams)
    else:
        raise ValueError("Give `output_dir` or `run_config` (with model_dir), got neither.")
    if not isinstance(experiment, Experiment):
        raise TypeError(
            f"`experiment_fn` must return an Experiment, got {type(experiment).__name__}."
        )
    schedule = schedule or DEFAULT_SCHEDULE
    valid = sorted(
        n for n in dir(Experiment) if not n.startswith("_") and callable(getattr(Experiment, n))
    )
    if schedule not in valid:
        raise ValueError(f"`schedule` must be one of {valid}, got {schedule!r}.")
    logger.info("Running the Experiment's schedule %r.", schedule)
    return getattr(experiment, schedule)()


__all__ = ["run"]
