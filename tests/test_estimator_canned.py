"""The canned estimators against real tensorflow-estimator 2.15 (golden files).

``tests/golden/estimator_canned/generate.py`` ran each case of ``cases.py`` under TF 2.15:
train 10 steps on unshuffled ``numpy_input_fn`` data, warm-started from the committed
initial checkpoint ``data/<case>/init``, then evaluate and predict. Here the same case runs
under ``tf_pipeline.tf1`` from the same checkpoint: the checkpoint's variable names (slots
and ``global_step`` included) must be equal, and every variable, eval metric and
prediction equal within 1e-5; for ``EXPORT_CASES``, the exported SavedModel (parsing
receiver, reloaded with ``tf.saved_model.load``) must have the same signatures and serve
the same outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import tf_pipeline.tf1 as tf1

HERE = Path(__file__).parent / "golden" / "estimator_canned"
sys.path.insert(0, str(HERE))
import cases  # noqa: E402

TOLERANCE = 1e-5
# Exporting costs seconds per case: one case per head (regression, binary with label
# vocabulary, multi-class with label vocabulary) and one per model family.
EXPORT_CASES = ("linear_classifier", "dnn_regressor", "dnn_classifier_multi")


def _close(ours, golden, what):
    ours = np.asarray(ours)
    if ours.dtype.kind in "SO":
        assert [v.decode() for v in ours.ravel()] == golden, what
    else:
        assert ours.shape == np.shape(golden), what
        np.testing.assert_allclose(
            ours.astype(np.float64), golden, rtol=TOLERANCE, atol=TOLERANCE, err_msg=what
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", cases.CASES)
def test_canned_estimator_matches_tensorflow_2_15(name, tmp_path):
    golden = json.loads((HERE / "data" / name / "golden.json").read_text())
    result = cases.run(
        tf1,
        name,
        str(tmp_path / "model"),
        str(HERE / "data" / name / "init"),
        str(tmp_path / "export") if name in EXPORT_CASES else None,
    )

    assert sorted(result["variables"]) == sorted(golden["variables"])
    for key, value in golden["variables"].items():
        _close(result["variables"][key], value, key)
    assert sorted(result["eval"]) == sorted(golden["eval"])
    for key, value in golden["eval"].items():
        _close(result["eval"][key], value, key)
    assert len(result["predictions"]) == len(golden["predictions"]) == cases.N_EXAMPLES
    for i, (ours, theirs) in enumerate(
        zip(result["predictions"], golden["predictions"], strict=True)
    ):
        assert sorted(ours) == sorted(theirs)
        for key, value in theirs.items():
            _close(ours[key], value, f"prediction {i} {key}")
    if name not in EXPORT_CASES:
        return
    # The exported SavedModel: the same signatures, serving the same numbers.
    assert sorted(result["served"]) == sorted(golden["served"])
    for signature, outputs in golden["served"].items():
        assert sorted(result["served"][signature]) == sorted(outputs), signature
        for key, value in outputs.items():
            _close(result["served"][signature][key], value, f"served {signature} {key}")


@pytest.mark.slow
@pytest.mark.parametrize("name", cases.RESUME_CASES)
def test_training_continues_from_a_tensorflow_2_15_model_dir(name, tmp_path):
    # A model_dir TF 2.15 wrote after 10 steps (Ftrl / Adagrad slots of partitioned
    # variables, batch-norm moving averages): ours trains on from it, global step included,
    # and lands where TF 2.15 did.
    golden = json.loads((HERE / "data" / name / "resumed.json").read_text())
    resumed = cases.resume(
        tf1, name, str(HERE / "data" / name / "resume_from"), str(tmp_path / "m")
    )
    assert golden["global_step"] == cases.TRAIN_STEPS + cases.RESUME_STEPS
    assert sorted(resumed) == sorted(golden)
    for key, value in golden.items():
        _close(resumed[key], value, key)
