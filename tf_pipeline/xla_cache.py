"""A compilation cache on disk: a new process loads the XLA programs an earlier one built.

Compiling a training loop with XLA costs a fit about a second (for the legacy LSTM,
1.2 s of a 2.8 s fit of 10,000 steps); :mod:`~tf_pipeline.estimators.loop_cache` keeps
compiled loops for later fits *in the process*. This module keeps them *across
processes*, with TensorFlow's own persistent cache (``TF_XLA_FLAGS``'
``--tf_xla_persistent_cache_directory``): the first XLA compilation of a program writes
its executable to disk, and a later process with the same program (same graph, shapes
and TensorFlow build) loads it instead of compiling it -- about 0.25 s instead of 1.2 s.
The executable loaded is the one XLA compiled, so a fit trains to the same numbers bit
for bit (tested).

Where, and how to turn it off
-----------------------------
``TF_PIPELINE_XLA_CACHE`` (environment): unset means
``$XDG_CACHE_HOME/tf_pipeline/xla`` (``~/.cache/tf_pipeline/xla``); a path means that
folder; ``0``/``off``/``false``/``no`` turn the cache off. Programs go to a subfolder
named after the TensorFlow version and this CPU's model and instruction set, so a home
folder shared by different machines (a Dask cluster) never loads a program built for
another CPU. The cache keeps at most :data:`MAX_CACHE_BYTES`; the oldest programs are
removed first.

TensorFlow reads ``TF_XLA_FLAGS`` once, when it first starts its runtime (the first
eager op, session or Keras model); so ``import tf_pipeline`` sets the flag (the
environment variable only, nothing else), and the cache takes effect when tf_pipeline is
imported before TensorFlow runs anything. A ``TF_XLA_FLAGS`` that already names a cache
folder is left as it is. The flag applies to every XLA compilation of the process, a
user's own ``jit_compile`` functions included.

When it loads a program, TensorFlow logs two harmless ERROR lines (it first tries to read
the binary file as text, and compares a CPU tuning flag it does not find in the host's
list). :func:`quiet_loads` drops exactly those lines around our own compilations; with
``TF_CPP_MIN_LOG_LEVEL=3`` (``run.py``'s default) TensorFlow prints neither anyway.

Example
-------
>>> import os
>>> from tf_pipeline.xla_cache import cache_directory
>>> os.environ["TF_PIPELINE_XLA_CACHE"] = "off"
>>> cache_directory() is None
True
>>> del os.environ["TF_PIPELINE_XLA_CACHE"]
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tf_pipeline.tf_output import cpp_records_dropped, drop_cpp_records

__all__ = [
    "CACHE_ENV",
    "MAX_CACHE_BYTES",
    "cache_directory",
    "configure",
    "drop_load_notices",
    "drop_unreadable_programs",
    "prune",
    "quiet_loads",
]

CACHE_ENV = "TF_PIPELINE_XLA_CACHE"
"""Environment variable: the cache folder, or ``off`` (see the module docstring)."""

MAX_CACHE_BYTES = 512 * 2**20
"""Most bytes of compiled programs kept (a loop of the legacy LSTM is about 1.3 MB)."""

_FLAG = "--tf_xla_persistent_cache_directory"
_MARK = "_TF_PIPELINE_XLA_CACHE_FLAG"  # the flag configure() added, seen by child processes
_OFF = frozenset({"0", "off", "false", "no"})
# The two lines TensorFlow 2.21 logs when it loads a cached program (see quiet_loads).
_LOAD_NOTICES = (
    re.compile(rb"^E\d{4} .*Error parsing text-format tensorflow\.XlaSerializedCacheEntry"),
    re.compile(rb"^E\d{4} .*Loading XLA:CPU AOT result\. Target machine feature"),
)


def cache_directory() -> Path | None:
    """The folder this process's compiled programs go to; None when the cache is off."""
    value = os.environ.get(CACHE_ENV, "").strip()
    if value.lower() in _OFF:
        return None
    if value:
        base = Path(value).expanduser()
    else:
        home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        base = Path(home) / "tf_pipeline" / "xla"
    return base / _machine_tag()


def _machine_tag() -> str:
    """TensorFlow's version and a digest of this CPU's model and instruction set."""
    try:
        version = importlib.metadata.version("tensorflow")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    cpu = f"{platform.machine()} {platform.processor()}"
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            # The first processor's model and flags: every core of a machine has the same.
            lines = [
                line.split(":", 1)[1].strip()
                for line in info
                if line.startswith(("model name", "flags", "Features", "CPU part"))
            ]
        cpu += " ".join(dict.fromkeys(lines))
    except OSError:  # not Linux: the platform module's description
        pass
    digest = hashlib.sha256(cpu.encode()).hexdigest()[:12]
    return f"tf{version}-{digest}"


def configure() -> Path | None:
    """Point TensorFlow's persistent XLA cache at :func:`cache_directory`.

    Sets ``TF_XLA_FLAGS`` only (keeping the flags it holds); called by ``import
    tf_pipeline``. Returns the folder, or None when the cache is off or
    ``TF_XLA_FLAGS`` already names one (the user's choice wins) or the folder cannot
    be written (TensorFlow would fail the compilations). A flag this function
    set in a parent process (a child inherits the environment) is decided afresh, so
    ``TF_PIPELINE_XLA_CACHE=off`` in a child turns it off.
    """
    flags = os.environ.get("TF_XLA_FLAGS", "").split()
    inherited = os.environ.pop(_MARK, None)
    if inherited in flags:
        flags.remove(inherited)
    directory = None if any(f.startswith(_FLAG) for f in flags) else cache_directory()
    # An unwritable folder: TensorFlow would fail every XLA compilation writing there.
    if directory is not None and _writable(directory):
        flag = f"{_FLAG}={directory}"
        flags.append(flag)
        os.environ[_MARK] = flag
    else:
        directory = None
    if flags:
        os.environ["TF_XLA_FLAGS"] = " ".join(flags)
    else:
        os.environ.pop("TF_XLA_FLAGS", None)
    if directory is not None:
        prune(directory)
        drop_unreadable_programs(directory)
    return directory


def _writable(directory: Path) -> bool:
    """Can programs be written to ``directory`` (made if missing)?"""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".probe_"):
            return True
    except OSError:
        return False


def prune(directory: Path, max_bytes: int = MAX_CACHE_BYTES) -> list[Path]:
    """Remove the oldest programs until ``directory`` holds at most ``max_bytes``.

    Returns the files removed. A missing folder holds nothing.
    """
    try:
        entries = [
            (entry.stat().st_mtime, entry.stat().st_size, Path(entry.path))
            for entry in os.scandir(directory)
            if entry.is_file()
        ]
    except OSError:
        return []
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, path in sorted(entries):
        if total <= max_bytes:
            break
        try:
            path.unlink()
        except OSError:  # another process removed it first
            continue
        total -= size
        removed.append(path)
    return removed


def drop_unreadable_programs(directory: Path | None = None) -> list[Path]:
    """Remove the cached programs that are not whole protocol buffers; the files removed.

    TensorFlow fails a run whose program it cannot read back (a file cut short, e.g. by
    a full disk, reads as ``OutOfRangeError: Read less bytes than requested``) instead of
    compiling it again, so :func:`configure` drops such files before TensorFlow can
    meet them. Only the top-level field headers are read (a few bytes a file).
    """
    directory = directory or cache_directory()
    removed = []
    for path in sorted(directory.iterdir()) if directory and directory.is_dir() else ():
        try:
            if not _is_whole_message(path):
                path.unlink()
                removed.append(path)
        except OSError:  # removed or replaced by another process meanwhile
            continue
    return removed


def _is_whole_message(path: Path) -> bool:
    """Do the top-level protobuf fields of the file at ``path`` end exactly at its end?"""
    end = path.stat().st_size
    with open(path, "rb") as data:

        def varint() -> int:
            value = shift = 0
            while shift < 64:
                byte = data.read(1)
                if not byte:
                    raise ValueError("cut short")
                value |= (byte[0] & 0x7F) << shift
                shift += 7
                if byte[0] < 0x80:
                    return value
            raise ValueError("varint too long")

        try:
            while data.tell() < end:
                wire_type = varint() & 7
                if wire_type == 0:
                    varint()
                elif wire_type in (1, 2, 5):
                    skip = {1: 8, 5: 4}.get(wire_type) or varint()
                    if data.tell() + skip > end:
                        return False
                    data.seek(skip, os.SEEK_CUR)
                else:
                    return False
        except ValueError:
            return False
    return end > 0


@contextmanager
def quiet_loads() -> Iterator[None]:
    """Drop TensorFlow's two harmless cache-load lines from stderr during the block.

    File descriptor 2 is captured while any thread is inside the block, and every other
    line is passed on when the last one leaves (in order, a little later; see
    :func:`~tf_pipeline.tf_output.cpp_records_dropped`). Does nothing when the cache is
    off or ``TF_CPP_MIN_LOG_LEVEL`` hides ERROR lines already.
    """
    if not _loads_may_log():
        yield
        return
    with cpp_records_dropped(_is_load_notice):
        yield


def _loads_may_log() -> bool:
    if _FLAG not in os.environ.get("TF_XLA_FLAGS", ""):
        return False
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")) < 3
    except ValueError:
        return True


def _is_load_notice(line: bytes) -> bool:
    return any(notice.match(line) for notice in _LOAD_NOTICES)


def drop_load_notices(text: bytes) -> bytes:
    """``text`` without TensorFlow's cache-load log records (their continuation lines
    included)."""
    return drop_cpp_records(text, _is_load_notice)
