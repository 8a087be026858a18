"""What an Estimator keeps in its model_dir, and the rules that keep it safe.

- Checkpoints are TF1 ``tf.compat.v1.train.Saver`` files ``model.ckpt-<step>`` with
  the ``checkpoint`` state file; the Saver writes both atomically, so a process
  killed at any moment leaves the previous checkpoint loadable.
- A checkpoint that cannot be read, that does not hold this model's variables, or
  that holds variables this model does not have (a bigger or different model), is an
  error naming the file, raised before anything is written: training never silently
  starts from scratch over an existing model, nor rotates another model's checkpoints
  away. The optimizer state saved beside the model's own variables (slots such as
  ``OptimizeLoss/<var>/Adagrad`` or ``<var>/Adam``, ``beta1_power``, the learning-rate
  variable) does not count: prediction has no optimizer, and training may use another.
- Readers (``predict``, ``evaluate``) may run while another process trains: a
  checkpoint rotated away between "find the latest" and "restore" is retried with the
  new latest (:func:`tf_pipeline.checkpoints.read_latest`), never called corrupt.
- One process trains a model_dir at a time: ``fit`` holds an exclusive
  ``fcntl`` lock on ``<model_dir>/.fit.lock``; a second ``fit`` is refused at once.
  The operating system drops the lock when the process dies, even on SIGKILL.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import tensorflow as tf

from tf_pipeline.checkpoints import (
    READ_ATTEMPTS,
    CheckpointError,
    checkpoint_complete,
    read_latest,
    unreadable,
)

T = TypeVar("T")

CHECKPOINT_BASENAME = "model.ckpt"
LOCK_NAME = ".fit.lock"
SIGNATURE_NAME = "input_signature.json"


class ModelDirBusyError(RuntimeError):
    """Another process is training into the same model_dir."""


# Optimizer state saved beside the model's variables, not tied to one variable.
_OPTIMIZER_STATE = ("beta1_power", "beta2_power", "learning_rate")
_SLOT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def check_model_dir(model_dir: str) -> None:
    """Refuse a ``model_dir`` path that exists but is not a directory."""
    if os.path.exists(model_dir) and not os.path.isdir(model_dir):
        raise ValueError(
            f"`model_dir` must be a directory (or a path to create one), got {model_dir!r}, "
            "which is a file."
        )


@contextmanager
def fit_lock(model_dir: str) -> Iterator[None]:
    """Hold the model_dir's training lock for the duration of the block."""
    check_model_dir(model_dir)
    os.makedirs(model_dir, exist_ok=True)
    path = os.path.join(model_dir, LOCK_NAME)
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ModelDirBusyError(
                f"`model_dir` {model_dir!r} is being trained by another process (pid "
                f"{holder}). Wait for it to finish or use another model_dir."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def _checkpoint_state(model_dir: str) -> Any:
    """The parsed ``checkpoint`` state file, None when absent or unparsable as text."""
    try:
        return tf.train.get_checkpoint_state(model_dir)
    except (ValueError, UnicodeDecodeError) as error:
        # TensorFlow raises these for an empty state file or one that is not text.
        raise CheckpointError(
            f"The `checkpoint` state file in {model_dir!r} is damaged ({type(error).__name__}: "
            f"{str(error).splitlines()[0]}). Restore it, or delete it and name the latest "
            "model.ckpt-<step> in a new one."
        ) from None


def latest_checkpoint(model_dir: str) -> str | None:
    """The newest checkpoint prefix, or None when model_dir holds no checkpoint.

    Raises :class:`CheckpointError` when checkpoint files exist but the
    ``checkpoint`` state file is missing, damaged or points at files that are gone
    (after re-reading it a few times: a trainer may be rotating checkpoints), and
    ``ValueError`` when ``model_dir`` is a file.
    """
    check_model_dir(model_dir)
    if not os.path.isdir(model_dir):
        return None
    for _ in range(READ_ATTEMPTS):
        state = _checkpoint_state(model_dir)
        path = state.model_checkpoint_path if state is not None else None
        if not path or os.path.exists(path + ".index"):
            break
        # A trainer may have rotated it away after we read the state file: read it again.
        time.sleep(0.05)
    else:
        raise CheckpointError(
            f"The `checkpoint` file in {model_dir!r} names {path!r}, but "
            f"{path}.index is missing. Restore the file or remove the `checkpoint` file."
        )
    if path is not None:
        return path
    orphans = sorted(glob.glob(os.path.join(model_dir, f"{CHECKPOINT_BASENAME}-*.index")))
    if orphans:
        raise CheckpointError(
            f"{model_dir!r} holds checkpoint files ({os.path.basename(orphans[-1])}, ...) but "
            "no readable `checkpoint` state file, so the latest one is unknown. Restore the "
            "`checkpoint` file (or delete the model.ckpt-* files to start over)."
        )
    return None


_PART = re.compile(r"/part_\d+(/|$)")


def read_latest_checkpoint(
    model_dir: str, read: Callable[[str], T], *, first: str | None = None
) -> tuple[T, str]:
    """``read(latest checkpoint)``, retried when a trainer rotates it away mid-read.

    Errors are :class:`CheckpointError`: a checkpoint that still exists but cannot be
    read is called unreadable; one that keeps vanishing is called rotated away.
    """

    def find() -> str:
        path = latest_checkpoint(model_dir)
        if path is None:
            raise CheckpointError(f"{model_dir!r} holds no checkpoint any more.")
        return path

    return read_latest(find, read, first=first)


def _is_optimizer_state(name: str, ours: set[str]) -> bool:
    """Is checkpoint variable ``name`` optimizer state of the variables ``ours``?

    TF1 names a slot ``[<scope>/]<variable>/<slot>`` (``OptimizeLoss/<var>/Adagrad``,
    ``<var>/Adam_1``, a partition's ``<var>/part_0/Ftrl``), Keras optimizers of TF 2.15's
    canned estimators ``<var>/t_0/Adagrad``; Adam's ``beta1_power``/``beta2_power`` and
    ``optimize_loss``'s ``learning_rate`` belong to no one variable. These names depend
    on the optimizer and on how the graph was built (a rebuilt graph may scope its
    slots differently while the Saver maps them by their saved names), so they are
    recognised by their owner rather than matched one to one.
    """
    parts = name.split("/")
    if parts[-1] in _OPTIMIZER_STATE:
        return True
    if len(parts) < 2 or not _SLOT_NAME.match(parts[-1]):
        return False
    for cut in (1, 2):  # the slot, or the slot under one sub-scope ("t_0", "part_0")
        owner = parts[:-cut]
        if any("/".join(owner[i:]) in ours for i in range(len(owner))):
            return True
    return False


def check_checkpoint_matches(path: str, variables: list[tf.Variable]) -> None:
    """Raise :class:`CheckpointError` unless ``path`` holds exactly ``variables``.

    Every variable must be in the checkpoint with its shape, and the checkpoint must
    hold nothing else but optimizer state of these variables (slots, Adam's beta
    powers, the learning rate: prediction and evaluation graphs have no optimizer, and
    training may use another): a checkpoint of a bigger or different model is refused
    rather than partly restored.
    """
    try:
        reader = tf.train.load_checkpoint(path)
        shapes = reader.get_variable_to_shape_map()
    except (tf.errors.OpError, ValueError) as error:
        if not checkpoint_complete(path):
            raise unreadable(path, error) from error
        raise CheckpointError(
            f"Checkpoint {path!r} cannot be read ({type(error).__name__}: "
            f"{str(error).splitlines()[0]}). It may be corrupt or truncated."
        ) from error
    # A partitioned variable's parts (".../part_0" and their slots) are saved as slices
    # under the whole variable's name; the Saver checks those itself when it restores.
    # Their slots (".../part_0/Ftrl") keep their own names.
    ours = {v.op.name for v in variables} | {_PART.sub(r"\1", v.op.name) for v in variables}
    variables = [v for v in variables if not _PART.search(v.op.name)]
    missing = [v.op.name for v in variables if v.op.name not in shapes]
    if missing:
        raise CheckpointError(
            f"Checkpoint {path!r} does not hold this model's variables {missing[:5]}"
            f"{' ...' if len(missing) > 5 else ''}: it was written by another model. "
            "Use a new model_dir for a different model."
        )
    for variable in variables:
        want = variable.shape.as_list()
        got = shapes[variable.op.name]
        if want != got:
            raise CheckpointError(
                f"Checkpoint {path!r} holds {variable.op.name} with shape {got}, but this "
                f"model builds it with shape {want}. Use a new model_dir for a different model."
            )
    extra = sorted(
        name for name in shapes if name not in ours and not _is_optimizer_state(name, ours)
    )
    if extra:
        raise CheckpointError(
            f"Checkpoint {path!r} holds variables this model does not have {extra[:5]}"
            f"{' ...' if len(extra) > 5 else ''}: it was written by a bigger or different "
            "model, and using it would drop part of that model. Nothing was written. Use a "
            "new model_dir (or the model that wrote this one)."
        )


def write_signature(model_dir: str, signature: dict[str, Any]) -> None:
    """Record the feature/label dtypes and shapes fit saw (atomically)."""
    tmp = os.path.join(model_dir, f".{SIGNATURE_NAME}.tmp")
    with open(tmp, "w") as handle:
        json.dump(signature, handle)
    os.replace(tmp, os.path.join(model_dir, SIGNATURE_NAME))


def read_signature(model_dir: str) -> dict[str, Any] | None:
    path = os.path.join(model_dir, SIGNATURE_NAME)
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)
