"""``slim.losses``: TF1's contrib losses (predictions or logits first)."""

from tf_pipeline.compat.slim_losses import *  # noqa: F403 - this module is that namespace
from tf_pipeline.compat.slim_losses import __all__  # noqa: F401
