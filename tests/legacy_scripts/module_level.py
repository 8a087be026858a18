"""A TF 1.x script building in the implicit default graph; only the import line changed.

Run by tests/test_legacy_graph_mode.py as ``python module_level.py OUT.json``.
"""

import json
import os
import sys
import tempfile

import numpy as np

import tf_pipeline.tf1 as tf  # was: import tensorflow as tf

tf.set_random_seed(3)
x = tf.placeholder(tf.float32, [None, 3], name="x")
w = tf.Variable(tf.ones([3, 1]), name="w")
b = tf.get_variable("b", [1], initializer=tf.constant_initializer(0.5))
lr = tf.Variable(0.25, trainable=False, name="lr")
tf.add_to_collection("lr", lr)
y = tf.matmul(x, w) + b
graph = tf.get_default_graph()
checkpoint = os.path.join(tempfile.mkdtemp(), "model.ckpt")

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    value = sess.run(y, {x: np.ones((2, 3))})
    tf.train.Saver().save(sess, checkpoint)

tf.reset_default_graph()
after_reset = len(tf.get_default_graph().get_operations())
saver = tf.train.import_meta_graph(checkpoint + ".meta")
sess = tf.InteractiveSession()
saver.restore(sess, checkpoint)
restored_lr = float(sess.run(tf.get_collection("lr")[0]))
c = tf.constant(4.0)
interactive_eval = float((c * 2).eval())
sess.close()

result = {
    "value": value.ravel().tolist(),
    "same_graph": bool(w.graph is graph and y.graph is graph),
    "new_graph_after_reset": bool(tf.get_default_graph() is not graph),
    "ops_after_reset": after_reset,
    "restored_lr": restored_lr,
    "interactive_eval": interactive_eval,
    "legacy_mode": tf.in_legacy_graph_mode(),
    "left": tf.leave_legacy_graph_mode(),
    "eager_after_leave": tf.executing_eagerly(),
}
with open(sys.argv[1], "w") as file:
    json.dump(result, file)
