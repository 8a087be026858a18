"""Queue-based input in every Estimator mode: start the runners, and time out, never hang.

A TF1 ``input_fn`` built on queues (``tf.train.slice_input_producer``, ``tf.train.batch``,
``string_input_producer`` + a reader) only produces while its ``QueueRunner`` threads run.
``MonitoredSession`` starts them (with a ``Coordinator``, stopped and joined on close) in
``fit``; :func:`monitored` wraps an already restored session in one so ``evaluate`` and
``predict`` start them too. A dequeue that never gets an element (a queue nobody fills, a
runner blocked upstream) would block ``session.run`` forever; :func:`run_options` gives such
graphs a deadline and :func:`input_timeouts` turns TensorFlow's ``DeadlineExceededError`` into
an :class:`InputTimeoutError` naming the input_fn and the seconds.

Example
-------
>>> import tensorflow as tf
>>> graph = tf.Graph()
>>> with graph.as_default():
...     batch = tf.compat.v1.train.batch([tf.constant([1.0, 2.0])], batch_size=3)
>>> uses_queues(graph)
True
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import contextmanager

import tensorflow as tf

# Op types that wait for a queue to produce (V1 ref-queue kinds included for imported graphs).
QUEUE_DEQUEUE_OPS = frozenset(
    prefix + suffix
    for prefix in ("QueueDequeue", "QueueDequeueMany", "QueueDequeueUpTo")
    for suffix in ("", "V2")
)
# How long closing waits for runner threads that do not stop by themselves (a runner blocked
# on an upstream queue nobody fills stops only when its session closes, right after).
STOP_GRACE_SECS = 5


class InputTimeoutError(TimeoutError):
    """A queue-based ``input_fn`` produced no batch within ``RunConfig.input_timeout_secs``."""


def uses_queues(graph: tf.Graph) -> bool:
    """Does some op of ``graph`` dequeue from a TF1 queue?"""
    return any(op.type in QUEUE_DEQUEUE_OPS for op in graph.get_operations())


def run_options(graph: tf.Graph, timeout_secs: float | None) -> tf.compat.v1.RunOptions | None:
    """A per-run deadline for graphs that read queues; None (no deadline) otherwise."""
    if timeout_secs is None or not uses_queues(graph):
        return None
    return tf.compat.v1.RunOptions(timeout_in_ms=max(1, int(timeout_secs * 1000)))


@contextmanager
def input_timeouts(input_fn: Callable | None, timeout_secs: float | None) -> Generator[None]:
    """Re-raise a run's ``DeadlineExceededError`` as :class:`InputTimeoutError`."""
    try:
        yield
    except tf.errors.DeadlineExceededError as error:
        name = getattr(input_fn, "__name__", repr(input_fn))
        raise InputTimeoutError(
            f"`input_fn` {name!r} produced no batch within {timeout_secs:g} s: a queue it reads "
            "is empty and nothing fills it (is its QueueRunner added to the QUEUE_RUNNERS "
            "collection, e.g. by tf.train.batch / tf.train.add_queue_runner?). Raise "
            "RunConfig(input_timeout_secs=...) for inputs that are only slow."
        ) from error


class _ExistingSession(tf.compat.v1.train.SessionCreator):
    """Hands ``MonitoredSession`` a session that is already created and restored."""

    def __init__(self, session: tf.compat.v1.Session) -> None:
        self._session = session

    def create_session(self) -> tf.compat.v1.Session:
        return self._session


def monitored(
    session: tf.compat.v1.Session, hooks: list | None = None
) -> tf.compat.v1.train.MonitoredSession:
    """Wrap a restored ``session``: its queue runners start now, under a ``Coordinator``.

    Closing the result stops the coordinator, joins the runner threads (waiting at most
    :data:`STOP_GRACE_SECS` for threads blocked upstream) and closes ``session``. ``hooks``
    (``SessionRunHook``) run around each ``run``, as in TF1's evaluation. Call inside the
    session's graph.
    """
    return tf.compat.v1.train.MonitoredSession(
        session_creator=_ExistingSession(session),
        hooks=list(hooks or []),
        stop_grace_period_secs=STOP_GRACE_SECS,
    )
