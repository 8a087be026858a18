"""``tf.contrib.slim``: ``tf_slim`` (TF 2.15's home for it)."""

from typing import Any

import tf_slim as _slim

_SOURCE = _slim


def __getattr__(name: str) -> Any:
    return getattr(_SOURCE, name)
