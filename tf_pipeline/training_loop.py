"""Many TF1 training steps in one ``session.run``: a generic in-graph training loop.

A per-step loop pays Python, feed and session overhead on every step; for a model of
a few hundred thousand multiply-adds that overhead is nearly all the time. Here the
training data live in the graph (variables outside any checkpoint collection), each
``session.run`` feeds the row indices of up to K batches, and a ``tf.while_loop``
runs the steps.

How any TF1 ``model_fn`` becomes a loop body
--------------------------------------------
The step function (the user's model_fn, with its loss and train_op) is traced
**once, inside the loop body**, on features and labels gathered from the in-graph
data by the loop counter. Nothing is rewritten or re-implemented:

* Variables: ``get_variable`` (and the optimizers' slots, the learning-rate and
  ``beta_power`` variables) create resource variables, whose handles and
  initializers TensorFlow lifts out of the loop's function body into the outer graph
  (``init_scope``), exactly as it does for variables created inside ``dynamic_rnn``.
  So the graph holds the same variables, with the same names, as the per-step graph,
  and checkpoints are interchangeable.
* The update is the model's own ``train_op``: ``optimize_loss`` or any
  ``tf.compat.v1.train`` optimizer's ``minimize``/``apply_gradients`` (SGD, Momentum,
  Adagrad, Adam, RMSProp, Ftrl, ...), ops and kernels unchanged.
* Order: every op of step t+1 is created under a control dependency on the loop
  counter, which step t produces only after its ``train_op`` ran; so step t+1 reads
  the variables after step t wrote them (a plain ``tf.Graph`` adds no automatic
  control dependencies inside a loop body).
* A short batch (an epoch's last, in DataFeeder order) is a slice of dynamic size,
  so the model sees exactly the rows the per-step path feeds; XLA compiles it with a
  bounded dynamic dimension.

Modes: ``"graph"`` (exact: the per-step kernels, the same numbers as one
``session.run`` per step) and ``"xla"`` (the whole K-step loop compiled by XLA;
fused arithmetic, within float round-off of the per-step path; a ``dynamic_rnn`` of
one time step is built unrolled, see
:func:`~tf_pipeline.compat.rnn.functions.unrolled_dynamic_rnns`).

Example
-------
>>> import numpy as np, tensorflow as tf
>>> from tf_pipeline.training_loop import build_traced_loop
>>> def step_fn(features, labels):
...     w = tf.compat.v1.get_variable("w", [3, 1], initializer=tf.zeros_initializer())
...     loss = tf.reduce_mean(tf.square(tf.squeeze(tf.matmul(features, w), 1) - labels))
...     opt = tf.compat.v1.train.GradientDescentOptimizer(0.1)
...     return loss, opt.minimize(loss, tf.compat.v1.train.get_global_step())
>>> with tf.Graph().as_default():
...     step = tf.compat.v1.train.create_global_step()
...     loop = build_traced_loop(step_fn, x_shape=(8, 3), x_dtype=tf.float32,
...                              y_shape=(8,), y_dtype=tf.float32, batch_size=4,
...                              steps_per_run=10)
...     with tf.compat.v1.Session() as s:
...         s.run(tf.compat.v1.global_variables_initializer())
...         loop.load_data(s, np.ones((8, 3), "float32"), np.ones(8, "float32"))
...         losses = s.run(loop.losses, loop.feed_dict([np.arange(4), np.arange(4, 8)]))
...         int(s.run(step)), [round(float(v), 2) for v in losses[:2]]
(2, [1.0, 0.16])
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline._checks import check_choice, check_int
from tf_pipeline.compat.rnn.functions import unrolled_dynamic_rnns
from tf_pipeline.tf_output import silenced_tf_warnings

LOOP_SCOPE = "in_graph_loop"
LOOP_LOSSES = f"{LOOP_SCOPE}/losses"  # the losses of a run's steps, for hooks to fetch
LOOP_MODES = ("graph", "xla")
SCALAR_SLOTS = 16  # scalar summaries carried out of the loop (every step's values)

# Stateful random ops: their per-step stream is tied to how the per-step graph was built.
RANDOM_OPS = frozenset(
    {
        "RandomUniform",
        "RandomUniformInt",
        "RandomStandardNormal",
        "TruncatedNormal",
        "RandomShuffle",
        "Multinomial",
        "RandomGamma",
        "RandomPoisson",
        "RandomPoissonV2",
        "ParameterizedTruncatedNormal",
    }
)

StepFn = Callable[[Any, Any], tuple[Any, ...]]


@dataclass
class TracedLoop:
    """The ops of a traced K-step training loop and how to feed them.

    Attributes
    ----------
    losses : tf.Tensor of shape [steps]
        The loss of each step of a run (named :data:`LOOP_LOSSES`).
    scalars : dict of str to tf.Tensor of shape [steps]
        Every step's value of each scalar summary the step function made, by tag, so
        a run of many steps can write the summaries due at any of its steps.
    outputs : tuple
        What the step function returned, as traced in the loop body. Its tensors live
        in the body and cannot be fetched; it tells what the model built.
    random_ops : list of str
        Types of the stateful random ops in the body (and the functions it calls).
    """

    losses: tf.Tensor
    scalars: dict[str, tf.Tensor]
    outputs: tuple
    random_ops: list[str]
    dropped_summaries: list[str]
    steps_per_run: int
    batch_size: int
    _indices: tf.Tensor
    _sizes: tf.Tensor
    _n_steps: tf.Tensor
    _data: list[tf.Variable] = field(default_factory=list)
    _feeds: list[tf.Tensor] = field(default_factory=list)

    def load_data(self, session: tf.compat.v1.Session, x: np.ndarray, y: Any) -> None:
        """Copy the training data into the graph (once per session)."""
        session.run(*self.data_loader(x, y))

    def data_loader(self, x: np.ndarray, y: Any) -> tuple[list[tf.Operation], dict]:
        """The ops and feed that copy the training data into the graph, to run with
        other ops in one ``session.run``."""
        values = [x] if y is None else [x, y]
        return [v.initializer for v in self._data], dict(zip(self._feeds, values, strict=True))

    def no_steps_feed(self) -> dict[tf.Tensor, np.ndarray]:
        """Feed for a run of no steps: it compiles the loop and changes no variable."""
        return {
            self._indices: np.zeros((self.steps_per_run, self.batch_size), np.int32),
            self._sizes: np.zeros(self.steps_per_run, np.int32),
            self._n_steps: 0,
        }

    def feed_dict(self, batches: Sequence[np.ndarray]) -> dict[tf.Tensor, np.ndarray]:
        """Feed for ``len(batches)`` (at most ``steps_per_run``) steps of these rows."""
        if not 1 <= len(batches) <= self.steps_per_run:
            raise ValueError(
                f"`batches` must hold 1 to {self.steps_per_run} batches, got {len(batches)}."
            )
        indices = np.zeros((self.steps_per_run, self.batch_size), np.int32)
        sizes = np.zeros(self.steps_per_run, np.int32)
        sizes[: len(batches)] = [len(rows) for rows in batches]
        # Row k holds batch k's rows, then zeros (vectorised: a run feeds ~1000 batches).
        filled = np.arange(self.batch_size) < sizes[: len(batches), None]
        indices[: len(batches)][filled] = np.concatenate(batches)
        return {self._indices: indices, self._sizes: sizes, self._n_steps: len(batches)}


def build_traced_loop(
    step_fn: StepFn,
    *,
    x_shape: tuple[int, ...],
    x_dtype: Any,
    y_shape: tuple[int, ...] | None,
    y_dtype: Any,
    batch_size: int,
    steps_per_run: int,
    mode: str = "graph",
) -> TracedLoop:
    """Trace ``step_fn`` once inside a K-step ``tf.while_loop`` in the current graph.

    Parameters
    ----------
    step_fn : callable
        ``step_fn(features, labels) -> (loss, train_op, *rest)``: builds the model and
        its update (typically by calling a TF1 model_fn). Called exactly once.
    x_shape, y_shape : tuple of int
        Shapes of the whole training input and labels, as each batch slices them
        (``y_shape`` None when there are no labels).
    x_dtype, y_dtype : tf.DType or numpy dtype
    batch_size : int
        Most rows per step; shorter batches are fed at their own size.
    steps_per_run : int
        Most steps one ``session.run`` performs (the loop is compiled for this K).
    mode : {"graph", "xla"}

    Returns
    -------
    TracedLoop
    """
    mode = check_choice(mode, "mode", LOOP_MODES)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    steps_per_run = check_int(steps_per_run, "steps_per_run", minimum=1)
    traced: dict[str, Any] = {}
    with tf.compat.v1.name_scope(LOOP_SCOPE):
        data, feeds = [], []
        for name, shape, dtype in (("x", x_shape, x_dtype), ("y", y_shape, y_dtype)):
            if shape is None:
                continue
            feed = tf.compat.v1.placeholder(tf.as_dtype(dtype), shape, name=f"{name}_data")
            # collections=[]: never saved in checkpoints, never run by the initializers.
            data.append(tf.compat.v1.Variable(feed, trainable=False, collections=[], name=name))
            feeds.append(feed)
        indices = tf.compat.v1.placeholder(tf.int32, [steps_per_run, batch_size], "indices")
        sizes = tf.compat.v1.placeholder(tf.int32, [steps_per_run], "sizes")
        n_steps = tf.compat.v1.placeholder(tf.int32, [], "n_steps")

    def body(t, losses, scalars):
        # Every op of this step waits for the counter, which the previous step's
        # train_op produced: reads see the previous update.
        with tf.control_dependencies([t]):
            rows = indices[t][: sizes[t]]
            batch = [tf.gather(d, rows) for d in data]
            summaries = tf.compat.v1.GraphKeys.SUMMARIES
            before = len(tf.compat.v1.get_collection(summaries))
            # XLA: one-step RNNs unrolled (their nested while loops were most of a step).
            with unrolled_dynamic_rnns() if mode == "xla" else contextlib.nullcontext():
                result = tuple(step_fn(batch[0], batch[1] if len(batch) > 1 else None))
            loss, train_op = result[0], result[1]
            made = tf.compat.v1.get_collection(summaries)[before:]
        traced["outputs"] = result
        tags, values, traced["dropped"] = _scalar_summaries(made)
        traced["tags"] = tags
        traced["random"] = _random_ops(tf.compat.v1.get_default_graph())
        # The summaries are known only once traced, so the loop carries a fixed-size
        # [K, SCALAR_SLOTS] matrix of them: row t holds step t's values.
        step_scalars = tf.zeros([1, SCALAR_SLOTS])
        if values:
            step_scalars = tf.reshape(
                tf.pad(tf.stack(values), [[0, SCALAR_SLOTS - len(values)]]), [1, SCALAR_SLOTS]
            )
        with tf.control_dependencies([train_op]):
            row = tf.reshape(t, [1, 1])
            step_loss = tf.reshape(tf.cast(loss, tf.float32), [1])
            losses = tf.tensor_scatter_nd_update(losses, row, step_loss)
            scalars = tf.tensor_scatter_nd_update(scalars, row, step_scalars)
            return t + 1, losses, scalars

    def run_steps(indices_, sizes_, n_steps_):
        del indices_, sizes_, n_steps_  # the body reads the (same) tensors it closes over
        result = tf.while_loop(
            lambda t, *_: t < n_steps,
            body,
            [
                tf.constant(0),
                tf.zeros([steps_per_run]),
                tf.zeros([steps_per_run, SCALAR_SLOTS]),
            ],
            parallel_iterations=1,
        )
        return [result[1], result[2]]

    with tf.compat.v1.name_scope(f"{LOOP_SCOPE}/"):  # the scope made above, re-entered
        if mode == "xla":
            # The graph-mode (Session) way to compile a subgraph with XLA; its successor,
            # tf.function(jit_compile=True), does not exist in a TF1 graph.
            with silenced_tf_warnings(deprecated=("compile",)):
                losses, scalars = tf.compat.v1.xla.experimental.compile(
                    run_steps, [indices, sizes, n_steps]
                )
        else:
            losses, scalars = run_steps(indices, sizes, n_steps)
        losses = tf.identity(losses[:n_steps], name="losses")
        scalars = scalars[:n_steps]
    return TracedLoop(
        losses=losses,
        scalars={tag: scalars[:, k] for k, tag in enumerate(traced["tags"])},
        outputs=traced["outputs"],
        random_ops=traced["random"],
        dropped_summaries=traced["dropped"],
        steps_per_run=steps_per_run,
        batch_size=batch_size,
        _indices=indices,
        _sizes=sizes,
        _n_steps=n_steps,
        _data=data,
        _feeds=feeds,
    )


def _scalar_summaries(summaries: list[tf.Tensor]) -> tuple[list[str], list[tf.Tensor], list[str]]:
    """Tags and float values of the scalar summaries; the names of those not carried."""
    tags, values, dropped = [], [], []
    for summary in summaries:
        op = summary.op
        tag = tf.get_static_value(op.inputs[0]) if op.type == "ScalarSummary" else None
        if tag is None or np.ndim(tag) != 0 or len(values) == SCALAR_SLOTS:
            dropped.append(op.name)
            continue
        tag = np.asarray(tag).item()
        tags.append(tag.decode() if isinstance(tag, bytes) else str(tag))
        values.append(tf.reshape(tf.cast(op.inputs[1], tf.float32), []))
    return tags, values, dropped


def _random_ops(graph: Any) -> list[str]:
    """Stateful random ops in ``graph`` and in every function it calls (nested loops)."""
    graph_def = graph.as_graph_def()
    nodes = list(graph_def.node)
    for function in graph_def.library.function:
        nodes.extend(function.node_def)
    return sorted({node.op for node in nodes if node.op in RANDOM_OPS})
