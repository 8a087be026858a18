"""tf.estimator against real tf.estimator 2.15: the same program, golden files from 2.15.

``tests/golden/estimator/program.py`` runs under TF 2.15 (``generate.py``, committed
output in ``tests/golden/estimator/data``) and here under ``tf_pipeline.tf1``: warm-started
from the 2.15 checkpoint, trained on unshuffled ``numpy_input_fn`` input, evaluated,
predicted, exported, served; then ``train_and_evaluate`` with a ``LatestExporter``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import tensorflow

import tf_pipeline.tf1 as tf
from tests.golden.estimator import program

DATA = Path(__file__).resolve().parent / "golden" / "estimator" / "data"
REFERENCE_PYTHON = Path("/work/ref215/bin/python")
ATOL = 1e-5


@pytest.fixture(scope="module")
def golden():
    with open(DATA / "golden.json") as handle:
        recorded = json.load(handle)
    arrays = dict(np.load(DATA / "golden.npz"))
    return recorded, arrays


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    work = tmp_path_factory.mktemp("estimator_golden")
    model_dir = str(work / "model")
    result = program.run(tf, model_dir, str(DATA / "warm_start"), str(work / "tae"))
    result["model_dir"] = model_dir
    return result


@pytest.mark.slow
def test_eval_metrics_and_keys_match_tf215(ours, golden):
    recorded, _ = golden
    assert ours["eval_keys"] == recorded["eval_keys"]
    for key in ("metrics", "metrics_two", "tae_metrics"):
        assert sorted(ours[key]) == sorted(recorded[key])
        for name, value in recorded[key].items():
            assert ours[key][name] == pytest.approx(value, abs=ATOL), (key, name)


@pytest.mark.slow
def test_predictions_and_served_predictions_match_tf215(ours, golden):
    recorded, arrays = golden
    np.testing.assert_allclose(ours["predictions_y"], arrays["predictions_y"], atol=ATOL)
    np.testing.assert_allclose(
        ours["predictions_hidden_mean"], arrays["predictions_hidden_mean"], atol=ATOL
    )
    assert ours["batch_sizes"] == recorded["batch_sizes"]
    served = {k[len("served/") :]: v for k, v in arrays.items() if k.startswith("served/")}
    assert sorted(ours["served"]) == sorted(served)
    for key, value in served.items():
        np.testing.assert_allclose(ours["served"][key], value, atol=ATOL, err_msg=key)
    # The SavedModel serves estimator.predict's numbers.
    np.testing.assert_allclose(ours["served"]["v2/y"], ours["predictions_y"], atol=1e-6)


@pytest.mark.slow
def test_checkpoints_exports_and_layout_match_tf215(ours, golden):
    recorded, arrays = golden
    assert ours["variable_names"] == recorded["variable_names"]
    assert ours["kept_checkpoints"] == recorded["kept_checkpoints"]
    assert ours["eval_dirs"] == recorded["eval_dirs"]
    assert ours["tae_exports"] == recorded["tae_exports"]
    assert ours["tae_exports_kept"] == recorded["tae_exports_kept"]
    for key, value in arrays.items():
        if key.startswith("tae_variables/"):
            name = key[len("tae_variables/") :]
            np.testing.assert_allclose(ours["tae_variables"][name], value, atol=ATOL)


def _estimator(model_dir):
    return tf.estimator.Estimator(
        program.make_model_fn(tf), str(model_dir), program.config(tf), params=program.PARAMS
    )


@pytest.mark.slow
def test_tf215_model_dir_restores_and_continues_training(tmp_path, golden):
    recorded, _ = golden
    model_dir = tmp_path / "model_dir_215"
    shutil.copytree(DATA / "model_dir_215", model_dir)
    estimator = _estimator(model_dir)
    # Ours restores the checkpoint 2.15 wrote: same evaluation as 2.15's.
    metrics = estimator.evaluate(program.input_fns(tf)["eval"])
    for name, value in recorded["metrics"].items():
        assert metrics[name] == pytest.approx(value, abs=ATOL), name
    estimator.train(program.input_fns(tf)["train"], steps=3)
    assert estimator.get_variable_value("global_step") == 23
    assert os.path.basename(estimator.latest_checkpoint()) == "model.ckpt-23"


def _reference_restores(checkpoint: str) -> dict:
    """Restore ``checkpoint`` in real TF 2.15 through tf.estimator and evaluate it."""
    script = (
        "import json, sys; sys.path.insert(0, 'tests/golden/estimator');"
        "import program, tensorflow.compat.v1 as tf;"
        "est = tf.estimator.Estimator(program.make_model_fn(tf), sys.argv[1],"
        " program.config(tf), params=program.PARAMS);"
        "m = est.evaluate(program.input_fns(tf)['eval']);"
        "print('RESULT', json.dumps({k: float(v) for k, v in m.items()}))"
    )
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run(
        [str(REFERENCE_PYTHON), "-c", script, checkpoint],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


@pytest.mark.slow
def test_our_model_dir_restores_in_tf215(ours):
    """Names and shapes of our checkpoint are TF 2.15's; with the reference environment
    present, real tf.estimator 2.15 also restores and evaluates it to our numbers."""
    reader = tensorflow.train.load_checkpoint(tf.train.latest_checkpoint(ours["model_dir"]))
    reference = tensorflow.train.load_checkpoint(str(DATA / "model_dir_215" / "model.ckpt-20"))
    assert reader.get_variable_to_shape_map() == reference.get_variable_to_shape_map()
    assert reader.get_variable_to_dtype_map() == reference.get_variable_to_dtype_map()
    if not REFERENCE_PYTHON.exists():
        pytest.skip("TF 2.15 reference environment not installed; names/shapes checked")
    metrics = _reference_restores(ours["model_dir"])
    for name, value in ours["metrics"].items():
        assert metrics[name] == pytest.approx(value, abs=ATOL), name
