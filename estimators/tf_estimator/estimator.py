"""``tf.estimator.Estimator`` (TF 2.15, v1 API) on the engine of :mod:`estimators.estimator`.

Training, evaluation and prediction run through the same engine as ``tf.contrib.learn``'s
Estimator: one ``model_dir`` layout (``model.ckpt-<step>``, ``checkpoint``, ``graph.pbtxt``,
events), one ``MonitoredSession`` with its hooks, one NaN guard, one training lock.

Example
-------
>>> import numpy as np
>>> import tensorflow as tf
>>> from estimators.tf_estimator import Estimator, EstimatorSpec, ModeKeys, inputs
>>> def model_fn(features, labels, mode):
...     y = tf.compat.v1.layers.dense(features["x"], 1)
...     if mode == ModeKeys.PREDICT:
...         return EstimatorSpec(mode, predictions=y)
...     loss = tf.compat.v1.losses.mean_squared_error(labels, y)
...     step = tf.compat.v1.train.get_global_step()
...     train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, step)
...     return EstimatorSpec(mode, loss=loss, train_op=train_op)
>>> x = {"x": np.arange(8, dtype=np.float32).reshape(-1, 1)}
>>> y = 2 * x["x"]
>>> est = Estimator(model_fn)
>>> est = est.train(inputs.numpy_input_fn(x, y, batch_size=4, shuffle=False), steps=5)
>>> est.get_variable_value("global_step")
5
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable, Generator, Iterable
from typing import Any

from estimators.tf_estimator.run_config import RunConfig

logger = logging.getLogger("estimators")


class WarmStartSettings(
    collections.namedtuple(
        "WarmStartSettings",
        [
            "ckpt_to_initialize_from",
            "vars_to_warm_start",
            "var_name_to_vocab_info",
            "var_name_to_prev_var_name",
        ],
    )
):
    """Which variables to initialise from which checkpoint (``tf.estimator.WarmStartSettings``).

    Parameters
    ----------
    ckpt_to_initialize_from : str
        A checkpoint prefix, or a directory (its latest checkpoint).
    vars_to_warm_start : str or list of str, default=".*"
        A regex over trainable variables, or a list of names / regexes over all variables.
    var_name_to_vocab_info : dict, optional
        ``name -> tf.compat.v1.train.VocabInfo`` for remapped embeddings.
    var_name_to_prev_var_name : dict, optional
        ``name -> its name in the checkpoint``.
    """

    def __new__(
        cls,
        ckpt_to_initialize_from: str,
        vars_to_warm_start: Any = ".*",
        var_name_to_vocab_info: dict | None = None,
        var_name_to_prev_var_name: dict | None = None,
    ) -> WarmStartSettings:
        if not ckpt_to_initialize_from:
            raise ValueError(
                "`ckpt_to_initialize_from` must be a checkpoint path or directory, got "
                f"{ckpt_to_initialize_from!r}."
            )
        return super().__new__(
            cls,
            ckpt_to_initialize_from,
            vars_to_warm_start,
            var_name_to_vocab_info or {},
            var_name_to_prev_var_name or {},
        )


class Estimator:
    """Train, evaluate, predict and export a ``tf.estimator`` model_fn (TF 2.15 behaviour).

    Parameters
    ----------
    model_fn : callable
        ``model_fn(features, labels, mode, params, config)`` (any subset after
        ``features``) returning an :class:`EstimatorSpec`.
    model_dir : str, optional
        Checkpoints and events; else ``config.model_dir``; else a temporary directory.
    config : RunConfig, optional
    params : dict, optional
        Passed to ``model_fn`` as ``params``.
    warm_start_from : str or WarmStartSettings, optional
        Initialise variables from this checkpoint (or directory) when training starts
        without a checkpoint in ``model_dir``.
    """

    def __init__(
        self,
        model_fn: Callable,
        model_dir: str | None = None,
        config: RunConfig | None = None,
        params: dict[str, Any] | None = None,
        warm_start_from: str | WarmStartSettings | None = None,
    ) -> None:
        raise NotImplementedError

    @property
    def model_dir(self) -> str:
        raise NotImplementedError

    @property
    def config(self) -> RunConfig:
        raise NotImplementedError

    @property
    def params(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def model_fn(self) -> Callable:
        raise NotImplementedError

    def train(
        self,
        input_fn: Callable,
        hooks: Iterable[Any] | None = None,
        steps: int | None = None,
        max_steps: int | None = None,
        saving_listeners: Iterable[Any] | None = None,
    ) -> Estimator:
        raise NotImplementedError

    def evaluate(
        self,
        input_fn: Callable,
        steps: int | None = None,
        hooks: Iterable[Any] | None = None,
        checkpoint_path: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        raise NotImplementedError

    def predict(
        self,
        input_fn: Callable,
        predict_keys: str | list[str] | None = None,
        hooks: Iterable[Any] | None = None,
        checkpoint_path: str | None = None,
        yield_single_examples: bool = True,
    ) -> Generator[Any, None, None]:
        raise NotImplementedError

    def export_saved_model(
        self,
        export_dir_base: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict[str, str] | None = None,
        as_text: bool = False,
        checkpoint_path: str | None = None,
        experimental_mode: str = "infer",
    ) -> bytes:
        raise NotImplementedError

    def export_savedmodel(
        self,
        export_dir_base: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict[str, str] | None = None,
        as_text: bool = False,
        checkpoint_path: str | None = None,
        strip_default_attrs: bool = False,
    ) -> bytes:
        raise NotImplementedError

    def get_variable_names(self) -> list[str]:
        raise NotImplementedError

    def get_variable_value(self, name: str) -> Any:
        raise NotImplementedError

    def latest_checkpoint(self) -> str | None:
        raise NotImplementedError
