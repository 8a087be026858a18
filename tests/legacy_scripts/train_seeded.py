"""An unmodified TF 1.x training script (``import tensorflow as tf``), seeded.

tests/test_tf1_runner.py runs it with ``python -m tf_pipeline.tf1 train_seeded.py OUT.json``;
tests/golden/make_legacy_scripts.py ran it under real TensorFlow 2.15 (v1 behaviour) to
write tests/golden/data/legacy_scripts/train_seeded.json.
"""

import json
import sys

import numpy as np
import tensorflow as tf
from codebase.model import mlp

STEPS = 30


def data():
    rs = np.random.RandomState(0)
    features = rs.rand(64, 4).astype(np.float32)
    target = np.sin(features @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype=np.float32))
    return features, target


def run(steps):
    tf.set_random_seed(42)
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 1])
    prediction = mlp(x, hidden=8)
    loss = tf.reduce_mean(tf.square(prediction - y))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=global_step)
    features, target = data()
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            losses.append(float(sess.run([loss, train_op], {x: features, y: target})[0]))
        step = int(sess.run(global_step))
    names = sorted(v.op.name for v in tf.global_variables())
    return losses, step, names


def main():
    first = run(STEPS)
    tf.reset_default_graph()
    second = run(STEPS)  # same seed, fresh default graph: the same numbers
    result = {
        "losses": first[0],
        "repeat_losses": second[0],
        "global_step": first[1],
        "variables": first[2],
    }
    with open(sys.argv[1], "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main()
