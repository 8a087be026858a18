"""``tf.contrib.legacy_seq2seq``: the per-time-step-list losses.

See :mod:`tf_pipeline.compat.sequence_loss`.
"""

from tf_pipeline.compat.sequence_loss import legacy_sequence_loss as sequence_loss
from tf_pipeline.compat.sequence_loss import sequence_loss_by_example

__all__ = ["sequence_loss", "sequence_loss_by_example"]
