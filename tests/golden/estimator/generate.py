"""Golden files for the tf.estimator tests, from real tf.estimator 2.15.

Run from the repository root with the TF 2.15 reference environment::

    /work/ref215/bin/python tests/golden/estimator/generate.py

It writes ``tests/golden/estimator/data/``: ``warm_start/`` (the checkpoint both sides
warm-start from), ``model_dir_215/`` (the program's model_dir: the latest checkpoint, the
``checkpoint`` file and ``graph.pbtxt``), ``golden.json`` and ``golden.npz``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import program  # noqa: E402


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow.compat.v1 as tf

    # Eager stays on (as in our process): the Estimator builds its own graphs, and
    # tf.saved_model.load needs eager execution.
    out = os.path.join(HERE, "data")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    warm = os.path.join(out, "warm_start")
    program.write_warm_start(tf, warm)
    _prune(warm)
    work = tempfile.mkdtemp()
    model_dir = os.path.join(work, "model")
    result = program.run(tf, model_dir, warm, os.path.join(work, "tae"))
    kept = os.path.join(out, "model_dir_215")
    os.makedirs(kept)
    latest = tf.train.latest_checkpoint(model_dir)
    for name in os.listdir(model_dir):
        path = os.path.join(model_dir, name)
        if name.startswith(os.path.basename(latest) + ".") and not name.endswith(".meta"):
            shutil.copy(path, kept)
    with open(os.path.join(kept, "checkpoint"), "w") as handle:
        name = os.path.basename(latest)
        handle.write(f'model_checkpoint_path: "{name}"\nall_model_checkpoint_paths: "{name}"\n')
    arrays = {
        "predictions_y": result.pop("predictions_y"),
        "predictions_hidden_mean": result.pop("predictions_hidden_mean"),
    }
    for key, value in result.pop("served").items():
        arrays[f"served/{key}"] = value
    for key, value in result.pop("tae_variables").items():
        arrays[f"tae_variables/{key}"] = np.asarray(value)
    from importlib.metadata import version

    result["versions"] = {p: version(p) for p in ("tensorflow-cpu", "tensorflow-estimator")}
    np.savez(os.path.join(out, "golden.npz"), **arrays)
    with open(os.path.join(out, "golden.json"), "w") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
    shutil.rmtree(work)


def _prune(directory: str) -> None:
    """Keep only what warm-starting reads: the latest checkpoint and the state file."""
    keep = None
    with open(os.path.join(directory, "checkpoint")) as handle:
        keep = handle.readline().split('"')[1]
    for name in os.listdir(directory):
        if name == "checkpoint":
            continue
        if not name.startswith(keep + ".") or name.endswith(".meta"):
            path = os.path.join(directory, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    with open(os.path.join(directory, "checkpoint"), "w") as handle:
        handle.write(f'model_checkpoint_path: "{keep}"\nall_model_checkpoint_paths: "{keep}"\n')


if __name__ == "__main__":
    main()
