"""TF1's ``tf.layers``: exactly the names ``tf.compat.v1.layers`` had in TF 2.15.

Under Keras 3 every ``tf.compat.v1.layers`` symbol raises "not available with
Keras 3"; all of them are rebuilt in :mod:`tf_pipeline.compat.tf_layers` with TF1's
variable names, reuse and collections. Nothing falls through to
``tensorflow.compat.v1.layers``: a name TF1 did not have is an ``AttributeError``.
"""

from __future__ import annotations

from tf_pipeline.compat import tf_layers as _tf_layers

# The compat package's public names are exactly TF 2.15's tf.compat.v1.layers names.
__all__ = list(_tf_layers.__all__)
globals().update({name: getattr(_tf_layers, name) for name in __all__})


def __getattr__(name: str) -> object:
    raise AttributeError(
        f"module 'tf_pipeline.tf1.layers' has no attribute {name!r} (nor had TF1's tf.layers)"
    )


def __dir__() -> list[str]:
    return sorted(__all__)
