"""``tf.nn.rnn_cell`` of TF1, restored on public API (see :mod:`tf_pipeline.compat.rnn`)."""

from tf_pipeline.compat.rnn import *  # noqa: F403 - this module is that namespace
from tf_pipeline.compat.rnn import __all__  # noqa: F401
