"""``tf.train.Supervisor``'s background services run in its graph under TensorFlow 2.21.

The stock ``tf.compat.v1.train.Supervisor`` starts its checkpoint, summary and
step-counter threads eagerly (every new thread executes eagerly in TF 2.x), so its first
timed checkpoint raises; TF 1.x and TF 2.15 with v2 behaviour off ran them in graph mode.
"""

from __future__ import annotations

import time

import pytest
import tensorflow as tf

import tf_pipeline.tf1 as tf1
import tf_pipeline.tf1.contrib.slim as slim
from tf_pipeline.compat.supervisor import Supervisor

V1 = tf.compat.v1


def _model() -> tuple[tf.Variable, tf.Tensor, tf.Variable]:
    step = V1.train.get_or_create_global_step()
    w = V1.get_variable("w", [], initializer=V1.constant_initializer(1.0))
    loss = tf.square(w)
    V1.summary.scalar("loss", loss)
    train_op = V1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return w, train_op, step


def _event_tags(logdir) -> set[str]:
    tags = set()
    for path in logdir.glob("events.out.tfevents.*"):
        for event in V1.train.summary_iterator(str(path)):
            tags.update(value.tag for value in event.summary.value)
    return tags


def test_stock_supervisor_fails_in_its_threads(tmp_path):
    # The defect this module fixes: if TensorFlow fixes it, this test says so.
    with tf.Graph().as_default():
        _model()
        sv = V1.train.Supervisor(logdir=str(tmp_path), save_model_secs=60)
        # Saver.save takes its eager path (ValueError "...when executing eagerly"); the
        # step counter reads the graph's step eagerly (TypeError "...out of scope").
        with pytest.raises((ValueError, TypeError), match="executing eagerly|out of scope"):
            with sv.managed_session():
                time.sleep(0.5)  # the checkpoint thread saves at once


def _checkpoint_steps(logdir) -> list[int]:
    state = V1.train.get_checkpoint_state(str(logdir))
    if state is None:
        return []
    return sorted(int(path.rsplit("-", 1)[1]) for path in state.all_model_checkpoint_paths)


@pytest.mark.parametrize("make", [Supervisor, tf1.train.Supervisor], ids=["compat", "tf1"])
def test_managed_session_checkpoints_and_summarises(tmp_path, make):
    with tf.Graph().as_default():
        w, train_op, step = _model()
        sv = make(logdir=str(tmp_path), save_model_secs=1, save_summaries_secs=1)
        assert sv.summary_op is not None
        with sv.managed_session() as sess:
            # Train until the checkpoint thread has saved twice: its first save and a timed
            # one (bounded; the first may land after a step when the thread starts late).
            deadline = time.time() + 60
            while time.time() < deadline and len(_checkpoint_steps(tmp_path)) < 2:
                sess.run(train_op)
                time.sleep(0.01)
            trained = sess.run([w, step])
    checkpoints = V1.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths
    steps = _checkpoint_steps(tmp_path)
    assert len(steps) >= 2 and steps[-1] > steps[0]  # the first and a timed checkpoint
    latest = checkpoints[-1]
    saved_step = int(V1.train.load_variable(latest, "global_step"))
    assert saved_step <= trained[1]
    # w = 0.8 ** step under gradient descent on w**2 with rate 0.1.
    assert V1.train.load_variable(latest, "w") == pytest.approx(0.8**saved_step, rel=1e-5)
    assert {"loss", "global_step/sec"} <= _event_tags(tmp_path)


def test_tf1_supervisor_restores_in_a_new_graph(tmp_path):
    with tf.Graph().as_default():
        _, train_op, _ = _model()
        # No checkpoint thread: its first save would race the explicit one below.
        sv = tf1.train.Supervisor(logdir=str(tmp_path), save_model_secs=0)
        with sv.managed_session() as sess:
            for _ in range(3):
                sess.run(train_op)
            sv.saver.save(sess, sv.save_path, global_step=sv.global_step)
    with tf.Graph().as_default():
        w, _, step = _model()
        sv = tf1.train.Supervisor(logdir=str(tmp_path))
        with sv.managed_session() as sess:
            assert sess.run(step) == 3
            assert sess.run(w) == pytest.approx(0.8**3, rel=1e-6)


def test_services_need_a_chief_and_a_logdir(tmp_path):
    with tf.Graph().as_default():
        _model()
        sv = Supervisor(logdir=None)
        with sv.managed_session() as sess:
            assert sv.start_standard_services(sess) is None
        sv = Supervisor(logdir=str(tmp_path), is_chief=False)
        with pytest.raises(RuntimeError, match="Only chief supervisor"):
            sv.start_standard_services(None)


def test_slim_learning_train_resumes_and_logs_like_tf_slim(tmp_path):
    # tf_slim's flow: restore from logdir, run a step, then check the global step.
    losses = []
    for _ in range(2):
        with tf.Graph().as_default():
            w = V1.get_variable("w", [], initializer=V1.constant_initializer(1.0))
            train_op = slim.learning.create_train_op(
                tf.square(w), V1.train.GradientDescentOptimizer(0.1)
            )
            losses.append(
                # No timed checkpoint thread: its first save races the final one (in TF 1.x
                # too); the final save is what the second run resumes from.
                slim.learning.train(
                    train_op,
                    str(tmp_path),
                    number_of_steps=5,
                    log_every_n_steps=0,
                    save_interval_secs=0,
                )
            )
    # w_t = 0.8 ** t; a step reports the loss before its update. The second run resumes at
    # step 5 and, as in TF 1.x, still runs one step before it sees number_of_steps reached.
    assert losses == pytest.approx([0.8**8, 0.8**10], rel=1e-5)
    assert V1.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-6")
    # The Supervisor's services ran in the background, as with tf_slim.
    assert "global_step/sec" in _event_tags(tmp_path)
