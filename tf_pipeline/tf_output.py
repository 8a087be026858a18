"""Keep TensorFlow's own chatter out of our output, and only where we cause it.

Two kinds of noise reach a user who did nothing wrong:

- **Start-up lines of the C++ runtime** (oneDNN, ``cudart_stub``, ``cpu_feature_guard``,
  ``cuInit``). ``TF_CPP_MIN_LOG_LEVEL`` hides C++ logs once TensorFlow has initialised
  its logging, but the lines written while its shared libraries load come first (after
  absl's "All log messages before absl::InitializeLog() is called are written to
  STDERR") and ignore it. :func:`import_tensorflow_quietly` imports TensorFlow with file
  descriptor 2 captured and passes on only the lines at or above that level, so the
  variable means what it says from the first line. It is for programs (the CLI, Dask
  workers), never called on import of the library.
- **Deprecation notices caused by our own calls.** TensorFlow logs "From <file>:<line>:
  X is deprecated" through the ``tensorflow`` logger when our code calls a TF1 symbol
  whose replacement cannot keep TF1's graph (``dynamic_rnn`` builds the exact TF1 while
  loop and variable names that checkpoints and golden files rely on).
  :func:`silenced_tf_warnings` drops such records, matched by message, in the calling
  thread, for the duration of one call. A user's own TF1 call is never wrapped: it warns
  as it did under TF 1.x. TensorFlow prints each deprecation once per process, so a
  notice silenced inside our call is not repeated for a later direct call either.

Example
-------
>>> import logging
>>> logger = logging.getLogger("tensorflow")
>>> with silenced_tf_warnings(deprecated=("dynamic_rnn",)):
...     logger.warning("From x.py:1: dynamic_rnn (from tf) is deprecated and will be ...")
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

QUIET_LOG_LEVEL = "3"
"""``TF_CPP_MIN_LOG_LEVEL`` of a quiet program: C++ INFO, WARNING and ERROR lines hidden.

ERROR too, because TensorFlow logs expected conditions at that level (``failed call to
cuInit`` on a machine without a GPU, ``node_def_util`` attribute notices of tf.data);
real failures still raise Python exceptions."""

RETRACING = r"triggered tf\.function retracing"
"""Message pattern of TensorFlow's frequent-retracing warning (for ``patterns=``)."""

QUEUE_RUNNERS = ("QueueRunner.__init__", "add_queue_runner", "start_queue_runners")
"""TF1's queue-runner API (queue-based input_fns), deprecated in TF 2 (for ``deprecated=``)."""

OPTIMIZER_SLOTS = ("Constant.__init__",)
"""What TF1 optimizers (Adagrad, Ftrl) log when they create their slots: TensorFlow's own
deprecated ``constant_initializer(dtype=...)`` call, not the caller's."""

FEATURE_COLUMN_V1 = ("input_layer", r"\w+Column\._\w+")
"""TF1's ``input_layer`` and the old ``_FeatureColumn`` methods it calls on v2 columns."""

# "<file>:<line>: <symbol> (from <module>) is deprecated ..." or
# "<file>:<line>: calling <symbol> (from <module>) with <arg> is deprecated ..."
_DEPRECATION = r": (?:calling )?(?:{names}) \(from [\w.]+\) (?:with \w+ )?is deprecated"
_CPP_LINE = re.compile(rb"^([IWEF])\d{4} ")
_CPP_SEVERITY = {b"I": 0, b"W": 1, b"E": 2, b"F": 3}
_ABSL_NOTICE = b"WARNING: All log messages before absl::InitializeLog() is called"


class _MessageFilter(logging.Filter):
    def __init__(self, pattern: re.Pattern, thread: int) -> None:
        super().__init__()
        self._pattern = pattern
        self._thread = thread

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self._thread:
            return True
        return self._pattern.search(record.getMessage()) is None


@contextmanager
def silenced_tf_warnings(
    *, deprecated: Iterable[str] = (), patterns: Iterable[str] = ()
) -> Iterator[None]:
    """Drop the ``tensorflow`` logger's matching records logged by this thread in the block.

    Parameters
    ----------
    deprecated : iterable of str
        Regular expressions for the deprecated symbol as TensorFlow names it in its
        notice, e.g. ``"dynamic_rnn"``, ``"Zeros.__init__"`` (a deprecated argument),
        ``r"\\w+Column\\._\\w+"``.
    patterns : iterable of str
        Further regular expressions searched in the message, e.g. :data:`RETRACING`.

    Notes
    -----
    Use it around the one call whose notice is unavoidable, with a comment saying why.
    Records of other threads and other messages pass unchanged.
    """
    parts = list(patterns)
    names = list(deprecated)
    if names:
        parts.append(_DEPRECATION.format(names="|".join(names)))
    if not parts:
        raise ValueError("`deprecated` or `patterns` must name a message, got neither.")
    logger = logging.getLogger("tensorflow")
    message_filter = _MessageFilter(re.compile("|".join(parts)), threading.get_ident())
    logger.addFilter(message_filter)
    try:
        yield
    finally:
        logger.removeFilter(message_filter)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow, passing on only its start-up lines at ``TF_CPP_MIN_LOG_LEVEL``+.

    Does nothing when TensorFlow is already imported. Call it first thing in a program,
    after setting ``TF_CPP_MIN_LOG_LEVEL`` (unset means 0: every line passes, as without
    this function). Python's own ``sys.stderr`` output during the import (warnings) is
    passed on after it, unfiltered; if the import fails, everything is passed on.
    """
    if "tensorflow" in sys.modules:
        return
    try:
        min_level = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        min_level = 0
    if min_level <= 0:
        import tensorflow  # noqa: F401

        return
    with cpp_records_dropped(_below(min_level)):
        import tensorflow  # noqa: F401


def _below(min_level: int) -> Callable[[bytes], bool]:
    """Picks the C++ log lines whose severity is under ``min_level``."""
    return lambda line: _CPP_SEVERITY[line[:1]] < min_level


def _filter_cpp_lines(text: bytes, min_level: int) -> bytes:
    """The C++ log lines of ``text`` at ``min_level`` or above, and any other output."""
    return drop_cpp_records(text, _below(min_level))


class _Fd2Capture:
    """File descriptor 2 redirected to a temporary file, shared by overlapping blocks."""

    def __init__(self, saved: int) -> None:
        self.saved = saved
        self.file = tempfile.TemporaryFile()
        self.drops: list[Callable[[bytes], bool]] = []
        self.blocks = 0
        self.failed = False


_capture_lock = threading.Lock()
_capture: _Fd2Capture | None = None  # the capture open now, if any


@contextmanager
def cpp_records_dropped(drop: Callable[[bytes], bool]) -> Iterator[None]:
    """Drop the C++ log records ``drop`` picks from what is written to stderr meanwhile.

    File descriptor 2 itself is captured (C++ writes there, not to ``sys.stderr``), from
    the first of any overlapping blocks, in any threads, until the last one leaves;
    then what was written is passed on, in order, without the records one of the
    blocks' ``drop`` picks (:func:`drop_cpp_records`). If a block raises, everything
    is passed on. ``sys.stderr`` stays the same object, so a logging handler created
    meanwhile keeps a stream that stays open; Python's own writes are passed on
    unfiltered. Without a file descriptor 2 (a GUI launcher) nothing is captured.
    """
    global _capture
    with _capture_lock:
        if _capture is None:
            try:
                saved = os.dup(2)
            except OSError:  # nothing to keep clean
                saved = None
            if saved is not None:
                sys.stderr.flush()
                _capture = _Fd2Capture(saved)
                os.dup2(_capture.file.fileno(), 2)
        capture = _capture
        if capture is not None:
            capture.drops.append(drop)
            capture.blocks += 1
    if capture is None:
        yield
        return
    try:
        yield
    except BaseException:
        capture.failed = True
        raise
    finally:
        with _capture_lock:
            capture.blocks -= 1
            if capture.blocks == 0:
                _capture = None
                sys.stderr.flush()
                os.dup2(capture.saved, 2)
                os.close(capture.saved)
                capture.file.seek(0)
                text = capture.file.read()
                capture.file.close()
                if not capture.failed:
                    text = drop_cpp_records(text, lambda line: any(d(line) for d in capture.drops))
                if text:
                    os.write(2, text)


def drop_cpp_records(text: bytes, drop: Callable[[bytes], bool]) -> bytes:
    """``text`` without the C++ log records whose first line ``drop`` picks.

    A record is a line with a severity prefix (``E0000 ...``) and the lines without one
    that follow it; other output (and absl's "before InitializeLog" notice, dropped)
    passes unchanged.
    """
    kept: list[bytes] = []
    keep = True  # a line without a severity prefix continues the record before it
    for line in text.splitlines(keepends=True):
        if _CPP_LINE.match(line):
            keep = not drop(line)
        elif line.startswith(_ABSL_NOTICE):
            continue
        if keep:
            kept.append(line)
    return b"".join(kept)
