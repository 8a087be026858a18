"""TF1 pieces that TensorFlow 2.21 with Keras 3 no longer provides, on public API.

- :mod:`tf_pipeline.compat.rnn`: ``RNNCell``, ``BasicLSTMCell``, ``LSTMCell``,
  ``GRUCell``, ``MultiRNNCell`` and the wrappers, with TF1's math and variable names.
- :mod:`tf_pipeline.compat.layers`: contrib's ``fully_connected``, ``tf.layers.dense``,
  ``xavier_initializer`` and ``optimize_loss``.
- :mod:`tf_pipeline.compat.contrib_layers`: the rest of ``tf.contrib.layers`` (conv2d,
  pooling, batch_norm, layer_norm, dropout, embed_sequence, repeat/stack...), with
  :mod:`~tf_pipeline.compat.arg_scope`, :mod:`~tf_pipeline.compat.variables`,
  :mod:`~tf_pipeline.compat.regularizers`, :mod:`~tf_pipeline.compat.initializers` and
  :mod:`~tf_pipeline.compat.layer_summaries`.
- :mod:`tf_pipeline.compat.streaming_metrics`: ``tf.contrib.metrics``.
- :mod:`tf_pipeline.compat.slim_losses`, :mod:`~tf_pipeline.compat.slim_learning`,
  :mod:`~tf_pipeline.compat.model_analyzer`: slim's losses, training and analyzer.
- :mod:`tf_pipeline.compat.supervisor`: ``tf.train.Supervisor`` whose background
  services run in its graph (new threads execute eagerly under TF 2.x).

Everything here builds ops in the current ``tf.Graph`` (use it inside
``with tf.Graph().as_default():``); nothing switches eager execution off globally.
"""
