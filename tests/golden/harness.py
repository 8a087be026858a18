"""Run one TF1 case and record what it computes; the same code runs on both TensorFlows.

A *case* is a function ``build(tf) -> dict`` written exactly as TF 1.x user code, with
``tf`` the namespace it is given:

- under real TensorFlow 2.15 (``scripts/reference_env.sh``), ``tf`` is
  ``tensorflow.compat.v1`` with v2 behaviour off, plus a ``tf.contrib`` assembled from
  the 2.15 counterparts (``tf_slim`` and friends, see ``reference_tf1.py``);
- under TensorFlow 2.21 (the test suite), ``tf`` is ``tf_pipeline.tf1``.

``build`` runs inside a fresh ``tf.Graph()`` whose graph seed is :data:`SEED`, and returns
a dict with these keys (all optional but ``feed``/``outputs``):

``feed``
    ``{placeholder: ndarray}``; make arrays with ``np.random.RandomState`` (stable across
    NumPy versions).
``outputs``
    ``{name: tensor or nested structure of tensors}``, fetched once after initialisation.
``loss``
    A scalar; the harness records d loss / d trainable variable and trains on it.
``train_op``
    What one training step runs; by default plain gradient descent (0.05) on ``loss``.
``steps``
    How many training steps to record (default :data:`TRAIN_STEPS`).
``sequence``
    A list of ``{name: tensor}`` fetched one after another (streaming metrics, moving
    averages): ``seq/<i>/<name>``.

What is recorded: every output, every gradient (by variable name), the loss of each
training step and every global variable's value after training. The initial variable
values are written as a real TF checkpoint beside the ``.npz``; the 2.21 side restores
that checkpoint by name (so names and shapes must match), then recomputes everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

SEED = 1234
TRAIN_STEPS = 100
LEARNING_RATE = 0.05
DATA_DIR = Path(__file__).resolve().parent / "data"
CASES_DIR = Path(__file__).resolve().parent / "cases"


def golden_prefix(area: str, name: str) -> Path:
    """Where case ``name`` of ``cases/<area>.py`` keeps its ``.npz`` and checkpoint."""
    return DATA_DIR / area / name


def _flatten(tf: Any, prefix: str, structure: Any) -> dict[str, Any]:
    leaves = tf.nest.flatten(structure)
    if len(leaves) == 1 and not isinstance(structure, (list, tuple, dict)):
        return {prefix: leaves[0]}
    return {f"{prefix}/{i}": leaf for i, leaf in enumerate(leaves)}


def run_case(
    tf: Any,
    build: Callable[[Any], dict],
    *,
    save_checkpoint: str | None = None,
    restore_checkpoint: str | None = None,
) -> dict[str, np.ndarray]:
    """Build and run one case; return ``{key: array}`` as stored in its golden ``.npz``.

    Exactly one of ``save_checkpoint`` (the reference side: write the initial variables)
    or ``restore_checkpoint`` (the side under test: start from them) is usually given.
    """
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(SEED)
        spec = build(tf)
        feed = spec.get("feed", {})
        fetches: dict[str, Any] = {}
        for name, value in spec.get("outputs", {}).items():
            fetches.update(_flatten(tf, f"out/{name}", value))
        loss = spec.get("loss")
        train_op = spec.get("train_op")
        trainables = tf.trainable_variables()
        if loss is not None:
            gradients = tf.gradients(loss, trainables)
            for variable, gradient in zip(trainables, gradients, strict=True):
                if gradient is not None:
                    if isinstance(gradient, tf.IndexedSlices):
                        gradient = tf.convert_to_tensor(gradient)
                    fetches[f"grad/{variable.op.name}"] = gradient
            if train_op is None:
                train_op = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)
        initialise = [
            tf.global_variables_initializer(),
            tf.local_variables_initializer(),
            tf.tables_initializer(),
        ]
        global_variables = tf.global_variables()
        saver = tf.train.Saver(global_variables) if global_variables else None
        result: dict[str, np.ndarray] = {}
        with tf.Session(graph=graph) as session:
            session.run(initialise)
            if restore_checkpoint is not None and saver is not None:
                saver.restore(session, restore_checkpoint)
            if save_checkpoint is not None and saver is not None:
                saver.save(session, save_checkpoint, write_meta_graph=False, write_state=False)
            result.update(session.run(fetches, feed) if fetches else {})
            for i, step_fetches in enumerate(spec.get("sequence", [])):
                flat: dict[str, Any] = {}
                for name, value in step_fetches.items():
                    flat.update(_flatten(tf, f"seq/{i}/{name}", value))
                result.update(session.run(flat, feed))
            if train_op is not None:
                losses = []
                for _ in range(spec.get("steps", TRAIN_STEPS)):
                    if loss is None:
                        session.run(train_op, feed)
                    else:
                        losses.append(session.run([loss, train_op], feed)[0])
                if losses:
                    result["loss_trajectory"] = np.asarray(losses)
                for variable in global_variables:
                    result[f"final/{variable.op.name}"] = session.run(variable)
        result["meta/variables"] = np.array(
            sorted(f"{v.op.name}:{v.shape.as_list()}" for v in global_variables), dtype=str
        )
    return {key: np.asarray(value) for key, value in result.items()}


def load_cases(area: str) -> dict[str, Callable[[Any], dict]]:
    """The ``CASES`` dict of ``cases/<area>.py`` (importable without TensorFlow)."""
    import importlib

    return importlib.import_module(f"golden.cases.{area}").CASES


def areas() -> list[str]:
    """Every case module under ``cases/``."""
    return sorted(p.stem for p in CASES_DIR.glob("*.py") if not p.stem.startswith("_"))
