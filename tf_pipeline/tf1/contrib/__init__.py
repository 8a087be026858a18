"""``tf.contrib`` of TF 1.x, for the parts legacy pipelines use.

``tf.contrib.rnn``, ``tf.contrib.layers``, ``tf.contrib.framework`` and
``tf.contrib.learn`` work as
attributes and as ``from tf_pipeline.tf1.contrib import rnn``.
"""

from tf_pipeline.tf1.contrib import framework, layers, learn, legacy_seq2seq, rnn, seq2seq

__all__ = ["framework", "layers", "learn", "rnn"]
__all__ += ["legacy_seq2seq", "seq2seq"]
