"""``tf.contrib`` of TF 1.x, for the parts legacy pipelines use.

``tf.contrib.rnn``, ``tf.contrib.layers`` and ``tf.contrib.framework`` work as
attributes and as ``from tf_pipeline.tf1.contrib import rnn``.
"""

from tf_pipeline.tf1.contrib import framework, layers, rnn

__all__ = ["framework", "layers", "rnn"]
