"""to_keras against real TF 2.15: convert from the golden checkpoint, match the golden outputs.

``tests/golden/cases/migrate.py`` was run by real TensorFlow 2.15 (tf.compat.v1, v2
behaviour off): its initial-variable checkpoint and outputs are committed. Here the same
model code, built by our namespace, is converted by ``to_keras`` from that checkpoint; the
Keras model's prediction and final states must equal what TF 2.15 computed.
"""

from __future__ import annotations

import numpy as np
import pytest

import tf_pipeline.tf1 as tf1
from tests.golden.cases import migrate as cases
from tests.golden.harness import golden_prefix
from tf_pipeline.migrate import convert

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", sorted(cases.MODELS))
def test_keras_conversion_of_the_tf215_checkpoint_matches_tf215(name):
    model, shape, dtype = cases.MODELS[name]
    golden = np.load(f"{golden_prefix('migrate', name)}.npz")
    checkpoint = f"{golden_prefix('migrate', name)}.ckpt"

    def model_fn(features, labels, mode):
        return model(tf1, features)[0], None, None

    conversion = convert(model_fn, checkpoint, shape, input_dtype=dtype)
    X = cases.features(shape, dtype)
    np.testing.assert_allclose(
        conversion.model.predict(X, verbose=0), golden["out/prediction"], atol=1e-5, rtol=1e-5
    )
    # Final states: the probe's state points are in TF1's flatten order, as the golden's.
    states = [p for p in conversion.points if "final state" in p[0]]
    golden_states = sorted(k for k in golden.files if k.startswith("out/state"))
    assert len(states) == len(golden_states)
    outputs = conversion.probe().predict(X, verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    by_label = dict(zip([p[0] for p in conversion.points], outputs, strict=True))
    for (label, _, _), key in zip(states, sorted(golden_states, key=_leaf_index), strict=True):
        np.testing.assert_allclose(by_label[label], golden[key], atol=1e-5, rtol=1e-5)


def _leaf_index(key: str) -> int:
    return int(key.rsplit("/", 1)[-1])
