"""``tf.estimator.Estimator`` (TF 2.15, v1 API) on the engine of :mod:`estimators.estimator`.

Training, evaluation and prediction run through the same engine as ``tf.contrib.learn``'s
Estimator: one ``model_dir`` layout (``model.ckpt-<step>``, ``checkpoint``, ``graph.pbtxt``,
events), one ``MonitoredSession`` with its hooks, one NaN guard, one training lock.

Example
-------
>>> import numpy as np
>>> import tf_pipeline.tf1 as tf
>>> from estimators.tf_estimator import Estimator, EstimatorSpec, ModeKeys, inputs
>>> def model_fn(features, labels, mode):
...     y = tf.layers.dense(features["x"], 1)
...     if mode == ModeKeys.PREDICT:
...         return EstimatorSpec(mode, predictions=y)
...     loss = tf.losses.mean_squared_error(labels, y)
...     step = tf.train.get_global_step()
...     train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, step)
...     return EstimatorSpec(mode, loss=loss, train_op=train_op)
>>> x = {"x": np.arange(8, dtype=np.float32).reshape(-1, 1)}
>>> y = 2 * x["x"]
>>> est = Estimator(model_fn)
>>> train_input = inputs.numpy_input_fn(x, y, batch_size=4, num_epochs=None, shuffle=True)
>>> int(est.train(train_input, steps=5).get_variable_value("global_step"))
5
"""

from __future__ import annotations

import collections
import copy
import inspect
import logging
import os
from collections.abc import Callable, Generator, Iterable
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline._checks import check_int
from tf_pipeline.estimators.engine import EstimatorEngine, eval_dir, resolve_model_dir
from tf_pipeline.estimators.model_dir import latest_checkpoint
from tf_pipeline.estimators.queue_input import input_timeouts, monitored
from tf_pipeline.estimators.saved_model import write_saved_model
from tf_pipeline.estimators.tf_estimator.export_output import (
    build_all_signature_defs,
    get_export_outputs,
)
from tf_pipeline.estimators.tf_estimator.run_config import RunConfig
from tf_pipeline.estimators.tf_estimator.spec import EstimatorSpec, ModeKeys

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


_MODEL_FN_ARGS = ("features", "labels", "mode", "params", "config")
_INPUT_FN_ARGS = ("mode", "params", "config")


def _fn_args(fn: Callable) -> tuple[str, ...]:
    """Names of the arguments ``fn`` takes (``functools.partial`` keywords excluded)."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError) as error:
        raise TypeError(f"`{fn!r}` must be a callable with a signature.") from error
    return tuple(
        name
        for name, p in parameters.items()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and name != "self"
    )


def _warm_start_settings(warm_start_from: Any) -> WarmStartSettings | None:
    if warm_start_from is None or isinstance(warm_start_from, WarmStartSettings):
        return warm_start_from
    if isinstance(warm_start_from, (str, bytes, os.PathLike)):
        path = os.fsdecode(warm_start_from)
        # A SavedModel directory warm-starts from its variables, as in TF 2.15.
        if tf.compat.v1.saved_model.contains_saved_model(path):
            path = os.path.join(path, "variables", "variables")
        return WarmStartSettings(ckpt_to_initialize_from=path)
    raise ValueError(
        "`warm_start_from` must be a string path or a WarmStartSettings, got "
        f"{type(warm_start_from).__name__}."
    )


def parse_input_fn_result(result: Any) -> tuple[Any, Any, list]:
    """``(features, labels, input_hooks)`` of what an input_fn returned (TF 2.15 rules).

    A ``tf.data.Dataset`` becomes an initializable iterator whose initializer a hook runs
    when the session is created; its elements (and a plain result) are ``(features,
    labels)`` when they are a pair, else features alone.
    """
    hooks = []
    if isinstance(result, tf.data.Dataset):
        iterator = tf.compat.v1.data.make_initializable_iterator(result)
        hooks.append(_DatasetInitializerHook(iterator))
        result = iterator.get_next()
    if isinstance(result, (list, tuple)):
        if len(result) != 2:
            raise ValueError(
                "`input_fn` must return features or (features, labels), got a "
                f"{type(result).__name__} of {len(result)} items."
            )
        return result[0], result[1], hooks
    return result, None, hooks


class _DatasetInitializerHook(tf.compat.v1.train.SessionRunHook):
    """Initialise the input Dataset's iterator once the session exists."""

    def __init__(self, iterator: Any) -> None:
        self._initializer = iterator.initializer

    def after_create_session(self, session, coord):
        session.run(self._initializer)


class Estimator(EstimatorEngine):
    """Train, evaluate, predict and export a ``tf.estimator`` model_fn (TF 2.15 behaviour).

    Parameters
    ----------
    model_fn : callable
        ``model_fn(features, labels, mode, params, config)`` (any subset; ``features``
        required) returning an :class:`EstimatorSpec`. The global step exists before it
        is called, so ``tf.train.get_global_step()`` works inside it.
    model_dir : str, optional
        Checkpoints and events; else ``config.model_dir``; else a temporary directory.
    config : RunConfig, optional
    params : dict, optional
        Passed to ``model_fn`` (a deep copy) as ``params``.
    warm_start_from : str or WarmStartSettings, optional
        A checkpoint, a model_dir or a SavedModel directory to initialise the trainable
        variables from when training starts without a checkpoint in ``model_dir``.

    Notes
    -----
    Runs on the engine of ``tf.contrib.learn``'s Estimator (:mod:`estimators.engine`):
    ``train`` resumes from the latest checkpoint, one process trains a model_dir at a
    time (:class:`~estimators.model_dir.ModelDirBusyError`), a NaN or infinite loss stops
    training before it is checkpointed (:class:`~estimators.hooks.NanLossError`, a
    ``tf.compat.v1.train.NanLossDuringTrainingError``), and an unreadable checkpoint, or
    one of another (or bigger) model, is a :class:`~estimators.model_dir.CheckpointError`
    raised before anything is written. ``predict``/``evaluate`` of the latest checkpoint
    retry when a trainer rotates it away mid-read. Input without a Dataset or queue
    (constant tensors) is run once by ``evaluate``/``predict`` where TF 2.15 looped forever.
    """

    _TRAIN_METHOD = "train"

    def __init__(
        self,
        model_fn: Callable,
        model_dir: str | None = None,
        config: RunConfig | None = None,
        params: dict[str, Any] | None = None,
        warm_start_from: str | WarmStartSettings | None = None,
    ) -> None:
        if not callable(model_fn):
            raise TypeError(f"`model_fn` must be callable, got {model_fn!r}.")
        args = _fn_args(model_fn)
        if "features" not in args:
            raise ValueError(f"`model_fn` must take a `features` argument, got {args}.")
        unexpected = [name for name in args if name not in _MODEL_FN_ARGS]
        if unexpected:
            raise ValueError(
                f"`model_fn` arguments must be among {_MODEL_FN_ARGS}, got unexpected "
                f"{unexpected}."
            )
        if params and "params" not in args:
            raise ValueError(
                f"`model_fn` must take a `params` argument when `params` are given, got "
                f"params={params!r} and arguments {args}."
            )
        if config is None:
            config = RunConfig()
        elif not isinstance(config, RunConfig):
            raise TypeError(
                "`config` must be a tf.estimator.RunConfig (estimators.tf_estimator."
                f"RunConfig), got {type(config).__name__}."
            )
        self._model_fn = model_fn
        self._model_dir = resolve_model_dir(model_dir, config)
        if config.model_dir != self._model_dir:
            config = config.replace(model_dir=self._model_dir)
        self._config = config
        self._params = copy.deepcopy(params or {})
        self._warm_start_settings = _warm_start_settings(warm_start_from)
        self.last_fit_stats: dict[str, float] | None = None
        self.last_fit_losses: np.ndarray | None = None

    @property
    def params(self) -> dict[str, Any]:
        """A copy of the ``params`` given (changing it changes nothing)."""
        return copy.deepcopy(self._params)

    @property
    def model_fn(self) -> Callable:
        """The model_fn, called as ``model_fn(features, labels, mode, config)``."""

        def public_model_fn(features, labels, mode, config):
            return self._call_model_fn(features, labels, mode, config)

        return public_model_fn

    # -- train ------------------------------------------------------------------------------
    def train(
        self,
        input_fn: Callable,
        hooks: Iterable[Any] | None = None,
        steps: int | None = None,
        max_steps: int | None = None,
        saving_listeners: Iterable[Any] | None = None,
    ) -> Estimator:
        """Train for ``steps`` more steps, up to global step ``max_steps``, or until the
        input ends.

        Parameters
        ----------
        input_fn : callable
            Returns a ``tf.data.Dataset`` of ``(features, labels)``, or ``(features,
            labels)`` tensors (queue-based ones too). It may take ``mode``, ``params``,
            ``config``.
        hooks : list of SessionRunHook, optional
        steps, max_steps : int, optional
            At most one; ``max_steps`` already reached makes this a no-op.
        saving_listeners : list of CheckpointSaverListener, optional
            Called around every checkpoint save.

        Returns
        -------
        self
        """
        if steps is not None and max_steps is not None:
            raise ValueError(
                f"Give `steps` or `max_steps`, not both; got steps={steps}, max_steps={max_steps}."
            )
        if steps is not None:
            check_int(steps, "steps", minimum=1)
        if max_steps is not None:
            check_int(max_steps, "max_steps", minimum=1)
        hooks = _check_hooks(hooks)
        self._train_model(input_fn, hooks, steps, max_steps, saving_listeners=saving_listeners)
        return self

    # -- evaluate ---------------------------------------------------------------------------
    def evaluate(
        self,
        input_fn: Callable,
        steps: int | None = None,
        hooks: Iterable[Any] | None = None,
        checkpoint_path: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """Metrics of the latest checkpoint (or ``checkpoint_path``) over ``input_fn``.

        Runs ``steps`` batches, or until the input ends. The scalars are also written as
        TensorBoard events to ``model_dir/eval`` (``eval_<name>``).

        Returns
        -------
        dict
            ``loss`` (mean of the batch losses), ``global_step`` and the model_fn's
            ``eval_metric_ops``.
        """
        if steps is not None:
            check_int(steps, "steps", minimum=1)
        hooks = _check_hooks(hooks)
        checkpoint = self._checkpoint_or_latest(checkpoint_path, "evaluate")
        results = self._evaluate_model(
            input_fn,
            checkpoint,
            hooks,
            steps,
            summary_dir=self.eval_dir(name),
            pinned=bool(checkpoint_path),
        )
        logger.info(
            "Saving dict for global step %d: %s",
            results["global_step"],
            ", ".join(f"{k} = {v}" for k, v in sorted(results.items())),
        )
        return results

    def eval_dir(self, name: str | None = None) -> str:
        """The directory evaluation ``name`` writes its events to."""
        return eval_dir(self._model_dir, name)

    # -- predict ----------------------------------------------------------------------------
    def predict(
        self,
        input_fn: Callable,
        predict_keys: str | list[str] | None = None,
        hooks: Iterable[Any] | None = None,
        checkpoint_path: str | None = None,
        yield_single_examples: bool = True,
    ) -> Generator[Any, None, None]:
        """Yield the predictions of the latest checkpoint (or ``checkpoint_path``).

        A generator: nothing runs until it is iterated. Yields one row (a dict when the
        predictions are a dict) per example, or whole batches when
        ``yield_single_examples`` is False; ``predict_keys`` selects prediction keys.
        """
        hooks = _check_hooks(hooks)
        checkpoint = self._checkpoint_or_latest(checkpoint_path, "predict")
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.set_random_seed(self._config.tf_random_seed)
            tf.compat.v1.train.create_global_step(graph)
            features, _, input_hooks = parse_input_fn_result(
                self._call_input_fn(input_fn, ModeKeys.PREDICT)
            )
            spec = self._call_model_fn(features, None, ModeKeys.PREDICT, self._config)
            predictions = _extract_keys(spec.predictions, predict_keys)
            # A named checkpoint is used as is; the latest is retried if a trainer
            # rotates it away before it is restored.
            session, _ = self._restored_session(graph, checkpoint, pinned=bool(checkpoint_path))
            all_hooks = input_hooks + hooks + list(spec.prediction_hooks)
            running = monitored(session, all_hooks)
        timeout = self._config.input_timeout_secs
        with running, input_timeouts(input_fn, timeout):
            for batch in self.run_batches(running, graph, predictions, None, None, timeout):
                if not yield_single_examples:
                    yield batch
                elif isinstance(batch, dict):
                    for i in range(_batch_length(batch)):
                        yield {key: value[i] for key, value in batch.items()}
                else:
                    yield from batch

    # -- export -----------------------------------------------------------------------------
    def export_saved_model(
        self,
        export_dir_base: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict[str, str] | None = None,
        as_text: bool = False,
        checkpoint_path: str | None = None,
        experimental_mode: str = ModeKeys.PREDICT,
    ) -> bytes:
        """Export the latest checkpoint as a SavedModel in ``export_dir_base/<timestamp>``.

        The serving graph is model_fn in PREDICT mode on ``serving_input_receiver_fn()``'s
        features; its ``export_outputs`` become the signatures (``serving_default``
        first). It loads with ``tf.compat.v1.saved_model.loader.load`` (tag ``serve``)
        and ``tf.saved_model.load``.

        Returns
        -------
        bytes
            The export directory, as TF returned it.
        """
        if experimental_mode != ModeKeys.PREDICT:
            raise ValueError(
                f"`experimental_mode` must be {ModeKeys.PREDICT!r} (TRAIN/EVAL SavedModels "
                f"are not supported), got {experimental_mode!r}."
            )
        checkpoint = checkpoint_path or self.latest_checkpoint()
        if not checkpoint:
            raise ValueError(
                f"`checkpoint_path` must name a checkpoint, got none and model_dir "
                f"{self._model_dir!r} has none: train first."
            )
        if not callable(serving_input_receiver_fn):
            raise TypeError(
                f"`serving_input_receiver_fn` must be callable, got {serving_input_receiver_fn!r}."
            )

        def build() -> tuple[dict[str, Any], Any, Any]:
            tf.compat.v1.set_random_seed(self._config.tf_random_seed)
            receiver = serving_input_receiver_fn()
            spec = self._call_model_fn(
                receiver.features,
                getattr(receiver, "labels", None),
                ModeKeys.PREDICT,
                self._config,
            )
            signatures = build_all_signature_defs(
                receiver.receiver_tensors,
                get_export_outputs(spec.export_outputs, spec.predictions),
                getattr(receiver, "receiver_tensors_alternatives", None),
            )
            return signatures, spec.scaffold.saver, spec.scaffold.local_init_op

        return write_saved_model(
            export_dir_base,
            build,
            checkpoint,
            self._config.session_config_or_default(),
            assets_extra,
            as_text,
        )

    def export_savedmodel(
        self,
        export_dir_base: str,
        serving_input_receiver_fn: Callable,
        assets_extra: dict[str, str] | None = None,
        as_text: bool = False,
        checkpoint_path: str | None = None,
        strip_default_attrs: bool = False,
    ) -> bytes:
        """Deprecated TF 1.x name of :meth:`export_saved_model` (default attrs always kept)."""
        return self.export_saved_model(
            export_dir_base, serving_input_receiver_fn, assets_extra, as_text, checkpoint_path
        )

    # -- checkpoint access ------------------------------------------------------------------
    def get_variable_names(self) -> list[str]:
        """Names of the variables in the latest checkpoint."""
        return [name for name, _ in tf.train.list_variables(self._require_checkpoint())]

    def get_variable_value(self, name: str) -> Any:
        """Value of variable ``name`` in the latest checkpoint."""
        return tf.train.load_variable(self._require_checkpoint(), name)

    def latest_checkpoint(self) -> str | None:
        """The newest checkpoint prefix in ``model_dir``, or None."""
        return latest_checkpoint(self._model_dir)

    # -- what the engine asks of a front-end ------------------------------------------------
    def _features_and_labels(self, input_fn: Callable, mode: str) -> tuple[Any, Any, list]:
        return parse_input_fn_result(self._call_input_fn(input_fn, mode))

    def _call(self, features: Any, labels: Any, mode: str) -> EstimatorSpec:
        spec = self._call_model_fn(features, labels, mode, self._config)
        if mode == ModeKeys.EVAL and "loss" in spec.eval_metric_ops:
            raise ValueError(
                "`eval_metric_ops` must not name a metric 'loss': the Estimator adds the mean "
                "loss under that name."
            )
        return spec

    def _after_model_fn(self, features: Any, labels: Any, ops: Any, mode: str) -> None:
        if mode == ModeKeys.TRAIN and self._warm_start_settings is not None:
            logger.info("Warm-starting with WarmStartSettings: %s", self._warm_start_settings)
            tf.compat.v1.train.warm_start(*self._warm_start_settings)

    def _call_input_fn(self, input_fn: Callable, mode: str) -> Any:
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, got {input_fn!r}.")
        args = _fn_args(input_fn)
        available = {"mode": mode, "params": self.params, "config": self._config}
        kwargs = {name: available[name] for name in _INPUT_FN_ARGS if name in args}
        with tf.device("/cpu:0"):
            return input_fn(**kwargs)

    def _call_model_fn(self, features: Any, labels: Any, mode: str, config: Any) -> Any:
        args = _fn_args(self._model_fn)
        kwargs: dict[str, Any] = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError(
                "`model_fn` must take a `labels` argument when input_fn returns labels."
            )
        if "mode" in args:
            kwargs["mode"] = mode
        if "params" in args:
            kwargs["params"] = self.params
        if "config" in args:
            kwargs["config"] = config
        spec = self._model_fn(features=features, **kwargs)
        if not isinstance(spec, EstimatorSpec):
            raise ValueError(
                f"`model_fn` must return an EstimatorSpec, got {type(spec).__name__}."
            )
        return spec

    def _checkpoint_or_latest(self, checkpoint_path: str | None, what: str) -> str | None:
        if checkpoint_path:
            return checkpoint_path
        checkpoint = self.latest_checkpoint()
        if checkpoint is None:
            logger.info(
                "Could not find trained model in model_dir: %s, running initialization to %s.",
                self._model_dir,
                what,
            )
        return checkpoint


def _check_hooks(hooks: Iterable[Any] | None) -> list:
    hooks = list(hooks or [])
    for hook in hooks:
        if not isinstance(hook, tf.compat.v1.train.SessionRunHook):
            raise TypeError(f"`hooks` must hold SessionRunHook instances, got {hook!r}.")
    return hooks


def _extract_keys(predictions: Any, predict_keys: str | list[str] | None) -> Any:
    if predict_keys is None:
        return predictions
    if isinstance(predict_keys, str):
        predict_keys = [predict_keys]
    if not isinstance(predictions, dict):
        raise ValueError(
            f"`predict_keys` must be None when the predictions are not a dict, got {predict_keys}."
        )
    missing = [key for key in predict_keys if key not in predictions]
    if missing:
        raise ValueError(
            f"`predict_keys` must name prediction keys {sorted(predictions)}, got unknown "
            f"{missing}."
        )
    return {key: predictions[key] for key in predict_keys}


def _batch_length(batch: dict[str, Any]) -> int:
    lengths = {key: np.shape(value)[0] if np.ndim(value) else None for key, value in batch.items()}
    if None in lengths.values() or len(set(lengths.values())) != 1:
        raise ValueError(
            "Predictions must all have the same batch size to yield single examples, got "
            f"{lengths}. Use yield_single_examples=False."
        )
    return next(iter(lengths.values()))
