"""Many TF1 training steps in one ``session.run``: the in-graph loop of the fast path.

A per-step loop pays Python, feed and session overhead on every step; for a model of
a few hundred thousand multiply-adds that overhead is nearly all the time. Here the
data live in the graph (variables outside any checkpoint collection), each
``session.run`` feeds the row indices of K batches, and a ``tf.while_loop`` runs the K
steps: forward pass, gradients, and the optimizer's update written out in ops with the
weights and accumulators carried as loop variables. Carrying them is what orders step
t+1's reads after step t's update; reading the variables inside the loop would not be
ordered. After the loop the results are assigned back to the *same* TF1 variables
(weights, ``OptimizeLoss/<var>/Adagrad`` slots) and the global step advances by K, so
checkpoints are interchangeable with the per-step path.

Modes: ``"graph"`` (exact: the ops of one ``session.run`` per step, within float
round-off) and ``"xla"`` (the whole K-step loop compiled by
``tf.compat.v1.xla.experimental.compile``; fused arithmetic, within 1e-5).

Example
-------
>>> import numpy as np, tensorflow as tf
>>> from tf_pipeline.models import lstm_forward
>>> from tf_pipeline.training_loop import build_in_graph_loop
>>> with tf.Graph().as_default():
...     w = [tf.compat.v1.get_variable("k", [5, 16]), tf.compat.v1.get_variable("b", [16]),
...          tf.compat.v1.get_variable("hw", [4, 1]), tf.compat.v1.get_variable("hb", [1])]
...     step = tf.compat.v1.train.create_global_step()
...     loop = build_in_graph_loop(forward=lstm_forward, variables=w, slots=None,
...                                learning_rate=0.1, global_step=step, optimizer="SGD",
...                                x_shape=(8, 1, 1), batch_size=4)
...     with tf.compat.v1.Session() as s:
...         s.run(tf.compat.v1.global_variables_initializer())
...         loop.load_data(s, np.ones((8, 1, 1), "float32"), np.zeros(8, "float32"))
...         losses = s.run(loop.losses, loop.feed_dict([np.arange(4), np.arange(4, 8)]))
...         int(s.run(step)), losses.shape
(2, (2,))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from tf_pipeline._checks import check_choice
from tf_pipeline.batching import padded_batches

LOOP_OPTIMIZERS = ("Adagrad", "SGD")
LOOP_SCOPE = "in_graph_loop"
LOOP_LOSSES = f"{LOOP_SCOPE}/losses"  # the per-step losses tensor, for hooks to fetch
LOOP_MODES = ("graph", "xla")


@dataclass
class InGraphLoop:
    """The ops of an in-graph training loop and how to feed them."""

    indices: tf.Tensor
    mask: tf.Tensor
    losses: tf.Tensor
    gradient_norm: tf.Tensor
    batch_size: int
    _x_data: tf.Variable
    _y_data: tf.Variable
    _x_feed: tf.Tensor
    _y_feed: tf.Tensor

    def load_data(self, session: tf.compat.v1.Session, x: np.ndarray, y: np.ndarray) -> None:
        """Copy the training data into the graph once per session."""
        session.run(
            [self._x_data.initializer, self._y_data.initializer],
            {self._x_feed: x, self._y_feed: np.reshape(y, [len(y)])},
        )

    def feed_dict(self, batches: Sequence[np.ndarray]) -> dict[tf.Tensor, np.ndarray]:
        """Feed for ``len(batches)`` steps; a short batch is padded and masked out."""
        indices, mask = padded_batches(batches, self.batch_size)
        return {self.indices: indices, self.mask: mask}


def build_in_graph_loop(
    *,
    forward: Callable[[list[tf.Tensor], tf.Tensor], tf.Tensor],
    variables: Sequence[tf.Variable],
    slots: Sequence[tf.Variable] | None,
    learning_rate: Any,
    global_step: tf.Variable,
    x_shape: tuple[int, ...],
    batch_size: int,
    optimizer: str = "Adagrad",
    mode: str = "graph",
    x_dtype: Any = tf.float32,
) -> InGraphLoop:
    """Build the K-step loop over ``variables`` in the current graph.

    Parameters
    ----------
    forward : callable
        ``forward(weight_tensors, features) -> predictions [batch]``.
    variables : sequence of tf.Variable
        The trainable weights, in ``forward``'s order.
    slots : sequence of tf.Variable or None
        Adagrad accumulators matching ``variables`` (None for SGD).
    learning_rate : float or tf.Tensor or tf.Variable
    global_step : tf.Variable
        Advanced by the number of steps each run performs.
    x_shape : tuple of int
        Shape of the whole training input ``(n, time, depth)``.
    batch_size : int
        Rows per step (shorter batches are padded and masked).
    optimizer : {"Adagrad", "SGD"}
        Update rule, op for op as ``ApplyAdagrad``/``ApplyGradientDescent``.
    mode : {"graph", "xla"}
    """
    optimizer = check_choice(optimizer, "optimizer", LOOP_OPTIMIZERS)
    mode = check_choice(mode, "mode", LOOP_MODES)
    variables = list(variables)
    slots = list(slots or [])
    if optimizer == "Adagrad" and len(slots) != len(variables):
        raise ValueError(
            f"`slots` must hold one Adagrad accumulator per variable ({len(variables)}), "
            f"got {len(slots)}."
        )
    n_weights = len(variables)
    with tf.compat.v1.name_scope(LOOP_SCOPE):
        x_feed = tf.compat.v1.placeholder(x_dtype, x_shape, name="x_data")
        y_feed = tf.compat.v1.placeholder(tf.float32, [x_shape[0]], name="y_data")
        # collections=[]: never saved in checkpoints, never touched by the initializers.
        x_data = tf.compat.v1.Variable(x_feed, trainable=False, collections=[], name="x")
        y_data = tf.compat.v1.Variable(y_feed, trainable=False, collections=[], name="y")
        indices = tf.compat.v1.placeholder(tf.int32, [None, batch_size], name="indices")
        mask = tf.compat.v1.placeholder(tf.float32, [None, batch_size], name="mask")
        rate = tf.convert_to_tensor(learning_rate, tf.float32)

        def run_steps(indices, mask, rate, *state):
            n_steps = tf.shape(indices)[0]

            def body(t, losses, norm, *state):
                weights, accumulators = list(state[:n_weights]), list(state[n_weights:])
                rows, row_mask = indices[t], mask[t]
                x = tf.gather(x_data, rows)
                y = tf.gather(y_data, rows)
                errors = tf.square(forward(weights, x) - y)
                loss = tf.reduce_sum(errors * row_mask) / tf.reduce_sum(row_mask)
                grads = tf.gradients(loss, weights)
                if optimizer == "Adagrad":
                    accumulators = [a + g * g for a, g in zip(accumulators, grads, strict=True)]
                    weights = [
                        w - g * rate * tf.math.rsqrt(a)
                        for w, g, a in zip(weights, grads, accumulators, strict=True)
                    ]
                else:
                    weights = [w - g * rate for w, g in zip(weights, grads, strict=True)]
                return [t + 1, losses.write(t, loss), tf.linalg.global_norm(grads)] + (
                    weights + accumulators
                )

            losses = tf.TensorArray(tf.float32, size=n_steps)
            result = tf.while_loop(
                lambda t, *_: t < n_steps,
                body,
                [tf.constant(0), losses, tf.constant(0.0)] + list(state),
                parallel_iterations=1,
            )
            return [result[1].stack(), result[2]] + list(result[3:])

        initial = [tf.identity(v) for v in variables + slots]
        if mode == "xla":
            outputs = tf.compat.v1.xla.experimental.compile(
                run_steps, [indices, mask, rate] + initial
            )
        else:
            outputs = run_steps(indices, mask, rate, *initial)
        losses, norm, final = outputs[0], outputs[1], outputs[2:]
        updates = [v.assign(value) for v, value in zip(variables + slots, final, strict=True)]
        updates.append(
            global_step.assign_add(tf.cast(tf.shape(indices)[0], global_step.dtype.base_dtype))
        )
        with tf.control_dependencies(updates):
            losses = tf.identity(losses, name="losses")
            norm = tf.identity(norm, name="gradient_norm")
    return InGraphLoop(indices, mask, losses, norm, batch_size, x_data, y_data, x_feed, y_feed)
