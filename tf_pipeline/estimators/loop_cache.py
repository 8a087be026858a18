"""Keep an in-graph training loop (graph, session, compiled program) for the next fit.

Building the loop's graph, starting its session and XLA's compilation cost a fit
about a second; the K-step runs of 10,000 steps cost well under one. A later fit with
the same graph signature -- the same front-end class, ``model_fn``, ``params``, graph
seed, loop mode and ``steps_per_run``, saver settings, session config, and data
shapes, dtypes and batch size (and ``model_dir``/``config`` when the model_fn takes
them) -- reuses them: the session keeps its compiled program.

What a fit starts from is set afresh each time, so a kept loop trains exactly as a
new one would:

* from a checkpoint: ``Saver.restore``, as ``ChiefSessionCreator`` does;
* from scratch: the variables take the values their initializers drew in the kept
  session's first fit (running the initializers again would draw the next numbers of
  their random streams, not the same ones a new session draws);
* the data, the DataFeeder order, the hooks, the saver's list of checkpoints to
  rotate and the summary writer belong to the fit.

A loop's first fit from scratch makes its session ahead of ``MonitoredSession``, in a
background thread (:meth:`KeptSessionCreator.start`): the variables' initializers run
there, as TF's default ``Scaffold`` would run them, while the fit builds its hooks. A
model whose ``Scaffold`` does more (an ``init_op``, ``init_fn``, local variables, tables
or resources) is initialised by that ``Scaffold`` when ``MonitoredSession`` asks.

As ``tf.function`` does, this assumes a model_fn builds the same graph for the same
signature: one that reads other Python state while building can call
:func:`clear_loop_cache` (or train with ``RunConfig(train_loop="session")``). A loop is
kept only after a fit that ended normally, at most :data:`MAX_KEPT` of them, the
least recently used released first; a fit that is running holds its loop alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Hashable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline.estimators.background import BackgroundCall

MAX_KEPT = 4
"""Most loops kept at once (each holds a graph, a session and its compiled program)."""

_KEPT: OrderedDict[Hashable, KeptLoop] = OrderedDict()
_LOCK = threading.Lock()


class KeptSession(tf.compat.v1.Session):
    """A session that outlives the ``MonitoredSession`` of one fit.

    ``MonitoredSession`` closes its session when the fit ends; this one stays open
    (with its compiled programs) until the cache releases it.
    """

    def close(self) -> None:
        """Left open for the next fit; see :meth:`release`."""

    def release(self) -> None:
        """Close the session for good."""
        super().close()


@dataclass
class KeptLoop:
    """A traced loop's graph and what a fit needs of it.

    Attributes
    ----------
    key : hashable or None
        The graph signature; None never keeps the loop.
    loop : TracedLoop
    ops : object
        The model_fn's ops as traced in the loop body (``training_hooks``, ``scaffold``).
    fits : int
        Sessions handed out so far: 1 in the fit that built the loop.
    """

    key: Hashable | None
    graph: tf.Graph
    global_step: Any
    features: Any
    labels: Any
    loop: Any
    ops: Any
    scaffold: Any = None
    saver: Any = None
    session: KeptSession | None = None
    initial_values: list[np.ndarray] | None = None
    fits: int = 0
    started: StartedSession | None = None

    def release(self) -> None:
        if self.started is not None:
            # A fit that failed while its session was being made early: wait until it
            # exists, so it is closed too (its compile thread then stops with an error).
            self.started.wait_made()
        if self.session is not None:
            self.session.release()
            self.session = None


def take(key: Hashable | None, *, fresh: bool) -> KeptLoop | None:
    """The kept loop of this signature, now held by the caller; None if there is none.

    ``fresh``: the fit starts from scratch, so it needs the initial values of a kept
    session's first fit (a loop first trained from a checkpoint has none).
    """
    if key is None:
        return None
    with _LOCK:
        kept = _KEPT.pop(key, None)
    if kept is not None and fresh and kept.initial_values is None:
        kept.release()
        return None
    return kept


def keep(kept: KeptLoop) -> None:
    """Keep a loop after a fit that ended normally, for the next fit of its signature."""
    if kept.key is None or kept.session is None:
        kept.release()
        return
    released = []
    with _LOCK:
        other = _KEPT.pop(kept.key, None)  # a concurrent fit of the same signature
        if other is not None:
            released.append(other)
        _KEPT[kept.key] = kept
        while len(_KEPT) > MAX_KEPT:
            released.append(_KEPT.popitem(last=False)[1])
    for loop in released:
        loop.release()


@contextmanager
def holding(kept: KeptLoop | None) -> Generator[None, None, None]:
    """Around one fit through ``kept``: keep it if the fit ends normally, else release it."""
    if kept is None:
        yield
        return
    try:
        yield
    except BaseException:
        kept.release()
        raise
    keep(kept)


def clear_loop_cache() -> None:
    """Release every kept loop: the next fit of any model builds and compiles anew."""
    with _LOCK:
        released = list(_KEPT.values())
        _KEPT.clear()
    for loop in released:
        loop.release()


def kept_count() -> int:
    """How many loops are kept now."""
    with _LOCK:
        return len(_KEPT)


class KeptSessionCreator(tf.compat.v1.train.SessionCreator):
    """Create (first fit) or reuse (later fits) the kept loop's session, then set the
    variables as a new ``ChiefSessionCreator`` session would: restored from
    ``checkpoint``, else initialised.

    :meth:`start` makes a new loop's session ahead of time, in the background, while
    the fit builds its saver and hooks.
    """

    def __init__(self, kept: KeptLoop, checkpoint: str | None, config: Any) -> None:
        self._kept = kept
        self._checkpoint = checkpoint
        self._config = config
        self._started: StartedSession | None = None

    def start(
        self, also_run: tuple[list, dict], then: Callable[[Any], None]
    ) -> StartedSession | None:
        """Make and initialise the new loop's session now, in a background thread.

        The variables' initializers run there in one ``session.run`` with the ops and
        feed ``also_run`` (such as loading data), before :meth:`create_session` hands
        the session out; ``then(session)`` runs after (a warm-up such as compiling the
        loop, which may overlap the fit's first runs). Only a loop's first fit from
        scratch starts early, and only when running the variables' initializers is all
        that TF's default ``Scaffold`` would do (no ``init_op``, ``init_fn``, local
        variables, tables or resources): None otherwise, and the session is made when
        ``MonitoredSession`` asks for it.
        """
        kept = self._kept
        if kept.session is not None or self._checkpoint is not None:
            return None
        if not _initialised_by_variables_alone(kept.scaffold):
            return None
        # Read here: the background thread's default graph is not the loop's.
        variables = tf.compat.v1.global_variables()
        self._started = StartedSession(kept, self._config, variables, also_run, then)
        kept.started = self._started  # so that releasing the loop waits for its session
        return self._started

    def create_session(self) -> tf.compat.v1.Session:
        kept, scaffold = self._kept, self._kept.scaffold
        kept.fits += 1
        scaffold.finalize()
        if self._started is not None:
            session = self._started.ready()
            self._initialise_late_variables(session)
        else:
            session = self._set_variables()
        session.run(scaffold.local_init_op, feed_dict=scaffold.local_init_feed_dict)
        return session

    def _initialise_late_variables(self, session: KeptSession) -> None:
        """Initialise the variables made after the early start (by a hook's or a saving
        listener's ``begin``), as ``Scaffold``'s ``init_op``, made later, would."""
        kept = self._kept
        late = tf.compat.v1.global_variables()[len(kept.initial_values) :]
        if late:
            values = [v.initializer.inputs[1] for v in late]
            late_values, _ = session.run([values, [v.initializer for v in late]])
            kept.initial_values = [*kept.initial_values, *late_values]

    def _set_variables(self) -> KeptSession:
        kept, scaffold = self._kept, self._kept.scaffold
        new = kept.session is None
        if new:
            kept.session = KeptSession(graph=kept.graph, config=self._config)
        session = kept.session
        variables = tf.compat.v1.global_variables()
        if self._checkpoint is not None:
            scaffold.saver.restore(session, self._checkpoint)
        elif new:
            session.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
            if scaffold.init_fn is not None:
                scaffold.init_fn(session)  # Scaffold binds itself: init_fn(scaffold, session)
            kept.initial_values = session.run(variables)
        else:
            # Each initializer assigns its (fed) initial value: Variable.load's way.
            session.run(
                [v.initializer for v in variables],
                {
                    v.initializer.inputs[1]: value
                    for v, value in zip(variables, kept.initial_values, strict=True)
                },
            )
        return session


def _initialised_by_variables_alone(scaffold: Any) -> bool:
    """Does TF's default ``Scaffold`` only run the global variables' initializers here?

    Its default ``init_op`` also initialises shared resources and SavedModel
    initializers, and its ``local_init_op`` local variables, tables and local resources.
    """
    keys = tf.compat.v1.GraphKeys
    if scaffold.init_op is not None or scaffold.init_feed_dict or scaffold.init_fn:
        return False
    if scaffold.local_init_op is not None:
        return False
    collections = (
        keys.INIT_OP,
        keys.LOCAL_INIT_OP,
        keys.RESOURCES,
        keys.LOCAL_RESOURCES,
        keys.LOCAL_VARIABLES,
        keys.TABLE_INITIALIZERS,
        "saved_model_initializers",
    )
    return not any(tf.compat.v1.get_collection(key) for key in collections)


class StartedSession:
    """A new kept loop's session, made in the background (see
    :meth:`KeptSessionCreator.start`).

    A thread makes the session and, in one run, runs the variables' initializers (each
    draws the first numbers of its random stream, as in any new session) and the
    ``also_run`` ops, fetching the values the initializers assign (kept for later
    fits); it signals :meth:`ready`, then calls ``then(session)``.
    """

    def __init__(
        self,
        kept: KeptLoop,
        config: Any,
        variables: list,
        also_run: tuple[list, dict],
        then: Callable[[Any], None],
    ) -> None:
        self._kept = kept
        self._config = config
        self._variables = variables
        self._also_run = also_run
        self._then = then
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = BackgroundCall(self._run)

    def _run(self) -> None:
        kept = self._kept
        ops, feed = self._also_run
        try:
            session = KeptSession(graph=kept.graph, config=self._config)
            kept.session = session
            # An initializer's value input is what it assigns, computed once per run.
            values = [v.initializer.inputs[1] for v in self._variables]
            initializers = [v.initializer for v in self._variables]
            kept.initial_values, _ = session.run([values, initializers + list(ops)], feed)
        except BaseException as error:  # re-raised by ready()
            self._error = error
            return
        finally:
            self._ready.set()
        self._then(session)  # what it raises, join() re-raises

    def wait_made(self) -> None:
        """Wait until the session exists and is initialised (or that failed)."""
        self._ready.wait()

    def ready(self) -> KeptSession:
        """Wait until the session is initialised and prepared; re-raise what failed."""
        self.wait_made()
        if self._error is not None:
            raise self._error
        return self._kept.session

    def join(self) -> None:
        """Wait for ``then`` as well; re-raise what it raised."""
        self._thread.join()
