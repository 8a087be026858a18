"""The cosine demo on a tiny setting: four models, the files, and the naive bar."""

import json
import math
import random
import re

import numpy as np
import pytest

from tf_pipeline.cosine_demo import MODEL_NAMES, run_cosine_demo

TINY = {"n": 130, "window": 10, "test_size": 30, "batch_size": 10, "epochs": 1, "hidden_size": 4}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("cosine")
    random.seed(123)
    np.random.seed(123)
    before = global_random_states()
    result = run_cosine_demo(**TINY, seed=0, out_dir=out_dir)
    return result, out_dir, before, global_random_states()


def test_four_models_with_finite_scores(tiny_run):
    result, *_ = tiny_run
    assert tuple(result["models"]) == MODEL_NAMES
    for scores in result["models"].values():
        assert math.isfinite(scores["rmse"]) and scores["rmse"] >= 0.0
        assert scores["fit_seconds"] > 0.0
    # 130 points, windows of 10: 120 samples, the last 30 for testing.
    assert (result["n_train"], result["n_test"]) == (90, 30)


def test_naive_rmse_against_the_formula(tiny_run):
    result, *_ = tiny_run
    t = np.arange(130, dtype=np.float64)
    curve = 100.0 * np.cos(2.0 * np.pi * t / 1000.0) * np.exp(-1e-4 * t)
    # Test targets are points 100..129; the last-value forecast of point t is point t - 1.
    expected = np.sqrt(np.mean((curve[100:130] - curve[99:129]) ** 2))
    assert result["naive_rmse"] == pytest.approx(expected, rel=1e-4)


def test_writes_figure_and_json(tiny_run):
    result, out_dir, *_ = tiny_run
    png = out_dir / "cosine.png"
    assert result["figure"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out_dir / "cosine.json").read_text())
    assert saved["models"] == result["models"]
    assert saved["naive_rmse"] == result["naive_rmse"]


@pytest.mark.slow
def test_same_seed_same_numbers(tiny_run):
    result, *_ = tiny_run
    again = run_cosine_demo(**TINY, seed=0)
    assert again["figure"] is None
    for name in MODEL_NAMES:
        assert again["models"][name]["rmse"] == pytest.approx(
            result["models"][name]["rmse"], rel=1e-6
        )


def test_bad_arguments():
    with pytest.raises(ValueError, match=re.escape("`epochs` must be an int >= 1, got 0.")):
        run_cosine_demo(**{**TINY, "epochs": 0})
    with pytest.raises(ValueError, match=re.escape("`test_size` as a float must be in (0, 1)")):
        run_cosine_demo(**{**TINY, "test_size": 1.5})


@pytest.mark.slow
def test_indivisible_batch_size_trims_training_and_pads_the_test():
    # 90 training windows lose their 6 oldest; 30 test windows are padded to 35 and cut back.
    with pytest.warns(UserWarning, match=re.escape("Dropped the 6 oldest of 90 samples")):
        result = run_cosine_demo(**{**TINY, "batch_size": 7})
    assert result["n_test"] == 30
    assert all(math.isfinite(s["rmse"]) for s in result["models"].values())


def global_random_states():
    return random.getstate(), np.random.get_state()


def test_leaves_python_and_numpy_global_random_states_alone(tiny_run):
    # The fixture's run happened between these two snapshots.
    _, _, (python_before, numpy_before), (python_after, numpy_after) = tiny_run
    assert python_after == python_before
    assert numpy_after[0] == numpy_before[0]
    np.testing.assert_array_equal(numpy_after[1], numpy_before[1])
    assert numpy_after[2:] == numpy_before[2:]
