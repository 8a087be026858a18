"""``tf.contrib.layers``: fully_connected, optimize_loss and the xavier initializer."""

from tf_pipeline.compat.layers import fully_connected, optimize_loss, xavier_initializer

__all__ = ["fully_connected", "optimize_loss", "xavier_initializer"]
