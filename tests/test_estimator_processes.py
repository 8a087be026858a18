"""Kill a training process mid-fit, resume from its last checkpoint; one trainer per model_dir."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from estimators import Estimator, ModelDirBusyError, RunConfig, SKCompat
from tf_pipeline.models import lstm_model

ROOT = Path(__file__).resolve().parent.parent
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "2"}

TRAINER = """
import sys
import numpy as np
from estimators import Estimator, RunConfig
from tf_pipeline.models import lstm_model

x = np.random.RandomState(0).rand(37, 1, 12).astype(np.float32)
y = x.mean(axis=2)
config = RunConfig(tf_random_seed=0, save_checkpoints_steps=50)
Estimator(lstm_model, model_dir=sys.argv[1], params={"hidden_size": 4}, config=config).fit(
    x=x, y=y, batch_size=8, steps=10_000_000
)
"""


def _checkpoint_step(model_dir: Path) -> int:
    path = tf.train.latest_checkpoint(str(model_dir))
    return -1 if path is None else int(path.rsplit("-", 1)[1])


@pytest.mark.slow
def test_sigkill_mid_fit_then_resume_and_second_trainer_refused(tmp_path):
    model_dir = tmp_path / "model"
    trainer = subprocess.Popen([sys.executable, "-c", TRAINER, str(model_dir)], env=ENV)
    try:
        deadline = time.monotonic() + 180
        while _checkpoint_step(model_dir) < 150:
            assert trainer.poll() is None, "the training process ended early"
            assert time.monotonic() < deadline, "no checkpoint at step >= 150 in time"
            time.sleep(0.2)
        x = np.random.RandomState(0).rand(37, 1, 12).astype(np.float32)
        y = x.mean(axis=2)
        second = Estimator(
            lstm_model, model_dir=str(model_dir), params={"hidden_size": 4}, config=RunConfig()
        )
        pattern = rf"is being trained by another process \(pid {trainer.pid}\)"
        with pytest.raises(ModelDirBusyError, match=pattern):
            second.fit(x=x, y=y, batch_size=8, steps=1)
    finally:
        os.kill(trainer.pid, signal.SIGKILL)
        trainer.wait()
    assert trainer.returncode == -signal.SIGKILL

    step = _checkpoint_step(model_dir)
    assert step >= 150 and step % 50 == 0
    names = dict(tf.train.list_variables(str(model_dir)))  # loadable after the kill
    assert "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel" in names
    second.fit(x=x, y=y, batch_size=8, steps=10)  # the lock died with the process
    assert _checkpoint_step(model_dir) == step + 10
    assert np.isfinite(SKCompat(second).predict(x)).all()


@pytest.mark.slow
def test_airpassengers_example_runs_end_to_end(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "airpassengers_tf1.py"),
            "--steps",
            "300",
            "--model-dir",
            str(tmp_path / "model_2"),
        ],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    match = re.search(r"RMSE on the last 24 months: ([0-9.]+)", result.stdout)
    assert match, result.stdout
    assert 0 < float(match.group(1)) < 400
    assert int(tf.train.load_variable(str(tmp_path / "model_2"), "global_step")) == 300
