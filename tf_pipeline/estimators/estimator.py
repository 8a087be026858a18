"""``Estimator``: TF 1.x ``tf.contrib.learn.Estimator`` on TensorFlow 2.21.

Every ``fit``/``evaluate``/``predict`` call builds a fresh ``tf.Graph`` and runs it
in its own ``tf.compat.v1.Session``: eager execution stays on for the rest of the
process, so Keras 3 code runs beside it.

Example
-------
>>> import numpy as np
>>> from estimators import Estimator, RunConfig
>>> from tf_pipeline.models import lstm_model
>>> x = np.random.RandomState(0).rand(64, 1, 12).astype(np.float32)
>>> y = x.sum(axis=2)
>>> est = Estimator(lstm_model, config=RunConfig(tf_random_seed=1))
>>> est = est.fit(x=x, y=y, batch_size=32, steps=20)
>>> sorted(est.evaluate(x=x, y=y))
['global_step', 'loss']
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline._checks import check_int
from tf_pipeline.estimators.data_feeder import DataFeeder
from tf_pipeline.estimators.engine import EstimatorEngine, eval_dir, resolve_model_dir
from tf_pipeline.estimators.hooks import TrainingTimerHook
from tf_pipeline.estimators.in_graph_training import (
    InGraphLoopHook,
    LoopUnsupported,
    build_loop,
    log_fallback,
    loop_cache_key,
    resolve_train_loop,
)
from tf_pipeline.estimators.input_fn_utils import InputFnOps
from tf_pipeline.estimators.metric_spec import make_metrics_ops
from tf_pipeline.estimators.model_dir import read_signature, write_signature
from tf_pipeline.estimators.model_fn import ModeKeys, ModelFnOps, call_model_fn, model_fn_args
from tf_pipeline.estimators.monitors import replace_monitors_with_hooks
from tf_pipeline.estimators.queue_input import input_timeouts, monitored
from tf_pipeline.estimators.run_config import RunConfig
from tf_pipeline.estimators.saved_model import write_saved_model

logger = logging.getLogger("estimators")

InputFn = Callable[[], tuple[Any, Any]]


def _signature_of(tensor: Any) -> dict[str, Any] | None:
    if tensor is None or not isinstance(tensor, tf.Tensor):
        return None
    return {"dtype": tensor.dtype.name, "shape": tensor.shape.as_list()}


class Estimator(EstimatorEngine):
    """Train, evaluate and predict with a TF1 ``model_fn``, checkpointing to ``model_dir``.

    Parameters
    ----------
    model_fn : callable
        ``model_fn(features, labels[, mode][, params][, config][, model_dir])``
        returning ``(predictions, loss, train_op)`` or a :class:`ModelFnOps`.
        The global step exists before it is called, so
        ``tf.compat.v1.train.get_global_step()`` works inside it.
    model_dir : str, optional
        Where checkpoints, ``graph.pbtxt`` and TensorBoard events go; else
        ``config.model_dir``; else a new temporary directory.
    config : RunConfig, optional
    params : dict, optional
        Passed to ``model_fn`` as ``params`` (it must take that argument).

    Attributes
    ----------
    last_fit_stats : dict or None
        Steps, seconds and steps/s of the last ``fit`` that trained (also the steady
        rate after the first run, which includes graph warm-up and XLA compilation);
        on the in-graph loop also ``kept_loop``: whether the fit reused the loop an
        earlier fit of the same graph signature kept (no tracing, no compilation).
    last_fit_losses : numpy.ndarray or None
        The loss of every step of the last ``fit`` that trained.

    Notes
    -----
    ``fit`` resumes from the latest checkpoint in ``model_dir``: weights, global
    step, optimizer slots and the learning-rate variable. Only one process may
    train a model_dir at a time (see :mod:`estimators.model_dir`). The engine
    (:mod:`estimators.engine`) is the one ``tf.estimator.Estimator`` runs on.
    """

    def __init__(
        self,
        model_fn: Callable,
        model_dir: str | None = None,
        config: RunConfig | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        if not callable(model_fn):
            raise TypeError(f"`model_fn` must be callable, got {model_fn!r}.")
        takes = model_fn_args(model_fn)  # also checks it takes (features, labels)
        if params is not None and "params" not in takes:
            raise ValueError(
                f"`params` were given ({params!r}) but `model_fn` "
                f"{getattr(model_fn, '__name__', model_fn)!r} takes no `params` argument."
            )
        if config is not None and not isinstance(config, RunConfig):
            raise TypeError(f"`config` must be a RunConfig, got {type(config).__name__}.")
        self._model_fn = model_fn
        self._model_dir = resolve_model_dir(model_dir, config)
        self._config = config or RunConfig()
        self.params = params
        self.last_fit_stats: dict[str, float] | None = None
        self.last_fit_losses: np.ndarray | None = None
        self._predictor: tuple | None = None

    # -- training -------------------------------------------------------------------------
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        input_fn: InputFn | None = None,
        steps: int | None = None,
        batch_size: int | None = None,
        monitors: Iterable[Any] | None = None,
        max_steps: int | None = None,
    ) -> Estimator:
        """Train for ``steps`` more steps, or up to global step ``max_steps``.

        The arguments are in TF 1.x's order, so ``fit(x_train, y_train, steps=100)`` works.

        Parameters
        ----------
        input_fn : callable, optional
            Returns ``(features, labels)`` tensors; exclusive with ``x``/``y``.
        x, y : numpy.ndarray, optional
            Fed in batches as TF1's DataFeeder did (see :mod:`estimators.data_feeder`).
        batch_size : int, optional
            Rows per batch for ``x``/``y``; None feeds all rows each step.
        steps : int, optional
            Steps to run after the restored global step.
        max_steps : int, optional
            Absolute global step to stop at; when already reached, fit does nothing.
        monitors : list of SessionRunHook or tf.contrib.learn monitors, optional
            Monitors (:mod:`estimators.monitors`, e.g. ``ValidationMonitor``) run as
            one hook after the given SessionRunHooks, as in TF 1.x.

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
        hooks = replace_monitors_with_hooks(monitors, self)
        input_fn, feeder = self._input(input_fn, x, y, batch_size, shuffle=True, epochs=None)
        if feeder is not None and steps is None and max_steps is None:
            raise ValueError(
                "`steps` or `max_steps` must be given when fitting on x/y: the data feeder "
                "repeats forever, so training would never stop."
            )
        mode, self._loop_cadences = resolve_train_loop(
            self._config.train_loop, feeder, steps if steps is not None else max_steps, hooks
        )
        if mode != "session":
            self._loop_mode = mode
            try:
                self._train_model(input_fn, hooks, steps, max_steps, feeder)
                return self
            except LoopUnsupported as error:
                log_fallback(str(error))
                # A new feeder: the per-step fit starts the DataFeeder order afresh.
                input_fn, feeder = self._input(None, x, y, batch_size, shuffle=True, epochs=None)
            finally:
                self._loop_mode = "session"
        if feeder is not None:
            hooks.insert(0, tf.compat.v1.train.FeedFnHook(feeder.feed_dict))
        self._train_model(input_fn, hooks, steps, max_steps, feeder)
        return self

    def _features_and_labels(self, input_fn: InputFn, mode: str) -> tuple[Any, Any, list]:
        features, labels = input_fn()
        if mode != ModeKeys.TRAIN:
            self._check_features(features)
        return features, labels, []

    def _after_model_fn(self, features: Any, labels: Any, ops: Any, mode: str) -> None:
        if mode == ModeKeys.TRAIN:
            write_signature(
                self._model_dir,
                {"features": _signature_of(features), "labels": _signature_of(labels)},
            )

    def _train_loop_mode(self) -> str:
        return getattr(self, "_loop_mode", "session")

    def _in_graph_loop(self, feeder: DataFeeder) -> Any:
        def step_fn(features: Any, labels: Any) -> tuple[Any, Any, ModelFnOps]:
            ops = self._call(features, labels, ModeKeys.TRAIN)
            return ops.loss, ops.train_op, ops

        return build_loop(
            step_fn, feeder, mode=self._loop_mode, steps_per_run=self._config.steps_per_run
        )

    def _in_graph_loop_hooks(
        self, loop: Any, feeder: DataFeeder, global_step: Any, steps: Any, max_steps: Any
    ) -> tuple[Any, list, Any]:
        config = self._config
        cadences = {
            "log": config.log_step_count_steps,
            "summary": config.save_summary_steps,
            "checkpoint": config.save_checkpoints_steps,
        }
        cadences.update({f"monitor{k}": every for k, every in enumerate(self._loop_cadences)})
        loop_hook = InGraphLoopHook(
            loop,
            feeder,
            global_step,
            self._model_dir,
            steps=steps,
            max_steps=max_steps,
            cadences=cadences,
        )
        timer = TrainingTimerHook(lambda: loop_hook.last_run_steps)
        return loop_hook, [timer, loop_hook], timer

    def _loop_cache_key(self, feeder: DataFeeder) -> Any:
        return loop_cache_key(self, feeder, self._loop_mode)

    # -- evaluation -----------------------------------------------------------------------
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        input_fn: InputFn | None = None,
        feed_fn: Callable[[], dict] | None = None,
        batch_size: int | None = None,
        steps: int | None = None,
        metrics: dict[Any, Any] | None = None,
        name: str | None = None,
        checkpoint_path: str | None = None,
        hooks: list | None = None,
        log_progress: bool = True,
    ) -> dict[str, Any]:
        """Mean loss (and eval metrics) of the latest checkpoint over the data.

        The loss is the unweighted mean of the per-batch losses, as TF1 computed it.
        Queue runners of a queue-based ``input_fn`` run while it evaluates. The
        arguments are in TF 1.x's order.

        Parameters
        ----------
        feed_fn : callable, optional
            Returns a feed dict for each batch (TF1's ``feed_fn``, with an ``input_fn``).
        metrics : dict, optional
            ``{name: MetricSpec or fn(predictions, labels)}`` evaluated besides the
            model_fn's own ``eval_metric_ops`` (see :mod:`estimators.metric_spec`).
        name : str, optional
            Names this evaluation: its events go to ``model_dir/eval_<name>`` (``eval``
            without a name), as TF1 wrote them.
        hooks : list of SessionRunHook, optional
            Run around every evaluation batch.
        log_progress : bool, default=True
            Log the results (INFO); False logs them at DEBUG.

        Returns
        -------
        dict
            ``loss``, ``global_step``, the ``eval_metric_ops`` and ``metrics``.
        """
        if steps is not None:
            check_int(steps, "steps", minimum=1)
        hooks = list(hooks or [])
        for hook in hooks:
            if not isinstance(hook, tf.compat.v1.train.SessionRunHook):
                raise TypeError(f"`hooks` must hold SessionRunHooks, got {hook!r}.")
        if feed_fn is not None:
            if not callable(feed_fn):
                raise TypeError(f"`feed_fn` must be callable, got {feed_fn!r}.")
            hooks.insert(0, tf.compat.v1.train.FeedFnHook(feed_fn))
        if metrics is not None and not isinstance(metrics, dict):
            raise TypeError(f"`metrics` must be a dict, got {type(metrics).__name__}.")
        checkpoint = checkpoint_path or self._require_checkpoint()
        input_fn, feeder = self._input(input_fn, x, y, batch_size, shuffle=False, epochs=1)
        results = self._evaluate_model(
            input_fn,
            checkpoint,
            hooks,
            steps,
            feeder=feeder,
            until_end=feed_fn is not None,
            extra_metrics=lambda features, labels, ops: make_metrics_ops(
                metrics or {}, features, labels, ops.predictions
            ),
            summary_dir=eval_dir(self._model_dir, name),
            pinned=checkpoint_path is not None,  # a named checkpoint is not swapped
        )
        logger.log(
            logging.INFO if log_progress else logging.DEBUG,
            "Saving dict for global step %d%s: %s",
            results["global_step"],
            "" if name is None else f" ({name})",
            ", ".join(f"{k} = {v}" for k, v in sorted(results.items(), key=str)),
        )
        return results

    # -- export ---------------------------------------------------------------------------
    def export_savedmodel(
        self,
        export_dir_base: str,
        serving_input_fn: Callable,
        default_output_alternative_key: str | None = None,
        assets_extra: dict[str, str] | None = None,
        as_text: bool = False,
        checkpoint_path: str | None = None,
        strip_default_attrs: bool = False,
    ) -> bytes:
        """Export the latest checkpoint as a SavedModel in ``export_dir_base/<timestamp>``.

        As TF 1.x's contrib.learn: ``serving_input_fn()`` returns an
        :class:`~estimators.input_fn_utils.InputFnOps`; the model_fn runs in INFER mode on
        its features and the predictions (a dict, or one Tensor named ``output``) become a
        predict signature fed ``default_inputs``, named
        ``default_input_alternative:default_output_alternative`` and ``serving_default``.

        Returns
        -------
        bytes
            The export directory.
        """
        if not callable(serving_input_fn):
            raise TypeError(f"`serving_input_fn` must be callable, got {serving_input_fn!r}.")
        if default_output_alternative_key is not None:
            raise ValueError(
                "`default_output_alternative_key` must be None: this model_fn has no "
                f"output_alternatives, got {default_output_alternative_key!r}."
            )
        checkpoint = checkpoint_path or self._require_checkpoint()

        def build() -> tuple[dict[str, Any], Any, Any]:
            tf.compat.v1.set_random_seed(self._config.tf_random_seed)
            input_ops = serving_input_fn()
            if not isinstance(input_ops, InputFnOps):
                raise TypeError(
                    f"`serving_input_fn` must return an InputFnOps, got {input_ops!r}."
                )
            labels = input_ops.labels
            if labels is None:  # as predict: a model_fn that reshapes labels still builds
                labels = self._labels_placeholder()
            ops = self._call(input_ops.features, labels, ModeKeys.INFER)
            outputs = ops.predictions
            if not isinstance(outputs, dict):
                outputs = {"output": outputs}
            inputs = input_ops.default_inputs
            if not isinstance(inputs, dict):
                inputs = {"input": inputs}
            signature = tf.compat.v1.saved_model.predict_signature_def(inputs, outputs)
            signatures = {
                "default_input_alternative:default_output_alternative": signature,
                tf.compat.v1.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY: signature,
            }
            scaffold = ops.scaffold
            return (
                signatures,
                scaffold.saver if scaffold is not None else None,
                scaffold.local_init_op if scaffold is not None else None,
            )

        return write_saved_model(
            export_dir_base,
            build,
            checkpoint,
            self._config.session_config_or_default(),
            assets_extra,
            as_text,
        )

    # -- prediction -----------------------------------------------------------------------
    def predict(
        self,
        x: Any = None,
        input_fn: InputFn | None = None,
        batch_size: int | None = None,
        outputs: list[str] | None = None,
        as_iterable: bool = True,
        iterate_batches: bool = False,
    ) -> Any:
        """Predictions of the latest checkpoint, in input order.

        Returns
        -------
        generator or numpy.ndarray or dict
            With ``as_iterable`` (default) a generator of rows (or of batches with
            ``iterate_batches``); otherwise all predictions at once. A dict of
            predictions yields dicts. Raises ``NotFittedError`` at once when
            model_dir holds no checkpoint.
        """
        checkpoint = self._require_checkpoint()
        input_fn, feeder = self._input(input_fn, x, None, batch_size, shuffle=False, epochs=1)
        batches = self._predict_batches(checkpoint, input_fn, feeder, outputs)
        if not as_iterable:
            return _concatenate(list(batches))
        if iterate_batches:
            return batches
        return _rows(batches)

    def _predict_batches(
        self,
        checkpoint: str,
        input_fn: InputFn,
        feeder: DataFeeder | None,
        outputs: list[str] | None,
    ) -> Generator[Any, None, None]:
        key = None
        if feeder is not None:
            # Prediction from numpy x reuses the restored graph while the checkpoint and
            # the input signature stay the same (recursive forecasts call predict often).
            key = (checkpoint, feeder.x.dtype.str, tuple(feeder.input_shape), _key(outputs))
            if self._predictor is not None and self._predictor[0] == key:
                _, graph, session, placeholder, predictions = self._predictor
                feeder.input_placeholder = placeholder
                return self.run_batches(session, graph, predictions, feeder, None)
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.set_random_seed(self._config.tf_random_seed)
            tf.compat.v1.train.create_global_step(graph)
            result = input_fn()
            features = result[0] if isinstance(result, (tuple, list)) else result
            self._check_features(features)
            labels = self._labels_placeholder()
            ops = self._call(features, labels, ModeKeys.INFER)
            predictions = _select_outputs(ops.predictions, outputs)
            session, checkpoint = self._restored_session(graph, checkpoint)
        if key is not None:
            key = (checkpoint, *key[1:])
            self._close_predictor()
            self._predictor = (key, graph, session, feeder.input_placeholder, predictions)
            return self.run_batches(session, graph, predictions, feeder, None)

        timeout = self._config.input_timeout_secs

        def generate() -> Generator[Any, None, None]:
            with graph.as_default():
                session.run(tf.compat.v1.local_variables_initializer())  # epoch counters
                running = monitored(session)
            with running, input_timeouts(input_fn, timeout):
                yield from self.run_batches(running, graph, predictions, feeder, None, timeout)

        return generate()

    def _close_predictor(self) -> None:
        if self._predictor is not None:
            self._predictor[2].close()
            self._predictor = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_predictor"] = None  # sessions are never pickled
        return state

    # -- shared plumbing ------------------------------------------------------------------
    def _call(self, features: Any, labels: Any, mode: str) -> ModelFnOps:
        return call_model_fn(
            self._model_fn,
            features,
            labels,
            mode,
            params=self.params,
            config=self._config,
            model_dir=self._model_dir,
        )

    def _input(
        self,
        input_fn: InputFn | None,
        x: Any,
        y: Any,
        batch_size: int | None,
        *,
        shuffle: bool,
        epochs: int | None,
    ) -> tuple[InputFn, DataFeeder | None]:
        if input_fn is None and x is None:
            raise ValueError("Give `x` (numpy data) or `input_fn`, got neither.")
        if input_fn is not None:
            if x is not None or y is not None:
                raise ValueError("Give `input_fn` or `x`/`y`, not both.")
            if batch_size is not None:
                raise ValueError("`batch_size` applies to `x`/`y`; an input_fn batches itself.")
            if not callable(input_fn):
                raise TypeError(f"`input_fn` must be callable, got {input_fn!r}.")
            return input_fn, None
        feeder = DataFeeder(x, y, batch_size, shuffle=shuffle, epochs=epochs)
        return feeder.input_fn, feeder

    def _labels_placeholder(self) -> tf.Tensor | None:
        """TF1 fed model_fn a labels placeholder at predict time once fit had seen labels."""
        signature = read_signature(self._model_dir)
        labels = (signature or {}).get("labels")
        if labels is None:
            return None
        return tf.compat.v1.placeholder(tf.as_dtype(labels["dtype"]), labels["shape"])

    def _check_features(self, features: Any) -> None:
        signature = (read_signature(self._model_dir) or {}).get("features")
        if signature is None or not isinstance(features, tf.Tensor):
            return
        shape = list(signature["shape"])
        if shape:
            shape[0] = None  # queue batches have a static batch size; any batch size is fine
        expected = tf.TensorShape(shape)
        if features.dtype.name != signature["dtype"] or not expected.is_compatible_with(
            features.shape
        ):
            raise ValueError(
                f"`x` must match the features the model was trained on: dtype "
                f"{signature['dtype']} and shape {expected}, got dtype {features.dtype.name} "
                f"and shape {features.shape}."
            )


def _select_outputs(predictions: Any, outputs: list[str] | None) -> Any:
    if outputs is None:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("`outputs` can only select from a dict of predictions.")
    missing = [key for key in outputs if key not in predictions]
    if missing:
        raise ValueError(
            f"`outputs` must name keys of the predictions {sorted(predictions)}, "
            f"got unknown {missing}."
        )
    return {key: predictions[key] for key in outputs}


def _key(outputs: list[str] | None) -> tuple[str, ...] | None:
    return None if outputs is None else tuple(outputs)


def _rows(batches: Iterable[Any]) -> Generator[Any, None, None]:
    for batch in batches:
        if isinstance(batch, dict):
            first = next(iter(batch.values()))
            for i in range(len(first)):
                yield {key: value[i] for key, value in batch.items()}
        else:
            yield from batch


def _concatenate(batches: list[Any]) -> Any:
    if not batches:
        return np.array([])
    if isinstance(batches[0], dict):
        return {key: np.concatenate([b[key] for b in batches]) for key in batches[0]}
    return np.concatenate(batches, axis=0)
