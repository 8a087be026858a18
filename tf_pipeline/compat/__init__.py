"""TF1 pieces that TensorFlow 2.21 with Keras 3 no longer provides, on public API.

- :mod:`tf_pipeline.compat.rnn`: ``RNNCell``, ``BasicLSTMCell``, ``LSTMCell``,
  ``GRUCell``, ``MultiRNNCell`` and the wrappers, with TF1's math and variable names.
- :mod:`tf_pipeline.compat.layers`: contrib's ``fully_connected``, ``tf.layers.dense``,
  ``xavier_initializer`` and ``optimize_loss``.

Everything here builds ops in the current ``tf.Graph`` (use it inside
``with tf.Graph().as_default():``); nothing switches eager execution off globally.
"""
