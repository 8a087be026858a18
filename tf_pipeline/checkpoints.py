"""Read the latest TF1 checkpoint of a directory that another process may be training into.

A trainer writes ``model.ckpt-<step>`` files, then the ``checkpoint`` state file naming
the newest, then deletes checkpoints beyond ``keep_checkpoint_max``. A reader that finds
the latest checkpoint and restores it a moment later can lose the race: the files it
chose are gone. Such a checkpoint was not corrupt, only rotated away, so the reader
looks up the new latest and tries again, a bounded number of times.

Example
-------
>>> import tempfile
>>> from tf_pipeline.checkpoints import checkpoint_complete
>>> checkpoint_complete(tempfile.mkdtemp() + "/model.ckpt-1")
False
"""

from __future__ import annotations

import glob
import logging
import time
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Each retry sees a newer latest checkpoint; losing the race this often in a row means
# the trainer saves faster than one restore takes, which retrying will not fix.
READ_ATTEMPTS = 8
_RETRY_PAUSE_S = 0.05


class CheckpointError(RuntimeError):
    """A checkpoint is corrupt, incomplete, gone, or belongs to another model."""


class CheckpointVanishedError(CheckpointError):
    """The checkpoint was deleted (rotated away by a trainer) while it was being read."""


def unreadable(prefix: str, error: BaseException) -> CheckpointError:
    """The :class:`CheckpointError` for a failed read of ``prefix``, saying what happened.

    A checkpoint whose files are gone was rotated away (or never existed), not corrupt.
    """
    text = str(error).splitlines()[0] if str(error) else ""
    cause = f"{type(error).__name__}: {text}"
    if not checkpoint_complete(prefix):
        return CheckpointError(
            f"Checkpoint {prefix!r} does not exist, or no longer ({cause}): a process training "
            "into its directory may have rotated it away. Use the latest checkpoint."
        )
    return CheckpointError(
        f"Checkpoint {prefix!r} could not be read ({cause}). It may be corrupt or written "
        "by another model."
    )


def checkpoint_complete(prefix: str) -> bool:
    """Do the index and at least one data file of checkpoint ``prefix`` exist?"""
    escaped = glob.escape(prefix)
    return bool(glob.glob(escaped + ".index")) and bool(glob.glob(escaped + ".data-*"))


def read_latest(
    find_latest: Callable[[], str],
    read: Callable[[str], T],
    *,
    first: str | None = None,
    attempts: int = READ_ATTEMPTS,
) -> tuple[T, str]:
    """``read(latest)``, retried with the new latest when the checkpoint vanished mid-read.

    Parameters
    ----------
    find_latest : callable
        Returns the current latest checkpoint prefix (raising when there is none).
    read : callable
        Reads one checkpoint prefix; any exception it raises while the checkpoint's
        files still exist is a real error and propagates unchanged.
    first : str, optional
        The prefix to try first (already looked up by the caller).
    attempts : int, default=READ_ATTEMPTS

    Returns
    -------
    (result, prefix)
        What ``read`` returned, and the checkpoint it read.

    Raises
    ------
    CheckpointVanishedError
        When the checkpoint was rotated away ``attempts`` times in a row.
    """
    prefix = first if first is not None else find_latest()
    attempt = 1
    while True:
        try:
            return read(prefix), prefix
        except Exception as error:
            if checkpoint_complete(prefix):
                raise
            if attempt >= attempts:
                raise CheckpointVanishedError(
                    f"Checkpoint {prefix!r} was deleted while it was being read, {attempts} "
                    "times in a row: another process is training into this directory and "
                    "rotating its checkpoints faster than one can be restored. Read a copy of "
                    "the directory, or let the trainer keep more checkpoints "
                    "(keep_checkpoint_max) or save less often."
                ) from error
            logger.info(
                "Checkpoint %s was rotated away while being read (%s); retrying with the "
                "latest one.",
                prefix,
                type(error).__name__,
            )
        time.sleep(_RETRY_PAUSE_S * attempt)
        attempt += 1
        prefix = find_latest()
