"""``tensorflow`` of TF 1.x as real TensorFlow 2.15 provides it (reference side only).

``run_reference.py`` rewrites a corpus program's ``import tensorflow as tf`` to ``import
tf1_reference as tf``: this module is ``tensorflow.compat.v1`` with v2 behaviour off, plus
a ``contrib`` package assembled from 2.15's counterparts (see ``contrib/__init__.py``).
"""

from typing import Any

import tensorflow.compat.v1 as _v1

_v1.disable_v2_behavior()

from tf1_reference import contrib  # noqa: E402, F401 - after disable_v2_behavior, on purpose

layers = _v1.layers
nn = _v1.nn


def __getattr__(name: str) -> Any:
    return getattr(_v1, name)
