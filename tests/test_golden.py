"""Every golden case: TensorFlow 2.21 through ``tf_pipeline.tf1`` against real TF 2.15.

The golden files (``tests/golden/data``) were written by real TensorFlow 2.15
(``scripts/reference_env.sh``). Each case restores the reference's initial checkpoint by
name, which fails when a variable name or shape differs, then compares outputs and
gradients (1e-6) and the losses and variables after training (1e-5).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from golden.harness import areas, golden_prefix, load_cases, run_case

import tf_pipeline.tf1 as tf1

FORWARD_TOL = 1e-6
TRAINING_TOL = 1e-5

CASES = [(area, name) for area in areas() for name in load_cases(area)]


def _tolerance(key: str) -> float:
    return TRAINING_TOL if key.startswith(("final/", "loss_trajectory")) else FORWARD_TOL


@pytest.mark.parametrize(("area", "name"), CASES, ids=[f"{a}/{n}" for a, n in CASES])
def test_case_matches_tensorflow_2_15(area: str, name: str) -> None:
    prefix = golden_prefix(area, name)
    npz = prefix.with_name(prefix.name + ".npz")
    assert npz.exists(), f"no golden file {npz}: run scripts/reference_env.sh {area}"
    golden = dict(np.load(npz))
    checkpoint = str(prefix) + ".ckpt"
    reference_variables = (
        {n for n, _ in tf.train.list_variables(checkpoint)}
        if golden["meta/variables"].size
        else set()
    )
    ours = run_case(tf1, load_cases(area)[name], restore_checkpoint=checkpoint)

    assert list(ours["meta/variables"]) == list(golden["meta/variables"])
    assert {v.split(":")[0] for v in ours["meta/variables"]} == reference_variables
    assert sorted(ours) == sorted(golden)
    for key, expected in golden.items():
        if key.startswith("meta/"):
            continue
        actual = ours[key]
        assert actual.shape == expected.shape, key
        if actual.dtype.kind in "fc":
            tol = _tolerance(key)
            np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol, err_msg=key)
        else:
            np.testing.assert_array_equal(actual, expected, err_msg=key)
