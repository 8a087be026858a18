"""Run independent fits as joblib tasks: in this process, or on a ``dask.distributed`` cluster.

The work this project scales is many small, independent fits (grid-search candidates
× folds × seeds, one model per series). Each is a joblib task: :func:`run_tasks`
runs them in order in this process (``backend=None`` outside any
``joblib.parallel_config``) or on whatever backend is active, e.g. Dask after
:func:`dask_backend`. A task is a picklable function and its arguments; the
results come back in task order, so a parallel run returns what the sequential
loop returns.

TensorFlow sizes its thread pools once per process from ``TF_NUM_INTRAOP_THREADS``
and ``TF_NUM_INTEROP_THREADS``. A worker process that runs one task at a time
should use one thread of each: more threads only fight over the same cores
(a machine with ``c`` cores runs ``c`` single-threaded workers). Clusters started
here (:func:`start_local_cluster`) set :func:`worker_env` in every worker process and
preload this module, whose :func:`dask_setup` imports TensorFlow without its C++
start-up lines; for ``dask worker`` on other machines, export the same variables first
(and pass ``--preload tf_pipeline.parallel`` for the quiet start).

Example
-------
>>> from tf_pipeline.parallel import run_tasks
>>> run_tasks(pow, [(2, 3), (3, 2)])
[8, 9]
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import joblib

from tf_pipeline._checks import check_choice, check_int
from tf_pipeline.tf_output import QUIET_LOG_LEVEL, import_tensorflow_quietly

logger = logging.getLogger(__name__)

BACKENDS = ("local", "dask")
# One thread per TensorFlow pool in every worker process (Dask's nanny already sets
# OMP/MKL/OPENBLAS_NUM_THREADS=1 before it spawns one); quiet TF C++ logs, as run.py's.
WORKER_ENV = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": QUIET_LOG_LEVEL,
}


def worker_env() -> dict[str, str]:
    """:data:`WORKER_ENV`, with this process's own ``TF_CPP_MIN_LOG_LEVEL`` if it has one."""
    env = dict(WORKER_ENV)
    if "TF_CPP_MIN_LOG_LEVEL" in os.environ:  # the user's choice (run.py --verbose sets 0)
        env["TF_CPP_MIN_LOG_LEVEL"] = os.environ["TF_CPP_MIN_LOG_LEVEL"]
    return env


def run_tasks(
    function: Callable[..., Any], tasks: Iterable[Sequence[Any]], *, backend: str | None = None
) -> list[Any]:
    """``[function(*task) for task in tasks]``, as joblib tasks.

    Parameters
    ----------
    function : callable
        Picklable (a module-level function) when the tasks leave this process.
    tasks : iterable of sequences
        The positional arguments of each call.
    backend : str or None, default=None
        A joblib backend name (``"dask"``, ``"loky"``, ...). None uses the active
        ``joblib.parallel_config`` (all its workers), or runs the loop in this
        process when none is active.

    Returns
    -------
    list
        The results in task order.
    """
    tasks = [tuple(task) for task in tasks]
    # joblib's n_jobs=None means 1 (a plain loop in this process) unless an enclosing
    # parallel_config says otherwise; a backend named here gets all of its workers.
    with joblib.Parallel(n_jobs=None if backend is None else -1, backend=backend) as parallel:
        return parallel(joblib.delayed(function)(*task) for task in tasks)


def start_local_cluster(n_workers: int = 2, *, memory_limit: str = "auto") -> Any:
    """A ``distributed.LocalCluster`` of single-threaded worker processes on 127.0.0.1.

    Parameters
    ----------
    n_workers : int, default=2
        Worker processes (one task at a time each).
    memory_limit : str, default="auto"
        Per worker, as Dask spells it (``"2GiB"``); a worker above it is restarted
        and its tasks retried elsewhere.

    Returns
    -------
    distributed.LocalCluster
        Close it (or use it as a context manager) when done.
    """
    from distributed import LocalCluster

    n_workers = check_int(n_workers, "n_workers", minimum=1)
    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit=memory_limit,
        env=worker_env(),
        # Workers import TensorFlow first thing, without its start-up lines (dask_setup).
        preload=[__name__],
    )


@contextmanager
def dask_backend(scheduler: str | None = None, *, n_workers: int = 2) -> Iterator[Any]:
    """Make Dask the joblib backend for the block; yield the ``distributed.Client``.

    Parameters
    ----------
    scheduler : str or None, default=None
        Address of a running scheduler (``"tcp://10.0.0.5:8786"``). None starts a
        :func:`start_local_cluster` with ``n_workers`` workers and closes it after.
    n_workers : int, default=2
        Workers of the local cluster (ignored with ``scheduler``).
    """
    from distributed import Client

    cluster = None if scheduler else start_local_cluster(n_workers)
    client = Client(scheduler or cluster)
    try:
        logger.info("dask: %s", client)
        with joblib.parallel_config(backend="dask"):
            yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def backend_context(
    backend: str = "local", scheduler: str | None = None, *, n_workers: int = 2
) -> Iterator[Any]:
    """``backend="local"``: nothing changes (yields None); ``"dask"``: :func:`dask_backend`."""
    backend = check_choice(backend, "backend", BACKENDS)
    if backend == "local":
        if scheduler is not None:
            raise ValueError(f"`scheduler` must be None with backend='local', got {scheduler!r}.")
        yield None
        return
    with dask_backend(scheduler, n_workers=n_workers) as client:
        yield client


def dask_setup(worker: Any = None) -> None:
    """Dask's preload hook: import TensorFlow quietly in a starting worker process."""
    del worker
    import_tensorflow_quietly()
