"""The TF 1.x namespace as real TensorFlow 2.15 provides it (reference side only).

``tensorflow.compat.v1`` with v2 behaviour off, and a ``contrib`` attribute assembled from
what each case module's ``reference_contrib(tf, tf_slim)`` says stood for ``tf.contrib.X``
in 2.15 (``tf_slim`` holds most of contrib.layers, slim and contrib.metrics).
"""

from __future__ import annotations

import types
from typing import Any

import tensorflow.compat.v1 as _v1
import tf_slim

_v1.disable_v2_behavior()


class ReferenceTF1(types.ModuleType):
    """``tf`` for the cases: compat.v1 plus ``tf.contrib``."""

    def __init__(self, contrib: dict[str, Any]):
        super().__init__("reference_tf1")
        self.contrib = types.SimpleNamespace(**contrib)

    def __getattr__(self, name: str) -> Any:
        return getattr(_v1, name)


def reference_namespace(case_modules: list[types.ModuleType]) -> ReferenceTF1:
    """Merge every case module's ``reference_contrib`` into one namespace."""
    contrib: dict[str, Any] = {}
    for module in case_modules:
        hook = getattr(module, "reference_contrib", None)
        if hook is None:
            continue
        for key, value in hook(_v1, tf_slim).items():
            if key in contrib and isinstance(value, dict):
                merged = vars(contrib[key]) | value
                contrib[key] = types.SimpleNamespace(**merged)
            else:
                contrib[key] = types.SimpleNamespace(**value) if isinstance(value, dict) else value
    return ReferenceTF1(contrib)
