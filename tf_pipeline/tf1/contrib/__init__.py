"""``tf.contrib`` of TF 1.x, for the parts legacy programs use.

``tf.contrib.{framework, layers, learn, legacy_seq2seq, metrics, rnn, seq2seq, slim}`` work
as attributes and as ``from tf_pipeline.tf1.contrib import rnn``.
"""

from tf_pipeline.tf1.contrib import (
    framework,
    layers,
    learn,
    legacy_seq2seq,
    metrics,
    rnn,
    seq2seq,
    slim,
)

__all__ = ["framework", "layers", "learn", "legacy_seq2seq", "metrics", "rnn", "seq2seq", "slim"]
