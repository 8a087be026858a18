"""``tf.train.Supervisor`` whose background services run in the Supervisor's graph.

``Supervisor.start_standard_services`` (called by ``managed_session`` and
``prepare_or_wait_for_session``) starts a summary, a step-counter and a timed-checkpoint
thread. Under TensorFlow 2.x every new thread executes eagerly, so in those threads
``Saver.save`` takes its eager path ("Can only save/restore ResourceVariables when
executing eagerly") and ``tf.train.global_step`` calls ``.numpy()`` on a graph variable.
In TF 1.x (and TF 2.15 with v2 behaviour off) they ran in graph mode. Here the same three
services run as :class:`tf.compat.v1.train.LooperThread` s that enter the Supervisor's
graph first, on the same timers and with the same summaries, checkpoints and session logs.

Example
-------
>>> import tensorflow as tf
>>> from tf_pipeline.compat.supervisor import Supervisor
>>> with tf.Graph().as_default():  # doctest: +SKIP
...     step = tf.compat.v1.train.get_or_create_global_step()
...     sv = Supervisor(logdir="/tmp/run", save_model_secs=1)
...     with sv.managed_session() as sess:
...         sess.run(step.assign_add(1))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import tensorflow as _tf

_V1 = _tf.compat.v1
_LOG = _tf.get_logger()


class _GraphLooper(_V1.train.LooperThread):
    """A ``LooperThread`` whose ``target`` (and ``start``) run inside ``graph``."""

    def __init__(
        self,
        coord: _V1.train.Coordinator,
        graph: _tf.Graph,
        timer_interval_secs: float,
        target: Callable[[], None],
        start: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(coord, timer_interval_secs)
        self._services_graph = graph
        self._target_fn = target
        self._start_fn = start

    def run(self) -> None:
        # A new thread executes eagerly; the Supervisor's services are graph code.
        with self._services_graph.as_default():
            super().run()

    def start_loop(self) -> None:
        if self._start_fn is not None:
            self._start_fn()

    def run_loop(self) -> None:
        self._target_fn()


class Supervisor(_V1.train.Supervisor):
    """TF1's ``tf.train.Supervisor``; its standard services run in its graph.

    Arguments, properties and methods are those of ``tf.compat.v1.train.Supervisor``.
    """

    def __init__(self, graph: _tf.Graph | None = None, *args: Any, **kwargs: Any) -> None:
        graph = graph or _V1.get_default_graph()
        self._services_graph = graph
        super().__init__(graph, *args, **kwargs)

    def start_standard_services(self, sess: _V1.Session) -> list[_V1.train.LooperThread] | None:
        """Start the summary, step-counter and checkpoint services for ``sess``.

        As ``tf.compat.v1.train.Supervisor.start_standard_services``, with each service
        run in this Supervisor's graph.

        Raises
        ------
        RuntimeError
            If this Supervisor is not the chief.
        """
        if not self.is_chief:
            raise RuntimeError(
                "Only chief supervisor can start standard services. "
                "Because only chief supervisors can write events."
            )
        if self.save_path is None:  # a chief has a save path exactly when it has a logdir
            _LOG.warning("Standard services need a 'logdir' passed to the SessionManager")
            return None
        with self._services_graph.as_default():
            if self.global_step is not None and self.summary_writer:
                step = _V1.train.global_step(sess, self.global_step)
                self.summary_writer.add_session_log(
                    _V1.SessionLog(status=_V1.SessionLog.START), step
                )
        threads = []
        if self.save_summaries_secs and self.summary_writer:
            if self.summary_op is not None:
                threads.append(self._looper(self.save_summaries_secs, self._summary_fn(sess)))
            if self.global_step is not None:
                threads.append(self._step_counter(sess))
        if self.saver and self.save_model_secs:
            threads.append(self._looper(self.save_model_secs, self._checkpoint_fn(sess)))
        for thread in threads:
            thread.start()
        return threads

    def _looper(self, secs: float, target: Callable[[], None], start=None) -> _GraphLooper:
        return _GraphLooper(self.coord, self._services_graph, secs, target, start)

    def _summary_fn(self, sess: _V1.Session) -> Callable[[], None]:
        def run_summary() -> None:
            if self.global_step is not None:
                summary, step = sess.run([self.summary_op, self.global_step])
            else:
                summary, step = sess.run(self.summary_op), None
            if self.summary_writer:
                _LOG.info("Recording summary at step %s.", step)
                self.summary_writer.add_summary(summary, step)

        return run_summary

    def _step_counter(self, sess: _V1.Session) -> _GraphLooper:
        tag = f"{self.global_step.op.name}/sec"
        last = {"time": 0.0, "step": 0}

        def start() -> None:
            last["time"] = time.time()
            last["step"] = _V1.train.global_step(sess, self.global_step)

        def count() -> None:
            step = _V1.train.global_step(sess, self.global_step)
            now = time.time()
            added, elapsed = step - last["step"], now - last["time"]
            last["time"], last["step"] = now, step
            rate = added / elapsed if elapsed > 0.0 else float("inf")
            if self.summary_writer:
                value = _V1.Summary.Value(tag=tag, simple_value=rate)
                self.summary_writer.add_summary(_V1.Summary(value=[value]), step)

        return self._looper(self.save_summaries_secs, count, start)

    def _checkpoint_fn(self, sess: _V1.Session) -> Callable[[], None]:
        def checkpoint() -> None:
            _LOG.info("Saving checkpoint to path %s", self.save_path)
            self.saver.save(sess, self.save_path, global_step=self.global_step)
            if self.summary_writer and self.global_step is not None:
                step = _V1.train.global_step(sess, self.global_step)
                log = _V1.SessionLog(
                    status=_V1.SessionLog.CHECKPOINT, checkpoint_path=self.save_path
                )
                self.summary_writer.add_session_log(log, step)

        return checkpoint


__all__ = ["Supervisor"]
