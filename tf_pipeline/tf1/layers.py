"""``tf.layers`` of TF1: ``dense`` restored; the rest is ``tensorflow.compat.v1.layers``.

Under Keras 3 most of ``tf.compat.v1.layers`` raises "not available with Keras 3";
``dense`` (the one the legacy pipelines use) is rebuilt in
:mod:`tf_pipeline.compat.layers` with TF1's variable names.
"""

from __future__ import annotations

from typing import Any

import tensorflow as _tf

from tf_pipeline.compat.layers import dense

_V1_LAYERS = _tf.compat.v1.layers


def __getattr__(name: str) -> Any:
    try:
        return getattr(_V1_LAYERS, name)
    except AttributeError:
        raise AttributeError(
            f"module 'tf_pipeline.tf1.layers' has no attribute {name!r}"
        ) from None


__all__ = ["dense"]
