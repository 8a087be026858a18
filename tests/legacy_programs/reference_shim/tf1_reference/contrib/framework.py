"""``tf.contrib.framework``: ``tf_slim``'s ops plus the global-step helpers."""

from typing import Any

import tensorflow.compat.v1 as _v1
import tf_slim as _slim

get_global_step = _v1.train.get_global_step
get_or_create_global_step = _v1.train.get_or_create_global_step


def __getattr__(name: str) -> Any:
    return getattr(_slim, name)
