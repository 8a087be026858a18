"""The Estimator engine shared by ``tf.contrib.learn.Estimator`` and ``tf.estimator.Estimator``.

One machinery for both front-ends (:mod:`estimators.estimator`,
:mod:`estimators.tf_estimator.estimator`), as TF 2.15's ``_train_model``/``_evaluate_model``
around ``MonitoredSession``:

- ``model_dir``: ``model.ckpt-<step>`` checkpoints written by a ``CheckpointSaverHook`` with
  one sharded ``Saver`` (``keep_checkpoint_max`` counts earlier runs' checkpoints too),
  ``graph.pbtxt``, TensorBoard events, eval events in ``eval``/``eval_<name>``;
- one training lock per model_dir (:func:`~estimators.model_dir.fit_lock`);
- the NaN guard runs before the checkpoint saver in each step, so a NaN (or infinite)
  step is never saved;
- an unreadable or foreign checkpoint is a :class:`~estimators.model_dir.CheckpointError`;
  training checks the checkpoint's identity before anything is written to model_dir;
- predict/evaluate of the latest checkpoint retry when a trainer rotates it away
  mid-read (:func:`~estimators.model_dir.read_latest_checkpoint`);
- queue runners start in every mode; a starved queue times out (:mod:`estimators.queue_input`).

A front-end subclasses :class:`EstimatorEngine` and implements :meth:`~EstimatorEngine._call`
(run its model_fn, return an object with ``loss``, ``train_op``, ``predictions``,
``eval_metric_ops``, ``scaffold``, ``training_hooks``, ``training_chief_hooks``) and
:meth:`~EstimatorEngine._features_and_labels`.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Generator, Iterable
from contextlib import contextmanager
from typing import Any

import numpy as np
import tensorflow as tf
from sklearn.exceptions import NotFittedError

from tf_pipeline.checkpoints import unreadable
from tf_pipeline.estimators import loop_cache
from tf_pipeline.estimators.hooks import (
    LoggingHook,
    NanLossHook,
    RunStepCounterHook,
    TrainingTimerHook,
)
from tf_pipeline.estimators.model_dir import (
    CHECKPOINT_BASENAME,
    check_checkpoint_matches,
    fit_lock,
    latest_checkpoint,
    read_latest_checkpoint,
)
from tf_pipeline.estimators.queue_input import (
    QUEUE_DEQUEUE_OPS,
    STOP_GRACE_SECS,
    input_timeouts,
    monitored,
    run_options,
)
from tf_pipeline.tf_output import QUEUE_RUNNERS, silenced_tf_warnings

logger = logging.getLogger("estimators")

TRAIN, EVAL, INFER = "train", "eval", "infer"


def has_iterator(graph: tf.Graph) -> bool:
    """Does the input come from an iterator or a queue (which end with OutOfRange)?"""
    input_ops = QUEUE_DEQUEUE_OPS | {"IteratorGetNext"}
    return any(op.type in input_ops for op in graph.get_operations())


def resolve_model_dir(model_dir: Any, config: Any) -> str:
    """``model_dir``, else ``config.model_dir``, else a new temporary directory."""
    config_dir = None if config is None else config.model_dir
    if model_dir is not None and config_dir is not None and str(model_dir) != config_dir:
        raise ValueError(
            f"`model_dir` must match `config.model_dir` when both are given, got "
            f"{str(model_dir)!r} and {config_dir!r}."
        )
    model_dir = model_dir if model_dir is not None else config_dir
    if model_dir is None:
        model_dir = tempfile.mkdtemp(prefix="estimator_")
        logger.warning("Using temporary folder as model directory: %s", model_dir)
    return str(model_dir)


def eval_dir(model_dir: str, name: str | None) -> str:
    """Where an evaluation named ``name`` writes its events (TF: ``eval`` / ``eval_<name>``)."""
    return os.path.join(model_dir, "eval" if not name else f"eval_{name}")


def write_dict_to_summary(output_dir: str, results: dict[str, Any], step: int) -> None:
    """Write the scalar eval results as one TensorBoard event at ``step`` (as TF 1.x)."""
    summary = tf.compat.v1.Summary()
    for key, value in results.items():
        if key == "global_step":
            continue
        value = np.asarray(value)
        if value.ndim == 0 and value.dtype.kind in "fiub":
            summary.value.add(tag=key, simple_value=float(value))
        else:
            logger.warning("Skipping summary for %s, must be a float or an int scalar.", key)
    with tf.Graph().as_default():  # FileWriter refuses eager mode
        writer = tf.compat.v1.summary.FileWriter(output_dir)
        writer.add_summary(summary, int(step))
        writer.close()


class EstimatorEngine:
    """Train/evaluate machinery behind both Estimator front-ends (see the module docstring).

    Subclasses set ``_model_fn``, ``_model_dir``, ``_config`` (an engine ``RunConfig``)
    and ``params`` in their ``__init__``.
    """

    _model_fn: Callable
    _model_dir: str
    _config: Any
    params: Any

    @property
    def model_dir(self) -> str:
        return self._model_dir

    @property
    def config(self) -> Any:
        return self._config

    # -- what a front-end provides ----------------------------------------------------------
    def _call(self, features: Any, labels: Any, mode: str) -> Any:
        raise NotImplementedError

    def _features_and_labels(self, input_fn: Callable, mode: str) -> tuple[Any, Any, list]:
        """``(features, labels, input_hooks)``: the hooks run first (e.g. a Dataset's
        iterator initialiser)."""
        features, labels = input_fn()
        return features, labels, []

    def _after_model_fn(self, features: Any, labels: Any, ops: Any, mode: str) -> None:
        """Called in the graph right after model_fn (warm start, input signatures)."""

    def _train_loop_mode(self) -> str:
        """ "session", or the in-graph loop mode of the current fit."""
        return "session"

    def _in_graph_loop(self, feeder: Any) -> Any:
        """The model_fn traced in a K-step loop (a ``TracedLoop``), in the default graph."""
        raise ValueError(f"`train_loop` must be 'session' here, got {self._config.train_loop!r}.")

    def _in_graph_loop_hooks(
        self, loop: Any, feeder: Any, global_step: Any, steps: Any, max_steps: Any
    ) -> tuple[Any, list, Any]:
        """``(loop_hook, first_hooks, timer)`` of one fit through ``loop``: the
        :class:`~tf_pipeline.estimators.in_graph_training.InGraphLoopHook` among them."""
        raise NotImplementedError

    def _loop_cache_key(self, feeder: Any) -> Any:
        """The graph signature under which a fit's loop is kept for the next fit; None
        keeps nothing (see :mod:`~tf_pipeline.estimators.loop_cache`)."""
        return None

    # -- training -------------------------------------------------------------------------
    def _train_model(
        self,
        input_fn: Callable,
        hooks: list,
        steps: int | None,
        max_steps: int | None,
        feeder: Any = None,
        saving_listeners: Iterable[Any] | None = None,
    ) -> Any:
        """Hold the model_dir lock, resume from its checkpoint and train; the last loss."""
        with fit_lock(self._model_dir):
            checkpoint = latest_checkpoint(self._model_dir)
            if max_steps is not None and checkpoint is not None:
                start = int(tf.train.load_variable(checkpoint, "global_step"))
                if max_steps <= start:
                    logger.info(
                        "Skipping training since max_steps (%d) has already been reached (%d).",
                        max_steps,
                        start,
                    )
                    return None
            loss = self._train(
                input_fn, hooks, steps, max_steps, checkpoint, feeder, saving_listeners
            )
        logger.info("Loss for final step: %s.", loss)
        return loss

    def _train(
        self,
        input_fn: Callable,
        hooks: list,
        steps: int | None,
        max_steps: int | None,
        checkpoint: str | None,
        feeder: Any = None,
        saving_listeners: Iterable[Any] | None = None,
    ) -> Any:
        config = self._config
        in_loop = self._train_loop_mode() != "session"
        kept = None
        if in_loop:  # the model_fn traced inside the loop body, kept from an earlier fit
            key = self._loop_cache_key(feeder)
            kept = loop_cache.take(key, fresh=checkpoint is None)
            if kept is None:
                kept = self._build_loop_graph(key, input_fn, feeder)
        graph = kept.graph if in_loop else tf.Graph()
        with graph.as_default(), loop_cache.holding(kept):
            if in_loop:
                global_step, features, labels, ops = (
                    kept.global_step,
                    kept.features,
                    kept.labels,
                    kept.ops,
                )
                input_hooks: list = []
                loop_hook, first_hooks, timer = self._in_graph_loop_hooks(
                    kept.loop, feeder, global_step, steps, max_steps
                )
                fetches = kept.loop.losses
            else:
                tf.compat.v1.set_random_seed(config.tf_random_seed)
                global_step = tf.compat.v1.train.create_global_step(graph)
                features, labels, input_hooks = self._features_and_labels(input_fn, TRAIN)
                ops = self._call(features, labels, TRAIN)
            if checkpoint is not None:
                # Before anything is written (input signature, graph, checkpoints): a
                # refused fit leaves model_dir as it was.
                check_checkpoint_matches(checkpoint, tf.compat.v1.global_variables())
            self._after_model_fn(features, labels, ops, TRAIN)
            if in_loop:
                if kept.scaffold is None:
                    kept.scaffold, kept.saver = self._training_scaffold(ops.scaffold)
                scaffold = kept.scaffold
                self._recover_checkpoints(kept.saver)
                creator = loop_cache.KeptSessionCreator(
                    kept, checkpoint, config.session_config_or_default()
                )
                # A new loop's session starts now: it compiles while the hooks are built.
                loop_hook.start_session(creator)
            else:
                tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.LOSSES, ops.loss)
                scaffold, saver = self._training_scaffold(ops.scaffold)
                self._recover_checkpoints(saver)
            user_hooks = list(hooks) + list(ops.training_chief_hooks) + list(ops.training_hooks)
            # Order matters: the NaN guard runs before the checkpoint saver in each step.
            if not in_loop:
                fetches = [ops.train_op, ops.loss]
                timer = TrainingTimerHook(lambda: 1)
                first_hooks = [timer, NanLossHook(ops.loss, global_step, self._model_dir)]
            all_hooks = input_hooks + list(hooks) + first_hooks
            all_hooks += self._saver_hooks(scaffold, user_hooks, saving_listeners)
            # TF's StepCounterHook reads the step during a run, racing a K-step loop.
            counter = RunStepCounterHook if in_loop else tf.compat.v1.train.StepCounterHook
            all_hooks.append(
                counter(every_n_steps=config.log_step_count_steps, output_dir=self._model_dir)
            )
            if not in_loop:  # the loop hook does their work itself
                all_hooks.append(
                    tf.compat.v1.train.SummarySaverHook(
                        save_steps=config.save_summary_steps,
                        output_dir=self._model_dir,
                        scaffold=scaffold,
                    )
                )
                if steps is not None or max_steps is not None:
                    all_hooks.append(
                        tf.compat.v1.train.StopAtStepHook(num_steps=steps, last_step=max_steps)
                    )
                all_hooks.append(LoggingHook(ops.loss, global_step, config.log_step_count_steps))
            all_hooks += list(ops.training_chief_hooks) + list(ops.training_hooks)
            if not in_loop:
                creator = tf.compat.v1.train.ChiefSessionCreator(
                    scaffold=scaffold,
                    checkpoint_filename_with_path=checkpoint,
                    config=config.session_config_or_default(),
                )
            loss = None
            with restore_errors(checkpoint):
                # MonitoredSession starts an input_fn's queue runners with TF's
                # deprecated start_queue_runners, as tf.estimator's did.
                with silenced_tf_warnings(deprecated=QUEUE_RUNNERS):
                    session = tf.compat.v1.train.MonitoredSession(
                        creator, hooks=all_hooks, stop_grace_period_secs=STOP_GRACE_SECS
                    )
            losses: list[np.ndarray] = []
            options = run_options(graph, config.input_timeout_secs)
            with session, input_timeouts(input_fn, config.input_timeout_secs):
                while not session.should_stop():
                    try:
                        result = session.run(fetches, options=options)
                    except tf.errors.OpError as error:
                        # An OutOfRangeError of the loop is not the end of an input
                        # (its data live in the graph); a compilation's error is the
                        # compiling thread's.
                        failure = loop_hook.failure(error) if in_loop else None
                        if failure is not None:
                            raise failure from error
                        raise
                    losses.append(np.atleast_1d(result if in_loop else result[1]))
                    loss = losses[-1][-1]
            # The final checkpoint's SessionLog, written after the summary hooks' last flush.
            tf.compat.v1.summary.FileWriterCache.get(self._model_dir).flush()
        self.last_fit_losses = np.concatenate(losses) if losses else np.array([])
        self.last_fit_stats = timer.stats()
        if in_loop:  # did this fit reuse a kept loop (no tracing, no compilation)?
            self.last_fit_stats["kept_loop"] = kept.fits > 1
        logger.info(
            "Trained %d steps in %.2f s (%.0f steps/s).",
            self.last_fit_stats["steps"],
            self.last_fit_stats["seconds"],
            self.last_fit_stats["steps_per_second"],
        )
        return loss

    def _build_loop_graph(self, key: Any, input_fn: Callable, feeder: Any) -> Any:
        """A new graph with the model_fn traced in the in-graph loop."""
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.set_random_seed(self._config.tf_random_seed)
            global_step = tf.compat.v1.train.create_global_step(graph)
            features, labels, _ = self._features_and_labels(input_fn, TRAIN)
            loop = self._in_graph_loop(feeder)
        return loop_cache.KeptLoop(
            key, graph, global_step, features, labels, loop, ops=loop.outputs[-1]
        )

    def _training_scaffold(self, scaffold: Any) -> tuple[tf.compat.v1.train.Scaffold, Any]:
        """The model_fn's scaffold (or a new one) whose saver keeps ``keep_checkpoint_max``,
        and that saver."""
        config = self._config
        saver = None
        if scaffold is None or scaffold.saver is None:
            savers = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.SAVERS)
            saver = savers[0] if savers else None
        else:
            saver = scaffold.saver
        if saver is None:
            saver = tf.compat.v1.train.Saver(
                sharded=True,
                max_to_keep=config.keep_checkpoint_max,
                keep_checkpoint_every_n_hours=config.keep_checkpoint_every_n_hours,
                save_relative_paths=True,
            )
            # Scaffold.finalize takes its saver from this collection, as in TF 2.15.
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.SAVERS, saver)
        return scaffold or tf.compat.v1.train.Scaffold(saver=saver), saver

    def _recover_checkpoints(self, saver: Any) -> None:
        """So ``keep_checkpoint_max`` counts model_dir's earlier checkpoints (and only
        them: a kept saver forgets the last fit's model_dir)."""
        state = tf.train.get_checkpoint_state(self._model_dir)
        paths = [] if state is None else list(state.all_model_checkpoint_paths)
        saver.recover_last_checkpoints(paths)

    def _saver_hooks(
        self, scaffold: Any, user_hooks: list, saving_listeners: Iterable[Any] | None
    ) -> list:
        """The CheckpointSaverHook TF 2.15 adds unless a hook given is one already."""
        listeners = list(saving_listeners or [])
        for listener in listeners:
            if not isinstance(listener, tf.compat.v1.train.CheckpointSaverListener):
                raise TypeError(
                    f"`saving_listeners` must hold CheckpointSaverListeners, got {listener!r}."
                )
        if any(isinstance(h, tf.compat.v1.train.CheckpointSaverHook) for h in user_hooks):
            if listeners:
                raise ValueError(
                    "`saving_listeners` must be empty when a hook given is a "
                    "CheckpointSaverHook (give the listeners to that hook)."
                )
            return []
        config = self._config
        if config.save_checkpoints_secs is None and config.save_checkpoints_steps is None:
            return []  # TF 2.15: no checkpoints when both are None
        return [
            tf.compat.v1.train.CheckpointSaverHook(
                self._model_dir,
                save_secs=config.save_checkpoints_secs,
                save_steps=config.save_checkpoints_steps,
                scaffold=scaffold,
                checkpoint_basename=CHECKPOINT_BASENAME,
                listeners=listeners,
            )
        ]

    # -- evaluation -----------------------------------------------------------------------
    def _evaluate_model(
        self,
        input_fn: Callable,
        checkpoint: str,
        hooks: list,
        steps: int | None,
        *,
        feeder: Any = None,
        until_end: bool = False,
        extra_metrics: Callable[[Any, Any, Any], dict] | None = None,
        summary_dir: str | None = None,
        pinned: bool = False,
    ) -> dict[str, Any]:
        """Mean loss and the eval metrics of ``checkpoint`` over the data, as TF 1.x.

        ``loss`` is the unweighted mean of the per-batch losses; ``global_step`` the
        checkpoint's. With ``summary_dir`` the scalars go to TensorBoard events there.
        ``pinned`` (a checkpoint the caller named) turns off the retry with the new
        latest checkpoint when this one is rotated away.
        """
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.set_random_seed(self._config.tf_random_seed)
            global_step = tf.compat.v1.train.create_global_step(graph)
            features, labels, input_hooks = self._features_and_labels(input_fn, EVAL)
            ops = self._call(features, labels, EVAL)
            self._after_model_fn(features, labels, ops, EVAL)
            all_metrics = {"loss": tf.compat.v1.metrics.mean(ops.loss)}
            all_metrics.update(ops.eval_metric_ops)
            if extra_metrics is not None:
                all_metrics.update(extra_metrics(features, labels, ops))
            values = {key: value for key, (value, _) in all_metrics.items()}
            updates = tf.group(*(update for _, update in all_metrics.values()))
            values["global_step"] = global_step
            session, _ = self._restored_session(graph, checkpoint, pinned=pinned)
            hooks = input_hooks + list(hooks) + list(getattr(ops, "evaluation_hooks", ()))
            timeout = self._config.input_timeout_secs
            with monitored(session, hooks) as batches, input_timeouts(input_fn, timeout):
                # A feed_fn ends the data by raising StopIteration, as TF1's did.
                for _ in self.run_batches(
                    batches, graph, updates, feeder, steps, timeout, until_end=until_end
                ):
                    pass
                results = session.run(values)  # the plain session: no hooks for the read
        if summary_dir is not None:
            write_dict_to_summary(summary_dir, results, results["global_step"])
        return results

    # -- shared plumbing ------------------------------------------------------------------
    def _require_checkpoint(self) -> str:
        checkpoint = latest_checkpoint(self._model_dir)
        if checkpoint is None:
            raise NotFittedError(
                f"This Estimator has no trained model in {self._model_dir!r}: call "
                f"`{self._TRAIN_METHOD}` first."
            )
        return checkpoint

    _TRAIN_METHOD = "fit"

    def _restored_session(
        self, graph: tf.Graph, checkpoint: str | None, *, pinned: bool = False
    ) -> tuple[tf.compat.v1.Session, str | None]:
        """A session of ``graph`` with ``checkpoint`` restored, and the checkpoint used.

        With ``checkpoint`` None the variables are initialised instead (as tf.estimator
        did). Local variables and tables are initialised; queue runners not started yet.
        The checkpoint must hold this graph's variables (its optimizer state is ignored).
        Unless ``pinned``, a checkpoint that a trainer rotates away meanwhile is replaced
        by the new latest (:func:`estimators.model_dir.read_latest_checkpoint`).
        """
        variables = tf.compat.v1.global_variables()
        saver = tf.compat.v1.train.Saver() if checkpoint is not None else None
        local_init = [
            tf.compat.v1.local_variables_initializer(),
            tf.compat.v1.tables_initializer(),
        ]
        global_init = tf.compat.v1.global_variables_initializer() if saver is None else None

        # One session for every attempt: a retry after a trainer rotated the checkpoint
        # away reruns only the restore (its executor built once), so it keeps up with
        # a trainer that checkpoints every few milliseconds.
        session = tf.compat.v1.Session(
            graph=graph, config=self._config.session_config_or_default()
        )

        def restore(path: str | None) -> tf.compat.v1.Session:
            if path is not None:
                check_checkpoint_matches(path, variables)
            if path is None:
                session.run(global_init)
            else:
                try:
                    saver.restore(session, path)
                except (tf.errors.OpError, ValueError) as error:
                    # Saver.restore raises ValueError for a prefix whose files are gone.
                    raise unreadable(path, error) from error
            session.run(local_init)
            return session

        try:
            if checkpoint is None or pinned:
                return restore(checkpoint), checkpoint
            return read_latest_checkpoint(self._model_dir, restore, first=checkpoint)
        except BaseException:
            session.close()
            raise

    @staticmethod
    def run_batches(
        session: tf.compat.v1.Session,
        graph: tf.Graph,
        fetches: Any,
        feeder: Any,
        steps: int | None,
        timeout_secs: float | None = None,
        until_end: bool = False,
    ) -> Generator[Any, None, None]:
        """Yield ``fetches`` once per batch: until the feeder or iterator ends, or ``steps``.

        Input without an iterator or queue (constant tensors) runs once, where TF 1.x
        would loop forever.
        """
        done = 0
        options = run_options(graph, timeout_secs)
        while steps is None or done < steps:
            try:
                feed = feeder.feed_dict() if feeder is not None else None
                result = session.run(fetches, feed, options=options)
            except (StopIteration, tf.errors.OutOfRangeError):
                return
            yield result
            done += 1
            if feeder is None and steps is None and not until_end and not has_iterator(graph):
                return


@contextmanager
def restore_errors(checkpoint: str | None) -> Generator[None, None, None]:
    """Turn TensorFlow's restore failures into a CheckpointError naming the file."""
    try:
        yield
    except tf.errors.OpError as error:
        if checkpoint is None:
            raise
        raise unreadable(checkpoint, error) from error
