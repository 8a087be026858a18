"""``tf.contrib`` of TF 1.x, from what stood for each part in TensorFlow 2.15.

- ``rnn``: ``tf.compat.v1.nn.rnn_cell`` cells and ``tf.compat.v1.nn.static_*rnn``;
- ``legacy_seq2seq`` / ``seq2seq``: the sequence losses, written from TF 1.x's source
  (contrib was removed in 2.0, so 2.15 has no counterpart);
- ``layers``, ``slim``, ``metrics``, ``framework``: ``tf_slim``.
"""

from tf1_reference.contrib import framework, layers, legacy_seq2seq, metrics, rnn, seq2seq, slim

__all__ = ["framework", "layers", "legacy_seq2seq", "metrics", "rnn", "seq2seq", "slim"]
