#!/usr/bin/env bash
# Build the reference environment (real TensorFlow 2.15, the last release whose tf.estimator,
# tf.compat.v1.layers and nn.rnn_cell work) in its own venv and regenerate the golden files.
# Usage: scripts/reference_env.sh [AREA ...]   (areas: the modules in tests/golden/cases/)
# The test suite never needs this venv: it reads the committed files in tests/golden/data/.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${REFERENCE_VENV:-.venv-tf215}"
if [ ! -x "$VENV/bin/python" ]; then
  python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "tensorflow-cpu==2.15.1" "tensorflow-estimator==2.15.0" \
    "tf-slim==1.1.0" "numpy<2" pandas
fi
TF_CPP_MIN_LOG_LEVEL=2 "$VENV/bin/python" tests/golden/regenerate.py "$@"
