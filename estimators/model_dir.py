"""What an Estimator keeps in its model_dir, and the rules that keep it safe.

- Checkpoints are TF1 ``tf.compat.v1.train.Saver`` files ``model.ckpt-<step>`` with
  the ``checkpoint`` state file; the Saver writes both atomically, so a process
  killed at any moment leaves the previous checkpoint loadable.
- A checkpoint that cannot be read, or that does not hold this model's variables,
  is an error naming the file: training never silently starts from scratch over
  an existing model.
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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import tensorflow as tf

CHECKPOINT_BASENAME = "model.ckpt"
LOCK_NAME = ".fit.lock"
SIGNATURE_NAME = "input_signature.json"


class CheckpointError(RuntimeError):
    """A checkpoint in model_dir is corrupt, incomplete or belongs to another model."""


class ModelDirBusyError(RuntimeError):
    """Another process is training into the same model_dir."""


@contextmanager
def fit_lock(model_dir: str) -> Iterator[None]:
    """Hold the model_dir's training lock for the duration of the block."""
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


def latest_checkpoint(model_dir: str) -> str | None:
    """The newest checkpoint prefix, or None when model_dir holds no checkpoint.

    Raises :class:`CheckpointError` when checkpoint files exist but the
    ``checkpoint`` state file is missing or points at files that are gone.
    """
    if not os.path.isdir(model_dir):
        return None
    path = tf.train.latest_checkpoint(model_dir)
    if path is not None:
        if not os.path.exists(path + ".index"):
            raise CheckpointError(
                f"The `checkpoint` file in {model_dir!r} names {path!r}, but "
                f"{path}.index is missing. Restore the file or remove the `checkpoint` file."
            )
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


def check_checkpoint_matches(path: str, variables: list[tf.Variable]) -> None:
    """Raise :class:`CheckpointError` unless ``path`` holds ``variables`` with their shapes."""
    try:
        reader = tf.train.load_checkpoint(path)
        shapes = reader.get_variable_to_shape_map()
    except (tf.errors.OpError, ValueError) as error:
        raise CheckpointError(
            f"Checkpoint {path!r} cannot be read ({type(error).__name__}: "
            f"{str(error).splitlines()[0]}). It may be corrupt or truncated."
        ) from error
    # A partitioned variable's parts (".../part_0" and their slots) are saved as slices
    # under the whole variable's name; the Saver checks those itself when it restores.
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
