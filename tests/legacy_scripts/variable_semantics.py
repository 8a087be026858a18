"""TF1 variable semantics that TF 1.x's reference variables gave (issue 11, item 4).

(a) a variable kept in a collection, exported and imported with the meta graph, runs to
its value; (b) ``string_input_producer(match_filenames_once(pattern))`` reads the files.
Each in the implicit default graph and in an explicit graph. Run as
``python -m tf_pipeline.tf1 variable_semantics.py OUT.json``; the golden output is from
real TF 2.15 (tests/golden/make_legacy_scripts.py).
"""

import json
import os
import sys
import tempfile

import tensorflow as tf


def collected_learning_rate(directory):
    lr = tf.Variable(0.125, trainable=False, name="lr")
    tf.add_to_collection("lr", lr)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, os.path.join(directory, "model"))
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(os.path.join(directory, "model.meta"))
        with tf.Session() as sess:
            saver.restore(sess, os.path.join(directory, "model"))
            return float(sess.run(tf.get_collection("lr")[0]))


def matched_lines(directory):
    for i in range(2):
        with open(os.path.join(directory, f"part{i}.txt"), "w") as file:
            file.write(f"a{i}\nb{i}\n")
    files = tf.train.match_filenames_once(os.path.join(directory, "part*.txt"))
    queue = tf.train.string_input_producer(files, shuffle=False, num_epochs=1)
    _, line = tf.TextLineReader().read(queue)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        lines = [sess.run(line).decode() for _ in range(4)]
        coord.request_stop()
        coord.join(threads)
    return lines


def main():
    result = {
        "default_graph_lr": collected_learning_rate(tempfile.mkdtemp()),
        "default_graph_lines": matched_lines(tempfile.mkdtemp()),
    }
    with tf.Graph().as_default():
        result["explicit_graph_lr"] = collected_learning_rate(tempfile.mkdtemp())
    with tf.Graph().as_default():
        result["explicit_graph_lines"] = matched_lines(tempfile.mkdtemp())
    with open(sys.argv[1], "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    main()
