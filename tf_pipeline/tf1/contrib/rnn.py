"""``tf.contrib.rnn``: the TF1 cells, the contrib cells and the RNN functions.

Everything is defined in :mod:`tf_pipeline.compat.rnn`; this module is that namespace.
"""

from tf_pipeline.compat import rnn as _rnn
from tf_pipeline.compat.rnn import *  # noqa: F403 - this module is that namespace

__all__ = list(_rnn.__all__)
