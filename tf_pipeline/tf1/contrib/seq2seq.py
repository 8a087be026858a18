"""``tf.contrib.seq2seq``: the sequence loss (see :mod:`tf_pipeline.compat.sequence_loss`)."""

from tf_pipeline.compat.sequence_loss import sequence_loss

__all__ = ["sequence_loss"]
