"""Write the canned-estimator golden files with real tensorflow-estimator 2.15.

Run with the reference environment (never by the test suite)::

    TF_CPP_MIN_LOG_LEVEL=2 /work/ref215/bin/python tests/golden/estimator_canned/generate.py

For every case in :mod:`cases` it trains the canned estimator once for one step
(``tf_random_seed`` fixed) only to get initial values, writes those trainable
variables alone to ``data/<case>/init/model.ckpt-0`` (no meta graph, a few KB),
then trains a fresh estimator warm-started from that checkpoint on unshuffled
``numpy_input_fn`` data, evaluates and predicts, and records in
``data/<case>/golden.json``: the checkpoint's variable names and values, the
eval dict and the predictions. The test suite runs the same case under
``tf_pipeline.tf1`` from the same initial checkpoint and compares.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases  # noqa: E402


def _jsonable(value):
    value = np.asarray(value)
    if value.dtype.kind in "SO":
        return [v.decode() if isinstance(v, bytes) else str(v) for v in value.ravel()]
    return value.astype(np.float64).tolist()


def _write_init_checkpoint(source_dir: str, target_dir: str, names: list[str]) -> None:
    reader = tf.train.load_checkpoint(source_dir)
    os.makedirs(target_dir, exist_ok=True)
    with tf.Graph().as_default():
        variables = [
            tf.compat.v1.Variable(reader.get_tensor(n), name=n, trainable=True) for n in names
        ]
        saver = tf.compat.v1.train.Saver(variables)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            saver.save(
                sess, os.path.join(target_dir, "model.ckpt"), global_step=0, write_meta_graph=False
            )
    # The saver writes absolute paths; the committed directory must be relocatable.
    with open(os.path.join(target_dir, "checkpoint"), "w") as f:
        f.write(
            'model_checkpoint_path: "model.ckpt-0"\nall_model_checkpoint_paths: "model.ckpt-0"\n'
        )


def generate(name: str) -> None:
    out = os.path.join(HERE, "data", name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    tmp = tempfile.mkdtemp()
    try:
        # 1. Initial values: one seeded step, then keep the trainable variables only.
        first = cases.make(tf.compat.v1, name, os.path.join(tmp, "first"), warm_start_from=None)
        first.train(cases.train_input_fn(tf.compat.v1, name), steps=1)
        trainable = cases.trainable_names(first)
        init_dir = os.path.join(out, "init")
        _write_init_checkpoint(first.model_dir, init_dir, trainable)
        # 2. The golden run, warm-started from that checkpoint.
        result = cases.run(
            tf.compat.v1, name, os.path.join(tmp, "run"), init_dir, os.path.join(tmp, "export")
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    golden = {
        "trainable": trainable,
        "variables": {k: _jsonable(v) for k, v in result["variables"].items()},
        "eval": {k: _jsonable(v) for k, v in result["eval"].items()},
        "predictions": [{k: _jsonable(v) for k, v in p.items()} for p in result["predictions"]],
        "served": {
            sig: {k: _jsonable(v) for k, v in outputs.items()}
            for sig, outputs in result["served"].items()
        },
    }
    with open(os.path.join(out, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
    print(name, "variables:", sorted(golden["variables"]), "eval:", golden["eval"])


def generate_resume(name: str) -> None:
    """A TF 2.15 model_dir (checkpoint only) and the variables after training on from it.

    Redo the golden run, keep its final checkpoint (step ``TRAIN_STEPS``, optimizer slots
    included) in ``data/<case>/resume_from``, train ``RESUME_STEPS`` more in a copy and
    record every variable in ``data/<case>/resumed.json``.
    """
    out = os.path.join(HERE, "data", name, "resume_from")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    tmp = tempfile.mkdtemp()
    try:
        run_dir = os.path.join(tmp, "run")
        init_dir = os.path.join(HERE, "data", name, "init")
        cases.run(tf.compat.v1, name, run_dir, init_dir)
        prefix = tf.train.latest_checkpoint(run_dir)
        for path in tf.io.gfile.glob(prefix + ".*"):
            if not path.endswith(".meta"):
                shutil.copy(path, out)
        base = os.path.basename(prefix)
        with open(os.path.join(out, "checkpoint"), "w") as f:
            f.write(f'model_checkpoint_path: "{base}"\nall_model_checkpoint_paths: "{base}"\n')
        resumed = cases.resume(tf.compat.v1, name, out, os.path.join(tmp, "resumed"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(HERE, "data", name, "resumed.json"), "w") as f:
        json.dump({k: _jsonable(v) for k, v in resumed.items()}, f, indent=1, sort_keys=True)
    print(name, "resumed at step", resumed["global_step"])


if __name__ == "__main__":
    for case_name in sys.argv[1:] or list(cases.CASES):
        generate(case_name)
        if case_name in cases.RESUME_CASES:
            generate_resume(case_name)
